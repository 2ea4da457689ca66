import { describe, expect, it } from 'vitest';
import { DomainError } from '@aptic/contracts';
import { applyBasisPoints, priceQuote, type QuoteRequest } from './pricing.ts';

const FIRST = { firstOrder: true };
const REPEAT = { firstOrder: false };

/** The quote of seed 000 ("Définir une commande"). */
const REFERENCE: QuoteRequest = {
  offer: 'plus',
  carnetSize: 10,
  carnets: 200,
  options: ['logo_pass', 'logo_cover', 'distribution_network_support', 'journeys_support'],
};

function request(overrides: Partial<QuoteRequest>): QuoteRequest {
  return { offer: 'plus', carnetSize: 10, carnets: 200, options: [], ...overrides };
}

/** The refusal priceQuote throws, or a failure when it prices instead. */
function refusalOf(quote: QuoteRequest, context = FIRST): DomainError {
  try {
    priceQuote(quote, context);
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a refusal, got a priced quote');
}

function lineCodes(quote: QuoteRequest, context = FIRST): string[] {
  return priceQuote(quote, context).lines.map((line) => line.code);
}

describe('the reference quote of seed 000', () => {
  const quote = priceQuote(REFERENCE, FIRST);

  it('prints the seed lines, in the seed order, with the seed labels and amounts', () => {
    expect(quote.lines).toEqual([
      {
        code: 'face_value',
        label: '200 carnets de 10 pass',
        quantity: 200,
        unitPriceCents: 10_000,
        amountCents: 2_000_000,
        vatRate: 0,
        vatCents: 0,
      },
      {
        code: 'contributive_fees',
        label: 'Frais contributifs',
        quantity: 2_000,
        unitPriceCents: 40,
        amountCents: 80_000,
        vatRate: 2_000,
        vatCents: 16_000,
      },
      {
        code: 'opening_fee',
        label: 'Ouverture du compte commanditaire',
        quantity: 1,
        unitPriceCents: 15_000,
        amountCents: 15_000,
        vatRate: 2_000,
        vatCents: 3_000,
      },
      {
        code: 'logo_pass',
        label: 'Ajout de logo(s) couleur sur les pass',
        quantity: 1,
        unitPriceCents: 50_000,
        amountCents: 50_000,
        vatRate: 2_000,
        vatCents: 10_000,
      },
      {
        code: 'logo_cover',
        label: 'Ajout de logo(s) couleur sur la couverture',
        quantity: 1,
        unitPriceCents: 60_000,
        amountCents: 60_000,
        vatRate: 2_000,
        vatCents: 12_000,
      },
      {
        code: 'distribution_network_support',
        label: 'Appui à la définition, la préconisation et l’identification de réseaux de distribution',
        quantity: 1,
        unitPriceCents: 290_000,
        amountCents: 290_000,
        vatRate: 2_000,
        vatCents: 58_000,
      },
      {
        code: 'journeys_support',
        label: 'Appui à la définition et la préconisation des parcours types pour les bénéficiaires ciblés',
        quantity: 1,
        unitPriceCents: 50_000,
        amountCents: 50_000,
        vatRate: 2_000,
        vatCents: 10_000,
      },
    ]);
  });

  it('totals 25,450 € excl. VAT, 1,090 € VAT (20 % of 5,450 €) and 26,540 € incl. VAT', () => {
    expect(quote.totalExclVatCents).toBe(2_545_000);
    expect(quote.vatCents).toBe(109_000);
    expect(quote.totalInclVatCents).toBe(2_654_000);
  });

  it('reports the face value and the pass count', () => {
    expect(quote.faceValueCents).toBe(2_000_000);
    expect(quote.passCount).toBe(2_000);
  });

  it('prints options in catalogue order whatever the order they were asked in', () => {
    const reversed = { ...REFERENCE, options: [...REFERENCE.options].reverse() };
    expect(priceQuote(reversed, FIRST)).toEqual(quote);
  });
});

describe('face value', () => {
  it('is 10 € per pass, with no VAT', () => {
    const [face] = priceQuote(request({ carnetSize: 5, carnets: 400 }), FIRST).lines;
    expect(face).toMatchObject({ code: 'face_value', quantity: 400, unitPriceCents: 5_000, amountCents: 2_000_000 });
    expect(face).toMatchObject({ vatRate: 0, vatCents: 0 });
  });

  it('groups thousands the French way in its label', () => {
    const [face] = priceQuote(request({ carnets: 12_345 }), FIRST).lines;
    expect(face?.label).toBe('12\u00a0345 carnets de 10 pass');
  });
});

describe('contributive fees (frais contributifs)', () => {
  it('are 4 % of the face value, with 20 % VAT', () => {
    const quote = priceQuote(request({ carnets: 1_234 }), REPEAT);
    const fees = quote.lines.find((line) => line.code === 'contributive_fees');
    expect(fees).toMatchObject({ quantity: 12_340, unitPriceCents: 40, amountCents: 493_600 });
    expect(fees?.amountCents).toBe((quote.faceValueCents * 4) / 100);
    expect(fees).toMatchObject({ vatRate: 2_000, vatCents: 98_720 });
  });
});

describe('account opening fee (frais d’ouverture de compte)', () => {
  it('is charged 150 € excl. VAT on the first order', () => {
    const opening = priceQuote(request({}), FIRST).lines.find((line) => line.code === 'opening_fee');
    expect(opening).toMatchObject({ amountCents: 15_000, vatRate: 2_000, vatCents: 3_000 });
  });

  it('is not charged on a later order', () => {
    expect(lineCodes(request({}), REPEAT)).toEqual(['face_value', 'contributive_fees']);
  });

  it('is the only difference between a first and a later order', () => {
    const first = priceQuote(REFERENCE, FIRST);
    const later = priceQuote(REFERENCE, REPEAT);
    expect(first.totalExclVatCents - later.totalExclVatCents).toBe(15_000);
    expect(first.vatCents - later.vatCents).toBe(3_000);
    expect(later.totalExclVatCents).toBe(2_530_000);
    expect(later.vatCents).toBe(106_000);
    expect(later.totalInclVatCents).toBe(2_636_000);
  });
});

describe('complementary services (options)', () => {
  it('are priced from the catalogue, each with 20 % VAT', () => {
    const lines = priceQuote(REFERENCE, REPEAT).lines.filter((line) => REFERENCE.options.includes(line.code));
    expect(lines.map((line) => [line.code, line.amountCents, line.vatRate, line.vatCents])).toEqual([
      ['logo_pass', 50_000, 2_000, 10_000],
      ['logo_cover', 60_000, 2_000, 12_000],
      ['distribution_network_support', 290_000, 2_000, 58_000],
      ['journeys_support', 50_000, 2_000, 10_000],
    ]);
  });

  it('include targeting of payable services and white-label reports in Premium, at 0 €', () => {
    const quote = priceQuote(
      request({ offer: 'premium', options: ['service_targeting', 'white_label_report'] }),
      REPEAT,
    );
    expect(quote.lines.slice(2)).toEqual([
      {
        code: 'service_targeting',
        label: 'Ciblage des services payables',
        quantity: 1,
        unitPriceCents: 0,
        amountCents: 0,
        vatRate: 2_000,
        vatCents: 0,
      },
      {
        code: 'white_label_report',
        label: 'Exportation des rapports de suivi en marque blanche',
        quantity: 1,
        unitPriceCents: 0,
        amountCents: 0,
        vatRate: 2_000,
        vatCents: 0,
      },
    ]);
    expect(quote.totalExclVatCents).toBe(2_000_000 + 80_000);
  });

  it('are all open to Premium', () => {
    const all = [...REFERENCE.options, 'service_targeting', 'white_label_report'];
    expect(lineCodes(request({ offer: 'premium', options: all }), REPEAT)).toEqual([
      'face_value',
      'contributive_fees',
      ...all,
    ]);
  });

  it('are open to Plus from exactly 2,000 passes, the cover logo included', () => {
    expect(lineCodes(request({ carnets: 200, options: ['logo_cover'] }), REPEAT)).toContain('logo_cover');
  });
});

describe('carnets of 5 on Plus', () => {
  it('are priced 50 € a carnet, from 2,000 passes', () => {
    const quote = priceQuote(request({ carnetSize: 5, carnets: 400, options: ['logo_pass'] }), FIRST);
    expect(quote.passCount).toBe(2_000);
    expect(quote.faceValueCents).toBe(2_000_000);
    expect(quote.lines[0]).toMatchObject({ label: '400 carnets de 5 pass', quantity: 400, unitPriceCents: 5_000 });
    // 20,000 + 800 + 150 + 500 excl. VAT; VAT on 1,450 €
    expect(quote.totalExclVatCents).toBe(2_145_000);
    expect(quote.vatCents).toBe(29_000);
    expect(quote.totalInclVatCents).toBe(2_174_000);
  });
});

describe('Standard offer', () => {
  it('is sold from 1,000 passes in carnets of 10, with fees and opening fee only', () => {
    const quote = priceQuote(request({ offer: 'standard', carnets: 100 }), FIRST);
    expect(quote.lines.map((line) => line.code)).toEqual(['face_value', 'contributive_fees', 'opening_fee']);
    // 10,000 + 400 + 150 excl. VAT; VAT on 550 €
    expect(quote.totalExclVatCents).toBe(1_055_000);
    expect(quote.vatCents).toBe(11_000);
    expect(quote.totalInclVatCents).toBe(1_066_000);
  });
});

describe('VAT and percentages (applyBasisPoints)', () => {
  it('computes exact rates with no rounding', () => {
    expect(applyBasisPoints(545_000, 2_000)).toBe(109_000);
    expect(applyBasisPoints(1_000, 400)).toBe(40);
    expect(applyBasisPoints(123_456, 0)).toBe(0);
  });

  it('rounds to the nearest cent', () => {
    expect(applyBasisPoints(1, 2_000)).toBe(0); // 0.2 cent
    expect(applyBasisPoints(3, 2_000)).toBe(1); // 0.6 cent
    expect(applyBasisPoints(1_999, 2_000)).toBe(400); // 399.8 cents
  });

  it('rounds an exact half cent up, not to even', () => {
    expect(applyBasisPoints(5, 1_000)).toBe(1); // 0.5 cent
    expect(applyBasisPoints(25, 1_000)).toBe(3); // 2.5 cents: half-even would give 2
    expect(applyBasisPoints(300, 550)).toBe(17); // 16.5 cents at 5.5 %
  });

  it('stays exact on the largest order the cap allows', () => {
    // 100,000 carnets of 10: fees of 400,000 € and their VAT
    expect(applyBasisPoints(1_000_000_000, 400)).toBe(40_000_000);
    expect(applyBasisPoints(40_000_000, 2_000)).toBe(8_000_000);
  });

  it('refuses amounts it cannot compute exactly', () => {
    expect(() => applyBasisPoints(0.5, 2_000)).toThrow(RangeError);
    expect(() => applyBasisPoints(-100, 2_000)).toThrow(RangeError);
    expect(() => applyBasisPoints(Number.MAX_SAFE_INTEGER, 2_000)).toThrow(RangeError);
  });
});

describe('refusals', () => {
  it.each([0, -5, 2.5, Number.NaN, Number.POSITIVE_INFINITY, 100_001])(
    'quantity_out_of_range for %s carnets',
    (carnets) => {
      const error = refusalOf(request({ carnets }));
      expect(error).toMatchObject({ code: 'quantity_out_of_range', status: 422, field: 'carnets' });
      expect(error.message).toContain('100\u00a0000');
    },
  );

  it('accepts the cap of 100,000 carnets', () => {
    expect(priceQuote(request({ carnets: 100_000 }), REPEAT).passCount).toBe(1_000_000);
  });

  it('carnet_size_not_allowed: Standard comes in carnets of 10 only', () => {
    const error = refusalOf(request({ offer: 'standard', carnetSize: 5, carnets: 400 }));
    expect(error).toMatchObject({ code: 'carnet_size_not_allowed', status: 422, field: 'carnetSize' });
    expect(error.message).toBe('L’offre Standard se commande en carnets de 10 pass, pas en carnets de 5.');
  });

  it('carnet_size_not_allowed: a size no offer sells, from an untyped caller', () => {
    const odd = request({ carnetSize: 7 as unknown as QuoteRequest['carnetSize'] });
    expect(refusalOf(odd)).toMatchObject({ code: 'carnet_size_not_allowed', field: 'carnetSize' });
  });

  it('below_minimum: 1,000 passes in carnets of 10 on Standard', () => {
    expect(priceQuote(request({ offer: 'standard', carnets: 100 }), FIRST).passCount).toBe(1_000);
    const error = refusalOf(request({ offer: 'standard', carnets: 99 }));
    expect(error).toMatchObject({ code: 'below_minimum', status: 422, field: 'carnets' });
    expect(error.message).toBe(
      'La commande minimale est de 1\u00a0000 pass pour l’offre Standard en carnets de 10 ; cette commande en compte 990.',
    );
  });

  it('below_minimum: 2,000 passes in carnets of 5', () => {
    const error = refusalOf(request({ carnetSize: 5, carnets: 399 }));
    expect(error).toMatchObject({ code: 'below_minimum', field: 'carnets' });
    expect(error.message).toContain('2\u00a0000 pass pour l’offre Plus en carnets de 5');
  });

  it.each(['plus', 'premium'] as const)('below_minimum: %s needs 2,000 passes even in carnets of 10', (offer) => {
    expect(priceQuote(request({ offer, carnets: 200 }), FIRST).passCount).toBe(2_000);
    expect(refusalOf(request({ offer, carnets: 199 })).code).toBe('below_minimum');
  });

  it('unknown_option', () => {
    const error = refusalOf(request({ options: ['logo_pass', 'gold_plating'] }));
    expect(error).toMatchObject({ code: 'unknown_option', status: 422, field: 'options' });
    expect(error.message).toBe('Le service complémentaire « gold_plating » n’existe pas.');
  });

  it('duplicate_option', () => {
    const error = refusalOf(request({ options: ['logo_pass', 'logo_cover', 'logo_pass'] }));
    expect(error).toMatchObject({ code: 'duplicate_option', status: 422, field: 'options' });
    expect(error.message).toBe(
      'Le service complémentaire « Ajout de logo(s) couleur sur les pass » est demandé plusieurs fois.',
    );
  });

  it('option_not_allowed_for_offer: Standard takes no option, whatever the volume', () => {
    for (const option of ['logo_pass', 'service_targeting']) {
      const error = refusalOf(request({ offer: 'standard', carnets: 500, options: [option] }));
      expect(error).toMatchObject({ code: 'option_not_allowed_for_offer', status: 422, field: 'options' });
      expect(error.message).toContain('L’offre Standard ne comprend aucun service complémentaire');
    }
  });

  it('option_requires_premium: targeting and white-label reports on Plus', () => {
    for (const option of ['service_targeting', 'white_label_report']) {
      const error = refusalOf(request({ offer: 'plus', options: ['logo_pass', option] }));
      expect(error).toMatchObject({ code: 'option_requires_premium', status: 422, field: 'options' });
      expect(error.message).toContain('réservé à l’offre Premium');
    }
  });

  it('options_require_2000_passes: an option below 2,000 passes', () => {
    const error = refusalOf(request({ offer: 'plus', carnets: 150, options: ['logo_pass'] }));
    expect(error).toMatchObject({ code: 'options_require_2000_passes', status: 422, field: 'options' });
    expect(error.message).toBe(
      'Les services complémentaires ne sont accessibles qu’à partir de 2\u00a0000 pass ; cette commande en compte 1\u00a0500.',
    );
  });

  it('options_require_2000_passes on Premium in carnets of 5 too', () => {
    const error = refusalOf(request({ offer: 'premium', carnetSize: 5, carnets: 399, options: ['service_targeting'] }));
    expect(error.code).toBe('options_require_2000_passes');
  });

  it('are raised whether or not the order is the first', () => {
    expect(refusalOf(request({ carnets: 0 }), REPEAT).code).toBe('quantity_out_of_range');
    expect(refusalOf(request({ carnets: 199 }), REPEAT).code).toBe('below_minimum');
  });
});
