/**
 * Reading a profile's CSV file: a header row naming the columns, then one row per interval
 * with its timestamp (one column, or a date and a time column joined by a space) and its
 * values. Each row's timestamp starts or ends its interval (`stamp`); the data's interval Δ is
 * the spacing of the stamps, which must be regular: a gap, a repeated or an out-of-order stamp
 * is refused with its line (lines are counted as an editor counts them, header and blank lines
 * included). Values are plain decimals with the file's decimal mark (`parseDecimal`).
 *
 * A file is parsed once per process: the table is cached by its resolved path, size,
 * modification time and reading options, so that a sweep resolving the same profiles for
 * hundreds of points reads each file once.
 */
import { resolve } from 'node:path';
import { parse, type CastingContext } from 'csv-parse/sync';
import { InputError, type InputProblem } from '../errors.ts';
import type { FileSource } from '../io/source.ts';
import { clip } from '../io/limits.ts';
import { parseDecimal } from '../io/numbers.ts';
import type { IntervalSeries } from './resample.ts';
import { civilToUtcMs, formatLocal, formatUtcOffset, MS_PER_DAY, timestampParser } from './time.ts';
import type { TypicalYear } from './typical-year.ts';

export interface ProfileFileOptions {
  /** The column holding the timestamp, or a date and a time column (joined by a space). */
  timestampColumns: string[];
  /** "ISO", or a pattern such as "DD.MM.YYYY HH:mm" (time.ts). */
  timestampFormat: string;
  /** Whether a row's timestamp is the start or the end of its interval. */
  stamp: 'start' | 'end';
  /** UTC offset of stamps that do not carry one, minutes east of UTC. */
  utcOffsetMinutes: number;
  /** The data's years are ignored: one whole year, placed on any year (typical-year.ts). */
  typicalYear: boolean;
  /** The value columns to read. */
  columns: string[];
  separator: string;
  decimalMark: '.' | ',';
}

/** A profile file's values per interval, and where they come from. */
export interface ProfileTable {
  /** The file, as messages name it. */
  file: string;
  /** Length of each interval (the spacing of the stamps), ms. */
  intervalMs: number;
  /** UTC ms of the start of the first interval (0 for a typical year: 1 January 00:00). */
  startMs: number;
  /** Set for a typical year: its number of days. */
  yearDays?: 365 | 366;
  /** The data's UTC offset, minutes (a typical year's local time; the stamps' for messages). */
  utcOffsetMinutes: number;
  /** Each value column's mean value per interval. */
  columns: Record<string, Float64Array>;
  /** The line (from 1, as an editor counts) of interval i's row (found again on demand: only messages need it). */
  lineOf: (i: number) => number;
}

/** At most this many problems of one file are listed. */
const MAX_PROBLEMS = 8;

const cache = new Map<string, ProfileTable>();
/** Tables kept at once (the oldest goes first). */
const CACHE_SIZE = 64;

/** Reads from `source` (or takes from the cache) a profile file; `file` is the path as messages name it. */
export function readProfileTable(file: string, options: ProfileFileOptions, source: FileSource): ProfileTable {
  // Without a version (a file that is not there) the source says what is wrong with it.
  const version = source.version(file);
  const key = version === undefined ? undefined : JSON.stringify([version, options]);
  const cached = key === undefined ? undefined : cache.get(key);
  if (cached) return cached;
  const table = parseProfileTable(source.text(file), file, options);
  if (key !== undefined) {
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
    cache.set(key, table);
  }
  return table;
}

/** Forgets the cached tables (tests that rewrite a file within one mtime tick). */
export function clearProfileCache(): void {
  cache.clear();
}

