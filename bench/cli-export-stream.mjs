#!/usr/bin/env node
// Benchmark (not a test) of `callbot export` of a large batch, the export answer read as a
// stream (callbot-contract's exportBatchCallStream): a task of about CALLS export entries (calls,
// and uncalled orders: 4 entries per 3 orders), served by the signed stand-in vendor of
// bench/support/export-task.mjs, which streams its answer too. At two sizes (SIZES, default
// 250,000 and 1,000,000 calls) it reports the time, rows/s and the peak RSS of `callbot export`
// (a fresh process each round: the median time, the highest peak), and the linearity ratio:
// seconds per row at the larger size over seconds per row at the smaller (1.0 = linear).
// Then the larger answer with one byte changed after signing: the command must exit 3 (as `callbot export` does for any
// answer it cannot verify) and leave nothing in the output folder.
// Target (issue 20): every row written, peak RSS <= 200 MB at 1,000,000 calls, time linear in rows.
// Run: npm run build, then node bench/cli-export-stream.mjs. SIZES=a,b and ROUNDS=… to vary.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkFile, exportEntries, runCli, startExportTask, TASK } from './support/export-task.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench', 'output', `stream-${process.pid}`);
const cli = join(root, 'packages', 'cli', 'dist', 'cli.js');
const SIZES = (process.env.SIZES ?? '250000,1000000').split(',').map(Number);
const ROUNDS = Number(process.env.ROUNDS ?? 1);
const TARGET_MB = 200;

/** The orders whose export has about `calls` entries. */
const ordersFor = (calls) => Math.round((calls * 3) / 4);

mkdirSync(out, { recursive: true });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const measured = [];
try {
  for (const calls of SIZES) {
    const orders = ordersFor(calls);
    const vendor = await startExportTask({ orders });
    const runs = [];
    try {
      for (let round = 0; round < ROUNDS; round += 1) {
        const file = join(out, `export-${orders}.csv`);
        const r = await runCli(cli, ['export', '--task', TASK, '--base-url', vendor.url, '--out', file, '--json'], out);
        if (r.code !== 0) throw new Error(`callbot export exited with ${r.code}:\n${r.output.slice(-2000)}`);
        const check = await checkFile(file);
        if (check.rows !== orders || check.distinct !== orders) throw new Error(`${check.rows} rows, ${check.distinct} distinct, expected ${orders}`);
        runs.push(r);
        rmSync(file, { force: true });
      }
    } finally {
      vendor.close();
    }
    const ms = median(runs.map((r) => r.ms));
    measured.push({ calls: exportEntries(orders), orders, ms, peakMB: Math.max(...runs.map((r) => r.peakMB)) });
  }

  // The larger answer, tampered: nothing under the final name, no temporary file left.
  const orders = ordersFor(SIZES.at(-1));
  const vendor = await startExportTask({ orders, tamper: true });
  let tampered;
  try {
    tampered = await runCli(cli, ['export', '--task', TASK, '--base-url', vendor.url, '--out', join(out, 'tampered.csv')], out);
  } finally {
    vendor.close();
  }
  const left = readdirSync(out);
  console.log(`callbot export, the answer read as a stream, ${ROUNDS} round(s) a size, each a fresh process:`);
  for (const m of measured) {
    console.log(
      `  ${String(m.calls).padStart(8)} calls ${String(m.orders).padStart(7)} rows  ${(m.ms / 1000).toFixed(1).padStart(6)} s  ${Math.round(
        m.orders / (m.ms / 1000),
      )
        .toString()
        .padStart(6)} rows/s  peak RSS ${m.peakMB.toFixed(0).padStart(4)} MB (target <= ${TARGET_MB} MB: ${m.peakMB <= TARGET_MB ? 'met' : 'MISSED'})`,
    );
  }
  const [small, large] = [measured[0], measured.at(-1)];
  console.log(
    `  linearity: s/row at ${large.orders} rows over s/row at ${small.orders} rows = ${(large.ms / large.orders / (small.ms / small.orders)).toFixed(2)} (1.00 = linear)`,
  );
  console.log(
    `  tampered answer of ${exportEntries(orders)} calls: exit ${tampered.code} (expected 3: the answer cannot be verified, nothing written), ${(tampered.ms / 1000).toFixed(1)} s, peak RSS ${tampered.peakMB.toFixed(0)} MB, files left: ${left.length ? left.join(', ') : 'none'}`,
  );
  if (tampered.code !== 3 || left.length > 0) process.exitCode = 1;
} finally {
  rmSync(out, { recursive: true, force: true });
}
