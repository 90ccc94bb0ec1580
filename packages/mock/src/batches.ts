import type { components } from 'callbot-contract';

/**
 * The vendor's batch semantics (批次), kept per account and task: every import opens a new
 * batch; of the earlier batches, orders already dialed are kept and orders not yet dialed are
 * dropped. While a batch is importing, another import of the task is answered 1001.
 */

/** One order as imported: the contract's CallOrder. */
export type OrderInput = components['schemas']['CallOrder'];

/** `undialed` until the simulated dialer reaches the order, then `dialed` (kept by later batches). */
export type OrderState = 'undialed' | 'dialed';

export interface MockOrder extends OrderInput {
  state: OrderState;
}

export interface MockBatch {
  batchID: string;
  /** 1 for the task's first import. */
  sequence: number;
  importedAt: number;
  callCallbackUrl: string;
  orderCallbackUrl: string;
  orders: MockOrder[];
  /** Undialed orders removed when a newer batch arrived. */
  droppedUndialed: number;
  /** The task's newest batch: the only one still being dialed. */
  current: boolean;
}

export interface MockTask {
  uuid: string;
  userTaskID: string;
  /** The vendor's own task id (a string of digits in its examples). */
  taskID: string;
  /** The number in `taskID`: tasks are listed in this (creation) order. */
  seq: number;
  batches: MockBatch[];
  importingUntil: number;
  lastImportAt: number;
}

/** How much the store keeps (see MockOptions). */
export interface BatchLimits {
  maxTasks: number;
  maxStoredOrders: number;
  maxBatchesPerTask: number;
}

export interface BatchStoreHooks {
  /** Whether the simulated dialer is still working through this batch. */
  isDialing(batch: MockBatch): boolean;
  /** Called for each batch of a forgotten task, so that its simulation stops. */
  forget(batch: MockBatch): void;
  /** One line per forgotten task or batch. */
  log(line: string): void;
}

/** Where a listing page starts: the task with this `seq`, after `skip` of its orders. */
export interface ListCursor {
  seq: number;
  skip: number;
}

export interface ListRequest {
  uuid?: string;
  userTaskID?: string;
  /** Tasks on the page, at most. */
  limit: number;
  /** Orders on the page, at most (over all its tasks and batches). */
  orderLimit: number;
  cursor?: ListCursor;
}

export const formatCursor = (cursor: ListCursor) => `${cursor.seq}.${cursor.skip}`;

export function parseCursor(text: string): ListCursor | undefined {
  const match = /^(\d{1,15})\.(\d{1,15})$/.exec(text);
  return match ? { seq: Number(match[1]), skip: Number(match[2]) } : undefined;
}

const FIRST_TASK_ID = 880001;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
/** A client-chosen string in a log line: quoted and escaped (one line), and not too long. */
const quoted = (text: string) => JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);

export class BatchStore {
  /** Least recently imported first: eviction looks here. */
  readonly #byRecency = new Map<string, MockTask>();
  /** Creation order: listings page through this. */
  readonly #bySeq = new Map<number, MockTask>();
  readonly #limits: BatchLimits;
  readonly #hooks: BatchStoreHooks;
  #storedOrders = 0;
  #nextSeq = FIRST_TASK_ID;

  constructor(limits: BatchLimits, hooks: BatchStoreHooks) {
    this.#limits = limits;
    this.#hooks = hooks;
  }

  static key = (uuid: string, userTaskID: string) => JSON.stringify([uuid, userTaskID]);

  /** Tasks kept, and orders kept over all of them. */
  get size() {
    return { tasks: this.#byRecency.size, orders: this.#storedOrders };
  }

  task(uuid: string, userTaskID: string): MockTask | undefined {
    return this.#byRecency.get(BatchStore.key(uuid, userTaskID));
  }

  isImporting(uuid: string, userTaskID: string, now: number): boolean {
    const task = this.task(uuid, userTaskID);
    return task !== undefined && now < task.importingUntil;
  }

  /**
   * Opens a new batch with `orders` (already filtered: only those the mock accepted) and drops
   * the undialed orders of every earlier batch. Returns the replaced batches too, so that their
   * simulation can be stopped. Then forgets what is over the limits, never this task.
   */
  importBatch(args: {
    uuid: string;
    userTaskID: string;
    orders: OrderInput[];
    callCallbackUrl: string;
    orderCallbackUrl: string;
    now: number;
    importingMs: number;
  }): { task: MockTask; batch: MockBatch; replaced: MockBatch[] } {
    const key = BatchStore.key(args.uuid, args.userTaskID);
    let task = this.#byRecency.get(key);
    if (task) {
      this.#byRecency.delete(key); // re-inserted below: now the most recent
    } else {
      const seq = this.#nextSeq++;
      task = { uuid: args.uuid, userTaskID: args.userTaskID, taskID: String(seq), seq, batches: [], importingUntil: 0, lastImportAt: args.now };
      this.#bySeq.set(seq, task);
    }
    this.#byRecency.set(key, task);
    const replaced = task.batches.filter((batch) => batch.current);
    for (const batch of task.batches) {
      const kept = batch.orders.filter((order) => order.state !== 'undialed');
      batch.droppedUndialed += batch.orders.length - kept.length;
      this.#storedOrders -= batch.orders.length - kept.length;
      batch.orders = kept;
      batch.current = false;
    }
    const sequence = (task.batches.at(-1)?.sequence ?? 0) + 1;
    const batch: MockBatch = {
      batchID: `${task.taskID}-${sequence}`,
      sequence,
      importedAt: args.now,
      callCallbackUrl: args.callCallbackUrl,
      orderCallbackUrl: args.orderCallbackUrl,
      orders: args.orders.map((order) => ({ ...order, state: 'undialed' })),
      droppedUndialed: 0,
      current: true,
    };
    task.batches.push(batch);
    this.#storedOrders += batch.orders.length;
    task.importingUntil = args.now + args.importingMs;
    task.lastImportAt = args.now;
    while (task.batches.length > this.#limits.maxBatchesPerTask) {
      const emptyIndex = task.batches.findIndex((old) => !old.current && old.orders.length === 0);
      const [old] = task.batches.splice(emptyIndex >= 0 ? emptyIndex : 0, 1);
      if (!old) break;
      this.#storedOrders -= old.orders.length;
      this.#hooks.log(
        `forgot batch ${old.batchID} of task ${quoted(task.userTaskID)} (${plural(old.orders.length, 'order')} kept in it): more than maxBatchesPerTask ${this.#limits.maxBatchesPerTask}`,
      );
    }
    this.#enforceLimits(args.now, task);
    return { task, batch, replaced };
  }

