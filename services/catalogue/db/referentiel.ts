import { eq } from 'drizzle-orm';
import { DomainError } from '@aptic/contracts';
import type { Queryable, Tx } from '@aptic/runtime';
import { REFERENTIEL, REFERENTIEL_VERSION } from '../domain/referentiel.ts';
import { referentielVersions, services } from './schema.ts';

export type Service = typeof services.$inferSelect;

/**
 * Seeds the référentiel's current version at start. Idempotent: a version is applied once, and
 * services already there keep their row (a code never changes meaning).
 */
export async function seedReferentiel(tx: Tx): Promise<void> {
  const [done] = await tx
    .select()
    .from(referentielVersions)
    .where(eq(referentielVersions.version, REFERENTIEL_VERSION));
  if (done) return;
  await tx
    .insert(services)
    .values(REFERENTIEL.map((s) => ({ ...s })))
    .onConflictDoNothing();
  await tx.insert(referentielVersions).values({ version: REFERENTIEL_VERSION }).onConflictDoNothing();
}

export async function listServices(db: Queryable): Promise<{ version: number; services: Service[] }> {
  return { version: REFERENTIEL_VERSION, services: await db.select().from(services).orderBy(services.code) };
}

/** An offerable service: known to the référentiel and not retired. */
export async function offerableService(db: Queryable, code: string): Promise<Service> {
  const [service] = await db.select().from(services).where(eq(services.code, code));
  if (!service)
    throw new DomainError('unknown_service', `Service inconnu du référentiel : « ${code} ».`, {
      status: 422,
      field: 'serviceCode',
    });
  if (service.retiredIn !== null)
    throw new DomainError(
      'service_retired',
      `Ce service n’est plus au référentiel (retiré en version ${service.retiredIn}).`,
      { status: 422, field: 'serviceCode' },
    );
  return service;
}
