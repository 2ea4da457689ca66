CREATE TABLE "qualification"."feedback_attempt" (
	"bucket" text NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"count" integer NOT NULL,
	CONSTRAINT "feedback_attempt_bucket_window_start_pk" PRIMARY KEY("bucket","window_start")
);
--> statement-breakpoint
CREATE TABLE "qualification"."place_rating" (
	"place_id" uuid PRIMARY KEY NOT NULL,
	"count" integer NOT NULL,
	"mean" double precision,
	"recent_mean" double precision,
	"previous_mean" double precision,
	"trend" text,
	"flagged" boolean NOT NULL,
	"flagged_at" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "qualification"."rated_act" (
	"redemption_id" uuid PRIMARY KEY NOT NULL,
	"pass_id" uuid NOT NULL,
	"order_id" uuid,
	"funder_id" uuid,
	"place_id" uuid,
	"offer_id" uuid,
	"redeemed_at" timestamp with time zone,
	"cancelled_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "qualification"."rated_offer" (
	"offer_id" uuid PRIMARY KEY NOT NULL,
	"place_id" uuid NOT NULL,
	"service_code" text NOT NULL,
	"category_code" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "qualification"."rating" (
	"id" uuid PRIMARY KEY NOT NULL,
	"redemption_id" uuid NOT NULL,
	"pass_id" uuid NOT NULL,
	"place_id" uuid NOT NULL,
	"offer_id" uuid NOT NULL,
	"funder_id" uuid NOT NULL,
	"score" integer NOT NULL,
	"would_return" boolean NOT NULL,
	"comment" text,
	"status" text NOT NULL,
	"revision" integer NOT NULL,
	"rated_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "rating_redemption_id_unique" UNIQUE("redemption_id")
);
--> statement-breakpoint
CREATE INDEX "rated_act_pass" ON "qualification"."rated_act" USING btree ("pass_id");--> statement-breakpoint
CREATE INDEX "rating_place_recent" ON "qualification"."rating" USING btree ("place_id","rated_at");