CREATE TABLE "settlement"."tally_mark" (
	"id" integer PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL
);
--> statement-breakpoint
DROP INDEX "settlement"."statement_line_place";--> statement-breakpoint
ALTER TABLE "settlement"."statement_line" ADD CONSTRAINT "statement_line_period_place_id_scan_day_offer_id_late_pk" PRIMARY KEY("period","place_id","scan_day","offer_id","late");--> statement-breakpoint
ALTER TABLE "settlement"."booking" ADD COLUMN "seq" bigserial NOT NULL;--> statement-breakpoint
CREATE INDEX "booking_seq" ON "settlement"."booking" USING btree ("seq");--> statement-breakpoint
-- A closed month's lines stay final; an open month's are the running sums of its bookings.
DROP TRIGGER "statement_line_immutable" ON "settlement"."statement_line";
--> statement-breakpoint
CREATE FUNCTION "settlement"."closed_lines_final"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  line_period text := CASE WHEN TG_OP = 'INSERT' THEN NEW.period ELSE OLD.period END;
BEGIN
  IF EXISTS (SELECT 1 FROM "settlement"."period" WHERE "month" = line_period AND "status" = 'closed')
    OR (TG_OP = 'UPDATE' AND NEW.period IS DISTINCT FROM OLD.period) THEN
    RAISE EXCEPTION 'statement lines of % are immutable once it is closed', line_period USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "statement_line_final" BEFORE INSERT OR UPDATE OR DELETE ON "settlement"."statement_line" FOR EACH ROW EXECUTE FUNCTION "settlement"."closed_lines_final"();
--> statement-breakpoint
-- The bookings already written: those of the months still open are summed now, the mark after them.
INSERT INTO "settlement"."statement_line" ("period", "place_id", "offer_id", "scan_day", "late", "pass_count", "gross_cents", "fee_cents")
SELECT b."period", b."place_id", b."offer_id", b."scan_day", b."late", sum(b."sign"), sum(b."sign" * b."face_value_cents"), sum(b."sign" * b."fee_cents")
FROM "settlement"."booking" b
WHERE NOT EXISTS (SELECT 1 FROM "settlement"."period" p WHERE p."month" = b."period" AND p."status" = 'closed')
GROUP BY b."period", b."place_id", b."offer_id", b."scan_day", b."late";
--> statement-breakpoint
INSERT INTO "settlement"."tally_mark" ("id", "seq") SELECT 1, coalesce(max("seq"), 0) FROM "settlement"."booking";
