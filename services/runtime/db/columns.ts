import { bigint, date, integer, timestamp } from 'drizzle-orm/pg-core';

/** A moment: timestamptz, read as a Date. */
export const stamp = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
/** A business day: date, read as its YYYY-MM-DD string. */
export const day = (name: string) => date(name, { mode: 'string' });
/** Money in integer cents: bigint, read as a number. */
export const cents = (name: string) => bigint(name, { mode: 'number' });

const factVersion = (name: string) => integer(name).notNull().default(0);
const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

type FactColumns<P extends string, S extends string> = { [K in `${P}Version`]: ReturnType<typeof factVersion> } & {
  [K in `${P}${S}`]: ReturnType<typeof stamp>;
};

/**
 * The version and time of the fact a read model's group of columns comes from (`kitVersion`,
 * `kitAsOf`), compared by newerFact: 0 and null until a fact is applied.
 */
export function factColumns<P extends string, S extends 'AsOf' | 'At' = 'AsOf'>(
  prefix: P,
  stampSuffix: S = 'AsOf' as S,
): FactColumns<P, S> {
  return {
    [`${prefix}Version`]: factVersion(`${snake(prefix)}_version`),
    [`${prefix}${stampSuffix}`]: stamp(snake(`${prefix}${stampSuffix}`)),
  } as FactColumns<P, S>;
}
