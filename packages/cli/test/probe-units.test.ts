import { afterEach, describe, expect, it, vi } from 'vitest';
import { maskDigits } from '../src/probe/mask.js';
import { BudgetExhausted, Pacer } from '../src/probe/pacer.js';
import { bundledSpec, findParagraph, resolvePointer, sourceFile } from '../src/probe/spec.js';
import { dedupeIssues, strictAnswerIssues } from '../src/probe/strict-answer.js';

// The probe's pieces that need no server: the strict answer check, masking, the pacer and the
// way a pointer into the bundled spec names its file under openapi/.

const example = (name: string) => (resolvePointer(`#/components/examples/${name}`) as { value: unknown }).value;

describe('strictAnswerIssues (the strict reading of an answer)', () => {
  it("finds nothing in the spec's own success examples", () => {
    for (const [operation, schema, name] of [
      ['ping', 'PingResponse', 'PingSuccess'],
      ['listTask', 'ListTaskResponse', 'ListTaskSuccess'],
      ['listOrder', 'ListOrderResponse', 'ListOrderSuccess'],
      ['listCall', 'ListCallResponse', 'ListCallSuccess'],
      ['exportBatchCall', 'ExportBatchCallResponse', 'ExportBatchCallSuccess'],
    ] as const) {
      expect(strictAnswerIssues(operation, schema, example(name)), name).toEqual([]);
    }
  });

  it('names each departure with its path, the schema pointer and the file to change', () => {
    const answer = structuredClone(example('ListTaskSuccess')) as { taskData: Record<string, unknown>[]; retCode: number } & Record<string, unknown>;
    answer.pageCount = 3;
    answer.retCode = 9999;
    answer.taskData[0]!.taskStatus = 9;
    delete answer.taskData[0]!.sceneID;
    (answer.taskData[0]!.taskStat as Record<string, unknown>).finishRate = '50%';
    const issues = strictAnswerIssues('listTask', 'ListTaskResponse', answer);
    expect(issues.map(({ kind, path, file }) => [kind, path, file]).sort()).toEqual(
      [
        ['undocumented-field', '$.pageCount', 'openapi/components/schemas/ListTaskResponse.yaml'],
        ['enum-value', '$.retCode', 'openapi/components/schemas/RetCode.yaml'],
        ['enum-value', '$.taskData[0].taskStatus', 'openapi/components/schemas/TaskStatus.yaml'],
        ['missing-field', '$.taskData[0].sceneID', 'openapi/components/schemas/TaskData.yaml'],
        ['type', '$.taskData[0].taskStat.finishRate', 'openapi/components/schemas/TaskStat.yaml'],
      ].sort(),
    );
    // No value of the answer is quoted but integer enum values.
    expect(JSON.stringify(issues)).not.toContain('50%');
  });

  it('collects the values of integer fields the spec marks **Unknown:**', () => {
    const seen = new Map<string, Set<number>>();
    strictAnswerIssues('exportBatchCall', 'ExportBatchCallResponse', example('ExportBatchCallSuccess'), seen);
    expect([...seen.keys()]).toContain('#/components/schemas/ExportedCall/properties/callStatus');
  });

  it('dedupes findings across items and answers, counting them', () => {
    const issue = { operation: 'listOrder', kind: 'undocumented-field' as const, pointer: '#/components/schemas/OrderCall', file: 'f', detail: 'd' };
    const merged = dedupeIssues([
      { ...issue, path: '$.orderList[0].x' },
      { ...issue, path: '$.orderList[1].x' },
    ]);
    expect(merged).toEqual([{ ...issue, path: '$.orderList[].x', count: 2 }]);
  });
});

describe('spec locations', () => {
  it('maps pointers to the files under openapi/ they were bundled from', () => {
    expect(sourceFile('#/components/securitySchemes/CallbotSign/description')).toBe('openapi/components/securitySchemes/CallbotSign.yaml');
    expect(sourceFile('#/paths/~1callcentre~1api~1v3~1listCall/post/description')).toBe('openapi/paths/callcentre_api_v3_listCall.yaml');
    expect(bundledSpec()).toHaveProperty('openapi');
  });

  it('quotes the paragraph that holds a marker, from the marker on', () => {
    expect(findParagraph('#/components/securitySchemes/CallbotCreateTs/description', '**Choice:**')).toMatch(/^\*\*Choice:\*\* .*±300 seconds/);
    expect(findParagraph('#/components/securitySchemes/CallbotSign/description', 'no such marker')).toBeUndefined();
  });
});

describe('maskDigits', () => {
  it('keeps the first 4 and last 3 digits of a run of 7 or more', () => {
    expect(maskDigits('call 8615612345678 now')).toBe('call 8615******678 now');
    expect(maskDigits('+861561234567')).toBe('+8615*****567');
    expect(maskDigits('code 6001, 123456')).toBe('code 6001, 123456');
  });
});

describe('Pacer', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts requests at least intervalMs apart and refuses past the budget', async () => {
    vi.useFakeTimers();
    const pacer = new Pacer(3, 350, () => Date.now());
    const signal = new AbortController().signal;
    const started: number[] = [];
    const t0 = Date.now();
    const all = [0, 1, 2].map(() => pacer.take(signal).then(() => started.push(Date.now() - t0)));
    await vi.advanceTimersByTimeAsync(1000);
    await Promise.all(all);
    expect(started).toEqual([0, 350, 700]);
    await expect(pacer.take(signal)).rejects.toBeInstanceOf(BudgetExhausted);
    expect(pacer.requestsSent).toBe(3);
  });

  it('counts the interval from the end of a slow request too', async () => {
    vi.useFakeTimers();
    const pacer = new Pacer(3, 350, () => Date.now());
    const signal = new AbortController().signal;
    const t0 = Date.now();
    const release = await pacer.take(signal);
    await vi.advanceTimersByTimeAsync(500); // the first request takes 500 ms
    release();
    let startedAt: number | undefined;
    const next = pacer.take(signal).then(() => {
      startedAt = Date.now() - t0;
    });
    await vi.advanceTimersByTimeAsync(1000);
    await next;
    expect(startedAt).toBe(850);
  });

  it('gives up waiting when aborted', async () => {
    const pacer = new Pacer(5, 10_000);
    const controller = new AbortController();
    await pacer.take(controller.signal);
    const waiting = pacer.take(controller.signal);
    controller.abort(new Error('interrupted'));
    await expect(waiting).rejects.toThrow('interrupted');
  });
});
