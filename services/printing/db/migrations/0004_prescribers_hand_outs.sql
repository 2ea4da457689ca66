CREATE TABLE "printing"."carnet_allocation" (
	"id" uuid PRIMARY KEY NOT NULL,
	"prescriber_id" uuid NOT NULL,
	"order_id" uuid NOT NULL,
	"first_carnet" integer NOT NULL,
	"last_carnet" integer NOT NULL,
	"allocated_by" text NOT NULL,
	"allocated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "printing"."hand_out" (
	"carnet_number" integer PRIMARY KEY NOT NULL,
	"id" uuid NOT NULL,
	"order_id" uuid NOT NULL,
	"prescriber_id" uuid NOT NULL,
	"handed_out_at" timestamp with time zone NOT NULL,
	"handed_out_by" text NOT NULL,
	"public_code" text,
	"commune_code" text,
	"renews_carnet_number" integer,
	CONSTRAINT "hand_out_id_unique" UNIQUE("id"),
	CONSTRAINT "hand_out_renews_carnet_number_unique" UNIQUE("renews_carnet_number")
);
--> statement-breakpoint
CREATE TABLE "printing"."prescriber" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"pivot" text NOT NULL,
	"pivot_kind" text NOT NULL,
	"commune_code" text NOT NULL,
	"contact_name" text NOT NULL,
	"contact_email" text NOT NULL,
	"contact_phone" text,
	"place_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "prescriber_pivot_unique" UNIQUE("pivot"),
	CONSTRAINT "prescriber_place_id_unique" UNIQUE("place_id")
);
--> statement-breakpoint
ALTER TABLE "printing"."carnet" ADD COLUMN "prescriber_id" uuid;--> statement-breakpoint
ALTER TABLE "printing"."carnet_allocation" ADD CONSTRAINT "carnet_allocation_prescriber_id_prescriber_id_fk" FOREIGN KEY ("prescriber_id") REFERENCES "printing"."prescriber"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "printing"."hand_out" ADD CONSTRAINT "hand_out_prescriber_id_prescriber_id_fk" FOREIGN KEY ("prescriber_id") REFERENCES "printing"."prescriber"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "carnet_allocation_prescriber" ON "printing"."carnet_allocation" USING btree ("prescriber_id","order_id");--> statement-breakpoint
CREATE INDEX "hand_out_prescriber" ON "printing"."hand_out" USING btree ("prescriber_id","handed_out_at");--> statement-breakpoint
ALTER TABLE "printing"."carnet" ADD CONSTRAINT "carnet_prescriber_id_prescriber_id_fk" FOREIGN KEY ("prescriber_id") REFERENCES "printing"."prescriber"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "carnet_prescriber" ON "printing"."carnet" USING btree ("prescriber_id","order_id");