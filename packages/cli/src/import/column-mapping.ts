import { excerpt } from './excerpt.js';
import { UsageError } from '../shared/usage-error.js';

// Which column feeds which order field. By default columns are found by header name
// (case-insensitive; spaces, dashes and underscores ignored), with a few common aliases, and
// every `param.NAME` column becomes the template variable NAME. `--column FIELD=HEADER`
// overrides one field, e.g. `--column phone=Mobile` or `--column param.amount=Betrag`.

export type OrderField = 'phone' | 'name' | 'customer' | 'other' | 'order_id';
export const ORDER_FIELDS: readonly OrderField[] = ['phone', 'name', 'customer', 'other', 'order_id'];

/** Header names recognised for each field, compared after `simplify`. */
const ALIASES: Record<OrderField, readonly string[]> = {
  phone: ['phone', 'userphone', 'mobile', 'phonenumber', 'tel', '手机号', '电话', '手机'],
  name: ['name', 'username', '姓名', '用户名'],
  customer: ['customer', 'customername', 'company', '客户', '客户名'],
  other: ['other', '透传', '备注'],
  order_id: ['orderid', 'order', '订单id', '订单号'],
};
export const PARAM_PREFIX = 'param.';

const simplify = (header: string) =>
  header
    .trim()
    .toLowerCase()
    .replace(/[\s_-]/g, '');

export interface ColumnMapping {
  fields: Partial<Record<OrderField, string>>;
  /** Template variable name → the column holding its values. */
  params: { name: string; column: string }[];
  /** Columns that feed nothing (shown once, so a misspelt header does not go unnoticed). */
  ignored: string[];
}

/** A `--column` that cannot be applied, or no phone column: a usage error (exit 1), nothing sent. */
export class MappingError extends UsageError {}

/** Parses the repeated `--column FIELD=HEADER` flags. */
export function parseColumnOverrides(items: readonly string[]): Map<string, string> {
  const overrides = new Map<string, string>();
  for (const item of items) {
    const eq = item.indexOf('=');
    const field = eq > 0 ? item.slice(0, eq).trim() : '';
    const column = eq > 0 ? item.slice(eq + 1).trim() : '';
    const isParam = field.startsWith(PARAM_PREFIX) && field.length > PARAM_PREFIX.length;
    if (!column || (!isParam && !(ORDER_FIELDS as readonly string[]).includes(field))) {
      throw new MappingError(`--column ${item}: expected FIELD=HEADER with FIELD one of ${ORDER_FIELDS.join(', ')} or param.NAME`);
    }
    overrides.set(field, column);
  }
  return overrides;
}

/** The mapping for a file with this header (CSV) or a record with these keys (JSON Lines). */
export function mapColumns(header: readonly string[], overrides: ReadonlyMap<string, string> = new Map()): ColumnMapping {
  const used = new Set<string>();
  const find = (wanted: string) => header.find((h) => h === wanted) ?? header.find((h) => h.toLowerCase() === wanted.toLowerCase());
  const fields: ColumnMapping['fields'] = {};
  for (const field of ORDER_FIELDS) {
    const override = overrides.get(field);
    if (override !== undefined) {
      const column = find(override);
      if (column === undefined)
        throw new MappingError(`--column ${field}=${override}: the file has no column "${override}" (it has: ${excerpt(header.join(', '))})`);
      fields[field] = column;
    } else {
      const column = header.find((h) => !used.has(h) && !overrides.has(`param.${h}`) && ALIASES[field].includes(simplify(h)));
      if (column !== undefined) fields[field] = column;
    }
    if (fields[field] !== undefined) used.add(fields[field]);
  }
  const params: ColumnMapping['params'] = [];
  for (const [key, override] of overrides) {
    if (!key.startsWith(PARAM_PREFIX)) continue;
    const column = find(override);
    if (column === undefined) throw new MappingError(`--column ${key}=${override}: the file has no column "${override}"`);
    params.push({ name: key.slice(PARAM_PREFIX.length), column });
    used.add(column);
  }
  for (const column of header) {
    if (used.has(column) || !column.toLowerCase().startsWith(PARAM_PREFIX)) continue;
    const name = column.slice(PARAM_PREFIX.length).trim();
    if (name && !params.some((p) => p.name === name)) {
      params.push({ name, column });
      used.add(column);
    }
  }
  const ignored = header.filter((column) => column && !used.has(column));
  return { fields, params, ignored };
}

