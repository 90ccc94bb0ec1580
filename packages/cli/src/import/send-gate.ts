import { gzipSync } from 'node:zlib';
import { count } from '../shared/count.js';
import { batchBody, measureBody, type BatchEnvelope } from './batch-body.js';
import type { BatchBuilder, RowNotice } from './build-batch.js';
import type { ConnectionSettings } from '../shared/credentials.js';
import type { ImportEvent } from './types.js';

// Part of the engine, step 2: whether this batch may be sent at all — rows to send, none
// invalid (unless --skip-invalid), within the batch and body limits — and, for a dry run, the
// exact body measured. A list over a limit is refused, never chunked: importBatchCall replaces
// the undialed orders of the task's previous batch, so splitting would silently drop all but the
// last part (for addBatchCall and createAndCall too: one list, one request, one outcome).

/** Why nothing is sent: `reason` goes into each sendable row of the report, `message` into the summary. */
export interface Refusal {
  reason: string;
  message: string;
}

export interface GateInput {
  file: string;
  rows: number;
  problems: readonly RowNotice[];
  builder: BatchBuilder;
  envelope: BatchEnvelope;
  settings: ConnectionSettings;
  skipInvalid: boolean;
  maxBatchSize: number;
  maxBodyBytes: number;
}

export function refusalOf({ file, rows, problems, builder, envelope, settings, skipInvalid, maxBatchSize, maxBodyBytes }: GateInput): Refusal | undefined {
  if (rows === 0) return { reason: '', message: `${file} has no data rows: nothing to send` };
  if (problems.length > 0 && !skipInvalid) {
    return {
      reason: `not sent: the file has ${problems.length} invalid rows`,
      message:
        builder.orders.length === 0
          ? `nothing sent: ${rows === 1 ? 'the one row is' : `all ${rows} rows are`} invalid (each reason is in the report). Fix ${rows === 1 ? 'it' : 'them'} and import again.`
          : `nothing sent: ${problems.length} of ${rows} rows ${problems.length === 1 ? 'is' : 'are'} invalid (each reason is in the report). Fix them, or use --skip-invalid to send the ${count(builder.orders.length, 'valid row')}.`,
    };
  }
  if (builder.orders.length === 0) return { reason: '', message: 'nothing sent: no valid rows' };
  const notSplit =
    envelope.operation === 'importBatchCall'
      ? '  The list is not split into several imports: each importBatchCall replaces the undialed orders of the\n' +
        '  previous batch, so only the last part would ever be called.'
      : `  The list is not split into several requests: it goes out as one ${envelope.operation}, with one outcome.`;
  if (builder.orders.length > maxBatchSize) {
    return {
      reason: `not sent: ${builder.orders.length} orders exceed the batch limit of ${maxBatchSize}`,
      message:
        `nothing sent: ${builder.orders.length} orders is more than the batch limit of ${maxBatchSize} (--max-batch-size).\n${notSplit} Split the list by task, or raise the limit\n` +
        '  if the server accepts bigger batches.',
    };
  }
  const body = measureBody(envelope, settings, builder.orders, maxBodyBytes);
  if (body.firstOver !== undefined) {
    const row = builder.sendable[body.firstOver]!.row;
    return {
      reason: `not sent: the body would be ${body.bytes} bytes, over the limit of ${maxBodyBytes} (--max-body-bytes) from row ${row} on`,
      message:
        `nothing sent: the body would be ${body.bytes} bytes (${formatBytes(body.bytes)}), over the limit of ${maxBodyBytes} bytes (--max-body-bytes);\n` +
        `  the orders up to row ${row} already pass it (look for unusually long values).\n${notSplit} Shorten the rows, split the list by task,\n` +
        '  or raise the limit if the server accepts bigger bodies.',
    };
  }
  return undefined;
}

/** Dry run: builds the exact body and measures it (JSON, and gzipped when asked); sends nothing. Returns the JSON size. */
export function measureDryRun(
  envelope: BatchEnvelope,
  settings: ConnectionSettings,
  builder: BatchBuilder,
  gzip: boolean,
  emit: (event: ImportEvent) => void,
): number {
  emit({ type: 'step', step: 'build', label: 'building the body' });
  const text = JSON.stringify(batchBody(envelope, settings, builder.orders));
  const bytes = Buffer.byteLength(text);
  const gzipped = gzip ? gzipSync(text, { level: 1 }).byteLength : undefined;
  emit({
    type: 'step-done',
    step: 'build',
    result: `${builder.orders.length} orders, ${formatBytes(bytes)} JSON${gzipped === undefined ? '' : `, ${formatBytes(gzipped)} gzipped`}`,
  });
  for (const row of builder.sendable) row.reason = 'dry run: valid, not sent';
  return bytes;
}

const formatBytes = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} B`);
