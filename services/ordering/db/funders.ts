import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { DomainError, type FunderKind } from '@aptic/contracts';
import type { Emit, Queryable, Tx } from '@aptic/runtime';
import { checkFunderSiret } from '../domain/funder.ts';
import { funders } from './schema.ts';

export interface NewFunder {
  name: string;
  kind: FunderKind;
  siret: string;
  publicProcurement?: boolean;
  billingAddress?: { line1: string; line2?: string; postalCode: string; city: string };
  contacts?: { name: string; email: string; phone?: string; role?: string }[];
}

export type Funder = typeof funders.$inferSelect;

/** Registers a funder and announces it (`funder.created`) in the same transaction. */
export async function createFunder(tx: Tx, emit: Emit, input: NewFunder): Promise<Funder> {
  checkFunderSiret(input.siret);
  const [row] = await tx
    .insert(funders)
    .values({
      id: randomUUID(),
      name: input.name.trim(),
      kind: input.kind,
      siret: input.siret,
      publicProcurement: input.publicProcurement ?? false,
      billingAddress: input.billingAddress ?? null,
      contacts: input.contacts ?? [],
    })
    .onConflictDoNothing({ target: funders.siret })
    .returning();
  if (!row) throw new DomainError('siret_taken', 'Un commanditaire avec ce SIRET existe déjà.', { status: 409, field: 'siret' });
  await emit('funder.created', { funderId: row.id, name: row.name, kind: input.kind, siret: row.siret });
  return row;
}

export async function findFunder(db: Queryable, id: string): Promise<Funder> {
  const [row] = await db.select().from(funders).where(eq(funders.id, id));
  if (!row) throw new DomainError('unknown_funder', 'Commanditaire inconnu.', { status: 404, field: 'funderId' });
  return row;
}
