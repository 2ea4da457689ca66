-- The ledger is append-only: a correction is a new transaction, never an edit. What a closed
-- month decided (its bookings, statement lines and per-place figures) never changes either.
CREATE FUNCTION "settlement"."refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% rows are immutable', TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "ledger_tx_immutable" BEFORE UPDATE OR DELETE ON "settlement"."ledger_tx" FOR EACH ROW EXECUTE FUNCTION "settlement"."refuse_change"();
--> statement-breakpoint
CREATE TRIGGER "ledger_line_immutable" BEFORE UPDATE OR DELETE ON "settlement"."ledger_line" FOR EACH ROW EXECUTE FUNCTION "settlement"."refuse_change"();
--> statement-breakpoint
CREATE TRIGGER "booking_immutable" BEFORE UPDATE OR DELETE ON "settlement"."booking" FOR EACH ROW EXECUTE FUNCTION "settlement"."refuse_change"();
--> statement-breakpoint
CREATE TRIGGER "statement_line_immutable" BEFORE UPDATE OR DELETE ON "settlement"."statement_line" FOR EACH ROW EXECUTE FUNCTION "settlement"."refuse_change"();
--> statement-breakpoint
CREATE TRIGGER "place_period_immutable" BEFORE UPDATE OR DELETE ON "settlement"."place_period" FOR EACH ROW EXECUTE FUNCTION "settlement"."refuse_change"();
--> statement-breakpoint
CREATE TRIGGER "audit_immutable" BEFORE UPDATE OR DELETE ON "settlement"."audit" FOR EACH ROW EXECUTE FUNCTION "settlement"."refuse_change"();
--> statement-breakpoint
CREATE TRIGGER "payout_run_immutable" BEFORE UPDATE OR DELETE ON "settlement"."payout_run" FOR EACH ROW EXECUTE FUNCTION "settlement"."refuse_change"();
--> statement-breakpoint
-- A closed month stays closed.
CREATE FUNCTION "settlement"."closed_period_final"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR OLD.status = 'closed' THEN
    RAISE EXCEPTION 'period % is closed', OLD.month USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "period_closed_final" BEFORE UPDATE OR DELETE ON "settlement"."period" FOR EACH ROW EXECUTE FUNCTION "settlement"."closed_period_final"();
