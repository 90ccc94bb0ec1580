import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';

// One owner per state file. Two mocks saving to the same `--state FILE` would each overwrite the
// other's world, the last save winning without a word. The owner holds `FILE.lock`, created
// exclusively (O_EXCL) and holding its PID, its host and a random token; another mock that
// finds it refuses to start, naming the file and that PID. A lock left by a mock that died
// without releasing it (SIGKILL, a crash) is taken over when its PID is not running on this
// host. Released on close (the last save done) and, as a safety net, when the process exits.
//
// Not a library (proper-lockfile and the like): they tell a stale lock by an mtime the holder
// must keep refreshing, which a long save (the event loop blocked for seconds) lets go stale;
// and their refusal cannot name the process that holds the file.

export interface LockOwner {
  pid: number;
  host: string;
  since: string;
  token: string;
}

/** Why the lock was not taken: another process holds it (or this one does, for another mock). */
export class StateLockedError extends Error {
  override name = 'StateLockedError';
  constructor(
    readonly lockFile: string,
    readonly owner: LockOwner | undefined,
    problem: string,
  ) {
    super(problem);
  }
}

export interface StateLock {
  readonly lockFile: string;
  /** Removes the lock file if it is still this holder's. Idempotent. */
  release(): void;
}

/** The lock files this process holds: a second mock in the same process is refused too. */
const heldHere = new Set<string>();

export const lockFileOf = (file: string) => `${file}.lock`;

/** Takes the lock of `file` (its `.lock` beside it), or throws StateLockedError naming the owner. */
export function acquireStateLock(file: string): StateLock {
  const lockFile = lockFileOf(file);
  if (heldHere.has(lockFile)) {
    throw new StateLockedError(lockFile, undefined, `is already used by another mock in this process (pid ${process.pid})`);
  }
  const me: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString(), token: randomBytes(12).toString('hex') };
  // Two rounds: a stale lock is set aside once, then the file is created again.
  for (let round = 0; round < 2; round++) {
    if (createExclusive(lockFile, me)) return hold(lockFile, me);
    const owner = readOwner(lockFile);
    if (owner === 'gone') continue; // released in between: try again
    // A lock that names no owner may be one being written this very moment: never taken over.
    if (!owner || isAlive(owner)) throw lockedBy(lockFile, owner);
    setAsideStale(lockFile, owner);
  }
  const owner = readOwner(lockFile);
  throw lockedBy(lockFile, owner === 'gone' ? undefined : owner);
}

function hold(lockFile: string, me: LockOwner): StateLock {
  heldHere.add(lockFile);
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    heldHere.delete(lockFile);
    process.off('exit', release);
    const owner = readOwner(lockFile);
    if (owner && owner !== 'gone' && owner.token === me.token) {
      try {
        unlinkSync(lockFile);
      } catch {
        // Already gone: nothing to release.
      }
    }
  };
  process.on('exit', release);
  return { lockFile, release };
}

/** Creates the lock file with `me` in it; false when it already exists. */
function createExclusive(lockFile: string, me: LockOwner): boolean {
  let fd: number;
  try {
    fd = openSync(lockFile, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, `${JSON.stringify(me)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** The lock's owner; undefined when the file does not say (empty, not JSON); 'gone' when there is no file. */
function readOwner(lockFile: string): LockOwner | undefined | 'gone' {
  let text: string;
  try {
    text = readFileSync(lockFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
  try {
    const owner = JSON.parse(text) as Partial<LockOwner>;
    if (Number.isSafeInteger(owner.pid) && typeof owner.host === 'string' && typeof owner.token === 'string') {
      return { pid: owner.pid!, host: owner.host, since: String(owner.since ?? ''), token: owner.token };
    }
  } catch {
    // Not JSON: a file cut short, or not ours.
  }
  return undefined;
}

/**
 * Whether the owner may still hold the lock. On another host nothing can be checked: alive. A
 * lock with this very PID that this process does not hold is a dead owner's PID reused.
 */
function isAlive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true;
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // running, as another user
  }
}

/**
 * Removes a stale lock without removing a fresh one another starter created meanwhile: the file
 * is renamed away (atomic), and put back when what was renamed is not the stale lock read before.
 */
function setAsideStale(lockFile: string, stale: LockOwner): void {
  const aside = `${lockFile}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(lockFile, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else set it aside
    throw error;
  }
  const moved = readOwner(aside);
  if (moved === 'gone' || moved?.token !== stale.token) {
    // A live owner's fresh lock: back in place (link fails if yet another one exists meanwhile).
    try {
      linkSync(aside, lockFile);
    } catch {
      // The path holds another lock already: that one stands.
    }
  }
  try {
    unlinkSync(aside);
  } catch {
    // Gone already.
  }
}

function lockedBy(lockFile: string, owner: LockOwner | undefined): StateLockedError {
  if (!owner) return new StateLockedError(lockFile, undefined, `is locked: ${lockFile} exists but names no owner; remove it if no callbot-mock uses this file`);
  const where = owner.host === hostname() ? `pid ${owner.pid}` : `pid ${owner.pid} on host ${owner.host}`;
  return new StateLockedError(
    lockFile,
    owner,
    `is in use by another callbot-mock (${where}, since ${owner.since}); stop that one first, or remove ${lockFile} if it is no longer running`,
  );
}
