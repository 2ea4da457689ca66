/**
 * A NATS server of the test's own, in operator mode (decentralised JWT auth) with JetStream and
 * the `full` account resolver (account JWTs can be updated at run time: kiosk revocations), the
 * identities made as deployments make them (deploy/nats/operator.ts). Started from the real
 * `nats-server` binary on a free port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, credsAuthenticator, type ConnectionOptions, type NatsConnection } from 'nats';
import { createOperatorSetup, operatorConf } from '../../deploy/nats/operator.ts';

export interface OperatorServer {
  url: string;
  /** The platform's own user: every permission inside the account. */
  platformCreds: string;
  accountPublicKey: string;
  /** Seed of the account's signing key: what qualification signs kiosk users with. */
  accountSigningSeed: string;
  /** Qualification's kiosk settings for this server (kiosk/config.ts): signing, verdict consumers, revocations. */
  kioskEnv: Record<string, string>;
  connect(creds: string, options?: Partial<ConnectionOptions>): Promise<NatsConnection>;
  stop(): Promise<void>;
  /** Stops the process only (data kept): for outage tests. */
  pause(): Promise<void>;
  resume(): Promise<void>;
}

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

export async function startOperatorServer(
  binary = process.env.NATS_SERVER_BIN ?? 'nats-server',
): Promise<OperatorServer> {
  const setup = await createOperatorSetup('aptic-test');
  const dir = await mkdtemp(join(tmpdir(), 'aptic-nats-'));
  const port = await freePort();
  const config = join(dir, 'nats.conf');
  await writeFile(
    config,
    [
      `listen: 127.0.0.1:${port}`,
      `jetstream { store_dir: "${join(dir, 'js')}" }`,
      `resolver: { type: full, dir: "${join(dir, 'jwt')}", allow_delete: false, interval: "2m" }`,
      operatorConf(setup),
    ].join('\n'),
  );
  const [platformCredsFile, systemCredsFile] = [join(dir, 'platform.creds'), join(dir, 'system.creds')];
  await writeFile(platformCredsFile, setup.platformCreds);
  await writeFile(systemCredsFile, setup.systemCreds);
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
    platformCreds: setup.platformCreds,
    accountPublicKey: setup.accountPublicKey,
    accountSigningSeed: setup.accountSigningSeed,
    kioskEnv: {
      NATS_ACCOUNT_SIGNING_SEED: setup.accountSigningSeed,
      NATS_ACCOUNT_PUBLIC_KEY: setup.accountPublicKey,
      KIOSK_NATS_URL: url,
      KIOSK_NATS_CREDS_FILE: platformCredsFile,
      NATS_OPERATOR_SIGNING_SEED: setup.operatorSigningSeed,
      NATS_SYSTEM_CREDS_FILE: systemCredsFile,
    },
    connect: (creds, options = {}) =>
      connect({ servers: url, authenticator: credsAuthenticator(new TextEncoder().encode(creds)), ...options }),
    pause: halt,
    resume: start,
    async stop() {
      await halt();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The permission error the server reports to this connection within `ms`, if any. */
export async function permissionError(nc: NatsConnection, ms = 1_000): Promise<string | undefined> {
  const timeout = new Promise<undefined>((r) => setTimeout(() => r(undefined), ms));
  const error = (async () => {
    for await (const s of nc.status())
      if (s.type === 'error' && /permission/i.test(String(s.data))) return String(s.data);
    return undefined;
  })();
  return Promise.race([error, timeout]);
}
