import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { FileReadError, openRegularFile } from '../shared/bounded-read.js';
import { UsageError } from '../shared/usage-error.js';

// `callbot export --report IMPORT_REPORT.csv`: the per-row report `callbot import` wrote
// (`row,phone,orderID,status,reason`, see import/report.ts), read so each exported order can
// carry the spreadsheet row it came from. Bounded: a record over 64 KiB or more than
// MAX_REPORT_ROWS rows stops the reading with an error (an import report has one row per input
// row; `callbot import` refuses lists over 100,000 orders by default). Only a regular file is
// read: a FIFO or device is refused at once (a FIFO would wait silently; /dev/zero never ends).

export const MAX_REPORT_ROWS = 1_000_000;
const MAX_RECORD_BYTES = 64 * 1024;

export class ReportFileError extends UsageError {}

export interface ReportRow {
  row: number;
  status: string;
}

/** orderID → its report row, in the report's order (rows without an orderID are skipped). */
export async function readImportReport(file: string): Promise<Map<string, ReportRow>> {
  const rows = new Map<string, ReportRow>();
  let columns: { row: number; orderID: number; status: number } | undefined;
  let fd: number;
  try {
    fd = openRegularFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (error instanceof FileReadError) throw new ReportFileError(`--report ${file}: ${/\(ENOENT\)/.test(error.message) ? 'no such file' : error.message}`);
    throw new ReportFileError(`--report ${file}: ${code ?? (error as Error).message}`);
  }
  const parser = createReadStream('', { fd }).pipe(parse({ bom: true, relax_column_count: true, max_record_size: MAX_RECORD_BYTES }));
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (!columns) {
        const at = (name: string) => record.indexOf(name);
        columns = { row: at('row'), orderID: at('orderID'), status: at('status') };
        if (columns.row < 0 || columns.orderID < 0) {
          throw new ReportFileError(
            `--report ${file}: not an import report (its header needs the columns row and orderID; it has ${record.slice(0, 8).join(',')})`,
          );
        }
        continue;
      }
      const orderID = record[columns.orderID] ?? '';
      if (!orderID) continue;
      const row = Number(record[columns.row]);
      if (!Number.isInteger(row))
        throw new ReportFileError(`--report ${file}: the row column holds "${String(record[columns.row]).slice(0, 40)}", not a row number`);
      rows.set(orderID, { row, status: columns.status >= 0 ? (record[columns.status] ?? '') : '' });
      if (rows.size > MAX_REPORT_ROWS) throw new ReportFileError(`--report ${file}: more than ${MAX_REPORT_ROWS} rows`);
    }
  } catch (error) {
    parser.destroy();
    if (error instanceof ReportFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new ReportFileError(`--report ${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? (error as Error).message)}`);
  }
  if (!columns) throw new ReportFileError(`--report ${file}: the file is empty`);
  return rows;
}