/** Parses a profile file's text (see the module comment); an InputError naming `file`, line and column otherwise. */
export function parseProfileTable(text: string, file: string, options: ProfileFileOptions): ProfileTable {
  const fail = (problems: InputProblem[]): never => {
    // The loops stop soon after MAX_PROBLEMS: how many more there are is not known.
    throw new InputError(file, problems.length > MAX_PROBLEMS ? [...problems.slice(0, MAX_PROBLEMS), { path: '', message: 'and further problems (the first are listed)' }] : problems);
  };
  const parseStamp = timestampParser(options.timestampFormat);
  if (typeof parseStamp === 'string') return fail([{ path: '', message: `the timestamp format "${options.timestampFormat}" ${parseStamp}` }]);

  // Records without their lines (csv-parse is 2–4 times faster so); the lines are found again when a message needs one.
  let records: string[][];
  try {
    records = parse(text, { delimiter: options.separator, skip_empty_lines: true }) as string[][];
  } catch (e) {
    const err = e as Error & { lines?: number };
    return fail([{ path: err.lines ? `line ${err.lines}` : '', message: `malformed CSV: ${clip(err.message.replace(/ on line \d+$/, ''), 160)}` }]);
  }
  let recordLines: number[] | undefined;
  /** The line of record r (0: the header). */
  const lineOfRecord = (r: number): number => (recordLines ??= parseCsvRows(text, options.separator).map(([line]) => line))[r]!;
  const [headerCells, ...body] = records;
  if (!headerCells) return fail([{ path: '', message: 'is empty: a header row and data rows expected' }]);
  const header = headerCells.map((h) => h.trim());
  const columnIndex = (name: string): number => {
    const k = header.indexOf(name);
    if (k < 0) {
      const found = header.slice(0, 20).map((h) => `"${clip(h, 40)}"`).join(', ') + (header.length > 20 ? `, … (${header.length} columns)` : '');
      fail([{ path: `line ${lineOfRecord(0)}`, message: `no column "${name}" (columns found: ${found}${options.separator === ',' && header.length === 1 && header[0]!.includes(';') ? '; the file looks ";"-separated: set "separator": ";"' : ''})` }]);
    }
    return k;
  };
  const stampColumns = options.timestampColumns.map(columnIndex);
  const valueColumns = options.columns.map(columnIndex);
  const stampName = options.timestampColumns.join(' + ');
  if (body.length < 2) return fail([{ path: '', message: `has ${body.length === 0 ? 'no data rows' : 'one data row'}: two at least are needed to know the data's interval` }]);

  // Stamps → instants (or positions from 1 January 00:00 of the leap year 2000, for a typical year), values → numbers.
  const problems: InputProblem[] = [];
  const n = body.length;
  const stampTexts: string[] = new Array(n);
  const times = new Float64Array(n);
  const lineOf = (i: number) => lineOfRecord(i + 1);
  const columns: Record<string, Float64Array> = {};
  options.columns.forEach((name) => (columns[name] = new Float64Array(n)));
  // A typical year has one offset: the first stamp's, or the option's.
  let offsetMinutes: number | undefined = options.typicalYear ? undefined : options.utcOffsetMinutes;
  let leap = false;
  for (let r = 0; r < n; r++) {
    const cells = body[r]!;
    const stampText = stampColumns.length === 1 ? (cells[stampColumns[0]!] ?? '').trim() : stampColumns.map((k) => (cells[k] ?? '').trim()).join(' ');
    stampTexts[r] = stampText;
    const stamp = parseStamp(stampText);
    if (typeof stamp === 'string') problems.push({ path: `line ${lineOf(r)}, column ${stampName}`, message: `"${clip(stampText, 40)}" ${stamp}` });
    else if (!options.typicalYear) times[r] = civilToUtcMs(stamp.civil, stamp.offsetMinutes ?? offsetMinutes!);
    else {
      offsetMinutes ??= stamp.offsetMinutes ?? options.utcOffsetMinutes;
      if ((stamp.offsetMinutes ?? offsetMinutes) !== offsetMinutes) {
        problems.push({ path: `line ${lineOf(r)}, column ${stampName}`, message: `"${clip(stampText, 40)}" has another UTC offset than line ${lineOf(0)} (${formatUtcOffset(offsetMinutes)}): a typical year has one` });
      }
      if (stamp.civil.month === 2 && stamp.civil.day === 29) leap = true;
      times[r] = civilToUtcMs({ ...stamp.civil, year: 2000 }, 0) - JANUARY_2000;
    }
    for (let c = 0; c < valueColumns.length; c++) {
      const name = options.columns[c]!;
      const cell = cells[valueColumns[c]!] ?? '';
      const value = parseDecimal(cell, options.decimalMark);
      if (value === undefined) {
        problems.push({ path: `line ${lineOf(r)}, column ${name}`, message: cell.trim() === '' ? 'an empty cell: every interval needs a value' : `"${clip(cell.trim(), 40)}" is not a number${options.decimalMark === '.' && /^\s*[+-]?\d+,\d+\s*$/.test(cell) ? ' (a decimal comma? set "decimalMark": ",")' : ''}` });
      } else columns[name]![r] = value;
    }
    if (problems.length > MAX_PROBLEMS) break;
  }
  if (problems.length > 0) return fail(problems);
  // A typical year without 29 February: its positions from 1 March on are a day earlier than in 2000.
  if (options.typicalYear && !leap) for (let r = 0; r < n; r++) if (times[r]! >= 60 * MS_PER_DAY) times[r] = times[r]! - MS_PER_DAY;

  // The interval: the most frequent spacing; every spacing must be it.
  const intervalMs = mostFrequentPositiveSpacing(times);
  if (intervalMs === undefined) return fail([{ path: `line ${lineOf(1)}, column ${stampName}`, message: `repeats the timestamp "${clip(stampTexts[1]!, 40)}" of line ${lineOf(0)}` }]);
  const where = (r: number) => `line ${lineOf(r)} ("${clip(stampTexts[r]!, 40)}")`;
  for (let r = 1; r < n; r++) {
    const d = times[r]! - times[r - 1]!;
    if (d === intervalMs) continue;
    const path = `line ${lineOf(r)}, column ${stampName}`;
    if (d === 0) problems.push({ path, message: `repeats the timestamp "${clip(stampTexts[r]!, 40)}" of line ${lineOf(r - 1)}` });
    else if (d < 0) problems.push({ path, message: `"${clip(stampTexts[r]!, 40)}" comes before ${where(r - 1)}: the rows must be in time order` });
    else if (d % intervalMs === 0) problems.push({ path, message: `a gap: ${d / intervalMs - 1} missing interval${d / intervalMs - 1 > 1 ? 's' : ''} of ${duration(intervalMs)} between ${where(r - 1)} and this line ("${clip(stampTexts[r]!, 40)}")` });
    else problems.push({ path, message: `"${clip(stampTexts[r]!, 40)}" is ${duration(d)} after ${where(r - 1)}, but the data's interval is ${duration(intervalMs)}: the stamps must be evenly spaced` });
    if (problems.length > MAX_PROBLEMS) break;
  }
  if (problems.length > 0) return fail(problems);

  const startMs = times[0]! - (options.stamp === 'end' ? intervalMs : 0);
  const table: ProfileTable = { file, intervalMs, startMs, utcOffsetMinutes: offsetMinutes!, columns, lineOf };
  if (!options.typicalYear) return table;

  const yearDays = leap ? 366 : 365;
  const endMs = startMs + n * intervalMs;
  if (MS_PER_DAY % intervalMs !== 0) return fail([{ path: '', message: `a typical year needs an interval that divides a day; this file's is ${duration(intervalMs)}` }]);
  if (startMs !== 0 || endMs !== yearDays * MS_PER_DAY) {
    return fail([{ path: '', message: `a typical year runs from 1 January 00:00 to 31 December 24:00 (${yearDays} days); the intervals of this file run from ${yearPosition(startMs, leap)} to ${yearPosition(endMs, leap)}` + (options.stamp === 'start' && endMs === yearDays * MS_PER_DAY + intervalMs ? ' (do its stamps end their intervals? set "stamp": "end")' : '') }]);
  }
  return { ...table, yearDays };
}

