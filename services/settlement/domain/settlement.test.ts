import { describe, expect, test } from 'vitest';
import { assertBalanced, feeOf, postings, share, wrongSide } from './accounts.ts';
import { placeFigures } from './close.ts';
import { kitCharge } from './kit.ts';
import { closability, closableFrom, monthsBetween, periodFor } from './periods.ts';
import { assertPayoutMove, decide, endToEndId, remittance } from './payout.ts';
import { decimalEuros, sepaCreditTransfers } from './sepa.ts';
import { assertValidPain001 } from '../../../test/support/iso20022.ts';

describe('money', () => {
  test('fee 4 % and shares rounded half up in integer cents', () => {
    expect(feeOf(1_000)).toBe(40);
    expect(feeOf(1_013)).toBe(41);
    expect(share(1_250, 400)).toBe(50);
    expect(share(12, 400)).toBe(0);
    expect(share(13, 400)).toBe(1);
    expect(share(-1_000, 100)).toBe(-10);
  });
  test('every posting balances; an unbalanced one is refused', () => {
    const r = {
      redemptionId: 'r',
      orderId: 'o',
      funderId: 'f',
      placeId: 'p',
      faceValueCents: 1_000,
      feeCents: 40,
      period: '2026-12',
    };
    for (const p of [
      postings.redeemed(r),
      postings.cancelled(r),
      postings.orderPaid({ orderId: 'o', funderId: 'f', faceValueCents: 5 }),
      postings.payoutSent({ transferId: 't', placeId: 'p', period: 'x', payableCents: 960, kitCents: 840 }),
    ]) {
      expect(() => assertBalanced(p)).not.toThrow();
    }
    expect(() =>
      assertBalanced({ kind: 'x', ref: 'y', memo: '', lines: [{ account: 'bank', amountCents: 1 }] }),
    ).toThrow(/does not balance/);
    expect(() =>
      assertBalanced({
        kind: 'x',
        ref: 'y',
        memo: '',
        lines: [
          { account: 'bank', amountCents: 0.5 },
          { account: 'bank', amountCents: -0.5 },
        ],
      }),
    ).toThrow(/integer/);
  });
  test('accounts on the wrong side are reported', () => {
    const v = wrongSide([
      { account: 'place_payable', owner: 'p', balanceCents: 10 },
      { account: 'funder_held', owner: 'o', balanceCents: -5 },
      { account: 'bank', owner: null, balanceCents: -1 },
    ]);
    expect(v.map((x) => x.account)).toEqual(['place_payable', 'bank']);
  });
});

describe('periods', () => {
  test('a month closes after its end plus the grace window', () => {
    expect(closableFrom('2026-11', 5)).toBe('2026-12-06');
    expect(closableFrom('2026-12', 5)).toBe('2027-01-06');
    expect(closability('2026-12', '2026-12-31', 5)).toMatchObject({ ok: false, code: 'month_not_ended' });
    expect(closability('2026-12', '2027-01-05', 5)).toMatchObject({ ok: false, code: 'grace_window' });
    expect(closability('2026-12', '2027-01-06', 5)).toEqual({ ok: true });
    expect(closability('2027-02', '2027-03-01', 0)).toEqual({ ok: true });
  });
  test('a redemption learned after its month closed goes to the first open month, late', () => {
    expect(periodFor('2026-12', null)).toEqual({ period: '2026-12', late: false });
    expect(periodFor('2026-12', '2026-11')).toEqual({ period: '2026-12', late: false });
    expect(periodFor('2026-12', '2026-12')).toEqual({ period: '2027-01', late: true });
    expect(periodFor('2026-10', '2027-01')).toEqual({ period: '2027-02', late: true });
    expect(monthsBetween('2026-11', '2027-02')).toEqual(['2026-11', '2026-12', '2027-01', '2027-02']);
  });
});

