import { afterAll, beforeAll, expect, test } from 'vitest';
import { connect, type NatsConnection } from 'nats';
import { natsNames } from '@aptic/contracts';
import { isolate, type Isolated } from '../support/infra.ts';
import { testEnv } from '../support/platform.ts';
import { startProcess, type Started } from '../support/process.ts';

/**
 * One kiosk cannot fill the scans queue for everyone: the stream redemption creates keeps at most
 * 10,000 waiting messages per kiosk subject (the server then refuses that kiosk's publications,
 * which stay in its journal) and refuses any message over 4 KiB. Redemption is frozen meanwhile,
 * so that nothing leaves the queue while it is filled.
 */
let infra: Isolated;
let intake: Started;
let nc: NatsConnection;

beforeAll(async () => {
  infra = await isolate();
  intake = await startProcess(['redemption'], { ...process.env, ...testEnv(infra) }, /^ready \(/);
  nc = await connect({ servers: infra.natsUrl });
});
afterAll(async () => {
  intake?.child.kill('SIGKILL');
  await nc?.close();
  await infra?.cleanup();
});

test('a kiosk past its bound of waiting scans is refused, another kiosk is not, and an oversized message never', {
  timeout: 120_000,
}, async () => {
  const names = natsNames(infra.prefix).kiosk;
  const js = nc.jetstream();
  intake.child.kill('SIGSTOP');
  try {
    const flooding = names.scans('flooding-kiosk');
    const outcomes: PromiseSettledResult<unknown>[] = [];
    for (let sent = 0; sent < 10_500; sent += 500) {
      const batch = Array.from({ length: 500 }, () => js.publish(flooding, new Uint8Array(8)));
      outcomes.push(...(await Promise.allSettled(batch)));
    }
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(10_000);
    expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(500);
    await expect(js.publish(names.scans('other-kiosk'), new Uint8Array(8))).resolves.toBeTruthy();
    await expect(js.publish(names.scans('other-kiosk'), new Uint8Array(4_097))).rejects.toThrow(/size/);
  } finally {
    intake.child.kill('SIGCONT');
  }
});
