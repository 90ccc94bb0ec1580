import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';

export interface ReportLine {
  row: number;
  phone: string;
  orderID: string;
  status: string;
  reason: string;
}

/** A report file written by `callbot import`, parsed with a real CSV parser. */
export function readReport(file: string): ReportLine[] {
  const records = parse(readFileSync(file), { bom: true, columns: true }) as Record<string, string>[];
  return records.map((r) => ({ row: Number(r.row), phone: r.phone ?? '', orderID: r.orderID ?? '', status: r.status ?? '', reason: r.reason ?? '' }));
}

export const byRow = (lines: readonly ReportLine[]) => new Map(lines.map((line) => [line.row, line]));

/** What the mock holds for a task (its read-only debug endpoint). */
export async function mockBatches(mockUrl: string, userTaskID: string) {
  const answer = await fetch(`${mockUrl}/__mock/batches?userTaskID=${encodeURIComponent(userTaskID)}`);
  const json = (await answer.json()) as {
    tasks: { userTaskID: string; batches: { current: boolean; droppedUndialed: number; orders: { orderID: string; userPhone: string }[] }[] }[];
  };
  return json.tasks.find((t) => t.userTaskID === userTaskID)?.batches ?? [];
}
