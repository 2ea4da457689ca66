/**
 * A plain NATS server (JetStream, no auth) of the test's own, on a port and in a folder of its own,
 * with subject mappings: for tests of partitioned scans and of faults (restart, kill, freeze).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'nats';

export interface NatsServer {
  url: string;
  /** The running server's process id (a CPU meter's). */
  readonly pid: number | undefined;
  /** SIGKILL, data kept. */
  kill(): Promise<void>;
  start(): Promise<void>;
  /** SIGSTOP: the process stays, its sockets open, and answers nothing (a stalled link, a hung host). */
  freeze(): void;
  /** SIGCONT after a freeze. */
  thaw(): void;
  /** Kills the server and removes its folder. */
  close(): Promise<void>;
}

async function waitUntilUp(url: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const nc = await connect({ servers: url, timeout: 500, reconnect: false });
      await nc.jetstreamManager().then((jsm) => jsm.getAccountInfo());
      await nc.close();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`nats-server did not start on ${url}: ${String(err)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function startNatsServer(options: {
  port: number;
  dir: string;
  mappings?: Record<string, string>;
}): Promise<NatsServer> {
  rmSync(options.dir, { recursive: true, force: true });
  mkdirSync(options.dir, { recursive: true });
  const conf = join(options.dir, 'nats.conf');
  const mappings = Object.entries(options.mappings ?? {}).map(([from, to]) => `  "${from}": "${to}"`);
  writeFileSync(
    conf,
    [
      `listen: 127.0.0.1:${options.port}`,
      `jetstream { store_dir: "${join(options.dir, 'js')}" }`,
      'mappings = {',
      ...mappings,
      '}',
      '',
    ].join('\n'),
  );
  const url = `nats://127.0.0.1:${options.port}`;
  let child: ChildProcess | undefined;
  const server: NatsServer = {
    url,
    get pid() {
      return child?.pid;
    },
    async start() {
      child = spawn(process.env.NATS_SERVER_BIN ?? 'nats-server', ['-c', conf], { stdio: 'ignore' });
      await waitUntilUp(url);
    },
    freeze: () => void child?.kill('SIGSTOP'),
    thaw: () => void child?.kill('SIGCONT'),
    async kill() {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null) return;
      const exited = new Promise((r) => running.once('exit', r));
      running.kill('SIGKILL');
      await exited;
    },
    async close() {
      await server.kill();
      rmSync(options.dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}
