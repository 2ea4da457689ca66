import { randomUUID } from 'node:crypto';
import { and, asc, eq, ilike, type SQL } from 'drizzle-orm';
import { DomainError, type FunderKind } from '@aptic/contracts';
import type { Emit, Page, Queryable, Tx } from '@aptic/runtime';
import { checkFunderSiret } from '../domain/funder.ts';
import { funders } from './schema.ts';

export type BillingAddress = { line1: string; line2?: string; postalCode: string; city: string };

export interface NewFunder {
  name: string;
  kind: FunderKind;
  siret: string;
  publicProcurement?: boolean;
  billingAddress?: BillingAddress;
  serviceCode?: string;
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
      serviceCode: input.serviceCode ?? null,
      contacts: input.contacts ?? [],
    })
    .onConflictDoNothing({ target: funders.siret })
    .returning();
  if (!row)
    throw new DomainError('siret_taken', 'Un commanditaire avec ce SIRET existe déjà.', {
      status: 409,
      field: 'siret',
    });
  await emit('funder.created', { funderId: row.id, name: row.name, kind: input.kind, siret: row.siret });
  return row;
}

export async function findFunder(db: Queryable, id: string): Promise<Funder> {
  const [row] = await db.select().from(funders).where(eq(funders.id, id));
  if (!row) throw new DomainError('unknown_funder', 'Commanditaire inconnu.', { status: 404, field: 'funderId' });
  return row;
}

/** Sets the address invoices are made out to and, for a public buyer, its Chorus Pro service code. */
export async function setFunderBilling(
  tx: Tx,
  id: string,
  billing: { billingAddress: BillingAddress; serviceCode?: string | null },
): Promise<Funder> {
  const [row] = await tx
    .update(funders)
    .set({
      billingAddress: billing.billingAddress,
      ...(billing.serviceCode === undefined ? {} : { serviceCode: billing.serviceCode }),
    })
    .where(eq(funders.id, id))
    .returning();
  if (!row) throw new DomainError('unknown_funder', 'Commanditaire inconnu.', { status: 404, field: 'funderId' });
  return row;
}

/** Funders by name (a part of it, any case) or SIRET, in name order. */
export async function listFunders(
  db: Queryable,
  filter: { name?: string; siret?: string },
  page: Page,
): Promise<Funder[]> {
  const where: SQL[] = [];
  if (filter.name) where.push(ilike(funders.name, `%${filter.name.replace(/[\\%_]/g, (c) => `\\${c}`)}%`));
  if (filter.siret) where.push(eq(funders.siret, filter.siret));
  return db
    .select()
    .from(funders)
    .where(and(...where))
    .orderBy(asc(funders.name), asc(funders.id))
    .limit(page.limit)
    .offset(page.offset);
}
