import type { components } from 'callbot-contract';
import { validateAgainst } from 'callbot-contract';
import { compileCsvMapper, mapColumns, mapRecord, MappingError, type ColumnMapping, type MappedRow } from './column-mapping.js';
import { deriveOrderId } from './order-id.js';
import { excerpt } from './excerpt.js';
import { normalisePhone } from './phone.js';
import type { SourceRow } from './read-rows.js';

// Turns rows into the orders of one batch, checking each row before anything is sent: the
// spec's CallOrder schema (the same compiled schema the client uses), the phone-number rules,
// and duplicates. Every row ends up with exactly one outcome; rows that may be sent also have
// an order, at the same position in `sendable` and `orders`.

export type CallOrder = components['schemas']['CallOrder'];
export type RowStatus = 'accepted' | 'rejected-locally' | 'rejected-by-server' | 'not-sent' | 'unknown';

export interface RowOutcome {
  row: number;
  /** The normalised phone, or the text as given when it could not be normalised. */
  phone: string;
  orderID: string;
  status: RowStatus;
  reason: string;
}

export interface RowNotice {
  row: number;
  message: string;
}

export interface BatchBuilderOptions {
  userTaskID: string;
  /** `--column` overrides. */
  overrides?: ReadonlyMap<string, string>;
  /** Send repeated phones (listed as warnings) instead of rejecting the later rows. */
  allowDuplicatePhones?: boolean;
}

export class BatchBuilder {
  readonly orders: CallOrder[] = [];
  /** The outcome of each order in `orders`, same index: `not-sent` until the answer is known. */
  readonly sendable: RowOutcome[] = [];
  /** Every row, in file order. */
  readonly outcomes: RowOutcome[] = [];
  readonly warnings: RowNotice[] = [];
  ignoredColumns: readonly string[] = [];

  readonly #options: BatchBuilderOptions;
  readonly #firstRowOfOrderId = new Map<string, number>();
  readonly #firstRowOfPhone = new Map<string, number>();
  #csvMapper: ((cells: readonly string[]) => MappedRow) | undefined;
  readonly #jsonMappings = new Map<string, ColumnMapping>();

  constructor(options: BatchBuilderOptions) {
    this.#options = options;
  }

  /** CSV: fixes the mapping once, from the header. Throws MappingError when no column holds phones. */
  useHeader(header: readonly string[]): ColumnMapping {
    const mapping = mapColumns(header, this.#options.overrides);
    if (mapping.fields.phone === undefined) {
      throw new MappingError(`no phone column: the header is "${excerpt(header.join(', '))}"; name a column "phone" or use --column phone=HEADER`);
    }
    this.#csvMapper = compileCsvMapper(header, mapping);
    this.ignoredColumns = mapping.ignored;
    return mapping;
  }

  /** JSON Lines: each record names its fields; records with the same keys share one mapping. */
  #jsonMapping(record: Record<string, unknown>): ColumnMapping {
    const keys = Object.keys(record);
    const signature = keys.join('\u0000');
    let mapping = this.#jsonMappings.get(signature);
    if (!mapping) {
      mapping = mapColumns(
        keys.filter((key) => key !== 'params'),
        this.#options.overrides,
      );
      this.#jsonMappings.set(signature, mapping);
      const ignored = new Set([...this.ignoredColumns, ...mapping.ignored]);
      this.ignoredColumns = [...ignored];
    }
    return mapping;
  }

  add(source: SourceRow): void {
    let mapped: MappedRow;
    let noPhoneField = false;
    if (source.cells) {
      if (!this.#csvMapper) throw new Error('BatchBuilder: useHeader() must come before CSV rows');
      mapped = this.#csvMapper(source.cells);
    } else {
      const record = source.record ?? {};
      const mapping = this.#jsonMapping(record);
      mapped = mapRecord(record, mapping, { nestedParams: true });
      noPhoneField = mapping.fields.phone === undefined && !source.problem;
    }
    const problems = source.problem ? [source.problem, ...mapped.problems] : mapped.problems;

    const phone = normalisePhone(mapped.phone);
    if (!phone.ok) problems.push(noPhoneField ? 'no phone field' : phone.reason);
    const userPhone = phone.ok ? phone.phone : mapped.phone;
    const order: CallOrder = {
      orderID: mapped.orderID,
      userPhone,
      other: mapped.other,
      userName: mapped.userName,
      customerName: mapped.customerName,
      params: mapped.params,
    };
    const derived = order.orderID === '';
    if (derived) order.orderID = deriveOrderId(this.#options.userTaskID, order);

    for (const issue of validateAgainst('CallOrder', order)) {
      if (issue.path === 'userPhone' && !phone.ok) continue; // already explained above
      problems.push(`${issue.path || 'order'}: ${issue.message}`);
    }

    // Duplicates are looked for among the rows that will be sent: an invalid row is never sent,
    // so it must not block a later valid row with the same phone or orderID (--skip-invalid
    // would then send neither). Only a sendable row takes its phone and orderID.
    const firstWithId = this.#firstRowOfOrderId.get(order.orderID);
    if (firstWithId !== undefined) {
      problems.push(
        derived
          ? `same content as row ${firstWithId} (same derived orderID ${order.orderID})`
          : `duplicate orderID ${excerpt(order.orderID)}: also on row ${firstWithId}`,
      );
    }
    const firstWithPhone = phone.ok && firstWithId === undefined ? this.#firstRowOfPhone.get(userPhone) : undefined;
    if (firstWithPhone !== undefined && !this.#options.allowDuplicatePhones) problems.push(`duplicate phone ${userPhone}: also on row ${firstWithPhone}`);

    const outcome: RowOutcome = { row: source.row, phone: userPhone, orderID: order.orderID, status: 'not-sent', reason: '' };
    if (problems.length > 0) {
      outcome.status = 'rejected-locally';
      outcome.reason = problems.join('; ');
    } else {
      this.#firstRowOfOrderId.set(order.orderID, source.row);
      if (firstWithPhone === undefined) this.#firstRowOfPhone.set(userPhone, source.row);
      else this.warnings.push({ row: source.row, message: `phone ${userPhone} also on row ${firstWithPhone} (sent twice: --allow-duplicate-phones)` });
      this.orders.push(order);
      this.sendable.push(outcome);
    }
    this.outcomes.push(outcome);
  }

  /** Drops the duplicate indexes once every row is in: less memory held while sending. */
  doneAdding(): void {
    this.#firstRowOfOrderId.clear();
    this.#firstRowOfPhone.clear();
    this.#jsonMappings.clear();
  }

  /** The rows rejected here, with why: what is listed before anything is sent. */
  problems(): RowNotice[] {
    return this.outcomes.filter((o) => o.status === 'rejected-locally').map((o) => ({ row: o.row, message: o.reason }));
  }
}
