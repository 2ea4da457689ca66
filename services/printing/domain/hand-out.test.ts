import { expect, test } from 'vitest';
import { checkHandOut, checkRenewal, type CarnetFacts, type HandOutRequest } from './hand-out.ts';

const PRESCRIBER = 'p1';
const carnet = (over: Partial<CarnetFacts> = {}): CarnetFacts => ({
  number: 42,
  orderId: 'o1',
  funderId: 'f1',
  carnetSize: 5,
  prescriberId: PRESCRIBER,
  blockedPasses: 0,
  handedOut: undefined,
  renewedBy: undefined,
  ...over,
});
const request = (over: Partial<HandOutRequest> = {}): HandOutRequest => ({
  prescriberId: PRESCRIBER,
  orderId: 'o1',
  targetPublics: ['jeunes'],
  publicCode: undefined,
  ...over,
});
const refusal = (code: string) => expect.objectContaining({ code });
const handedOut = { at: new Date('2026-03-02T10:00:00Z'), renewal: false };

test('a carnet of the stock, of the order distributed, never handed out, may be handed out', () => {
  expect(() => checkHandOut(carnet(), request())).not.toThrow();
  expect(() => checkHandOut(carnet(), request({ publicCode: 'jeunes' }))).not.toThrow();
  // An order that targets no public: any public of the référentiel.
  expect(() => checkHandOut(carnet(), request({ targetPublics: [], publicCode: 'seniors' }))).not.toThrow();
});

test('refusals, in the order a prescripteur can act on them', () => {
  expect(() => checkHandOut(carnet({ orderId: 'o2' }), request())).toThrowError(refusal('carnet_of_another_order'));
  expect(() => checkHandOut(carnet({ prescriberId: 'p2' }), request())).toThrowError(refusal('carnet_not_allocated'));
  expect(() => checkHandOut(carnet({ prescriberId: null }), request())).toThrowError(refusal('carnet_not_allocated'));
  expect(() => checkHandOut(carnet({ handedOut }), request())).toThrowError(refusal('already_handed_out'));
  expect(() => checkHandOut(carnet({ handedOut }), request())).toThrowError(/02\/03\/2026/);
  expect(() => checkHandOut(carnet({ blockedPasses: 5 }), request())).toThrowError(refusal('carnet_blocked'));
  expect(() => checkHandOut(carnet(), request({ publicCode: 'seniors' }))).toThrowError(refusal('public_not_targeted'));
});

test('a 5-pass carnet is renewed once, by another of 5 of the same funder, once one of its passes was used', () => {
  const renewed = carnet({ number: 41, handedOut });
  expect(() => checkRenewal(carnet(), renewed, 1)).not.toThrow();
  expect(() => checkRenewal(carnet(), renewed, 0)).toThrowError(refusal('renewed_carnet_unused'));
  expect(() => checkRenewal(carnet({ carnetSize: 10 }), renewed, 1)).toThrowError(
    refusal('renewal_requires_five_pass_carnets'),
  );
  expect(() => checkRenewal(carnet(), { ...renewed, carnetSize: 10 }, 1)).toThrowError(
    refusal('renewal_requires_five_pass_carnets'),
  );
  expect(() => checkRenewal(carnet(), { ...renewed, funderId: 'f2' }, 1)).toThrowError(refusal('renewal_other_funder'));
  expect(() => checkRenewal(carnet(), { ...renewed, handedOut: undefined }, 1)).toThrowError(
    refusal('renewed_carnet_not_handed_out'),
  );
  expect(() => checkRenewal(carnet(), { ...renewed, handedOut: { ...handedOut, renewal: true } }, 1)).toThrowError(
    refusal('renewal_of_renewal'),
  );
  expect(() => checkRenewal(carnet(), { ...renewed, renewedBy: 40 }, 1)).toThrowError(refusal('already_renewed'));
});
