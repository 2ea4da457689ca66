CREATE TABLE "analytics"."payout" (
	"payout_id" uuid PRIMARY KEY NOT NULL,
	"place_id" uuid NOT NULL,
	"month" text NOT NULL,
	"net_cents" bigint NOT NULL,
	"status" text NOT NULL,
	"reason" text,
	"status_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
-- Staff only (the staff role's policy is created with it, services/analytics/db/reporting-roles.ts).
ALTER TABLE "analytics"."payout" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "analytics"."payout" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "service" ON "analytics"."payout" TO CURRENT_USER USING (true) WITH CHECK (true);
