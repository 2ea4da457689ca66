ALTER TABLE "analytics"."place" ALTER COLUMN "name" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "analytics"."place" ALTER COLUMN "type" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "analytics"."place" ALTER COLUMN "commune_code" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "analytics"."place" ALTER COLUMN "departement_code" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "analytics"."order_summary" ADD COLUMN "redemption_closed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "analytics"."order_summary" ADD COLUMN "passes_unused" integer;--> statement-breakpoint
ALTER TABLE "analytics"."order_summary" ADD COLUMN "unused_cents" bigint;--> statement-breakpoint
ALTER TABLE "analytics"."place" ADD COLUMN "details_version" integer;--> statement-breakpoint
ALTER TABLE "analytics"."place" ADD COLUMN "details_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "analytics"."place" ADD COLUMN "status_version" integer;--> statement-breakpoint
ALTER TABLE "analytics"."place" ADD COLUMN "status_at" timestamp with time zone;--> statement-breakpoint
-- Once its redemption window closed, an order has nothing in circulation nor held: its unused
-- passes' value goes back to the funder as a credit note (credit_cents: credited or to be).
-- Replaced in place (new columns last) so that the reporting roles keep their grant on it.
CREATE OR REPLACE VIEW "analytics"."orders" WITH (security_invoker = true) AS
  SELECT s.order_id, s.funder_id, s.funder_name, s.offer, s.carnet_size, s.face_value_cents, s.valid_from,
         s.last_redemption_day, s.paid_at, s.carnets_issued, s.passes_issued, s.carnets_released, s.passes_blocked,
         s.carnets_started, s.passes_redeemed, s.redeemed_cents, s.credit_note_cents,
         s.carnets_released * coalesce(s.carnet_size, 0) AS passes_released,
         CASE WHEN s.redemption_closed_at IS NULL THEN greatest(s.passes_issued - s.passes_redeemed - s.passes_blocked, 0) ELSE 0 END AS passes_outstanding,
         CASE WHEN s.redemption_closed_at IS NULL THEN greatest(coalesce(s.face_value_cents, 0) - s.redeemed_cents - s.credit_note_cents, 0) ELSE 0 END AS held_cents,
         s.redemption_closed_at, s.passes_unused, s.unused_cents,
         greatest(coalesce(s.unused_cents, 0), s.credit_note_cents) AS credit_cents
    FROM "analytics"."order_summary" s;
--> statement-breakpoint
-- The funders' panels read a funder's days from the rollup: from this index alone (an index-only
-- scan), instead of one heap page per row, rows of a funder being spread over every page of their
-- day. Written here because the schema builder has no INCLUDE.
CREATE INDEX "usage_daily_funder_day_covering" ON "analytics"."usage_daily" USING btree ("funder_id", "day") INCLUDE ("order_id", "place_id", "offer_id", "redemptions", "cents");
