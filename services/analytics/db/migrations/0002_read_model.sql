CREATE TABLE "analytics"."carnet" (
	"order_id" uuid NOT NULL,
	"carnet_number" integer NOT NULL,
	"redeemed" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "carnet_order_id_carnet_number_pk" PRIMARY KEY("order_id","carnet_number")
);
--> statement-breakpoint
CREATE TABLE "analytics"."denied_daily" (
	"day" date NOT NULL,
	"reason" text NOT NULL,
	"kiosk_id" uuid NOT NULL,
	"scans" integer NOT NULL,
	CONSTRAINT "denied_daily_day_reason_kiosk_id_pk" PRIMARY KEY("day","reason","kiosk_id")
);
--> statement-breakpoint
CREATE TABLE "analytics"."denied_scan" (
	"scan_id" uuid PRIMARY KEY NOT NULL,
	"kiosk_id" uuid NOT NULL,
	"place_id" uuid,
	"offer_id" uuid NOT NULL,
	"order_id" uuid,
	"funder_id" uuid,
	"reason" text NOT NULL,
	"scanned_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics"."kiosk" (
	"kiosk_id" uuid PRIMARY KEY NOT NULL,
	"place_id" uuid,
	"registered" boolean DEFAULT false NOT NULL,
	"revoked" boolean DEFAULT false NOT NULL,
	"last_scan_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "analytics"."offer" (
	"offer_id" uuid PRIMARY KEY NOT NULL,
	"place_id" uuid NOT NULL,
	"service_code" text NOT NULL,
	"category_code" text NOT NULL,
	"price_cents" integer NOT NULL,
	"withdrawn" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics"."order_summary" (
	"order_id" uuid PRIMARY KEY NOT NULL,
	"funder_id" uuid,
	"funder_name" text,
	"offer" text,
	"carnet_size" integer,
	"face_value_cents" bigint,
	"valid_from" date,
	"last_redemption_day" date,
	"paid_at" timestamp with time zone,
	"carnets_issued" integer DEFAULT 0 NOT NULL,
	"passes_issued" integer DEFAULT 0 NOT NULL,
	"carnets_released" integer DEFAULT 0 NOT NULL,
	"passes_blocked" integer DEFAULT 0 NOT NULL,
	"carnets_started" integer DEFAULT 0 NOT NULL,
	"passes_redeemed" integer DEFAULT 0 NOT NULL,
	"redeemed_cents" bigint DEFAULT 0 NOT NULL,
	"credit_note_cents" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics"."pass" (
	"pass_id" uuid PRIMARY KEY NOT NULL,
	"order_id" uuid NOT NULL,
	"carnet_number" integer,
	"redeemed" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics"."period" (
	"period_id" uuid PRIMARY KEY NOT NULL,
	"month" text NOT NULL,
	"place_id" uuid NOT NULL,
	"gross_cents" bigint NOT NULL,
	"fee_cents" bigint NOT NULL,
	"net_cents" bigint NOT NULL,
	"pass_count" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics"."place" (
	"place_id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"type" text NOT NULL,
	"commune_code" text NOT NULL,
	"epci_code" text,
	"departement_code" text NOT NULL,
	"latitude" double precision,
	"longitude" double precision,
	"status" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics"."redemption_fact" (
	"redemption_id" uuid PRIMARY KEY NOT NULL,
	"funder_id" uuid,
	"order_id" uuid,
	"pass_id" uuid,
	"place_id" uuid,
	"kiosk_id" uuid,
	"offer_id" uuid,
	"service_act_id" uuid,
	"face_value_cents" integer,
	"scanned_at" timestamp with time zone,
	"late_upload" boolean,
	"cancelled_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "analytics"."reporting_role" (
	"role_name" text PRIMARY KEY NOT NULL,
	"funder_id" uuid,
	"staff" boolean DEFAULT false NOT NULL,
	"rotated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reporting_role_funder_id_unique" UNIQUE("funder_id")
);
--> statement-breakpoint
CREATE TABLE "analytics"."usage_daily" (
	"day" date NOT NULL,
	"funder_id" uuid NOT NULL,
	"order_id" uuid NOT NULL,
	"place_id" uuid NOT NULL,
	"offer_id" uuid NOT NULL,
	"redemptions" integer NOT NULL,
	"cents" bigint NOT NULL,
	CONSTRAINT "usage_daily_funder_id_day_order_id_place_id_offer_id_pk" PRIMARY KEY("funder_id","day","order_id","place_id","offer_id")
);
--> statement-breakpoint
CREATE INDEX "order_summary_funder" ON "analytics"."order_summary" USING btree ("funder_id");--> statement-breakpoint
CREATE INDEX "redemption_fact_funder_scanned" ON "analytics"."redemption_fact" USING btree ("funder_id","scanned_at");--> statement-breakpoint
CREATE INDEX "usage_daily_day" ON "analytics"."usage_daily" USING btree ("day");