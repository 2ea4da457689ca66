ALTER TABLE "printing"."pass" DROP CONSTRAINT "pass_code_unique";--> statement-breakpoint
ALTER TABLE "printing"."pass" DROP COLUMN "code";