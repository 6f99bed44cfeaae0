/**
 * Time series from CSV files (src/profiles/): resampling against hand-computed means, stamps
 * that start or end their intervals, UTC offsets, timestamp formats, typical years and leap
 * days, units and scales, the PV model against hand-computed values, BDEW typical days made a
 * calendar year, and the messages for bad files (file, line and column named). Scenarios are
 * written to a temporary folder and resolved as `loadScenario` does.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.ts';
import { diskSource } from '../src/io/disk-source.ts';
import { bdewDayType, bdewDynamisationFactor, bdewYearCsv, bdewYearKw, parseBdewTable } from '../src/profiles/bdew.ts';
import { parseProfileTable, readProfileTable, type ProfileFileOptions } from '../src/profiles/csv-series.ts';
import { easterSunday, germanHolidays } from '../src/profiles/holidays.ts';
import { cellTemperatureC, DEFAULT_PV_MODEL, pvAcKw } from '../src/profiles/pv.ts';
import { resampleMeans } from '../src/profiles/resample.ts';
import { parseIsoStamp, timestampParser } from '../src/profiles/time.ts';
import { loadScenarioWithInputs, parseScenario } from '../src/scenario/load.ts';
import { loadSweep } from '../src/sweep/points.ts';

const root = mkdtempSync(join(tmpdir(), 'p2pmarket-profiles-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let folders = 0;
/** A fresh folder holding the given files. */
function folder(files: Record<string, string>): string {
  const dir = join(root, `case-${folders++}`);
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const H = 3_600_000;
const MIN = 60_000;

/** A one-prosumer scenario on a two-bus feeder whose load (or `field`) comes from `profile`. */
function scenario(options: { start?: string; utcOffset?: string; steps: number; stepHours: number; profile: Record<string, unknown>; ref?: Record<string, unknown>; field?: 'loadKw' | 'pvKw' | 'scheduleKw' }) {
  return {
    name: 'profiles',
    ...(options.start ? { start: options.start } : {}),
    ...(options.utcOffset ? { utcOffset: options.utcOffset } : {}),
    steps: options.steps,
    stepHours: options.stepHours,
    profiles: { p: options.profile },
    network: { baseKv: 10, baseKva: 1, slack: '0', buses: ['0', '1'], lines: [{ from: '0', to: '1', rOhm: 1, xOhm: 1 }] },
    utility: { bus: '0' },
    prosumers: [{ id: 'a', bus: '1', [options.field ?? 'loadKw']: { profile: 'p', ...options.ref } }],
  };
}

/** The series a scenario's prosumer gets from a CSV text. */
function resolved(csv: string, options: Parameters<typeof scenario>[0]): number[] {
  const dir = folder({ 'p.csv': csv });
  const s = parseScenario(scenario(options), join(dir, 'scenario.json'), { baseDir: dir });
  return s.prosumers[0]![options.field ?? 'loadKw']!;
}

/** The problems an InputError lists, as "file: path: message" lines. */
function refusal(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as InputError).message;
  }
  throw new Error('expected an InputError');
}

/** hourly or 15-minute ISO stamps and values. */
function csvOf(stamps: string[], values: (number | string)[], header = 'time,kw', separator = ','): string {
  return `${header}\n${stamps.map((t, i) => `${t}${separator}${values[i]}`).join('\n')}\n`;
}
const quarterHours = (from: string, count: number) => Array.from({ length: count }, (_, i) => new Date(Date.parse(`${from}Z`) + i * 15 * MIN).toISOString().slice(0, 16));
const hours = (from: string, count: number) => Array.from({ length: count }, (_, i) => new Date(Date.parse(`${from}Z`) + i * H).toISOString().slice(0, 16));
const iso = { file: 'p.csv', timestamp: { column: 'time' }, column: 'kw', unit: 'kW' };

