import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type ValidatorName, validators } from '../../generated/validators.js';
import { fromRoot } from 'callbot-test-kit/paths';
import { bundledSpec, type JsonObject } from 'callbot-test-kit/spec';

// The vendor's own examples as a test. Every example body readable on the vendor's pages (request
// and answer examples, the three callbacks' examples), transcribed into
// test/fixtures/vendor-examples/ with its page, language, revision and the stored copies it was
// read from, is validated against the contract's schema for it, with the generated validators
// the client itself uses. Each is accepted, or refused exactly as REFUSALS lists, each refusal
// naming the **Choice:** paragraph of the spec that decides it. A newly refused example, or an
// example refused for a new reason, fails here; so does a refusal that no longer happens.

const DIR = fromRoot('test', 'fixtures', 'vendor-examples');

interface Fixture {
  file: string;
  page: string;
  language: string;
  revision: string;
  copies: string[];
  kind: 'request' | 'answer' | 'callback';
  /** operationId for requests and answers; the webhook's name for callbacks. */
  target: string;
  note?: string;
  /** The example; `text` when it cannot be kept as a JSON object (a repeated key). */
  body?: unknown;
  text?: string;
}

const fixtures: Fixture[] = readdirSync(DIR)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => ({ file, ...JSON.parse(readFileSync(`${DIR}/${file}`, 'utf8')) }));
const bodyOf = (fixture: Fixture) => (fixture.text !== undefined ? JSON.parse(fixture.text) : fixture.body);

const at = (pointer: string): any =>
  pointer
    .slice(2)
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce((node: any, part: string) => node?.[part], bundledSpec);
const deref = (node: any): any => (node && typeof node.$ref === 'string' ? deref(at(node.$ref)) : node);

const operationOf = (id: string): JsonObject | undefined =>
  Object.values<JsonObject>(bundledSpec.paths)
    .map((item) => deref(item).post)
    .find((post) => post.operationId === id);

/** The schema (components.schemas name) the contract gives this example, read from the spec. */
function schemaOf(fixture: Fixture): ValidatorName {
  const media =
    fixture.kind === 'callback'
      ? deref(bundledSpec.webhooks[fixture.target].post.requestBody).content['application/json']
      : fixture.kind === 'request'
        ? operationOf(fixture.target)!.requestBody.content['application/json']
        : operationOf(fixture.target)!.responses['200'].content['application/json'];
  return String(media.schema.$ref).split('/').pop() as ValidatorName;
}

/** Every way the example breaks its schema, one line each: `<instancePath> <keyword>[ <property>]`. */
function refusalsOf(fixture: Fixture): string[] {
  const validate = validators[schemaOf(fixture)];
  if (validate(bodyOf(fixture))) return [];
  const lines = (validate.errors ?? []).map((error) => {
    const property = error.params.additionalProperty ?? error.params.missingProperty;
    return `${error.instancePath} ${error.keyword}${property === undefined ? '' : ` ${JSON.stringify(property)}`}`;
  });
  return [...new Set(lines)].sort();
}

// The Choice paragraphs that refuse what the vendor's examples show: where, and a phrase of it.
const CHOICES = {
  productID: ['#/components/schemas/ProductID', 'always `callbot`, as every table says'],
  notEmptyTask: ['#/components/schemas/UserTaskID', 'not empty'],
  notEmptyScene: ['#/components/schemas/SceneID', 'not empty'],
  spacedKey: [
    '#/components/schemas/TaskCreateSetting',
    'the key is `dialAtUpHour`. The vendor\'s `createTask` example (zh and en) spells it `"dialAtUpHour "`',
  ],
  weekdays: ['#/components/schemas/TaskCreateSetting/properties/dialAtWeekDay', 'The vendor\'s placeholders `""` and `"string"` are refused'],
  startHour: ['#/components/schemas/TaskCreateSetting/properties/dialAtUpHour', '`HH:MM`, 24-hour, e.g. `09:00`; a placeholder is refused'],
  endHour: ['#/components/schemas/TaskCreateSetting/properties/dialAtDownHour', '`HH:MM` as `dialAtUpHour`; a placeholder is refused'],
  smsSpelling: ['#/components/schemas/SmsFuncFlag', 'the keys are `smsID` and `intentID`'],
  callbackUrl: ['#/components/schemas/CallbackUrl', 'The vendor\'s examples show the placeholders `""` (createTask en) and `"string"`'],
  orderCallbackUrl: [
    '#/components/schemas/CallInfoList/properties/orderCallbackUrl',
    'placeholder `"string"` (addBatchOrder, createTaskAndCall, batchImportCall) is refused',
  ],
  callCallbackUrl: ['#/components/schemas/CallInfoList/properties/callCallbackUrl', 'placeholder `"string"` is refused, as for `orderCallbackUrl`'],
  userPhone: ['#/components/schemas/CallOrder/properties/userPhone', 'The vendor\'s examples\' placeholder `"string"` is refused'],
  paramsNull: ['#/components/schemas/CallOrder/properties/params', 'the vendor\'s example shows `{"name": null, "value": null}` while its table says string'],
  jan2024: ['#/components/schemas/CallInfoDetail', 'The Jan 11 2024 revision of the `listOrderDetail` example has no `hangupCause`, `termSipCode`'],
} as const satisfies Record<string, readonly [string, string]>;
type Choice = keyof typeof CHOICES;

