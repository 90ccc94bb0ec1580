import type { Row, RowWriter } from './csv.js';
import type { Output } from './output.js';

// Rows on their way out: gathered into one text chunk per page and written (awaiting the
// output's backpressure) before the next page is read. Without an output, rows are only counted.

export class PageWriter {
  private chunk = '';
  private pending = 0;
  rows = 0;

  constructor(
    private readonly output: Output | undefined,
    private readonly writer: RowWriter,
  ) {}

  async start(): Promise<void> {
    if (this.output) await this.output.write(this.writer.header());
  }

  add(row: Row): void {
    this.rows += 1;
    if (!this.output) return;
    this.chunk += this.writer.line(row);
    this.pending += 1;
  }

  /** Writes the rows gathered so far. */
  async flush(): Promise<void> {
    if (!this.output || this.pending === 0) return;
    const text = this.chunk;
    this.chunk = '';
    this.pending = 0;
    await this.output.write(text);
  }

  /** Rows gathered and not yet written. */
  get buffered(): number {
    return this.pending;
  }
}
