import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { reportingRoleName } from '@aptic/contracts';
import { queryRows, type Queryable, type Tx } from '@aptic/runtime';

/**
 * The PostgreSQL roles Grafana logs in as: one per funder, one for staff. Each may log in, is
 * read-only, bypasses no row-level security, owns nothing, and may read only the relations below;
 * reporting_role maps it to its funder for the row-level security policies (0003_reporting.sql).
 * Created, and their passwords rotated, by `POST /reporting-roles` or `npm run reporting-role`.
 */

/** What a funder's role may read: its own rows (RLS) and the public directory of places and offers. */
export const FUNDER_RELATIONS = [
  'reporting_role',
  'order_summary',
  'usage_daily',
  'redemption_fact',
  'place',
  'offer',
  'usage',
  'orders',
  'rating_fact',
  'satisfaction',
] as const;
/** Staff also read the platform's operations: kiosks, refused scans, settlement periods and payouts. */
export const STAFF_RELATIONS = [...FUNDER_RELATIONS, 'kiosk', 'denied_daily', 'period', 'payout'] as const;
/** Tables whose every row the staff role reads, through a policy naming it. */
const STAFF_WIDE = [
  'order_summary',
  'usage_daily',
  'redemption_fact',
  'rating_fact',
  'kiosk',
  'denied_daily',
  'period',
  'payout',
] as const;

export type ReportingRole = { role: string; password: string; funderId: string | null };

/**
 * The SCRAM-SHA-256 verifier of a password (RFC 5802, RFC 7677), as PostgreSQL stores it: the
 * password itself never reaches the server, its statement log or pg_stat_activity.
 */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest();
  const storedKey = createHash('sha256').update(hmac(salted, 'Client Key')).digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${hmac(salted, 'Server Key').toString('base64')}`;
}

const ident = (name: string) => sql.raw(`"${name.replaceAll('"', '""')}"`);
const literal = (text: string) => sql.raw(`'${text.replaceAll("'", "''")}'`);

/**
 * Creates the role of a funder (or staff when funderId is null), or gives it a new password if it
 * exists; (re)grants exactly its relations. Returns the password, shown once.
 */
export async function provisionReportingRole(tx: Tx, prefix: string, funderId: string | null): Promise<ReportingRole> {
  const role = reportingRoleName(prefix, funderId);
  const password = randomBytes(24).toString('base64url');
  const verifier = literal(scramVerifier(password));
  const [exists] = await queryRows<{ n: number }>(
    tx,
    sql`SELECT count(*)::int AS n FROM pg_roles WHERE rolname = ${role}`,
  );
  if (exists!.n === 0) {
    await tx.execute(
      sql`CREATE ROLE ${ident(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS CONNECTION LIMIT 10 PASSWORD ${verifier}`,
    );
  } else {
    await tx.execute(sql`ALTER ROLE ${ident(role)} PASSWORD ${verifier}`);
  }
  await tx.execute(sql`ALTER ROLE ${ident(role)} SET default_transaction_read_only = on`);
  await tx.execute(sql`ALTER ROLE ${ident(role)} SET statement_timeout = '30s'`);
  const [{ db }] = (await queryRows<{ db: string }>(tx, sql`SELECT current_database() AS db`)) as [{ db: string }];
  await tx.execute(sql`GRANT CONNECT ON DATABASE ${ident(db)} TO ${ident(role)}`);
  await tx.execute(sql`GRANT USAGE ON SCHEMA analytics TO ${ident(role)}`);
  const relations = funderId ? FUNDER_RELATIONS : STAFF_RELATIONS;
  await tx.execute(
    sql`GRANT SELECT ON ${sql.raw(relations.map((r) => `analytics."${r}"`).join(', '))} TO ${ident(role)}`,
  );
  if (!funderId) {
    for (const table of STAFF_WIDE) {
      await tx.execute(sql`DROP POLICY IF EXISTS staff_rows ON analytics.${ident(table)}`);
      await tx.execute(
        sql`CREATE POLICY staff_rows ON analytics.${ident(table)} FOR SELECT TO ${ident(role)} USING (true)`,
      );
    }
  }
  await tx.execute(sql`
    INSERT INTO analytics.reporting_role (role_name, funder_id, staff) VALUES (${role}, ${funderId}, ${funderId === null})
    ON CONFLICT (role_name) DO UPDATE SET rotated_at = now()`);
  return { role, password, funderId };
}

export function listReportingRoles(db: Queryable) {
  return queryRows<{ role: string; funderId: string | null; staff: boolean; rotatedAt: string }>(
    db,
    sql`SELECT role_name AS role, funder_id AS "funderId", staff, rotated_at AS "rotatedAt" FROM analytics.reporting_role ORDER BY role_name`,
  );
}
