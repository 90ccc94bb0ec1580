import type { components } from 'callbot-contract';
import { pick, randomFor, type Random } from './random.js';
import type { MockOrder, MockTask } from './batches.js';

/**
 * What the simulated dialer makes of one order: one or more calls, drawn from a random source
 * seeded by (seed, orderID), so the same seed gives the same outcomes whatever the timing.
 * The vendor publishes no enums: callStatus follows the spec's Choice (1 answered, 2 no answer,
 * 3 busy, 4 failed).
 */
interface Outcome {
  callStatus: 1 | 2 | 3 | 4;
  hangupCause: string;
  termSipCode: string;
}

const OUTCOMES: readonly { weight: number; outcome: Outcome }[] = [
  { weight: 60, outcome: { callStatus: 1, hangupCause: 'NORMAL_CLEARING', termSipCode: '200' } },
  { weight: 25, outcome: { callStatus: 2, hangupCause: 'NO_ANSWER', termSipCode: '480' } },
  { weight: 10, outcome: { callStatus: 3, hangupCause: 'USER_BUSY', termSipCode: '486' } },
  { weight: 5, outcome: { callStatus: 4, hangupCause: 'CALL_REJECTED', termSipCode: '503' } },
];

const INTENTS = [
  { intentID: 'i-01', intentTag: 'A', intentName: '有意向', intentLevel: 1 },
  { intentID: 'i-02', intentTag: 'B', intentName: '考虑中', intentLevel: 2 },
  { intentID: 'i-03', intentTag: 'C', intentName: '无意向', intentLevel: 3 },
] as const;

/** At most this many calls per order (a redial after an unanswered call). */
export const MAX_CALLS_PER_ORDER = 2;
export const MOCK_SCENE_ID = 'mock-scene';

function drawOutcome(random: Random): Outcome {
  let roll = random() * 100;
  for (const { weight, outcome } of OUTCOMES) {
    if (roll < weight) return outcome;
    roll -= weight;
  }
  return OUTCOMES[0]!.outcome;
}

/** One simulated call, in the contract's shape (call callbacks add callingNumber/lineAddress). */
export type SimulatedCall = components['schemas']['CallInfoDetail'];

/** The calls of one order; the last one finishes it. Timestamps end at `nowSeconds`. */
export function simulateCalls(order: MockOrder, seed: number, nowSeconds: number): SimulatedCall[] {
  const random = randomFor(seed, order.orderID);
  const calls: SimulatedCall[] = [];
  for (let attempt = 1; attempt <= MAX_CALLS_PER_ORDER; attempt += 1) {
    const outcome = drawOutcome(random);
    const answered = outcome.callStatus === 1;
    const ring = 3 + Math.floor(random() * 15);
    const duration = answered ? 10 + Math.floor(random() * 170) : 0;
    const callEndTs = nowSeconds;
    const callAnswerTs = answered ? callEndTs - duration : 0;
    const callStartTs = callEndTs - duration - ring;
    const callID = `mock-${order.orderID.slice(0, 36)}-${attempt}`;
    calls.push({
      callID,
      callStatus: outcome.callStatus,
      callStartTs,
      callAnswerTs,
      callEndTs,
      callDuration: duration,
      callAudioUrl: '',
      hangupCause: outcome.hangupCause,
      termSipCode: outcome.termSipCode,
      intents: answered ? [{ ...pick(random, INTENTS) }] : [],
      sms: [],
      params: order.params.map((param) => ({ ...param })),
    });
    // Redial only an unanswered call, and only sometimes: orders produce one or two calls.
    if (answered || random() < 0.5) break;
  }
  return calls;
}

function orderFields(order: MockOrder, task: MockTask) {
  return {
    orderID: order.orderID,
    userPhone: order.userPhone,
    userName: order.userName,
    sceneID: MOCK_SCENE_ID,
    userTaskID: task.userTaskID,
    taskID: task.taskID,
  };
}

/** CallFinishedCallback: callbackType 3 (the spec's Choice), calling number and line on the call. */
export function callFinishedPayload(order: MockOrder, task: MockTask, call: SimulatedCall, finish: boolean) {
  return {
    callbackType: 3,
    ...orderFields(order, task),
    finish,
    other: order.other,
    callInfoDetail: { ...call, callingNumber: '862160000000', lineAddress: '127.0.0.1' },
  };
}

/** OrderFinishedCallback: callbackType "2" (a string, the spec's Choice), with the last call. */
export function orderFinishedPayload(order: MockOrder, task: MockTask, lastCall: SimulatedCall) {
  return {
    callbackType: '2',
    ...orderFields(order, task),
    finish: true,
    other: order.other,
    callInfoDetail: { ...lastCall },
  };
}
