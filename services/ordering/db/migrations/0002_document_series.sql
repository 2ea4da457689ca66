-- Invoices (FA) and credit notes (AV) shared one yearly counter, so each series had holes. Each
-- series now has its own, continuing after its highest number of the year (numbers already issued
-- never change).
ALTER TABLE "ordering"."document_counter" DROP CONSTRAINT "document_counter_pkey";
--> statement-breakpoint
ALTER TABLE "ordering"."document_counter" ADD COLUMN "series" text;
--> statement-breakpoint
DELETE FROM "ordering"."document_counter";
--> statement-breakpoint
INSERT INTO "ordering"."document_counter" ("series", "year", "last")
SELECT 'FA', substr("number", 4, 4)::int, max(substr("number", 9)::int) FROM "ordering"."invoice" GROUP BY 2
UNION ALL
SELECT 'AV', substr("number", 4, 4)::int, max(substr("number", 9)::int) FROM "ordering"."credit_note" GROUP BY 2;
--> statement-breakpoint
ALTER TABLE "ordering"."document_counter" ALTER COLUMN "series" SET NOT NULL;
--> statement-breakpoint
ALTER TABLE "ordering"."document_counter" ADD CONSTRAINT "document_counter_series_year_pk" PRIMARY KEY ("series", "year");
