/**
 * A typical year (TMY3's months come from different years; a standard load profile has no
 * year at all): one year of data whose own years are ignored. Its month-day-times are placed
 * on every calendar year a scenario needs, so it repeats yearly.
 *
 * Leap days: a 365-day typical year placed on a leap year repeats 28 February as 29 February
 * (the year then holds one day more energy); a 366-day one placed on a common year drops its
 * 29 February. Every other day keeps its date, so 1 March stays 1 March.
 */
import type { IntervalSeries } from './resample.ts';
import { isLeapYear, MS_PER_DAY, utcMsToCivil, yearStartUtcMs } from './time.ts';

export interface TypicalYear {
  /** Length of each interval, ms; it divides a day. */
  intervalMs: number;
  /** 365, or 366 when the data has a 29 February. */
  yearDays: 365 | 366;
  /** The local time of the data's month-day-times, minutes east of UTC. */
  utcOffsetMinutes: number;
  /** Mean value over each interval from 1 January 00:00 on: yearDays × (one day / intervalMs) values. */
  values: Float64Array;
}

/** Day index of 29 February in a leap year (1 January is day 0). */
const LEAP_DAY = 59;

/** The calendar years (local to the data's offset) the span [fromMs, toMs) touches. */
export function yearsTouched(year: Pick<TypicalYear, 'utcOffsetMinutes'>, fromMs: number, toMs: number): { first: number; last: number } {
  return { first: utcMsToCivil(fromMs, year.utcOffsetMinutes).year, last: utcMsToCivil(Math.max(fromMs, toMs - 1), year.utcOffsetMinutes).year };
}

/** The typical year laid on every calendar year from `first` to `last`, as one series. */
export function placeTypicalYear(year: TypicalYear, first: number, last: number): IntervalSeries {
  const perDay = MS_PER_DAY / year.intervalMs;
  const day = (d: number) => year.values.subarray(d * perDay, (d + 1) * perDay);
  const days: Float64Array[] = [];
  for (let y = first; y <= last; y++) {
    for (let d = 0; d < year.yearDays; d++) {
      if (year.yearDays === 366 && d === LEAP_DAY && !isLeapYear(y)) continue; // a common year has no 29 February
      days.push(day(d));
      if (year.yearDays === 365 && d === LEAP_DAY - 1 && isLeapYear(y)) days.push(day(d)); // 28 February again as the 29th
    }
  }
  const values = new Float64Array(days.length * perDay);
  days.forEach((v, k) => values.set(v, k * perDay));
  return { startMs: yearStartUtcMs(first, year.utcOffsetMinutes), intervalMs: year.intervalMs, values };
}
