import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromRoot } from '../../../../test/support/paths.js';

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
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  if (options.input !== undefined) child.stdin.end(options.input);
  else child.stdin.end();
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
