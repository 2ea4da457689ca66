/**
 * A small world for redemption's tests, built only from the events other services would send:
 * orders with various usage rules, carnets in every state, places in every state, offers, kiosks.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { passCode, passLookupHash, type EventEnvelope, type ScanMessage, type UsageRules } from '@aptic/contracts';
import { businessDate, queryRows, type RunningPlatform } from '@aptic/runtime';
import { RawPublisher, testEvent as event } from '../support/events.ts';
import { TEST_PASS_LOOKUP_KEY, eventually } from '../support/platform.ts';
import type { Isolated } from '../support/infra.ts';

const KEY = 'printing-test-key';
const year = Number(businessDate().slice(0, 4));

/** The envelope the redemption tests give their events. */
export { event };

const rules = (over: Partial<UsageRules> = {}): UsageRules => ({
  validFrom: `${year}-01-01`,
  validUntil: `${year}-12-31`,
  perimeter: { communes: ['16015', '16102'], epcis: [], departements: [] },
  resolvedCommunes: ['16015', '16102'],
  placeTypes: [],
  serviceCategories: [],
  publics: [],
  ...over,
});

/** Orders by what they test; carnet numbers are unique across the platform. */
const ORDERS = {
  main: {
    carnets: [1, 2, 3, 4],
    rules: rules({ perimeter: { communes: ['16015'], epcis: [], departements: [] }, resolvedCommunes: ['16015'] }),
  },
  libraryOnly: { carnets: [11], rules: rules({ placeTypes: ['bibliotheque'] }) },
  leisureOnly: { carnets: [12], rules: rules({ serviceCategories: ['loisirs_creations_numeriques'] }) },
  ended: { carnets: [13], rules: rules({ validFrom: `${year - 2}-01-01`, validUntil: `${year - 2}-06-30` }) },
  future: { carnets: [14], rules: rules({ validFrom: `${year + 1}-01-01`, validUntil: `${year + 1}-12-31` }) },
  open: { carnets: [15, 16, 17, 18, 19, 20, 21, 22, 23], rules: rules() },
} as const;
type OrderName = keyof typeof ORDERS;

export interface World {
  orderIds: Record<OrderName, string>;
  funderId: string;
  place: string;
  farPlace: string;
  suspendedPlace: string;
  noKitPlace: string;
  offer: string;
  farOffer: string;
  suspendedOffer: string;
  noKitOffer: string;
  kiosks: string[];
  farKiosk: string;
  suspendedKiosk: string;
  noKitKiosk: string;
  guessingKiosk: string;
  passIds: Map<string, string>;
  code(carnet: number, position: number): string;
  scan(carnet: number, position: number, over?: Partial<ScanMessage>): ScanMessage;
}

