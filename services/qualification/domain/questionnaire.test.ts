import { expect, test } from 'vitest';
import type { Questionnaire } from './questionnaire-shape.ts';
import { currentQuestionnaire, questionnaire, score, type Answers } from './questionnaire.ts';

/** Answers every question with the option chosen by `pick` (by index in the question's options). */
function answer(q: Questionnaire, pick: (options: number) => number): Answers {
  return Object.fromEntries(
    q.themes.flatMap((t) => t.questions.map((x) => [x.id, x.options[pick(x.options.length)]!.code])),
  );
}
const best = answer(currentQuestionnaire, (n) => n - 1);

test('the first version is well formed: five themes weighing 100, points 0–4', () => {
  expect(currentQuestionnaire.themes.map((t) => t.code)).toEqual([
    'aptitudes',
    'publics',
    'territoires',
    'innovation',
    'competences_specifiques',
  ]);
  expect(currentQuestionnaire.themes.reduce((s, t) => s + t.weight, 0)).toBe(100);
  const ids = currentQuestionnaire.themes.flatMap((t) => t.questions.map((q) => q.id));
  expect(new Set(ids).size).toBe(ids.length);
  for (const q of currentQuestionnaire.themes.flatMap((t) => t.questions)) {
    expect(Math.max(...q.options.map((o) => o.points))).toBe(4);
    expect(Math.min(...q.options.map((o) => o.points))).toBeGreaterThanOrEqual(0);
  }
});

test('best answers: 100 everywhere, proposal qualified', () => {
  const s = score(currentQuestionnaire, best);
  expect(s).toMatchObject({
    overall: 100,
    proposal: 'qualified',
    themes: { aptitudes: 100, publics: 100, territoires: 100, innovation: 100, competences_specifiques: 100 },
  });
});

test('worst answers are refused; an eliminatory answer refuses whatever the score', () => {
  expect(
    score(
      currentQuestionnaire,
      answer(currentQuestionnaire, () => 0),
    ).proposal,
  ).toBe('refused');
  const noPublic = score(currentQuestionnaire, { ...best, apt_accueil: 'non' });
  expect(noPublic.overall).toBeGreaterThan(60);
  expect(noPublic.proposal).toBe('refused');
  expect(noPublic.reasons[0]).toMatch(/éliminatoire/);
});

test('weighted scores per theme and overall, integers', () => {
  // Aptitudes: accueil 3×4, médiateurs 3×2, équipement 2×1, formation 2×0 → 20/40 = 50.
  const s = score(currentQuestionnaire, {
    ...best,
    apt_mediateurs: 'moins_un',
    apt_equipement: 'peu',
    apt_formation: 'non',
  });
  expect(s.themes.aptitudes).toBe(50);
  // Overall: (25×50 + 75×100) / 100 = 87.5 → 88.
  expect(s.overall).toBe(88);
  expect(s.proposal).toBe('qualified');
});

test('a good overall with one theme under the floor goes to review, as does the grey zone', () => {
  const weakTerritory = score(currentQuestionnaire, {
    ...best,
    ter_prioritaire: 'non',
    ter_itinerance: 'non',
    ter_reseau: 'non',
  });
  expect(weakTerritory.themes.territoires).toBe(0);
  expect(weakTerritory.proposal).toBe('to_review');
  const middling = score(
    currentQuestionnaire,
    answer(currentQuestionnaire, (n) => (n === 4 ? 1 : n - 1)),
  );
  expect(middling.overall).toBeGreaterThanOrEqual(40);
  expect(middling.overall).toBeLessThan(60);
  expect(middling.proposal).toBe('to_review');
});

test('missing, unknown or stray answers are refused with the field', () => {
  const { apt_accueil: _, ...missing } = best;
  expect(() => score(currentQuestionnaire, missing)).toThrowError(
    expect.objectContaining({ code: 'missing_answer', field: 'answers.apt_accueil' }),
  );
  expect(() => score(currentQuestionnaire, { ...best, apt_accueil: 'peut-être' })).toThrowError(
    expect.objectContaining({ code: 'invalid_answer' }),
  );
  expect(() => score(currentQuestionnaire, { ...best, extra: 'oui' })).toThrowError(
    expect.objectContaining({ code: 'unknown_question' }),
  );
  expect(() => questionnaire('1999-01')).toThrowError(
    expect.objectContaining({ code: 'unknown_questionnaire_version' }),
  );
});
