import { describe, expect, it } from 'vitest';
import { ReplayCache } from '../../src/replay-cache.js';

// The receiver's memory of requestIDs on its own (createCallbackHandler's use of it is tested
// in callbacks.test.ts): the three states it reports, and what `finish` does with each outcome.
describe('ReplayCache', () => {
  const T = 1_800_000_000; // seconds
  const now = T * 1000;

  it('reports a requestID new, then handling while its handler runs, then done once it succeeded', () => {
    const cache = new ReplayCache(10, 300);
    expect(cache.seen('a', T, now)).toBe('new');
    expect(cache.start('a', T, now)).toBe(true);
    expect(cache.seen('a', T, now)).toBe('handling');
    cache.finish('a', true, now);
    expect(cache.seen('a', T, now)).toBe('done');
  });

  it('forgets a requestID whose handler failed: it is new again', () => {
    const cache = new ReplayCache(10, 300);
    cache.start('a', T, now);
    cache.finish('a', false, now);
    expect(cache.seen('a', T, now)).toBe('new');
  });

  it('a done requestID is new again from the first millisecond no delivery it covers can pass the createTs check', () => {
    const cache = new ReplayCache(10, 300);
    cache.start('a', T, now);
    cache.finish('a', true, now);
    expect(cache.seen('a', T, (T + 301) * 1000 - 1)).toBe('done');
    expect(cache.seen('a', T + 301, (T + 301) * 1000)).toBe('new');
  });

  it('ignores the end of a handler it holds no entry for', () => {
    const cache = new ReplayCache(10, 300);
    expect(() => cache.finish('never-started', true, now)).not.toThrow();
    expect(cache.seen('never-started', T, now)).toBe('new');
  });
});