const url = (pointer: string) => [`${pointer} pattern`, `${pointer} format`];
const orderCallbackUrls = (base: string) => ({
  orderCallbackUrl: url(`${base}/orderCallbackUrl`),
  callCallbackUrl: url(`${base}/callCallbackUrl`),
  userPhone: [`${base}/callList/0/userPhone pattern`],
});
const paramsNull = (base: string) => ({ paramsNull: [`${base}/callList/0/params/0/name type`, `${base}/callList/0/params/0/value type`] });
const smsSpelling = [0, 1, 2, 3].flatMap((i) => [
  `/funcFlag/smsFuncFlag/${i} additionalProperties "smsId"`,
  `/funcFlag/smsFuncFlag/${i} additionalProperties "intentId"`,
]);
const createTaskCommon = {
  productID: ['/productID const'],
  spacedKey: ['/taskCreateSetting additionalProperties "dialAtUpHour "'],
  weekdays: ['/taskCreateSetting/dialAtWeekDay pattern'],
  endHour: ['/taskCreateSetting/dialAtDownHour pattern'],
  smsSpelling,
  callbackUrl: [...url('/taskCallbackUrl'), ...url('/orderCallbackUrl')],
};
const settingsPlaceholders = {
  weekdays: ['/taskCreateSetting/dialAtWeekDay pattern'],
  startHour: ['/taskCreateSetting/dialAtUpHour pattern'],
  endHour: ['/taskCreateSetting/dialAtDownHour pattern'],
  callbackUrl: url('/taskCreateSetting/taskCallbackUrl'),
};

/** The deliberate refusals: per example, each refused spot with the Choice that refuses it. An example not listed is accepted. */
const REFUSALS: Record<string, Partial<Record<Choice, string[]>>> = {
  'createTask.request.en.json': { ...createTaskCommon, notEmptyTask: ['/userTaskID minLength'], notEmptyScene: ['/sceneID minLength'] },
  'createTask.request.zh.json': createTaskCommon,
  'addBatchOrder.request.en.json': { ...orderCallbackUrls('/callInfoList'), ...paramsNull('/callInfoList') },
  'addBatchOrder.request.zh.json': orderCallbackUrls('/callInfoList'),
  'batchImportCall.request.zh.json': { ...orderCallbackUrls('/callInfoList'), ...paramsNull('/callInfoList') },
  'createTaskAndCall.request.en.json': { ...settingsPlaceholders, ...orderCallbackUrls('/callInfoList'), ...paramsNull('/callInfoList') },
  'updateTask.request.en.json': settingsPlaceholders,
  'batchExportCall.request.json': { productID: ['/productID const'] },
  'orderDetailList.answer.zh-2024-01-11.json': {
    jan2024: ['/orderDetailList/0/callInfoDetailList/0 required "hangupCause"', '/orderDetailList/0/callInfoDetailList/0 required "termSipCode"'],
  },
};

/** Answers no stored copy of the vendor's pages shows (callbot-api-notes.md §3): nothing to transcribe. */
const ANSWERS_NOT_READABLE: Record<string, string> = {
  createTask: 'the copies stop before the answer (§3.2)',
  updateTask: 'the copies stop before the answer (§3.6)',
  addBatchCall: 'the copies stop before the answer (§3.3)',
  createAndCall: 'the copies stop before the answer (§3.4)',
  listTask: 'the example is cut inside taskData[0].taskStat in every copy (§3.7)',
  listCall: 'the copies stop before the answer (§3.8)',
  listOrder: 'the copies stop before the answer (§3.9)',
};

const squash = (text: string) => text.replace(/\s+/g, ' ');

