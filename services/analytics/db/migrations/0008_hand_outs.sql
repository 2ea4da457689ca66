CREATE TABLE "analytics"."hand_out_fact" (
	"hand_out_id" uuid PRIMARY KEY NOT NULL,
	"funder_id" uuid NOT NULL,
	"order_id" uuid NOT NULL,
	"prescriber_id" uuid NOT NULL,
	"prescriber_name" text NOT NULL,
	"carnet_number" integer NOT NULL,
	"handed_out_at" timestamp with time zone NOT NULL,
	"delivered_at" timestamp with time zone,
	"public_code" text,
	"commune_code" text,
	"renews_carnet_number" integer
);
--> statement-breakpoint
ALTER TABLE "analytics"."order_summary" ADD COLUMN "carnets_handed_out" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "analytics"."order_summary" ADD COLUMN "carnets_renewed" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "hand_out_fact_funder" ON "analytics"."hand_out_fact" USING btree ("funder_id","order_id");--> statement-breakpoint
CREATE INDEX "hand_out_fact_carnet" ON "analytics"."hand_out_fact" USING btree ("order_id","carnet_number");--> statement-breakpoint
-- The carnets handed out by prescripteurs (the funder's "remis") and their passes, new columns
-- last, replaced in place so that the reporting roles keep their grant on it.
CREATE OR REPLACE VIEW "analytics"."orders" WITH (security_invoker = true) AS
  SELECT s.order_id, s.funder_id, s.funder_name, s.offer, s.carnet_size, s.face_value_cents, s.valid_from,
         s.last_redemption_day, s.paid_at, s.carnets_issued, s.passes_issued, s.carnets_released, s.passes_blocked,
         s.carnets_started, s.passes_redeemed, s.redeemed_cents, s.credit_note_cents,
         s.carnets_released * coalesce(s.carnet_size, 0) AS passes_released,
         CASE WHEN s.redemption_closed_at IS NULL THEN greatest(s.passes_issued - s.passes_redeemed - s.passes_blocked, 0) ELSE 0 END AS passes_outstanding,
         CASE WHEN s.redemption_closed_at IS NULL THEN greatest(coalesce(s.face_value_cents, 0) - s.redeemed_cents - s.credit_note_cents, 0) ELSE 0 END AS held_cents,
         s.redemption_closed_at, s.passes_unused, s.unused_cents,
         greatest(coalesce(s.unused_cents, 0), s.credit_note_cents) AS credit_cents,
         s.carnets_handed_out, s.carnets_renewed,
         s.carnets_handed_out * coalesce(s.carnet_size, 0) AS passes_handed_out
    FROM "analytics"."order_summary" s;
