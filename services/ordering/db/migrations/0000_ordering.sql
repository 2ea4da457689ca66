CREATE SCHEMA "ordering";
--> statement-breakpoint
CREATE SEQUENCE "ordering"."quote_number" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "ordering"."audit" (
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
CREATE TABLE "ordering"."credit_application" (
	"credit_note_id" uuid NOT NULL,
	"invoice_id" uuid NOT NULL,
	"amount_cents" bigint NOT NULL,
	CONSTRAINT "credit_application_credit_note_id_invoice_id_pk" PRIMARY KEY("credit_note_id","invoice_id")
);
--> statement-breakpoint
CREATE TABLE "ordering"."credit_note" (
	"id" uuid PRIMARY KEY NOT NULL,
	"number" text NOT NULL,
	"funder_id" uuid NOT NULL,
	"order_id" uuid NOT NULL,
	"issued_on" date NOT NULL,
	"unused_passes" integer NOT NULL,
	"amount_cents" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "credit_note_number_unique" UNIQUE("number"),
	CONSTRAINT "credit_note_order_id_unique" UNIQUE("order_id")
);
--> statement-breakpoint
CREATE TABLE "ordering"."document_counter" (
	"year" integer PRIMARY KEY NOT NULL,
	"last" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ordering"."funder" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"siret" text NOT NULL,
	"billing_address" jsonb,
	"contacts" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"public_procurement" boolean DEFAULT false NOT NULL,
	"opened_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "funder_siret_unique" UNIQUE("siret")
);
--> statement-breakpoint
CREATE TABLE "ordering"."inbox" (
	"consumer" text NOT NULL,
	"event_id" uuid NOT NULL,
	"processed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "inbox_consumer_event_id_pk" PRIMARY KEY("consumer","event_id")
);
--> statement-breakpoint
CREATE TABLE "ordering"."invoice" (
	"id" uuid PRIMARY KEY NOT NULL,
	"number" text NOT NULL,
	"order_id" uuid NOT NULL,
	"funder_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"issued_on" date NOT NULL,
	"due_on" date NOT NULL,
	"lines" jsonb NOT NULL,
	"total_excl_vat_cents" bigint NOT NULL,
	"vat_cents" bigint NOT NULL,
	"total_incl_vat_cents" bigint NOT NULL,
	"credit_applied_cents" bigint NOT NULL,
	"amount_due_cents" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "invoice_number_unique" UNIQUE("number"),
	CONSTRAINT "invoice_order_kind" UNIQUE("order_id","kind")
);
--> statement-breakpoint
CREATE TABLE "ordering"."kit_sponsorship" (
	"id" uuid PRIMARY KEY NOT NULL,
	"funder_id" uuid NOT NULL,
	"place_ids" jsonb NOT NULL,
	"from_date" date NOT NULL,
	"until_date" date NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ordering"."order" (
	"id" uuid PRIMARY KEY NOT NULL,
	"quote_number" text NOT NULL,
	"funder_id" uuid NOT NULL,
	"status" text NOT NULL,
	"offer" text NOT NULL,
	"carnet_size" integer NOT NULL,
	"carnets" integer NOT NULL,
	"pass_count" integer NOT NULL,
	"options" jsonb NOT NULL,
	"first_order" boolean NOT NULL,
	"lines" jsonb NOT NULL,
	"face_value_cents" bigint NOT NULL,
	"total_excl_vat_cents" bigint NOT NULL,
	"vat_cents" bigint NOT NULL,
	"total_incl_vat_cents" bigint NOT NULL,
	"rules" jsonb NOT NULL,
	"quoted_on" date NOT NULL,
	"quote_valid_until" date NOT NULL,
	"acceptance" text,
	"purchase_order_reference" text,
	"accepted_at" timestamp with time zone,
	"paid_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "order_quote_number_unique" UNIQUE("quote_number")
);
--> statement-breakpoint
CREATE TABLE "ordering"."outbox" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"id" uuid NOT NULL,
	"type" text NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ordering"."payment" (
	"id" uuid PRIMARY KEY NOT NULL,
	"order_id" uuid NOT NULL,
	"amount_cents" bigint NOT NULL,
	"received_on" date NOT NULL,
	"reference" text NOT NULL,
	"recorded_by" text NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payment_order_reference" UNIQUE("order_id","reference")
);
--> statement-breakpoint
CREATE TABLE "ordering"."redemption_count" (
	"order_id" uuid PRIMARY KEY NOT NULL,
	"redeemed" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ordering"."signed_quote" (
	"order_id" uuid PRIMARY KEY NOT NULL,
	"sha256" text NOT NULL,
	"size" integer NOT NULL,
	"content" "bytea" NOT NULL,
	"uploaded_by" text NOT NULL,
	"uploaded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "ordering"."credit_application" ADD CONSTRAINT "credit_application_credit_note_id_credit_note_id_fk" FOREIGN KEY ("credit_note_id") REFERENCES "ordering"."credit_note"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ordering"."credit_application" ADD CONSTRAINT "credit_application_invoice_id_invoice_id_fk" FOREIGN KEY ("invoice_id") REFERENCES "ordering"."invoice"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ordering"."credit_note" ADD CONSTRAINT "credit_note_funder_id_funder_id_fk" FOREIGN KEY ("funder_id") REFERENCES "ordering"."funder"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ordering"."credit_note" ADD CONSTRAINT "credit_note_order_id_order_id_fk" FOREIGN KEY ("order_id") REFERENCES "ordering"."order"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ordering"."invoice" ADD CONSTRAINT "invoice_order_id_order_id_fk" FOREIGN KEY ("order_id") REFERENCES "ordering"."order"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ordering"."invoice" ADD CONSTRAINT "invoice_funder_id_funder_id_fk" FOREIGN KEY ("funder_id") REFERENCES "ordering"."funder"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ordering"."kit_sponsorship" ADD CONSTRAINT "kit_sponsorship_funder_id_funder_id_fk" FOREIGN KEY ("funder_id") REFERENCES "ordering"."funder"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ordering"."order" ADD CONSTRAINT "order_funder_id_funder_id_fk" FOREIGN KEY ("funder_id") REFERENCES "ordering"."funder"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ordering"."payment" ADD CONSTRAINT "payment_order_id_order_id_fk" FOREIGN KEY ("order_id") REFERENCES "ordering"."order"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ordering"."signed_quote" ADD CONSTRAINT "signed_quote_order_id_order_id_fk" FOREIGN KEY ("order_id") REFERENCES "ordering"."order"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ordering_audit_scope" ON "ordering"."audit" USING btree ("scope_id","seq");