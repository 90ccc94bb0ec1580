import type { MockAccount } from './accounts.js';
import type { MockBatch, MockTask } from './batches.js';
import { callFinishedPayload, orderFinishedPayload, simulateCalls } from './call-outcomes.js';
import { deliverCallback, type DeliveryRecord } from './callback-delivery.js';
import type { MockLogger } from './logger.js';
import type { CallbackOptions } from './options.js';

/** How many deliveries `GET /__mock/callbacks` remembers (oldest forgotten first). */
const KEEP_RECORDS = 1000;

/**
 * The simulated dialer. After an accepted import it works through the batch's orders one at a
 * time (`firstDelayMs`, then one every `paceMs`): marks the order dialed, draws its calls, and
 * sends a call-finished callback per call and then an order-finished callback. A batch replaced
 * by a newer import stops being dialed. Timers are unref'd and `close()` cancels everything, so
 * the simulator never keeps a process alive.
 */
export class CallSimulator {
  readonly #options: CallbackOptions;
  readonly #logger: MockLogger;
  readonly #timers = new Map<MockBatch, NodeJS.Timeout>();
  readonly #abort = new AbortController();
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #records: DeliveryRecord[] = [];

  constructor(options: CallbackOptions, logger: MockLogger) {
    this.#options = options;
    this.#logger = logger;
  }

  start(task: MockTask, batch: MockBatch, account: MockAccount): void {
    if (!this.#options.enabled || this.#abort.signal.aborted) return;
    let next = 0;
    const tick = () => {
      this.#timers.delete(batch);
      if (!batch.current || this.#abort.signal.aborted) return;
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

  records(): DeliveryRecord[] {
    return this.#records.map((record) => ({ ...record }));
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
        this.#records.push(entry);
        if (this.#records.length > KEEP_RECORDS) this.#records.shift();
      },
    });
  }
}
