import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MockServer } from 'callbot-mock';
import { fromRoot } from 'callbot-test-kit/paths';
import { startMock, stopMocks } from './support/mock-server.js';
import { freshDir } from './support/run-cli.js';
import { runInProcess } from './support/run-in-process.js';

// The `callbot` lines the docs show beside an operation (examples/operations/<operationId>.sh, the
// Shell tab of its x-codeSamples) run as written against the mock, in the order a reader would
// run them, in a folder holding the example call lists they name.

const samples = fromRoot('examples', 'operations');
const RUN_ORDER = [
  'createTask',
  'updateTask',
  'importBatchCall',
  'addBatchCall',
  'listTask',
  'listOrder',
  'listCall',
  'exportBatchCall',
  'listOrderDetail',
  'mgrTaskStatus',
  'createAndCall',
];

/** The words of one command line: plain words and "double-quoted" ones (all the samples use). */
function words(line: string): string[] {
  const found = [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
  // Nothing a shell would read differently: no variables, no single quotes, no escapes, no pipes.
  expect(line).not.toMatch(/[$'\\|;&<>`]/);
  return found;
}

const commandLines = (id: string) =>
  readFileSync(join(samples, `${id}.sh`), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'));

describe('the docs’ callbot samples (examples/operations/*.sh)', () => {
  let mock: MockServer;
  const cwd = freshDir('callbot-docs-samples-');
  beforeAll(async () => {
    mock = await startMock();
    cpSync(fromRoot('packages', 'cli', 'examples'), cwd, { recursive: true });
  });
  afterAll(stopMocks);

  it('are all in the run order, and every line is a callbot command', () => {
    const files = readdirSync(samples).filter((f) => f.endsWith('.sh'));
    expect(files.map((f) => f.replace(/\.sh$/, '')).sort()).toEqual([...RUN_ORDER].sort());
    for (const id of RUN_ORDER) {
      expect(commandLines(id).length).toBeGreaterThan(0);
      for (const line of commandLines(id)) expect(line).toMatch(/^callbot [a-z]/);
    }
  });

  for (const id of RUN_ORDER) {
    it(`${id}.sh runs and exits 0`, async () => {
      for (const line of commandLines(id)) {
        const args = words(line).slice(1);
        if (args[0] === 'import') expect(existsSync(join(cwd, args[1] ?? '')), `${args[1]}: one of packages/cli/examples`).toBe(true);
        const run = await runInProcess(args, { cwd, env: { CALLBOT_BASE_URL: mock.url } });
        // On failure the line and what it printed are in the diff.
        expect({ line, code: run.code, stderr: run.code === 0 ? '' : run.stderr }).toEqual({ line, code: 0, stderr: '' });
      }
    });
  }
});
