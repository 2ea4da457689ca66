import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sql } from 'drizzle-orm';
import { ordering } from '@aptic/ordering';
import { queryRows, type RunningPlatform } from '@aptic/runtime';
import { isolate, type Isolated } from '../support/infra.ts';
import { call, startDistributed } from '../support/platform.ts';

let infra: Isolated;
let node: RunningPlatform;
let url: string;

beforeAll(async () => {
  infra = await isolate();
  node = await startDistributed(infra, [ordering]);
  url = node.services[0]!.url;
});
afterAll(async () => {
  await node?.stop();
  await infra?.cleanup();
});

const funder = { name: 'Département de la Charente', kind: 'collectivite', siret: '73282932000074' };
const funderCount = async () =>
  (await queryRows<{ n: number }>(node.database.db, sql`SELECT count(*)::int AS n FROM ordering.funder`))[0]!.n;

describe('admin endpoints: public probes', () => {
  test('health, readiness, metrics and OpenAPI docs answer without a token', async () => {
    expect(await call(`${url}/health`, { token: null })).toEqual({
      status: 200,
      body: { status: 'ok', service: 'ordering' },
    });
    expect(await call(`${url}/ready`, { token: null })).toEqual({ status: 200, body: { ready: true } });
    const metrics = await fetch(`${url}/metrics`);
    const text = await metrics.text();
    expect(text).toContain('aptic_outbox_backlog{service="ordering"}');
    expect(text).toContain('process_cpu_seconds_total');
    const docs = await call(`${url}/docs/json`, { token: null });
    expect(docs.status).toBe(200);
    expect(Object.keys(docs.body.paths)).toContain('/funders');
    expect(docs.body.components.securitySchemes.bearer.scheme).toBe('bearer');
  });
});

