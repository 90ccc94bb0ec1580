import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type CallbackDeviationReport,
  type CallbackHandlerOptions,
  type CallbackMeta,
  type CallFinishedCallback,
  callbackKind,
  createCallbackHandler,
  type TaskStatusChangedCallback,
} from '../../src/callbacks.js';
import { boundDeviations, MAX_DEVIATION_TEXT, MAX_LISTED_DEVIATIONS } from '../../src/deviations.js';
import { strictValidators, type ValidatorError } from '../../generated/validators.js';
import { fromRoot } from 'callbot-test-kit/paths';

// Issue 17, item 1: authenticity decides whether a callback is believed, its shape never does.
// Callbacks are signed here with node:crypto from the vendor's description (not with src/sign.ts).

const account = { uuid: 'acct-tolerant', secretKey: 'TOLERANT-CALLBACK-secret-42' };
const spec = JSON.parse(readFileSync(fromRoot('generated/openapi.json'), 'utf8'));
const callExample = spec.components.examples.CallFinished.value as CallFinishedCallback;
const taskExample = spec.components.examples.TaskStatusChanged.value as TaskStatusChangedCallback;
const NOW = 1_800_000_000_000;
let counter = 0;

function signed(payload: unknown, opts: { requestID?: string; secretKey?: string; body?: string } = {}): Request {
  const body = opts.body ?? JSON.stringify(payload);
  const createTs = String(NOW / 1000);
  const requestID = opts.requestID ?? `tolerant-${(counter += 1)}`;
  const sign = createHash('md5')
    .update(`${opts.secretKey ?? account.secretKey}&body=${body}&createTs=${createTs}&requestID=${requestID}&uuid=${account.uuid}`, 'utf8')
    .digest('hex')
    .toUpperCase();
  return new Request('http://127.0.0.1/cb', {
    method: 'POST',
    headers: { 'content-type': 'application/json', requestID, uuid: account.uuid, createTs, sign },
    body,
  });
}

/**
 * A call callback as a real vendor may send it: call details shaped like the vendor's own
 * listOrderDetail answer example (callbot-api-notes §7: agent fields null, `params: [{}]`), a
 * field the spec does not declare, a callStatus nobody documented, a null where a string is
 * declared (`sceneID`) and a required field missing (`userPhone`).
 */
function vendorStyleCall(): Record<string, unknown> {
  const { userPhone: _missing, ...rest } = structuredClone(callExample) as unknown as Record<string, unknown>;
  const detail = rest.callInfoDetail as Record<string, unknown>;
  return {
    ...rest,
    sceneID: null,
    vendorAddedField: { since: '2027' },
    callInfoDetail: {
      ...detail,
      callStatus: 99,
      agent: {
        agentName: null,
        agentGroup: null,
        agentCallStatus: null,
        agentCallElapsed: null,
        agentLabel: null,
        manualCallStart: null,
        manualCallAnswer: null,
        manualCallEnd: null,
        manualHangupBy: 0,
      },
      params: [{}],
      recordDetail: [{}],
    },
  };
}

function rig(extra: Partial<CallbackHandlerOptions> = {}) {
  const calls: { payload: unknown; meta: CallbackMeta }[] = [];
  const reports: CallbackDeviationReport[] = [];
  let clock = NOW;
  const handle = createCallbackHandler({
    ...account,
    now: () => clock,
    onCallFinished: (payload, meta) => {
      calls.push({ payload, meta });
    },
    onTaskStatusChanged: (payload, meta) => {
      calls.push({ payload, meta });
    },
    onDeviation: (report) => {
      reports.push(report);
    },
    ...extra,
  });
  return { handle, calls, reports, advance: (ms: number) => (clock += ms) };
}

