// `npm start`: builds what is stale (scripts/lib/build-stamp.mjs), then runs the mock in THIS
// process. package.json runs it as `exec node scripts/start.mjs`: the shell npm starts is
// replaced by node, so the signal npm passes on when it is stopped (Ctrl-C, or `kill` of npm's
// PID: npm forwards SIGTERM and SIGINT to the script it runs) reaches the mock itself, which
// closes its port and saves its state. Without `exec` the shell took the signal and died, and
// the mock, orphaned, kept port 4010. Should npm die without passing anything on (SIGKILL), the
// mock notices that its parent is gone and stops as if sent SIGTERM. `npm start -- --port 4011`
// passes flags on to callbot-mock.
import { fileURLToPath } from 'node:url';
import { buildIfStale } from './lib/build-stamp.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
buildIfStale(root);

const parent = process.ppid;
const watch = setInterval(() => {
  if (process.ppid === parent) return;
  clearInterval(watch); // once: a second SIGTERM would cut the mock's own stop short
  process.kill(process.pid, 'SIGTERM');
}, 1000).unref();

await import('../packages/mock/dist/bin.js');
