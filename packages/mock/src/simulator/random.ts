/**
 * A seeded pseudo-random source (mulberry32): tiny, fast, and the same sequence for the same
 * seed on every machine, which is all the mock needs to make simulated call outcomes and
 * probabilistic faults reproducible. Not for anything security-related.
 */
export type Random = () => number;

export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over a string: turns an order ID into a seed component. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A random source that depends only on the seed and a key (e.g. an order ID), not on timing. */
export function randomFor(seed: number, key: string): Random {
  return mulberry32((seed ^ hashString(key)) >>> 0);
}

export function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new RangeError('pick from an empty list');
  return item;
}
