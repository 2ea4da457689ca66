/**
 * Issuing 100,000 passes (10,000 carnets of 10) for one paid order: carnet numbers, keyed codes,
 * bulk insert, passes.issued events written to the outbox, commit: the whole transaction. Beside
 * its wall time, the CPU it cost this process and PostgreSQL: one transaction is one thread on each
 * side, so on a shared machine the wall time grows with the load while the CPU seconds do not.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { connectPostgres, outboxWriter, queryRows } from '@aptic/runtime';
import { printing } from '@aptic/printing';
import { issuePasses } from '@aptic/printing/db/issuance.ts';
import { cpuMeter, postgresPids, report, scratch } from './support.ts';
import { openRules } from '../support/rules.ts';

const CARNETS = Number(process.env.BENCH_CARNETS ?? 10_000);

async function main() {
  const db = await scratch();
  const database = connectPostgres(db.databaseUrl);
  try {
    await database.migrate(
      'printing',
      fileURLToPath(new URL('../../services/printing/db/migrations', import.meta.url)),
    );
    const event = {
      id: randomUUID(),
      type: 'order.paid' as const,
      occurredAt: new Date().toISOString(),
      producer: 'bench',
      data: {
        orderId: randomUUID(),
        funderId: randomUUID(),
        funderName: 'Banc d’essai',
        offer: 'plus' as const,
        carnetSize: 10 as const,
        carnets: CARNETS,
        faceValueCents: CARNETS * 10_000,
        options: [],
        rules: openRules(),
      },
    };
    const rssBefore = process.memoryUsage().rss;
    const meter = await cpuMeter(async () => ({ node: [process.pid], postgres: await postgresPids(db.databaseUrl) }));
    const started = performance.now();
    await database.db.transaction(async (tx) => {
      const outbox = outboxWriter(printing.tables, 'printing');
      await issuePasses(tx, outbox.emit, event, {
        code: 'bench-pass-code-key-0123456789abcdef',
        lookup: 'bench-pass-lookup-key-0123456789abcdef',
      });
      await outbox.flush(tx);
    });
    const seconds = (performance.now() - started) / 1000;
    const cpuMs = await meter.charge(1);
    const cpuSeconds = Object.fromEntries(
      Object.entries(cpuMs).map(([role, ms]) => [role, Number((ms / 1000).toFixed(2))]),
    );
    const cpuTotal = Object.values(cpuSeconds).reduce((a, b) => a + b, 0);
    const [counts] = await queryRows<{ passes: number; events: number }>(
      database.db,
      sql`SELECT (SELECT count(*)::int FROM printing.pass) AS passes, (SELECT count(*)::int FROM printing.outbox) AS events`,
    );
    report(
      'issue',
      {
        passes: counts!.passes,
        passesIssuedEvents: counts!.events,
        seconds: Number(seconds.toFixed(2)),
        passesPerSecond: Math.round(counts!.passes / seconds),
        cpuSeconds,
        rssGrowthMB: Math.round((process.memoryUsage().rss - rssBefore) / 2 ** 20),
        target: { seconds: 3 },
        met: seconds <= 3,
      },
      [
        {
          figure: `${counts!.passes} passes issued in ${seconds.toFixed(2)} s, ${cpuTotal.toFixed(2)} CPU s (Node ${cpuSeconds.node}, PostgreSQL ${cpuSeconds.postgres})`,
          target: '≤ 3 s',
          met: seconds <= 3,
        },
      ],
    );
  } finally {
    await database.close();
    await db.drop();
  }
}

await main();
