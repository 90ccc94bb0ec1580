import { basename } from 'node:path';
import { BatchBuilder, type RowNotice } from './build-batch.js';
import { InputFileError, openRowReader } from './read-rows.js';
import type { ImportEvent, ImportRequest } from './types.js';

// Part of the engine, step 1: reads the list in one streaming pass and checks every row into
// the one batch (build-batch.ts), telling the progress as it goes. Nothing is sent here.

export interface CheckedList {
  builder: BatchBuilder;
  /** Input rows, blank rows excepted. */
  rows: number;
  problems: RowNotice[];
}

export async function readAndCheck(
  request: ImportRequest,
  overrides: ReadonlyMap<string, string>,
  emit: (event: ImportEvent) => void,
  stopIfInterrupted: () => void,
  onBuilder: (builder: BatchBuilder) => void,
): Promise<CheckedList> {
  const { file, userTaskID } = request;
  const builder = new BatchBuilder({ userTaskID, overrides, allowDuplicatePhones: Boolean(request.allowDuplicatePhones) });
  onBuilder(builder);
  const reader = openRowReader(file, {
    format: request.format,
    delimiter: request.delimiter,
    maxRowBytes: request.maxRowBytes,
    onHeader: (header) => builder.useHeader(header),
  });
  emit({ type: 'step', step: 'read', label: `reading ${basename(file)}`, total: reader.totalBytes });
  let rows = 0;
  let reported = 0;
  for await (const batch of reader.batches()) {
    stopIfInterrupted();
    for (const row of batch) builder.add(row);
    rows += batch.length;
    if (rows - reported >= 1000) {
      reported = rows;
      emit({ type: 'step-progress', step: 'read', value: reader.bytesRead(), note: `${rows} rows` });
    }
  }
  stopIfInterrupted();
  builder.doneAdding();
  if (reader.format === 'csv' && !reader.header()) throw new InputFileError(`${file} is empty: expected a header row`);
  const problems = builder.problems();
  const blank = reader.blankRows();
  emit({
    type: 'step-done',
    step: 'read',
    result: `${rows} rows read, ${builder.orders.length} valid, ${problems.length} invalid${blank ? `, ${blank} blank rows skipped` : ''}`,
  });
  emit({ type: 'checked', rows, valid: builder.orders.length, blankRows: blank, problems, warnings: builder.warnings, ignoredColumns: builder.ignoredColumns });
  return { builder, rows, problems };
}
