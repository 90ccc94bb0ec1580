// The requestIDs already in the output file, so a callback the vendor sends again — also after
// a restart — is answered 200 and not written twice. Bounded: at most `limit` ids are kept; past
// that the oldest is forgotten (a Set iterates in insertion order). 100,000 ids of 32 characters
// take about 10 MB.

export const DEFAULT_DEDUPE_WINDOW = 100_000;

export class SeenIds {
  private readonly ids = new Set<string>();
  constructor(readonly limit: number = DEFAULT_DEDUPE_WINDOW) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    if (this.ids.has(id)) return;
    this.ids.add(id);
    if (this.ids.size > this.limit) this.ids.delete(this.ids.values().next().value as string);
  }

  /** The `count` ids added last (oldest first). */
  newest(count: number): string[] {
    return [...this.ids].slice(-count);
  }

  get size(): number {
    return this.ids.size;
  }
}
