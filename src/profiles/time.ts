/**
 * Calendar time for profiles, as plain arithmetic on UTC milliseconds (no time-zone database):
 * a local date-time at a fixed UTC offset is `Date.UTC(local fields) − offset`. There is no
 * daylight-saving time: every offset is fixed ("+01:00" all year). A file whose ISO stamps
 * carry their own offsets (+01:00 in winter, +02:00 in summer) is still read right, stamp by
 * stamp, since each such stamp names one instant.
 *
 * Timestamps are read in two ways:
 * - `ISO`: ISO 8601 date-times `YYYY-MM-DD[T| ]HH:mm[:ss[.fff]]` with an optional `Z` or
 *   `±HH:MM` / `±HHMM` offset, or a date alone `YYYY-MM-DD` (midnight);
 * - a pattern of the tokens `YYYY`, `MM`, `DD`, `HH`, `mm`, `ss` and literal characters,
 *   e.g. `DD.MM.YYYY HH:mm` (01.01.2016 00:15) or `MM/DD/YYYY HH:mm`; `MM`, `DD` and `HH`
 *   take one or two digits.
 * Either way `24:00` is the end of its day (the next day's 00:00), as in TMY3's hour-ending
 * stamps 01:00 … 24:00.
 */

export const MS_PER_MINUTE = 60_000;
export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;