describe('the vendor examples are transcribed with where they come from', () => {
  it.each(fixtures.map((f) => [f.file, f] as const))('%s', (_file, fixture) => {
    expect(fixture.page).toMatch(/^Callbot-API-[A-Za-z]+$/);
    expect(fixture.language).toMatch(/^(en|zh|en, zh)$/);
    expect(fixture.revision).toMatch(/20\d\d/);
    expect(fixture.copies.length).toBeGreaterThan(0);
    expect(['request', 'answer', 'callback']).toContain(fixture.kind);
    expect((fixture.body === undefined) !== (fixture.text === undefined), 'body or text, not both').toBe(true);
    expect(bodyOf(fixture)).toBeTypeOf('object');
  });

  it('every operation has its request example, every webhook its callback example, and every operation its answer example unless no copy shows one', () => {
    const operationIds = Object.values<JsonObject>(bundledSpec.paths).map((item) => deref(item).post.operationId as string);
    const of = (kind: Fixture['kind']) => new Set(fixtures.filter((f) => f.kind === kind).map((f) => f.target));
    expect([...of('request')].sort()).toEqual([...operationIds].sort());
    expect([...of('callback')].sort()).toEqual(Object.keys(bundledSpec.webhooks).sort());
    const answered = of('answer');
    expect(operationIds.filter((id) => !answered.has(id)).sort()).toEqual(Object.keys(ANSWERS_NOT_READABLE).sort());
  });
});

describe("the contract accepts the vendor's examples, or refuses them for a written Choice", () => {
  it.each(fixtures.map((f) => [f.file, f] as const))('%s', (file, fixture) => {
    const expected = Object.values(REFUSALS[file] ?? {})
      .flat()
      .sort();
    expect(refusalsOf(fixture)).toEqual(expected);
  });

  it('every refusal listed is of an example that exists', () => {
    for (const file of Object.keys(REFUSALS)) expect(fixtures.map((f) => f.file)).toContain(file);
  });

  it.each(Object.entries(CHOICES))('the Choice %s is written in the spec', (_name, [pointer, phrase]) => {
    const description = squash(String(deref(at(pointer))?.description ?? at(pointer)?.description ?? ''));
    expect(description, pointer).toContain('**Choice:**');
    expect(description, pointer).toContain(squash(phrase));
  });

  it('the check can fail: a vendor example with one more refusal is caught', () => {
    const ping = fixtures.find((f) => f.file === 'ping.request.json')!;
    expect(refusalsOf({ ...ping, body: { data: 1 } })).toEqual(['/data type']);
    const callback = fixtures.find((f) => f.file === 'callCallback.callback.en.json')!;
    expect(refusalsOf({ ...callback, body: { ...(callback.body as object), callInfoDetail: undefined } })).not.toEqual([]);
  });
});

// The contradictions of callbot-api-notes.md §7 that the contract now follows, each on an example.
describe('where the vendor contradicted the contract, the vendor is followed', () => {
  const fixture = (file: string) => fixtures.find((f) => f.file === file)!;
  it('dialAtWeekDay is a string: the vendor examples refuse only for their placeholder, and our form passes', () => {
    const body = structuredClone(bodyOf(fixture('updateTask.request.en.json'))) as any;
    body.taskCreateSetting = { dialAtWeekDay: '1,2,3,4,5' };
    expect(validators.UpdateTaskRequest(body), JSON.stringify(validators.UpdateTaskRequest.errors)).toBe(true);
    expect(validators.UpdateTaskRequest({ ...body, taskCreateSetting: { dialAtWeekDay: [1, 2, 3, 4, 5] } })).toBe(false);
  });

  it('the listOrderDetail answer example (agent fields null, items {}) is accepted, and its call detail in a callback too', () => {
    expect(refusalsOf(fixture('orderDetailList.answer.en.json'))).toEqual([]);
    const detail = (bodyOf(fixture('orderDetailList.answer.zh.json')) as any).orderDetailList[0].callInfoDetailList[0];
    const { recordDetail: _onlyInListOrderDetail, ...callInfoDetail } = detail;
    const callback = { ...(bodyOf(fixture('orderCallback.callback.en.json')) as object), callInfoDetail };
    expect(validators.OrderFinishedCallback(callback), JSON.stringify(validators.OrderFinishedCallback.errors)).toBe(true);
  });

  it('4001 is among the retCodes of listCall and exportBatchCall, as in their code tables', () => {
    for (const id of ['listCall', 'exportBatchCall']) expect(operationOf(id)!['x-callbot-retcodes'], id).toContain(4001);
  });

  it('mgrTaskStatus answers taskID and taskStatus; createTask and updateTask declare the same two fields', () => {
    expect(refusalsOf(fixture('mgrTaskStatus.answer.json'))).toEqual([]);
    const answer = bodyOf(fixture('mgrTaskStatus.answer.json'));
    for (const id of ['createTask', 'updateTask']) {
      const schema = deref(operationOf(id)!.responses['200'].content['application/json'].schema);
      expect(Object.keys(schema.properties), id).toEqual(expect.arrayContaining(['taskID', 'taskStatus']));
      expect(validators.CallbotAnswer(answer)).toBe(true);
    }
  });
});