/** A CSV record with the line it ends on (from 1, as an editor counts lines: blank ones included). */
export type CsvRow = [line: number, cells: string[]];

/** The records of a CSV text (blank lines skipped), each with its line; csv-parse's errors as it throws them. */
export function parseCsvRows(text: string, separator: string, relaxColumnCount = false): CsvRow[] {
  const withLine = (record: string[], context: CastingContext) => [context.lines, record];
  // on_record may return any value; csv-parse's types insist on string[].
  return parse(text, { delimiter: separator, skip_empty_lines: true, relax_column_count: relaxColumnCount, on_record: withLine as unknown as (r: string[]) => string[] }) as unknown as CsvRow[];
}

/** A value column as a typical year. */
export function typicalYearOf(table: ProfileTable, values: Float64Array): TypicalYear {
  if (!table.yearDays) throw new Error('typicalYearOf: not a typical year');
  return { intervalMs: table.intervalMs, yearDays: table.yearDays, utcOffsetMinutes: table.utcOffsetMinutes, values };
}

/** A value column as a series in absolute time. */
export function seriesOf(table: ProfileTable, values: Float64Array): IntervalSeries {
  return { startMs: table.startMs, intervalMs: table.intervalMs, values };
}

/** "2016-01-01T00:00+01:00 to 2016-12-31T00:00+01:00": the span of a series, local to an offset. */
export function formatSpan(fromMs: number, toMs: number, offsetMinutes: number): string {
  return `${formatLocal(fromMs, offsetMinutes)} to ${formatLocal(toMs, offsetMinutes)} (UTC${formatUtcOffset(offsetMinutes)})`;
}

function mostFrequentPositiveSpacing(times: Float64Array): number | undefined {
  const counts = new Map<number, number>();
  for (let r = 1; r < times.length; r++) {
    const d = times[r]! - times[r - 1]!;
    if (d > 0) counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  let best: number | undefined;
  for (const [d, count] of counts) if (best === undefined || count > counts.get(best)! || (count === counts.get(best)! && d < best)) best = d;
  return best;
}

/** "15 min", "1 h", "1 day", "90 s". */
export function duration(ms: number): string {
  const a = Math.abs(ms);
  if (a % MS_PER_DAY === 0) return `${ms / MS_PER_DAY} day${a === MS_PER_DAY ? '' : 's'}`;
  if (a % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (a % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}

/** 1 January 2000 00:00 UTC: typical-year positions are taken in the leap year 2000. */
const JANUARY_2000 = Date.UTC(2000, 0, 1);

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** "1 January 01:00" for a position in a typical year (ms from 1 January 00:00). */
function yearPosition(ms: number, leap: boolean): string {
  if (ms === (leap ? 366 : 365) * MS_PER_DAY) return '31 December 24:00';
  const d = new Date(Date.UTC(leap ? 2000 : 2001, 0, 1) + ms);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}` + (d.getUTCFullYear() !== (leap ? 2000 : 2001) ? ' of the next year' : '');
}
