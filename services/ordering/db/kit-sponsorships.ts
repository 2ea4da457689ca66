import { randomUUID } from 'node:crypto';
import { DomainError } from '@aptic/contracts';
import type { Emit, Tx } from '@aptic/runtime';
import { findFunder } from './funders.ts';
import { audit } from './records.ts';
import { kitSponsorships } from './schema.ts';

export interface SponsorshipInput {
  placeIds: string[];
  from: string;
  until: string;
}

/** A funder pays the kit subscription of chosen places: recorded here, announced to qualification. */
export async function sponsorKits(tx: Tx, emit: Emit, funderId: string, input: SponsorshipInput, actor: string) {
  await findFunder(tx, funderId);
  if (input.until < input.from) {
    throw new DomainError('invalid_period', 'La fin de la prise en charge précède son début.', {
      status: 422,
      field: 'until',
    });
  }
  const placeIds = [...new Set(input.placeIds)].sort();
  const [row] = await tx
    .insert(kitSponsorships)
    .values({ id: randomUUID(), funderId, placeIds, fromDate: input.from, untilDate: input.until, createdBy: actor })
    .returning();
  await audit(tx, {
    entity: 'kit_sponsorship',
    entityId: row!.id,
    scopeId: funderId,
    action: 'sponsor',
    actor,
    details: { placeIds, from: input.from, until: input.until },
  });
  await emit('kit.sponsored', { funderId, placeIds, from: input.from, until: input.until });
  return row!;
}