describe('resampling (mean power over each step)', () => {
  it('down-samples 15 minutes to 1 hour: the mean of four quarter hours', () => {
    const series = { startMs: 0, intervalMs: 15 * MIN, values: [1, 2, 3, 4, 5, 6, 7, 8] };
    expect(resampleMeans(series, 0, H, 2)).toEqual([2.5, 6.5]);
  });

  it('up-samples 1 hour to 15 minutes: each quarter hour the hour\'s mean', () => {
    expect(resampleMeans({ startMs: 0, intervalMs: H, values: [4, 8] }, 0, 15 * MIN, 8)).toEqual([4, 4, 4, 4, 8, 8, 8, 8]);
  });

  it('splits the intervals a 40-minute step straddles by their overlap', () => {
    const values = [1, 2, 3, 4, 5, 6, 7, 8];
    const means = resampleMeans({ startMs: 0, intervalMs: 15 * MIN, values }, 0, 40 * MIN, 3);
    // [0, 40): 15·1 + 15·2 + 10·3; [40, 80): 5·3 + 15·4 + 15·5 + 5·6; [80, 120): 10·6 + 15·7 + 15·8 (minutes × kW) / 40.
    expect(means[0]).toBeCloseTo(75 / 40, 12);
    expect(means[1]).toBeCloseTo(180 / 40, 12);
    expect(means[2]).toBeCloseTo(285 / 40, 12);
    // The energy is the data's: 2 h of steps hold the 2 h of quarter hours.
    expect(means.reduce((s, m) => s + m * 40, 0)).toBeCloseTo(values.reduce((s, v) => s + v * 15, 0), 9);
  });

  it('averages across the bound of steps that start mid-interval', () => {
    expect(resampleMeans({ startMs: 0, intervalMs: H, values: [2, 4, 10] }, 30 * MIN, H, 2)).toEqual([3, 7]);
  });

  it('refuses steps the series does not cover', () => {
    expect(() => resampleMeans({ startMs: 0, intervalMs: H, values: [1] }, 0, H, 2)).toThrow(RangeError);
  });
});

