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
CREATE INDEX "hand_out_fact_carnet" ON "analytics"."hand_out_fact" USING btree ("order_id","carnet_number");