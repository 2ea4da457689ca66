CREATE TABLE "printing"."print_partner" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "print_partner_name_unique" UNIQUE("name")
);
--> statement-breakpoint
ALTER TABLE "printing"."print_job" ADD COLUMN "partner_id" uuid;--> statement-breakpoint
ALTER TABLE "printing"."print_job" ADD CONSTRAINT "print_job_partner_id_print_partner_id_fk" FOREIGN KEY ("partner_id") REFERENCES "printing"."print_partner"("id") ON DELETE no action ON UPDATE no action;