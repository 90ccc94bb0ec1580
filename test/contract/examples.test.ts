import { Ajv2020 } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { bundledSpec, type JsonObject } from 'callbot-test-kit/spec';

// Validate every example in the bundled spec against the schema it illustrates, with a JSON
// Schema 2020-12 validator (the dialect of OpenAPI 3.1). The whole spec is registered as one
// schema document so component $refs resolve exactly as written.
const ajv = new Ajv2020({ strict: false, allErrors: true });
formats.default(ajv);
ajv.addSchema(bundledSpec, 'spec');

interface ExampleCase {
  where: string;
  schemaPointer: string;
  value: unknown;
}

function pointer(path: string[]): string {
  return path.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');
}

function collectExamples(): ExampleCase[] {
  const cases: ExampleCase[] = [];
  const walk = (node: unknown, path: string[]) => {
    if (!node || typeof node !== 'object') return;
    const obj = node as JsonObject;
    // A media type, parameter or header: { schema, example | examples }.
    if (obj.schema && (obj.examples || 'example' in obj)) {
      const schemaPointer = `spec#/${pointer([...path, 'schema'])}`;
      if ('example' in obj) cases.push({ where: path.join('.'), schemaPointer, value: obj.example });
      for (const [name, ex] of Object.entries<JsonObject>(obj.examples ?? {})) {
        const resolved = ex.$ref ? resolveRef(ex.$ref) : ex;
        cases.push({ where: `${path.join('.')}.examples.${name}`, schemaPointer, value: resolved.value });
      }
    }
    // A schema with its own `example`.
    if ((obj.type || obj.enum) && 'example' in obj && path.includes('schemas')) {
      cases.push({ where: path.join('.'), schemaPointer: `spec#/${pointer(path)}`, value: obj.example });
    }
    for (const [key, child] of Object.entries(obj)) walk(child, [...path, key]);
  };
  walk(bundledSpec, []);
  return cases;
}

function resolveRef(ref: string): JsonObject {
  return ref
    .slice(2)
    .split('/')
    .reduce<JsonObject>((node, key) => node[key.replaceAll('~1', '/').replaceAll('~0', '~')], bundledSpec);
}

const cases = collectExamples();

describe('every example in the spec is valid against its schema (JSON Schema 2020-12)', () => {
  it('finds the named examples (request, success, partial success, one per error code, both callbacks)', () => {
    const named = cases.filter((c) => c.where.includes('.examples.')).map((c) => c.where.split('.').at(-1));
    expect(named).toEqual(
      expect.arrayContaining([
        'ImportRequest',
        'ImportSuccess',
        'ImportPartialSuccess',
        'ErrorBatchImportInProgress',
        'ErrorIncorrectSignature',
        'CallFinished',
        'OrderFinished',
        'CallbackAccepted',
      ]),
    );
    expect(cases.length).toBeGreaterThan(60);
  });

  it.each(cases.map((c) => [c.where, c] as const))('%s', (_where, c) => {
    const validate = ajv.getSchema(c.schemaPointer);
    expect(validate, `no schema at ${c.schemaPointer}`).toBeTypeOf('function');
    const ok = validate!(c.value);
    expect(validate!.errors ?? [], JSON.stringify(validate!.errors)).toEqual([]);
    expect(ok).toBe(true);
  });
});

describe('the example check can fail', () => {
  const request = ajv.getSchema('spec#/components/schemas/ImportBatchCallRequest')!;
  const good = resolveRef('#/components/examples/ImportRequest').value as JsonObject;

  it.each([
    [
      'a phone with a plus sign',
      (b: JsonObject) => {
        b.callInfoList.callList[0].userPhone = '+8615612345678';
      },
      'pattern',
    ],
    [
      'a null template param, as the vendor example shows',
      (b: JsonObject) => {
        b.callInfoList.callList[0].params[0].value = null;
      },
      'type',
    ],
    [
      'a wrong productID',
      (b: JsonObject) => {
        b.productID = 'sms';
      },
      'const',
    ],
    [
      'a missing orderID',
      (b: JsonObject) => {
        delete b.callInfoList.callList[0].orderID;
      },
      'required',
    ],
    [
      'an unknown field',
      (b: JsonObject) => {
        b.callInfoList.extra = 1;
      },
      'additionalProperties',
    ],
    [
      'an empty call list',
      (b: JsonObject) => {
        b.callInfoList.callList = [];
      },
      'minItems',
    ],
    [
      'a callback URL that is not http(s)',
      (b: JsonObject) => {
        b.callInfoList.callCallbackUrl = 'ftp://x';
      },
      'pattern',
    ],
  ])('rejects %s', (_name, mutate, keyword) => {
    expect(request(good)).toBe(true);
    const bad = structuredClone(good);
    mutate(bad);
    expect(request(bad)).toBe(false);
    expect(request.errors?.map((e: { keyword: string }) => e.keyword)).toContain(keyword);
  });

  it('an answer may carry an undocumented retCode, but RetCode (what the examples are checked against below) refuses one', () => {
    // The answer's retCode is anyOf [RetCode, integer]: the vendor may add codes (see other-toolchains.test.ts).
    const response = ajv.getSchema('spec#/components/schemas/ImportBatchCallResponse')!;
    expect(response({ retCode: 42, retMsg: '', responseID: 'x', totalCount: 0, successCount: 0 })).toBe(true);
    expect(ajv.getSchema('spec#/components/schemas/RetCode')!(42)).toBe(false);
  });

  it('every example answer of importBatchCall uses a documented retCode', () => {
    const retCode = ajv.getSchema('spec#/components/schemas/RetCode')!;
    const examples = bundledSpec.paths['/callcentre/api/v3/importBatchCall'].post.responses['200'].content['application/json'].examples as JsonObject;
    expect(Object.keys(examples).length).toBeGreaterThan(14);
    for (const [name, example] of Object.entries<JsonObject>(examples)) {
      expect(retCode(resolveRef(example.$ref).value.retCode), name).toBe(true);
    }
  });
});
