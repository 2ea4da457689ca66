/**
 * The rating page's HTML (avis): one layout, server-rendered, French, no script. Every text
 * goes through handlebars' escaping (the templates have no {{{ }}}): a comment with HTML in it
 * shows as text.
 */
import { readFileSync, readdirSync } from 'node:fs';
import Handlebars from 'handlebars';
import { SERVICE_CATEGORIES } from '@aptic/contracts';
import { COMMENT_MAX_LENGTH, changeableUntil, type FormErrors } from '../domain/rating.ts';
import type { RatedAct } from '../db/ratings.ts';

const TEMPLATES = new URL('./templates/', import.meta.url);
const handlebars = Handlebars.create();
for (const file of readdirSync(TEMPLATES).sort())
  if (file !== 'layout.hbs' && file.endsWith('.hbs'))
    handlebars.registerPartial(file.slice(0, -4), readFileSync(new URL(file, TEMPLATES), 'utf8'));
const layout = handlebars.compile(readFileSync(new URL('layout.hbs', TEMPLATES), 'utf8'), { knownHelpersOnly: true });

export const STYLESHEET = readFileSync(new URL('./style.css', import.meta.url), 'utf8');

/** What a page shows; `state` names it for the tests and `refusal` gives a refusal's reason code. */
export type PageView = {
  state: string;
  title: string;
  refusal?: string;
  notice?: string;
  problem?: string;
  text?: string;
  code?: string;
  act?: { place: string; service: string; date: string };
  form?: ReturnType<typeof formView>;
  entry?: { value: string; invalid: boolean };
};

export const renderPage = (view: PageView) => layout({ root: './', ...view });

const SCORE_LABELS = ['Pas du tout satisfait', 'Peu satisfait', 'Moyennement satisfait', 'Satisfait', 'Très satisfait'];

const frenchDay = (at: Date) =>
  new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Europe/Paris' }).format(at);

function actView(act: RatedAct): NonNullable<PageView['act']> {
  const category = SERVICE_CATEGORIES.find((c) => c.code === act.categoryCode);
  return {
    place: act.placeName ?? 'Lieu de médiation numérique',
    service: category?.label ?? 'Service de médiation numérique',
    date: `le ${frenchDay(act.redeemedAt)}`,
  };
}

/** The rating form, filled with what was posted or the rating in force, and its errors. */
export function formView(
  values: { score?: unknown; wouldReturn?: unknown; comment?: unknown },
  errors: FormErrors = {},
  changing = false,
) {
  const score = String(values.score ?? '');
  const wouldReturn = values.wouldReturn === true ? 'oui' : values.wouldReturn === false ? 'non' : values.wouldReturn;
  const fields = { score: 'score-1', wouldReturn: 'return-oui', comment: 'comment' } as const;
  return {
    scores: SCORE_LABELS.map((label, i) => ({ value: i + 1, label, checked: score === String(i + 1) })),
    returnYes: wouldReturn === 'oui',
    returnNo: wouldReturn === 'non',
    comment: typeof values.comment === 'string' ? values.comment.slice(0, 4 * COMMENT_MAX_LENGTH) : '',
    scoreError: errors.score,
    returnError: errors.wouldReturn,
    commentError: errors.comment,
    errors: Object.entries(errors).map(([field, message]) => ({ field: fields[field as keyof FormErrors], message })),
    submit: changing ? 'Modifier mon avis' : 'Envoyer mon avis',
  };
}

/** The page of a redeemed pass: its act, and the form (to rate, or to change within 30 days). */
export function actPage(code: string, act: RatedAct, now: Date, saved: boolean): PageView {
  const rating = act.rating;
  const base = { code, act: actView(act) };
  if (!rating) return { ...base, state: 'rate', title: 'Votre avis sur ce service', form: formView({}) };
  const until = changeableUntil(rating.ratedAt);
  const notice = saved ? 'Merci, votre avis est enregistré.' : undefined;
  if (now > until)
    return {
      ...base,
      state: 'final',
      title: 'Merci pour votre avis',
      notice,
      text: `Vous avez donné votre avis le ${frenchDay(rating.ratedAt)} (note ${rating.score} sur 5). Il ne peut plus être modifié.`,
    };
  return {
    ...base,
    state: saved ? 'saved' : 'rated',
    title: 'Votre avis sur ce service',
    notice,
    text: `Vous pouvez modifier votre avis jusqu’au ${frenchDay(until)}.`,
    form: formView(rating, {}, true),
  };
}
