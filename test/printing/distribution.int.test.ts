/**
 * The distribution network: prescripteurs, their stock of carnets by ranges, hand-outs scanned
 * with the real agent in distribution mode, activation at hand-out, the renewal of a 5-pass
 * carnet, every refusal, the funder's figures — printing, redemption and analytics each on their
 * own broker node over NATS, real PostgreSQL.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sql } from 'drizzle-orm';
import { EventData, carnetBarcode, passCode, type EventEnvelope, type Verdict } from '@aptic/contracts';
import { queryRows, type RunningPlatform } from '@aptic/runtime';
import { printing } from '@aptic/printing';
import { redemption } from '@aptic/redemption';
import { analytics } from '@aptic/analytics';
import { processScan } from '@aptic/redemption/db/scans.ts';
import { isolate, type Isolated } from '../support/infra.ts';
import { publishEvents } from '../support/events.ts';
import { TEST_PASS_CODE_KEY, call, eventually, startDistributed } from '../support/platform.ts';
import { event } from '../redemption/world.ts';
import { validSiret } from '../support/siret.ts';
import { openRules } from '../support/rules.ts';

let infra: Isolated;
const nodes: Record<string, RunningPlatform> = {};
const url = (service: string) => nodes[service]!.services[0]!.url;
const funderId = randomUUID();
const handOutOrder = randomUUID();
const deliveryOrder = randomUUID();
const place = { placeId: randomUUID(), offerId: randomUUID(), kioskId: randomUUID() };

const paid = (orderId: string, carnetSize: 5 | 10, carnets: number, over: Parameters<typeof openRules>[0]) =>
  event('order.paid', {
    orderId,
    funderId,
    funderName: 'CCAS d’Angoulême',
    offer: 'plus',
    carnetSize,
    carnets,
    faceValueCents: carnets * carnetSize * 1_000,
    options: [],
    rules: openRules(over),
  });

async function publish(events: EventEnvelope[]): Promise<void> {
  await publishEvents(infra, events);
}

/** A pass of a carnet scanned at the place's kiosk, judged by redemption as a kiosk's scan is. */
const scan = (carnet: number, position: number): Promise<Verdict> =>
  nodes.redemption!.services[0]!.context.transaction((tx, emit) =>
    processScan(tx, emit, {
      scanId: randomUUID(),
      kioskId: place.kioskId,
      sessionId: randomUUID(),
      offerId: place.offerId,
      code: passCode(TEST_PASS_CODE_KEY, carnet, position),
      scannedAt: new Date().toISOString(),
      offline: false,
    }),
  );
const rows = async <T>(node: string, query: ReturnType<typeof sql>) => queryRows<T>(nodes[node]!.database.db, query);

/** The carnets of each order, as printing numbered them. */
let a: number[];
let b: number[];
let prescriber: { id: string; token: string };
let other: { id: string; token: string };

