CREATE SCHEMA "redemption";
--> statement-breakpoint
CREATE TABLE "redemption"."carnet_release" (
	"order_id" uuid NOT NULL,
	"carnet_number" integer NOT NULL,
	"released_at" timestamp with time zone NOT NULL,
	CONSTRAINT "carnet_release_order_id_carnet_number_pk" PRIMARY KEY("order_id","carnet_number")
);
--> statement-breakpoint
CREATE TABLE "redemption"."conflict" (
	"id" uuid PRIMARY KEY NOT NULL,
	"pass_id" uuid NOT NULL,
	"winner_scan_id" uuid NOT NULL,
	"loser_scan_id" uuid NOT NULL,
	"cancelled_redemption_id" uuid,
	"resolved_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "redemption"."inbox" (
	"consumer" text NOT NULL,
	"event_id" uuid NOT NULL,
	"processed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "inbox_consumer_event_id_pk" PRIMARY KEY("consumer","event_id")
);
--> statement-breakpoint
CREATE TABLE "redemption"."kiosk" (
	"kiosk_id" uuid PRIMARY KEY NOT NULL,
	"place_id" uuid NOT NULL,
	"revoked" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "redemption"."offer" (
	"offer_id" uuid PRIMARY KEY NOT NULL,
	"place_id" uuid,
	"service_code" text,
	"category_code" text,
	"price_cents" bigint,
	"withdrawn" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "redemption"."order_rules" (
	"order_id" uuid PRIMARY KEY NOT NULL,
	"funder_id" uuid NOT NULL,
	"rules" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "redemption"."outbox" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"id" uuid NOT NULL,
	"type" text NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "redemption"."pass_block" (
	"pass_id" uuid PRIMARY KEY NOT NULL,
	"reason" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "redemption"."pass" (
	"pass_id" uuid PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"order_id" uuid NOT NULL,
	"funder_id" uuid NOT NULL,
	"carnet_number" integer NOT NULL,
	"position" integer NOT NULL,
	CONSTRAINT "pass_code_unique" UNIQUE("code")
);
--> statement-breakpoint
CREATE TABLE "redemption"."place" (
	"place_id" uuid PRIMARY KEY NOT NULL,
	"name" text,
	"type" text,
	"commune_code" text,
	"qualified" boolean DEFAULT false NOT NULL,
	"qualified_as_of" timestamp with time zone,
	"kit_active" boolean DEFAULT false NOT NULL,
	"kit_as_of" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "redemption"."redemption" (
	"id" uuid PRIMARY KEY NOT NULL,
	"scan_id" uuid NOT NULL,
	"pass_id" uuid NOT NULL,
	"order_id" uuid NOT NULL,
	"funder_id" uuid NOT NULL,
	"carnet_number" integer NOT NULL,
	"service_act_id" uuid NOT NULL,
	"place_id" uuid NOT NULL,
	"kiosk_id" uuid NOT NULL,
	"offer_id" uuid NOT NULL,
	"face_value_cents" bigint NOT NULL,
	"scanned_at" timestamp with time zone NOT NULL,
	"accepted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"late_upload" boolean NOT NULL,
	"cancelled_at" timestamp with time zone,
	"cancelled_by" text,
	"cancel_reason" text,
	CONSTRAINT "redemption_scan_id_unique" UNIQUE("scan_id")
);
--> statement-breakpoint
CREATE TABLE "redemption"."scan" (
	"scan_id" uuid PRIMARY KEY NOT NULL,
	"kiosk_id" uuid NOT NULL,
	"session_id" uuid NOT NULL,
	"offer_id" uuid NOT NULL,
	"code" text NOT NULL,
	"scanned_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"offline" boolean NOT NULL,
	"outcome" text NOT NULL,
	"reason" text,
	"message" text NOT NULL,
	"redemption_id" uuid
);
--> statement-breakpoint
CREATE TABLE "redemption"."service_act" (
	"id" uuid PRIMARY KEY NOT NULL,
	"session_id" uuid NOT NULL,
	"kiosk_id" uuid NOT NULL,
	"place_id" uuid NOT NULL,
	"offer_id" uuid NOT NULL,
	"price_cents" bigint NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	CONSTRAINT "service_act_session_id_unique" UNIQUE("session_id")
);
--> statement-breakpoint
CREATE TABLE "redemption"."settled_period" (
	"place_id" uuid NOT NULL,
	"month" text NOT NULL,
	CONSTRAINT "settled_period_place_id_month_pk" PRIMARY KEY("place_id","month")
);
--> statement-breakpoint
CREATE INDEX "pass_carnet" ON "redemption"."pass" USING btree ("order_id","carnet_number");--> statement-breakpoint
CREATE UNIQUE INDEX "redemption_live_pass" ON "redemption"."redemption" USING btree ("pass_id") WHERE "redemption"."redemption"."cancelled_at" IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "redemption_one_per_carnet_per_act" ON "redemption"."redemption" USING btree ("service_act_id","order_id","carnet_number") WHERE "redemption"."redemption"."cancelled_at" IS NULL;--> statement-breakpoint
CREATE INDEX "redemption_place_time" ON "redemption"."redemption" USING btree ("place_id","scanned_at");--> statement-breakpoint
CREATE INDEX "scan_kiosk_time" ON "redemption"."scan" USING btree ("kiosk_id","received_at");--> statement-breakpoint
CREATE INDEX "scan_code" ON "redemption"."scan" USING btree ("code");--> statement-breakpoint
CREATE INDEX "scan_kiosk_unknown" ON "redemption"."scan" USING btree ("kiosk_id","received_at") WHERE "redemption"."scan"."reason" IN ('unknown_pass', 'misread');