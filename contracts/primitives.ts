import { Type, type Static } from '@sinclair/typebox';

/** Every id that crosses a process boundary is a UUID. */
export const Uuid = Type.String({ format: 'uuid', description: 'UUID' });

/**
 * Money is always an integer number of euro cents, never a float.
 * Bounded to JavaScript's safe integers so that sums stay exact.
 */
export const Cents = Type.Integer({
  minimum: -Number.MAX_SAFE_INTEGER,
  maximum: Number.MAX_SAFE_INTEGER,
  description: 'amount in euro cents (integer)',
});
export const PositiveCents = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

/** A calendar date in Europe/Paris, `YYYY-MM-DD`. */
export const BusinessDate = Type.String({ format: 'date', description: 'YYYY-MM-DD (Europe/Paris)' });
/** An instant, ISO 8601 UTC. */
export const Instant = Type.String({ format: 'date-time' });

/** SIRET: 14 digits (Luhn checked where it enters the domain). */
export const Siret = Type.String({ pattern: '^[0-9]{14}$' });

/** A postal address in France, as a body gives it (a place's, a funder's billing address). */
export const PostalAddress = Type.Object(
  {
    line1: Type.String({ minLength: 1, maxLength: 200 }),
    line2: Type.Optional(Type.String({ maxLength: 200 })),
    postalCode: Type.String({ pattern: '^[0-9]{5}$' }),
    city: Type.String({ minLength: 1, maxLength: 120 }),
  },
  { additionalProperties: false },
);

export const ServiceNames = [
  'qualification',
  'catalogue',
  'ordering',
  'printing',
  'redemption',
  'settlement',
  'analytics',
] as const;
export type ServiceName = (typeof ServiceNames)[number];

export const Roles = ['admin', 'finance', 'support', 'print-partner', 'funder', 'place', 'prescriber'] as const;
export type Role = (typeof Roles)[number];
export const Role = Type.Union(Roles.map((r) => Type.Literal(r)));

/**
 * Roles whose tokens are scoped to one record, and the field naming it when a token is issued:
 * a funder token sees its funder's data, a place token its place's, a print partner's its own
 * print jobs, a prescriber's its own distributions. Staff roles (admin, finance, support) are not scoped.
 */
export const ScopeFields = {
  funder: 'funderId',
  place: 'placeId',
  'print-partner': 'printPartnerId',
  prescriber: 'prescriberId',
} as const;
export type ScopedRole = keyof typeof ScopeFields;
export const isScopedRole = (role: Role): role is ScopedRole => Object.hasOwn(ScopeFields, role);

export type UuidT = Static<typeof Uuid>;
