import type { SimAnswer, SimEvent, SimOperation, Simulator, SimulatorOptions, SimulatorStats, VirtualMs } from './api.js';
import { MAX_VIRTUAL_MS } from './api.js';
import { Callbacks, Operations, RetCodes } from 'callbot-contract';
import { invalid, refusal, success } from './answers.js';
import { Core } from './core.js';
import { advance, pumpAll, runDueNow } from './dialer.js';
import * as ops from './operations.js';
import * as queries from './queries.js';
import { type RefusedOrders, refuseOrders } from './refused-orders.js';
import { readSnapshot, writeSnapshot } from './snapshot.js';
import { KEEPS_TEXT, requestText } from './stored-text.js';
import type { WorldState } from './types.js';

/**
 * The simulator: one world of accounts and tasks in virtual time (see api.ts for the shape).
 * `handle` answers one request from the state; `advanceTo` plays the dialer forward; events wait
 * in a bounded queue for `drainEvents`. The same seed and the same sequence of calls give the same
 * answers and events: nothing here reads a real clock or an unseeded random source.
 */

export function defaultSimulatorOptions(): SimulatorOptions {
  return {
    seed: 1,
    dialer: {
      concurrency: 10,
      maxRounds: 2,
      redialDelaySeconds: 60,
      outcomes: { answered: 60, noAnswer: 20, busy: 10, rejected: 5, invalidNumber: 5 },
    },
    importingSeconds: 2,
    updateDelaySeconds: 300,
    maxTasks: 1000,
    // Two full imports of the mock's largest list (100,000): a few hundred MB at most.
    maxStoredOrders: 200_000,
    // The text of those orders at a few hundred characters each, params and long names included.
    maxStoredBytes: 128 * 1024 * 1024,
    maxCallsPerOrder: 5,
    maxPendingEvents: 10_000,
  };
}

/** The answer schema (components.schemas) of each operation's answers, for validators and tests. */
export const ANSWER_SCHEMAS = {
  createTask: Operations.createTask.answerSchema,
  updateTask: Operations.updateTask.answerSchema,
  createAndCall: Operations.createAndCall.answerSchema,
  addBatchCall: Operations.addBatchCall.answerSchema,
  importBatchCall: Operations.importBatchCall.answerSchema,
  mgrTaskStatus: Operations.mgrTaskStatus.answerSchema,
  listTask: Operations.listTask.answerSchema,
  listOrder: Operations.listOrder.answerSchema,
  listCall: Operations.listCall.answerSchema,
  listOrderDetail: Operations.listOrderDetail.answerSchema,
  exportBatchCall: Operations.exportBatchCall.answerSchema,
  stopOrder: Operations.stopOrder.answerSchema,
} as const satisfies Record<SimOperation, string>;

/** The callback schema of each event kind. */
export const EVENT_SCHEMAS = { call: Callbacks.call.schema, order: Callbacks.order.schema, task: Callbacks.task.schema } as const;

function emptyState(seed: number, now: VirtualMs): WorldState {
  return {
    seed: seed >>> 0,
    now,
    counters: { taskID: 100000, call: 0, batch: 0, response: 0, event: 0, action: 0, use: 0 },
    accounts: new Map(),
    actions: [],
    events: [],
  };
}

function checkOptions(options: SimulatorOptions): void {
  const positive: [string, number][] = [
    ['dialer.concurrency', options.dialer.concurrency],
    ['dialer.maxRounds', options.dialer.maxRounds],
    ['maxTasks', options.maxTasks],
    ['maxStoredOrders', options.maxStoredOrders],
    ['maxStoredBytes', options.maxStoredBytes],
    ['maxCallsPerOrder', options.maxCallsPerOrder],
    ['maxPendingEvents', options.maxPendingEvents],
  ];
  for (const [name, value] of positive) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`simulator option ${name} must be a whole number ≥ 1 (got ${value})`);
  }
  const nonNegative: [string, number][] = [
    ['dialer.redialDelaySeconds', options.dialer.redialDelaySeconds],
    ['importingSeconds', options.importingSeconds],
    ['updateDelaySeconds', options.updateDelaySeconds],
    ...Object.entries(options.dialer.outcomes).map(([kind, weight]): [string, number] => [`dialer.outcomes.${kind}`, weight]),
  ];
  for (const [name, value] of nonNegative) {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`simulator option ${name} must be a number ≥ 0 (got ${value})`);
  }
  const weights = Object.values(options.dialer.outcomes).reduce((sum, weight) => sum + weight, 0);
  if (weights <= 0) throw new RangeError('simulator option dialer.outcomes: at least one weight must be above 0');
}

class World implements Simulator {
  private readonly core: Core;

  constructor(options: SimulatorOptions, state: WorldState) {
    checkOptions(options);
    this.core = new Core(options, state);
  }

  get now(): VirtualMs {
    return this.core.now;
  }

