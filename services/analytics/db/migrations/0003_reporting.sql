-- Reporting: what the funders' and staff's PostgreSQL roles may read (Grafana runs whatever SQL its
-- users type). Every reporting table has row-level security, forced on its owner too; the service
-- itself (the role these migrations run as) keeps every right through its own policy. A funder's
-- role sees the rows of its funder: reporting_role maps current_user to it, and current_user is the
-- role Grafana logged in as (a setting like app.tenant could be set by the user himself). Staff
-- policies name the staff role and are created with it (services/analytics/db/reporting-roles.ts).
-- Grants are given to each role when it is created, never to PUBLIC.
ALTER TABLE "analytics"."reporting_role" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "analytics"."reporting_role" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "service" ON "analytics"."reporting_role" TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
CREATE POLICY "own_role" ON "analytics"."reporting_role" FOR SELECT USING (role_name = current_user);
--> statement-breakpoint
ALTER TABLE "analytics"."order_summary" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "analytics"."order_summary" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "service" ON "analytics"."order_summary" TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE "analytics"."usage_daily" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "analytics"."usage_daily" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "service" ON "analytics"."usage_daily" TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE "analytics"."redemption_fact" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "analytics"."redemption_fact" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "service" ON "analytics"."redemption_fact" TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE "analytics"."place" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "analytics"."place" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "service" ON "analytics"."place" TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE "analytics"."offer" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "analytics"."offer" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "service" ON "analytics"."offer" TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE "analytics"."kiosk" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "analytics"."kiosk" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "service" ON "analytics"."kiosk" TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE "analytics"."denied_daily" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "analytics"."denied_daily" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "service" ON "analytics"."denied_daily" TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE "analytics"."period" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "analytics"."period" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "service" ON "analytics"."period" TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
CREATE POLICY "funder_rows" ON "analytics"."order_summary" FOR SELECT USING (funder_id = (SELECT r.funder_id FROM "analytics"."reporting_role" r WHERE r.role_name = current_user));
--> statement-breakpoint
CREATE POLICY "funder_rows" ON "analytics"."usage_daily" FOR SELECT USING (funder_id = (SELECT r.funder_id FROM "analytics"."reporting_role" r WHERE r.role_name = current_user));
--> statement-breakpoint
CREATE POLICY "funder_rows" ON "analytics"."redemption_fact" FOR SELECT USING (funder_id = (SELECT r.funder_id FROM "analytics"."reporting_role" r WHERE r.role_name = current_user));
--> statement-breakpoint
-- Public directory data: every reporting role reads it (it still needs the grant).
CREATE POLICY "directory" ON "analytics"."place" FOR SELECT USING (true);
--> statement-breakpoint
-- Public directory data: every reporting role reads it (it still needs the grant).
CREATE POLICY "directory" ON "analytics"."offer" FOR SELECT USING (true);
--> statement-breakpoint
-- Redemptions per day, with the service and the commune of their offer and place.
CREATE VIEW "analytics"."usage" WITH (security_invoker = true) AS
  SELECT u.day, u.funder_id, u.order_id, u.place_id, u.offer_id, o.service_code, o.category_code,
         p.name AS place_name, p.type AS place_type, p.commune_code, p.epci_code, p.departement_code,
         p.latitude, p.longitude, u.redemptions, u.cents
    FROM "analytics"."usage_daily" u
    LEFT JOIN "analytics"."offer" o ON o.offer_id = u.offer_id
    LEFT JOIN "analytics"."place" p ON p.place_id = u.place_id;
--> statement-breakpoint
-- Orders with what their counters imply: passes handed out, outstanding, money held.
CREATE VIEW "analytics"."orders" WITH (security_invoker = true) AS
  SELECT s.*,
         s.carnets_released * coalesce(s.carnet_size, 0) AS passes_released,
         greatest(s.passes_issued - s.passes_redeemed - s.passes_blocked, 0) AS passes_outstanding,
         greatest(coalesce(s.face_value_cents, 0) - s.redeemed_cents - s.credit_note_cents, 0) AS held_cents
    FROM "analytics"."order_summary" s;
