CREATE TABLE "qualification"."invitation" (
	"id" uuid PRIMARY KEY NOT NULL,
	"place_id" uuid NOT NULL,
	"status" text NOT NULL,
	"prefill" jsonb NOT NULL,
	"invited_by" text NOT NULL,
	"invited_at" timestamp with time zone DEFAULT now() NOT NULL,
	"reason" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "invitation_open_per_place" ON "qualification"."invitation" USING btree ("place_id") WHERE status IN ('invited', 'applied');