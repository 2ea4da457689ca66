import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { queryRows, type Queryable, type Tx } from '@aptic/runtime';
import {
  assertBalanced,
  wrongSide,
  type AccountKind,
  type Balance,
  type Posting,
  type Violation,
} from '../domain/accounts.ts';
import { ledgerLines, ledgerTransactions } from './schema.ts';

/**
 * Books postings in two statements whatever their number (one JSON array each), inside the
 * caller's transaction. A posting that does not balance is refused before anything is written;
 * a cause booked before (same kind and ref) fails the transaction on the unique index.
 */
export async function book(tx: Tx, postings: Posting[]): Promise<void> {
  const real = postings
    .map((p) => ({ ...p, lines: p.lines.filter((l) => l.amountCents !== 0) }))
    .filter((p) => p.lines.length > 0);
  if (real.length === 0) return;
  const txs = real.map((p) => {
    assertBalanced(p);
    return { id: randomUUID(), kind: p.kind, ref: p.ref, period: p.period ?? null, memo: p.memo };
  });
  const lines = real.flatMap((p, i) =>
    p.lines.map((l) => ({ t: txs[i]!.id, a: l.account, o: l.owner ?? null, f: l.funderId ?? null, c: l.amountCents })),
  );
  await tx.execute(sql`
    INSERT INTO ${ledgerTransactions} (id, kind, ref, period, memo)
    SELECT (e->>'id')::uuid, e->>'kind', (e->>'ref')::uuid, e->>'period', e->>'memo' FROM jsonb_array_elements(${JSON.stringify(txs)}::jsonb) AS e`);
  await tx.execute(sql`
    INSERT INTO ${ledgerLines} (tx_id, account, owner, funder_id, amount_cents)
    SELECT (e->>'t')::uuid, e->>'a', (e->>'o')::uuid, (e->>'f')::uuid, (e->>'c')::bigint FROM jsonb_array_elements(${JSON.stringify(lines)}::jsonb) AS e`);
}

/** Balances per account and owner, derived from the lines (never stored). */
export async function balances(
  db: Queryable,
  filter: { account?: AccountKind; owner?: string; funderId?: string } = {},
): Promise<Balance[]> {
  const conditions = [sql`true`];
  if (filter.account) conditions.push(sql`account = ${filter.account}`);
  if (filter.owner) conditions.push(sql`owner = ${filter.owner}`);
  if (filter.funderId) conditions.push(sql`funder_id = ${filter.funderId}`);
  const rows = await queryRows<{ account: AccountKind; owner: string | null; balance: string }>(
    db,
    sql`
    SELECT account, owner, sum(amount_cents) AS balance FROM ${ledgerLines}
    WHERE ${sql.join(conditions, sql` AND `)} GROUP BY account, owner ORDER BY account, owner`,
  );
  return rows.map((r) => ({ account: r.account, owner: r.owner, balanceCents: Number(r.balance) }));
}

/** An account's lines, newest first, with their transaction. */
export async function accountLines(db: Queryable, account: AccountKind, owner: string | undefined, limit: number) {
  const rows = await queryRows<{
    seq: string;
    tx_id: string;
    kind: string;
    ref: string;
    period: string | null;
    memo: string;
    at: Date;
    owner: string | null;
    amount_cents: string;
  }>(
    db,
    sql`
    SELECT l.seq, l.tx_id, t.kind, t.ref, t.period, t.memo, t.at, l.owner, l.amount_cents
    FROM ${ledgerLines} l JOIN ${ledgerTransactions} t ON t.id = l.tx_id
    WHERE l.account = ${account} ${owner ? sql`AND l.owner = ${owner}` : sql``}
    ORDER BY l.seq DESC LIMIT ${limit}`,
  );
  return rows.map((r) => ({
    seq: Number(r.seq),
    txId: r.tx_id,
    kind: r.kind,
    ref: r.ref,
    period: r.period,
    memo: r.memo,
    at: new Date(r.at).toISOString(),
    owner: r.owner,
    amountCents: Number(r.amount_cents),
  }));
}

/**
 * The ledger's invariants: every transaction sums to zero and has lines, and no account is on
 * the side it may not be (a place's payable or a funder's held money below zero…).
 */
export async function checkLedger(
  db: Queryable,
): Promise<{ ok: boolean; transactions: number; lines: number; violations: Violation[] }> {
  const unbalanced = await queryRows<{ id: string; total: string | null }>(
    db,
    sql`
    SELECT t.id, sum(l.amount_cents) AS total FROM ${ledgerTransactions} t LEFT JOIN ${ledgerLines} l ON l.tx_id = t.id
    GROUP BY t.id HAVING sum(l.amount_cents) IS DISTINCT FROM 0 LIMIT 100`,
  );
  const orphans = await queryRows<{ tx_id: string; total: string }>(
    db,
    sql`
    SELECT l.tx_id, sum(l.amount_cents) AS total FROM ${ledgerLines} l
    WHERE NOT EXISTS (SELECT 1 FROM ${ledgerTransactions} t WHERE t.id = l.tx_id) GROUP BY l.tx_id LIMIT 100`,
  );
  const [counts] = await queryRows<{ t: string; l: string }>(
    db,
    sql`SELECT (SELECT count(*) FROM ${ledgerTransactions}) AS t, (SELECT count(*) FROM ${ledgerLines}) AS l`,
  );
  const violations: Violation[] = [
    ...[...unbalanced, ...orphans.map((o) => ({ id: o.tx_id, total: o.total }))].map((u) => ({
      code: 'unbalanced_transaction' as const,
      txId: u.id,
      cents: Number(u.total ?? 0),
      message: `La transaction ${u.id} ne s’équilibre pas (${u.total ?? 'aucune ligne'}).`,
    })),
    ...wrongSide(await balances(db)),
  ];
  return { ok: violations.length === 0, transactions: Number(counts!.t), lines: Number(counts!.l), violations };
}
