/**
 * Open-data import: a "lieux de médiation numérique" file into catalogue's directory and offers.
 *
 * How imported places relate to qualification's: an imported row becomes a directory entry whose
 * placeId is derived from its national id (domain/place-id.ts), so re-imports land on the same
 * row. It stays "non qualifié" until qualification announces `place.qualified` for that placeId;
 * qualification's name, type and commune then win, and later imports only fill what is missing.
 * Imported offers are the schema's categories at the regulated price; an import adds the offers
 * a place never had and never re-creates one staff withdrew.
 */
import { and, inArray, isNull, sql } from 'drizzle-orm';
import { businessDate, type Emit, type Tx } from '@aptic/runtime';
import { REGULATED_PRICE_CENTS } from '../domain/money.ts';
import { placeIdFromNationalId } from '../domain/place-id.ts';
import { REFERENTIEL } from '../domain/referentiel.ts';
import { insertOffer } from '../db/offers.ts';
import { offers, places, placeStatus } from '../db/schema.ts';
import type { ImportedPlace } from './row.ts';
import type { ImportReport, ReadFile } from './report.ts';

type PlaceRow = typeof places.$inferSelect;
const DIRECTORY_FIELDS = [
  'name',
  'type',
  'communeCode',
  'arrondissementCode',
  'communeName',
  'departementCode',
  'postalCode',
  'address',
  'pivot',
  'openingHours',
  'sourceName',
  'sourceDate',
] as const;
/** The directory's own say, qualified or not (qualification does not set them); compared as JSON. */
const DESCRIPTIVE_FIELDS = ['openData', 'warnings'] as const;
/** What the place keeps of the import's warnings: where it is, for staff to fix (the rest is the report's). */
const LOCATION_WARNINGS = /^(position_|code_postal_|commune_)/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const duration = (code: string) => REFERENTIEL.find((s) => s.code === code)?.durationMinutes ?? 60;

/** JSON with sorted keys: PostgreSQL's jsonb does not keep the order keys were written in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

function directoryValues(p: ImportedPlace, before: PlaceRow | undefined, today: string) {
  const { nationalId: _id, latitude, longitude, services: _services, ...fields } = p;
  const position = latitude === null ? {} : { latitude, longitude, positionSource: 'own' as const };
  // A row without coordinates keeps the position known, and what was said about it.
  const keptWarnings = latitude === null ? (before?.warnings ?? []).filter((w) => w.code.startsWith('position_')) : [];
  const located = fields.warnings.filter((w) => LOCATION_WARNINGS.test(w.code));
  const warnings = [...located, ...keptWarnings.filter((w) => !located.some((n) => n.code === w.code))];
  // A row without date_maj keeps the date known, else is dated by its first import.
  return { ...fields, warnings, sourceDate: fields.sourceDate ?? before?.sourceDate ?? today, ...position };
}
type DirectoryValues = ReturnType<typeof directoryValues>;

/**
 * What the row changes on an existing entry. Once qualification has spoken, only empty fields
 * are filled.
 */
function changes(existing: PlaceRow, incoming: DirectoryValues, qualified: boolean): Partial<PlaceRow> {
  const set: Partial<PlaceRow> = {};
  for (const field of DIRECTORY_FIELDS) {
    const value = incoming[field];
    if (value !== existing[field] && (!qualified || existing[field] === null)) Object.assign(set, { [field]: value });
  }
  for (const field of DESCRIPTIVE_FIELDS) {
    if (canonical(incoming[field]) !== canonical(existing[field])) Object.assign(set, { [field]: incoming[field] });
  }
  if (
    incoming.latitude !== undefined &&
    (incoming.latitude !== existing.latitude || incoming.longitude !== existing.longitude) &&
    (!qualified || existing.latitude === null)
  ) {
    Object.assign(set, { latitude: incoming.latitude, longitude: incoming.longitude, positionSource: 'own' });
  }
  return set;
}

/**
 * Each row's place id: derived from its national id, except a row carrying the id of a place the
 * platform alone knows (its own export coming back), which is that place, and left as it is.
 */
