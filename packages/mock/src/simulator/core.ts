import type { SimEvent, SimulatorOptions } from './api.js';
import { pushAction } from './heap.js';
import { orderEventPayload, taskEventPayload } from './payloads.js';
import { taskText } from './stored-text.js';
import { type DueAction, type OrderRecord, type TaskRecord, TaskStatus, type TaskStatusValue, type WorldState } from './types.js';

/**
 * The state and the few primitives every part of the simulator shares: finding tasks and orders,
 * scheduling, emitting events, changing a task's status (which always emits the task event),
 * completing a task, and keeping the stored world within its bounds.
 */
export class Core {
  private readonly orderIndexes = new WeakMap<TaskRecord, Map<string, OrderRecord>>();
  /** The text each task keeps (stored-text.ts), measured when asked, forgotten when a request changed the task. */
  private readonly textSizes = new WeakMap<TaskRecord, number>();

  constructor(
    readonly options: SimulatorOptions,
    readonly state: WorldState,
  ) {}

  get now() {
    return this.state.now;
  }

  task(uuid: string, userTaskID: string): TaskRecord | undefined {
    return this.state.accounts.get(uuid)?.get(userTaskID);
  }

  tasksOf(uuid: string): Iterable<TaskRecord> {
    return this.state.accounts.get(uuid)?.values() ?? [];
  }

  /** orderID → order of a task (built on first use; kept in step by addOrder / dropOrders). */
  orders(task: TaskRecord): Map<string, OrderRecord> {
    let index = this.orderIndexes.get(task);
    if (!index) {
      index = new Map(task.orders.map((order) => [order.orderID, order]));
      this.orderIndexes.set(task, index);
    }
    return index;
  }

  touch(task: TaskRecord): void {
    task.lastUsed = ++this.state.counters.use;
  }

  putTask(uuid: string, task: TaskRecord): void {
    let tasks = this.state.accounts.get(uuid);
    if (!tasks) {
      tasks = new Map();
      this.state.accounts.set(uuid, tasks);
    }
    tasks.set(task.userTaskID, task);
    this.touch(task);
  }

  addOrder(task: TaskRecord, order: OrderRecord): void {
    task.orders.push(order);
    this.orders(task).set(order.orderID, order);
    this.enqueue(task, order);
  }

  enqueue(task: TaskRecord, order: OrderRecord): void {
    if (order.queued || order.state !== 'waiting') return;
    order.queued = true;
    task.queue.push(order.orderID);
  }

  /** The next order due for a call, or undefined; stale queue entries are skipped. */
  nextDue(task: TaskRecord): OrderRecord | undefined {
    const index = this.orders(task);
    while (task.queueHead < task.queue.length) {
      const order = index.get(task.queue[task.queueHead]!);
      task.queueHead += 1;
      if (order?.queued && order.state === 'waiting') {
        order.queued = false;
        this.compactQueue(task);
        return order;
      }
      if (order) order.queued = false;
    }
    this.compactQueue(task);
    return undefined;
  }

  private compactQueue(task: TaskRecord): void {
    // Keep the queue's memory proportional to what is still due.
    if (task.queueHead > 1024 && task.queueHead * 2 > task.queue.length) {
      task.queue = task.queue.slice(task.queueHead);
      task.queueHead = 0;
    }
  }

  /** Removes the orders `drop` selects (never-dialed waiting orders only); returns how many. */
  dropOrders(task: TaskRecord, drop: (order: OrderRecord) => boolean): number {
    const index = this.orders(task);
    const kept: OrderRecord[] = [];
    for (const order of task.orders) {
      if (order.state === 'waiting' && order.callIdx.length === 0 && drop(order)) index.delete(order.orderID);
      else kept.push(order);
    }
    const dropped = task.orders.length - kept.length;
    task.orders = kept;
    return dropped;
  }

  schedule(action: Omit<DueAction, 'seq'>): void {
    pushAction(this.state.actions, { ...action, seq: ++this.state.counters.action });
  }

  emit(kind: SimEvent['kind'], uuid: string, task: TaskRecord, url: string, payload: object): void {
    this.state.events.push({
      seq: ++this.state.counters.event,
      kind,
      uuid,
      userTaskID: task.userTaskID,
      url,
      payload: payload as Record<string, unknown>,
      at: this.state.now,
    });
  }

  /** Every change of status emits the task event with the statistics of that moment. */
  setStatus(uuid: string, task: TaskRecord, status: TaskStatusValue): void {
    if (task.status === status) return;
    task.status = status;
    this.emit('task', uuid, task, task.taskCallbackUrl, taskEventPayload(task));
  }

