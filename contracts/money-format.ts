/** Amounts as French documents print them, from integer cents, in integer arithmetic. */

/** Intl fr-FR's thousands separator (narrow no-break space) and the no-break space before "€". */
const THOUSANDS_SEPARATOR = '\u202f';
const NBSP = '\u00a0';

/**
 * 2000 → "2 000" (U+202F by default; messages pass U+00A0). Grouped by slicing, not by a lookahead
 * regex, which backtracks quadratically on long digit runs.
 */
export function formatInteger(value: number, separator = THOUSANDS_SEPARATOR): string {
  if (!Number.isSafeInteger(value)) throw new RangeError(`not an integer: ${value}`);
  const digits = String(Math.abs(value));
  const groups: string[] = [];
  for (let end = digits.length; end > 0; end -= 3) groups.unshift(digits.slice(Math.max(0, end - 3), end));
  return (value < 0 ? '-' : '') + groups.join(separator);
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
