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
  batches: MockBatch[];
  importingUntil: number;
}

/** Old batches with nothing left in them are forgotten after this many, to bound memory. */
const KEEP_BATCHES = 50;

export class BatchStore {
  readonly #tasks = new Map<string, MockTask>();
  #nextTaskID = 880001;

  static key = (uuid: string, userTaskID: string) => JSON.stringify([uuid, userTaskID]);

  task(uuid: string, userTaskID: string): MockTask | undefined {
    return this.#tasks.get(BatchStore.key(uuid, userTaskID));
  }

  isImporting(uuid: string, userTaskID: string, now: number): boolean {
    const task = this.task(uuid, userTaskID);
    return task !== undefined && now < task.importingUntil;
  }

  /**
   * Opens a new batch with `orders` (already filtered: only those the mock accepted) and drops
   * the undialed orders of every earlier batch. Returns the replaced batches too, so that their
   * simulation can be stopped.
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
    let task = this.#tasks.get(key);
    if (!task) {
      task = { uuid: args.uuid, userTaskID: args.userTaskID, taskID: String(this.#nextTaskID++), batches: [], importingUntil: 0 };
      this.#tasks.set(key, task);
    }
    const replaced = task.batches.filter((batch) => batch.current);
    for (const batch of task.batches) {
      const kept = batch.orders.filter((order) => order.state !== 'undialed');
      batch.droppedUndialed += batch.orders.length - kept.length;
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
    task.importingUntil = args.now + args.importingMs;
    while (task.batches.length > KEEP_BATCHES) {
      const emptyIndex = task.batches.findIndex((old) => !old.current && old.orders.length === 0);
      task.batches.splice(emptyIndex >= 0 ? emptyIndex : 0, 1);
    }
    return { task, batch, replaced };
  }

  /** What `GET /__mock/batches` shows: no secrets, no callback payloads. */
  snapshot(filter: { uuid?: string; userTaskID?: string } = {}) {
    const tasks = [...this.#tasks.values()].filter(
      (task) => (!filter.uuid || task.uuid === filter.uuid) && (!filter.userTaskID || task.userTaskID === filter.userTaskID),
    );
    return {
      tasks: tasks.map((task) => ({
        uuid: task.uuid,
        userTaskID: task.userTaskID,
        taskID: task.taskID,
        importingUntil: new Date(task.importingUntil).toISOString(),
        batches: task.batches.map((batch) => ({
          batchID: batch.batchID,
          sequence: batch.sequence,
          current: batch.current,
          importedAt: new Date(batch.importedAt).toISOString(),
          droppedUndialed: batch.droppedUndialed,
          counts: countStates(batch.orders),
          orders: batch.orders.map((order) => ({ orderID: order.orderID, userPhone: order.userPhone, state: order.state })),
        })),
      })),
    };
  }
}

function countStates(orders: MockOrder[]): Record<OrderState, number> {
  const counts: Record<OrderState, number> = { undialed: 0, dialed: 0 };
  for (const order of orders) counts[order.state] += 1;
  return counts;
}