  #isBusy(task: MockTask, now: number): boolean {
    return now < task.importingUntil || task.batches.some((batch) => batch.current && this.#hooks.isDialing(batch));
  }

  /** The least recently imported idle task other than `keep`; failing that, the least recently imported one. */
  #victim(now: number, keep: MockTask): MockTask | undefined {
    let fallback: MockTask | undefined;
    for (const task of this.#byRecency.values()) {
      if (task === keep) continue;
      if (!this.#isBusy(task, now)) return task;
      fallback ??= task;
    }
    return fallback;
  }

  #enforceLimits(now: number, keep: MockTask): void {
    for (;;) {
      const reason =
        this.#byRecency.size > this.#limits.maxTasks
          ? `more than maxTasks ${this.#limits.maxTasks}`
          : this.#storedOrders > this.#limits.maxStoredOrders
            ? `more than maxStoredOrders ${this.#limits.maxStoredOrders} orders kept`
            : undefined;
      if (!reason) return;
      const victim = this.#victim(now, keep);
      if (!victim) return; // only the task just imported is left: it stays, whatever its size
      const busy = this.#isBusy(victim, now);
      const orders = victim.batches.reduce((sum, batch) => sum + batch.orders.length, 0);
      this.#byRecency.delete(BatchStore.key(victim.uuid, victim.userTaskID));
      this.#bySeq.delete(victim.seq);
      this.#storedOrders -= orders;
      for (const batch of victim.batches) this.#hooks.forget(batch);
      this.#hooks.log(
        `evicted task ${quoted(victim.userTaskID)} of account ${quoted(victim.uuid)} (taskID ${victim.taskID}, ${plural(victim.batches.length, 'batch')}, ${plural(orders, 'order')}, last import ${seconds(now - victim.lastImportAt)} ago${busy ? ', still importing or dialing: no task was idle' : ''}): ${reason}`,
      );
    }
  }

  /**
   * One page of what `GET /__mock/batches` shows (no secrets, no callback payloads): tasks in
   * creation order, at most `limit` of them and at most `orderLimit` orders. A task whose orders
   * do not fit continues on the next page (its batches again, with `ordersOffset` saying where
   * each batch's `orders` start).
   */
  list(request: ListRequest) {
    const matches = (task: MockTask) => (!request.uuid || task.uuid === request.uuid) && (!request.userTaskID || task.userTaskID === request.userTaskID);
    let candidates: Iterable<MockTask>;
    let total: number;
    if (request.uuid !== undefined && request.userTaskID !== undefined) {
      const task = this.task(request.uuid, request.userTaskID);
      candidates = task ? [task] : [];
      total = task ? 1 : 0;
    } else {
      candidates = this.#bySeq.values();
      total = 0;
      for (const task of this.#bySeq.values()) if (matches(task)) total += 1;
    }
    const cursor = request.cursor ?? { seq: 0, skip: 0 };
    const tasks = [];
    let budget = request.orderLimit;
    let next: ListCursor | undefined;
    for (const task of candidates) {
      if (task.seq < cursor.seq || !matches(task)) continue;
      if (tasks.length >= request.limit || budget <= 0) {
        next = { seq: task.seq, skip: 0 };
        break;
      }
      const first = task.seq === cursor.seq ? cursor.skip : 0;
      let skip = first;
      let listed = 0;
      let held = 0;
      const batches = task.batches.map((batch) => {
        held += batch.orders.length;
        const offset = Math.min(skip, batch.orders.length);
        skip -= offset;
        const take = Math.min(batch.orders.length - offset, budget);
        budget -= take;
        listed += take;
        return {
          batchID: batch.batchID,
          sequence: batch.sequence,
          current: batch.current,
          importedAt: new Date(batch.importedAt).toISOString(),
          droppedUndialed: batch.droppedUndialed,
          counts: countStates(batch.orders),
          ordersOffset: offset,
          orders: batch.orders.slice(offset, offset + take).map((order) => ({ orderID: order.orderID, userPhone: order.userPhone, state: order.state })),
        };
      });
      tasks.push({
        uuid: task.uuid,
        userTaskID: task.userTaskID,
        taskID: task.taskID,
        importingUntil: new Date(task.importingUntil).toISOString(),
        batches,
      });
      if (first + listed < held) {
        next = { seq: task.seq, skip: first + listed };
        break;
      }
    }
    return { tasks, total, next };
  }
}
function countStates(orders: MockOrder[]): Record<OrderState, number> {
  const counts: Record<OrderState, number> = { undialed: 0, dialed: 0 };
  for (const order of orders) counts[order.state] += 1;
  return counts;
}