beforeAll(async () => {
  infra = await isolate();
  for (const s of [printing, redemption, analytics]) nodes[s.name] = await startDistributed(infra, [s]);
  await publish([
    paid(handOutOrder, 5, 6, { publics: ['jeunes', 'seniors'], activation: 'hand_out' }),
    paid(deliveryOrder, 10, 2, {}),
    event('place.qualified', {
      placeId: place.placeId,
      name: 'Centre social de la Grand Font',
      type: 'centre_social',
      communeCode: '16015',
      departementCode: '16',
    }),
    event('kit.subscribed', { placeId: place.placeId, plan: 'monthly' }),
    event('offer.published', {
      offerId: place.offerId,
      placeId: place.placeId,
      serviceCode: 'seance_individuelle',
      categoryCode: 'aide_demarches_administratives',
      priceCents: 1_000,
      group: false,
    }),
    event('kiosk.registered', { kioskId: place.kioskId, placeId: place.placeId }),
  ]);
  const carnetsOf = async (orderId: string, n: number) => {
    const order = await eventually(
      () => call(`${url('printing')}/orders/${orderId}`),
      (r) => r.body?.carnets === n,
      30_000,
    );
    return Array.from({ length: n }, (_, i) => order.body.firstCarnet + i);
  };
  a = await carnetsOf(handOutOrder, 6);
  b = await carnetsOf(deliveryOrder, 2);
  const register = async (body: object, name: string) => {
    const created = await call(`${url('printing')}/prescribers`, { method: 'POST', body });
    expect(created.status).toBe(201);
    const token = await call(`${url('printing')}/admin/tokens`, {
      method: 'POST',
      body: { name, role: 'prescriber', prescriberId: created.body.id },
    });
    return { id: created.body.id as string, token: token.body.token as string };
  };
  prescriber = await register(
    {
      name: 'CCAS d’Angoulême',
      siret: validSiret(16015),
      communeCode: '16015',
      contactName: 'Accueil du CCAS',
      contactEmail: 'accueil@ccas-angouleme.example',
    },
    'CCAS accueil',
  );
  // A médiation place that is a prescripteur too (one organisation, both roles).
  other = await register(
    {
      name: 'Centre social de la Grand Font',
      rna: 'W161000123',
      communeCode: '16015',
      contactName: 'Direction',
      contactEmail: 'direction@grandfont.example',
      placeId: place.placeId,
    },
    'Grand Font',
  );
}, 120_000);
afterAll(async () => {
  for (const node of Object.values(nodes)) await node.stop();
  await infra?.cleanup();
});

const handOut = (body: object, who = prescriber) =>
  call(`${url('printing')}/prescribers/${who.id}/hand-outs`, { method: 'POST', body, token: who.token });
const handOutCount = async () =>
  (await rows<{ n: number }>('printing', sql`SELECT count(*)::int AS n FROM printing.hand_out`))[0]!.n;

