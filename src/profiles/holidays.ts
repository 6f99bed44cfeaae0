/**
 * Public holidays for standard load profiles: the nationwide German ones, found from the date
 * of Easter (Gregorian calendar). Regional holidays (Epiphany, Corpus Christi, All Saints'…)
 * are not included: they differ by state.
 */

export interface Holiday {
  month: number;
  day: number;
  name: string;
}

/** Easter Sunday of a Gregorian year (the anonymous Gregorian algorithm: Meeus, Jones, Butcher). */
export function easterSunday(year: number): { month: number; day: number } {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return { month, day };
}

/**
 * The nationwide public holidays of Germany in a year: New Year, Good Friday, Easter Monday,
 * Labour Day, Ascension, Whit Monday, German Unity Day, Christmas Day and Boxing Day, and
 * Reformation Day in 2017 (that year only, nationwide).
 */
export function germanHolidays(year: number): Holiday[] {
  const easter = easterSunday(year);
  const fromEaster = (days: number, name: string): Holiday => {
    const d = new Date(Date.UTC(year, easter.month - 1, easter.day + days));
    return { month: d.getUTCMonth() + 1, day: d.getUTCDate(), name };
  };
  return [
    { month: 1, day: 1, name: 'Neujahr' },
    fromEaster(-2, 'Karfreitag'),
    fromEaster(1, 'Ostermontag'),
    { month: 5, day: 1, name: 'Tag der Arbeit' },
    fromEaster(39, 'Christi Himmelfahrt'),
    fromEaster(50, 'Pfingstmontag'),
    { month: 10, day: 3, name: 'Tag der Deutschen Einheit' },
    ...(year === 2017 ? [{ month: 10, day: 31, name: 'Reformationstag' }] : []),
    { month: 12, day: 25, name: '1. Weihnachtstag' },
    { month: 12, day: 26, name: '2. Weihnachtstag' },
  ].sort((x, y) => x.month - y.month || x.day - y.day);
}