describe('a verified callback that deviates from the spec reaches its handler', () => {
  it('vendor-style nulls, an unknown field and an undocumented callStatus: handled once, as received, with its deviations in meta', async () => {
    const { handle, calls, reports } = rig();
    const payload = vendorStyleCall();
    const first = await handle(signed(payload, { requestID: 'vendor-shaped' }));
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ retCode: 0, retMsg: 'success' });
    // The same delivery again (a vendor retry): acknowledged, not handed on a second time.
    const again = await handle(signed(payload, { requestID: 'vendor-shaped' }));
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ retMsg: expect.stringMatching(/already handled/) });

    expect(calls).toHaveLength(1);
    const [{ payload: got, meta }] = calls as [(typeof calls)[number]];
    expect(got).toEqual(payload); // nothing dropped, nothing coerced: the unknown field and callStatus 99 included
    expect(meta).toMatchObject({ requestID: 'vendor-shaped', kind: 'call' });
    expect(meta.deviations).toEqual(
      expect.arrayContaining([
        { path: 'sceneID', message: 'must be string' },
        { path: 'userPhone', message: 'is required' },
      ]),
    );
    expect(meta.deviationCount).toBe(meta.deviations.length);
    // The unknown field is listed (the spec read closed); callStatus's values are unpublished, so 99 is not.
    expect(meta.deviations).toContainEqual({ path: 'vendorAddedField', message: 'is not a field of the contract' });
    expect(meta.deviations.map((d) => d.path)).not.toContain('callInfoDetail.callStatus');
    // No value of the payload is repeated in the deviations (they may be logged).
    expect(JSON.stringify(meta.deviations)).not.toContain(callExample.userPhone);

    expect(reports).toEqual([
      { requestID: 'vendor-shaped', kind: 'call', deviations: meta.deviations, deviationCount: meta.deviationCount, refused: false, suppressed: 0 },
    ]);
  });

  it('a payload that fits the spec has no deviations and is not reported', async () => {
    const { handle, calls, reports } = rig();
    expect((await handle(signed(callExample))).status).toBe(200);
    expect(calls[0]!.meta).toMatchObject({ kind: 'call', deviations: [], deviationCount: 0 });
    expect(reports).toEqual([]);
  });

  it('a task callback of a type nobody documented (taskStatus "running", taskStat null) is handed on with its deviations', async () => {
    const { handle, calls } = rig();
    const payload = { ...taskExample, taskStatus: 'running', taskStat: null };
    expect((await handle(signed(payload))).status).toBe(200);
    expect(calls[0]!.payload).toEqual(payload);
    expect(calls[0]!.meta.kind).toBe('task');
    expect(calls[0]!.meta.deviations).toEqual(expect.arrayContaining([{ path: 'taskStat', message: 'must be object' }]));
    // One line for the anyOf of the answer's taskStatus (a documented status or any integer), not one per branch.
    expect(calls[0]!.meta.deviations.filter((d) => d.path === 'taskStatus')).toEqual([
      { path: 'taskStatus', message: expect.stringMatching(/^must be integer\b/) },
    ]);
  });

  it('a forged deviating callback (wrong secret) is still refused, unhandled and unreported', async () => {
    const { handle, calls, reports } = rig();
    const response = await handle(signed(vendorStyleCall(), { secretKey: 'a-guess' }));
    expect(response.status).toBe(401);
    expect(await response.text()).not.toContain(account.secretKey);
    expect(calls).toEqual([]);
    expect(reports).toEqual([]);
  });

  it('strict: true refuses a deviating callback (400, "payload breaks the contract at …"); the report says refused', async () => {
    const { handle, calls, reports } = rig({ strict: true });
    const response = await handle(signed(vendorStyleCall(), { requestID: 'strict-1' }));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ retCode: 3, retMsg: expect.stringMatching(/^payload breaks the contract at \S+: /) });
    expect(calls).toEqual([]);
    expect(reports).toMatchObject([{ requestID: 'strict-1', refused: true }]);
    // A payload that fits the spec still passes in strict mode.
    expect((await handle(signed(callExample))).status).toBe(200);
    expect(calls).toHaveLength(1);
  });

  it('strict: true does not refuse a field the spec does not declare (its schemas are open): handled, the field listed', async () => {
    const { handle, calls, reports } = rig({ strict: true });
    const response = await handle(signed({ ...callExample, addedLater: { by: 'vendor' } }, { requestID: 'strict-extra' }));
    expect(response.status).toBe(200);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.meta.deviations).toEqual([{ path: 'addedLater', message: 'is not a field of the contract' }]);
    expect(reports).toMatchObject([{ requestID: 'strict-extra', refused: false, deviationCount: 1 }]);
  });

  it.each([
    ['null', 'null'],
    ['an array', '[]'],
    ['a string', '"x"'],
    ['a number', '42'],
  ])('a verified body that is JSON %s is refused (400 invalid-payload): there is no callback to hand on', async (what, body) => {
    for (const only of [undefined, 'call'] as const) {
      const { handle, calls, reports } = rig(only ? { only } : {});
      const response = await handle(signed(undefined, { body }));
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ retCode: 3, retMsg: `body is JSON ${what}, not an object: no callback to hand on` });
      expect(calls).toEqual([]);
      expect(reports).toEqual([]);
    }
    // callbackKind itself names a kind for any value, and never throws.
    expect(callbackKind(JSON.parse(body))).toBe('task');
  });

  it('an object too odd to tell is dispatched all the same (callbackKind: task), its deviations from the task schema listed', async () => {
    const { handle, calls } = rig();
    expect((await handle(signed({ callbackType: null, somethingElse: 1 }))).status).toBe(200);
    expect(calls[0]!.meta.kind).toBe('task');
    expect(calls[0]!.meta.deviations).toEqual(expect.arrayContaining([{ path: 'taskStat', message: 'is required' }]));
    expect(callbackKind({ callbackType: null, orderID: null })).toBe('call');
    expect(callbackKind({ callbackType: '9', callInfoDetail: null })).toBe('order');
  });
});

