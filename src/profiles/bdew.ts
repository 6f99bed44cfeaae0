/**
 * BDEW standard load profiles: typical days → a calendar year.
 *
 * The table (the layout BDEW publishes and demandlib ships, e.g. H25, G25): a first header row
 * naming the month of each column (Januar … Dezember; English names and 1–12 are taken too), a
 * second naming its day type — SA (Saturday), FT (Sunday or holiday, "Feiertag"), WT (working
 * day, "Werktag") — then 96 rows, one per quarter hour from 00:00–00:15 to 23:45–24:00, of
 * energy in kWh per quarter hour for an annual consumption of 1,000,000 kWh.
 *
 * A year is built day by day: the day's type from the calendar (`bdewDayType`), its month's
 * column of that type; for the dynamic profiles (H25, P25, S25, and the older H0) each day is
 * multiplied by BDEW's dynamisation factor of its day of the year d = 1 … 365 (366)
 *
 *   F(d) = −3.92·10⁻¹⁰·d⁴ + 3.2·10⁻⁷·d³ − 7.02·10⁻⁵·d² + 2.1·10⁻³·d + 1.24
 *
 * (not rounded; the static profiles G25 and L25 have none). The year is then scaled so that it
 * holds `annualKwh` exactly: the quarter hour q's mean power is
 *
 *   P_q = 4 h⁻¹ · e_q · annualKwh / Σ e,   kW
 *
 * with e_q its (dynamised) table energy and Σ e the year's sum — the scaling demandlib applies.
 */
import { InputError, type InputProblem } from '../errors.ts';
import { clip } from '../io/limits.ts';
import { parseDecimal } from '../io/numbers.ts';
import { parseCsvRows, type CsvRow } from './csv-series.ts';
import { germanHolidays } from './holidays.ts';
import { daysInMonth, daysInYear } from './time.ts';

export type BdewDayType = 'SA' | 'FT' | 'WT';
const DAY_TYPES: readonly BdewDayType[] = ['SA', 'FT', 'WT'];

/** Quarter hours in a day. */
export const QUARTER_HOURS = 96;

/** The typical days: for each month (1–12) and day type, 96 energies, kWh per quarter hour per 1,000,000 kWh/a. */
export type BdewTable = Map<`${number}-${BdewDayType}`, Float64Array>;

const MONTH_NAMES: Record<string, number> = Object.fromEntries([
  ...['januar', 'februar', 'märz', 'april', 'mai', 'juni', 'juli', 'august', 'september', 'oktober', 'november', 'dezember'].map((m, k) => [m, k + 1]),
  ...['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'].map((m, k) => [m, k + 1]),
  ['maerz', 3],
  ...Array.from({ length: 12 }, (_, k) => [String(k + 1), k + 1]),
]);

/** Parses a BDEW typical-day table (see the module comment); an InputError naming `file`, line and column otherwise. */
export function parseBdewTable(text: string, file: string, options: { separator?: string; decimalMark?: '.' | ',' } = {}): BdewTable {
  const fail = (problems: InputProblem[]): never => {
    throw new InputError(file, problems.slice(0, 8));
  };
  let rows: CsvRow[];
  try {
    rows = parseCsvRows(text, options.separator ?? ',', true);
  } catch (e) {
    return fail([{ path: '', message: `malformed CSV: ${clip((e as Error).message, 160)}` }]);
  }
  const [months, types, ...body] = rows;
  if (!months || !types) return fail([{ path: '', message: 'a BDEW table needs two header rows (months, then day types SA/FT/WT) and 96 rows of quarter hours' }]);
  const problems: InputProblem[] = [];
  const columns: { month: number; type: BdewDayType; k: number }[] = [];
  const seen = new Set<string>();
  for (let k = 1; k < months[1].length; k++) {
    const name = months[1][k]!.trim();
    const type = (types[1][k] ?? '').trim().toUpperCase();
    if (name === '' && type === '') continue;
    const month = MONTH_NAMES[name.toLowerCase()];
    if (month === undefined) problems.push({ path: `line ${months[0]}, column ${k + 1}`, message: `"${clip(name, 30)}" is not a month (Januar … Dezember)` });
    if (!DAY_TYPES.includes(type as BdewDayType)) problems.push({ path: `line ${types[0]}, column ${k + 1}`, message: `"${clip(type, 30)}" is not a day type (SA, FT or WT)` });
    if (month === undefined || !DAY_TYPES.includes(type as BdewDayType)) continue;
    const key = `${month}-${type}`;
    if (seen.has(key)) problems.push({ path: `line ${types[0]}, column ${k + 1}`, message: `a second column for ${name} ${type}` });
    seen.add(key);
    columns.push({ month, type: type as BdewDayType, k });
  }
  for (let month = 1; month <= 12; month++) {
    for (const type of DAY_TYPES) if (!seen.has(`${month}-${type}`)) problems.push({ path: `line ${types[0]}`, message: `no column for month ${month}, day type ${type}` });
  }
  if (problems.length > 0) return fail(problems);
  if (body.length !== QUARTER_HOURS) return fail([{ path: '', message: `has ${body.length} rows of quarter hours; a BDEW table has 96 (00:00–00:15 to 23:45–24:00)` }]);

  const table: BdewTable = new Map();
  for (const c of columns) table.set(`${c.month}-${c.type}`, new Float64Array(QUARTER_HOURS));
  body.forEach(([line, cells], q) => {
    const label = (cells[0] ?? '').trim();
    const start = `${String(Math.floor(q / 4)).padStart(2, '0')}:${String((q % 4) * 15).padStart(2, '0')}`;
    if (!label.startsWith(start)) problems.push({ path: `line ${line}, column 1`, message: `"${clip(label, 30)}" should be quarter hour ${q + 1}, starting at ${start}` });
    for (const c of columns) {
      const cell = cells[c.k] ?? '';
      const value = parseDecimal(cell, options.decimalMark ?? '.');
      if (value === undefined || value < 0) problems.push({ path: `line ${line}, column ${c.k + 1}`, message: `"${clip(cell.trim(), 30)}" is not a non-negative number` });
      else table.get(`${c.month}-${c.type}`)![q] = value;
    }
  });
  if (problems.length > 0) return fail(problems);
  return table;
}

