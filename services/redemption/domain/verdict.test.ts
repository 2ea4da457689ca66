import { describe, expect, test } from 'vitest';
import type { DenialReason } from '@aptic/contracts';
import { UNKNOWN_SCAN_LIMIT, decide, type ScanFacts } from './verdict.ts';

const PLACE = 'place-1';
const valid = (): ScanFacts => ({
  scannedOn: '2026-11-22',
  clockSkew: undefined,
  kiosk: { placeId: PLACE, revoked: false },
  recentUnknownScans: 0,
  reading: { ok: true, carnetNumber: 42, position: 3 },
  pass: { status: 'released', redeemed: undefined },
  order: {
    validFrom: '2026-01-01',
    lastDay: '2027-01-31',
    windowClosedAt: undefined,
    communes: new Set(['16015']),
    placeTypes: new Set(['centre_social']),
    serviceCategories: new Set(['aide_demarches_administratives']),
    activatedAtHandOut: false,
  },
  place: { qualified: true, kitActive: true, type: 'centre_social', communeCode: '16015' },
  offer: { placeId: PLACE, categoryCode: 'aide_demarches_administratives', withdrawn: false },
  carnetAlreadyInAct: false,
});

describe('a scan is accepted only when every rule holds', () => {
  test('all facts good → accepted', () => expect(decide(valid())).toEqual({ outcome: 'accepted' }));

  test('no restriction from the funder → accepted anywhere, any type, any service', () => {
    const f = valid();
    f.order = { ...f.order!, communes: null, placeTypes: null, serviceCategories: null };
    f.place = { ...f.place!, communeCode: '75056', type: 'fablab' };
    f.offer = { ...f.offer!, categoryCode: 'loisirs_creations_numeriques' };
    expect(decide(f).outcome).toBe('accepted');
  });

  test('activation at hand-out: a delivered carnet not handed out yet is refused, with its own reason', () => {
    const f = { ...valid(), pass: { status: 'issued' as const, redeemed: undefined } };
    expect(decide(f)).toMatchObject({ reason: 'not_released' });
    f.order = { ...f.order!, activatedAtHandOut: true };
    expect(decide(f)).toMatchObject({ reason: 'not_handed_out', message: expect.stringContaining('prescripteur') });
    expect(decide({ ...f, pass: { status: 'released', redeemed: undefined } }).outcome).toBe('accepted');
  });

  test('January grace: a year-end pass is still accepted on its last day, refused the day after', () => {
    expect(decide({ ...valid(), scannedOn: '2027-01-31' }).outcome).toBe('accepted');
    expect(decide({ ...valid(), scannedOn: '2027-02-01' })).toMatchObject({ reason: 'expired' });
  });

  const cases: Array<[DenialReason, (f: ScanFacts) => void]> = [
    ['kiosk_revoked', (f) => (f.kiosk = { placeId: PLACE, revoked: true })],
    ['kiosk_revoked', (f) => (f.kiosk = undefined)],
    ['too_many_unknown', (f) => (f.recentUnknownScans = UNKNOWN_SCAN_LIMIT)],
    ['clock_skew', (f) => (f.clockSkew = 'Heure de la borne en avance : corrigez l’horloge de la borne.')],
    ['misread', (f) => (f.reading = { ok: false, reason: 'misread' })],
    ['unknown_pass', (f) => (f.pass = undefined)],
    ['blocked', (f) => (f.pass = { status: 'blocked', redeemed: undefined })],
    ['not_released', (f) => (f.pass = { status: 'issued', redeemed: undefined })],
    [
      'already_redeemed',
      (f) =>
        (f.pass = {
          status: 'released',
          redeemed: { placeName: 'Médiathèque de Cognac', at: '2026-11-20T14:05:00.000Z' },
        }),
    ],
    ['redemption_window_closed', (f) => (f.order = { ...f.order!, windowClosedAt: '2027-02-05T23:15:00.000Z' })],
    [
      'redemption_window_closed',
      (f) => {
        f.order = { ...f.order!, windowClosedAt: '2027-02-05T23:15:00.000Z' };
        f.pass = {
          status: 'released',
          redeemed: { placeName: 'Médiathèque de Cognac', at: '2027-01-31T14:05:00.000Z' },
        };
      },
    ],
    ['not_yet_valid', (f) => (f.scannedOn = '2025-12-31')],
    ['expired', (f) => (f.order = { ...f.order!, lastDay: '2026-11-21' })],
    ['place_not_qualified', (f) => (f.place = { ...f.place!, qualified: false })],
    ['place_not_qualified', (f) => (f.place = undefined)],
    ['kit_inactive', (f) => (f.place = { ...f.place!, kitActive: false })],
    ['service_not_offered', (f) => (f.offer = undefined)],
    ['service_not_offered', (f) => (f.offer = { ...f.offer!, withdrawn: true })],
    ['service_not_offered', (f) => (f.offer = { ...f.offer!, placeId: 'another place' })],
    ['outside_perimeter', (f) => (f.place = { ...f.place!, communeCode: '16102' })],
    ['place_type_not_allowed', (f) => (f.place = { ...f.place!, type: 'fablab' })],
    ['service_category_not_allowed', (f) => (f.offer = { ...f.offer!, categoryCode: 'loisirs_creations_numeriques' })],
    ['same_carnet_same_service', (f) => (f.carnetAlreadyInAct = true)],
  ];
  test.each(cases)('%s', (reason, breakIt) => {
    const f = valid();
    breakIt(f);
    const decision = decide(f);
    expect(decision).toMatchObject({ outcome: 'denied', reason });
    expect(decision.outcome === 'denied' && decision.message.length).toBeGreaterThan(10);
  });

  test('already redeemed says where and when, in French time', () => {
    const f = valid();
    f.pass = { status: 'released', redeemed: { placeName: 'Médiathèque de Cognac', at: '2026-11-20T14:05:00.000Z' } };
    expect(decide(f)).toMatchObject({ message: expect.stringContaining('20/11/2026 à 15:05 (Médiathèque de Cognac)') });
    f.pass = { status: 'released', redeemed: { placeName: 'Médiathèque de Cognac', at: '2026-07-01T22:30:00.000Z' } };
    expect(decide(f)).toMatchObject({ message: expect.stringContaining('02/07/2026 à 00:30') });
  });
});
