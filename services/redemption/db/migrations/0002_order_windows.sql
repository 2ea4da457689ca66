CREATE TABLE "redemption"."order_window" (
	"order_id" uuid PRIMARY KEY NOT NULL,
	"funder_id" uuid NOT NULL,
	"pass_count" integer NOT NULL,
	"last_day" date NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"closed_at" timestamp with time zone,
	"redeemed_count" integer
);
--> statement-breakpoint
-- Orders paid before windows existed: their last day as lastRedemptionDay() computes it, their
-- pass count from the passes issued.
INSERT INTO "redemption"."order_window" ("order_id", "funder_id", "pass_count", "last_day")
SELECT o."order_id", o."funder_id",
       (SELECT count(*) FROM "redemption"."pass" p WHERE p."order_id" = o."order_id"),
       CASE WHEN right(o."rules"->>'validUntil', 5) = '12-31'
            THEN make_date(left(o."rules"->>'validUntil', 4)::int + 1, 1, 31)
            ELSE (o."rules"->>'validUntil')::date END
  FROM "redemption"."order_rules" o;
--> statement-breakpoint
-- A statement that records or cancels redemptions locks the window rows of their orders (in key
-- order) until it commits, and fails whole if one is closed. The closing updates the row first,
-- so it waits for statements that locked it before, then counts what they committed.
CREATE FUNCTION "redemption"."guard_order_windows"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM "redemption"."order_window" w
    WHERE w."order_id" IN (SELECT c."order_id" FROM changed c)
    ORDER BY w."order_id" FOR SHARE OF w;
  -- A statement of its own, so its snapshot shows a close committed before the lock was granted.
  IF EXISTS (
    SELECT 1 FROM "redemption"."order_window" w
     WHERE w."order_id" IN (SELECT c."order_id" FROM changed c) AND w."status" <> 'open'
  ) THEN
    RAISE EXCEPTION 'redemption window closed' USING ERRCODE = 'AP001';
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "redemption_window_on_insert" AFTER INSERT ON "redemption"."redemption" REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION "redemption"."guard_order_windows"();
--> statement-breakpoint
CREATE TRIGGER "redemption_window_on_update" AFTER UPDATE ON "redemption"."redemption" REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION "redemption"."guard_order_windows"();