describe('profiles in a scenario', () => {
  it('reads 15-minute ISO data into hourly steps (mean power)', () => {
    const csv = csvOf(quarterHours('2016-03-01T00:00', 8), [1, 2, 3, 4, 5, 6, 7, 8]);
    expect(resolved(csv, { start: '2016-03-01T00:00', steps: 2, stepHours: 1, profile: iso })).toEqual([2.5, 6.5]);
    // The net schedule is PV − load.
    const dir = folder({ 'p.csv': csv });
    const s = parseScenario(scenario({ start: '2016-03-01T00:00', steps: 2, stepHours: 1, profile: iso }), 'x.json', { baseDir: dir });
    expect(s.prosumers[0]!.scheduleKw).toEqual([-2.5, -6.5]);
  });

  it('takes a stamp as the start or the end of its interval', () => {
    const csv = csvOf(quarterHours('2016-03-01T00:15', 8), [1, 2, 3, 4, 5, 6, 7, 8]); // 00:15 … 02:00
    const step = (stamp: 'start' | 'end') => resolved(csv, { start: '2016-03-01T01:00', steps: 1, stepHours: 1, profile: { ...iso, stamp } });
    expect(step('start')).toEqual([5.5]); // intervals starting 01:00 … 01:45: values 4, 5, 6, 7
    expect(step('end')).toEqual([6.5]); // intervals ending 01:15 … 02:00: values 5, 6, 7, 8
    // Ending stamps: the first interval starts at 00:00, so the whole span is there.
    expect(resolved(csv, { start: '2016-03-01T00:00', steps: 2, stepHours: 1, profile: { ...iso, stamp: 'end' } })).toEqual([2.5, 6.5]);
  });

  it('aligns UTC offsets: the profile\'s local time, the scenario\'s, and offsets in the stamps', () => {
    const csv = csvOf(hours('2016-03-01T00:00', 6), [0, 1, 2, 3, 4, 5]); // value = local hour
    // The profile at UTC+1, the scenario at UTC: the scenario's 00:00 is the profile's 01:00.
    expect(resolved(csv, { start: '2016-03-01T00:00', steps: 2, stepHours: 1, profile: { ...iso, utcOffset: '+01:00' } })).toEqual([1, 2]);
    // The scenario at UTC−5 and the profile at UTC+1: six hours apart.
    expect(resolved(csv, { start: '2016-02-29T19:00', utcOffset: '-05:00', steps: 1, stepHours: 1, profile: { ...iso, utcOffset: '+01:00' } })).toEqual([1]);
    // Stamps that carry their offset name their instant, whatever the profile's utcOffset says.
    const stamped = csvOf(['2016-03-01T01:00+01:00', '2016-03-01T01:00Z', '2016-03-01T03:00+01:00'], [7, 8, 9]);
    expect(resolved(stamped, { start: '2016-03-01T00:00', steps: 3, stepHours: 1, profile: { ...iso, utcOffset: '-05:00' } })).toEqual([7, 8, 9]);
  });

  it('reads day-first stamps, a ";" separator and decimal commas', () => {
    const csv = 'zeit;leistung\n01.01.2016 00:00;1,5\n01.01.2016 00:15;2,5\n01.01.2016 00:30;-0,5\n01.01.2016 00:45;0\n';
    const profile = { file: 'p.csv', timestamp: { column: 'zeit', format: 'DD.MM.YYYY HH:mm' }, column: 'leistung', unit: 'kW', separator: ';', decimalMark: ',' };
    expect(resolved(csv, { start: '2016-01-01T00:00', steps: 1, stepHours: 1, profile, field: 'scheduleKw' })).toEqual([0.875]);
  });

  it('reads a date and a time column, month first, with 24:00 ending a day', () => {
    const csv = 'date,time_ending,kw\n12/31/2015,23:00,1\n12/31/2015,24:00,3\n01/01/2016,01:00,5\n';
    const profile = { file: 'p.csv', timestamp: { columns: ['date', 'time_ending'], format: 'MM/DD/YYYY HH:mm' }, stamp: 'end', column: 'kw', unit: 'kW' };
    expect(resolved(csv, { start: '2015-12-31T23:00', steps: 2, stepHours: 1, profile })).toEqual([3, 5]);
  });

  it('converts units: W, kWh per interval; scales by scale, peakKw and annualKwh; shifts in time', () => {
    const stamps = quarterHours('2016-03-01T00:00', 8);
    expect(resolved(csvOf(stamps, [1000, 2000, 3000, 2000, 0, 0, 0, 0]), { start: '2016-03-01T00:00', steps: 1, stepHours: 1, profile: { ...iso, unit: 'W' } })).toEqual([2]);
    expect(resolved(csvOf(stamps, [0.25, 0.5, 0.25, 0, 0, 0, 0, 0]), { start: '2016-03-01T00:00', steps: 1, stepHours: 1, profile: { ...iso, unit: 'kWh' } })).toEqual([1]); // 1 kWh in the hour
    const shape = { ...iso, unit: 'shape' };
    const csv = csvOf(stamps, [0, 0.5, 1, 0.5, 0.25, 0, 0, 0]);
    expect(resolved(csv, { start: '2016-03-01T00:00', steps: 2, stepHours: 1, profile: shape, ref: { scale: 4 } })).toEqual([4 * 0.5, 4 * 0.0625]);
    expect(resolved(csv, { start: '2016-03-01T00:00', steps: 2, stepHours: 1, profile: shape, ref: { peakKw: 6 } })).toEqual([3, 0.375]);
    // 8 quarter hours are not a calendar year: E = mean power × 8760 h = (2.25 / 8) × 8760 = 2463.75.
    const [annual] = resolved(csv, { start: '2016-03-01T00:00', steps: 1, stepHours: 1, profile: shape, ref: { annualKwh: 2463.75 } });
    expect(annual).toBeCloseTo(0.5, 12);
    // shiftHours moves the profile later: step 0 (01:00–02:00) gets 00:00–01:00, or 00:30–01:30.
    expect(resolved(csv, { start: '2016-03-01T01:00', steps: 1, stepHours: 1, profile: shape, ref: { shiftHours: 1 } })).toEqual([0.5]);
    expect(resolved(csv, { start: '2016-03-01T01:00', steps: 1, stepHours: 1, profile: shape, ref: { shiftHours: 0.5 } })).toEqual([(1 + 0.5 + 0.25 + 0) / 4]);
    expect(resolved(csv, { start: '2016-03-01T00:00', steps: 1, stepHours: 1, profile: shape, ref: { shiftHours: -1 } })).toEqual([0.0625]);
  });

  it('scales a whole calendar year by its own energy (leap year: 8784 h)', () => {
    const days = Array.from({ length: 366 }, (_, d) => new Date(Date.UTC(2016, 0, 1 + d)).toISOString().slice(0, 10));
    const csv = csvOf(days, days.map(() => 2)); // 2 kW all of 2016: 17,568 kWh
    const [kw] = resolved(csv, { start: '2016-07-01T00:00', steps: 1, stepHours: 24, profile: { ...iso, unit: 'shape' }, ref: { annualKwh: 8784 } });
    expect(kw).toBeCloseTo(1, 12);
  });

  it('places a typical year on any year: 28 February repeated in a leap year, 29 February dropped in a common one, years joined', () => {
    // Daily values 1 … 365 of a common year (1999's dates), and 1 … 366 of a leap one (2000's).
    const year = (y: number, n: number) => csvOf(Array.from({ length: n }, (_, d) => new Date(Date.UTC(y, 0, 1 + d)).toISOString().slice(0, 10)), Array.from({ length: n }, (_, d) => d + 1));
    const profile = { ...iso, typicalYear: true };
    expect(resolved(year(1999, 365), { start: '2016-02-27T00:00', steps: 4, stepHours: 24, profile })).toEqual([58, 59, 59, 60]);
    expect(resolved(year(2000, 366), { start: '2017-02-27T00:00', steps: 3, stepHours: 24, profile })).toEqual([58, 59, 61]);
    expect(resolved(year(2000, 366), { start: '2016-02-28T00:00', steps: 2, stepHours: 24, profile })).toEqual([59, 60]);
    expect(resolved(year(1999, 365), { start: '2016-12-30T00:00', steps: 4, stepHours: 24, profile })).toEqual([364, 365, 1, 2]);
    // 1,000 days: the year repeats.
    expect(resolved(year(1999, 365), { start: '2017-01-01T00:00', steps: 1000, stepHours: 24, profile }).slice(364, 367)).toEqual([365, 1, 2]);
  });

  it('maps TMY3\'s months of different years onto the scenario\'s year (the bundled file)', () => {
    const dir = folder({});
    const tmy = resolve('data/profiles/tmy3-723170-greensboro-nc.csv');
    const profile = { file: tmy, timestamp: { columns: ['date', 'time_ending'], format: 'MM/DD/YYYY HH:mm' }, stamp: 'end', typicalYear: true, utcOffset: '-05:00', column: 'ghi_w_m2', unit: 'W/m2', temperatureColumn: 'temp_air_c' };
    const s = parseScenario(scenario({ start: '2016-01-01T00:00', utcOffset: '-05:00', steps: 8784, stepHours: 1, profile, field: 'pvKw', ref: { peakKw: 1 } }), 'x.json', { baseDir: dir });
    const pv = s.prosumers[0]!.pvKw!;
    expect(pv).toHaveLength(8784);
    // 1 January 1988 hour ending 09:00: GHI 46 W/m², 10.0 °C → the hour 08:00–09:00.
    expect(pv[8]).toBeCloseTo(pvAcKw(46, 10, 1, DEFAULT_PV_MODEL), 12);
    expect(pv.slice(0, 7).every((p) => p === 0)).toBe(true);
    // 29 February 2016 is 28 February (1996's in the file) again.
    expect(pv.slice(59 * 24, 60 * 24)).toEqual(pv.slice(58 * 24, 59 * 24));
    // A year of 1 kW DC under Greensboro's sun: 1.2–1.6 MWh AC (flat modules, 18 % losses), at most the 1/1.2 kW inverter.
    const energy = pv.reduce((a, b) => a + b, 0);
    expect(energy).toBeGreaterThan(1200);
    expect(energy).toBeLessThan(1600);
    expect(Math.max(...pv)).toBeLessThanOrEqual(1 / 1.2 + 1e-12);
  });

  it('lists the files it read, and parses a file once (a cache keyed by path, size, time and options)', () => {
    const csv = csvOf(hours('2016-03-01T00:00', 4), [1, 2, 3, 4]);
    const dir = folder({ 'p.csv': csv, 'scenario.json': JSON.stringify(scenario({ start: '2016-03-01T00:00', steps: 2, stepHours: 1, profile: iso })) });
    const { scenario: s, inputs } = loadScenarioWithInputs(join(dir, 'scenario.json'));
    expect(inputs).toEqual([resolve(dir, 'scenario.json'), resolve(dir, 'p.csv')]);
    expect(s.prosumers[0]!.loadKw).toEqual([1, 2]);
    const options: ProfileFileOptions = { timestampColumns: ['time'], timestampFormat: 'ISO', stamp: 'start', utcOffsetMinutes: 0, typicalYear: false, columns: ['kw'], separator: ',', decimalMark: '.' };
    const first = readProfileTable(join(dir, 'p.csv'), options, diskSource());
    expect(readProfileTable(join(dir, 'p.csv'), options, diskSource())).toBe(first);
    expect(readProfileTable(join(dir, 'p.csv'), { ...options, stamp: 'end' }, diskSource())).not.toBe(first);
    writeFileSync(join(dir, 'p.csv'), csvOf(hours('2016-03-01T00:00', 4), [10, 20, 30, 40])); // another size
    expect(Array.from(readProfileTable(join(dir, 'p.csv'), options, diskSource()).columns.kw!)).toEqual([10, 20, 30, 40]);
  });

  it('lets a sweep set a reference\'s scale (prosumers[0].pvKw.peakKw), the profile read once', () => {
    const dir = folder({
      'scenario.json': readFileSync('scenarios/seed-profiles.json', 'utf8').replaceAll('../data/profiles/', `${resolve('data/profiles')}/`),
      'sweep.json': JSON.stringify({ scenario: 'scenario.json', parameters: [{ path: 'prosumers[0].pvKw.peakKw', values: [3, 6] }] }),
    });
    const plan = loadSweep(join(dir, 'sweep.json'));
    const [small, large] = [plan.point(0).scenario, plan.point(1).scenario];
    // Every term of the PV model is proportional to the DC rating (the inverter's default limit too).
    large.prosumers[0]!.pvKw!.forEach((kw, t) => expect(small.prosumers[0]!.pvKw![t]).toBeCloseTo(kw / 2, 12));
    expect(small.prosumers[1]!.pvKw).toEqual(large.prosumers[1]!.pvKw);
  });
});

