import fc from 'fast-check';
import { describe, it } from 'vitest';
import { callInfoList, checkOneTruth, Driver, order } from './support.js';

// One truth, as a property: random sequences of operations over one or two accounts, and after
// EVERY step the events, listOrder, listOrderDetail, listCall, exportBatchCall and listTask's
// taskStat agree (checkOneTruth). Refusals are part of the play: operations on tasks that do not
// exist, transitions that are not allowed, duplicate orderIDs.

const ACCOUNTS = ['acct-a', 'acct-b'];
const TASKS = ['t0', 't1', 't2'];
const orderIDs = fc.uniqueArray(fc.integer({ min: 0, max: 14 }), { minLength: 1, maxLength: 6 }).map((ids) => ids.map((i) => `o${i}`));
const target = { acct: fc.constantFrom(...ACCOUNTS), task: fc.constantFrom(...TASKS) };

const step = fc.oneof(
  fc.record({
    op: fc.constant('create' as const),
    ...target,
    startupType: fc.constantFrom(undefined, 1, 3),
    maxCall: fc.constantFrom(undefined, 1, 3),
    taskKeep: fc.boolean(),
    oneRound: fc.boolean(),
    taskName: fc.constantFrom('账单', 'bill 1', undefined),
  }),
  fc.record({ op: fc.constant('createAndCall' as const), ...target, startupType: fc.constantFrom(undefined, 1, 3), ids: orderIDs, roundRedial: fc.boolean() }),
  fc.record({ op: fc.constant('import' as const), ...target, ids: orderIDs }),
  fc.record({ op: fc.constant('add' as const), ...target, ids: orderIDs }),
  fc.record({ op: fc.constant('manage' as const), ...target, taskOperate: fc.constantFrom(1, 2, 3), delCall: fc.constantFrom(undefined, 0, 1) }),
  fc.record({ op: fc.constant('stop' as const), ...target, ids: orderIDs, delCall: fc.constantFrom(undefined, 0, 1) }),
  fc.record({ op: fc.constant('update' as const), ...target, maxCall: fc.integer({ min: 1, max: 4 }), roundRedial: fc.boolean(), taskKeep: fc.boolean() }),
  fc.record({ op: fc.constant('advance' as const), seconds: fc.integer({ min: 0, max: 400 }) }),
  fc.record({ op: fc.constant('advance' as const), seconds: fc.integer({ min: 0, max: 30 }) }),
);
type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

function play(driver: Driver, s: Step): void {
  const list = (ids: string[]) => callInfoList(ids.map((id, i) => order(id, i)));
  switch (s.op) {
    case 'create':
      driver.call(s.acct, 'createTask', {
        userTaskID: s.task,
        sceneID: 'scene-1',
        taskCreateSetting: {
          ...(s.startupType === undefined ? {} : { startupType: s.startupType }),
          ...(s.maxCall === undefined ? {} : { maxCall: s.maxCall }),
          ...(s.taskName === undefined ? {} : { taskName: s.taskName }),
          ...(s.oneRound ? { strategyName: '一拨一' } : {}),
        },
        funcFlag: { taskKeep: s.taskKeep },
        taskCallbackUrl: 'http://127.0.0.1:9/task',
      });
      break;
    case 'createAndCall':
      driver.call(s.acct, 'createAndCall', {
        userTaskID: s.task,
        sceneID: 'scene-2',
        taskCreateSetting: s.startupType === undefined ? {} : { startupType: s.startupType },
        funcFlag: { roundRedial: s.roundRedial, smsEnable: true },
        callInfoList: list(s.ids),
      });
      break;
    case 'import':
      driver.call(s.acct, 'importBatchCall', { userTaskID: s.task, callInfoList: list(s.ids) });
      break;
    case 'add':
      driver.call(s.acct, 'addBatchCall', { userTaskID: s.task, callInfoList: list(s.ids) });
      break;
    case 'manage':
      driver.call(s.acct, 'mgrTaskStatus', { userTaskID: s.task, taskOperate: s.taskOperate, ...(s.delCall === undefined ? {} : { delCall: s.delCall }) });
      break;
    case 'stop':
      driver.call(s.acct, 'stopOrder', { userTaskID: s.task, orderIDs: s.ids, ...(s.delCall === undefined ? {} : { delCall: s.delCall }) });
      break;
    case 'update':
      driver.call(s.acct, 'updateTask', {
        userTaskID: s.task,
        taskCreateSetting: { maxCall: s.maxCall },
        funcFlag: { roundRedial: s.roundRedial, taskKeep: s.taskKeep },
      });
      break;
    case 'advance':
      driver.sim.advanceTo(driver.sim.now + s.seconds * 1000);
      break;
  }
  driver.drain();
}

describe('simulator: one truth across every view', () => {
  it('holds after every step of random plays over one or two accounts', () => {
    fc.assert(
      // Small bounds in some runs: tasks forgotten (maxTasks 3 of up to 6) and the dialer held back
      // by undrained events (maxPendingEvents 2) must not bend the truth either.
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.array(step, { minLength: 1, maxLength: 25 }),
        fc.constantFrom(3, 1000),
        fc.constantFrom(2, 10_000),
        (seed, steps, maxTasks, maxPendingEvents) => {
          const driver = Driver.create({
            seed,
            maxTasks,
            maxPendingEvents,
            importingSeconds: 5,
            updateDelaySeconds: 30,
            dialer: {
              concurrency: 2,
              maxRounds: 3,
              redialDelaySeconds: 20,
              outcomes: { answered: 40, noAnswer: 25, busy: 15, rejected: 10, invalidNumber: 10 },
            },
          });
          for (const s of steps) {
            play(driver, s);
            for (const acct of ACCOUNTS) checkOneTruth(driver, acct);
          }
        },
      ),
      { numRuns: 200 },
    );
  }, 120_000);
});
