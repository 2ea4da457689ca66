ALTER TABLE "settlement"."kit" ALTER COLUMN "plan" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "settlement"."kit" ALTER COLUMN "activated_on" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "settlement"."kit" ADD COLUMN "activated_version" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "settlement"."kit" ADD COLUMN "activated_as_of" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "settlement"."kit" ADD COLUMN "state_version" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "settlement"."kit" ADD COLUMN "state_as_of" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "settlement"."place" ADD COLUMN "version" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "settlement"."place" ADD COLUMN "as_of" timestamp with time zone;