/**
 * A program run in a real terminal (tmux, on a server of its own), typed into and read back as a
 * person sees it: what a test of a screen needs, since a pipe is not a terminal.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';

export interface Terminal {
  /** Types a line and presses Enter. */
  type(line: string): void;
  /** Every line shown so far, scroll-back included, trailing blanks trimmed. */
  screen(): string[];
  close(): void;
}

export function openTerminal(
  command: string[],
  options: { cwd: string; env: Record<string, string | undefined> },
): Terminal {
  const socket = `aptic-test-${randomUUID()}`;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  const env = Object.entries(options.env).flatMap(([k, v]) => (v === undefined ? [] : ['-e', `${k}=${v}`]));
  tmux(
    '-f',
    '/dev/null',
    'new-session',
    '-d',
    '-s',
    'main',
    '-x',
    '160',
    '-y',
    '50',
    '-c',
    options.cwd,
    ...env,
    ...command,
  );
  tmux('set-option', '-t', 'main', 'remain-on-exit', 'on');
  tmux('set-option', '-t', 'main', 'history-limit', '5000');
  return {
    type: (line) => void tmux('send-keys', '-t', 'main', '-l', line, ';', 'send-keys', '-t', 'main', 'Enter'),
    screen: () =>
      tmux('capture-pane', '-p', '-J', '-S', '-', '-t', 'main')
        .split('\n')
        .map((l) => l.trimEnd())
        .filter((l, i, all) => l !== '' || all.slice(i).some(Boolean)),
    close: () => {
      try {
        tmux('kill-server');
      } catch {
        // already gone
      }
    },
  };
}
