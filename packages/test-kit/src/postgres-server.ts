import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { findBinary, freePort, missing, postgresBinDirs, runAs } from './store-servers.js';

export interface PostgresServer {
  port: number;
  /** Connection settings for `pg` (user `postgres`, trust authentication over loopback TCP). */
  connection: { host: string; port: number; user: string; database: string };
  /** Stops the server, keeping its data (an outage); `resume` starts it again on its port. */
  suspend(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Debian's PostgreSQL (initdb + pg_ctl) on a free loopback port, its data and socket in a
 * temporary folder. As root, initdb and the server run as the `postgres` user (PostgreSQL
 * refuses root). Throws one line saying how to install it when the binaries are missing.
 */
export async function startPostgresServer(): Promise<PostgresServer> {
  const dirs = postgresBinDirs();
  const initdb = findBinary('initdb', dirs);
  const pgCtl = findBinary('pg_ctl', dirs);
  if (!initdb || !pgCtl) throw missing('postgresql (initdb, pg_ctl)');
  const asRoot = userInfo().uid === 0;
  const user = asRoot ? 'postgres' : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'callbot-pg-'));
  const data = join(dir, 'data');
  if (asRoot) {
    const { uid, gid } = postgresIds();
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  try {
    runAs(user, initdb, ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    for (let attempt = 0; ; attempt += 1) {
      const port = await freePort();
      const start = () =>
        runAs(user, pgCtl, [
          '-D',
          data,
          '-l',
          join(dir, 'server.log'),
          '-w',
          '-t',
          '60',
          '-o',
          `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
          'start',
        ]);
      try {
        start();
        return {
          port,
          connection: { host: '127.0.0.1', port, user: 'postgres', database: 'postgres' },
          async suspend() {
            runAs(user, pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop']);
          },
          async resume() {
            start();
          },
          async stop() {
            try {
              runAs(user, pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop']);
            } finally {
              rmSync(dir, { recursive: true, force: true });
            }
          },
        };
      } catch (error) {
        if (attempt >= 2) throw error;
      }
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

function postgresIds(): { uid: number; gid: number } {
  const id = (flag: string) => Number(runAs(undefined, 'id', [flag, 'postgres']).trim());
  return { uid: id('-u'), gid: id('-g') };
}
