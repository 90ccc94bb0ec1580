import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findBinary, freePort, missing, runAs } from './store-servers.js';

export interface RedisServer {
  port: number;
  url: string;
  stop(): Promise<void>;
}

/**
 * Debian's redis-server on a free loopback port, in a temporary folder, nothing saved to disk.
 * Throws one line saying how to install it when the binary is missing (never a silent skip).
 * `port`: a given one (to start a stopped server again where its clients reconnect).
 */
export async function startRedisServer(options: { port?: number } = {}): Promise<RedisServer> {
  const binary = findBinary('redis-server');
  if (!binary) throw missing('redis-server');
  const dir = mkdtempSync(join(tmpdir(), 'callbot-redis-'));
  const pidfile = join(dir, 'redis.pid');
  for (let attempt = 0; ; attempt += 1) {
    const port = options.port ?? (await freePort());
    try {
      runAs(undefined, binary, [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'yes',
        '--pidfile',
        pidfile,
        '--dir',
        dir,
        '--logfile',
        join(dir, 'redis.log'),
      ]);
      const pid = await waitForPid(pidfile, join(dir, 'redis.log'));
      return {
        port,
        url: `redis://127.0.0.1:${port}`,
        async stop() {
          try {
            process.kill(pid, 'SIGTERM');
          } catch {
            // already gone
          }
          for (let i = 0; i < 100 && alive(pid); i += 1) await sleep(20);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    } catch (error) {
      if (attempt >= 2) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The daemon's pid once it listens (its pidfile is written after the port is bound). */
async function waitForPid(pidfile: string, log: string): Promise<number> {
  for (let i = 0; i < 250; i += 1) {
    try {
      const pid = Number(readFileSync(pidfile, 'utf8').trim());
      if (pid > 0) return pid;
    } catch {
      // not yet written
    }
    await sleep(20);
  }
  let tail = '';
  try {
    tail = readFileSync(log, 'utf8').split('\n').slice(-5).join('\n');
  } catch {}
  throw new Error(`redis-server did not start: ${tail}`);
}
