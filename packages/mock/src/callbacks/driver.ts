import type { CallbackDispatcher } from './dispatcher.js';
import type { MockClock } from './clock.js';
import type { MockLogger } from '../process/logger.js';
import type { Simulator } from '../simulator/api.js';

/** How often (real ms) the driver moves the world to the clock and hands its events to delivery. */
export const DRIVER_INTERVAL_MS = 50;

export interface SimulationDriver {
  /** Plays the world up to the clock's now, and queues the events it emitted (as many as delivery has room for). */
  tick(): void;
  /**
   * Waits until every callback about something that happened up to now (virtual) has been
   * delivered or given up, at most `timeoutMs`; resolves whether it got there.
   */
  settle(timeoutMs: number): Promise<boolean>;
  /** Callbacks not delivered yet: still in the simulator, queued, or being sent. */
  pendingCallbacks(): number;
  close(): Promise<void>;
}

/**
 * Moves the simulator through virtual time on a real, unref'd interval (it never keeps a
 * process alive) and feeds its events to the callback dispatcher. Bounded: events stay in the
 * simulator while the dispatcher's queue is full, and the simulator's `maxPendingEvents` then
 * holds its dialer back.
 */
export function createDriver({
  simulator,
  clock,
  dispatcher,
  logger,
  intervalMs = DRIVER_INTERVAL_MS,
}: {
  simulator: Simulator;
  clock: MockClock;
  dispatcher: CallbackDispatcher;
  logger: MockLogger;
  intervalMs?: number;
}): SimulationDriver {
  let closed = false;
  let lastErrorLog = 0;
  const tick = () => {
    if (closed) return;
    try {
      simulator.advanceTo(clock.now());
      const room = dispatcher.room;
      if (room > 0) dispatcher.enqueue(simulator.drainEvents(room));
    } catch (error) {
      // A bug in the world must not kill the server; one line per 10 s at most.
      const now = Date.now();
      if (now - lastErrorLog >= 10_000) {
        lastErrorLog = now;
        logger.error(`simulator: ${(error as Error).stack ?? String(error)}`);
      }
    }
    dispatcher.flushLog();
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();

  return {
    tick,
    async settle(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      const target = clock.now();
      for (;;) {
        tick();
        const undrained = simulator.stats().pendingEvents > 0 && !dispatcher.hasQueuedAfter(target);
        if (!undrained && dispatcher.outstandingDue(target) === 0) return true;
        const left = deadline - Date.now();
        if (left <= 0 || closed) return false;
        await dispatcher.progress(Math.min(intervalMs, left));
      }
    },
    pendingCallbacks: () => simulator.stats().pendingEvents + dispatcher.pending,
    async close() {
      closed = true;
      clearInterval(timer);
      await dispatcher.close();
    },
  };
}
