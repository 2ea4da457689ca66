import { pgSchema, text, uuid } from 'drizzle-orm/pg-core';
import { stamp } from '../db/columns.ts';

/**
 * Staff and partner API tokens, shared by every service's admin endpoint (a platform concern,
 * not a domain one). Only the SHA-256 of a token is kept; the token itself is shown once.
 */
export const authSchema = pgSchema('auth');

export const apiTokens = authSchema.table('api_token', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  role: text('role').notNull(),
  /**
   * For a scoped role (funder, place, print-partner, prescriber): the one record whose data the
   * token may see (its funder, place, print partner or prescriber id); null for staff roles.
   */
  scopeId: uuid('scope_id'),
  hash: text('hash').notNull().unique(),
  createdBy: text('created_by').notNull(),
  createdAt: stamp('created_at').notNull().defaultNow(),
  revokedAt: stamp('revoked_at'),
});
