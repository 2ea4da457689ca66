import { spawn, type ChildProcess } from 'node:child_process';

export interface Started {
  child: ChildProcess;
  lines: string[];
  exit: Promise<number | null>;
}

/** Runs `npm start` as a person would, and waits until it prints the line that says it is ready. */
export async function startProcess(
  args: string[],
  env: Record<string, string | undefined>,
  readyLine: RegExp,
  timeoutMs = 60_000,
): Promise<Started> {
  // As `npm start` runs it: the `node` of the PATH given, through the Node 24 launcher (on Node 24
  // the platform runs in that very process, so its pid is the child's).
  const child = spawn('node', ['scripts/node24.mjs', 'services/platform/bin/start.ts', ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      // A process that never got ready must not outlive the test.
      child.kill('SIGKILL');
      reject(new Error(`not ready after ${timeoutMs} ms\n${lines.join('\n')}\n${stderr}`));
    }, timeoutMs);
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        if (readyLine.test(line)) {
          clearTimeout(timer);
          resolve();
        }
      }
    });
    void exit.then((code) => reject(new Error(`exited with ${code} before ready\n${lines.join('\n')}\n${stderr}`)));
  });
  return { child, lines, exit };
}
