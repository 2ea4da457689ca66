-- The audit trail is never changed once written.
CREATE FUNCTION "qualification"."refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% rows are immutable', TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "audit_immutable" BEFORE UPDATE OR DELETE ON "qualification"."audit" FOR EACH ROW EXECUTE FUNCTION "qualification"."refuse_change"();
