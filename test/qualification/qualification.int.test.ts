import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sql } from 'drizzle-orm';
import { qualificationService } from '@aptic/qualification';
import { settlement } from '@aptic/settlement';
import { queryRows, type RunningPlatform } from '@aptic/runtime';
import type { EventEnvelope } from '@aptic/contracts';
import { isolate, type Isolated } from '../support/infra.ts';
import { call, eventually, startDistributed } from '../support/platform.ts';
import { passRedeemed, RawPublisher } from '../support/events.ts';
import { bestAnswers, probe, qualifiedPlace, siretFrom, validPlace } from './support.ts';
import { kitActivation } from '@aptic/qualification/db/consumers.ts';

let infra: Isolated;
let node: RunningPlatform;
let probeNode: RunningPlatform;
let url: string;
// Stands in for redemption, on another node: what it would learn from qualification.
const listener = probe([
  'place.qualified',
  'place.suspended',
  'place.revoked',
  'kit.subscribed',
  'kit.activated',
  'kit.cancelled',
]);
type Heard = (typeof listener.seen)[number]['type'];
const of = <T extends Heard>(type: T, placeId: string) =>
  listener.seen.filter((e): e is EventEnvelope<T> => e.type === type && e.data.placeId === placeId);
let sirets = 0;
const nextSiret = () => siretFrom(++sirets);

beforeAll(async () => {
  infra = await isolate();
  // No kiosk signing keys in this environment: kiosk registration must say so (503).
  node = await startDistributed(infra, [qualificationService({})]);
  probeNode = await startDistributed(infra, [{ ...settlement, consumers: () => listener.consumers }]);
  url = node.services[0]!.url;
});
afterAll(async () => {
  await probeNode?.stop();
  await node?.stop();
  await infra?.cleanup();
});

const count = async (table: string) =>
  (
    await queryRows<{ n: number }>(node.database.db, sql.raw(`SELECT count(*)::int AS n FROM qualification.${table}`))
  )[0]!.n;
/** Events ever written to the outbox: its sequence, since the relay empties the table itself at any moment. */
const eventsWritten = async () =>
  (
    await queryRows<{ n: number }>(
      node.database.db,
      sql`SELECT (last_value + is_called::int)::int AS n FROM qualification.outbox_seq_seq`,
    )
  )[0]!.n;
const token = async (role: string) =>
  (await call(`${url}/admin/tokens`, { method: 'POST', body: { name: role, role } })).body.token as string;

