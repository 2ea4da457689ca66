ALTER TABLE "printing"."print_job" ADD COLUMN "render_attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "printing"."print_job" ADD COLUMN "render_retry_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "printing"."print_job" ADD COLUMN "render_error" text;