  handle(uuid: string, operation: SimOperation, body: Record<string, unknown>, malformedPhones?: ReadonlySet<number>): SimAnswer {
    const refused = refuseOrders(body, malformedPhones);
    const kept = refused?.kept ?? body;
    let answer: SimAnswer;
    if (refused && refused.refused.size === refused.callList.length) {
      // Every order refused: nothing changes (no task is created, no import replaces orders).
      answer = success(this.core, { totalCount: refused.callList.length, successCount: 0, errList: [...refused.refused.values()] });
    } else {
      answer = KEEPS_TEXT.has(operation) ? this.keepingText(uuid, operation, kept, refused) : this.answer(uuid, operation, kept, refused);
    }
    runDueNow(this.core);
    return answer;
  }

  /** A write that keeps text: room is made for it first (maxStoredBytes), or it is refused and changes nothing. */
  private keepingText(uuid: string, operation: SimOperation, body: Record<string, unknown>, refused: RefusedOrders | undefined): SimAnswer {
    const core = this.core;
    const userTaskID = body.userTaskID as string;
    const text = requestText(body, core.options.maxCallsPerOrder);
    if (!core.roomForText(core.task(uuid, userTaskID), text.chars)) {
      return refusal(
        core,
        RetCodes.TooManyElements.code,
        `${text.largest || 'the request'}: more text than the mock keeps (${text.chars} characters in this request; maxStoredBytes ${core.options.maxStoredBytes})`,
        operation === 'importBatchCall' ? { totalCount: 0, successCount: 0 } : {},
      );
    }
    const answer = this.answer(uuid, operation, body, refused);
    core.textChanged(core.task(uuid, userTaskID));
    return answer;
  }

  private answer(uuid: string, operation: SimOperation, body: Record<string, unknown>, refused?: RefusedOrders): SimAnswer {
    const core = this.core;
    switch (operation) {
      case 'createTask':
        return ops.createTask(core, uuid, body);
      case 'createAndCall':
        return ops.createAndCall(core, uuid, body, refused);
      case 'importBatchCall':
        return ops.importBatchCall(core, uuid, body, refused);
      case 'addBatchCall':
        return ops.addBatchCall(core, uuid, body, refused);
      case 'mgrTaskStatus':
        return ops.mgrTaskStatus(core, uuid, body);
      case 'updateTask':
        return ops.updateTask(core, uuid, body);
      case 'stopOrder':
        return ops.stopOrder(core, uuid, body);
      case 'listTask':
        return queries.listTask(core, uuid, body);
    }
    const userTaskID = body.userTaskID as string;
    const task = core.task(uuid, userTaskID);
    if (!task) return ops.unknownTask(core, userTaskID);
    core.touch(task);
    switch (operation) {
      case 'listOrder':
        return queries.listOrder(core, task, body);
      case 'listCall':
        return queries.listCall(core, task, body);
      case 'listOrderDetail':
        return queries.listOrderDetail(core, task, body);
      case 'exportBatchCall':
        return queries.exportBatchCall(core, task);
      default:
        return invalid(core, `operation: "${String(operation)}" is not simulated`);
    }
  }

  advanceTo(time: VirtualMs): void {
    advance(this.core, time);
  }

  drainEvents(max = Number.POSITIVE_INFINITY): SimEvent[] {
    const events = this.core.state.events;
    const taken = events.splice(0, Math.max(0, Math.min(max, events.length)));
    // Room in the queue again: the dialer may start the calls it held back.
    if (taken.length > 0) pumpAll(this.core);
    return taken;
  }

  stats(): SimulatorStats {
    let tasks = 0;
    let orders = 0;
    let calls = 0;
    let callsInProgress = 0;
    for (const account of this.core.state.accounts.values()) {
      for (const task of account.values()) {
        tasks += 1;
        orders += task.orders.length;
        calls += task.calls.length;
        callsInProgress += task.dialing;
      }
    }
    const state = this.core.state;
    return { accounts: state.accounts.size, tasks, orders, calls, pendingEvents: state.events.length, callsInProgress, now: state.now };
  }

  snapshot(): unknown {
    return writeSnapshot(this.core.state);
  }
}

export function createSimulator(options: SimulatorOptions, startAt: VirtualMs): Simulator {
  if (!Number.isFinite(startAt) || startAt < 0 || startAt > MAX_VIRTUAL_MS)
    throw new RangeError(`startAt must be a time in ms from 0 to ${MAX_VIRTUAL_MS} (got ${startAt})`);
  return new World(options, emptyState(options.seed, startAt));
}

/** Throws SnapshotError naming the path of the first bad value. The snapshot's seed and clock win. */
export function restoreSimulator(snapshot: unknown, options: SimulatorOptions): Simulator {
  return new World(options, readSnapshot(snapshot));
}

export { SnapshotError } from './snapshot.js';
