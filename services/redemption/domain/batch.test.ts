import { describe, expect, test } from 'vitest';
import { readPassCode } from '@aptic/contracts';
import { BatchTally, type BatchScan } from './batch.ts';
import { decide, type ScanFacts } from './verdict.ts';

const pass = { passId: 'p1', orderId: 'o1', carnetNumber: 7 };
const scan = (over: Partial<BatchScan> = {}): BatchScan => ({
  kioskId: 'k1',
  sessionId: 's1',
  scannedAt: '2026-03-02T09:15:00.000Z',
  pass,
  placeName: 'Médiathèque',
  ...over,
});
const stored = (over: Partial<ScanFacts> = {}): ScanFacts => ({
  scannedOn: '2026-03-02',
  clockSkew: undefined,
  kiosk: { placeId: 'pl1', revoked: false },
  recentUnknownScans: 0,
  reading: readPassCode('0'.repeat(22)),
  pass: { status: 'released', redeemed: undefined },
  order: {
    validFrom: '2026-01-01',
    lastDay: '2027-01-31',
    windowClosedAt: undefined,
    communes: null,
    placeTypes: null,
    serviceCategories: null,
    activatedAtHandOut: false,
  },
  place: { qualified: true, kitActive: true, type: 'bibliotheque', communeCode: '16015' },
  offer: { placeId: 'pl1', categoryCode: 'x', withdrawn: false },
  carnetAlreadyInAct: false,
  ...over,
});

describe('BatchTally: the batch’s earlier decisions, not yet in the database', () => {
  test('a pass accepted earlier in the batch is already redeemed, saying where and when', () => {
    const tally = new BatchTally();
    tally.record(scan(), { outcome: 'accepted' });
    const facts = tally.facts(scan({ sessionId: 's2' }), stored());
    expect(facts.pass?.redeemed).toEqual({ at: '2026-03-02T09:15:00.000Z', placeName: 'Médiathèque' });
    expect(decide(facts)).toMatchObject({ outcome: 'denied', reason: 'already_redeemed' });
  });

  test('the database’s own redemption is kept when there is one', () => {
    const tally = new BatchTally();
    tally.record(scan(), { outcome: 'accepted' });
    const earlier = { at: '2026-02-01T10:00:00.000Z', placeName: 'Fablab' };
    expect(tally.facts(scan(), stored({ pass: { status: 'released', redeemed: earlier } })).pass?.redeemed).toBe(
      earlier,
    );
  });

  test('another pass of the same carnet in the same act is refused; in another act it is not', () => {
    const tally = new BatchTally();
    tally.record(scan(), { outcome: 'accepted' });
    const sibling = { ...pass, passId: 'p2' };
    expect(tally.facts(scan({ pass: sibling }), stored()).carnetAlreadyInAct).toBe(true);
    expect(tally.facts(scan({ pass: sibling, sessionId: 's2' }), stored()).carnetAlreadyInAct).toBe(false);
  });

  test('unknown and misread codes add up per kiosk; other denials do not count', () => {
    const tally = new BatchTally();
    tally.record(scan({ pass: undefined }), { outcome: 'denied', reason: 'unknown_pass', message: '' });
    tally.record(scan({ pass: undefined }), { outcome: 'denied', reason: 'misread', message: '' });
    tally.record(scan(), { outcome: 'denied', reason: 'expired', message: '' });
    expect(tally.facts(scan(), stored({ recentUnknownScans: 3 })).recentUnknownScans).toBe(5);
    expect(tally.facts(scan({ kioskId: 'k2' }), stored()).recentUnknownScans).toBe(0);
  });
});
