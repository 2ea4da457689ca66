import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { DomainError, isScopedRole, ScopeFields, type Role } from '@aptic/contracts';
import type { Database, Db } from '../db/connect.ts';
import { apiTokens } from './schema.ts';

export interface Principal {
  tokenId: string;
  name: string;
  role: Role;
  /** A scoped role's record (funder, place, print partner or prescriber id); null for staff roles. */
  scopeId: string | null;
}

/** What issues a token: its role and, for a scoped role, the field `ScopeFields` names for it. */
export interface TokenRequest {
  name: string;
  role: Role;
  funderId?: string;
  placeId?: string;
  printPartnerId?: string;
  prescriberId?: string;
}

export interface IssuedToken extends Principal {
  /** The bearer token: shown once, never stored. */
  token: string;
}

const migrations = fileURLToPath(new URL('./migrations', import.meta.url));
const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A signed link is short-lived: never valid for more than a day. */
const MAX_LINK_SECONDS = 24 * 3600;
const linkSignature = (tokenHash: string, path: string, expires: number) =>
  createHmac('sha256', tokenHash).update(`GET ${path} ${expires}`).digest('base64url');

const snake = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** A scoped role names exactly its own scope field; a staff role names none. */
function scopeOf(request: TokenRequest): string | null {
  const own = isScopedRole(request.role) ? ScopeFields[request.role] : undefined;
  for (const field of Object.values(ScopeFields)) {
    if (field !== own && request[field] !== undefined) {
      const allowed = Object.entries(ScopeFields).find(([, f]) => f === field)![0];
      throw new DomainError(`${snake(field)}_not_allowed`, `Seul un jeton ${allowed} porte ${field}.`, {
        status: 400,
        field,
      });
    }
  }
  if (!own) return null;
  const scopeId = request[own];
  if (!scopeId) {
    throw new DomainError(`${snake(own)}_required`, `Un jeton ${request.role} doit nommer son périmètre (${own}).`, {
      status: 400,
      field: own,
    });
  }
  return scopeId;
}

export class TokenStore {
  private readonly db: Db;
  private readonly bootstrapHash: Buffer | undefined;

  constructor(db: Db, bootstrapToken: string | undefined) {
    this.db = db;
    this.bootstrapHash = bootstrapToken ? Buffer.from(hashOf(bootstrapToken), 'hex') : undefined;
  }

  static async open(database: Database, bootstrapToken: string | undefined): Promise<TokenStore> {
    await database.migrate('auth', migrations);
    return new TokenStore(database.db, bootstrapToken);
  }

  async authenticate(token: string): Promise<Principal | undefined> {
    const hash = hashOf(token);
    // APTIC_ADMIN_TOKEN: compared in constant time, for bootstrap and automation.
    if (this.bootstrapHash && timingSafeEqual(this.bootstrapHash, Buffer.from(hash, 'hex'))) {
      return { tokenId: 'bootstrap', name: 'APTIC_ADMIN_TOKEN', role: 'admin', scopeId: null };
    }
    const [row] = await this.db
      .select()
      .from(apiTokens)
      .where(and(eq(apiTokens.hash, hash), isNull(apiTokens.revokedAt)));
    return row && { tokenId: row.id, name: row.name, role: row.role as Role, scopeId: row.scopeId };
  }

  async issue(request: TokenRequest, createdBy: string): Promise<IssuedToken> {
    const scopeId = scopeOf(request);
    const token = `apt_${randomBytes(32).toString('base64url')}`;
    const id = randomUUID();
    await this.db
      .insert(apiTokens)
      .values({ id, name: request.name, role: request.role, scopeId, hash: hashOf(token), createdBy });
    return { tokenId: id, name: request.name, role: request.role, scopeId, token };
  }

  async list(): Promise<Array<Principal & { createdAt: string; revokedAt: string | null }>> {
    const rows = await this.db.select().from(apiTokens).orderBy(apiTokens.createdAt);
    return rows.map((r) => ({
      tokenId: r.id,
      name: r.name,
      role: r.role as Role,
      scopeId: r.scopeId,
      createdAt: r.createdAt.toISOString(),
      revokedAt: r.revokedAt?.toISOString() ?? null,
    }));
  }

  async revoke(id: string): Promise<boolean> {
    const rows = await this.db
      .update(apiTokens)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
      .returning({ id: apiTokens.id });
    return rows.length > 0;
  }

  /**
   * A link a person can open in a browser (a bearer header cannot be clicked): it carries the id
   * of a token and an HMAC of the path and expiry keyed by that token's hash, so only a holder of
   * the token can make one, it opens that one path only, with the token's rights, until it expires
   * or the token is revoked.
   */
  async signLink(token: string, url: string, ttlSeconds: number): Promise<string> {
    const principal = await this.authenticate(token);
    if (!principal || principal.tokenId === 'bootstrap') throw new Error('signLink: needs a stored, unrevoked token');
    const link = new URL(url);
    const expires = Math.floor(Date.now() / 1000) + ttlSeconds;
    link.search = new URLSearchParams({
      link: principal.tokenId,
      expires: String(expires),
      signature: linkSignature(hashOf(token), link.pathname, expires),
    }).toString();
    return link.toString();
  }

  /** The principal of a signed link for `path`, if it is genuine, unexpired and its token live. */
  async authenticateLink(
    path: string,
    query: { link?: unknown; expires?: unknown; signature?: unknown },
  ): Promise<Principal | undefined> {
    const expires = Number(query.expires);
    if (typeof query.link !== 'string' || !UUID.test(query.link) || typeof query.signature !== 'string')
      return undefined;
    if (!Number.isSafeInteger(expires) || expires < Date.now() / 1000 || expires > Date.now() / 1000 + MAX_LINK_SECONDS)
      return undefined;
    const [row] = await this.db
      .select()
      .from(apiTokens)
      .where(and(eq(apiTokens.id, query.link), isNull(apiTokens.revokedAt)));
    if (!row) return undefined;
    const expected = Buffer.from(linkSignature(row.hash, path, expires));
    const given = Buffer.from(query.signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return { tokenId: row.id, name: `${row.name} (signed link)`, role: row.role as Role, scopeId: row.scopeId };
  }

  async hasAdmin(): Promise<boolean> {
    const [row] = await this.db
      .select({ n: sql<number>`count(*)::int` })
      .from(apiTokens)
      .where(and(eq(apiTokens.role, 'admin'), isNull(apiTokens.revokedAt)));
    return (row?.n ?? 0) > 0;
  }
}
