import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonChunks } from '../../src/json-chunks.js';

const joined = (value: unknown) => {
  const chunks = jsonChunks(value);
  return chunks && Buffer.concat(chunks).toString('utf8');
};

describe('jsonChunks: JSON.stringify as UTF-8 pieces', () => {
  it('gives the very bytes of JSON.stringify, in pieces for a large list', () => {
    const callList = Array.from({ length: 20_000 }, (_, i) => ({ orderID: `o-${i}`, userName: `王${i}`, params: [{ name: 'a', value: `${i}` }] }));
    const body = { productID: 'callbot', userTaskID: 't', callInfoList: { orderCallbackUrl: 'http://x/o', callList } };
    const chunks = jsonChunks(body)!;
    expect(chunks.length).toBeGreaterThan(1);
    expect(Buffer.concat(chunks).equals(Buffer.from(JSON.stringify(body)))).toBe(true);
  });

  it('leaves out what JSON.stringify leaves out, writes null where it does, honours toJSON', () => {
    const value = {
      gone: undefined,
      fn: () => 1,
      list: [1, undefined, () => 1, Symbol('s'), 'é王\u2028"\\', { x: null }],
      date: new Date(0),
      custom: { toJSON: () => 'custom' },
      nested: { empty: {}, none: [] },
    };
    expect(joined(value)).toBe(JSON.stringify(value));
    expect(joined(undefined)).toBeUndefined();
    expect(joined('text')).toBe('"text"');
  });

  it('refuses a circular structure, as JSON.stringify does', () => {
    const loop: Record<string, unknown> = {};
    loop.self = { loop };
    expect(() => jsonChunks(loop)).toThrow(TypeError);
  });

  it('property: any JSON value gives the bytes of JSON.stringify', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => joined(value) === JSON.stringify(value)));
  });
});