/**
 * The BDEW day type of a date: Saturday → SA, Sunday → FT, other days → WT; with German
 * holidays, a nationwide public holiday → FT, and 24 and 31 December → SA unless they fall on a
 * Sunday (BDEW's rule for Christmas Eve and New Year's Eve).
 */
export function bdewDayType(year: number, month: number, day: number, holidays: 'DE' | 'none'): BdewDayType {
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay(); // 0 Sunday … 6 Saturday
  if (weekday === 0) return 'FT';
  if (holidays === 'DE') {
    if (germanHolidays(year).some((h) => h.month === month && h.day === day)) return 'FT';
    if (month === 12 && (day === 24 || day === 31)) return 'SA';
  }
  return weekday === 6 ? 'SA' : 'WT';
}

/** BDEW's dynamisation factor of day d (1 = 1 January) of the year, for the dynamic profiles. */
export function bdewDynamisationFactor(dayOfYear: number): number {
  const d = dayOfYear;
  return -3.92e-10 * d ** 4 + 3.2e-7 * d ** 3 - 7.02e-5 * d ** 2 + 0.0021 * d + 1.24;
}

export interface BdewYearOptions {
  year: number;
  /** Energy of the whole year, kWh. */
  annualKwh: number;
  holidays: 'DE' | 'none';
  /** Multiply each day by the dynamisation factor (H25, P25, S25). */
  dynamic: boolean;
}

/** A calendar year of 15-minute mean powers (kW) from 1 January 00:00, scaled to `annualKwh` (module comment). */
export function bdewYearKw(table: BdewTable, options: BdewYearOptions): Float64Array {
  const { year } = options;
  const energy = new Float64Array(daysInYear(year) * QUARTER_HOURS);
  let dayOfYear = 0;
  for (let month = 1; month <= 12; month++) {
    for (let day = 1; day <= daysInMonth(year, month); day++, dayOfYear++) {
      const typical = table.get(`${month}-${bdewDayType(year, month, day, options.holidays)}`)!;
      const factor = options.dynamic ? bdewDynamisationFactor(dayOfYear + 1) : 1;
      for (let q = 0; q < QUARTER_HOURS; q++) energy[dayOfYear * QUARTER_HOURS + q] = typical[q]! * factor;
    }
  }
  const total = energy.reduce((sum, e) => sum + e, 0);
  if (!(total > 0)) throw new RangeError('the table holds no energy: every value is 0');
  const kwPerTableKwh = (4 * options.annualKwh) / total;
  return energy.map((e) => e * kwPerTableKwh);
}

/**
 * A year of 15-minute powers as the CSV a profile reads directly: `time` (ISO 8601 local time,
 * the start of each quarter hour, no offset) and `kw` (mean power, kW, to 1e-6 kW).
 */
export function bdewYearCsv(year: number, kw: Float64Array): string {
  const lines = ['time,kw'];
  let k = 0;
  for (let month = 1; month <= 12; month++) {
    for (let day = 1; day <= daysInMonth(year, month); day++) {
      const date = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
      for (let q = 0; q < QUARTER_HOURS; q++, k++) {
        lines.push(`${date}T${String(Math.floor(q / 4)).padStart(2, '0')}:${String((q % 4) * 15).padStart(2, '0')},${kw[k]!.toFixed(6)}`);
      }
    }
  }
  return lines.join('\n') + '\n';
}