describe('qualification of a place', () => {
  let placeId: string;

  test('application → questionnaire → score → charter → decision → place.qualified on another node', async () => {
    const created = await call(`${url}/places`, { method: 'POST', body: validPlace(nextSiret()) });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      status: 'applied',
      communeCode: '16015',
      departementCode: '16',
      epciCode: '200071827',
      openingHours: 'Mo-Fr 09:00-12:00,14:00-18:00; Sa 10:00-12:00',
    });
    placeId = created.body.id;

    const scored = await call(`${url}/places/${placeId}/questionnaire`, {
      method: 'POST',
      body: await bestAnswers(url),
    });
    expect(scored.status).toBe(201);
    expect(scored.body).toMatchObject({
      version: '2025-01',
      overall: 100,
      proposal: 'qualified',
      themes: { aptitudes: 100, publics: 100 },
    });

    // Not before the charter is signed.
    expect(
      (await call(`${url}/places/${placeId}/decision`, { method: 'POST', body: { decision: 'qualified' } })).body.code,
    ).toBe('charter_not_signed');
    const charter = await call(`${url}/places/${placeId}/charter`, {
      method: 'POST',
      body: { version: '2025-01', signedOn: '2026-01-05', signerName: 'Camille Martin', signerRole: 'Directrice' },
    });
    expect(charter.status).toBe(201);
    const decided = await call(`${url}/places/${placeId}/decision`, {
      method: 'POST',
      body: { decision: 'qualified' },
    });
    expect(decided).toMatchObject({ status: 200, body: { status: 'qualified' } });

    await eventually(
      async () => of('place.qualified', placeId).length,
      (n) => n === 1,
    );
    expect(of('place.qualified', placeId)[0]!.data).toEqual({
      placeId,
      placeVersion: expect.any(Number),
      name: 'Espace numérique de Basseau',
      type: 'espace_public_numerique',
      communeCode: '16015',
      epciCode: '200071827',
      departementCode: '16',
      openingHours: 'Mo-Fr 09:00-12:00,14:00-18:00; Sa 10:00-12:00',
      latitude: 45.65,
      longitude: 0.15,
      address: '12 rue de Basseau',
      postalCode: '16000',
    });
  });

  test('staff may override a proposal, with a reason only', async () => {
    const id = (await call(`${url}/places`, { method: 'POST', body: validPlace(nextSiret()) })).body.id;
    const { version, answers } = await bestAnswers(url);
    const scored = await call(`${url}/places/${id}/questionnaire`, {
      method: 'POST',
      body: { version, answers: { ...answers, apt_accueil: 'non' } },
    });
    expect(scored.body.proposal).toBe('refused');
    await call(`${url}/places/${id}/charter`, {
      method: 'POST',
      body: { version: '2025-01', signedOn: '2026-01-05', signerName: 'Léa Dupont' },
    });
    expect(
      (await call(`${url}/places/${id}/decision`, { method: 'POST', body: { decision: 'qualified' } })).body,
    ).toMatchObject({ code: 'reason_required', field: 'reason' });
    const overridden = await call(`${url}/places/${id}/decision`, {
      method: 'POST',
      body: {
        decision: 'qualified',
        reason: 'Permanences itinérantes vérifiées sur place : accueil du public effectif.',
      },
    });
    expect(overridden.body.status).toBe('qualified');
    const assessment = (await call(`${url}/places/${id}/assessment`)).body;
    expect(assessment).toMatchObject({
      proposal: 'refused',
      decision: 'qualified',
      decisionReason: expect.stringContaining('itinérantes'),
    });
  });

  test('suspension, reinstatement and revocation are events; revocation is final and ends the kit', async () => {
    expect((await call(`${url}/places/${placeId}/kit`, { method: 'POST', body: { plan: 'yearly' } })).status).toBe(201);
    expect(
      (await call(`${url}/places/${placeId}/suspension`, { method: 'POST', body: { reason: 'Contrôle en cours' } }))
        .body.status,
    ).toBe('suspended');
    expect(
      (await call(`${url}/places/${placeId}/reinstatement`, { method: 'POST', body: { reason: 'Contrôle levé' } })).body
        .status,
    ).toBe('qualified');
    expect(
      (await call(`${url}/places/${placeId}/revocation`, { method: 'POST', body: { reason: 'Charte non respectée' } }))
        .body.status,
    ).toBe('revoked');
    expect(
      await call(`${url}/places/${placeId}/reinstatement`, { method: 'POST', body: { reason: 'Erreur' } }),
    ).toMatchObject({ status: 409, body: { code: 'invalid_transition' } });
    await eventually(
      async () => [
        of('place.suspended', placeId).length,
        of('place.revoked', placeId).length,
        of('place.qualified', placeId).length,
        of('kit.cancelled', placeId).length,
      ],
      (n) => n.join() === '1,1,2,1',
    );
    expect(of('place.revoked', placeId)[0]!.data.reason).toBe('Charte non respectée');
    const trail = (await call(`${url}/places/${placeId}/audit`)).body as { action: string; actor: string }[];
    expect(trail.map((t) => t.action)).toEqual([
      'apply',
      'score',
      'move:assessed',
      'sign',
      'move:qualified',
      'subscribe',
      'move:suspended',
      'move:qualified',
      'move:revoked',
      'cancel',
    ]);
    expect(trail.every((t) => t.actor.includes('APTIC_ADMIN_TOKEN'))).toBe(true);
  });
});

