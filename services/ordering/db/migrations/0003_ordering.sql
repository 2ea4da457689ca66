ALTER TABLE "ordering"."funder" ADD COLUMN "service_code" text;--> statement-breakpoint
ALTER TABLE "ordering"."order" ADD COLUMN "engagement_number" text;