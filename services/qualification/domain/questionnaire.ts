import { DomainError } from '@aptic/contracts';
import { questionnaireV1 } from './questionnaire-v1.ts';
import type { AnswerOption, Question, Questionnaire, ThemeCode } from './questionnaire-shape.ts';

export type Proposal = 'qualified' | 'refused' | 'to_review';

export type Answers = Record<string, string>;
export interface Score {
  version: string;
  /** 0–100 per theme. */
  themes: Record<ThemeCode, number>;
  overall: number;
  proposal: Proposal;
  /** Why the proposal is what it is, for staff (French). */
  reasons: string[];
}

const MAX_POINTS = 4;

/** Every version ever published, by version: an assessment is re-read with its own. */
const versions = new Map<string, Questionnaire>([[questionnaireV1.version, questionnaireV1]]);
export const currentQuestionnaire = questionnaireV1;

export function questionnaire(version: string): Questionnaire {
  const found = versions.get(version);
  if (!found)
    throw new DomainError('unknown_questionnaire_version', `Version de questionnaire inconnue : ${version}.`, {
      status: 422,
      field: 'version',
    });
  return found;
}

/** The option chosen for a question, refusing missing or unknown answers. */
function chosen(question: Question, answers: Answers): AnswerOption {
  const code = answers[question.id];
  if (code === undefined)
    throw new DomainError('missing_answer', `Question sans réponse : « ${question.label} »`, {
      status: 422,
      field: `answers.${question.id}`,
    });
  const option = question.options.find((o) => o.code === code);
  if (!option)
    throw new DomainError('invalid_answer', `Réponse « ${code} » inconnue pour la question « ${question.label} ».`, {
      status: 422,
      field: `answers.${question.id}`,
    });
  return option;
}

function checkNoStrayAnswers(q: Questionnaire, answers: Answers): void {
  const known = new Set(q.themes.flatMap((t) => t.questions.map((x) => x.id)));
  const stray = Object.keys(answers).find((id) => !known.has(id));
  if (stray !== undefined)
    throw new DomainError('unknown_question', `Question inconnue dans la version ${q.version} : ${stray}.`, {
      status: 422,
      field: `answers.${stray}`,
    });
}

/** Scores answers with their questionnaire version: integer scores 0–100, and the proposal. */
export function score(q: Questionnaire, answers: Answers): Score {
  checkNoStrayAnswers(q, answers);
  const themes = {} as Record<ThemeCode, number>;
  const reasons: string[] = [];
  let eliminated = false;
  for (const theme of q.themes) {
    let got = 0;
    let max = 0;
    for (const question of theme.questions) {
      const option = chosen(question, answers);
      got += question.weight * option.points;
      max += question.weight * MAX_POINTS;
      if (option.eliminatory) {
        eliminated = true;
        reasons.push(`Réponse éliminatoire : « ${question.label} » → « ${option.label} ».`);
      }
    }
    themes[theme.code] = Math.round((100 * got) / max);
  }
  const overall = Math.round(q.themes.reduce((sum, t) => sum + t.weight * themes[t.code], 0) / 100);
  return { version: q.version, themes, overall, ...propose(q, themes, overall, eliminated, reasons) };
}

function propose(
  q: Questionnaire,
  themes: Record<ThemeCode, number>,
  overall: number,
  eliminated: boolean,
  reasons: string[],
): { proposal: Proposal; reasons: string[] } {
  const { qualified, refused, themeFloor } = q.thresholds;
  if (eliminated) return { proposal: 'refused', reasons };
  if (overall < refused)
    return {
      proposal: 'refused',
      reasons: [...reasons, `Score global ${overall}/100 sous le seuil de refus (${refused}).`],
    };
  const weak = q.themes
    .filter((t) => themes[t.code] < themeFloor)
    .map((t) => `Thème « ${t.label} » à ${themes[t.code]}/100, sous le plancher de ${themeFloor}.`);
  if (overall >= qualified && weak.length === 0)
    return {
      proposal: 'qualified',
      reasons: [...reasons, `Score global ${overall}/100, seuil de qualification ${qualified} atteint.`],
    };
  const below =
    overall < qualified
      ? [`Score global ${overall}/100, entre le seuil de refus (${refused}) et celui de qualification (${qualified}).`]
      : [];
  return { proposal: 'to_review', reasons: [...reasons, ...below, ...weak] };
}