describe('profile files that are refused (file, line and column named)', () => {
  const start = { start: '2016-03-01T00:00', steps: 2, stepHours: 1, profile: iso };
  const refused = (csv: string, options: Parameters<typeof scenario>[0] = start) => refusal(() => resolved(csv, options));

  it('a gap, counting header and blank lines as an editor does', () => {
    const csv = 'time,kw\n2016-03-01T00:00,1\n2016-03-01T00:15,1\n\n2016-03-01T00:45,1\n2016-03-01T01:00,1\n2016-03-01T01:15,1\n';
    expect(refused(csv)).toMatch(/p\.csv: line 5, column time: a gap: 1 missing interval of 15 min between line 3 \("2016-03-01T00:15"\) and this line \("2016-03-01T00:45"\)/);
  });

  it('duplicate and unsorted timestamps', () => {
    expect(refused(csvOf(['2016-03-01T00:00', '2016-03-01T01:00', '2016-03-01T01:00', '2016-03-01T02:00'], [1, 2, 3, 4]))).toMatch(/line 4, column time: repeats the timestamp "2016-03-01T01:00" of line 3/);
    expect(refused(csvOf(['2016-03-01T00:00', '2016-03-01T02:00', '2016-03-01T01:00', '2016-03-01T03:00'], [1, 2, 3, 4]))).toMatch(/line 4, column time: "2016-03-01T01:00" comes before line 3 \("2016-03-01T02:00"\): the rows must be in time order/);
  });

  it('an unparsable cell, an empty one, a bad timestamp, a decimal comma without decimalMark', () => {
    expect(refused(csvOf(hours('2016-03-01T00:00', 3), [1, 'abc', 3]))).toMatch(/p\.csv: line 3, column kw: "abc" is not a number/);
    expect(refused(csvOf(hours('2016-03-01T00:00', 3), [1, '', 3]))).toMatch(/line 3, column kw: an empty cell/);
    expect(refused(csvOf(['2016-03-01T00:00', '2016-02-30T01:00'], [1, 2]))).toMatch(/line 3, column time: "2016-02-30T01:00" day 30 does not exist in 2016-02/);
    expect(refused(csvOf(['2016-03-01T00:00', '2016-03-01T01:00'], ['1', '"2,5"']))).toMatch(/line 3, column kw: "2,5" is not a number \(a decimal comma\? set "decimalMark": ","\)/);
  });

  it('a missing column, listing those found', () => {
    expect(refused('time,power\n2016-03-01T00:00,1\n2016-03-01T01:00,1\n')).toMatch(/p\.csv: line 1: no column "kw" \(columns found: "time", "power"\)/);
  });

  it('a file that does not cover the horizon: what it covers and what is needed', () => {
    expect(refused(csvOf(hours('2016-03-01T00:00', 3), [1, 2, 3]), { ...start, steps: 4 })).toMatch(
      /prosumers\[0\]\.loadKw: profile "p" \(.*p\.csv\) covers 2016-03-01T00:00 to 2016-03-01T03:00 \(UTC\+00:00\); the scenario needs 2016-03-01T00:00 to 2016-03-01T04:00/,
    );
  });

  it('a typical year that is not one whole year', () => {
    expect(refused(csvOf(hours('2016-03-01T00:00', 3), [1, 2, 3]), { ...start, profile: { ...iso, typicalYear: true } })).toMatch(/a typical year runs from 1 January 00:00 to 31 December 24:00 \(365 days\); the intervals of this file run from 1 March 00:00 to 1 March 03:00/);
  });

  it('a file that is not there, a negative load, units a field does not take, an unknown profile, no start', () => {
    const csv = csvOf(hours('2016-03-01T00:00', 3), [1, -2, 3]);
    // Named at the scenario's field that points to it, with the path looked for.
    expect(refusal(() => parseScenario(scenario(start), 'x.json', { baseDir: join(root, 'nowhere') }))).toMatch(/^x\.json: profiles\.\w+\.file: "p\.csv": file not found \(looked for .*nowhere\/p\.csv\)$/m);
    expect(refused(csv)).toMatch(/p\.csv: line 3, column kw: -2 is negative: PV and load are magnitudes \(≥ 0\)/);
    expect(resolved(csv, { ...start, field: 'scheduleKw' })).toEqual([1, -2]); // a net schedule may be negative
    expect(refused(csv, { ...start, profile: { ...iso, unit: 'W/m2' } })).toMatch(/prosumers\[0\]\.loadKw: profile "p" is irradiance \(W\/m2\): only pvKw takes one/);
    expect(refused(csv, { ...start, ref: { profile: 'q' } })).toMatch(/prosumers\[0\]\.loadKw\.profile: unknown profile "q" \(profiles: p\)/);
    expect(refused(csv, { ...start, ref: { scale: 2, peakKw: 3 } })).toMatch(/give one of scale, peakKw and annualKwh, not scale and peakKw/);
    expect(refused(csv, { ...start, start: undefined })).toMatch(/scenario\.json: start: is required when a series comes from a profile \(prosumers\[0\]\.loadKw\)/);
    expect(refused(csv, { ...start, profile: { ...iso, timestamp: { column: 'time', format: 'YYYY/MM' } } })).toMatch(/scenario\.json: profiles\.p\.timestamp\.format: "YYYY\/MM" has no DD/);
    const dir = folder({ 'p.csv': csv });
    // A net schedule given with PV and load (as a run's scenario.json holds them) must be their difference.
    const net = { ...scenario(start), prosumers: [{ id: 'a', bus: '1', scheduleKw: [-1, 0], loadKw: [1, 2] }] };
    expect(refusal(() => parseScenario(net, 'x.json'))).toMatch(/x\.json: prosumers\[0\]\.scheduleKw: step 1: 0 kW is not pvKw − loadKw = -2 kW/);
    const withPriority = { ...scenario(start), utility: { bus: '0', priority: { profile: 'p' } } };
    expect(refusal(() => parseScenario(withPriority, 'x.json', { baseDir: dir }))).toMatch(/utility\.priority: profile "p" is in kW, but priority is a plain number/);
    expect(refusal(() => parseScenario({ ...scenario(start), prosumers: [{ id: 'a', bus: '1', loadKw: 'p' }] }, 'x.json', { baseDir: dir }))).toMatch(/prosumers\[0\]\.loadKw: must be an array with one value per step, or a profile reference/);
    expect(refusal(() => parseScenario({ ...scenario(start), prosumers: [{ id: 'a', bus: '1', loadKw: { profile: 'p', scael: 2 } }] }, 'x.json', { baseDir: dir }))).toMatch(/prosumers\[0\]\.loadKw: unknown field "scael"/);
  });

  it('at most a few problems of a file, then how many more', () => {
    const csv = csvOf(hours('2016-03-01T00:00', 30), Array.from({ length: 30 }, () => 'x'));
    const message = refused(csv);
    expect(message.split('\n').length).toBeLessThanOrEqual(10);
  });
});

