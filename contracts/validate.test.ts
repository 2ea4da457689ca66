import { expect, test } from 'vitest';
import { EventData, ScanMessage, validate } from './index.ts';

test('a valid event passes unchanged', () => {
  const data = {
    funderId: '3f1c2b7e-9a4d-4c1e-8b2a-0d9e8f7a6b5c',
    name: 'CCAS',
    kind: 'ccas',
    siret: '73282932000074',
  };
  expect(validate(EventData['funder.created'], data)).toEqual({ ok: true, value: data });
});

test('a refusal names the field and never coerces', () => {
  const result = validate(EventData['order.paid'], {
    orderId: '3f1c2b7e-9a4d-4c1e-8b2a-0d9e8f7a6b5c',
    faceValueCents: 12.5,
  });
  expect(result.ok).toBe(false);
  const money = validate(EventData['period.closed'], {
    periodId: '3f1c2b7e-9a4d-4c1e-8b2a-0d9e8f7a6b5c',
    month: '2026-11',
    placeId: '3f1c2b7e-9a4d-4c1e-8b2a-0d9e8f7a6b5c',
    grossCents: 1000.5,
    feeCents: 40,
    netCents: 960,
    passCount: 1,
  });
  expect(money).toMatchObject({
    ok: false,
    refusal: {
      code: 'invalid_message',
      field: 'grossCents',
      message: '« grossCents » : nombre entier attendu (sans décimales ; les montants sont en centimes)',
    },
  });
});

test('kiosk scans: digits only, no extra fields, real dates', () => {
  const scan = {
    scanId: '3f1c2b7e-9a4d-4c1e-8b2a-0d9e8f7a6b5c',
    kioskId: '3f1c2b7e-9a4d-4c1e-8b2a-0d9e8f7a6b5c',
    sessionId: '3f1c2b7e-9a4d-4c1e-8b2a-0d9e8f7a6b5c',
    offerId: '3f1c2b7e-9a4d-4c1e-8b2a-0d9e8f7a6b5c',
    code: '123456789012',
    scannedAt: '2026-11-22T10:00:00.000Z',
    offline: false,
  };
  expect(validate(ScanMessage, scan).ok).toBe(true);
  expect(validate(ScanMessage, { ...scan, code: "1' OR 1=1 --" })).toMatchObject({
    ok: false,
    refusal: { field: 'code' },
  });
  expect(validate(ScanMessage, { ...scan, extra: 1 })).toMatchObject({
    ok: false,
    refusal: { field: 'extra', message: '« extra » : champ inconnu : retirez-le' },
  });
  expect(validate(ScanMessage, { ...scan, scannedAt: 'yesterday' }).ok).toBe(false);
  // An offline scan names the last verdict received, or none; an older agent's leaves the field out.
  expect(validate(ScanMessage, { ...scan, offline: true, lastVerdictScanId: scan.scanId }).ok).toBe(true);
  expect(validate(ScanMessage, { ...scan, offline: true, lastVerdictScanId: null }).ok).toBe(true);
  expect(validate(ScanMessage, { ...scan, offline: true, lastVerdictScanId: 'the last one' }).ok).toBe(false);
});

test('refusals are worded in French, naming the field', () => {
  const refusal = (schema: Parameters<typeof validate>[0], value: unknown) => {
    const result = validate(schema, value);
    return result.ok ? undefined : result.refusal.message;
  };
  const funder = {
    funderId: '3f1c2b7e-9a4d-4c1e-8b2a-0d9e8f7a6b5c',
    name: 'CCAS',
    kind: 'ccas',
    siret: '73282932000074',
  };
  const { name: _name, ...nameless } = funder;
  expect(refusal(EventData['funder.created'], nameless)).toBe('« name » : champ obligatoire absent');
  expect(refusal(EventData['funder.created'], { ...funder, siret: '7328293200007A' })).toBe(
    '« siret » : 14 chiffres attendus',
  );
  expect(refusal(EventData['funder.created'], { ...funder, funderId: 'x' })).toMatch(
    /^« funderId » : identifiant UUID/,
  );
  expect(refusal(EventData['funder.created'], { ...funder, kind: 'pirate' })).toMatch(
    /^« kind » : une de ces valeurs attendue : « collectivite », « public_body », « ccas »/,
  );
  expect(refusal(EventData['funder.created'], 'CCAS')).toBe('message : objet JSON attendu');
});