describe('a prescripteur hands out carnets', () => {
  test('delivery of an order activated at hand-out releases nothing: a delivered pass is refused, in French', async () => {
    const p = url('printing');
    const proof = (await call(`${p}/orders/${handOutOrder}/proofs`, { method: 'POST' })).body;
    const job = (await call(`${p}/proofs/${proof.id}/approval`, { method: 'POST', body: {} })).body.job;
    await eventually(
      () => call(`${p}/print-jobs/${job.id}/progress`),
      (r) => r.body?.status === 'ready',
      90_000,
    );
    await call(`${p}/print-jobs/${job.id}/printed`, { method: 'POST', body: {} });
    await call(`${p}/print-jobs/${job.id}/shipped`, {
      method: 'POST',
      body: { carrier: 'La Poste', tracking: '6A42', deliveryPoint: 'CCAS d’Angoulême' },
    });
    expect((await call(`${p}/print-jobs/${job.id}/delivered`, { method: 'POST', body: {} })).body.status).toBe(
      'delivered',
    );
    expect((await call(`${p}/orders/${handOutOrder}`)).body.releasedCarnets).toBe(0);
    // The other order is released the ordinary way (here by staff, as a delivery confirmed by phone).
    await call(`${p}/orders/${deliveryOrder}/release`, { method: 'POST', body: { reason: 'livraison confirmée' } });
    await eventually(
      async () =>
        (
          await rows<{ n: number }>(
            'redemption',
            sql`SELECT (SELECT count(*)::int FROM redemption.pass) + (SELECT count(*)::int FROM redemption.carnet_release)
                     + (SELECT count(*)::int FROM redemption.kiosk) + (SELECT count(*)::int FROM redemption.offer)
                     + (SELECT count(*)::int FROM redemption.place WHERE kit_active AND qualified) AS n`,
          )
        )[0]!.n,
      (n) => n === 30 + 20 + 2 + 1 + 1 + 1,
      30_000,
    );
    expect(await scan(a[0]!, 1)).toMatchObject({
      outcome: 'denied',
      reason: 'not_handed_out',
      message:
        'Ce pass n’est pas encore activé : son carnet doit d’abord être remis au bénéficiaire par un prescripteur.',
    });
    expect(await scan(b[0]!, 1)).toMatchObject({ outcome: 'accepted' });
  }, 150_000);

  test('staff allocate carnet ranges to prescripteurs; overlaps and ranges past the order are refused', async () => {
    const allocate = (who: { id: string }, orderId: string, first: number, last: number) =>
      call(`${url('printing')}/prescribers/${who.id}/allocations`, {
        method: 'POST',
        body: { orderId, firstCarnet: first, lastCarnet: last },
      });
    expect((await allocate(prescriber, handOutOrder, a[0]!, a[4]!)).body).toMatchObject({ carnets: 5 });
    expect((await allocate(other, handOutOrder, a[5]!, a[5]!)).status).toBe(201);
    expect((await allocate(prescriber, deliveryOrder, b[0]!, b[1]!)).status).toBe(201);
    expect((await allocate(other, handOutOrder, a[4]!, a[5]!)).body).toMatchObject({ code: 'already_allocated' });
    expect((await allocate(other, handOutOrder, a[5]!, a[5]! + 5)).body).toMatchObject({
      code: 'range_outside_order',
    });
    // The prescripteur sees its own stock; another prescripteur's record answers 404.
    const own = await call(`${url('printing')}/prescribers/${prescriber.id}`, { token: prescriber.token });
    expect(own.body.stock).toContainEqual({
      orderId: handOutOrder,
      allocated: 5,
      handedOut: 0,
      inStock: 5,
      ranges: [[a[0], a[4]]],
    });
    expect((await call(`${url('printing')}/prescribers/${other.id}`, { token: prescriber.token })).status).toBe(404);
  });

  test('hand-out by scanning the cover with the agent in distribution mode; the pass is then accepted', async () => {
    const agent = spawn(process.execPath, ['agent/bin/agent.ts'], {
      env: {
        ...process.env,
        AGENT_MODE: 'distribution',
        AGENT_SOURCE: 'stdin',
        AGENT_PLATFORM_URL: url('printing'),
        AGENT_TOKEN: prescriber.token,
        AGENT_PRESCRIBER_ID: prescriber.id,
        AGENT_ORDER_ID: handOutOrder,
      },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    const screen: string[] = [];
    agent.stdout!.setEncoding('utf8');
    agent.stdout!.on('data', (chunk: string) => screen.push(...chunk.split('\n').filter(Boolean)));
    try {
      const lines = [
        'public:jeunes',
        'commune:16015',
        carnetBarcode(a[0]!),
        carnetBarcode(a[1]!),
        carnetBarcode(b[0]!),
      ];
      agent.stdin!.write(lines.map((l) => `${l}\n`).join(''));
      const answers = await eventually(
        async () => screen.filter((l) => /^[✔✘] Carnet/.test(l)),
        (l) => l.length === 3,
        30_000,
      );
      expect(answers).toEqual([
        `✔ Carnet ${a[0]} remis`,
        `✔ Carnet ${a[1]} remis`,
        `✘ Carnet ${b[0]} non remis — Le carnet ${b[0]} appartient à une autre commande que celle que vous distribuez : ne le remettez pas dans cette distribution.`,
      ]);
    } finally {
      agent.kill('SIGTERM');
    }
    const recorded = await rows<Record<string, unknown>>(
      'printing',
      sql`SELECT carnet_number, public_code, commune_code, prescriber_id FROM printing.hand_out ORDER BY carnet_number`,
    );
    expect(recorded).toEqual([
      { carnet_number: a[0], public_code: 'jeunes', commune_code: '16015', prescriber_id: prescriber.id },
      { carnet_number: a[1], public_code: null, commune_code: null, prescriber_id: prescriber.id },
    ]);
    // Activation at hand-out: the carnet's passes are redeemable now, through passes.released.
    const verdict = await eventually(
      () => scan(a[0]!, 1),
      (v) => v.outcome === 'accepted',
      15_000,
    );
    expect(verdict).toMatchObject({ outcome: 'accepted' });
    expect((await scan(a[2]!, 1)).outcome).toBe('denied');
  });

  test('every refusal is typed, in French, and records nothing', async () => {
    // A carnet of the stock declared stolen.
    expect(
      (await call(`${url('printing')}/carnets/${a[4]}/block`, { method: 'POST', body: { reason: 'volé au CCAS' } }))
        .status,
    ).toBe(200);
    const before = await handOutCount();
    const cases: [object, typeof prescriber, number, string][] = [
      [{ orderId: handOutOrder, carnet: carnetBarcode(a[0]!) }, prescriber, 409, 'already_handed_out'],
      [{ orderId: handOutOrder, carnet: a[5]! }, prescriber, 409, 'carnet_not_allocated'],
      [{ orderId: handOutOrder, carnet: carnetBarcode(b[1]!) }, prescriber, 409, 'carnet_of_another_order'],
      [{ orderId: handOutOrder, carnet: 9_999_999 }, prescriber, 404, 'unknown_carnet'],
      [{ orderId: handOutOrder, carnet: 'SRV-x' }, prescriber, 422, 'not_a_carnet_code'],
      [
        { orderId: handOutOrder, carnet: a[2]!, publicCode: 'tpe_independants' },
        prescriber,
        422,
        'public_not_targeted',
      ],
      [{ orderId: handOutOrder, carnet: a[2]!, communeCode: '99999' }, prescriber, 422, 'unknown_commune'],
      [{ orderId: handOutOrder, carnet: a[2]!, name: 'Jeanne Martin' }, prescriber, 400, 'invalid_body'],
      [{ orderId: handOutOrder, carnet: a[2]! }, other, 409, 'carnet_not_allocated'],
      [{ orderId: handOutOrder, carnet: a[4]! }, prescriber, 409, 'carnet_blocked'],
    ];
    for (const [body, who, status, code] of cases) {
      const refused = await handOut(body, who);
      expect({ body, status: refused.status, code: refused.body.code }).toEqual({ body, status, code });
      expect(refused.body.message.length).toBeGreaterThan(10);
    }
    // Another prescripteur's token cannot act for this one.
    expect(
      (await handOut({ orderId: handOutOrder, carnet: a[2]! }, { ...prescriber, token: other.token })).status,
    ).toBe(404);
    expect(await handOutCount()).toBe(before);
    const m = await call(`${url('printing')}/prescribers/${prescriber.id}/hand-outs`, { token: prescriber.token });
    expect(m.body.map((h: { carnetNumber: number }) => h.carnetNumber).sort()).toEqual([a[0], a[1]]);
  });

  test('a 5-pass carnet is renewed once, and only once one of its passes was used', async () => {
    const renew = (carnet: number, renewed: number | string) =>
      handOut({ orderId: handOutOrder, carnet, renewsCarnet: renewed, publicCode: 'seniors' });
    expect((await renew(a[2]!, carnetBarcode(a[1]!))).body.code).toBe('renewed_carnet_unused');
    expect((await renew(a[2]!, b[0]!)).body.code).toBe('renewal_requires_five_pass_carnets');
    expect((await renew(a[2]!, a[3]!)).body.code).toBe('renewed_carnet_not_handed_out');
    await eventually(
      () => scan(a[1]!, 1),
      (v) => v.outcome === 'accepted',
      15_000,
    );
    const renewal = await renew(a[2]!, carnetBarcode(a[1]!));
    expect(renewal.status).toBe(201);
    expect(renewal.body).toMatchObject({ carnetNumber: a[2], renewsCarnetNumber: a[1] });
    expect((await renew(a[3]!, a[1]!)).body.code).toBe('already_renewed');
    expect((await renew(a[3]!, a[2]!)).body.code).toBe('renewal_of_renewal');
    expect((await renew(a[3]!, a[0]!)).status).toBe(201);
  });

  test('the funder’s figures: handed out from the hand-outs (not the deliveries), per prescripteur, public, commune, delays', async () => {
    const figures = await eventually(
      () => call(`${url('analytics')}/funders/${funderId}/figures`),
      (f) => f.body?.totals?.carnetsHandedOut === 4 && f.body.totals.passesRedeemed === 3,
      30_000,
    );
    expect(figures.body.totals).toEqual({
      carnetsIssued: 8,
      passesIssued: 50,
      // Released: the other order's two carnets, and the four handed out.
      carnetsReleased: 6,
      carnetsHandedOut: 4,
      carnetsRenewed: 2,
      carnetsStarted: 3,
      passesRedeemed: 3,
    });
    const d = (await call(`${url('analytics')}/funders/${funderId}/distribution`)).body;
    expect(d).toMatchObject({
      handedOut: 4,
      renewals: 2,
      byPrescriber: [{ prescriberId: prescriber.id, name: 'CCAS d’Angoulême', handedOut: 4, renewals: 2 }],
      byCommune: [
        { code: null, handedOut: 3, renewals: 2 },
        { code: '16015', handedOut: 1, renewals: 0 },
      ],
    });
    expect(d.byPublic).toEqual([
      { code: 'seniors', handedOut: 2, renewals: 2 },
      { code: 'jeunes', handedOut: 1, renewals: 0 },
      { code: null, handedOut: 1, renewals: 0 },
    ]);
    // Every hand-out came after the delivery; two carnets were used after their hand-out.
    expect(d.delays.toHandOut.carnets).toBe(4);
    expect(d.delays.toHandOut.medianHours).toBeGreaterThanOrEqual(0);
    expect(d.delays.toFirstUse.carnets).toBe(2);
    expect(d.delays.toFirstUse.medianHours).toBeGreaterThanOrEqual(0);
  });
});

describe('data minimisation', () => {
  const PERSONAL = /name|nom|address|adresse|street|rue|postal|birth|naissance|age|phone|email|mail/i;
  const HAND_OUT_FIELDS = [
    'carnet_number',
    'id',
    'order_id',
    'prescriber_id',
    'handed_out_at',
    'handed_out_by',
    'public_code',
    'commune_code',
    'renews_carnet_number',
  ];

  test('the hand-out record holds no personal data field: exactly these columns, none of them about a person', async () => {
    for (const [node, table, fields] of [
      ['printing', 'hand_out', HAND_OUT_FIELDS],
      [
        'analytics',
        'hand_out_fact',
        [
          'hand_out_id',
          'funder_id',
          'order_id',
          'prescriber_id',
          'prescriber_name',
          'carnet_number',
          'handed_out_at',
          'delivered_at',
          'public_code',
          'commune_code',
          'renews_carnet_number',
        ],
      ],
    ] as const) {
      const columns = await rows<{ column_name: string }>(
        node,
        sql`SELECT column_name FROM information_schema.columns WHERE table_schema = ${node} AND table_name = ${table} ORDER BY ordinal_position`,
      );
      expect(columns.map((c) => c.column_name)).toEqual(fields);
      // handed_out_by names the token that recorded it (the prescripteur's staff); prescriber_name is the organisation.
      const aboutBeneficiary = fields.filter((f) => !['handed_out_by', 'prescriber_name'].includes(f));
      expect(aboutBeneficiary.filter((f) => PERSONAL.test(f))).toEqual([]);
    }
  });

  test('the carnet.handed_out event allows no other field than its own, none of them about a person', () => {
    const schema = EventData['carnet.handed_out'];
    expect(schema.additionalProperties).toBe(false);
    const fields = Object.keys(schema.properties);
    expect(fields).toEqual([
      'handOutId',
      'orderId',
      'funderId',
      'prescriberId',
      'prescriberName',
      'carnetNumber',
      'carnetSize',
      'handedOutAt',
      'deliveredAt',
      'publicCode',
      'communeCode',
      'renewsCarnetNumber',
    ]);
    expect(fields.filter((f) => f !== 'prescriberName' && PERSONAL.test(f))).toEqual([]);
  });
});
