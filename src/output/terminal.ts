/**
 * Text that fits a terminal: nothing printed is wider than `MAX_COLUMNS` (120) characters. This
 * is the one mechanism every message and table of the command line goes through.
 *
 * - `wrap`, `fitText` (output/fit-text.ts): prose wrapped at spaces with a hanging indent; every
 *   text the command line writes for a person passes through `fitText` (cli/screen.ts), so no
 *   message, warning, error or help text is wider.
 * - `fitTable` draws a table (cli-table3) and, when it would be wider, splits its columns into
 *   several tables that each repeat the key columns (t, agent, …). A cell wider than its share
 *   of the page is shortened in the middle, keeping its start and its end (where ids usually
 *   differ: house-1, house-2); cells that would still look alike are numbered, and listed in
 *   full below the table.
 * - `firstRows` keeps the rows a person reads, with a line naming what was left out and where.
 *
 * Widths are counted in code points, without colour escapes (picocolors), so coloured text and
 * the tables' box-drawing characters count one column each.
 */
import Table from 'cli-table3';
import { MAX_COLUMNS, plain, shorten, visibleWidth } from './fit-text.ts';

export { fitText, MAX_COLUMNS, shorten, visibleWidth, wrap } from './fit-text.ts';

export type Align = 'left' | 'right';
export interface TableOptions {
  /** Per column; the first column is left-aligned and the others right-aligned unless given. */
  align?: readonly Align[];
  /**
   * How many leading columns name a row (1 if not given: `t`, or `agent`; 2 for `t, agent` or
   * `from, to`): every part of a table split to fit repeats them.
   */
  keys?: number;
  maxColumns?: number;
}

function draw(head: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[]): string {
  const table = new Table({ head: [...head], colAligns: [...align], style: { head: [], border: [], compact: true } });
  for (const row of rows) table.push([...row]);
  return table.toString();
}

/**
 * Every cell and heading of a table in at most `width` columns (shortened in the middle); texts
 * that would then look alike are numbered ("…-end [2]") and listed in full in `legend`.
 */
function shortenCells(cells: readonly string[], width: number): { shown: (cell: string) => string; legend: string[] } {
  const alike = new Map<string, Set<string>>(); // shortened → the different texts it stands for
  for (const cell of cells) {
    if (visibleWidth(cell) <= width) continue;
    const short = shorten(cell, width);
    const texts = alike.get(short) ?? new Set<string>();
    alike.set(short, texts.add(plain(cell)));
  }
  const numbered = new Map<string, string>();
  const legend: string[] = [];
  for (const texts of alike.values()) {
    if (texts.size < 2) continue;
    for (const text of texts) {
      const tag = ` [${legend.length + 1}]`;
      numbered.set(text, shorten(text, width - tag.length) + tag);
      legend.push(`${tag.trim()} ${text}`);
    }
  }
  return { shown: (cell) => (visibleWidth(cell) <= width ? cell : (numbered.get(plain(cell)) ?? shorten(cell, width))), legend };
}

export type Row = readonly (string | number)[];

/** A table no wider than `maxColumns`, split by columns (each part repeating the key columns) if need be. */
export function fitTable(head: readonly string[], rows: readonly Row[], options: TableOptions = {}): string {
  const maxColumns = options.maxColumns ?? MAX_COLUMNS;
  const keys = Math.max(1, Math.min(options.keys ?? 1, head.length));
  // A part holds the key columns and at least one other, each cell within its share of the page.
  const cellMax = Math.max(12, Math.floor(maxColumns / (keys + 2)));
  const { shown, legend } = shortenCells([...head, ...rows.flatMap((r) => r.map(String))], cellMax);
  const text = rows.map((r) => r.map((c) => shown(String(c))));
  const heads = head.map(shown);
  const align = heads.map((_, k) => options.align?.[k] ?? (k === 0 ? 'left' : 'right'));
  const withLegend = (table: string) => [table, ...legend].join('\n');
  const whole = draw(heads, text, align);
  if (widest(whole) <= maxColumns || heads.length <= keys + 1) return withLegend(whole);

  // Column widths as drawn (content + 2 padding + 1 border), to pack the columns into parts.
  const widthOf = (k: number) => Math.max(visibleWidth(heads[k]!), ...text.map((r) => visibleWidth(r[k] ?? ''))) + 3;
  let keyWidth = 1;
  for (let k = 0; k < keys; k++) keyWidth += widthOf(k);
  const parts: number[][] = [];
  let current: number[] = [];
  let used = keyWidth;
  for (let k = keys; k < heads.length; k++) {
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
  const keyColumns = Array.from({ length: keys }, (_, k) => k);
  return withLegend(
    parts
      .map((columns) => {
        const pick = <T>(row: readonly T[]) => [...keyColumns, ...columns].map((k) => row[k]!);
        return draw(pick(heads), text.map((r) => pick(r)), pick(align));
      })
      .join('\n'),
  );
}

const widest = (text: string) => Math.max(0, ...text.split('\n').map(visibleWidth));

/** The first `max` items, and a note naming how many more there are and where (or none). */
export function firstRows<T>(items: readonly T[], max: number, where: string): { shown: readonly T[]; more: string | undefined } {
  if (items.length <= max) return { shown: items, more: undefined };
  return { shown: items.slice(0, max), more: `… and ${items.length - max} more in ${where}` };
}
