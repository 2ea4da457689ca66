ALTER TABLE "redemption"."place" ADD COLUMN "details_version" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "redemption"."place" ADD COLUMN "details_as_of" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "redemption"."place" ADD COLUMN "qualified_version" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "redemption"."place" ADD COLUMN "kit_version" integer DEFAULT 0 NOT NULL;