/** The shape of a questionnaire version: its themes, weighted questions and answer options. */
export type ThemeCode = 'aptitudes' | 'publics' | 'territoires' | 'innovation' | 'competences_specifiques';

export interface AnswerOption {
  code: string;
  label: string;
  /** 0–4: 4 is the best answer. */
  points: number;
  /** This answer alone makes the place ineligible (proposal `refused`). */
  eliminatory?: boolean;
}
export interface Question {
  id: string;
  label: string;
  weight: number;
  options: AnswerOption[];
}
interface Theme {
  code: ThemeCode;
  label: string;
  /** Share of the overall score, in percent: the themes' weights add up to 100. */
  weight: number;
  questions: Question[];
}
export interface Questionnaire {
  version: string;
  title: string;
  thresholds: { qualified: number; refused: number; themeFloor: number };
  themes: Theme[];
}
