import { readFileSync } from 'node:fs';
import { Operations, validateAgainst } from 'callbot-contract';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSpecEngine, type SpecEngine } from '../src/spec/spec-engine.js';

// The mock accepts a body when the contract's precompiled validators accept it, and asks Prism
// otherwise (spec-engine.ts). That shortcut is only sound if the two never disagree: here every
// operation's request examples, and hundreds of bodies made wrong one field at a time (removed,
// given another type, an unknown key added), get the same verdict from both.

type Json = Record<string, unknown>;
const spec = JSON.parse(readFileSync(new URL('../../../generated/openapi.json', import.meta.url), 'utf8')) as Json;

function resolve(value: unknown): unknown {
  let current = value;
  for (let depth = 0; depth < 16 && current && typeof current === 'object' && '$ref' in current; depth += 1) {
    let target: unknown = spec;
    for (const part of String((current as { $ref: string }).$ref)
      .slice(2)
      .split('/'))
      target = (target as Json)[part];
    current = target;
  }
  return current;
}

function requestExamples(path: string): unknown[] {
  const post = (spec.paths as Record<string, Json>)[path]!.post as Json;
  const media = ((resolve(post.requestBody) as Json).content as Record<string, Json>)['application/json']!;
  const examples = Object.values((media.examples ?? {}) as Record<string, unknown>).map((example) => (resolve(example) as Json).value);
  return media.example === undefined ? examples : [media.example, ...examples];
}

const WRONG_VALUES: unknown[] = [null, 0, -1, 1.5, '', 'text', true, [], {}, ['text'], [{}]];

/** Copies of `value` each wrong in one place: a key removed, a value replaced, an unknown key added. */
function* mutations(value: unknown): Generator<unknown> {
  for (const wrong of WRONG_VALUES) yield wrong;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) for (const changed of mutations(item)) yield value.map((other, at) => (at === index ? changed : other));
  } else if (value && typeof value === 'object') {
    const object = value as Json;
    yield { ...object, zzUnknownKey: 'x' };
    for (const key of Object.keys(object)) {
      const { [key]: _removed, ...rest } = object;
      yield rest;
      for (const changed of mutations(object[key])) yield { ...object, [key]: changed };
    }
  }
}

describe('the fast check and Prism agree on every request body', () => {
  let prism: SpecEngine;
  beforeAll(async () => {
    prism = await createSpecEngine({ precheck: false });
  });

  it.each(Object.values(Operations).map((operation) => [operation.operationId, operation] as const))('%s', (_name, operation) => {
    const examples = requestExamples(operation.path);
    expect(examples.length, `${operation.operationId} has a request example`).toBeGreaterThan(0);
    const disagreements: string[] = [];
    let checked = 0;
    let refused = 0;
    for (const example of examples) {
      for (const body of [example, ...mutations(example)]) {
        checked += 1;
        const fastAccepts = validateAgainst(operation.requestSchema, body).length === 0;
        const prismAccepts = prism.validate(operation.path, body).length === 0;
        if (!prismAccepts) refused += 1;
        if (fastAccepts !== prismAccepts)
          disagreements.push(`${fastAccepts ? 'fast accepts, Prism refuses' : 'fast refuses, Prism accepts'}: ${JSON.stringify(body).slice(0, 300)}`);
      }
    }
    expect(disagreements).toEqual([]);
    // The corpus is not trivial: it has bodies both sides refuse.
    expect(refused).toBeGreaterThan(0);
    expect(checked).toBeGreaterThan(10);
  });
});
