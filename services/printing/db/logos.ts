import { and, eq } from 'drizzle-orm';
import { DomainError } from '@aptic/contracts';
import type { Queryable, Tx } from '@aptic/runtime';
import { validateLogo, type Logo, type LogoMime } from '../documents/logo.ts';
import { LOGO_OPTIONS as OPTION, type LogoSlot } from '../domain/proof.ts';
import { audit, findPrintOrder } from './issuance.ts';
import { orderLogos, proofs } from './schema.ts';

/** Stores (or replaces) an order's logo, if the order bought that option and the file is an image ≤ 5 MB. */
export async function uploadLogo(
  tx: Tx,
  orderId: string,
  slot: LogoSlot,
  mime: string,
  data: Buffer,
  actor: string,
): Promise<void> {
  const order = await findPrintOrder(tx, orderId);
  if (!order.options.includes(OPTION[slot]))
    throw new DomainError('logo_not_ordered', `Cette commande n’a pas l’option « ${OPTION[slot]} ».`, {
      status: 409,
      field: 'slot',
    });
  // The approved proof is what is printed: from then on its logos no longer change.
  const [approved] = await tx
    .select({ id: proofs.id })
    .from(proofs)
    .where(and(eq(proofs.orderId, orderId), eq(proofs.status, 'approved')))
    .limit(1);
  if (approved)
    throw new DomainError(
      'logo_locked',
      'Le BAT est approuvé : les logos imprimés sont ceux du BAT et ne changent plus.',
      { status: 409, field: 'slot' },
    );
  const logo = validateLogo({ mime: mime as LogoMime, data }, `logo_${slot}`);
  await tx
    .insert(orderLogos)
    .values({ orderId, slot, mime: logo.mime, data: logo.data })
    .onConflictDoUpdate({
      target: [orderLogos.orderId, orderLogos.slot],
      set: { mime: logo.mime, data: logo.data, uploadedAt: new Date() },
    });
  await audit(tx, {
    entity: 'order',
    entityId: orderId,
    scopeId: orderId,
    action: `logo:${slot}`,
    actor,
    details: { mime: logo.mime, bytes: logo.data.length },
  });
}

/** Where the order has a logo uploaded. */
export async function uploadedLogoSlots(db: Queryable, orderId: string): Promise<string[]> {
  const rows = await db.select({ slot: orderLogos.slot }).from(orderLogos).where(eq(orderLogos.orderId, orderId));
  return rows.map((r) => r.slot);
}

/** The logos the print file shows. */
export async function logosOf(db: Queryable, orderId: string): Promise<{ pass?: Logo; cover?: Logo }> {
  const rows = await db
    .select()
    .from(orderLogos)
    .where(and(eq(orderLogos.orderId, orderId)));
  return Object.fromEntries(rows.map((r) => [r.slot, { mime: r.mime as LogoMime, data: r.data }]));
}
