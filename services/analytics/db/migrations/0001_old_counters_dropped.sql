DROP TABLE "analytics"."order_figures" CASCADE;--> statement-breakpoint
DROP TABLE "analytics"."pass_carnet" CASCADE;--> statement-breakpoint
DROP TABLE "analytics"."started_carnet" CASCADE;