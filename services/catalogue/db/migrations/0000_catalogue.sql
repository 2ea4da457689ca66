CREATE SCHEMA "catalogue";
--> statement-breakpoint
CREATE TABLE "catalogue"."inbox" (
	"consumer" text NOT NULL,
	"event_id" uuid NOT NULL,
	"processed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "inbox_consumer_event_id_pk" PRIMARY KEY("consumer","event_id")
);
--> statement-breakpoint
CREATE TABLE "catalogue"."offer" (
	"id" uuid PRIMARY KEY NOT NULL,
	"place_id" uuid NOT NULL,
	"service_code" text NOT NULL,
	"category_code" text NOT NULL,
	"price_cents" integer NOT NULL,
	"duration_minutes" integer NOT NULL,
	"group" boolean NOT NULL,
	"replaces" uuid,
	"published_at" timestamp with time zone DEFAULT now() NOT NULL,
	"withdrawn_at" timestamp with time zone,
	"published_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "catalogue"."outbox" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"id" uuid NOT NULL,
	"type" text NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "catalogue"."place_status" (
	"place_id" uuid PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"reason" text,
	"status_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "catalogue"."place" (
	"id" uuid PRIMARY KEY NOT NULL,
	"national_id" text,
	"source" text NOT NULL,
	"name" text NOT NULL,
	"type" text NOT NULL,
	"commune_code" text,
	"commune_name" text NOT NULL,
	"departement_code" text NOT NULL,
	"postal_code" text,
	"address" text,
	"pivot" text,
	"latitude" double precision,
	"longitude" double precision,
	"location" "point" GENERATED ALWAYS AS (point(longitude * 0.7071, latitude)) STORED,
	"position_source" text,
	"opening_hours" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "place_national_id_unique" UNIQUE("national_id")
);
--> statement-breakpoint
CREATE TABLE "catalogue"."referentiel_version" (
	"version" integer PRIMARY KEY NOT NULL,
	"seeded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "catalogue"."service" (
	"code" text PRIMARY KEY NOT NULL,
	"category_code" text NOT NULL,
	"label" text NOT NULL,
	"group" boolean NOT NULL,
	"duration_minutes" integer NOT NULL,
	"introduced_in" integer NOT NULL,
	"retired_in" integer
);
--> statement-breakpoint
ALTER TABLE "catalogue"."offer" ADD CONSTRAINT "offer_place_id_place_id_fk" FOREIGN KEY ("place_id") REFERENCES "catalogue"."place"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalogue"."offer" ADD CONSTRAINT "offer_service_code_service_code_fk" FOREIGN KEY ("service_code") REFERENCES "catalogue"."service"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "offer_active_unique" ON "catalogue"."offer" USING btree ("place_id","service_code","group") WHERE withdrawn_at IS NULL;--> statement-breakpoint
CREATE INDEX "offer_place_idx" ON "catalogue"."offer" USING btree ("place_id");--> statement-breakpoint
CREATE INDEX "place_location_idx" ON "catalogue"."place" USING gist ("location");--> statement-breakpoint
CREATE INDEX "place_commune_idx" ON "catalogue"."place" USING btree ("commune_code");--> statement-breakpoint
CREATE INDEX "place_departement_idx" ON "catalogue"."place" USING btree ("departement_code");