describe('deviation reports are bounded', () => {
  it('at most deviationReportsPerMinute reports a minute; the ones left out are counted in the next report', async () => {
    const { handle, calls, reports, advance } = rig({ deviationReportsPerMinute: 2 });
    for (let i = 0; i < 5; i += 1) expect((await handle(signed(vendorStyleCall()))).status).toBe(200);
    expect(calls).toHaveLength(5); // every callback handled, with its deviations in meta
    expect(calls.every((c) => c.meta.deviationCount > 0)).toBe(true);
    expect(reports.map((r) => r.suppressed)).toEqual([0, 0]);
    advance(60_000);
    expect((await handle(signed(vendorStyleCall()))).status).toBe(200);
    expect(reports.map((r) => r.suppressed)).toEqual([0, 0, 3]);
  });

  it(`lists at most ${MAX_LISTED_DEVIATIONS} deviations of one payload, and counts them all`, async () => {
    const { handle, calls, reports } = rig();
    const payload = { ...callExample, callInfoDetail: { ...callExample.callInfoDetail, intents: Array.from({ length: 120 }, () => 5) } };
    expect((await handle(signed(payload))).status).toBe(200);
    const { meta } = calls[0]!;
    expect(meta.deviations).toHaveLength(MAX_LISTED_DEVIATIONS);
    expect(meta.deviationCount).toBeGreaterThanOrEqual(120);
    expect(meta.deviations[0]).toEqual({ path: 'callInfoDetail.intents[0]', message: 'must be object' });
    expect(reports[0]!.deviations).toHaveLength(MAX_LISTED_DEVIATIONS);
  });

  it('a callback breaking the schema 100,000 times: only the listed deviations are described, the rest only counted', async () => {
    // Every break used to get a path and a message before all but 50 were dropped: at the 4 MiB
    // limit (2,000,000 breaks of `[7,7,…]`) 20 s and a gigabyte more than the check itself. The
    // breaks the schema check reports are watched (the closed reading the receiver lists
    // deviations from): describing one reads its `params`.
    const items = 100_000;
    const body = `{"orderID":"o","callInfoDetail":{"intents":[${Array(items).fill('7').join(',')}]}}`;
    let described = 0;
    const watched = (errors: ValidatorError[] | null) =>
      errors?.map((error) => new Proxy(error, { get: (target, key) => (key === 'params' && (described += 1), Reflect.get(target, key)) })) ?? null;
    let kept: ValidatorError[] | null = null;
    Object.defineProperty(strictValidators.CallFinishedCallback, 'errors', {
      configurable: true,
      get: () => kept,
      set: (errors: ValidatorError[] | null) => {
        kept = watched(errors);
      },
    });
    try {
      const { handle, calls } = rig();
      expect((await handle(signed(undefined, { body }))).status).toBe(200);
      expect(calls[0]!.meta.deviationCount).toBe(items + 19); // each item, and the required fields missing
      expect(calls[0]!.meta.deviations).toHaveLength(MAX_LISTED_DEVIATIONS);
      expect(calls[0]!.meta.deviations[MAX_LISTED_DEVIATIONS - 1]).toEqual({ path: 'callInfoDetail.intents[30]', message: 'must be object' });
      expect(described).toBeGreaterThan(0); // the watch works…
      expect(described).toBeLessThanOrEqual(MAX_LISTED_DEVIATIONS); // …and sees only the listed ones described
    } finally {
      Object.defineProperty(strictValidators.CallFinishedCallback, 'errors', { configurable: true, writable: true, value: null });
    }
  });

  it('cuts long paths and messages', () => {
    const long = 'k'.repeat(5000);
    const { deviations, deviationCount } = boundDeviations([{ path: long, message: long }]);
    expect(deviationCount).toBe(1);
    expect(deviations[0]!.path.length).toBe(MAX_DEVIATION_TEXT);
    expect(deviations[0]!.message.length).toBe(MAX_DEVIATION_TEXT);
  });

  it('a reporter that throws or rejects does not cost the callback', async () => {
    for (const onDeviation of [
      () => {
        throw new Error('logger down');
      },
      () => Promise.reject(new Error('logger down')),
    ]) {
      const { handle, calls } = rig({ onDeviation });
      expect((await handle(signed(vendorStyleCall()))).status).toBe(200);
      expect(calls).toHaveLength(1);
    }
  });
});
