CREATE SCHEMA "qualification";
--> statement-breakpoint
CREATE TABLE "qualification"."assessment" (
	"id" uuid PRIMARY KEY NOT NULL,
	"place_id" uuid NOT NULL,
	"questionnaire_version" text NOT NULL,
	"answers" jsonb NOT NULL,
	"theme_scores" jsonb NOT NULL,
	"overall_score" integer NOT NULL,
	"proposal" text NOT NULL,
	"reasons" jsonb NOT NULL,
	"submitted_by" text NOT NULL,
	"submitted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decision" text,
	"decision_reason" text,
	"decided_by" text,
	"decided_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "qualification"."audit" (
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
CREATE TABLE "qualification"."charter_signature" (
	"id" uuid PRIMARY KEY NOT NULL,
	"place_id" uuid NOT NULL,
	"version" text NOT NULL,
	"signed_on" date NOT NULL,
	"signer_name" text NOT NULL,
	"signer_role" text,
	"recorded_by" text NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "qualification"."inbox" (
	"consumer" text NOT NULL,
	"event_id" uuid NOT NULL,
	"processed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "inbox_consumer_event_id_pk" PRIMARY KEY("consumer","event_id")
);
--> statement-breakpoint
CREATE TABLE "qualification"."kiosk" (
	"id" uuid PRIMARY KEY NOT NULL,
	"place_id" uuid NOT NULL,
	"name" text NOT NULL,
	"user_public_key" text NOT NULL,
	"status" text NOT NULL,
	"registered_by" text NOT NULL,
	"registered_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_by" text,
	"revoked_at" timestamp with time zone,
	"revoke_reason" text,
	CONSTRAINT "kiosk_user_public_key_unique" UNIQUE("user_public_key")
);
--> statement-breakpoint
CREATE TABLE "qualification"."kit_subscription" (
	"id" uuid PRIMARY KEY NOT NULL,
	"place_id" uuid NOT NULL,
	"plan" text NOT NULL,
	"status" text NOT NULL,
	"sponsored_by" uuid,
	"sponsored_until" date,
	"subscribed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"activated_at" timestamp with time zone,
	"cancelled_at" timestamp with time zone,
	"cancel_reason" text
);
--> statement-breakpoint
CREATE TABLE "qualification"."outbox" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"id" uuid NOT NULL,
	"type" text NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "qualification"."place" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"pivot" text NOT NULL,
	"pivot_kind" text NOT NULL,
	"type" text NOT NULL,
	"address" jsonb NOT NULL,
	"commune_code" text NOT NULL,
	"epci_code" text,
	"departement_code" text NOT NULL,
	"latitude" double precision NOT NULL,
	"longitude" double precision NOT NULL,
	"opening_hours" text NOT NULL,
	"iban" text,
	"bic" text,
	"status" text NOT NULL,
	"qualified_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "place_pivot_unique" UNIQUE("pivot")
);
--> statement-breakpoint
ALTER TABLE "qualification"."assessment" ADD CONSTRAINT "assessment_place_id_place_id_fk" FOREIGN KEY ("place_id") REFERENCES "qualification"."place"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "qualification"."charter_signature" ADD CONSTRAINT "charter_signature_place_id_place_id_fk" FOREIGN KEY ("place_id") REFERENCES "qualification"."place"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "qualification"."kiosk" ADD CONSTRAINT "kiosk_place_id_place_id_fk" FOREIGN KEY ("place_id") REFERENCES "qualification"."place"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "qualification"."kit_subscription" ADD CONSTRAINT "kit_subscription_place_id_place_id_fk" FOREIGN KEY ("place_id") REFERENCES "qualification"."place"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "qualification_audit_scope" ON "qualification"."audit" USING btree ("scope_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "kit_live_per_place" ON "qualification"."kit_subscription" USING btree ("place_id") WHERE status <> 'cancelled';