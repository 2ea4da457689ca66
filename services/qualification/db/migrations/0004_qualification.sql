CREATE TABLE "qualification"."kiosk_heartbeat" (
	"kiosk_id" uuid PRIMARY KEY NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"sent_at" timestamp with time zone NOT NULL,
	"version" text NOT NULL,
	"layout" text NOT NULL,
	"scanner_connected" boolean NOT NULL,
	"scanner_model" text,
	"scanner_mode" text,
	"pending" integer NOT NULL,
	"awaiting_verdict" integer NOT NULL,
	"journal_max" integer NOT NULL,
	"oldest_pending_age_seconds" integer,
	"clock_offset_ms" bigint,
	"stopping" boolean NOT NULL
);
--> statement-breakpoint
ALTER TABLE "qualification"."kiosk_heartbeat" ADD CONSTRAINT "kiosk_heartbeat_kiosk_id_kiosk_id_fk" FOREIGN KEY ("kiosk_id") REFERENCES "qualification"."kiosk"("id") ON DELETE no action ON UPDATE no action;