export async function buildWorld(
  infra: Pick<Isolated, 'natsUrl' | 'prefix'> & { natsCredsFile?: string },
  node: RunningPlatform,
): Promise<World> {
  const w = {
    orderIds: Object.fromEntries(Object.keys(ORDERS).map((k) => [k, randomUUID()])) as Record<OrderName, string>,
    funderId: randomUUID(),
    place: randomUUID(),
    farPlace: randomUUID(),
    suspendedPlace: randomUUID(),
    noKitPlace: randomUUID(),
    offer: randomUUID(),
    farOffer: randomUUID(),
    suspendedOffer: randomUUID(),
    noKitOffer: randomUUID(),
    kiosks: Array.from({ length: 100 }, () => randomUUID()),
    farKiosk: randomUUID(),
    suspendedKiosk: randomUUID(),
    noKitKiosk: randomUUID(),
    guessingKiosk: randomUUID(),
    passIds: new Map<string, string>(),
    code: (carnet: number, position: number) => passCode(KEY, carnet, position),
    scan(carnet: number, position: number, over: Partial<ScanMessage> = {}): ScanMessage {
      return {
        scanId: randomUUID(),
        kioskId: w.kiosks[0]!,
        sessionId: randomUUID(),
        offerId: w.offer,
        code: passCode(KEY, carnet, position),
        scannedAt: new Date().toISOString(),
        offline: false,
        ...over,
      };
    },
  };
  const events: EventEnvelope[] = [];
  for (const [name, order] of Object.entries(ORDERS) as [OrderName, (typeof ORDERS)[OrderName]][]) {
    const orderId = w.orderIds[name];
    const issued = order.carnets.flatMap((carnet) =>
      Array.from({ length: 10 }, (_, i) => ({
        passId: randomUUID(),
        codeHash: passLookupHash(TEST_PASS_LOOKUP_KEY, w.code(carnet, i + 1)),
        carnetNumber: carnet,
        position: i + 1,
      })),
    );
    for (const p of issued) w.passIds.set(w.code(p.carnetNumber, p.position), p.passId);
    const released = name === 'main' ? [1, 2, 4] : [...order.carnets];
    // Releases first on purpose: a read model must not depend on the order events arrive in.
    events.push(event('passes.released', { orderId, carnetNumbers: released, releasedAt: new Date().toISOString() }));
    events.push(
      event('order.paid', {
        orderId,
        funderId: w.funderId,
        funderName: 'Commune de Test',
        offer: 'premium',
        carnetSize: 10,
        carnets: order.carnets.length,
        faceValueCents: order.carnets.length * 10_000,
        options: [],
        rules: order.rules,
      }),
    );
    events.push(event('passes.issued', { orderId, funderId: w.funderId, chunk: { index: 0, of: 1 }, passes: issued }));
    if (name === 'main')
      events.push(
        event('passes.blocked', {
          orderId,
          carnetNumber: 4,
          passIds: issued.filter((p) => p.carnetNumber === 4).map((p) => p.passId),
          reason: 'volé',
        }),
      );
  }
  const earlier = new Date(Date.now() - 60_000);
  const qualified = (placeId: string, name: string, type: string, communeCode: string, at = new Date()) =>
    event('place.qualified', { placeId, name, type, communeCode, departementCode: '16' }, at);
  events.push(
    event('kit.subscribed', { placeId: w.place, plan: 'monthly' }),
    event('kit.subscribed', { placeId: w.farPlace, plan: 'yearly' }),
    event('kit.subscribed', { placeId: w.suspendedPlace, plan: 'monthly' }),
    qualified(w.place, 'Centre social de la Grand Font', 'centre_social', '16015'),
    qualified(w.farPlace, 'Médiathèque de Cognac', 'bibliotheque', '16102'),
    qualified(w.suspendedPlace, 'Fablab de Soyaux', 'fablab', '16015', earlier),
    event('place.suspended', { placeId: w.suspendedPlace, reason: 'contrôle qualité' }),
    qualified(w.noKitPlace, 'Tiers-lieu de Ruelle', 'tiers_lieu', '16015'),
    event('offer.published', {
      offerId: w.offer,
      placeId: w.place,
      serviceCode: 'atelier_collectif',
      categoryCode: 'maitrise_outils_numeriques_quotidien',
      priceCents: 1_500,
      group: true,
    }),
    event('offer.published', {
      offerId: w.farOffer,
      placeId: w.farPlace,
      serviceCode: 'seance_individuelle',
      categoryCode: 'aide_demarches_administratives',
      priceCents: 1_000,
      group: false,
    }),
    event('offer.published', {
      offerId: w.suspendedOffer,
      placeId: w.suspendedPlace,
      serviceCode: 'seance_individuelle',
      categoryCode: 'aide_demarches_administratives',
      priceCents: 1_000,
      group: false,
    }),
    event('offer.published', {
      offerId: w.noKitOffer,
      placeId: w.noKitPlace,
      serviceCode: 'seance_individuelle',
      categoryCode: 'aide_demarches_administratives',
      priceCents: 1_000,
      group: false,
    }),
    ...w.kiosks.map((kioskId) => event('kiosk.registered', { kioskId, placeId: w.place })),
    event('kiosk.registered', { kioskId: w.farKiosk, placeId: w.farPlace }),
    event('kiosk.registered', { kioskId: w.suspendedKiosk, placeId: w.suspendedPlace }),
    event('kiosk.registered', { kioskId: w.noKitKiosk, placeId: w.noKitPlace }),
    event('kiosk.registered', { kioskId: w.guessingKiosk, placeId: w.place }),
  );
  const publisher = await RawPublisher.open(infra.natsUrl, infra.prefix, infra.natsCredsFile);
  for (const e of events) await publisher.publish(e, { msgID: e.id });
  await publisher.close();
  const counts = async () => {
    const rows = await queryRows<{ n: string }>(
      node.database.db,
      sql`SELECT (SELECT count(*) FROM redemption.pass) || ',' || (SELECT count(*) FROM redemption.kiosk) || ',' || (SELECT count(*) FROM redemption.place WHERE name IS NOT NULL) || ',' || (SELECT count(*) FROM redemption.offer) || ',' || (SELECT count(*) FROM redemption.order_rules) || ',' || (SELECT count(*) FROM redemption.pass_block) || ',' || (SELECT count(*) FROM redemption.place WHERE NOT qualified) AS n`,
    );
    return rows[0]!.n;
  };
  await eventually(
    counts,
    (n) => n === `${Object.values(ORDERS).flatMap((o) => o.carnets).length * 10},104,4,4,6,10,1`,
    30_000,
  );
  return w;
}
