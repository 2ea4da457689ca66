import {
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgSchema,
  point,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { day, eventTables, stamp } from '@aptic/runtime';
import type { OpenData } from '../domain/open-data.ts';

export const catalogue = pgSchema('catalogue');
export const { outbox, inbox } = eventTables(catalogue);

/** Versions of the national service référentiel this database was seeded with. */
export const referentielVersions = catalogue.table('referentiel_version', {
  version: integer('version').primaryKey(),
  seededAt: stamp('seeded_at').notNull().defaultNow(),
});

/**
 * Services of the référentiel: the nine national categories (offerable as such) and their
 * sub-services. A code never changes meaning; a service dropped by a later version keeps its row
 * (`retiredIn`) because old offers and redemptions still refer to it.
 */
export const services = catalogue.table('service', {
  code: text('code').primaryKey(),
  categoryCode: text('category_code').notNull(),
  label: text('label').notNull(),
  group: boolean('group').notNull(),
  durationMinutes: integer('duration_minutes').notNull(),
  introducedIn: integer('introduced_in').notNull(),
  retiredIn: integer('retired_in'),
});

/**
 * Catalogue's directory of places: entries from the open-data import (keyed by the national id)
 * and places qualification announced. Qualification status lives in `place_status`.
 */
export const places = catalogue.table(
  'place',
  {
    id: uuid('id').primaryKey(),
    nationalId: text('national_id').unique(),
    source: text('source').$type<'import' | 'qualification'>().notNull(),
    name: text('name').notNull(),
    type: text('type').notNull(),
    /** INSEE code; null for an imported place whose commune we could not recognise (it has coordinates). */
    communeCode: text('commune_code'),
    communeName: text('commune_name').notNull(),
    departementCode: text('departement_code').notNull(),
    postalCode: text('postal_code'),
    address: text('address'),
    pivot: text('pivot'),
    latitude: doublePrecision('latitude'),
    longitude: doublePrecision('longitude'),
    /**
     * For nearest-neighbour search (GiST, `<->`): longitude scaled by cos 45° so that planar
     * distances are nearly proportional to real ones over mainland France; exact distances rank
     * the candidates afterwards.
     */
    location: point('location', { mode: 'xy' }).generatedAlwaysAs(sql`point(longitude * 0.7071, latitude)`),
    /** Where the coordinates come from: the place's own, or its commune's centre (see imports). */
    positionSource: text('position_source').$type<'own' | 'commune'>(),
    openingHours: text('opening_hours'),
    /** The arrondissement municipal (Paris, Lyon, Marseille) the directory named; `communeCode` is its commune. */
    arrondissementCode: text('arrondissement_code'),
    /** Who collected the directory row (`source`) and when they last updated it (`date_maj`). */
    sourceName: text('source_name'),
    sourceDate: day('source_date'),
    /** The schema's descriptive fields as the file gave them (contact, fees, programmes…), v1 vocabulary. */
    openData: jsonb('open_data').$type<OpenData>().notNull().default({}),
    /** What the last import found doubtful in the row (coordinates, postal code, dropped values), for staff. */
    warnings: jsonb('warnings').$type<{ code: string; message: string }[]>().notNull().default([]),
    /**
     * Whether `place_status` says qualified, kept in step by the status consumer: the partial
     * index of qualified places' locations finds a commune's nearest qualified place without
     * walking the directory (a few per cent of it is qualified).
     */
    qualified: boolean('qualified').notNull().default(false),
    /** The platform's own last change (qualification, offers): the export's `date_maj` from then on. */
    platformChangedAt: stamp('platform_changed_at'),
    /** The place version of the last `place.qualified` applied: an older one changes nothing. */
    platformVersion: integer('platform_version').notNull().default(0),
    updatedAt: stamp('updated_at').notNull().defaultNow(),
  },
  // Nearby search: a bounding box on these two columns, then exact distance on the few left.
  (t) => [
    index('place_location_idx').using('gist', t.location),
    index('place_qualified_location_idx').using('gist', t.location).where(sql`qualified`),
    index('place_commune_idx').on(t.communeCode),
    index('place_departement_idx').on(t.departementCode),
  ],
);

/**
 * Qualification's word on a place, from its events. Kept apart from the directory because
 * events of different types travel on different consumers and may arrive out of order: the
 * newest `occurredAt` wins, and a suspension may arrive before we know the place.
 */
export const placeStatus = catalogue.table('place_status', {
  placeId: uuid('place_id').primaryKey(),
  status: text('status').$type<'qualified' | 'suspended' | 'revoked'>().notNull(),
  reason: text('reason'),
  statusVersion: integer('status_version').notNull().default(0),
  statusAt: stamp('status_at').notNull(),
});

/**
 * A place's offer of a service, immutable once published: a change publishes a new offer
 * (new id, `replaces` the old one) and withdraws the old, so a redemption keeps referring to the
 * offer as it was.
 */
export const offers = catalogue.table(
  'offer',
  {
    id: uuid('id').primaryKey(),
    placeId: uuid('place_id')
      .notNull()
      .references(() => places.id),
    serviceCode: text('service_code')
      .notNull()
      .references(() => services.code),
    categoryCode: text('category_code').notNull(),
    priceCents: integer('price_cents').notNull(),
    durationMinutes: integer('duration_minutes').notNull(),
    group: boolean('group').notNull(),
    replaces: uuid('replaces'),
    publishedAt: stamp('published_at').notNull().defaultNow(),
    withdrawnAt: stamp('withdrawn_at'),
    publishedBy: text('published_by').notNull(),
  },
  (t) => [
    // One active offer per place, service and format: a second one is a duplicate (409).
    uniqueIndex('offer_active_unique').on(t.placeId, t.serviceCode, t.group).where(sql`withdrawn_at IS NULL`),
    index('offer_place_idx').on(t.placeId),
    // Nearby search by a service few places offer: the planner starts from these offers instead of
    // walking the nearest places until enough offer it (a full walk for a rare service).
    index('offer_service_idx').on(t.serviceCode).where(sql`withdrawn_at IS NULL`),
    index('offer_category_idx').on(t.categoryCode).where(sql`withdrawn_at IS NULL`),
  ],
);

/**
 * Redemptions at the directory's places, from redemption's `pass.redeemed` and
 * `redemption.cancelled` (catalogue's own copy: the territorial diagnosis counts them per place
 * and service without asking redemption). A cancellation may arrive first: it is kept, and the
 * redemption it cancels fills in the rest when it comes.
 */
export const redemptions = catalogue.table(
  'redemption',
  {
    redemptionId: uuid('redemption_id').primaryKey(),
    placeId: uuid('place_id').notNull(),
    offerId: uuid('offer_id'),
    funderId: uuid('funder_id'),
    orderId: uuid('order_id').notNull(),
    scannedAt: stamp('scanned_at'),
    cancelledAt: stamp('cancelled_at'),
  },
  (t) => [index('redemption_place_idx').on(t.placeId)],
);

/** The perimeter of each paid order, from `order.paid`: what a funder's diagnosis covers. */
export const orderPerimeters = catalogue.table(
  'order_perimeter',
  {
    orderId: uuid('order_id').primaryKey(),
    funderId: uuid('funder_id').notNull(),
    perimeter: jsonb('perimeter').$type<{ communes: string[]; epcis: string[]; departements: string[] }>().notNull(),
    resolvedCommunes: text('resolved_communes').array().notNull(),
    paidAt: stamp('paid_at').notNull(),
  },
  (t) => [index('order_perimeter_funder_idx').on(t.funderId)],
);