export interface MappedRow {
  phone: string;
  orderID: string;
  userName: string;
  customerName: string;
  other: string;
  params: { name: string; value: string }[];
  problems: string[];
}

/** A cell as text: JSON Lines may hold numbers and booleans; null and missing are empty. */
function text(value: unknown, label: string, problems: string[]): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') {
    // csv-parse decodes invalid UTF-8 (say, a file saved as GBK) to U+FFFD; say so rather
    // than send mojibake to the vendor.
    if (value.includes('\ufffd')) problems.push(`${excerpt(label)} is not valid UTF-8 (save the file as "CSV UTF-8")`);
    return value.trim();
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  problems.push(`${excerpt(label)} must be text, not ${Array.isArray(value) ? 'an array' : 'an object'}`);
  return '';
}

/**
 * The mapping of a CSV file as cell positions, compiled once: rows are then read by index,
 * without building an object per row.
 */
export function compileCsvMapper(header: readonly string[], mapping: ColumnMapping): (cells: readonly string[]) => MappedRow {
  const at = (column: string | undefined) => (column === undefined ? -1 : header.indexOf(column));
  const phone = at(mapping.fields.phone);
  const orderId = at(mapping.fields.order_id);
  const name = at(mapping.fields.name);
  const customer = at(mapping.fields.customer);
  const other = at(mapping.fields.other);
  const params = mapping.params.map((p) => ({ name: p.name, index: at(p.column), column: p.column }));
  return (cells) => {
    const problems: string[] = [];
    const cell = (index: number) => (index < 0 ? '' : text(cells[index], header[index]!, problems));
    return {
      phone: cell(phone),
      orderID: cell(orderId),
      userName: cell(name),
      customerName: cell(customer),
      other: cell(other),
      params: params.map((p) => ({ name: p.name, value: cell(p.index) })),
      problems,
    };
  };
}

/**
 * One JSON Lines record → the order's fields, as text (phones not yet normalised). It may also
 * carry `params` as an object (`{"amount": "12"}`) or as the vendor's `[{name, value}]` list.
 */
export function mapRecord(record: Record<string, unknown>, mapping: ColumnMapping, options: { nestedParams?: boolean } = {}): MappedRow {
  const problems: string[] = [];
  const cell = (field: OrderField) => {
    const column = mapping.fields[field];
    return column === undefined ? '' : text(record[column], column, problems);
  };
  const params = mapping.params.map(({ name, column }) => ({ name, value: text(record[column], column, problems) }));
  const nested = record.params;
  if (options.nestedParams && nested !== undefined && nested !== null) {
    const entries: [unknown, unknown][] = Array.isArray(nested)
      ? nested.map((p) => [(p as { name?: unknown } | null)?.name, (p as { value?: unknown } | null)?.value])
      : typeof nested === 'object'
        ? Object.entries(nested)
        : [];
    if (typeof nested !== 'object') problems.push('params must be an object or a list of {name, value}');
    for (const [name, value] of entries) {
      if (typeof name !== 'string' || name === '') problems.push('params: every variable needs a name');
      else if (params.some((p) => p.name === name)) problems.push(`params: the variable "${excerpt(name)}" is given twice`);
      else params.push({ name, value: text(value, `params.${name}`, problems) });
    }
  }
  return {
    phone: cell('phone'),
    orderID: cell('order_id'),
    userName: cell('name'),
    customerName: cell('customer'),
    other: cell('other'),
    params,
    problems,
  };
}
