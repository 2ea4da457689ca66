/**
 * What the chaos run scans, made through the services' own admin APIs, as staff would: a funder's
 * order paid, its passes issued and released; qualified places with their kit, an offer and kiosks.
 */
import { sql } from 'drizzle-orm';
import { passCode } from '@aptic/contracts';
import { connectPostgres, queryRows } from '@aptic/runtime';
import { TEST_PASS_CODE_KEY, call, eventually } from '../support/platform.ts';
import { qualifiedPlace, siretFrom } from '../qualification/support.ts';
import { offerOnceQualified } from '../catalogue/support.ts';
import type { Cluster } from './cluster.ts';

export interface ChaosWorld {
  funderId: string;
  orderId: string;
  /** Each kiosk with the offer of its place. */
  kiosks: { id: string; offerId: string }[];
  /** The printed code of a pass, by its index in the order (no two of one carnet in a row). */
  code(index: number): string;
  passCount: number;
}

/** The body of a successful answer (any 2xx); anything else stops the run with the refusal. */
async function ok(response: Promise<{ status: number; body: any }>) {
  const r = await response;
  if (r.status < 200 || r.status > 299) throw new Error(`${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

export async function buildWorld(
  cluster: Cluster,
  options: { carnets: number; places: number; kiosksPerPlace: number },
): Promise<ChaosWorld> {
  const url = (s: Parameters<Cluster['url']>[0]) => cluster.url(s);
  const funder = await ok(
    call(`${url('ordering')}/funders`, {
      method: 'POST',
      body: {
        name: 'Département de la Charente',
        kind: 'collectivite',
        siret: '73282932000074',
        publicProcurement: true,
        billingAddress: { line1: '31 boulevard Émile Roux', postalCode: '16000', city: 'Angoulême' },
      },
    }),
  );
  const quote = await ok(
    call(`${url('ordering')}/quotes`, {
      method: 'POST',
      body: {
        funderId: funder.id,
        offer: 'plus',
        carnetSize: 10,
        carnets: options.carnets,
        options: [],
        rules: { perimeter: { departements: ['16'] } },
      },
    }),
  );
  const orderId: string = quote.id;
  await ok(
    call(`${url('ordering')}/quotes/${orderId}/acceptance/purchase-order`, {
      method: 'POST',
      body: { reference: 'BC-CHAOS-1' },
    }),
  );
  await ok(
    call(`${url('ordering')}/orders/${orderId}/payments`, {
      method: 'POST',
      body: { amountCents: options.carnets * 10_000, receivedOn: quote.issuedOn, reference: 'VIR-CHAOS' },
    }),
  );
  const printed = await eventually(
    () => call(`${url('printing')}/orders/${orderId}`),
    (r) => r.body?.passes === options.carnets * 10,
    60_000,
  );
  await ok(
    call(`${url('printing')}/orders/${orderId}/release`, {
      method: 'POST',
      body: { reason: 'Carnets remis en main propre' },
    }),
  );

  const kiosks: ChaosWorld['kiosks'] = [];
  for (let p = 0; p < options.places; p++) {
    const placeId = await qualifiedPlace(url('qualification'), siretFrom(9_100 + p), {
      name: `Espace numérique ${p + 1}`,
    });
    await ok(call(`${url('qualification')}/places/${placeId}/kit`, { method: 'POST', body: { plan: 'monthly' } }));
    const offer = await offerOnceQualified(url('catalogue'), placeId, 30_000);
    for (let k = 0; k < options.kiosksPerPlace; k++) {
      const kiosk = await ok(
        call(`${url('qualification')}/places/${placeId}/kiosks`, { method: 'POST', body: { name: `Borne ${k + 1}` } }),
      );
      kiosks.push({ id: kiosk.id, offerId: offer.body.id });
    }
  }

  // Redemption knows every pass, place, offer and kiosk before the first scan.
  const db = connectPostgres(cluster.databaseUrl);
  try {
    await eventually(
      async () =>
        (
          await queryRows<{ ready: string }>(
            db.db,
            sql`SELECT (SELECT count(*) FROM redemption.pass WHERE order_id = ${orderId}) || '/' ||
              (SELECT count(*) FROM redemption.carnet_release WHERE order_id = ${orderId}) || '/' ||
              (SELECT count(*) FROM redemption.place WHERE qualified AND kit_active) || '/' ||
              (SELECT count(*) FROM redemption.offer) || '/' || (SELECT count(*) FROM redemption.kiosk) AS ready`,
          )
        )[0]!.ready,
      (r) => r === `${options.carnets * 10}/${options.carnets}/${options.places}/${options.places}/${kiosks.length}`,
      60_000,
    );
  } finally {
    await db.close();
  }
  const first: number = printed.body.firstCarnet;
  return {
    funderId: funder.id,
    orderId,
    kiosks,
    passCount: options.carnets * 10,
    // Pass i: carnet i mod carnets, position i div carnets (so consecutive passes are of other carnets).
    code: (i) => passCode(TEST_PASS_CODE_KEY, first + (i % options.carnets), Math.floor(i / options.carnets) + 1),
  };
}
