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

export const Roles = ['admin', 'finance', 'support', 'print-partner', 'funder'] as const;
export type Role = (typeof Roles)[number];
export const Role = Type.Union(Roles.map((r) => Type.Literal(r)));

export type UuidT = Static<typeof Uuid>;
