/**
 * Text that fits a terminal: nothing printed is wider than `MAX_COLUMNS` (120) characters.
 *
 * - `fitTable` draws a table (cli-table3) and, when it would be wider, splits its columns into
 *   several tables that each repeat the first (key) column; a cell wider than a third of the
 *   page is cut with "…" (the files hold every value in full).
 * - `wrap` breaks a line of prose at spaces, continuing with an indent.
 * - `firstRows` keeps the rows a person reads, with a line naming what was left out and where.
 *
 * Widths are counted without colour escapes (picocolors), so coloured cells fit too.
 */
import Table from 'cli-table3';

export const MAX_COLUMNS = 120;

// eslint-disable-next-line no-control-regex
const ESCAPES = /\u001b\[[0-9;]*m/g;
/** The width of text on screen: without colour escapes, one column per code point. */
export const visibleWidth = (text: string) => [...text.replace(ESCAPES, '')].length;

export type Align = 'left' | 'right';
export interface TableOptions {
  /** Per column; the first column is left-aligned and the others right-aligned unless given. */
  align?: readonly Align[];
  maxColumns?: number;
}

function draw(head: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[]): string {
  const table = new Table({ head: [...head], colAligns: [...align], style: { head: [], border: [], compact: true } });
  for (const row of rows) table.push([...row]);
  return table.toString();
}

/** Cuts a cell to `width` visible characters, ending with "…". Colour is dropped from a cut cell. */
function cut(cell: string, width: number): string {
  if (visibleWidth(cell) <= width) return cell;
  return [...cell.replace(ESCAPES, '')].slice(0, width - 1).join('') + '…';
}

/** A table no wider than `maxColumns`, split by columns (each part repeating the key column) if need be. */
export type Row = readonly (string | number)[];

export function fitTable(head: readonly string[], rows: readonly Row[], options: TableOptions = {}): string {
  const maxColumns = options.maxColumns ?? MAX_COLUMNS;
  const cellMax = Math.max(12, Math.floor(maxColumns / 3));
  const text = rows.map((r) => r.map((c) => cut(String(c), cellMax)));
  const heads = head.map((h) => cut(h, cellMax));
  const align = heads.map((_, k) => options.align?.[k] ?? (k === 0 ? 'left' : 'right'));
  const whole = draw(heads, text, align);
  if (widest(whole) <= maxColumns || heads.length <= 2) return whole;

  // Column widths as drawn (content + 2 padding + 1 border), to pack the columns into parts.
  const widthOf = (k: number) => Math.max(visibleWidth(heads[k]!), ...text.map((r) => visibleWidth(r[k] ?? ''))) + 3;
  const keyWidth = widthOf(0) + 1;
  const parts: number[][] = [];
  let current: number[] = [];
  let used = keyWidth;
  for (let k = 1; k < heads.length; k++) {
    const w = widthOf(k);
    if (current.length > 0 && used + w > maxColumns) {
      parts.push(current);
      current = [];
      used = keyWidth;
    }
    current.push(k);
    used += w;
  }
  if (current.length > 0) parts.push(current);
  return parts
    .map((columns) => {
      const pick = <T>(row: readonly T[]) => [row[0]!, ...columns.map((k) => row[k]!)];
      return draw(pick(heads), text.map((r) => pick(r)), pick(align));
    })
    .join('\n');
}

const widest = (text: string) => Math.max(0, ...text.split('\n').map(visibleWidth));

/** A line of prose broken at spaces into lines of at most `maxColumns`, continued with `indent`. */
export function wrap(line: string, indent = '  ', maxColumns = MAX_COLUMNS): string {
  if (visibleWidth(line) <= maxColumns) return line;
  const words = line.split(' ');
  const out: string[] = [];
  let current = '';
  for (const word of words) {
    const candidate = current === '' ? word : `${current} ${word}`;
    const prefix = out.length === 0 ? '' : indent;
    if (current !== '' && visibleWidth(prefix + candidate) > maxColumns) {
      out.push(prefix + current);
      current = word;
    } else current = candidate;
  }
  if (current !== '') out.push((out.length === 0 ? '' : indent) + current);
  return out.join('\n');
}

/** The first `max` items, and a note naming how many more there are and where (or none). */
export function firstRows<T>(items: readonly T[], max: number, where: string): { shown: readonly T[]; more: string | undefined } {
  if (items.length <= max) return { shown: items, more: undefined };
  return { shown: items.slice(0, max), more: `… and ${items.length - max} more in ${where}` };
}
