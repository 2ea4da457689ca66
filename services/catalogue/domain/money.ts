import { DomainError } from '@aptic/contracts';

/** The regulated (recommended) price of a service: one pass, 10 €. */
export const REGULATED_PRICE_CENTS = 1000;
/** Above this a price is surely a typo (euros sent as cents twice). */
const MAX_PRICE_CENTS = 100_000;

/** A price must be integer cents: 10.5 (euros with decimals) is refused, not rounded. */
export function checkPrice(priceCents: unknown): number {
  if (typeof priceCents !== 'number' || !Number.isInteger(priceCents)) {
    throw new DomainError('price_not_cents', 'Le prix doit être un nombre entier de centimes (ex. 1000 pour 10 €).', {
      status: 422,
      field: 'priceCents',
    });
  }
  if (priceCents < 0 || priceCents > MAX_PRICE_CENTS) {
    throw new DomainError('price_out_of_range', `Le prix doit être compris entre 0 et ${MAX_PRICE_CENTS / 100} €.`, {
      status: 422,
      field: 'priceCents',
    });
  }
  return priceCents;
}

export function checkDuration(minutes: unknown): number {
  if (typeof minutes !== 'number' || !Number.isInteger(minutes) || minutes < 5 || minutes > 600) {
    throw new DomainError('duration_out_of_range', 'La durée doit être un nombre entier de minutes entre 5 et 600.', {
      status: 422,
      field: 'durationMinutes',
    });
  }
  return minutes;
}
