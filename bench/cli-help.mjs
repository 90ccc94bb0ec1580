#!/usr/bin/env node
// Benchmark (not a test) of how fast `callbot` starts when it has little to do: `--help` and
// `--version` of the built command, beside the floor `node -e 0` (Node starting and exiting)
// measured in the same run. Each is a fresh process timed from spawn to exit; the three are
// interleaved round by round, so a busy moment of the machine hits all three alike; medians.
// Target: `callbot --help` and `callbot --version` <= 150 ms median on the project's machines.
// Run: npm run bench:cli-help (builds every dist/ first). ROUNDS=… to vary (default 30).
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'packages', 'cli', 'dist', 'cli.js');
const ROUNDS = Number(process.env.ROUNDS ?? 30);
const TARGET_MS = 150;

const subjects = [
  { label: 'node -e 0 (floor)', args: ['-e', '0'] },
  { label: 'callbot --help', args: [cli, '--help'] },
  { label: 'callbot --version', args: [cli, '--version'] },
];

/** Runs one process to completion; resolves with its wall time in ms (rejects if it fails). */
function time(args) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => {
      stderr += c;
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`node ${args.join(' ')} exited ${code}:\n${stderr}`))));
  });
}

const times = subjects.map(() => []);
for (let round = 0; round < ROUNDS + 1; round += 1) {
  for (const [i, subject] of subjects.entries()) {
    const ms = await time(subject.args);
    if (round > 0) times[i].push(ms); // round 0 warms the disk cache
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const floor = median(times[0]);
console.log(`callbot start-up, ${ROUNDS} interleaved rounds, medians (each a fresh process):`);
for (const [i, subject] of subjects.entries()) {
  const m = median(times[i]);
  const extra = i === 0 ? '' : `  (+${(m - floor).toFixed(0)} ms over the floor${m <= TARGET_MS ? '' : `; over the ${TARGET_MS} ms target`})`;
  console.log(`  ${subject.label.padEnd(20)} ${m.toFixed(0).padStart(5)} ms${extra}`);
}
console.log(`target: --help and --version <= ${TARGET_MS} ms`);
