import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { frenchDate, type ActionResponse } from '@aptic/contracts';

type Place = ActionResponse<'catalogue.nearbyPlaces'>['places'][number];

export interface LetterRecipient {
  carnetNumber: number;
  name: string;
  line1: string;
  line2: string | null;
  postalCode: string;
  city: string;
  places: Place[];
}

const template = Handlebars.compile(readFileSync(new URL('./templates/letters.hbs', import.meta.url), 'utf8'), {
  strict: false,
});
const km = (d: number | null) => (d === null ? '' : `${d.toLocaleString('fr-FR', { maximumFractionDigits: 1 })} km`);

/** The mail-merge of cover letters: one A4 page per beneficiary, with the places nearest their commune. */
export function lettersHtml(
  order: { funderName: string; carnetSize: number; validFrom: string; validUntil: string },
  recipients: LetterRecipient[],
): string {
  return template({
    funderName: order.funderName,
    carnetSize: order.carnetSize,
    validFrom: frenchDate(order.validFrom),
    validUntil: frenchDate(order.validUntil),
    letters: recipients.map((r) => ({
      ...r,
      carnetNumber: String(r.carnetNumber).padStart(7, '0'),
      places: r.places.map((p) => ({ ...p, distance: km(p.distanceKm) })),
    })),
  });
}
