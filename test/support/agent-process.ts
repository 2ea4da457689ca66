/**
 * The kiosk agent's CLI as a child process (the stdin source), fed barcodes on stdin: stdout is the
 * mediator's screen, stderr the JSON logs. A real process, so it can be killed or sent SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';

interface AgentLog {
  msg: string;
  scanId?: string;
  duplicate?: boolean;
  offline?: boolean;
  detail?: string;
}

const running = new Set<ChildProcess>();

/** Polls until the probe answers something truthy, or fails naming what it waited for. */
export async function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function spawnAgent(env: Record<string, string>, args: string[] = []) {
  const child = spawn(process.execPath, ['agent/bin/agent.ts', ...args], {
    env: { ...process.env, AGENT_SOURCE: 'stdin', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  running.add(child);
  const screen: string[] = [];
  const logs: AgentLog[] = [];
  const lines = (sink: (line: string) => void) => {
    let buffer = '';
    return (chunk: string) => {
      buffer += chunk;
      const parts = buffer.split('\n');
      buffer = parts.pop()!;
      parts.forEach(sink);
    };
  };
  child.stdout!.setEncoding('utf8'); // a multi-byte character may straddle two chunks
  child.stderr!.setEncoding('utf8');
  // The terminal bell (BEL) of the previous verdict starts the next line: the screen keeps the text.
  child.stdout!.on(
    'data',
    lines((l) => screen.push(l.replaceAll('\x07', ''))),
  );
  child.stderr!.on(
    'data',
    lines((l) => logs.push(l.startsWith('{') ? (JSON.parse(l) as AgentLog) : { msg: l })),
  );
  const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('exit', (code, signal) => (running.delete(child), resolve({ code, signal }))),
  );
  return {
    screen,
    logs,
    exit,
    scan: (...codes: string[]) => void child.stdin!.write(codes.map((c) => `${c}\n`).join('')),
    log: (msg: string) => until(`log "${msg}"`, () => logs.find((l) => l.msg === msg)),
    stop: async () => (child.kill('SIGTERM'), exit),
  };
}

/** For afterAll: no agent outlives its test file. */
export function killAgents(): void {
  for (const child of running) child.kill('SIGKILL');
}