describe('kit', () => {
  test('monthly from the first scan’s month, yearly every twelve months, VAT 20 %, sponsored months not deducted', () => {
    const monthly = { plan: 'monthly' as const, activatedOn: '2026-12-01', cancelledOn: null };
    expect(kitCharge(monthly, '2026-11', [])).toMatchObject({ exclVatCents: 0 });
    expect(kitCharge(monthly, '2026-12', [])).toEqual({ exclVatCents: 700, vatCents: 140, sponsored: false });
    expect(kitCharge({ ...monthly, cancelledOn: '2027-01-10' }, '2027-02', [])).toMatchObject({ exclVatCents: 0 });
    const yearly = { plan: 'yearly' as const, activatedOn: '2026-12-15', cancelledOn: null };
    expect(kitCharge(yearly, '2026-12', [])).toEqual({ exclVatCents: 7_700, vatCents: 1_540, sponsored: false });
    expect(kitCharge(yearly, '2027-06', [])).toMatchObject({ exclVatCents: 0 });
    expect(kitCharge(yearly, '2027-12', [])).toMatchObject({ exclVatCents: 7_700 });
    expect(kitCharge(monthly, '2027-01', [{ from: '2027-01-20', until: '2027-06-30' }])).toEqual({
      exclVatCents: 0,
      vatCents: 0,
      sponsored: true,
    });
  });
  test('a place’s net: gross − fee − kit, with a negative net carried', () => {
    const f = placeFigures(
      { passCount: 3, latePassCount: 0, grossCents: 3_000, feeCents: 120 },
      { exclVatCents: 700, vatCents: 140, sponsored: false },
      { payableCents: 0, kitCents: 840 },
    );
    expect(f).toMatchObject({
      payableCents: 2_880,
      deductedKitCents: 1_680,
      netCents: 1_200,
      territorialFundCents: 30,
      carriedCents: -840,
    });
  });
});

describe('payouts', () => {
  const bank = { status: 'qualified', iban: 'FR76 3000 6000 0112 3456 7890 189', bic: 'AGRIFRPP', fingerprint: 'f1' };
  const payout = { netCents: 1_000, status: 'due' as const, rejectedFingerprint: null };
  test('held with a reason, or sent', () => {
    expect(decide(payout, bank)).toEqual({ send: true, iban: 'FR7630006000011234567890189', bic: 'AGRIFRPP' });
    expect(decide({ ...payout, netCents: 0 }, bank)).toEqual({ send: false, reason: 'net_not_positive' });
    expect(decide(payout, { ...bank, iban: null })).toEqual({ send: false, reason: 'no_iban' });
    expect(decide(payout, { ...bank, iban: 'FR7630006000011234567890188' })).toEqual({
      send: false,
      reason: 'invalid_iban',
    });
    expect(decide(payout, { ...bank, status: 'suspended' })).toEqual({ send: false, reason: 'place_suspended' });
    expect(decide(payout, { ...bank, status: 'revoked' })).toEqual({ send: false, reason: 'place_revoked' });
    expect(decide(payout, undefined)).toEqual({ send: false, reason: 'place_unknown' });
    expect(decide({ ...payout, rejectedFingerprint: 'f1' }, bank)).toEqual({
      send: false,
      reason: 'bank_details_unchanged',
    });
    expect(decide({ ...payout, rejectedFingerprint: 'f0' }, bank).send).toBe(true);
  });
  test('one state machine', () => {
    expect(() => assertPayoutMove('sent', 'executed')).not.toThrow();
    expect(() => assertPayoutMove('executed', 'executed')).toThrow(/exécuté/);
    expect(() => assertPayoutMove('rejected', 'executed')).toThrow();
    expect(() => assertPayoutMove('held', 'carried')).not.toThrow();
  });
  test('remittance and end-to-end id', () => {
    expect(remittance('2026-03', 42)).toBe('Pass #APTIC 2026-03 — 42 pass');
    expect(endToEndId('0b6f4a1e-2f7c-4d59-9a1b-3c2d1e0f9a8b')).toBe('0b6f4a1e2f7c4d599a1b3c2d1e0f9a8b');
  });
});

describe('SEPA file', () => {
  test('cents to euros at the edge only; the control sum is the sum; valid against the XSD', () => {
    expect(decimalEuros(5)).toBe('0.05');
    expect(decimalEuros(123_456)).toBe('1234.56');
    expect(() => decimalEuros(1.5)).toThrow();
    // Amounts whose float sum drifts: 0.1 + 0.2 ≠ 0.3.
    const transfers = [10, 20, 1_234_567, 999_999_99].map((amountCents, i) => ({
      endToEndId: `E2E${i}`,
      creditorName: `Lieu ${i}`,
      iban: 'FR7630006000011234567890189',
      bic: 'AGRIFRPP',
      amountCents,
      remittance: remittance('2026-12', i),
    }));
    const { xml, controlSumCents } = sepaCreditTransfers({
      messageId: 'RUN-1',
      createdAt: new Date('2027-01-06T08:00:00Z'),
      executionDate: '2027-01-07',
      debtor: { name: 'APTIC', iban: 'FR7630006000011234567890189', bic: 'AGRIFRPP' },
      transfers,
    });
    expect(controlSumCents).toBe(10 + 20 + 1_234_567 + 999_999_99);
    expect(xml).toContain('<CtrlSum>1012345.96</CtrlSum>');
    assertValidPain001(xml);
  });
});
