import { Type } from '@sinclair/typebox';

/**
 * Paging of list routes: `limit` (1–500, 100 by default) rows from `offset`. Routes spread these
 * into their querystring next to their filters, and order their rows by a unique key, so pages
 * never overlap or skip a row.
 */
export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
};

export interface Page {
  limit: number;
  offset: number;
}

export function pageOf(query: { limit?: number; offset?: number }): Page {
  return { limit: query.limit ?? 100, offset: query.offset ?? 0 };
}
