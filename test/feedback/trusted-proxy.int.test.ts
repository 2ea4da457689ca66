/**
 * The rating page's per-address limit behind a reverse proxy (APTIC_TRUST_PROXY): each visitor is
 * counted at the address the proxy names; a client that is not one of the listed proxies cannot
 * name an address of its own to walk past the limit.
 */
import { afterEach, expect, test } from 'vitest';
import { ADDRESS_LIMIT } from '../../services/qualification/db/attempts.ts';
import { feedbackWorld, stateOf, type FeedbackWorld } from './world.ts';

let w: FeedbackWorld | undefined;
afterEach(async () => {
  await w?.stop();
  w = undefined;
});

/** One try of a malformed code, as the proxy forwards it for `visitor`: its status and refusal. */
async function tryFrom(world: FeedbackWorld, visitor: string) {
  const response = await fetch(`${world.page}/ABC`, { headers: { 'x-forwarded-for': visitor } });
  return [response.status, stateOf(await response.text()).refusal];
}

async function spend(world: FeedbackWorld, visitor: string) {
  for (let i = 0; i < ADDRESS_LIMIT; i++) expect(await tryFrom(world, visitor)).toEqual([400, 'malformed_code']);
}

test('behind a listed proxy, each visitor has its own limit', async () => {
  w = await feedbackWorld(9_700, { APTIC_TRUST_PROXY: '127.0.0.1, ::1' });
  await spend(w, '203.0.113.7');
  expect(await tryFrom(w, '203.0.113.7')).toEqual([429, 'too_many_attempts']);
  expect(await tryFrom(w, '203.0.113.8')).toEqual([400, 'malformed_code']);
});

test('a client that is not a listed proxy is counted at its own address, whatever it forwards', async () => {
  w = await feedbackWorld(9_800, { APTIC_TRUST_PROXY: '10.9.9.9' });
  for (let i = 0; i < ADDRESS_LIMIT; i++)
    expect(await tryFrom(w, `198.51.100.${i + 1}`)).toEqual([400, 'malformed_code']);
  expect(await tryFrom(w, '198.51.100.200')).toEqual([429, 'too_many_attempts']);
});
