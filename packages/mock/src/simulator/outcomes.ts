import { pick, randomFor } from './random.js';
import type { DialerSettings, VirtualMs } from './api.js';
import type { CallInFlight, OutcomeKind } from './types.js';

/**
 * What one call will turn out to be, drawn when it is dialed from a source seeded by
 * (seed, account, task, order, round): the same world seed gives the same calls whatever the
 * order of requests between tasks. The vendor publishes no callStatus enum: the mock's values
 * are the spec's Choice on `CallInfoDetail.callStatus` (1 answered, 2 no answer, 3 busy, 4 failed).
 */
export const CALL_STATUS: Record<OutcomeKind, number> = { answered: 1, noAnswer: 2, busy: 3, rejected: 4, invalidNumber: 4 };

export const HANGUP: Record<OutcomeKind, { hangupCause: string; termSipCode: string }> = {
  answered: { hangupCause: 'NORMAL_CLEARING', termSipCode: '200' },
  noAnswer: { hangupCause: 'NO_ANSWER', termSipCode: '480' },
  busy: { hangupCause: 'USER_BUSY', termSipCode: '486' },
  rejected: { hangupCause: 'CALL_REJECTED', termSipCode: '603' },
  invalidNumber: { hangupCause: 'UNALLOCATED_NUMBER', termSipCode: '404' },
};

export const INTENTS = [
  { intentID: 'i-01', intentTag: 'A', intentName: '有意向', intentLevel: 1 },
  { intentID: 'i-02', intentTag: 'B', intentName: '考虑中', intentLevel: 2 },
  { intentID: 'i-03', intentTag: 'C', intentName: '无意向', intentLevel: 3 },
] as const;

/** Ring and talk ranges, virtual seconds (inclusive). */
export const RING_SECONDS = { min: 3, max: 20 } as const;
export const TALK_SECONDS = { min: 10, max: 180 } as const;

const KINDS: readonly OutcomeKind[] = ['answered', 'noAnswer', 'busy', 'rejected', 'invalidNumber'];

/**
 * `maxRingSeconds` (the task's `maxRingTime`, 0 = none): a call rings at most that long, and one
 * drawn to be answered later than that is not answered (spec Choice on TaskCreateSetting.maxRingTime).
 */
export function drawCall(seed: number, key: string, callID: string, startAt: VirtualMs, weights: DialerSettings['outcomes'], maxRingSeconds = 0): CallInFlight {
  const random = randomFor(seed, key);
  const total = KINDS.reduce((sum, kind) => sum + Math.max(0, weights[kind]), 0);
  let roll = random() * total;
  let kind: OutcomeKind = 'noAnswer';
  for (const candidate of KINDS) {
    const weight = Math.max(0, weights[candidate]);
    if (weight > 0 && roll < weight) {
      kind = candidate;
      break;
    }
    roll -= weight;
  }
  const between = (range: { min: number; max: number }) => range.min + Math.floor(random() * (range.max - range.min + 1));
  // An invalid number fails at once (the network answers before it rings).
  let ringSeconds = kind === 'invalidNumber' ? 1 : between(RING_SECONDS);
  if (maxRingSeconds > 0 && ringSeconds > maxRingSeconds) {
    ringSeconds = maxRingSeconds;
    if (kind === 'answered') kind = 'noAnswer';
  }
  const ringMs = ringSeconds * 1000;
  const talkMs = kind === 'answered' ? between(TALK_SECONDS) * 1000 : 0;
  const turns = kind === 'answered' ? 1 + Math.floor(random() * Math.max(1, talkMs / 10000)) : 0;
  const intentIndex = kind === 'answered' ? INTENTS.indexOf(pick(random, INTENTS)) : -1;
  return {
    callID,
    kind,
    startAt,
    answerAt: kind === 'answered' ? startAt + ringMs : 0,
    endAt: startAt + ringMs + talkMs,
    turns,
    intentIndex,
  };
}

/** Whether a call of this kind finishes its order whatever rounds are left. */
export const finishesOrder = (kind: OutcomeKind) => kind === 'answered' || kind === 'invalidNumber';
