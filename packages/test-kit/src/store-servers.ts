import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

// What the Redis and PostgreSQL set-ups share: finding Debian's binaries, and a free port.

/** The one line a developer without the servers gets (the suites fail with it; CI installs them). */
export const INSTALL_HINT = 'apt-get install -y redis-server postgresql';

export function missing(binary: string): Error {
  return new Error(`${binary} not found: install the test servers with \`${INSTALL_HINT}\``);
}

/** `name` on the PATH, else in `dirs` (e.g. /usr/lib/postgresql/15/bin); undefined when absent. */
export function findBinary(name: string, dirs: string[] = []): string | undefined {
  const onPath = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
  if (onPath) return onPath;
  return dirs.map((dir) => join(dir, name)).find((path) => existsSync(path));
}

/** Debian's versioned PostgreSQL folders, newest first. */
export function postgresBinDirs(): string[] {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .sort((a, b) => Number(b) - Number(a))
    .map((version) => join(root, version, 'bin'));
}

/** A port free on 127.0.0.1 right now (the server started on it next may still lose a race: callers retry). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Runs a command, as `user` when this process is root (PostgreSQL refuses to run as root). */
export function runAs(user: string | undefined, command: string, args: string[]): string {
  const [file, argv] = user ? ['runuser', ['-u', user, '--', command, ...args]] : [command, args];
  return execFileSync(file, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
