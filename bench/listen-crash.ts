// Issue 20's crash run at its own size: three `callbot listen` processes sharing a store, a
// sender delivering N signed callbacks three times each, concurrently, to different listeners,
// one listener killed with SIGKILL a third of the way through and started again. Prints, per
// store, whether every requestID is written exactly once, and the answers the sender got.
//
//   npm run build --silent && CRASH_N=10000 nice npx jiti bench/listen-crash.ts
//
// Needs Debian's redis-server and postgresql (started here on free loopback ports, as the tests do).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPostgresServer } from 'callbot-test-kit/postgres-server';
import { startRedisServer } from 'callbot-test-kit/redis-server';
import pg from 'pg';
import { type CrashRunResult, crashRun, occurrences } from '../packages/cli/test/support/crash-run.js';
import { freshDir } from '../packages/cli/test/support/run-cli.js';

const n = Number(process.env.CRASH_N ?? 10_000);
const lease = ['--lease-ms', process.env.CRASH_LEASE_MS ?? '5000'];

function report(store: string, run: CrashRunResult, written: string[]) {
  const counted = occurrences(written);
  const twice = [...counted.values()].filter((k) => k > 1).length;
  const missing = run.ids.filter((id) => !counted.has(id)).length;
  console.log(
    JSON.stringify({
      store,
      n,
      deliveries: n * 3,
      written: written.length,
      distinct: counted.size,
      writtenTwice: twice,
      missing,
      undelivered: run.undelivered.length,
      killedAtMs: run.killedAtMs,
      restartedAtMs: run.restartedAtMs,
      elapsedMs: run.elapsedMs,
      answers: run.answers,
    }),
  );
  return twice === 0 && missing === 0 && run.undelivered.length === 0;
}

const [redis, postgres] = await Promise.all([startRedisServer(), startPostgresServer()]);
let ok = true;
try {
  const dir = freshDir('callbot-crash-');
  const files = await crashRun({ n, dir, prefix: 'r', deadlineMs: 600_000, args: (i) => ['--out', `out-${i}.jsonl`, '--dedupe', redis.url, ...lease] });
  const written = [0, 1, 2].flatMap((i) =>
    readFileSync(join(dir, `out-${i}.jsonl`), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { requestID: string }).requestID),
  );
  ok = report('--dedupe redis:// (three files)', files, written) && ok;

  const url = `postgres://postgres@127.0.0.1:${postgres.port}/postgres?table=crash_bench`;
  const table = await crashRun({ n, dir: freshDir('callbot-crash-'), prefix: 'p', deadlineMs: 600_000, args: () => ['--out', url, ...lease] });
  const pool = new pg.Pool(postgres.connection);
  const { rows } = await pool.query<{ request_id: string }>('SELECT request_id FROM crash_bench');
  await pool.end();
  const rowIds = rows.map((row) => row.request_id);
  ok = report('--out postgres:// (one table)', table, rowIds) && ok;
} finally {
  await Promise.all([redis.stop(), postgres.stop()]);
}
process.exitCode = ok ? 0 : 1;