/** A local calendar date and clock time; `hour` may be 24 (with zero minutes and seconds): the end of the day. */
export interface CivilTime {
  year: number;
  /** 1–12 */
  month: number;
  /** 1–31 */
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

/** A parsed timestamp: its local fields, and its own UTC offset when it names one. */
export interface ParsedStamp {
  civil: CivilTime;
  offsetMinutes?: number;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeapYear(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export function daysInYear(year: number): number {
  return isLeapYear(year) ? 366 : 365;
}

/** UTC milliseconds of a local time at a fixed offset east of UTC (minutes): Date.UTC(local) − offset. */
export function civilToUtcMs(c: CivilTime, offsetMinutes: number): number {
  // Years are 1000–9999 (civilProblem): Date.UTC's mapping of 0–99 to 1900–1999 does not arise.
  return Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute, c.second, c.millisecond) - offsetMinutes * MS_PER_MINUTE;
}

/** The local fields of an instant at a fixed offset (hour 0–23). */
export function utcMsToCivil(ms: number, offsetMinutes: number): CivilTime {
  const d = new Date(ms + offsetMinutes * MS_PER_MINUTE);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millisecond: d.getUTCMilliseconds(),
  };
}

/** UTC milliseconds of 1 January 00:00 of `year`, local to the offset. */
export function yearStartUtcMs(year: number, offsetMinutes: number): number {
  return civilToUtcMs({ year, month: 1, day: 1, hour: 0, minute: 0, second: 0, millisecond: 0 }, offsetMinutes);
}

/** Minutes east of UTC of "+01:00", "-05:00", "+0530", "Z" (0); undefined for anything else. */
export function parseUtcOffsetMinutes(text: string): number | undefined {
  if (text === 'Z') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(text);
  if (!m) return undefined;
  const hours = Number(m[2]);
  const minutes = Number(m[3]);
  if (hours > 18 || minutes > 59) return undefined;
  return (m[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

/** "+01:00" for 60, "-05:00" for −300. */
export function formatUtcOffset(offsetMinutes: number): string {
  const a = Math.abs(offsetMinutes);
  return `${offsetMinutes < 0 ? '-' : '+'}${pad2(Math.floor(a / 60))}:${pad2(a % 60)}`;
}

/** "2016-01-01T00:15" (seconds only when not zero), local to the offset, for messages and files. */
export function formatLocal(ms: number, offsetMinutes: number): string {
  const c = utcMsToCivil(ms, offsetMinutes);
  const seconds = c.second !== 0 || c.millisecond !== 0 ? `:${pad2(c.second)}${c.millisecond ? `.${String(c.millisecond).padStart(3, '0')}` : ''}` : '';
  return `${String(c.year).padStart(4, '0')}-${pad2(c.month)}-${pad2(c.day)}T${pad2(c.hour)}:${pad2(c.minute)}${seconds}`;
}

/** A reason the fields are not a date and time, or undefined when they are one. */
export function civilProblem(c: CivilTime): string | undefined {
  if (c.year < 1000 || c.year > 9999) return `year ${c.year} is out of range`;
  if (c.month < 1 || c.month > 12) return `month ${c.month} does not exist`;
  if (c.day < 1 || c.day > daysInMonth(c.year, c.month)) return `day ${c.day} does not exist in ${c.year}-${pad2(c.month)}`;
  if (c.hour === 24 ? c.minute !== 0 || c.second !== 0 || c.millisecond !== 0 : c.hour > 23) return `${c.hour}:${pad2(c.minute)} is not a time of day`;
  if (c.minute > 59 || c.second > 59) return `${pad2(c.hour)}:${pad2(c.minute)}:${pad2(c.second)} is not a time of day`;
  return undefined;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;

/** An ISO 8601 date-time (see the module comment), or why it is not one. */
export function parseIsoStamp(text: string): ParsedStamp | string {
  // The common "YYYY-MM-DDTHH:mm" without a regular expression (a year of 15-minute stamps is 35,136 of them).
  if (text.length === 16 && text[4] === '-' && text[7] === '-' && (text[10] === 'T' || text[10] === ' ') && text[13] === ':') {
    const year = digits(text, 0, 4);
    const month = digits(text, 5, 2);
    const day = digits(text, 8, 2);
    const hour = digits(text, 11, 2);
    const minute = digits(text, 14, 2);
    if (year >= 0 && month >= 0 && day >= 0 && hour >= 0 && minute >= 0) {
      const civil: CivilTime = { year, month, day, hour, minute, second: 0, millisecond: 0 };
      return civilProblem(civil) ?? { civil };
    }
  }
  const m = ISO.exec(text);
  if (!m) return 'is not an ISO 8601 date-time (YYYY-MM-DDTHH:mm)';
  if (m[8] !== undefined && m[4] === undefined) return 'is a date with an offset but no time';
  const civil: CivilTime = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
    millisecond: Number((m[7] ?? '0').padEnd(3, '0')),
  };
  const problem = civilProblem(civil);
  if (problem) return problem;
  if (m[8] === undefined) return { civil };
  const offsetMinutes = parseUtcOffsetMinutes(m[8]);
  return offsetMinutes === undefined ? `has an impossible UTC offset "${m[8]}"` : { civil, offsetMinutes };
}

/** Turns a timestamp format ("ISO", or a token pattern such as "DD.MM.YYYY HH:mm") into a parser. */
export function timestampParser(format: string): ((text: string) => ParsedStamp | string) | string {
  if (format === 'ISO') return parseIsoStamp;
  const fields: (keyof CivilTime)[] = [];
  let pattern = '';
  for (let i = 0; i < format.length; ) {
    const token = ['YYYY', 'MM', 'DD', 'HH', 'mm', 'ss'].find((t) => format.startsWith(t, i));
    if (token) {
      const field = ({ YYYY: 'year', MM: 'month', DD: 'day', HH: 'hour', mm: 'minute', ss: 'second' } as const)[token as 'YYYY'];
      if (fields.includes(field)) return `names ${token} twice`;
      fields.push(field);
      pattern += token === 'YYYY' ? '(\\d{4})' : token === 'mm' || token === 'ss' ? '(\\d{2})' : '(\\d{1,2})';
      i += token.length;
    } else {
      if (/[A-Za-z]/.test(format[i]!)) return `has "${format[i]}", which is no token: use YYYY, MM, DD, HH, mm, ss (or "ISO")`;
      pattern += format[i]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      i++;
    }
  }
  for (const needed of ['year', 'month', 'day'] as const) {
    if (!fields.includes(needed)) return `has no ${needed === 'year' ? 'YYYY' : needed === 'month' ? 'MM' : 'DD'}`;
  }
  if (fields.includes('minute') && !fields.includes('hour')) return 'has mm but no HH';
  const regex = new RegExp(`^${pattern}$`);
  return (text: string) => {
    const m = regex.exec(text);
    if (!m) return `does not match the format "${format}"`;
    const civil: CivilTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, millisecond: 0 };
    fields.forEach((field, k) => (civil[field] = Number(m[k + 1])));
    return civilProblem(civil) ?? { civil };
  };
}

/** A local ISO date-time without an offset (a scenario's `start`), or why it is not one. */
export function parseLocalDateTime(text: string): CivilTime | string {
  const parsed = parseIsoStamp(text);
  if (typeof parsed === 'string') return parsed;
  if (parsed.offsetMinutes !== undefined) return 'carries a UTC offset: give it in "utcOffset" instead';
  if (parsed.civil.hour === 24) return 'names 24:00: write the next day at 00:00';
  return parsed.civil;
}

/** The number of `length` decimal digits at `from`, or −1. */
function digits(text: string, from: number, length: number): number {
  let n = 0;
  for (let i = from; i < from + length; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