async function placeIds(tx: Tx, file: ReadFile): Promise<{ ids: string[]; platformOwn: Set<string> }> {
  const uuids = file.places.map((p) => p.place.nationalId).filter((id) => UUID.test(id));
  const own = uuids.length
    ? await tx
        .select({ id: places.id })
        .from(places)
        .where(and(inArray(places.id, uuids), isNull(places.nationalId)))
    : [];
  const platformOwn = new Set(own.map((r) => r.id));
  return {
    ids: file.places.map((p) =>
      platformOwn.has(p.place.nationalId) ? p.place.nationalId : placeIdFromNationalId(p.place.nationalId),
    ),
    platformOwn,
  };
}

async function upsertPlaces(
  tx: Tx,
  file: ReadFile,
  ids: string[],
  platformOwn: Set<string>,
  report: ImportReport,
): Promise<void> {
  const existing = new Map(
    (ids.length ? await tx.select().from(places).where(inArray(places.id, ids)) : []).map((p) => [p.id, p]),
  );
  const spoken = new Set(
    (ids.length
      ? await tx.select({ id: placeStatus.placeId }).from(placeStatus).where(inArray(placeStatus.placeId, ids))
      : []
    ).map((r) => r.id),
  );
  const today = businessDate();
  for (const [i, { place }] of file.places.entries()) {
    const id = ids[i]!;
    const before = existing.get(id);
    const values = directoryValues(place, before, today);
    if (!before) {
      await tx.insert(places).values({ id, nationalId: place.nationalId, source: 'import', ...values });
      report.kept++;
      continue;
    }
    report.merged++;
    if (platformOwn.has(id)) continue;
    const set = changes(before, values, spoken.has(id));
    if (Object.keys(set).length === 0) continue;
    await tx
      .update(places)
      .set({ ...set, updatedAt: new Date() })
      .where(sql`${places.id} = ${id}`);
    report.changed++;
  }
}

/** Offers the places never had (active or withdrawn), at the regulated price. */
async function addOffers(
  tx: Tx,
  emit: Emit,
  file: ReadFile,
  ids: string[],
  platformOwn: Set<string>,
  report: ImportReport,
): Promise<void> {
  const had = new Set(
    (ids.length
      ? await tx
          .select({ placeId: offers.placeId, serviceCode: offers.serviceCode, group: offers.group })
          .from(offers)
          .where(inArray(offers.placeId, ids))
      : []
    ).map((o) => `${o.placeId}/${o.serviceCode}/${o.group}`),
  );
  for (const [i, { place }] of file.places.entries()) {
    const placeId = ids[i]!;
    if (platformOwn.has(placeId)) continue;
    for (const { categoryCode, group } of place.services) {
      if (had.has(`${placeId}/${categoryCode}/${group}`)) continue;
      const offer = {
        placeId,
        serviceCode: categoryCode,
        categoryCode,
        priceCents: REGULATED_PRICE_CENTS,
        durationMinutes: duration(categoryCode),
        group,
        replaces: null,
        publishedBy: 'import',
      };
      if (await insertOffer(tx, emit, offer)) report.offersPublished++;
    }
  }
}

/**
 * Places without coordinates are put at their commune's centre: the mean position of the places
 * of that commune that have their own (decoupage-administratif has no commune coordinates).
 */
async function locateAtCommuneCentre(tx: Tx): Promise<void> {
  await tx.execute(sql`
    UPDATE ${places} p SET latitude = c.lat, longitude = c.lon, position_source = 'commune'
    FROM (SELECT commune_code, avg(latitude) AS lat, avg(longitude) AS lon FROM ${places}
          WHERE position_source = 'own' AND commune_code IS NOT NULL GROUP BY commune_code) c
    WHERE p.latitude IS NULL AND p.commune_code = c.commune_code`);
}

export async function importPlaces(tx: Tx, emit: Emit, file: ReadFile, rows: number): Promise<ImportReport> {
  const report: ImportReport = {
    rows,
    kept: 0,
    merged: file.repeats,
    changed: 0,
    offersPublished: 0,
    refused: file.refused,
    warnings: file.warnings,
    ignoredColumns: file.ignoredColumns,
  };
  const { ids, platformOwn } = await placeIds(tx, file);
  await upsertPlaces(tx, file, ids, platformOwn, report);
  await addOffers(tx, emit, file, ids, platformOwn, report);
  await locateAtCommuneCentre(tx);
  return report;
}
