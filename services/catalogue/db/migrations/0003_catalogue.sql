CREATE TABLE "catalogue"."order_perimeter" (
	"order_id" uuid PRIMARY KEY NOT NULL,
	"funder_id" uuid NOT NULL,
	"perimeter" jsonb NOT NULL,
	"resolved_communes" text[] NOT NULL,
	"paid_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "catalogue"."redemption" (
	"redemption_id" uuid PRIMARY KEY NOT NULL,
	"place_id" uuid NOT NULL,
	"offer_id" uuid,
	"funder_id" uuid,
	"order_id" uuid NOT NULL,
	"scanned_at" timestamp with time zone,
	"cancelled_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "order_perimeter_funder_idx" ON "catalogue"."order_perimeter" USING btree ("funder_id");--> statement-breakpoint
CREATE INDEX "redemption_place_idx" ON "catalogue"."redemption" USING btree ("place_id");