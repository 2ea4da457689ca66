CREATE SCHEMA "printing";
--> statement-breakpoint
CREATE SEQUENCE "printing"."carnet_number" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "printing"."audit" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"entity" text NOT NULL,
	"entity_id" uuid NOT NULL,
	"scope_id" uuid NOT NULL,
	"action" text NOT NULL,
	"from_status" text,
	"to_status" text,
	"actor" text NOT NULL,
	"details" jsonb,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "printing"."carnet" (
	"number" integer PRIMARY KEY NOT NULL,
	"order_id" uuid NOT NULL,
	"released_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "printing"."inbox" (
	"consumer" text NOT NULL,
	"event_id" uuid NOT NULL,
	"processed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "inbox_consumer_event_id_pk" PRIMARY KEY("consumer","event_id")
);
--> statement-breakpoint
CREATE TABLE "printing"."mailing_recipient" (
	"mailing_id" uuid NOT NULL,
	"line" integer NOT NULL,
	"carnet_number" integer NOT NULL,
	"commune_code" text NOT NULL,
	"name" text,
	"line1" text,
	"line2" text,
	"postal_code" text,
	"city" text,
	CONSTRAINT "mailing_recipient_carnet_number_unique" UNIQUE("carnet_number")
);
--> statement-breakpoint
CREATE TABLE "printing"."mailing" (
	"id" uuid PRIMARY KEY NOT NULL,
	"order_id" uuid NOT NULL,
	"status" text NOT NULL,
	"recipients" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "printing"."order_logo" (
	"order_id" uuid NOT NULL,
	"slot" text NOT NULL,
	"mime" text NOT NULL,
	"data" "bytea" NOT NULL,
	"uploaded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "printing"."outbox" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"id" uuid NOT NULL,
	"type" text NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "printing"."pass" (
	"pass_id" uuid PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"order_id" uuid NOT NULL,
	"carnet_number" integer NOT NULL,
	"position" integer NOT NULL,
	"blocked_at" timestamp with time zone,
	"block_reason" text,
	CONSTRAINT "pass_code_unique" UNIQUE("code")
);
--> statement-breakpoint
CREATE TABLE "printing"."print_job" (
	"id" uuid PRIMARY KEY NOT NULL,
	"order_id" uuid NOT NULL,
	"status" text NOT NULL,
	"approved_on" date NOT NULL,
	"expected_delivery_on" date NOT NULL,
	"carrier" text,
	"tracking" text,
	"delivery_point" text,
	"file" text,
	"file_bytes" bigint,
	"file_pages" integer,
	"file_sha256" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "print_job_order_id_unique" UNIQUE("order_id")
);
--> statement-breakpoint
CREATE TABLE "printing"."print_order" (
	"order_id" uuid PRIMARY KEY NOT NULL,
	"funder_id" uuid NOT NULL,
	"funder_name" text NOT NULL,
	"offer" text NOT NULL,
	"carnet_size" integer NOT NULL,
	"carnets" integer NOT NULL,
	"options" jsonb NOT NULL,
	"rules" jsonb NOT NULL,
	"issued_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "printing"."proof" (
	"id" uuid PRIMARY KEY NOT NULL,
	"order_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"status" text NOT NULL,
	"sent_on" date NOT NULL,
	"answer_due_on" date NOT NULL,
	"answered_by" text,
	"comments" text
);
--> statement-breakpoint
CREATE INDEX "printing_audit_scope" ON "printing"."audit" USING btree ("scope_id","seq");--> statement-breakpoint
CREATE INDEX "carnet_order" ON "printing"."carnet" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "mailing_recipient_mailing" ON "printing"."mailing_recipient" USING btree ("mailing_id","line");--> statement-breakpoint
CREATE UNIQUE INDEX "order_logo_slot" ON "printing"."order_logo" USING btree ("order_id","slot");--> statement-breakpoint
CREATE INDEX "pass_carnet" ON "printing"."pass" USING btree ("carnet_number");--> statement-breakpoint
CREATE UNIQUE INDEX "proof_order_version" ON "printing"."proof" USING btree ("order_id","version");