import Fastify from 'fastify';
import { ServiceBroker } from 'moleculer';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { DomainError } from '@aptic/contracts';
import { ask, contractAction } from './actions.ts';
import { errorHandler } from './http/server.ts';

// One broker in this process: the calls and their errors are Moleculer's own, without a transporter.
const broker = new ServiceBroker({ logger: false, requestTimeout: 200 });
const unavailable = () => new DomainError('directory_unavailable', 'L’annuaire ne répond pas.', { status: 503 });

beforeAll(async () => {
  broker.createService({
    name: 'catalogue',
    actions: {
      directoryPlace: contractAction('catalogue.directoryPlace', async () => {
        throw new DomainError('unknown_place', 'Lieu inconnu du catalogue.', { status: 404, field: 'placeId' });
      }),
      nearbyPlaces: contractAction('catalogue.nearbyPlaces', () => new Promise(() => {})),
    },
  });
  await broker.start();
});
afterAll(() => broker.stop());

const placeId = '0b8d7f5e-6a43-4c1e-9d2f-3b1a2c4d5e6f';
const refusalOf = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.unreachable(),
    (err: DomainError) => ({ ...err.toRefusal(), status: err.status }),
  );

test('the other service’s refusal comes back as the same DomainError', async () => {
  expect(await refusalOf(ask(broker, 'catalogue.directoryPlace', { placeId }, { unavailable }))).toEqual({
    code: 'unknown_place',
    message: 'Lieu inconnu du catalogue.',
    field: 'placeId',
    status: 404,
  });
});

test('a service that does not answer, or is not there at all, is the caller’s 503 (never a 404 or a 500)', async () => {
  const nearby = ask(broker, 'catalogue.nearbyPlaces', { communeCode: '16015', limit: 3 }, { unavailable });
  expect(await refusalOf(nearby)).toMatchObject({ code: 'directory_unavailable', status: 503 });
  const absent = ask(broker, 'qualification.bankDetails', { placeIds: [placeId] }, { unavailable, discoveryMs: 50 });
  expect(await refusalOf(absent)).toMatchObject({ code: 'directory_unavailable', status: 503 });
});

test('a call no route turned into a refusal: the HTTP answer is its refusal, or a 503, not a 500', async () => {
  const app = Fastify();
  app.setErrorHandler(errorHandler);
  app.get('/refused', () => broker.call('catalogue.directoryPlace', { placeId }));
  app.get('/absent', () => broker.call('printing.feedbackPass', { code: 'X' }));
  const [refused, absent] = await Promise.all([app.inject('/refused'), app.inject('/absent')]);
  expect([refused.statusCode, refused.json()]).toEqual([
    404,
    { code: 'unknown_place', message: 'Lieu inconnu du catalogue.', field: 'placeId' },
  ]);
  expect([absent.statusCode, absent.json().code]).toEqual([503, 'service_unavailable']);
  await app.close();
});