describe('the PV model against hand-computed values', () => {
  it('cell temperature from NOCT: T_air + G·(45 − 20)/800', () => {
    expect(cellTemperatureC(800, 20, 45)).toBe(45);
    expect(cellTemperatureC(1000, 35, 45)).toBeCloseTo(66.25, 12);
  });

  it('DC power with the temperature coefficient, the derate and inverter efficiency, the inverter limit', () => {
    const m = DEFAULT_PV_MODEL;
    // 800 W/m², 20 °C air: T_cell 45 °C; P_dc = 5 · 0.8 · (1 − 0.0037 · 20) = 3.704 kW; AC = 0.96 · 0.86 · 3.704.
    expect(pvAcKw(800, 20, 5, m)).toBeCloseTo(3.0580224, 10);
    // 1000 W/m², 35 °C: T_cell 66.25 °C; P_dc = 5 · (1 − 0.0037 · 41.25) = 4.236875 kW; AC 3.4979640.
    expect(pvAcKw(1000, 35, 5, m)).toBeCloseTo(0.8256 * 4.236875, 10);
    // 1000 W/m², −10 °C: T_cell 21.25 °C, P_dc = 5.069375 kW, AC 4.185 clipped at the default limit 5 / 1.2.
    expect(pvAcKw(1000, -10, 5, m)).toBeCloseTo(5 / 1.2, 12);
    expect(pvAcKw(1000, 35, 5, { ...m, inverterKw: 3 })).toBe(3);
    expect(pvAcKw(0, 30, 5, m)).toBe(0);
  });

  it('in a scenario: irradiance and temperature columns, hour-ending, to hourly PV power', () => {
    const csv = 'time,ghi,t_air\n2016-06-01T01:00,800,20\n2016-06-01T02:00,1000,35\n';
    const profile = { file: 'p.csv', timestamp: { column: 'time' }, stamp: 'end', column: 'ghi', unit: 'W/m2', temperatureColumn: 't_air' };
    const pv = resolved(csv, { start: '2016-06-01T00:00', steps: 2, stepHours: 1, profile, field: 'pvKw', ref: { peakKw: 5 } });
    expect(pv[0]).toBeCloseTo(3.0580224, 10);
    expect(pv[1]).toBeCloseTo(0.8256 * 4.236875, 10);
    // Half-hour steps take each hour's power; a constant 25 °C without a temperature column: T_cell 50 °C.
    const constant = resolved(csv, { start: '2016-06-01T00:00', steps: 2, stepHours: 0.5, profile: { ...profile, temperatureColumn: undefined }, field: 'pvKw', ref: { peakKw: 5, pvModel: { airTemperatureC: 25, derate: 1, inverterEfficiency: 1 } } });
    expect(constant).toEqual([5 * 0.8 * (1 - 0.0037 * 25), 5 * 0.8 * (1 - 0.0037 * 25)].map((x) => expect.closeTo(x, 12)));
  });
});

