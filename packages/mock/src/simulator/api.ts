/**
 * The vendor simulator's public shape: agreed before it was built, so that the server, the
 * fetch handler, the CLI's end-to-end tests and the probe could be written beside it.
 * Pure state and virtual time: no HTTP, no real timers, no I/O. The server (or the fetch
 * handler) authenticates and validates a request, then hands its body to `handle`; a driver
 * moves the clock (`advanceTo`) and delivers the events the world emits.
 */

/** The operations of the contract that change or read a task (ping is answered by the pipeline). */
export type SimOperation =
  | 'createTask'
  | 'createAndCall'
  | 'updateTask'
  | 'mgrTaskStatus'
  | 'listTask'
  | 'importBatchCall'
  | 'addBatchCall'
  | 'exportBatchCall'
  | 'stopOrder'
  | 'listOrder'
  | 'listOrderDetail'
  | 'listCall';

/** Virtual time in milliseconds since the Unix epoch. Timestamps in answers are `Math.floor(ms / 1000)`. */
export type VirtualMs = number;

/**
 * The latest virtual time the simulator takes (the end of year 9999, UTC): a Date can still show
 * it and anything the world schedules after it, and every millisecond up to it is a distinct
 * double. A clock set near 1e300 would stand still (adding a millisecond changes nothing).
 */
export const MAX_VIRTUAL_MS: VirtualMs = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** A callback the world wants sent: built from the state when it happened, so it is what every list says. */
export interface SimEvent {
  /** Consecutive from 1 over the world's life (kept in snapshots): a receiver's order check. */
  seq: number;
  kind: 'call' | 'order' | 'task';
  uuid: string;
  userTaskID: string;
  /** The task's callback URL for this kind (call/order: the order's batch; task: taskCallbackUrl). Empty: nothing to send. */
  url: string;
  /** The callback body, in the contract's shape (CallFinishedCallback, OrderFinishedCallback, TaskStatusCallback). */
  payload: Record<string, unknown>;
  at: VirtualMs;
}

export interface DialerSettings {
  /** Calls at once per running task when its settings give no `maxCall`. */
  concurrency: number;
  /** Rounds per order when `funcFlag.roundRedial` is true (default) — 1 when false or strategy 一拨一. */
  maxRounds: number;
  /** Virtual seconds between an unanswered round and the next. */
  redialDelaySeconds: number;
  /** Relative weights of the drawn outcomes. */
  outcomes: { answered: number; noAnswer: number; busy: number; rejected: number; invalidNumber: number };
}

export interface SimulatorOptions {
  seed: number;
  dialer: DialerSettings;
  /** How long (virtual) an import keeps the task locked (retCode 1001 for import and export). */
  importingSeconds: number;
  /** updateTask takes effect after this many virtual seconds (the vendor says 5 minutes). */
  updateDelaySeconds: number;
  /** Bounds: past them the least recently used idle task is forgotten (never a running one if an idle one exists). */
  maxTasks: number;
  maxStoredOrders: number;
  /** Characters of text kept from requests over all tasks (stored-text.ts); past it tasks are forgotten as above, and a request with more is refused. */
  maxStoredBytes: number;
  /** Most calls kept per order (redial rounds beyond it are not dialed). */
  maxCallsPerOrder: number;
  /** Events not yet taken by `drainEvents`; past it the dialer starts no new call until they are taken. */
  maxPendingEvents: number;
}

/** What `handle` returns: the answer body (without signature; the pipeline signs it). */
export interface SimAnswer {
  body: Record<string, unknown>;
}

export interface SimulatorStats {
  accounts: number;
  tasks: number;
  orders: number;
  calls: number;
  pendingEvents: number;
  /** Calls in progress over every task (added by the core: tests check the dialer's concurrency with it). */
  callsInProgress: number;
  now: VirtualMs;
}

export interface Simulator {
  readonly now: VirtualMs;
  /** Answers one authenticated, schema-valid request of `uuid` at the current virtual time. */
  handle(uuid: string, operation: SimOperation, body: Record<string, unknown>): SimAnswer;
  /** Plays the world forward to `time` (no-op if not later): dials, ends calls, changes statuses, emits events. */
  advanceTo(time: VirtualMs): void;
  /** Takes up to `max` pending events, oldest first. */
  drainEvents(max?: number): SimEvent[];
  stats(): SimulatorStats;
  /** The whole world as plain JSON (versioned), for `--state FILE`. */
  snapshot(): unknown;
}

/**
 * Implemented in ./world.ts:
 *   createSimulator(options: SimulatorOptions, startAt: VirtualMs): Simulator
 *   restoreSimulator(snapshot: unknown, options: SimulatorOptions): Simulator   // throws SnapshotError naming what is wrong
 *   defaultSimulatorOptions(): SimulatorOptions
 * Debug endpoint (server): `POST /__mock/clock` body `{"advance": SECONDS, "settle": true}` → moves virtual
 * time, waits (bounded) until the callbacks due so far are delivered when `settle`, answers
 * `{"now": UNIX_SECONDS, "speed": N, "pendingCallbacks": K}`; `GET /__mock/clock` answers the same without moving.
 */
