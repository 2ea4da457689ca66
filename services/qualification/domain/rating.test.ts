import { expect, test } from 'vitest';
import { DomainError } from '@aptic/contracts';
import { assertActive, assertChangeable, alertThreshold, placeFigures, readRatingForm } from './rating.ts';

test('the form: a score of 1 to 5, oui or non, a comment of 500 characters at most, each refusal naming its field', () => {
  expect(readRatingForm({ score: '4', wouldReturn: 'oui', comment: '  Bien.  ' })).toEqual({
    ok: true,
    form: { score: 4, wouldReturn: true, comment: 'Bien.' },
  });
  expect(readRatingForm({ score: '1', wouldReturn: 'non', comment: '' })).toMatchObject({ form: { comment: null } });
  for (const score of ['0', '6', '4.5', '', ' 4', undefined])
    expect(readRatingForm({ score, wouldReturn: 'oui' })).toMatchObject({
      ok: false,
      errors: { score: expect.any(String) },
    });
  expect(readRatingForm({ score: '3', wouldReturn: 'yes' })).toMatchObject({
    errors: { wouldReturn: expect.any(String) },
  });
  expect(readRatingForm({ score: '3', wouldReturn: 'oui', comment: 'é'.repeat(500) }).ok).toBe(true);
  expect(readRatingForm({ score: '3', wouldReturn: 'oui', comment: 'é'.repeat(501) })).toMatchObject({
    errors: { comment: expect.stringContaining('501') },
  });
  expect(Object.keys((readRatingForm({}) as { errors: object }).errors).sort()).toEqual(['score', 'wouldReturn']);
});

test('a rating may change for 30 days; a withdrawn one never', () => {
  const ratedAt = new Date('2026-12-01T10:00:00Z');
  expect(() => assertChangeable(ratedAt, new Date('2026-12-31T09:59:59Z'))).not.toThrow();
  expect(() => assertChangeable(ratedAt, new Date('2026-12-31T10:00:01Z'))).toThrow(DomainError);
  expect(() => assertActive('active')).not.toThrow();
  expect(() => assertActive('withdrawn')).toThrow(DomainError);
});

test('a place is flagged when its latest 20 ratings average under the threshold, 5 ratings at least; the trend compares them with the 20 before', () => {
  const low = Array(20).fill(2);
  const high = Array(20).fill(4);
  expect(placeFigures({ count: 40, mean: 3 }, [...low, ...high], 3)).toMatchObject({
    recentMean: 2,
    previousMean: 4,
    trend: 'down',
    flagged: true,
  });
  expect(placeFigures({ count: 40, mean: 3 }, [...high, ...low], 3)).toMatchObject({ trend: 'up', flagged: false });
  expect(placeFigures({ count: 4, mean: 1 }, [1, 1, 1, 1], 3)).toMatchObject({ flagged: false, trend: null });
  expect(placeFigures({ count: 5, mean: 1 }, [1, 1, 1, 1, 1], 3).flagged).toBe(true);
  expect(placeFigures({ count: 0, mean: null }, [], 3)).toMatchObject({ count: 0, mean: null, flagged: false });
  expect([alertThreshold(undefined), alertThreshold('2.5'), alertThreshold('0'), alertThreshold('x')]).toEqual([
    3,
    2.5,
    undefined,
    undefined,
  ]);
});