describe('BDEW typical days made a calendar year', () => {
  const g25 = parseBdewTable(readFileSync('data/profiles/bdew-g25-commercial.csv', 'utf8'), 'g25.csv');
  const h25 = parseBdewTable(readFileSync('data/profiles/bdew-h25-household.csv', 'utf8'), 'h25.csv');

  it('finds Easter and the German public holidays', () => {
    expect([2016, 2017, 2018, 2019, 2024, 2025].map((y) => easterSunday(y))).toEqual([
      { month: 3, day: 27 }, { month: 4, day: 16 }, { month: 4, day: 1 }, { month: 4, day: 21 }, { month: 3, day: 31 }, { month: 4, day: 20 },
    ]);
    expect(germanHolidays(2016).map((h) => `${h.month}-${h.day}`)).toEqual(['1-1', '3-25', '3-28', '5-1', '5-5', '5-16', '10-3', '12-25', '12-26']);
    expect(germanHolidays(2017).map((h) => h.name)).toContain('Reformationstag');
  });

  it('takes day types from the calendar', () => {
    expect(bdewDayType(2016, 1, 1, 'none')).toBe('WT'); // a Friday
    expect(bdewDayType(2016, 1, 1, 'DE')).toBe('FT'); // New Year
    expect(bdewDayType(2016, 1, 2, 'none')).toBe('SA');
    expect(bdewDayType(2016, 1, 3, 'none')).toBe('FT');
    expect(bdewDayType(2016, 3, 25, 'DE')).toBe('FT'); // Good Friday
    expect(bdewDayType(2016, 3, 25, 'none')).toBe('WT');
    expect(bdewDayType(2018, 12, 24, 'DE')).toBe('SA'); // Christmas Eve, a Monday: a Saturday for BDEW
    expect(bdewDayType(2018, 12, 31, 'DE')).toBe('SA');
    expect(bdewDayType(2018, 12, 24, 'none')).toBe('WT');
    expect(bdewDayType(2017, 12, 24, 'DE')).toBe('FT'); // a Sunday stays one
  });

  it('builds the year from the month\'s column of the day\'s type, scaled to the annual energy', () => {
    const kw = bdewYearKw(g25, { year: 2017, annualKwh: 50_000, holidays: 'DE', dynamic: false });
    expect(kw).toHaveLength(365 * 96);
    expect(kw.reduce((s, p) => s + p * 0.25, 0)).toBeCloseTo(50_000, 6);
    const at = (month: number, day: number, q: number) => kw[(Date.UTC(2017, month - 1, day) - Date.UTC(2017, 0, 1)) / 86_400_000 * 96 + q]!;
    // Monday 2 January (WT) against Saturday 7 January (SA), 00:00–00:15: G25's January columns, 14.832 and 15.045.
    expect(at(1, 2, 0) / at(1, 7, 0)).toBeCloseTo(14.832 / 15.045, 12);
    // Easter Monday (17 April, FT) against Sunday 23 April (FT): the same April column.
    expect(at(4, 17, 40)).toBe(at(4, 23, 40));
    // Sunday 1 January 00:00 (FT): 14.658 on the scale of the Monday's 14.832.
    expect(at(1, 1, 0)).toBeCloseTo(14.658 * (at(1, 2, 0) / 14.832), 12);
  });

  it('dynamises the household profile day by day', () => {
    const kw = bdewYearKw(h25, { year: 2016, annualKwh: 3500, holidays: 'none', dynamic: true });
    expect(kw).toHaveLength(366 * 96);
    expect(kw.reduce((s, p) => s + p * 0.25, 0)).toBeCloseTo(3500, 6);
    // Monday 4 and Monday 11 January: one column, days 4 and 11 of the year.
    expect(kw[3 * 96 + 10]! / kw[10 * 96 + 10]!).toBeCloseTo(bdewDynamisationFactor(4) / bdewDynamisationFactor(11), 12);
    expect(bdewDynamisationFactor(1)).toBeCloseTo(-3.92e-10 + 3.2e-7 - 7.02e-5 + 0.0021 + 1.24, 15);
    // −0.4115059 + 1.86624 − 2.27448 + 0.378 + 1.24
    expect(bdewDynamisationFactor(180)).toBeCloseTo(0.7982541, 7);
  });

  it('writes a CSV a profile reads back, with its annual energy', () => {
    const kw = bdewYearKw(h25, { year: 2016, annualKwh: 3500, holidays: 'DE', dynamic: true });
    const text = bdewYearCsv(2016, kw);
    expect(text.split('\n').slice(0, 3)).toEqual(['time,kw', `2016-01-01T00:00,${kw[0]!.toFixed(6)}`, `2016-01-01T00:15,${kw[1]!.toFixed(6)}`]);
    const table = parseProfileTable(text, 'h25-2016.csv', { timestampColumns: ['time'], timestampFormat: 'ISO', stamp: 'start', utcOffsetMinutes: 60, typicalYear: false, columns: ['kw'], separator: ',', decimalMark: '.' });
    expect(table.intervalMs).toBe(15 * MIN);
    expect(table.columns.kw!.reduce((s, p) => s + p * 0.25, 0)).toBeCloseTo(3500, 2); // written to 1e-6 kW
  });

  it('refuses a table that is not one', () => {
    expect(refusal(() => parseBdewTable(',Januar\n[kWh],SA\n00:00-00:15,1\n', 'bad.csv'))).toMatch(/bad\.csv: line 2: no column for month 1, day type FT/);
    const text = readFileSync('data/profiles/bdew-g25-commercial.csv', 'utf8').replace('14.908', 'x');
    expect(refusal(() => parseBdewTable(text, 'g25.csv'))).toMatch(/g25\.csv: line 4, column 2: "x" is not a non-negative number/);
  });
});

