import stringWidth from 'string-width';

// A plain table for people: a header row, one row per item, columns padded to their widest cell.
// Widths are terminal columns (string-width), so Chinese task names and statuses line up.

export interface Column<T> {
  header: string;
  value: (item: T) => string;
  /** Numbers read best right-aligned. */
  align?: 'left' | 'right';
}

export function renderTable<T>(columns: readonly Column<T>[], items: readonly T[]): string {
  const cells = items.map((item) => columns.map((column) => oneLine(column.value(item))));
  const widths = columns.map((column, i) => Math.max(stringWidth(column.header), ...cells.map((row) => stringWidth(row[i]!))));
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) => {
        const pad = ' '.repeat(widths[i]! - stringWidth(cell));
        return columns[i]!.align === 'right' ? pad + cell : i === row.length - 1 ? cell : cell + pad;
      })
      .join('  ');
  return `${[line(columns.map((column) => column.header)), ...cells.map(line)].join('\n')}\n`;
}

/** Key/value lines (`name   value`), the keys padded: one item shown in full. */
export function renderFields(fields: readonly (readonly [string, string])[]): string {
  const width = Math.max(...fields.map(([key]) => stringWidth(key)));
  return `${fields.map(([key, value]) => `${key}${' '.repeat(width - stringWidth(key))}  ${oneLine(value)}`).join('\n')}\n`;
}

/** A cell never breaks the table: line breaks and tabs become spaces. */
const oneLine = (text: string) => text.replace(/[\r\n\t]+/g, ' ');
