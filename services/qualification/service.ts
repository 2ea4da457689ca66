import { createHash } from 'node:crypto';
import { inArray } from 'drizzle-orm';
import { DomainError } from '@aptic/contracts';
import { contractAction, type ServiceContext } from '@aptic/runtime';
import { places } from './db/schema.ts';

/** Roles that may read bank details unmasked (as on the HTTP side: finance, and admin). */
const BANK_ROLES = new Set(['finance', 'admin']);

/** Qualification's actions: what other services may ask synchronously. */
export const qualificationActions = (ctx: ServiceContext) => ({
  actions: {
    bankDetails: contractAction('qualification.bankDetails', async ({ placeIds }, call) => {
      const role = (call.meta as { role?: unknown }).role;
      if (typeof role !== 'string' || !BANK_ROLES.has(role)) {
        throw new DomainError('finance_only', 'Les coordonnées bancaires ne sont communiquées qu’à la finance.', {
          status: 403,
        });
      }
      const rows = await ctx.db
        .select({ id: places.id, name: places.name, status: places.status, iban: places.iban, bic: places.bic })
        .from(places)
        .where(inArray(places.id, placeIds));
      return {
        places: rows.map((p) => ({
          placeId: p.id,
          name: p.name,
          status: p.status,
          iban: p.iban,
          bic: p.bic,
          fingerprint: p.iban
            ? createHash('sha256')
                .update(`${p.iban}|${p.bic ?? ''}`)
                .digest('hex')
            : null,
        })),
      };
    }),
  },
});
