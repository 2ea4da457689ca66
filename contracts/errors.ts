import { Type, type Static } from '@sinclair/typebox';

/**
 * The one shape of a refusal, on HTTP bodies, action errors and denied messages:
 * a stable machine code, a human message (French where a staff member reads it to a user),
 * and the offending field when the refusal is about one.
 */
export const Refusal = Type.Object({
  code: Type.String(),
  message: Type.String(),
  field: Type.Optional(Type.String()),
});
export type Refusal = Static<typeof Refusal>;

/** A refusal the domain raises on purpose; `status` is the HTTP status it maps to. */
export class DomainError extends Error {
  readonly code: string;
  readonly status: number;
  readonly field: string | undefined;

  constructor(code: string, message: string, options: { status?: number; field?: string } = {}) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.status = options.status ?? 422;
    this.field = options.field;
  }

  toRefusal(): Refusal {
    return this.field === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, field: this.field };
  }
}