describe('admin endpoints: authentication and roles', () => {
  test('no token → 401, unknown token → 401', async () => {
    const none = await call(`${url}/funders`, { method: 'POST', body: funder, token: null });
    expect(none.status).toBe(401);
    expect(none.body.code).toBe('unauthenticated');
    expect((await call(`${url}/funders`, { method: 'POST', body: funder, token: 'apt_nope' })).status).toBe(401);
  });

  test('tokens are issued once, stored hashed, scoped by role, and revocable', async () => {
    const issued = await call(`${url}/admin/tokens`, {
      method: 'POST',
      body: { name: 'print partner A', role: 'print-partner', printPartnerId: randomUUID() },
    });
    expect(issued.status).toBe(201);
    const token: string = issued.body.token;
    expect(token).toMatch(/^apt_/);
    const [stored] = await queryRows<{ hash: string }>(
      node.database.db,
      sql`SELECT hash FROM auth.api_token WHERE id = ${issued.body.tokenId}`,
    );
    expect(stored!.hash).not.toContain(token.slice(4));

    // The print partner may not register funders, nor issue tokens.
    const forbidden = await call(`${url}/funders`, { method: 'POST', body: funder, token });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.code).toBe('forbidden');
    expect(
      (await call(`${url}/admin/tokens`, { method: 'POST', body: { name: 'x', role: 'admin' }, token })).status,
    ).toBe(403);

    const listed = await call(`${url}/admin/tokens`);
    expect(JSON.stringify(listed.body)).not.toContain(token);

    expect((await call(`${url}/admin/tokens/${issued.body.tokenId}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(`${url}/funders`, { method: 'POST', body: funder, token })).status).toBe(401);
    expect((await call(`${url}/admin/tokens/${issued.body.tokenId}`, { method: 'DELETE' })).status).toBe(404);
  });

  test('a funder token must name its funder', async () => {
    const refused = await call(`${url}/admin/tokens`, { method: 'POST', body: { name: 'f', role: 'funder' } });
    expect(refused).toMatchObject({ status: 400, body: { code: 'funder_id_required', field: 'funderId' } });
  });

  test('each scoped role names its own scope, and only its own; staff roles name none', async () => {
    const id = randomUUID();
    const issue = (body: object) => call(`${url}/admin/tokens`, { method: 'POST', body: { name: 'scoped', ...body } });
    const cases: Array<[string, string]> = [
      ['place', 'placeId'],
      ['print-partner', 'printPartnerId'],
      ['prescriber', 'prescriberId'],
      ['funder', 'funderId'],
    ];
    for (const [role, field] of cases) {
      const snake = field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      expect(await issue({ role })).toMatchObject({ status: 400, body: { code: `${snake}_required`, field } });
      expect(await issue({ role: 'support', [field]: id })).toMatchObject({
        status: 400,
        body: { code: `${snake}_not_allowed`, field },
      });
      const issued = await issue({ role, [field]: id });
      expect(issued).toMatchObject({ status: 201, body: { role, scopeId: id } });
      const listed = (await call(`${url}/admin/tokens`)).body.find(
        (t: { tokenId: string }) => t.tokenId === issued.body.tokenId,
      );
      expect(listed).toMatchObject({ role, scopeId: id });
    }
    expect(await issue({ role: 'place', funderId: id })).toMatchObject({
      status: 400,
      body: { code: 'funder_id_not_allowed' },
    });
    expect(await issue({ role: 'support' })).toMatchObject({ status: 201, body: { scopeId: null } });
  });

  test('a support token may register a funder', async () => {
    const support = (
      await call(`${url}/admin/tokens`, { method: 'POST', body: { name: 'support desk', role: 'support' } })
    ).body.token;
    const created = await call(`${url}/funders`, {
      method: 'POST',
      body: { ...funder, siret: '35600000000048' },
      token: support,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'Département de la Charente',
      kind: 'collectivite',
      siret: '35600000000048',
    });
  });
});

describe('admin endpoints: bad input is refused with a reason and changes nothing', () => {
  // Each refusal: its status, reason code, field and the French message a staff member reads.
  const cases: Array<[string, unknown, number, string, string | undefined, string | RegExp]> = [
    [
      'unknown kind',
      { ...funder, kind: 'pirate' },
      400,
      'invalid_body',
      'kind',
      /^« kind » : une de ces valeurs attendue : « collectivite », /,
    ],
    [
      'missing name',
      { kind: 'ccas', siret: funder.siret },
      400,
      'invalid_body',
      'name',
      '« name » : champ obligatoire absent',
    ],
    [
      'SIRET with letters',
      { ...funder, siret: '7328293200007A' },
      400,
      'invalid_body',
      'siret',
      '« siret » : 14 chiffres attendus',
    ],
    [
      'extra property',
      { ...funder, admin: true },
      400,
      'invalid_body',
      'admin',
      '« admin » : champ inconnu : retirez-le',
    ],
    ['not an object', ['Charente'], 400, 'invalid_body', undefined, 'corps de la requête : objet JSON attendu'],
    ['SIRET with a wrong key', { ...funder, siret: '73282932000075' }, 422, 'invalid_siret', 'siret', /SIRET/],
  ];
  test.each(cases)('%s', async (_label, body, status, code, field, message) => {
    const before = await funderCount();
    const response = await call(`${url}/funders`, { method: 'POST', body });
    expect(response.status).toBe(status);
    expect(response.body.code).toBe(code);
    expect(response.body.field).toBe(field);
    expect(response.body.message).toMatch(message);
    expect(await funderCount()).toBe(before);
  });

  test('malformed or empty JSON → 400 in French, a bad query → 400, unknown route → 404, unknown funder → 404', async () => {
    const post = (body: string) =>
      fetch(`${url}/funders`, {
        method: 'POST',
        headers: {
          authorization: 'Bearer test-admin-token-not-a-secret-0123456789',
          'content-type': 'application/json',
        },
        body,
      }).then(async (r) => ({ status: r.status, body: await r.json() }));
    expect(await post('{"name": ')).toEqual({
      status: 400,
      body: { code: 'invalid_json', message: 'le corps de la requête n’est pas du JSON valide.' },
    });
    expect(await post('')).toMatchObject({ status: 400, body: { code: 'empty_body' } });
    expect(await call(`${url}/funders?limit=many`)).toMatchObject({
      status: 400,
      body: { code: 'invalid_querystring', field: 'limit', message: expect.stringMatching(/^« limit » : nombre/) },
    });
    expect(await call(`${url}/nowhere`)).toMatchObject({
      status: 404,
      body: { code: 'not_found', message: expect.stringMatching(/^Aucune route/) },
    });
    expect(await call(`${url}/funders`, { token: null })).toMatchObject({
      status: 401,
      body: { message: expect.stringMatching(/^Un jeton d’accès valide est requis/) },
    });
    const unknown = await call(`${url}/funders/3f1c2b7e-9a4d-4c1e-8b2a-0d9e8f7a6b5c`);
    expect(unknown).toMatchObject({ status: 404, body: { code: 'unknown_funder' } });
  });

  test('a duplicate SIRET → 409 and one funder only', async () => {
    const body = { ...funder, siret: '44306184100047' };
    expect((await call(`${url}/funders`, { method: 'POST', body })).status).toBe(201);
    const before = await funderCount();
    const again = await call(`${url}/funders`, { method: 'POST', body });
    expect(again).toMatchObject({ status: 409, body: { code: 'siret_taken', field: 'siret' } });
    expect(await funderCount()).toBe(before);
  });
});
