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
import { inArray, sql } from 'drizzle-orm';
import type { Emit, Tx } from '@aptic/runtime';
import { REGULATED_PRICE_CENTS } from '../domain/money.ts';
import { placeIdFromNationalId } from '../domain/place-id.ts';
import { REFERENTIEL } from '../domain/referentiel.ts';
import { insertOffer } from '../db/offers.ts';
import { offers, places, placeStatus } from '../db/schema.ts';
import type { ImportedPlace } from './row.ts';
import type { ImportReport, ReadFile } from './report.ts';

type PlaceRow = typeof places.$inferSelect;
const DIRECTORY_FIELDS = ['name', 'type', 'communeCode', 'communeName', 'departementCode', 'postalCode', 'address', 'pivot', 'openingHours'] as const;
const duration = (code: string) => REFERENTIEL.find((s) => s.code === code)?.durationMinutes ?? 60;

function directoryValues(p: ImportedPlace) {
  const position = p.latitude === null ? {} : { latitude: p.latitude, longitude: p.longitude, positionSource: 'own' as const };
  return { name: p.name, type: p.type, communeCode: p.communeCode, communeName: p.communeName, departementCode: p.departementCode, postalCode: p.postalCode, address: p.address, pivot: p.pivot, openingHours: p.openingHours, ...position };
}

/**
 * What the row changes on an existing entry. Once qualification has spoken, only empty fields
 * are filled. A row without coordinates keeps the position already known.
 */
function changes(existing: PlaceRow, incoming: ReturnType<typeof directoryValues>, qualified: boolean): Partial<PlaceRow> {
  const set: Partial<PlaceRow> = {};
  for (const field of DIRECTORY_FIELDS) {
    const value = incoming[field];
    if (value !== existing[field] && (!qualified || existing[field] === null)) Object.assign(set, { [field]: value });
  }
  if (incoming.latitude !== undefined && (incoming.latitude !== existing.latitude || incoming.longitude !== existing.longitude) && (!qualified || existing.latitude === null)) {
    Object.assign(set, { latitude: incoming.latitude, longitude: incoming.longitude, positionSource: 'own' });
  }
  return set;
}

async function upsertPlaces(tx: Tx, file: ReadFile, report: ImportReport): Promise<void> {
  const ids = file.places.map((p) => placeIdFromNationalId(p.place.nationalId));
  const existing = new Map((ids.length ? await tx.select().from(places).where(inArray(places.id, ids)) : []).map((p) => [p.id, p]));
  const spoken = new Set((ids.length ? await tx.select({ id: placeStatus.placeId }).from(placeStatus).where(inArray(placeStatus.placeId, ids)) : []).map((r) => r.id));
  for (const [i, { place }] of file.places.entries()) {
    const id = ids[i]!;
    const values = directoryValues(place);
    const before = existing.get(id);
    if (!before) {
      await tx.insert(places).values({ id, nationalId: place.nationalId, source: 'import', ...values });
      report.kept++;
      continue;
    }
    report.merged++;
    const set = changes(before, values, spoken.has(id));
    if (Object.keys(set).length === 0) continue;
    await tx.update(places).set({ ...set, updatedAt: new Date() }).where(sql`${places.id} = ${id}`);
    report.changed++;
  }
}

/** Offers the places never had (active or withdrawn), at the regulated price. */
async function addOffers(tx: Tx, emit: Emit, file: ReadFile, report: ImportReport): Promise<void> {
  const ids = file.places.map((p) => placeIdFromNationalId(p.place.nationalId));
  const had = new Set(
    (ids.length ? await tx.select({ placeId: offers.placeId, serviceCode: offers.serviceCode, group: offers.group }).from(offers).where(inArray(offers.placeId, ids)) : []).map(
      (o) => `${o.placeId}/${o.serviceCode}/${o.group}`,
    ),
  );
  for (const [i, { place }] of file.places.entries()) {
    const placeId = ids[i]!;
    for (const { categoryCode, group } of place.services) {
      if (had.has(`${placeId}/${categoryCode}/${group}`)) continue;
      const offer = { placeId, serviceCode: categoryCode, categoryCode, priceCents: REGULATED_PRICE_CENTS, durationMinutes: duration(categoryCode), group, replaces: null, publishedBy: 'import' };
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
  const report: ImportReport = { rows, kept: 0, merged: file.repeats, changed: 0, offersPublished: 0, refused: file.refused, warnings: file.warnings };
  await upsertPlaces(tx, file, report);
  await addOffers(tx, emit, file, report);
  await locateAtCommuneCentre(tx);
  return report;
}

