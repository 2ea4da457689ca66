import type { TSchema, Static } from '@sinclair/typebox';
import { FormatRegistry } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { SetErrorFunction } from '@sinclair/typebox/errors';
import type { Refusal } from './errors.ts';
import { frenchValidationMessage } from './validation-messages.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isCalendarDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

FormatRegistry.Set('uuid', (v) => UUID.test(v));
FormatRegistry.Set('date', isCalendarDate);
FormatRegistry.Set('date-time', (v) => !Number.isNaN(Date.parse(v)) && /^\d{4}-\d{2}-\d{2}T/.test(v));
// TypeBox is one module instance for the whole process: HTTP routes and messages alike answer in French.
SetErrorFunction(frenchValidationMessage);

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

function checker<T extends TSchema>(schema: T): TypeCheck<T> {
  let check = compiled.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(schema);
    compiled.set(schema, check);
  }
  return check as TypeCheck<T>;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; refusal: Refusal };

/**
 * Checks a message where it enters a process. Returns the first error with the field's path,
 * so a refusal names what is wrong; never coerces or half-accepts a value.
 */
export function validate<T extends TSchema>(schema: T, value: unknown, code = 'invalid_message'): Validated<Static<T>> {
  const check = checker(schema);
  if (check.Check(value)) return { ok: true, value: value as Static<T> };
  const first = check.Errors(value).First();
  return { ok: false, refusal: validationRefusal(code, first?.path, first?.message, 'message') };
}

/**
 * The refusal of a value that failed its schema: the reason code, the field as a dotted path
 * (`lines.0.amountCents`) and a French message naming it (`« lines.0.amountCents » : nombre entier attendu`).
 */
export function validationRefusal(
  code: string,
  path: string | undefined,
  message = 'valeur non valide',
  what = 'valeur',
): Refusal {
  const field = path ? path.replace(/^\//, '').replaceAll('/', '.') : undefined;
  const text = `${field ? `« ${field} »` : what} : ${message}`;
  return field ? { code, message: text, field } : { code, message: text };
}
