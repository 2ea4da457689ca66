-- Invoices, credit notes, payments and the audit log are never changed once written:
-- a correction is a new document (a credit note), never an edit.
CREATE FUNCTION "ordering"."refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% rows are immutable', TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "invoice_immutable" BEFORE UPDATE OR DELETE ON "ordering"."invoice" FOR EACH ROW EXECUTE FUNCTION "ordering"."refuse_change"();
--> statement-breakpoint
CREATE TRIGGER "credit_note_immutable" BEFORE UPDATE OR DELETE ON "ordering"."credit_note" FOR EACH ROW EXECUTE FUNCTION "ordering"."refuse_change"();
--> statement-breakpoint
CREATE TRIGGER "payment_immutable" BEFORE UPDATE OR DELETE ON "ordering"."payment" FOR EACH ROW EXECUTE FUNCTION "ordering"."refuse_change"();
--> statement-breakpoint
CREATE TRIGGER "audit_immutable" BEFORE UPDATE OR DELETE ON "ordering"."audit" FOR EACH ROW EXECUTE FUNCTION "ordering"."refuse_change"();
