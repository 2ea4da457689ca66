ALTER TABLE "auth"."api_token" ADD COLUMN "scope_id" uuid;--> statement-breakpoint
UPDATE "auth"."api_token" SET "scope_id" = "funder_id" WHERE "role" = 'funder';--> statement-breakpoint
-- A print-partner token issued before print partners were scoped names no partner: it would see nothing.
UPDATE "auth"."api_token" SET "revoked_at" = now() WHERE "role" = 'print-partner' AND "revoked_at" IS NULL;--> statement-breakpoint
ALTER TABLE "auth"."api_token" DROP COLUMN "funder_id";
