import { isDeepStrictEqual } from 'node:util';
import { eq } from 'drizzle-orm';
import { DomainError } from '@aptic/contracts';
import type { Emit, Tx } from '@aptic/runtime';
import { checkPlace, patched, type PlaceInput, type PlacePatch } from '../domain/place.ts';
import { audit } from './audit.ts';
import { announceQualified, columns, lockPlace, pivotTaken, type Place } from './places.ts';
import { places } from './schema.ts';

/** What `place.qualified` carries to catalogue's and redemption's read models. */
const ANNOUNCED = new Set(['name', 'type', 'communeCode', 'latitude', 'longitude', 'openingHours']);

function asInput(p: Place): PlaceInput {
  const pivot = p.pivotKind === 'siret' ? { siret: p.pivot } : { rna: p.pivot };
  const bank = p.iban && p.bic ? { iban: p.iban, bic: p.bic } : {};
  return {
    name: p.name,
    ...pivot,
    type: p.type,
    address: p.address,
    communeCode: p.communeCode,
    latitude: p.latitude,
    longitude: p.longitude,
    openingHours: p.openingHours,
    ...bank,
  };
}

/** The audit's account of a change: before and after, but only the last four characters of an IBAN (not a log line). */
function describe(place: Place, next: ReturnType<typeof columns>, changed: (keyof typeof next)[]) {
  return Object.fromEntries(
    changed.map((k) => [k, k === 'iban' ? { toLast4: next.iban?.slice(-4) ?? null } : { from: place[k], to: next[k] }]),
  );
}

// The pivot's unique index: another place has (or just took) this SIRET or RNA.
const pivotClash = (err: unknown) => (err as { cause?: { code?: string } }).cause?.code === '23505';

/**
 * Edits a place, checked whole as an application is. Nothing changed: nothing written. A
 * qualified place's new details are announced again (`place.qualified`, the event its read models
 * take them from); a suspended place's go out with its reinstatement, which announces the place as
 * it then is, and a place not yet qualified has announced nothing.
 */
export async function editPlace(tx: Tx, emit: Emit, id: string, patch: PlacePatch, actor: string): Promise<Place> {
  const place = await lockPlace(tx, id);
  if (place.status === 'revoked') throw new DomainError('place_revoked', 'Le lieu est révoqué.', { status: 409 });
  const next = columns(checkPlace(patched(asInput(place), patch)));
  const changed = (Object.keys(next) as (keyof typeof next)[]).filter((k) => !isDeepStrictEqual(next[k], place[k]));
  if (changed.length === 0) return place;
  const [row] = await tx
    .update(places)
    .set({ ...next, updatedAt: new Date() })
    .where(eq(places.id, id))
    .returning()
    .catch((err: unknown) => {
      throw pivotClash(err) ? pivotTaken() : err;
    });
  await audit(tx, {
    entity: 'place',
    entityId: id,
    scopeId: id,
    action: 'edit',
    actor,
    details: describe(place, next, changed),
  });
  if (row!.status === 'qualified' && changed.some((k) => ANNOUNCED.has(k))) await announceQualified(tx, emit, row!);
  return row!;
}
