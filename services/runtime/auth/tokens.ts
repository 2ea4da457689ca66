import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { DomainError, type Role } from '@aptic/contracts';
import type { Database, Db } from '../db/connect.ts';
import { apiTokens } from './schema.ts';

export interface Principal {
  tokenId: string;
  name: string;
  role: Role;
  funderId: string | null;
}

export interface IssuedToken extends Principal {
  /** The bearer token: shown once, never stored. */
  token: string;
}

const migrations = fileURLToPath(new URL('./migrations', import.meta.url));
const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

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
      return { tokenId: 'bootstrap', name: 'APTIC_ADMIN_TOKEN', role: 'admin', funderId: null };
    }
    const [row] = await this.db
      .select()
      .from(apiTokens)
      .where(and(eq(apiTokens.hash, hash), isNull(apiTokens.revokedAt)));
    return row && { tokenId: row.id, name: row.name, role: row.role as Role, funderId: row.funderId };
  }

  async issue(request: { name: string; role: Role; funderId?: string | null }, createdBy: string): Promise<IssuedToken> {
    const funderId = request.funderId ?? null;
    if (request.role === 'funder' && !funderId) {
      throw new DomainError('funder_id_required', 'A funder token must name its funder (funderId).', { status: 400, field: 'funderId' });
    }
    if (request.role !== 'funder' && funderId) {
      throw new DomainError('funder_id_not_allowed', 'Only funder tokens are scoped to a funder.', { status: 400, field: 'funderId' });
    }
    const token = `apt_${randomBytes(32).toString('base64url')}`;
    const id = randomUUID();
    await this.db.insert(apiTokens).values({ id, name: request.name, role: request.role, funderId, hash: hashOf(token), createdBy });
    return { tokenId: id, name: request.name, role: request.role, funderId, token };
  }

  async list(): Promise<Array<Principal & { createdAt: string; revokedAt: string | null }>> {
    const rows = await this.db.select().from(apiTokens).orderBy(apiTokens.createdAt);
    return rows.map((r) => ({
      tokenId: r.id,
      name: r.name,
      role: r.role as Role,
      funderId: r.funderId,
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

  async hasAdmin(): Promise<boolean> {
    const [row] = await this.db
      .select({ n: sql<number>`count(*)::int` })
      .from(apiTokens)
      .where(and(eq(apiTokens.role, 'admin'), isNull(apiTokens.revokedAt)));
    return (row?.n ?? 0) > 0;
  }
}
