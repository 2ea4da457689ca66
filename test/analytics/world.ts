import { randomUUID } from 'node:crypto';
import type { EventDataOf, EventEnvelope, EventType } from '@aptic/contracts';
import { addDays, businessDate } from '@aptic/runtime';
import { testEvent } from '../support/events.ts';

/**
 * A small, fully known world of events for analytics' tests: two funders (A Premium, B Standard),
 * two places in Charente, an offer and a kiosk each, redemptions in November 2026, a cancellation,
 * blocked passes, refused scans, a closed period. `expected` is what the dashboards must show.
 */

const envelope = <T extends EventType>(type: T, data: EventDataOf<T>, occurredAt = '2026-11-01T08:00:00.000Z') =>
  testEvent(type, data, occurredAt);

const rules = (validUntil: string): EventDataOf<'order.paid'>['rules'] => ({
  validFrom: '2026-01-01',
  validUntil,
  perimeter: { communes: [], epcis: [], departements: ['16'] },
  resolvedCommunes: [],
  placeTypes: [],
  serviceCategories: [],
  publics: [],
});

export function analyticsWorld() {
  const today = businessDate(new Date());
  const funderA = randomUUID();
  const funderB = randomUUID();
  const orderA = randomUUID();
  const orderB = randomUUID();
  const prescriber = randomUUID();
  const places = [
    {
      placeId: randomUUID(),
      name: 'Espace numérique du Champ de Mars',
      type: 'epn',
      communeCode: '16015',
      epciCode: '200071827',
      departementCode: '16',
      latitude: 45.6484,
      longitude: 0.1562,
    },
    {
      placeId: randomUUID(),
      name: 'Médiathèque de Cognac',
      type: 'mediatheque',
      communeCode: '16102',
      epciCode: '200070514',
      departementCode: '16',
      latitude: 45.6958,
      longitude: -0.3287,
    },
  ];
  const offers = [
    {
      offerId: randomUUID(),
      placeId: places[0]!.placeId,
      serviceCode: 'demarches_en_ligne',
      categoryCode: 'accompagnement',
      priceCents: 1_000,
      group: false,
    },
    {
      offerId: randomUUID(),
      placeId: places[1]!.placeId,
      serviceCode: 'prise_en_main',
      categoryCode: 'initiation',
      priceCents: 1_500,
      group: true,
    },
  ];
  const kiosks = [randomUUID(), randomUUID()];
  // Order A: 3 carnets of 10 (carnets 1-3); order B: 2 carnets of 10 (carnets 4-5).
  const passes = (orderId: string, first: number, carnets: number) =>
    Array.from({ length: carnets * 10 }, (_, i) => ({
      passId: randomUUID(),
      codeHash: (first * 100 + i).toString(16).padStart(32, '0'),
      carnetNumber: first + Math.floor(i / 10),
      position: (i % 10) + 1,
      orderId,
    }));
  const passesA = passes(orderA, 1, 3);
  const passesB = passes(orderB, 4, 2);

  const events: EventEnvelope[] = [];
  const push = <T extends EventType>(type: T, data: EventDataOf<T>, at?: string) => {
    const e = envelope(type, data, at);
    events.push(e);
    return e;
  };
  const lastDayA = addDays(today, 20);
  push('order.paid', {
    orderId: orderA,
    funderId: funderA,
    funderName: 'Grand Angoulême',
    offer: 'premium',
    carnetSize: 10,
    carnets: 3,
    faceValueCents: 30_000,
    options: [],
    rules: rules(lastDayA),
  });
  push('order.paid', {
    orderId: orderB,
    funderId: funderB,
    funderName: 'CCAS de Cognac',
    offer: 'standard',
    carnetSize: 10,
    carnets: 2,
    faceValueCents: 20_000,
    options: [],
    rules: rules(addDays(today, 365)),
  });
  push('passes.issued', {
    orderId: orderA,
    funderId: funderA,
    chunk: { index: 0, of: 2 },
    passes: passesA.slice(0, 20).map(({ orderId: _, ...p }) => p),
  });
  push('passes.issued', {
    orderId: orderA,
    funderId: funderA,
    chunk: { index: 1, of: 2 },
    passes: passesA.slice(20).map(({ orderId: _, ...p }) => p),
  });
  push('passes.issued', {
    orderId: orderB,
    funderId: funderB,
    chunk: { index: 0, of: 1 },
    passes: passesB.map(({ orderId: _, ...p }) => p),
  });
  push('passes.released', { orderId: orderA, carnetNumbers: [1, 2], releasedAt: '2026-10-20T09:00:00.000Z' });
  push('passes.released', { orderId: orderB, carnetNumbers: [4, 5], releasedAt: '2026-10-21T09:00:00.000Z' });
  // A prescripteur hands a carnet of each order out (the funders' "remis"), after its delivery.
  for (const [orderId, funderId, carnetNumber] of [
    [orderA, funderA, 1],
    [orderB, funderB, 4],
  ] as const)
    push('carnet.handed_out', {
      handOutId: randomUUID(),
      orderId,
      funderId,
      prescriberId: prescriber,
      prescriberName: 'CCAS de Cognac',
      carnetNumber,
      carnetSize: 10,
      handedOutAt: '2026-10-22T09:00:00.000Z',
      deliveredAt: '2026-10-20T09:00:00.000Z',
      publicCode: 'seniors',
      communeCode: '16102',
    });
  push('passes.blocked', {
    orderId: orderA,
    carnetNumber: 2,
    passIds: [passesA[18]!.passId, passesA[19]!.passId],
    reason: 'carnet perdu',
  });
  for (const p of places) push('place.qualified', p);
  offers.forEach((o) => push('offer.published', o));
  kiosks.forEach((kioskId, i) => push('kiosk.registered', { kioskId, placeId: places[i]!.placeId }));

  const redeem = (p: (typeof passesA)[number], funderId: string, at: number, scannedAt: string) =>
    push('pass.redeemed', {
      redemptionId: randomUUID(),
      passId: p.passId,
      orderId: p.orderId,
      funderId,
      placeId: places[at]!.placeId,
      kioskId: kiosks[at]!,
      offerId: offers[at]!.offerId,
      serviceActId: randomUUID(),
      faceValueCents: 1_000,
      scannedAt,
      lateUpload: false,
    });
  // A: 3 at place 0 on 2 November (carnets 1, 1, 2), 3 at place 1 on 3 November (carnet 3), one of them cancelled.
  redeem(passesA[0]!, funderA, 0, '2026-11-02T10:00:00.000Z');
  redeem(passesA[1]!, funderA, 0, '2026-11-02T11:00:00.000Z');
  redeem(passesA[10]!, funderA, 0, '2026-11-02T12:00:00.000Z');
  redeem(passesA[20]!, funderA, 1, '2026-11-03T10:00:00.000Z');
  redeem(passesA[21]!, funderA, 1, '2026-11-03T10:30:00.000Z');
  const undone = redeem(passesA[22]!, funderA, 1, '2026-11-03T11:00:00.000Z');
  push('redemption.cancelled', {
    redemptionId: undone.data.redemptionId,
    passId: passesA[22]!.passId,
    orderId: orderA,
    placeId: places[1]!.placeId,
    faceValueCents: 1_000,
    reason: 'erreur de service',
  });
  // B: 2 at place 0 on 2 November, from carnet 4.
  redeem(passesB[0]!, funderB, 0, '2026-11-02T13:00:00.000Z');
  redeem(passesB[1]!, funderB, 0, '2026-11-02T14:00:00.000Z');
  const deniedScan = (reason: 'already_redeemed' | 'unknown_pass', at: number, scannedAt: string) => ({
    scanId: randomUUID(),
    kioskId: kiosks[at]!,
    placeId: places[at]!.placeId,
    offerId: offers[at]!.offerId,
    reason,
    scannedAt,
  });
  push('scans.denied', {
    scans: [
      deniedScan('already_redeemed', 0, '2026-11-02T10:05:00.000Z'),
      deniedScan('unknown_pass', 0, '2026-11-02T10:06:00.000Z'),
    ],
  });
  push('scans.denied', { scans: [deniedScan('already_redeemed', 1, '2026-11-03T10:05:00.000Z')] });
  const payoutId = randomUUID();
  const payoutHeld = randomUUID();
  // The execution arrives before the sending: the later event wins all the same.
  push(
    'payout.executed',
    { payoutId, placeId: places[0]!.placeId, month: '2026-10', netCents: 3_840, executedOn: '2026-11-08' },
    '2026-11-08T09:00:00.000Z',
  );
  push(
    'payout.sent',
    { payoutId, placeId: places[0]!.placeId, month: '2026-10', netCents: 3_840, runId: randomUUID() },
    '2026-11-06T09:00:00.000Z',
  );
  push(
    'payout.held',
    { payoutId: payoutHeld, placeId: places[1]!.placeId, month: '2026-10', netCents: 960, reason: 'IBAN manquant' },
    '2026-11-06T09:00:00.000Z',
  );
  push('period.closed', {
    periodId: randomUUID(),
    month: '2026-10',
    placeId: places[0]!.placeId,
    grossCents: 4_000,
    feeCents: 160,
    netCents: 3_840,
    passCount: 4,
  });

  return {
    events,
    funderA,
    funderB,
    orderA,
    orderB,
    places,
    offers,
    kiosks,
    /** The dashboard range: November 2026. */
    range: { from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' },
    expected: {
      a: {
        passesIssued: 30,
        carnetsIssued: 3,
        passesReleased: 20,
        passesHandedOut: 10,
        passesRedeemed: 5,
        passesBlocked: 2,
        passesOutstanding: 23,
        carnetsStarted: 3,
        redeemedCents: 5_000,
        heldCents: 25_000,
        expiringPasses: 23,
        lastRedemptionDay: lastDayA,
        byDay: [
          ['2026-11-02', 3],
          ['2026-11-03', 2],
        ],
        byService: { demarches_en_ligne: 3, prise_en_main: 2 },
        byCommune: { '16015': 3, '16102': 2 },
      },
      b: { passesIssued: 20, passesRedeemed: 2, carnetsStarted: 1 },
    },
  };
}

/** Deterministic shuffle (a seeded LCG), so a failing order can be replayed. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * Qualification's ratings for the world's funders (service.rated, rating.withdrawn), published
 * beside its events by the dashboard tests. Analytics keeps a rating as a fact of its own, keyed
 * by its id: these stand for A's and B's redemptions at the places, more than the few the usage
 * panels count, so that a cell reaches the statistical secrecy threshold (11) and another does not.
 * A, in November: 12 at place 0 (scores 5×6, 4×4, 3×2: mean 4.33; 9 would go back: 75 %), 2 at
 * place 1 (hidden: under 11), one at place 1 withdrawn, one at place 0 in October (outside the
 * range). B: 11 at place 0, all 1 and would not go back.
 */
export function ratingEvents(w: ReturnType<typeof analyticsWorld>): EventEnvelope[] {
  const events: EventEnvelope[] = [];
  const rate = (
    funderId: string,
    orderId: string,
    at: number,
    score: number,
    wouldReturn: boolean,
    ratedAt: string,
  ) => {
    const e = envelope(
      'service.rated',
      {
        ratingId: randomUUID(),
        revision: 1,
        redemptionId: randomUUID(),
        passId: randomUUID(),
        orderId,
        funderId,
        placeId: w.places[at]!.placeId,
        offerId: w.offers[at]!.offerId,
        serviceCode: w.offers[at]!.serviceCode,
        score,
        wouldReturn,
        redeemedAt: ratedAt,
        ratedAt,
      },
      ratedAt,
    );
    events.push(e);
    return e;
  };
  const scoresA = [5, 5, 5, 5, 5, 5, 4, 4, 4, 4, 3, 3];
  scoresA.forEach((score, i) => rate(w.funderA, w.orderA, 0, score, i < 9, `2026-11-0${2 + (i % 3)}T15:00:00.000Z`));
  rate(w.funderA, w.orderA, 1, 2, false, '2026-11-03T16:00:00.000Z');
  rate(w.funderA, w.orderA, 1, 3, true, '2026-11-03T16:30:00.000Z');
  rate(w.funderA, w.orderA, 0, 1, false, '2026-10-15T15:00:00.000Z');
  const withdrawn = rate(w.funderA, w.orderA, 1, 1, false, '2026-11-03T17:00:00.000Z')
    .data as EventDataOf<'service.rated'>;
  events.push(
    envelope(
      'rating.withdrawn',
      {
        ratingId: withdrawn.ratingId,
        revision: 2,
        redemptionId: withdrawn.redemptionId,
        placeId: withdrawn.placeId,
        funderId: w.funderA,
        reason: 'Passage annulé',
      },
      '2026-11-03T18:00:00.000Z',
    ),
  );
  for (let i = 0; i < 11; i++) rate(w.funderB, w.orderB, 0, 1, false, '2026-11-02T16:00:00.000Z');
  return events;
}
