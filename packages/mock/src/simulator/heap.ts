import type { DueAction } from './types.js';

/**
 * The dialer's agenda: a binary min-heap of due actions ordered by (at, seq), so actions due at
 * the same virtual time run in the order they were scheduled — the root of determinism.
 * The array itself is the state (a snapshot stores it as is).
 */
const before = (a: DueAction, b: DueAction) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

export function pushAction(heap: DueAction[], action: DueAction): void {
  heap.push(action);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!before(heap[i]!, heap[parent]!)) break;
    [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
    i = parent;
  }
}

export function peekAction(heap: readonly DueAction[]): DueAction | undefined {
  return heap[0];
}

export function popAction(heap: DueAction[]): DueAction | undefined {
  const top = heap[0];
  const last = heap.pop();
  if (top === undefined || last === undefined || heap.length === 0) return top;
  heap[0] = last;
  let i = 0;
  for (;;) {
    const left = 2 * i + 1;
    const right = left + 1;
    let smallest = i;
    if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
    if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
    if (smallest === i) return top;
    [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
    i = smallest;
  }
}
