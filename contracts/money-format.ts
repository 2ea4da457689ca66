/** Amounts as French documents print them, from integer cents, in integer arithmetic. */

/** Intl fr-FR's thousands separator (narrow no-break space) and the no-break space before "€". */
const THOUSANDS_SEPARATOR = '\u202f';
const NBSP = '\u00a0';

/** 2000 → "2 000" (U+202F). */
export function formatInteger(value: number): string {
  if (!Number.isSafeInteger(value)) throw new RangeError(`not an integer: ${value}`);
  const sign = value < 0 ? '-' : '';
  return sign + String(Math.abs(value)).replace(/\B(?=(\d{3})+(?!\d))/g, THOUSANDS_SEPARATOR);
}

/** 2545000 → "25 450,00 €" (U+202F between thousands, U+00A0 before €). */
export function formatEuros(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`not an integer number of cents: ${cents}`);
  const sign = cents < 0 ? '-' : '';
  const absolute = Math.abs(cents);
  const euros = (absolute - (absolute % 100)) / 100;
  const rest = String(absolute % 100).padStart(2, '0');
  return `${sign}${formatInteger(euros)},${rest}${NBSP}€`;
}