describe('bad input is refused and changes nothing', () => {
  test('malformed IBAN, unparsable hours, duplicate SIRET, unknown commune or type: 4xx with a code', async () => {
    const taken = nextSiret();
    expect((await call(`${url}/places`, { method: 'POST', body: validPlace(taken) })).status).toBe(201);
    const before = [await count('place'), await count('audit'), await eventsWritten()];
    const cases: Array<[Record<string, unknown>, number, string, string]> = [
      [{ iban: 'FR76 3000 6000 0112 3456 7890 188' }, 422, 'invalid_iban', 'iban'],
      [{ iban: 'not an iban' }, 422, 'invalid_iban', 'iban'],
      [{ openingHours: 'Mo-Fr 9h-18h sauf jours fériés' }, 422, 'invalid_opening_hours', 'openingHours'],
      [{ siret: taken }, 409, 'siret_taken', 'siret'],
      [{ communeCode: '16999' }, 422, 'unknown_commune', 'communeCode'],
      [{ type: 'cybercafe' }, 422, 'unknown_place_type', 'type'],
      [{ siret: '73282932000075' }, 422, 'invalid_siret', 'siret'],
      [{ latitude: 123 }, 400, 'invalid_body', 'latitude'],
    ];
    for (const [change, status, code, field] of cases) {
      const siret = change.siret ?? nextSiret();
      const response = await call(`${url}/places`, { method: 'POST', body: validPlace(siret as string, change) });
      expect([response.status, response.body.code, response.body.field]).toEqual([status, code, field]);
      expect(typeof response.body.message).toBe('string');
    }
    expect([await count('place'), await count('audit'), await eventsWritten()]).toEqual(before);
  });

  test('a bad questionnaire, charter version or bank change leaves the place as it was', async () => {
    const id = (await call(`${url}/places`, { method: 'POST', body: validPlace(nextSiret()) })).body.id;
    const before = [await count('assessment'), await count('charter_signature'), await count('audit')];
    const { version, answers } = await bestAnswers(url);
    const { apt_accueil: _, ...missing } = answers;
    expect(
      (await call(`${url}/places/${id}/questionnaire`, { method: 'POST', body: { version, answers: missing } })).body
        .code,
    ).toBe('missing_answer');
    expect(
      (await call(`${url}/places/${id}/questionnaire`, { method: 'POST', body: { version: '1999-01', answers } })).body
        .code,
    ).toBe('unknown_questionnaire_version');
    expect(
      (
        await call(`${url}/places/${id}/charter`, {
          method: 'POST',
          body: { version: '1999', signedOn: '2026-01-05', signerName: 'X' },
        })
      ).body.code,
    ).toBe('unknown_charter_version');
    expect(
      (await call(`${url}/places/${id}/bank-details`, { method: 'PUT', body: { iban: 'FR00', bic: 'AGRIFRPP' } })).body
        .code,
    ).toBe('invalid_iban');
    expect(
      (await call(`${url}/places/${id}/decision`, { method: 'POST', body: { decision: 'qualified' } })).body.code,
    ).toBe('no_pending_assessment');
    expect(
      (await call(`${url}/places/${randomUUID()}/questionnaire`, { method: 'POST', body: { version, answers } }))
        .status,
    ).toBe(404);
    expect([await count('assessment'), await count('charter_signature'), await count('audit')]).toEqual(before);
    expect((await call(`${url}/places/${id}`)).body.status).toBe('applied');
  });
});

