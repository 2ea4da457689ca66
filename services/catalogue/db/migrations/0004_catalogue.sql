ALTER TABLE "catalogue"."place" ADD COLUMN "qualified" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "place_qualified_location_idx" ON "catalogue"."place" USING gist ("location") WHERE qualified;--> statement-breakpoint
UPDATE "catalogue"."place" p SET "qualified" = true WHERE EXISTS (SELECT 1 FROM "catalogue"."place_status" s WHERE s.place_id = p.id AND s.status = 'qualified');
