import { hash } from 'node:crypto';

// The ids `callbot orders` and `calls` have written, so an item the vendor lists twice is
// written once. Bounded by bytes, whatever the ids' length: each id is kept as a 128-bit digest
// (MD5: not for secrecy — the vendor chooses the ids and could as well leave a row out — but
// 16 bytes however long the id is, and a chance collision among millions of ids is about
// 1 in 10^25) in an open-addressing table of 16-byte slots that doubles as it fills, up to
// `maxTableBytes` (64 MiB by default: 3,355,443 ids at the 80% fill it allows). While it
// doubles, the old table is held too: at most 1.5 × maxTableBytes in all.

export const DEFAULT_MAX_TABLE_BYTES = 64 * 1024 * 1024;
const SLOT_WORDS = 4; // 128 bits as four 32-bit words
const SLOT_BYTES = SLOT_WORDS * 4;
const MAX_FILL = 0.8;
const FIRST_SLOTS = 1 << 14;

/** More distinct ids than the table may hold. */
export class IdBudgetError extends Error {}

export class IdDigestSet {
  private slots: number;
  private table: Uint32Array;
  private count = 0;
  private readonly maxSlots: number;

  constructor(readonly maxTableBytes: number = DEFAULT_MAX_TABLE_BYTES) {
    // A power of two (the slot is found by masking), at least the first table's size.
    this.maxSlots = 2 ** Math.max(Math.log2(FIRST_SLOTS), Math.floor(Math.log2(maxTableBytes / SLOT_BYTES)));
    this.slots = Math.min(FIRST_SLOTS, this.maxSlots);
    this.table = new Uint32Array(this.slots * SLOT_WORDS);
  }

  /** The most distinct ids this set can hold. */
  get capacity(): number {
    return Math.floor(this.maxSlots * MAX_FILL);
  }

  get size(): number {
    return this.count;
  }

  /** Adds the id; false if it was there already. IdBudgetError when a new id would not fit. */
  add(id: string): boolean {
    const digest = hash('md5', id, 'buffer');
    // Word 0 never 0: an all-zero slot is empty. (127 bits of the digest remain.)
    const w0 = (digest.readUInt32LE(0) | 1) >>> 0;
    const w1 = digest.readUInt32LE(4);
    const w2 = digest.readUInt32LE(8);
    const w3 = digest.readUInt32LE(12);
    const at = this.find(this.table, this.slots, w0, w1, w2, w3);
    if (this.table[at] !== 0) return false;
    if (this.count + 1 > this.slots * MAX_FILL) {
      if (this.slots >= this.maxSlots) {
        throw new IdBudgetError(
          `more than ${this.capacity} distinct items (the ids already written are remembered in at most ${this.maxTableBytes / 1024 / 1024} MiB)`,
        );
      }
      this.grow();
      return this.add(id);
    }
    const table = this.table;
    table[at] = w0;
    table[at + 1] = w1;
    table[at + 2] = w2;
    table[at + 3] = w3;
    this.count += 1;
    return true;
  }

  /** The word index of the slot holding this digest, or of the empty slot where it would go. */
  private find(table: Uint32Array, slots: number, w0: number, w1: number, w2: number, w3: number): number {
    const mask = slots - 1;
    for (let slot = w1 & mask; ; slot = (slot + 1) & mask) {
      const at = slot * SLOT_WORDS;
      const first = table[at]!;
      if (first === 0) return at;
      if (first === w0 && table[at + 1] === w1 && table[at + 2] === w2 && table[at + 3] === w3) return at;
    }
  }

  private grow(): void {
    const old = this.table;
    const slots = this.slots * 2;
    const table = new Uint32Array(slots * SLOT_WORDS);
    for (let at = 0; at < old.length; at += SLOT_WORDS) {
      if (old[at] === 0) continue;
      table.set(old.subarray(at, at + SLOT_WORDS), this.find(table, slots, old[at]!, old[at + 1]!, old[at + 2]!, old[at + 3]!));
    }
    this.table = table;
    this.slots = slots;
  }
}