  /** Ends an order outside a call (stopOrder, complete): the order event only if it was ever called. */
  stopIdleOrder(uuid: string, task: TaskRecord, order: OrderRecord): void {
    order.state = 'stopped';
    order.queued = false;
    task.finishedOrders += 1;
    const index = order.callIdx[order.callIdx.length - 1];
    if (index !== undefined) this.emit('order', uuid, task, order.orderCallbackUrl, orderEventPayload(task, order, task.calls[index]!));
  }

  /**
   * A running task whose orders are all finished becomes completed (3) — unless funcFlag.taskKeep
   * (spec Choice on FuncFlag.taskKeep: it stays running, waiting for more orders). A task with no
   * order yet does not complete.
   */
  checkCompletion(uuid: string, task: TaskRecord): void {
    if (task.status !== TaskStatus.Running || task.funcFlag.taskKeep === true) return;
    if (task.orders.length > 0 && task.finishedOrders === task.orders.length && task.dialing === 0) {
      this.setStatus(uuid, task, TaskStatus.Completed);
    }
  }

  allFinished(task: TaskRecord): boolean {
    return task.finishedOrders === task.orders.length && task.dialing === 0;
  }

  responseID(): string {
    const counter = ++this.state.counters.response;
    return `mock-${(this.state.seed >>> 0).toString(16)}-${counter.toString(16).padStart(8, '0')}`;
  }

  storedOrders(): number {
    let total = 0;
    for (const tasks of this.state.accounts.values()) for (const task of tasks.values()) total += task.orders.length;
    return total;
  }

  storedTasks(): number {
    let total = 0;
    for (const tasks of this.state.accounts.values()) total += tasks.size;
    return total;
  }

  /**
   * Forgets the least recently used task other than `keep`: an idle one (not running, no call in
   * progress) when there is one. Its pending actions are skipped when due (taskID guard); counts of
   * the other tasks are untouched. Returns false when there is nothing left to forget.
   */
  forgetOne(keep: TaskRecord | undefined): boolean {
    let idle: [string, TaskRecord] | undefined;
    let any: [string, TaskRecord] | undefined;
    for (const [uuid, tasks] of this.state.accounts) {
      for (const task of tasks.values()) {
        if (task === keep) continue;
        if (!any || task.lastUsed < any[1].lastUsed) any = [uuid, task];
        const isIdle = task.status !== TaskStatus.Running && task.dialing === 0;
        if (isIdle && (!idle || task.lastUsed < idle[1].lastUsed)) idle = [uuid, task];
      }
    }
    const victim = idle ?? any;
    if (!victim) return false;
    const tasks = this.state.accounts.get(victim[0])!;
    tasks.delete(victim[1].userTaskID);
    if (tasks.size === 0) this.state.accounts.delete(victim[0]);
    return true;
  }

  /** The text kept over all tasks (stored-text.ts), against maxStoredBytes. */
  storedText(): number {
    let total = 0;
    for (const tasks of this.state.accounts.values()) {
      for (const task of tasks.values()) {
        let size = this.textSizes.get(task);
        if (size === undefined) {
          size = taskText(task, this.options.maxCallsPerOrder);
          this.textSizes.set(task, size);
        }
        total += size;
      }
    }
    return total;
  }

  /** A request changed what `task` keeps: measured again when next asked. */
  textChanged(task: TaskRecord | undefined): void {
    if (task) this.textSizes.delete(task);
  }

  /** Makes room for `chars` more characters of text (maxStoredBytes), never forgetting `keep`; false when they cannot fit. */
  roomForText(keep: TaskRecord | undefined, chars: number): boolean {
    if (chars > this.options.maxStoredBytes) return false;
    while (this.storedText() + chars > this.options.maxStoredBytes) {
      if (!this.forgetOne(keep)) return false;
    }
    return true;
  }

  /** Makes room for one more task (maxTasks). */
  roomForTask(): void {
    while (this.storedTasks() >= this.options.maxTasks && this.forgetOne(undefined)) {}
  }

  /** Makes room for `count` more orders in `task` (maxStoredOrders); false when they cannot fit. */
  roomForOrders(task: TaskRecord | undefined, count: number): boolean {
    if (count <= 0) return true;
    while (this.storedOrders() + count > this.options.maxStoredOrders) {
      if (!this.forgetOne(task)) return false;
    }
    return true;
  }
}
