import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Callbacks, DelCall, Limits, MockLimits, PRODUCT_ID, TaskOperate, TaskStatus, TaskStatusEntries } from '../../src/index.js';
import { fromRoot } from 'callbot-test-kit/paths';

// generated/vendor-facts.ts against the bundled spec, read independently: every cap anywhere in
// the spec (at any depth, not only where the generator looks) is in Limits / MockLimits, every
// named enum and webhook has its table row, and the public index exports them.

type Json = Record<string, any>;
const spec = JSON.parse(readFileSync(fromRoot('generated', 'openapi.json'), 'utf8')) as Json;

/** Every [path, keyword, value] of the given keywords anywhere under `node`. */
function findKeywords(node: unknown, keywords: string[], path: string[] = []): [string, string, number][] {
  if (!node || typeof node !== 'object') return [];
  return Object.entries(node as Json).flatMap(([key, value]) =>
    keywords.includes(key) && typeof value === 'number'
      ? [[path.join('.'), key, value] as [string, string, number]]
      : findKeywords(value, keywords, [...path, key]),
  );
}
/** components.schemas.A.properties.b → Limits-style path A.b. */
const tablePath = (path: string) => path.replace(/^components\.schemas\./, '').replaceAll('.properties.', '.');
const get = (table: unknown, path: string) => path.split('.').reduce<any>((at, key) => at?.[key], table);

describe('generated/vendor-facts.ts holds every vendor fact of the spec', () => {
  it('every maxItems / maximum of the spec is in Limits, under its schema and property', () => {
    const found = findKeywords(spec.components, ['maxItems', 'maximum'], ['components']);
    expect(found.length).toBeGreaterThan(0);
    for (const [path, keyword, value] of found) expect(get(Limits, `${tablePath(path)}.${keyword}`), `${path}.${keyword}`).toBe(value);
  });

  it('every mock cap of the spec (x-callbot-mock-max-items / -maximum) is in MockLimits', () => {
    const found = findKeywords(spec.components, ['x-callbot-mock-max-items', 'x-callbot-mock-maximum'], ['components']);
    expect(found.map(([path]) => tablePath(path)).sort()).toEqual(['CallInfoList.callList', 'PageSize']);
    for (const [path, keyword, value] of found) {
      expect(get(MockLimits, `${tablePath(path)}.${keyword === 'x-callbot-mock-max-items' ? 'maxItems' : 'maximum'}`), path).toBe(value);
    }
  });

  it('the enums: name → value in the spec order, entries with x-enum-descriptions', () => {
    const schemas = spec.components.schemas;
    for (const [name, table] of Object.entries({ TaskStatus, TaskOperate, DelCall })) {
      expect(Object.values(table), name).toEqual(schemas[name].enum);
      expect(Object.keys(table), name).toEqual(schemas[name]['x-enum-varnames']);
    }
    expect(TaskStatusEntries.map((entry) => entry.description)).toEqual(schemas.TaskStatus['x-enum-descriptions']);
    expect(TaskStatus.Running).toBe(2);
  });

  it("PRODUCT_ID is the ProductID schema's const, and every request that has a productID refers to it", () => {
    expect(PRODUCT_ID).toBe(spec.components.schemas.ProductID.const);
    const refs = Object.values(spec.components.schemas as Json)
      .map((schema) => schema.properties?.productID)
      .filter(Boolean);
    expect(refs.length).toBeGreaterThan(5);
    for (const ref of refs) expect(ref).toEqual({ $ref: '#/components/schemas/ProductID' });
  });

  it('Callbacks: one row per webhook, with its payload schema and a callbackType its schema accepts', () => {
    expect(
      Object.values(Callbacks)
        .map((callback) => callback.webhook)
        .sort(),
    ).toEqual(Object.keys(spec.webhooks).sort());
    for (const callback of Object.values(Callbacks)) {
      const property = spec.components.schemas[callback.schema].properties.callbackType;
      expect(typeof callback.callbackType, callback.kind).toBe(property.type === 'string' ? 'string' : 'number');
      expect(spec.webhooks[callback.webhook].post.operationId).toBe(callback.operationId);
    }
  });
});
