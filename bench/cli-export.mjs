#!/usr/bin/env node
// Benchmark (not a test) of `callbot export` and `callbot orders` on a task of 100,000 orders,
// served by the signed stand-in vendor of bench/support/export-task.mjs in this process
// (loopback): exportBatchCall (the whole batch in one answer, one entry per call),
// listOrderDetail (500 orders a request) and listOrder (pages of 100).
// Each command runs as a fresh process (the built dist/cli.js), timed from spawn to exit; its
// peak RSS is read at exit. Target: peak RSS < 300 MB for each, the files complete (every order
// once). For a million calls, see bench/cli-export-stream.mjs.
// Run: npm run build, then node bench/cli-export.mjs. ORDERS=… and ROUNDS=… to vary.
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkFile, runCli, startExportTask, TASK } from './support/export-task.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench', 'output');
const cli = join(root, 'packages', 'cli', 'dist', 'cli.js');
const ORDERS = Number(process.env.ORDERS ?? 100_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);

const vendor = await startExportTask({ orders: ORDERS });
const baseUrl = process.env.BASE_URL ?? vendor.url;
mkdirSync(out, { recursive: true });

const results = { export: [], orders: [] };
try {
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const verb of ['export', 'orders']) {
      const file = join(out, `${verb}-${ORDERS}.csv`);
      const r = await runCli(cli, [verb, '--task', TASK, '--base-url', baseUrl, '--out', file, '--json'], out);
      if (r.code !== 0) throw new Error(`callbot ${verb} exited with ${r.code}:\n${r.output}`);
      const summary = JSON.parse(r.output.slice(r.output.indexOf('{')));
      const check = await checkFile(file);
      const expected = verb === 'export' ? ORDERS : ORDERS - Math.floor(ORDERS / 3);
      if (check.rows !== expected || check.distinct !== expected)
        throw new Error(`${verb}: ${check.rows} rows, ${check.distinct} distinct, expected ${expected}`);
      results[verb].push({ ...r, summary, pages: summary.pages });
      rmSync(file, { force: true });
    }
  }
} finally {
  vendor.close();
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`callbot export / orders of a ${ORDERS}-order task, ${ROUNDS} rounds, each a fresh process (median time, highest peak RSS):`);
for (const [verb, runs] of Object.entries(results)) {
  const peak = Math.max(...runs.map((r) => r.peakMB));
  console.log(
    `  callbot ${verb.padEnd(7)} ${(median(runs.map((r) => r.ms)) / 1000).toFixed(2).padStart(6)} s  peak RSS ${peak.toFixed(0).padStart(4)} MB  (${runs[0].summary.rows} rows, ${runs[0].pages} pages; target < 300 MB: ${peak < 300 ? 'met' : 'MISSED'})`,
  );
}
