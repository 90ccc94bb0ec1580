import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromRoot } from 'callbot-test-kit/paths';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A fresh empty directory: the working directory of one run (default report names land there). */
export const freshDir = (prefix = 'callbot-cli-') => mkdtempSync(join(tmpdir(), prefix));

/**
 * Runs the built command (`node packages/cli/dist/cli.js …`) as a user would, in `cwd`, with CALLBOT_*
 * variables of the surrounding shell removed (a developer's real credentials must not leak
 * into a test run) and `env` added.
 */
export function runCli(args: string[], options: { cwd?: string; env?: Record<string, string>; input?: string | Buffer } = {}): Promise<CliRun> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('CALLBOT_')));
  const child = spawn(process.execPath, [fromRoot('packages', 'cli', 'dist', 'cli.js'), ...args], {
    cwd: options.cwd ?? freshDir(),
    env: { ...env, NO_COLOR: '1', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  if (options.input !== undefined) child.stdin.end(options.input);
  else child.stdin.end();
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface LiveCli {
  child: ChildProcess;
  /** What the process has written to stderr so far. */
  stderr(): string;
  /** Resolves once `text` (or a match of the pattern) appears on stderr. */
  waitForStderr(pattern: string | RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves when the process has exited. */
  done: Promise<CliRun & { signal: NodeJS.Signals | null; exitedAt: number }>;
}

/** Like runCli, but hands over the running process (for signals), its stderr as it comes and its end. */
export function spawnCli(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): LiveCli {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('CALLBOT_')));
  const child = spawn(process.execPath, [fromRoot('packages', 'cli', 'dist', 'cli.js'), ...args], {
    cwd: options.cwd ?? freshDir(),
    env: { ...env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiting = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    for (const check of waiting) check();
  });
  const done = new Promise<CliRun & { signal: NodeJS.Signals | null; exitedAt: number }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      resolve({ code, signal, stdout, stderr, exitedAt: Date.now() });
      for (const check of waiting) check();
    });
  });
  const waitForStderr = (pattern: string | RegExp, timeoutMs = 20_000) =>
    new Promise<void>((resolve, reject) => {
      const found = () => (typeof pattern === 'string' ? stderr.includes(pattern) : pattern.test(stderr));
      const timer = setTimeout(() => {
        waiting.delete(check);
        reject(new Error(`stderr never showed ${String(pattern)}; it has:\n${stderr}`));
      }, timeoutMs);
      const check = () => {
        if (found()) {
          clearTimeout(timer);
          waiting.delete(check);
          resolve();
        } else if (child.exitCode !== null || child.signalCode !== null) {
          clearTimeout(timer);
          waiting.delete(check);
          reject(new Error(`the process ended before stderr showed ${String(pattern)}; it has:\n${stderr}`));
        }
      };
      waiting.add(check);
      check();
    });
  return { child, stderr: () => stderr, waitForStderr, done };
}
