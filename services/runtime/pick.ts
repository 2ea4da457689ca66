/** The given fields of a row, in the order given (a view of a record, without the rest of its columns). */
export const pick = <T, K extends keyof T>(row: T, keys: readonly K[]): Pick<T, K> =>
  Object.fromEntries(keys.map((k) => [k, row[k]])) as Pick<T, K>;
