/**
 * Ratings (avis) of the service act a pass paid for, given by the beneficiary on the public rating
 * page with the feedback code of the pass's stub. Pure rules: the form's checks, the 30-day window
 * for changes, the rating's states, and a place's figures and alert.
 */
import { DomainError } from '@aptic/contracts';

/** A rating may be changed this long after it was first given. */
const CHANGE_WINDOW_DAYS = 30;
export const COMMENT_MAX_LENGTH = 500;
/** The alert looks at a place's latest ratings, this many. */
export const ALERT_WINDOW = 20;
/** Fewer ratings than this say too little about a place to raise an alert. */
const ALERT_MIN_RATINGS = 5;

/** active → withdrawn (its redemption was cancelled); a withdrawn rating is final. */
export type RatingStatus = 'active' | 'withdrawn';

export type RatingForm = { score: number; wouldReturn: boolean; comment: string | null };
/** A refusal of the form, per field, in French (shown next to the field). */
export type FormErrors = Partial<Record<keyof RatingForm, string>>;

/**
 * Reads the posted form (strings, as a browser sends them). Every field is checked; a refusal
 * names each field at fault so that the page can show them all at once.
 */
export function readRatingForm(
  body: Record<string, unknown>,
): { ok: true; form: RatingForm } | { ok: false; errors: FormErrors } {
  const errors: FormErrors = {};
  const score = Number(body.score);
  if (typeof body.score !== 'string' || !/^[1-5]$/.test(body.score)) errors.score = 'Choisissez une note de 1 à 5.';
  const wouldReturn = body.wouldReturn === 'oui' ? true : body.wouldReturn === 'non' ? false : undefined;
  if (wouldReturn === undefined) errors.wouldReturn = 'Répondez par oui ou par non.';
  const raw = body.comment === undefined ? '' : body.comment;
  if (typeof raw !== 'string') errors.comment = 'Commentaire illisible.';
  const comment = typeof raw === 'string' ? raw.replace(/\r\n/g, '\n').trim() : '';
  if ([...comment].length > COMMENT_MAX_LENGTH)
    errors.comment = `Votre commentaire compte ${[...comment].length} caractères : ${COMMENT_MAX_LENGTH} au plus.`;
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, form: { score, wouldReturn: wouldReturn!, comment: comment === '' ? null : comment } };
}

/** The last moment a rating first given at `ratedAt` may be changed. */
export function changeableUntil(ratedAt: Date): Date {
  return new Date(ratedAt.getTime() + CHANGE_WINDOW_DAYS * 86_400_000);
}

export function assertChangeable(ratedAt: Date, now: Date): void {
  if (now > changeableUntil(ratedAt))
    throw new DomainError(
      'rating_final',
      `Votre avis ne peut plus être modifié : ${CHANGE_WINDOW_DAYS} jours sont passés depuis que vous l’avez donné.`,
      { status: 409 },
    );
}

/** A withdrawn rating is final: it is neither changed nor withdrawn again. */
export function assertActive(status: RatingStatus): void {
  if (status !== 'active')
    throw new DomainError('rating_withdrawn', 'Cet avis a été retiré : le passage qu’il notait a été annulé.', {
      status: 409,
    });
}

export type PlaceRatingFigures = {
  count: number;
  mean: number | null;
  /** Mean of the latest ALERT_WINDOW ratings, and of the ones before them (the trend compares both). */
  recentMean: number | null;
  previousMean: number | null;
  trend: 'up' | 'down' | 'stable' | null;
  flagged: boolean;
};

const average = (scores: number[]) =>
  scores.length === 0 ? null : Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 100) / 100;

/**
 * A place's figures: `overall` over all its active ratings, `newest` the scores of its latest
 * 2 × ALERT_WINDOW, newest first. The trend says whether the latest ALERT_WINDOW are better or
 * worse than the ones before (by a quarter point at least); the place is flagged when the latest
 * ones' mean is under `threshold`.
 */
export function placeFigures(
  overall: { count: number; mean: number | null },
  newest: number[],
  threshold: number,
): PlaceRatingFigures {
  const recent = newest.slice(0, ALERT_WINDOW);
  const recentMean = average(recent);
  const previousMean = average(newest.slice(ALERT_WINDOW, 2 * ALERT_WINDOW));
  const delta = recentMean !== null && previousMean !== null ? recentMean - previousMean : null;
  return {
    count: overall.count,
    mean: overall.mean === null ? null : Math.round(overall.mean * 100) / 100,
    recentMean,
    previousMean,
    trend: delta === null ? null : delta >= 0.25 ? 'up' : delta <= -0.25 ? 'down' : 'stable',
    flagged: recent.length >= ALERT_MIN_RATINGS && recentMean !== null && recentMean < threshold,
  };
}

/** QUALIFICATION_RATING_ALERT_THRESHOLD: a mean (1–5) under which a place is flagged; 3 when unset, undefined when invalid. */
export function alertThreshold(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return 3;
  const value = Number(raw);
  return Number.isFinite(value) && value >= 1 && value <= 5 ? value : undefined;
}
