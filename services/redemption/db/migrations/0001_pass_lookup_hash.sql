ALTER TABLE "redemption"."pass" DROP CONSTRAINT "pass_code_unique";--> statement-breakpoint
ALTER TABLE "redemption"."pass" ALTER COLUMN "code" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "redemption"."pass" ADD COLUMN "code_hash" text;--> statement-breakpoint
ALTER TABLE "redemption"."pass" ADD CONSTRAINT "pass_code_hash_unique" UNIQUE("code_hash");--> statement-breakpoint
UPDATE "redemption"."scan" SET "code" = CASE WHEN length("code") > 9 THEN left("code", 8) || repeat('*', length("code") - 9) || right("code", 1) ELSE repeat('*', length("code")) END WHERE position('*' in "code") = 0;
