CREATE SCHEMA "analytics";
--> statement-breakpoint
CREATE TABLE "analytics"."funder_count" (
	"kind" text PRIMARY KEY NOT NULL,
	"count" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics"."inbox" (
	"consumer" text NOT NULL,
	"event_id" uuid NOT NULL,
	"processed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "inbox_consumer_event_id_pk" PRIMARY KEY("consumer","event_id")
);
--> statement-breakpoint
CREATE TABLE "analytics"."order_figures" (
	"order_id" uuid PRIMARY KEY NOT NULL,
	"funder_id" uuid,
	"carnet_size" integer,
	"carnets_issued" integer DEFAULT 0 NOT NULL,
	"passes_issued" integer DEFAULT 0 NOT NULL,
	"carnets_released" integer DEFAULT 0 NOT NULL,
	"passes_redeemed" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics"."outbox" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"id" uuid NOT NULL,
	"type" text NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics"."pass_carnet" (
	"pass_id" uuid PRIMARY KEY NOT NULL,
	"order_id" uuid NOT NULL,
	"carnet_number" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics"."started_carnet" (
	"order_id" uuid NOT NULL,
	"carnet_number" integer NOT NULL,
	CONSTRAINT "started_carnet_order_id_carnet_number_pk" PRIMARY KEY("order_id","carnet_number")
);
