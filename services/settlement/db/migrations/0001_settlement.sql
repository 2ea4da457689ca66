CREATE TABLE "settlement"."audit" (
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
CREATE TABLE "settlement"."booking" (
	"id" uuid PRIMARY KEY NOT NULL,
	"redemption_id" uuid NOT NULL,
	"sign" integer NOT NULL,
	"place_id" uuid NOT NULL,
	"order_id" uuid NOT NULL,
	"funder_id" uuid NOT NULL,
	"offer_id" uuid NOT NULL,
	"face_value_cents" bigint NOT NULL,
	"fee_cents" bigint NOT NULL,
	"scan_day" date NOT NULL,
	"period" text NOT NULL,
	"late" boolean NOT NULL
);
--> statement-breakpoint
CREATE TABLE "settlement"."kit_sponsorship" (
	"place_id" uuid NOT NULL,
	"funder_id" uuid NOT NULL,
	"from" date NOT NULL,
	"until" date NOT NULL,
	CONSTRAINT "kit_sponsorship_place_id_funder_id_from_pk" PRIMARY KEY("place_id","funder_id","from")
);
--> statement-breakpoint
CREATE TABLE "settlement"."kit" (
	"place_id" uuid PRIMARY KEY NOT NULL,
	"plan" text NOT NULL,
	"activated_on" date NOT NULL,
	"cancelled_on" date
);
--> statement-breakpoint
CREATE TABLE "settlement"."ledger_line" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"tx_id" uuid NOT NULL,
	"account" text NOT NULL,
	"owner" uuid,
	"funder_id" uuid,
	"amount_cents" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "settlement"."ledger_tx" (
	"id" uuid PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"ref" uuid NOT NULL,
	"period" text,
	"memo" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "settlement"."offer" (
	"offer_id" uuid PRIMARY KEY NOT NULL,
	"place_id" uuid NOT NULL,
	"service_code" text NOT NULL,
	"category_code" text NOT NULL,
	"price_cents" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "settlement"."order" (
	"order_id" uuid PRIMARY KEY NOT NULL,
	"funder_id" uuid NOT NULL,
	"funder_name" text NOT NULL,
	"carnet_size" integer NOT NULL,
	"face_value_cents" bigint NOT NULL,
	"passes_issued" integer DEFAULT 0 NOT NULL,
	"passes_released" integer DEFAULT 0 NOT NULL,
	"redemption_closed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "settlement"."payout_run" (
	"id" uuid PRIMARY KEY NOT NULL,
	"message_id" text NOT NULL,
	"execution_date" date NOT NULL,
	"transfer_count" integer NOT NULL,
	"control_sum_cents" bigint NOT NULL,
	"held_count" integer NOT NULL,
	"xml" text,
	"sha256" text,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payout_run_message_id_unique" UNIQUE("message_id")
);
--> statement-breakpoint
CREATE TABLE "settlement"."payout" (
	"id" uuid PRIMARY KEY NOT NULL,
	"place_id" uuid NOT NULL,
	"period" text NOT NULL,
	"payable_cents" bigint NOT NULL,
	"kit_cents" bigint NOT NULL,
	"net_cents" bigint NOT NULL,
	"status" text NOT NULL,
	"hold_reason" text,
	"rejection_code" text,
	"rejected_fingerprint" text,
	"run_id" uuid,
	"executed_on" date,
	"carried_into" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "settlement"."period" (
	"month" text PRIMARY KEY NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"closed_at" timestamp with time zone,
	"closed_by" text
);
--> statement-breakpoint
CREATE TABLE "settlement"."place_period" (
	"period" text NOT NULL,
	"place_id" uuid NOT NULL,
	"period_id" uuid NOT NULL,
	"pass_count" integer NOT NULL,
	"late_pass_count" integer NOT NULL,
	"gross_cents" bigint NOT NULL,
	"fee_cents" bigint NOT NULL,
	"territorial_fund_cents" bigint NOT NULL,
	"kit_cents" bigint NOT NULL,
	"kit_sponsored" boolean NOT NULL,
	"carried_cents" bigint NOT NULL,
	"net_cents" bigint NOT NULL,
	"closed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "place_period_period_place_id_pk" PRIMARY KEY("period","place_id")
);
--> statement-breakpoint
CREATE TABLE "settlement"."place" (
	"place_id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "settlement"."run_transfer" (
	"id" uuid PRIMARY KEY NOT NULL,
	"run_id" uuid NOT NULL,
	"payout_id" uuid NOT NULL,
	"amount_cents" bigint NOT NULL,
	"bank_fingerprint" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "settlement"."statement_line" (
	"period" text NOT NULL,
	"place_id" uuid NOT NULL,
	"offer_id" uuid NOT NULL,
	"scan_day" date NOT NULL,
	"late" boolean NOT NULL,
	"pass_count" integer NOT NULL,
	"gross_cents" bigint NOT NULL,
	"fee_cents" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "settlement_audit_scope" ON "settlement"."audit" USING btree ("scope_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "booking_once" ON "settlement"."booking" USING btree ("redemption_id","sign");--> statement-breakpoint
CREATE INDEX "booking_period" ON "settlement"."booking" USING btree ("period");--> statement-breakpoint
CREATE INDEX "ledger_line_account" ON "settlement"."ledger_line" USING btree ("account","owner");--> statement-breakpoint
CREATE INDEX "ledger_line_tx" ON "settlement"."ledger_line" USING btree ("tx_id");--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_tx_cause" ON "settlement"."ledger_tx" USING btree ("kind","ref");--> statement-breakpoint
CREATE UNIQUE INDEX "payout_per_place_period" ON "settlement"."payout" USING btree ("place_id","period");--> statement-breakpoint
CREATE INDEX "payout_status" ON "settlement"."payout" USING btree ("status");--> statement-breakpoint
CREATE UNIQUE INDEX "run_transfer_once" ON "settlement"."run_transfer" USING btree ("run_id","payout_id");--> statement-breakpoint
CREATE INDEX "run_transfer_payout" ON "settlement"."run_transfer" USING btree ("payout_id");--> statement-breakpoint
CREATE INDEX "statement_line_place" ON "settlement"."statement_line" USING btree ("place_id","period");