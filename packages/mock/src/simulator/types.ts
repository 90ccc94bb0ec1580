import { type components, TaskStatus, type TaskStatusValue } from 'callbot-contract';
import type { SimEvent, VirtualMs } from './api.js';

/**
 * The world's state, kept as plain JSON-friendly data (arrays, records, numbers, strings) so a
 * snapshot is a copy of it; the Maps next to it are indexes rebuilt on restore.
 */

export type Schemas = components['schemas'];
export type TaskCreateSetting = Schemas['TaskCreateSetting'];
export type FuncFlag = Schemas['FuncFlag'];
export type CallInfoDetail = Schemas['CallInfoDetail'];
export type TemplateParam = Schemas['TemplateParam'];

/** The listTask enum (TaskStatus), generated from the spec. */
export { TaskStatus, type TaskStatusValue };

/**
 * waiting: not in a call (never dialed, or between rounds); dialing: a call in progress;
 * finished: its last call ended; stopped: stopOrder / complete stopped it outside a call.
 */
export type OrderState = 'waiting' | 'dialing' | 'finished' | 'stopped';

/** The kind of outcome a call was drawn to have (see outcomes.ts). */
export type OutcomeKind = 'answered' | 'noAnswer' | 'busy' | 'rejected' | 'invalidNumber';

/** A call in progress: everything about it was drawn when it was dialed. */
export interface CallInFlight {
  callID: string;
  kind: OutcomeKind;
  startAt: VirtualMs;
  answerAt: VirtualMs;
  endAt: VirtualMs;
  turns: number;
  /** Index into outcomes.ts INTENTS; -1 when not answered. */
  intentIndex: number;
}

/** An ended call: the contract's shape plus what the filters need. */
export interface CallRecord {
  orderID: string;
  turns: number;
  detail: CallInfoDetail;
}

export interface OrderRecord {
  orderID: string;
  userPhone: string;
  userName: string;
  customerName: string;
  other: string;
  params: TemplateParam[];
  orderCallbackUrl: string;
  callCallbackUrl: string;
  batchID: string;
  state: OrderState;
  /** Indexes into the task's `calls` (ended calls of this order, oldest first). */
  callIdx: number[];
  answered: boolean;
  /** stopOrder (or complete) while a call was in progress: that call is its last. */
  stopRequested: boolean;
  /** In the task's dial queue (due now). */
  queued: boolean;
  current: CallInFlight | null;
}

export interface PendingSettings {
  at: VirtualMs;
  taskCreateSetting: TaskCreateSetting | null;
  funcFlag: FuncFlag | null;
}

export interface TaskRecord {
  userTaskID: string;
  taskID: string;
  sceneID: string;
  createdAt: VirtualMs;
  status: TaskStatusValue;
  settings: TaskCreateSetting;
  funcFlag: FuncFlag;
  taskCallbackUrl: string;
  pending: PendingSettings | null;
  /** The latest batch (importBatchCall opens one; addBatchCall appends to it). */
  batchID: string;
  batchCount: number;
  importUntil: VirtualMs;
  orders: OrderRecord[];
  calls: CallRecord[];
  /** Order IDs due for a call, oldest first, from `queueHead` on (stale entries are skipped). */
  queue: string[];
  queueHead: number;
  dialing: number;
  finishedOrders: number;
  answeredOrders: number;
  answeredCalls: number;
  /** For forgetting the least recently used task. */
  lastUsed: number;
}

/** Something the dialer must do at a virtual time; ties broken by `seq` (insertion order). */
export interface DueAction {
  at: VirtualMs;
  seq: number;
  kind: 'callEnd' | 'redial' | 'settings';
  uuid: string;
  userTaskID: string;
  /** Guards against a task forgotten and created again under the same userTaskID. */
  taskID: string;
  orderID: string;
  callID: string;
}

export interface WorldState {
  seed: number;
  now: VirtualMs;
  counters: { taskID: number; call: number; batch: number; response: number; event: number; action: number; use: number };
  /** uuid → userTaskID → task, in creation order (snapshots keep them as arrays, see snapshot.ts). */
  accounts: Map<string, Map<string, TaskRecord>>;
  /** A binary min-heap over (at, seq). */
  actions: DueAction[];
  events: SimEvent[];
}