describe('timestamps', () => {
  it('ISO with and without offsets and seconds; patterns; impossible dates refused', () => {
    expect(parseIsoStamp('2016-01-01T00:15')).toEqual({ civil: { year: 2016, month: 1, day: 1, hour: 0, minute: 15, second: 0, millisecond: 0 } });
    expect(parseIsoStamp('2016-01-01 00:15:30+05:30')).toEqual({ civil: { year: 2016, month: 1, day: 1, hour: 0, minute: 15, second: 30, millisecond: 0 }, offsetMinutes: 330 });
    expect(parseIsoStamp('2016-01-01T24:00Z')).toMatchObject({ civil: { hour: 24 }, offsetMinutes: 0 });
    expect(parseIsoStamp('2016-01-01T24:30')).toMatch(/is not a time of day/);
    expect(parseIsoStamp('2017-02-29T00:00')).toMatch(/day 29 does not exist in 2017-02/);
    const dayFirst = timestampParser('DD.MM.YYYY HH:mm') as (t: string) => unknown;
    expect(dayFirst('1.2.2016 0:15')).toMatchObject({ civil: { year: 2016, month: 2, day: 1, hour: 0, minute: 15 } });
    expect(dayFirst('2016-02-01 00:15')).toMatch(/does not match the format "DD.MM.YYYY HH:mm"/);
    expect(timestampParser('DD.MM.YYYY hh:mm')).toMatch(/has "h", which is no token/);
  });
});
