import { setMaxListeners } from 'node:events';
import type { MockAccount } from './accounts.js';
import type { MockBatch, MockTask } from './batches.js';
import { callFinishedPayload, orderFinishedPayload, simulateCalls } from './call-outcomes.js';
import { deliverCallback, type DeliveryRecord } from './callback-delivery.js';
import type { MockLogger } from './logger.js';
import type { CallbackOptions } from './options.js';

/**
 * The simulated dialer. After an accepted import it works through the batch's orders one at a
 * time (`firstDelayMs`, then one every `paceMs`): marks the order dialed, draws its calls, and
 * sends a call-finished callback per call and then an order-finished callback. A batch replaced
 * by a newer import stops being dialed. At most `maxInFlight` orders have callbacks in flight:
 * the dialer waits for one to finish before it dials the next. Timers are unref'd and `close()`
 * cancels everything, so the simulator never keeps a process alive.
 */
export class CallSimulator {
  readonly #options: CallbackOptions;
  readonly #logger: MockLogger;
  readonly #timers = new Map<MockBatch, NodeJS.Timeout>();
  readonly #abort = new AbortController();
  readonly #inFlight = new Set<Promise<unknown>>();
  /** The last `maxRecords` deliveries by id (ids are consecutive: the oldest is `#nextId - size`). */
  readonly #records = new Map<number, DeliveryRecord>();
  readonly #maxRecords: number;
  #nextId = 1;

  constructor(options: CallbackOptions, logger: MockLogger, { maxRecords }: { maxRecords: number }) {
    this.#options = options;
    this.#logger = logger;
    this.#maxRecords = maxRecords;
    // Each delivery in flight listens on the one abort signal (its request, its backoff).
    setMaxListeners(2 * options.maxInFlight + 10, this.#abort.signal);
  }

  start(task: MockTask, batch: MockBatch, account: MockAccount): void {
    if (!this.#options.enabled || this.#abort.signal.aborted) return;
    let next = 0;
    const tick = () => {
      this.#timers.delete(batch);
      if (!batch.current || this.#abort.signal.aborted) return;
      if (this.#inFlight.size >= this.#options.maxInFlight) {
        // Bounded: wait until earlier orders' callbacks are delivered (or given up).
        this.#schedule(batch, tick, Math.max(this.#options.paceMs, 10));
        return;
      }
      const order = batch.orders[next];
      next += 1;
      if (!order) return;
      if (order.state === 'undialed') this.#dial(task, batch, order, account);
      if (next < batch.orders.length) this.#schedule(batch, tick, this.#options.paceMs);
    };
    this.#schedule(batch, tick, this.#options.firstDelayMs);
  }

  /** Stops dialing a batch (a newer import replaced it). */
  stop(batch: MockBatch): void {
    const timer = this.#timers.get(batch);
    if (timer) clearTimeout(timer);
    this.#timers.delete(batch);
  }

  /** Whether this batch still has orders waiting to be dialed. */
  isDialing(batch: MockBatch): boolean {
    return this.#timers.has(batch);
  }

  /**
   * Up to `limit` delivery records with an id above `after`, oldest first (copies), and how
   * many are kept in all. `next` is the id to pass as `after` for the following page.
   */
  records({ after = 0, limit = Number.POSITIVE_INFINITY }: { after?: number; limit?: number } = {}) {
    const page: DeliveryRecord[] = [];
    let id = Math.max(after + 1, this.#nextId - this.#records.size);
    for (; id < this.#nextId && page.length < limit; id += 1) {
      const record = this.#records.get(id);
      if (record) page.push({ ...record });
    }
    return { records: page, total: this.#records.size, next: id < this.#nextId ? page.at(-1)?.id : undefined };
  }

  /** Cancels pending dials and callbacks (in-flight requests are aborted) and waits for them to settle. */
  async close(): Promise<void> {
    this.#abort.abort();
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    await Promise.allSettled([...this.#inFlight]);
  }

  #schedule(batch: MockBatch, tick: () => void, delayMs: number): void {
    const timer = setTimeout(tick, delayMs);
    timer.unref();
    this.#timers.set(batch, timer);
  }

  #dial(task: MockTask, batch: MockBatch, order: MockBatch['orders'][number], account: MockAccount): void {
    const calls = simulateCalls(order, this.#options.seed, Math.floor(Date.now() / 1000));
    const send = async () => {
      for (const [index, call] of calls.entries()) {
        const finish = index === calls.length - 1;
        await this.#deliver('call', batch.callCallbackUrl, callFinishedPayload(order, task, call, finish), account);
      }
      const last = calls[calls.length - 1];
      if (last) await this.#deliver('order', batch.orderCallbackUrl, orderFinishedPayload(order, task, last), account);
    };
    // The order counts as dialed once its calls are drawn; delivery of the callbacks is separate.
    order.state = 'dialed';
    const done = send()
      .catch((error: Error) => this.#logger.error(`callbacks for order ${order.orderID}: ${error.message}`))
      .finally(() => this.#inFlight.delete(done));
    this.#inFlight.add(done);
  }

  #deliver(kind: 'call' | 'order', url: string, payload: { orderID: string }, account: MockAccount) {
    return deliverCallback({
      kind,
      url,
      payload,
      account,
      options: this.#options,
      signal: this.#abort.signal,
      logger: this.#logger,
      record: (entry) => {
        entry.id = this.#nextId++;
        this.#records.set(entry.id, entry);
        if (this.#records.size > this.#maxRecords) this.#records.delete(entry.id - this.#maxRecords);
      },
    });
  }
}
