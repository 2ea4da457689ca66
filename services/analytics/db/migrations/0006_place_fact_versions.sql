-- Places known before versions hold version 0, like the events from before them: a fact compares
-- (version, time) with the one held (runtime's newerFact), which a NULL would never pass.
UPDATE "analytics"."place" SET "details_version" = 0 WHERE "details_version" IS NULL;--> statement-breakpoint
UPDATE "analytics"."place" SET "status_version" = 0 WHERE "status_version" IS NULL;--> statement-breakpoint
ALTER TABLE "analytics"."place" ALTER COLUMN "details_version" SET DEFAULT 0;--> statement-breakpoint
ALTER TABLE "analytics"."place" ALTER COLUMN "details_version" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "analytics"."place" ALTER COLUMN "status_version" SET DEFAULT 0;--> statement-breakpoint
ALTER TABLE "analytics"."place" ALTER COLUMN "status_version" SET NOT NULL;
