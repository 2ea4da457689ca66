import { randomUUID } from 'node:crypto';
import { asc, eq, sql } from 'drizzle-orm';
import { DomainError, type EventDataOf } from '@aptic/contracts';
import type { Emit, Page, Queryable, Tx } from '@aptic/runtime';
import { checkPlace, type CheckedPlace, type PlaceInput } from '../domain/place.ts';
import { assertMove, type PlaceStatus } from '../domain/lifecycle.ts';
import { audit } from './audit.ts';
import { places } from './schema.ts';
import { maskIban } from '../domain/bank.ts';

export type Place = typeof places.$inferSelect;

export const pivotTaken = () =>
  new DomainError(
    'siret_taken',
    'Ce SIRET (ou RNA) est déjà celui d’un autre lieu : un SIRET ne peut servir qu’à un seul lieu.',
    { status: 409, field: 'siret' },
  );

/** A checked place as stored (application and edit alike). */
export function columns(checked: CheckedPlace) {
  return {
    name: checked.name,
    pivot: checked.pivot,
    pivotKind: checked.pivotKind,
    type: checked.type,
    address: checked.address,
    communeCode: checked.commune.code,
    epciCode: checked.commune.epci ?? null,
    departementCode: checked.commune.departement,
    latitude: checked.latitude,
    longitude: checked.longitude,
    openingHours: checked.openingHours,
    iban: checked.bank?.iban ?? null,
    bic: checked.bank?.bic ?? null,
  };
}

/** Registers a place's application (status `applied`): nothing is announced until it is qualified. */
export async function createPlace(tx: Tx, input: PlaceInput & { directoryId?: string }, actor: string): Promise<Place> {
  const id = input.directoryId ?? randomUUID();
  const [row] = await tx
    .insert(places)
    .values({ id, ...columns(checkPlace(input)), status: 'applied' })
    .onConflictDoNothing()
    .returning();
  if (!row) {
    const [same] = await tx.select({ id: places.id }).from(places).where(eq(places.id, id));
    if (same)
      throw new DomainError('place_already_registered', 'Ce lieu de l’annuaire a déjà déposé sa candidature.', {
        status: 409,
        field: 'directoryId',
      });
    throw pivotTaken();
  }
  await audit(tx, {
    entity: 'place',
    entityId: row.id,
    scopeId: row.id,
    action: 'apply',
    actor,
    toStatus: 'applied',
    details: {
      name: row.name,
      pivot: row.pivot,
      type: row.type,
      ...(row.iban ? { bank: { iban: maskIban(row.iban), bic: row.bic } } : {}),
    },
  });
  return row;
}

export async function findPlace(db: Queryable, id: string): Promise<Place> {
  const [row] = await db.select().from(places).where(eq(places.id, id));
  if (!row) throw new DomainError('unknown_place', 'Lieu inconnu.', { status: 404, field: 'placeId' });
  return row;
}

/** The place, locked until the transaction ends: two staff members never move it at once. */
export async function lockPlace(tx: Tx, id: string): Promise<Place> {
  const [row] = await tx.select().from(places).where(eq(places.id, id)).for('update');
  if (!row) throw new DomainError('unknown_place', 'Lieu inconnu.', { status: 404, field: 'placeId' });
  return row;
}

/** Places by status, in name order. */
export async function listPlaces(db: Queryable, status: PlaceStatus | undefined, page: Page): Promise<Place[]> {
  const query = db
    .select()
    .from(places)
    .where(status ? eq(places.status, status) : undefined);
  return query.orderBy(asc(places.name), asc(places.id)).limit(page.limit).offset(page.offset);
}

/** Moves a locked place along its lifecycle, with its audit row. */
export async function movePlace(
  tx: Tx,
  place: Place,
  to: PlaceStatus,
  actor: string,
  details?: unknown,
): Promise<Place> {
  assertMove(place.status, to);
  const now = new Date();
  const [row] = await tx
    .update(places)
    .set({ status: to, updatedAt: now, ...(to === 'qualified' ? { qualifiedAt: now } : {}) })
    .where(eq(places.id, place.id))
    .returning();
  await audit(tx, {
    entity: 'place',
    entityId: place.id,
    scopeId: place.id,
    action: `move:${to}`,
    fromStatus: place.status,
    toStatus: to,
    actor,
    details,
  });
  return row!;
}

type PlaceEventType =
  | 'place.qualified'
  | 'place.suspended'
  | 'place.revoked'
  | 'kit.subscribed'
  | 'kit.activated'
  | 'kit.cancelled';

/**
 * Emits an event about a place with the place's next number (`placeVersion`), taken on the place's
 * row in this transaction: the row stays locked until commit, so numbers follow commit order.
 */
export async function emitAboutPlace<T extends PlaceEventType>(
  tx: Tx,
  emit: Emit,
  type: T,
  data: Omit<EventDataOf<T>, 'placeVersion'>,
): Promise<void> {
  const [row] = await tx
    .update(places)
    .set({ eventVersion: sql`${places.eventVersion} + 1` })
    .where(eq(places.id, data.placeId))
    .returning({ version: places.eventVersion });
  if (!row) throw new Error(`no place ${data.placeId} to announce ${type} of`);
  await emit(type, { ...data, placeVersion: row.version } as EventDataOf<T>);
}

/** The data `place.qualified` carries, so redemption checks perimeters (and catalogue locates the place) without asking back. */
export async function announceQualified(tx: Tx, emit: Emit, place: Place): Promise<void> {
  await emitAboutPlace(tx, emit, 'place.qualified', {
    placeId: place.id,
    name: place.name,
    type: place.type,
    communeCode: place.communeCode,
    ...(place.epciCode ? { epciCode: place.epciCode } : {}),
    departementCode: place.departementCode,
    openingHours: place.openingHours,
    latitude: place.latitude,
    longitude: place.longitude,
    address: [place.address.line1, place.address.line2].filter(Boolean).join(', '),
    postalCode: place.address.postalCode,
  });
}
