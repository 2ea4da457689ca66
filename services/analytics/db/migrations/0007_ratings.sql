CREATE TABLE "analytics"."rating_fact" (
	"rating_id" uuid PRIMARY KEY NOT NULL,
	"revision" integer NOT NULL,
	"funder_id" uuid NOT NULL,
	"order_id" uuid,
	"place_id" uuid NOT NULL,
	"offer_id" uuid,
	"service_code" text,
	"score" integer,
	"would_return" boolean,
	"redeemed_at" timestamp with time zone,
	"rated_at" timestamp with time zone,
	"withdrawn" boolean NOT NULL
);
--> statement-breakpoint
CREATE INDEX "rating_fact_funder" ON "analytics"."rating_fact" USING btree ("funder_id","place_id");--> statement-breakpoint
ALTER TABLE "analytics"."rating_fact" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "analytics"."rating_fact" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "service" ON "analytics"."rating_fact" TO CURRENT_USER USING (true) WITH CHECK (true);
--> statement-breakpoint
CREATE POLICY "funder_rows" ON "analytics"."rating_fact" FOR SELECT USING (funder_id = (SELECT r.funder_id FROM "analytics"."reporting_role" r WHERE r.role_name = current_user));
--> statement-breakpoint
-- Satisfaction per place and service, of the ratings of a funder's passes (the reader's own rows: security_invoker).
CREATE VIEW "analytics"."satisfaction" WITH (security_invoker = true) AS
  SELECT f.funder_id, f.place_id, p.name AS place_name, p.commune_code, f.service_code,
         count(*)::int AS ratings, round(avg(f.score), 2)::float8 AS mean_score,
         round(avg(CASE WHEN f.would_return THEN 1 ELSE 0 END), 2)::float8 AS would_return_share
    FROM "analytics"."rating_fact" f
    LEFT JOIN "analytics"."place" p ON p.place_id = f.place_id
   WHERE NOT f.withdrawn
   GROUP BY f.funder_id, f.place_id, p.name, p.commune_code, f.service_code;