describe('editing a place', () => {
  const cognac = {
    name: 'EPN de Cognac',
    communeCode: '16102',
    address: { line1: '2 place François 1er', postalCode: '16100', city: 'Cognac' },
    latitude: 45.695,
    longitude: -0.329,
    openingHours: 'Tu-Sa 10:00-18:00',
  };
  const trail = async (id: string) =>
    (await call(`${url}/places/${id}/audit`)).body as { action: string; details: Record<string, unknown> }[];

  test('support edits a qualified place: checked, audited, and announced again (place.qualified) with its new details', async () => {
    const placeId = await qualifiedPlace(url, nextSiret());
    await eventually(
      async () => of('place.qualified', placeId).length,
      (n) => n === 1,
    );
    const edited = await call(`${url}/places/${placeId}`, {
      method: 'PATCH',
      token: await token('support'),
      body: cognac,
    });
    expect(edited).toMatchObject({
      status: 200,
      body: {
        ...cognac,
        departementCode: '16',
        epciCode: '200070514',
        status: 'qualified',
        iban: 'FR76•••••••••••••••••••0189',
      },
    });

    await eventually(
      async () => of('place.qualified', placeId).length,
      (n) => n === 2,
    );
    expect(of('place.qualified', placeId)[1]!.data).toEqual({
      placeId,
      placeVersion: expect.any(Number),
      name: 'EPN de Cognac',
      type: 'espace_public_numerique',
      communeCode: '16102',
      epciCode: '200070514',
      departementCode: '16',
      openingHours: 'Tu-Sa 10:00-18:00',
      latitude: 45.695,
      longitude: -0.329,
      address: '2 place François 1er',
      postalCode: '16100',
    });
    const edit = (await trail(placeId)).at(-1)!;
    expect(edit).toMatchObject({
      action: 'edit',
      details: {
        name: { from: 'Espace numérique de Basseau', to: 'EPN de Cognac' },
        communeCode: { from: '16015', to: '16102' },
      },
    });
    expect(Object.keys(edit.details).sort()).toEqual([
      'address',
      'communeCode',
      'epciCode',
      'latitude',
      'longitude',
      'name',
      'openingHours',
    ]);

    // The same edit again changes nothing: no audit row, no event.
    const rows = (await trail(placeId)).length;
    expect((await call(`${url}/places/${placeId}`, { method: 'PATCH', body: cognac })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect([(await trail(placeId)).length, of('place.qualified', placeId).length]).toEqual([rows, 2]);
  });

  test('a place not yet qualified is edited without a word to the others; SIRET may become an RNA', async () => {
    const id = (await call(`${url}/places`, { method: 'POST', body: validPlace(nextSiret()) })).body.id as string;
    const edited = await call(`${url}/places/${id}`, {
      method: 'PATCH',
      body: { rna: 'W161000123', type: 'tiers_lieu' },
    });
    expect(edited.body).toMatchObject({ siret: null, rna: 'W161000123', type: 'tiers_lieu', status: 'applied' });
    await new Promise((r) => setTimeout(r, 300));
    expect(of('place.qualified', id)).toHaveLength(0);
  });

  test('bad input answers 4xx with a reason and changes nothing', async () => {
    const taken = nextSiret();
    await call(`${url}/places`, { method: 'POST', body: validPlace(taken) });
    const id = (await call(`${url}/places`, { method: 'POST', body: validPlace(nextSiret()) })).body.id as string;
    const revoked = await qualifiedPlace(url, nextSiret());
    await call(`${url}/places/${revoked}/revocation`, { method: 'POST', body: { reason: 'Fermeture définitive' } });
    const before = [
      (await call(`${url}/places/${id}`)).body,
      await count('place'),
      await count('audit'),
      await eventsWritten(),
    ];
    const cases: Array<[string, Record<string, unknown>, number, string, string | undefined]> = [
      [id, { iban: 'FR76 3000 6000 0112 3456 7890 188', bic: 'AGRIFRPP' }, 422, 'invalid_iban', 'iban'],
      [id, { iban: 'FR76 3000 6000 0112 3456 7890 189' }, 422, 'incomplete_bank_details', 'bic'],
      [id, { openingHours: 'du lundi au vendredi' }, 422, 'invalid_opening_hours', 'openingHours'],
      [id, { siret: taken }, 409, 'siret_taken', 'siret'],
      [id, { siret: taken, rna: 'W161000123' }, 422, 'pivot_required', 'siret'],
      [id, { communeCode: '16999' }, 422, 'unknown_commune', 'communeCode'],
      [id, { type: 'cybercafe' }, 422, 'unknown_place_type', 'type'],
      [id, { latitude: 123 }, 400, 'invalid_body', 'latitude'],
      [id, { status: 'qualified' }, 400, 'invalid_body', 'status'],
      [id, {}, 400, 'invalid_body', undefined],
      [randomUUID(), { name: 'X' }, 404, 'unknown_place', 'placeId'],
      [revoked, { name: 'X' }, 409, 'place_revoked', undefined],
    ];
    for (const [placeId, body, status, code, field] of cases) {
      const response = await call(`${url}/places/${placeId}`, { method: 'PATCH', body });
      expect([response.status, response.body.code, response.body.field]).toEqual([status, code, field]);
      expect(typeof response.body.message).toBe('string');
    }
    expect([
      (await call(`${url}/places/${id}`)).body,
      await count('place'),
      await count('audit'),
      await eventsWritten(),
    ]).toEqual(before);
  });

  test('the IBAN and BIC are finance’s to change, the rest support’s', async () => {
    const id = (await call(`${url}/places`, { method: 'POST', body: validPlace(nextSiret()) })).body.id as string;
    const [support, finance] = [await token('support'), await token('finance')];
    const bank = { iban: 'FR14 2004 1010 0505 0001 3M02 606', bic: 'PSSTFRPPXXX' };
    expect((await call(`${url}/places/${id}`, { method: 'PATCH', token: support, body: bank })).body).toMatchObject({
      code: 'bank_details_finance_only',
      field: 'iban',
    });
    expect((await call(`${url}/places/${id}/bank-details`, { method: 'PUT', token: support, body: bank })).status).toBe(
      403,
    );
    expect(
      (await call(`${url}/places/${id}`, { method: 'PATCH', token: finance, body: { name: 'Autre nom' } })).body,
    ).toMatchObject({ code: 'place_details_support_only', field: 'name' });
    const changed = await call(`${url}/places/${id}`, { method: 'PATCH', token: finance, body: bank });
    expect(changed).toMatchObject({
      status: 200,
      body: { iban: 'FR1420041010050500013M02606', bic: 'PSSTFRPPXXX', name: 'Espace numérique de Basseau' },
    });
    const edit = (await trail(id)).at(-1)!;
    expect(edit.details).toEqual({ iban: { toLast4: '2606' }, bic: { from: 'AGRIFRPP', to: 'PSSTFRPPXXX' } });
  });

  test('support may not give an IBAN at a place’s creation either; the creation’s audit shows it masked', async () => {
    const [support, finance] = [await token('support'), await token('finance')];
    const before = await count('place');
    const withIban = validPlace(nextSiret());
    expect((await call(`${url}/places`, { method: 'POST', token: support, body: withIban })).body).toMatchObject({
      code: 'bank_details_finance_only',
      field: 'iban',
    });
    expect(await count('place')).toBe(before);
    const { iban: _iban, bic: _bic, ...withoutBank } = withIban as Record<string, unknown>;
    expect((await call(`${url}/places`, { method: 'POST', token: support, body: withoutBank })).status).toBe(201);
    const created = await call(`${url}/places`, { method: 'POST', token: finance, body: validPlace(nextSiret()) });
    expect(created.status).toBe(201);
    const apply = (await trail(created.body.id)).at(0)!;
    expect(apply.details).toMatchObject({ bank: { iban: 'FR76•••••••••••••••••••0189', bic: 'AGRIFRPP' } });
    expect(JSON.stringify(apply)).not.toContain('FR7630006000011234567890189');
  });
});

describe('IBAN and roles', () => {
  test('masked for support, in full for finance; support may not change a place’s lifecycle without its role', async () => {
    const id = (await call(`${url}/places`, { method: 'POST', body: validPlace(nextSiret()) })).body.id;
    const support = await call(`${url}/places/${id}`, { token: await token('support') });
    expect(support.body).toMatchObject({ iban: 'FR76•••••••••••••••••••0189', ibanMasked: true, bic: 'AGRIFRPP' });
    const finance = await call(`${url}/places/${id}`, { token: await token('finance') });
    expect(finance.body).toMatchObject({ iban: 'FR7630006000011234567890189', ibanMasked: false });
    const listed = (await call(`${url}/places`, { token: await token('support') })).body as { iban: string | null }[];
    expect(listed.every((p) => p.iban === null || p.iban.includes('•'))).toBe(true);
    expect(
      (
        await call(`${url}/places/${id}/decision`, {
          method: 'POST',
          token: await token('finance'),
          body: { decision: 'refused' },
        })
      ).status,
    ).toBe(403);
    const funder = (
      await call(`${url}/admin/tokens`, {
        method: 'POST',
        body: { name: 'funder', role: 'funder', funderId: randomUUID() },
      })
    ).body.token as string;
    expect((await call(`${url}/places/${id}`, { token: funder })).status).toBe(403);
  });
});

describe('the kit', () => {
  const redeemed = (placeId: string, scannedAt: string) => passRedeemed({ placeId, scannedAt });

  test('subscribed at sign-up, activated once at the first scan', async () => {
    const placeId = await qualifiedPlace(url, nextSiret());
    const kit = await call(`${url}/places/${placeId}/kit`, { method: 'POST', body: { plan: 'monthly' } });
    expect(kit).toMatchObject({
      status: 201,
      body: {
        status: 'subscribed',
        plan: 'monthly',
        price: { exclVatCents: 700, inclVatCents: 840 },
        activatedAt: null,
      },
    });
    expect((await call(`${url}/places/${placeId}/kit`, { method: 'POST', body: { plan: 'yearly' } })).body.code).toBe(
      'kit_already_subscribed',
    );
    await eventually(
      async () => of('kit.subscribed', placeId).length,
      (n) => n === 1,
    );

    const publisher = await RawPublisher.open(infra.natsUrl, infra.prefix);
    const first = redeemed(placeId, '2026-02-03T09:15:00.000Z');
    for (const e of [first, redeemed(placeId, '2026-02-03T10:00:00.000Z'), first])
      await publisher.publish(e, { msgID: e.id });
    await eventually(
      async () => of('kit.activated', placeId).length,
      (n) => n === 1,
    );
    await publisher.publish(redeemed(placeId, '2026-02-04T10:00:00.000Z'));
    await publisher.close();
    await new Promise((r) => setTimeout(r, 500));
    expect(of('kit.activated', placeId)).toHaveLength(1);
    expect(of('kit.activated', placeId)[0]!.data).toEqual({
      placeId,
      placeVersion: expect.any(Number),
      plan: 'monthly',
      from: '2026-02-03T09:15:00.000Z',
    });
    expect((await call(`${url}/places/${placeId}/kit`)).body).toMatchObject({
      status: 'active',
      activatedAt: '2026-02-03T09:15:00.000Z',
    });

    const cancelled = await call(`${url}/places/${placeId}/kit/cancellation`, {
      method: 'POST',
      body: { reason: 'Fermeture du lieu' },
    });
    expect(cancelled.body.status).toBe('cancelled');
    await eventually(
      async () => of('kit.cancelled', placeId).length,
      (n) => n === 1,
    );
  });

  test('a funder’s sponsorship (ordering’s kit.sponsored) subscribes the kit in its name', async () => {
    const placeId = await qualifiedPlace(url, nextSiret());
    const funderId = randomUUID();
    const publisher = await RawPublisher.open(infra.natsUrl, infra.prefix);
    await publisher.publish({
      id: randomUUID(),
      type: 'kit.sponsored',
      occurredAt: new Date().toISOString(),
      producer: 'ordering',
      data: { funderId, placeIds: [placeId, randomUUID()], from: '2026-01-01', until: '2026-12-31' },
    });
    await publisher.close();
    await eventually(
      async () => of('kit.subscribed', placeId).length,
      (n) => n === 1,
    );
    expect(of('kit.subscribed', placeId)[0]!.data).toEqual({
      placeId,
      placeVersion: expect.any(Number),
      plan: 'monthly',
      sponsoredBy: funderId,
    });
    expect((await call(`${url}/places/${placeId}/kit`)).body).toMatchObject({
      status: 'subscribed',
      sponsoredBy: funderId,
      sponsoredUntil: '2026-12-31',
    });
  });

  test('a place not qualified cannot subscribe', async () => {
    const id = (await call(`${url}/places`, { method: 'POST', body: validPlace(nextSiret()) })).body.id;
    expect(await call(`${url}/places/${id}/kit`, { method: 'POST', body: { plan: 'monthly' } })).toMatchObject({
      status: 409,
      body: { code: 'place_not_qualified' },
    });
  });
});

test('without account signing keys, kiosk registration answers 503 and records nothing', async () => {
  const placeId = await qualifiedPlace(url, nextSiret());
  const response = await call(`${url}/places/${placeId}/kiosks`, { method: 'POST', body: { name: 'Accueil' } });
  expect(response).toMatchObject({ status: 503, body: { code: 'kiosk_credentials_not_configured' } });
  expect(await count('kiosk')).toBe(0);
});

test('the first scans of a place applied at once by several instances activate its kit once', async () => {
  const placeId = await qualifiedPlace(url, nextSiret());
  expect((await call(`${url}/places/${placeId}/kit`, { method: 'POST', body: { plan: 'monthly' } })).status).toBe(201);
  const ctx = node.services[0]!.context;
  const scan = (minute: number) =>
    passRedeemed({ placeId, scannedAt: `2026-02-03T09:${String(minute).padStart(2, '0')}:00.000Z` });
  // As consumers of several instances would, each with its own batch, in concurrent transactions.
  await Promise.all(
    Array.from({ length: 8 }, (_, i) => ctx.transaction((tx, emit) => kitActivation.apply(tx, [scan(10 + i)], emit))),
  );
  await eventually(
    async () => of('kit.activated', placeId).length,
    (n) => n >= 1,
  );
  await new Promise((r) => setTimeout(r, 500));
  expect(of('kit.activated', placeId)).toHaveLength(1);
  // Events about the place are numbered in commit order: activation after subscription.
  await eventually(
    async () => of('kit.subscribed', placeId).length,
    (n) => n === 1,
  );
  expect(of('kit.activated', placeId)[0]!.data.placeVersion).toBeGreaterThan(
    of('kit.subscribed', placeId)[0]!.data.placeVersion!,
  );
});
