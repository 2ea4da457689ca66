import { expect, test } from 'vitest';
import { readConfig } from './config.ts';

test('no URLs: embedded mode with the documented defaults', () => {
  const config = readConfig({});
  expect(config.mode).toBe('embedded');
  expect(config.port('ordering')).toBe(3103);
  expect(config.port('analytics')).toBe(3107);
  expect(config.natsPrefix).toBe('aptic');
  expect(config.events).toEqual({ maxDeliver: 5, ackWaitMs: 30_000, backoffMs: 1_000 });
});

test('both URLs: distributed mode; ports overridable per service', () => {
  const config = readConfig({ DATABASE_URL: 'postgres://x/y', NATS_URL: 'nats://z', ORDERING_PORT: '4000' });
  expect(config.mode).toBe('distributed');
  expect(config.port('ordering')).toBe(4000);
  expect(config.port('printing')).toBe(3104);
});

test('one URL without the other, or a bad number, is refused with a clear message', () => {
  expect(() => readConfig({ DATABASE_URL: 'postgres://x/y' })).toThrow(/both DATABASE_URL and NATS_URL/);
  expect(() => readConfig({ ORDERING_PORT: 'abc' })).toThrow(/ORDERING_PORT must be a non-negative integer/);
});

test('an APTIC_ADMIN_TOKEN shorter than 32 characters refuses the start', () => {
  expect(() => readConfig({ APTIC_ADMIN_TOKEN: 'admin' })).toThrow(/APTIC_ADMIN_TOKEN must be at least 32 characters/);
  expect(() => readConfig({ APTIC_ADMIN_TOKEN: 'x'.repeat(31) })).toThrow(/at least 32/);
  expect(readConfig({ APTIC_ADMIN_TOKEN: 'x'.repeat(32) }).adminToken).toBe('x'.repeat(32));
  expect(readConfig({}).adminToken).toBeUndefined();
});

test('APTIC_TRUST_PROXY lists proxies by address or CIDR range; anything else refuses the start', () => {
  expect(readConfig({}).trustedProxies).toEqual([]);
  expect(readConfig({ APTIC_TRUST_PROXY: '10.0.0.5, 172.18.0.0/16,::1,fd00::/8' }).trustedProxies).toEqual([
    '10.0.0.5',
    '172.18.0.0/16',
    '::1',
    'fd00::/8',
  ]);
  for (const bad of ['true', '*', '10.0.0.0/33', '10.0.0.1/8/2', 'proxy.local', '::1/129'])
    expect(() => readConfig({ APTIC_TRUST_PROXY: bad })).toThrow(/APTIC_TRUST_PROXY must list/);
});
