import { setMaxListeners } from 'node:events';
import type { AccountStore } from '../requests/accounts.js';
import { deliverCallback, type DeliveryRecord } from './delivery.js';
import type { Deviator } from '../spec/deviate.js';
import type { MockLogger } from '../process/logger.js';
import type { CallbackOptions } from '../process/options.js';
import type { SimEvent } from '../simulator/api.js';
import { UnreachableLog } from './unreachable-log.js';

/** Events waiting for delivery, at most: past it the driver leaves events in the simulator, whose own bound stops the dialer. */
export const MAX_QUEUED_CALLBACKS = 10_000;

/** Told of one delivery attempt as it ends: the record as it stands (not a copy), the attempt's time. */
export type DeliveryWatcher = (entry: DeliveryRecord, attempt: { ms: number; maxAttempts: number }) => void;

/** Callbacks about the same order (or the same task) go out one after another, in the world's order. */
const keyOf = (event: SimEvent) =>
  `${event.uuid}\u0000${event.userTaskID}\u0000${typeof event.payload.orderID === 'string' ? event.payload.orderID : `task:${event.kind}`}`;

/**
 * Sends the simulator's events as signed callbacks: at most `maxInFlight` at once, at most
 * MAX_QUEUED_CALLBACKS waiting; per order (or task) strictly in order, so a receiver sees an
 * order's call callbacks before its order callback. Keeps the last `maxRecords` delivery
 * records for `GET /__mock/callbacks`. Events of the world with no URL are not sent.
 */
export class CallbackDispatcher {
  readonly #options: CallbackOptions;
  readonly #accounts: AccountStore;
  readonly #unreachable: UnreachableLog;
  readonly #abort = new AbortController();
  /** Per key, the events not yet started; a key is present while it has one queued or in flight. */
  readonly #byKey = new Map<string, SimEvent[]>();
  /** Keys whose next event may start now (not in flight), oldest first. */
  readonly #ready: string[] = [];
  #readyHead = 0;
  readonly #inFlight = new Map<string, SimEvent>();
  readonly #running = new Set<Promise<unknown>>();
  #queued = 0;
  #waiters: (() => void)[] = [];
  readonly #records = new Map<number, DeliveryRecord>();
  readonly #maxRecords: number;
  readonly #deviator: Deviator | undefined;
  #nextId = 1;
  /** Who is told of each attempt as it ends (the followers of `/__mock/callbacks?follow=1`). */
  readonly #watchers = new Set<DeliveryWatcher>();

  constructor(
    options: CallbackOptions,
    accounts: AccountStore,
    logger: MockLogger,
    { maxRecords, deviator }: { maxRecords: number; deviator?: Deviator | undefined },
  ) {
    this.#options = options;
    this.#deviator = deviator;
    this.#accounts = accounts;
    this.#maxRecords = maxRecords;
    this.#unreachable = new UnreachableLog(logger);
    // Each delivery in flight listens on the one abort signal (its request, its backoff).
    setMaxListeners(2 * options.maxInFlight + 10, this.#abort.signal);
  }

  /** How many more events may be queued now. */
  get room(): number {
    return this.#options.enabled ? MAX_QUEUED_CALLBACKS - this.#queued : Number.MAX_SAFE_INTEGER;
  }

  /** Callbacks queued or being sent. */
  get pending(): number {
    return this.#queued + this.#inFlight.size;
  }

  enqueue(events: readonly SimEvent[]): void {
    if (!this.#options.enabled || this.#abort.signal.aborted) return;
    for (const event of events) {
      if (!event.url) continue; // the client gave no URL for this kind: nothing to send
      const key = keyOf(event);
      const waiting = this.#byKey.get(key);
      if (waiting) waiting.push(event);
      else {
        this.#byKey.set(key, [event]);
        this.#ready.push(key);
      }
      this.#queued += 1;
    }
    this.#pump();
  }

  #pump(): void {
    while (this.#inFlight.size < this.#options.maxInFlight && this.#readyHead < this.#ready.length && !this.#abort.signal.aborted) {
      const key = this.#ready[this.#readyHead++]!;
      const event = this.#byKey.get(key)?.shift();
      if (!event) continue;
      this.#queued -= 1;
      this.#inFlight.set(key, event);
      const running = this.#send(event).finally(() => {
        this.#running.delete(running);
        this.#inFlight.delete(key);
        if (this.#byKey.get(key)?.length) this.#ready.push(key);
        else this.#byKey.delete(key);
        this.#pump();
        for (const wake of this.#waiters.splice(0)) wake();
      });
      this.#running.add(running);
    }
    // Reclaim the consumed part of the ready list now and then (it is a queue on an array).
    if (this.#readyHead > 1024 && this.#readyHead * 2 > this.#ready.length) {
      this.#ready.splice(0, this.#readyHead);
      this.#readyHead = 0;
    }
  }

  async #send(event: SimEvent): Promise<void> {
    const entry = await deliverCallback({
      event,
      account: this.#accounts.get(event.uuid),
      options: this.#options,
      deviator: this.#deviator,
      signal: this.#abort.signal,
      record: (record) => this.#record(record),
      attempted: (record, ms) => {
        for (const watcher of this.#watchers) watcher(record, { ms, maxAttempts: this.#options.maxAttempts });
      },
    });
    if (entry.status === 'failed' || entry.status === 'skipped') this.#unreachable.failed(entry);
  }

  #record(entry: DeliveryRecord): void {
    entry.id = this.#nextId++;
    this.#records.set(entry.id, entry);
    this.#records.delete(entry.id - this.#maxRecords);
  }

  /** Calls `watcher` after each delivery attempt from now on (synchronously: it must copy what it keeps); returns the way to stop. */
  watch(watcher: DeliveryWatcher): () => void {
    this.#watchers.add(watcher);
    return () => this.#watchers.delete(watcher);
  }

  get maxAttempts(): number {
    return this.#options.maxAttempts;
  }

  /** Callbacks queued or in flight about something that happened at or before `at` (virtual ms). */
  outstandingDue(at: number): number {
    let count = 0;
    for (const event of this.#inFlight.values()) if (event.at <= at) count += 1;
    for (const events of this.#byKey.values()) for (const event of events) if (event.at <= at) count += 1;
    return count;
  }

  /** Whether an event later than `at` is queued (then everything the simulator still holds is later too). */
  hasQueuedAfter(at: number): boolean {
    for (const events of this.#byKey.values()) for (const event of events) if (event.at > at) return true;
    return false;
  }

  /** Resolves when a delivery finishes, or after `ms`. */
  progress(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#waiters.push(done);
    });
  }

  /** A summary line of the failures not logged yet, when one is due. */
  flushLog(): void {
    this.#unreachable.flush();
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

  /** Drops what is queued, aborts what is in flight and waits for it to settle. */
  async close(): Promise<void> {
    this.#abort.abort();
    this.#byKey.clear();
    this.#ready.length = 0;
    this.#readyHead = 0;
    this.#queued = 0;
    await Promise.allSettled([...this.#running]);
    this.#unreachable.flush(true);
  }
}
