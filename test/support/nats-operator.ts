/**
 * A NATS server of the test's own, in operator mode (decentralised JWT auth) with JetStream:
 * the setup kiosk credentials need. Started from the real `nats-server` binary on a free port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeAccount, encodeOperator, encodeUser, fmtCreds } from '@nats-io/jwt';
import { createAccount, createOperator, createUser } from '@nats-io/nkeys';
import { connect, credsAuthenticator, type ConnectionOptions, type NatsConnection } from 'nats';

export interface OperatorServer {
  url: string;
  /** The platform's own user: every permission inside the account. */
  platformCreds: string;
  accountPublicKey: string;
  /** Seed of the account's signing key: what qualification signs kiosk users with. */
  accountSigningSeed: string;
  connect(creds: string, options?: Partial<ConnectionOptions>): Promise<NatsConnection>;
  stop(): Promise<void>;
  /** Stops the process only (data kept): for outage tests. */
  pause(): Promise<void>;
  resume(): Promise<void>;
}

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

async function waitForPort(url: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const nc = await connect({ servers: url, timeout: 500, reconnect: false });
      await nc.close();
      return;
    } catch (err) {
      // An authorisation error means the server is up (we connected without credentials).
      if (/authoriz/i.test(String(err))) return;
      if (Date.now() > deadline) throw new Error(`nats-server did not start on ${url}: ${String(err)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function startOperatorServer(binary = process.env.NATS_SERVER_BIN ?? 'nats-server'): Promise<OperatorServer> {
  const operator = createOperator();
  const system = createAccount();
  const account = createAccount();
  const signing = createAccount();
  const operatorJwt = await encodeOperator('aptic-test', operator, { system_account: system.getPublicKey() });
  const systemJwt = await encodeAccount('SYS', system, {}, { signer: operator });
  const accountJwt = await encodeAccount(
    'APTIC',
    account,
    {
      signing_keys: [signing.getPublicKey()],
      // Every limit must be given: one left out counts as zero (no connection allowed).
      limits: { subs: -1, conn: -1, leaf: -1, imports: -1, exports: -1, data: -1, payload: -1, wildcards: true, mem_storage: -1, disk_storage: -1, streams: -1, consumer: -1 },
    },
    { signer: operator },
  );
  const platformUser = createUser();
  const platformJwt = await encodeUser('platform', platformUser, signing, { issuer_account: account.getPublicKey() });

  const dir = await mkdtemp(join(tmpdir(), 'aptic-nats-'));
  const port = await freePort();
  const config = join(dir, 'nats.conf');
  await writeFile(
    config,
    [
      `listen: 127.0.0.1:${port}`,
      `jetstream { store_dir: "${join(dir, 'js')}" }`,
      `operator: "${operatorJwt}"`,
      `system_account: "${system.getPublicKey()}"`,
      'resolver: MEMORY',
      `resolver_preload: { ${system.getPublicKey()}: "${systemJwt}", ${account.getPublicKey()}: "${accountJwt}" }`,
    ].join('\n'),
  );
  const url = `nats://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(binary, ['-c', config], { stdio: 'ignore' });
    await waitForPort(url);
  };
  const halt = async () => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  await start();
  return {
    url,
    platformCreds: decode(fmtCreds(platformJwt, platformUser)),
    accountPublicKey: account.getPublicKey(),
    accountSigningSeed: decode(signing.getSeed()),
    connect: (creds, options = {}) => connect({ servers: url, authenticator: credsAuthenticator(new TextEncoder().encode(creds)), ...options }),
    pause: halt,
    resume: start,
    async stop() {
      await halt();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
