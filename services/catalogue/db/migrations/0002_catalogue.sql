ALTER TABLE "catalogue"."place" ADD COLUMN "arrondissement_code" text;--> statement-breakpoint
ALTER TABLE "catalogue"."place" ADD COLUMN "source_name" text;--> statement-breakpoint
ALTER TABLE "catalogue"."place" ADD COLUMN "source_date" date;--> statement-breakpoint
ALTER TABLE "catalogue"."place" ADD COLUMN "open_data" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "catalogue"."place" ADD COLUMN "warnings" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "catalogue"."place" ADD COLUMN "platform_changed_at" timestamp with time zone;