/**
 * Resolving a scenario file's profile references into plain per-step arrays, before the
 * cross-field validation: everything downstream of `Scenario` sees arrays, as if they had been
 * typed in, and a run's scenario.json holds them (it reruns without the CSV files).
 *
 * A reference `{ "profile": name, scale | peakKw | annualKwh, shiftHours, pvModel }` in a
 * series field of step length h and S steps from the scenario's `start` becomes
 *
 *   x[k] = c · mean of p over [t₀ + k·h − shift, t₀ + (k+1)·h − shift)
 *
 * where p is the profile in kW (kW as is, W / 1000, kWh per interval / the interval's hours,
 * W/m² through the PV model of pv.ts) or as it is (`shape`), resampled energy-conservingly
 * (resample.ts), and c its scale: `scale` (default 1); or `peakKw` / max p, the largest value
 * of the whole profile; or `annualKwh` / E, with E the profile's energy in one year — the sum
 * over its year when it holds exactly one calendar year (a typical year, or 1 January to
 * 1 January), else its mean power × 8760 h. For an irradiance profile `peakKw` is the array's
 * DC rating and c = 1.
 *
 * Which units a field takes: power fields (scheduleKw, realisedKw, targetKw) kW, W, kWh and
 * shape; pvKw and loadKw the same (their values must not be negative), pvKw also W/m2; the
 * plain numbers (network.loadProfile, network.loads[].profile, utility.priority, the tariff's
 * prices) shape only, with `scale`.
 */
import { isAbsolute, join, resolve } from 'node:path';
import { InputError, type InputProblem } from '../errors.ts';
import type { ProfileData, ProfileRef, ScenarioFileData, ScenarioInput } from '../scenario/schema.ts';
import { formatSpan, readProfileTable, seriesOf, typicalYearOf, type ProfileTable } from './csv-series.ts';
import { DEFAULT_PV_MODEL, pvAcKw, type PvModel } from './pv.ts';
import { covers, resampleMeans, seriesSpan, type IntervalSeries } from './resample.ts';
import { civilToUtcMs, formatLocal, MS_PER_HOUR, parseLocalDateTime, parseUtcOffsetMinutes, timestampParser, utcMsToCivil, yearStartUtcMs } from './time.ts';
import { placeTypicalYear, yearsTouched } from './typical-year.ts';
import type { FileSource } from '../io/source.ts';

export interface ResolveOptions {
  /** The scenario file, as messages name it. */
  file: string;
  /** The folder profile files are relative to (the scenario file's). */
  baseDir: string;
  /** Where the profile files come from (io/disk-source.ts's `diskSource()` for the disk). */
  source: FileSource;
}

export interface ResolvedScenario {
  /** The scenario with every series an array; `profiles` gone, `startHour` set. */
  input: ScenarioInput;
  /** Absolute paths of the profile files read. */
  inputs: string[];
}

/** What a series field holds, which decides the units it takes. */
type FieldKind = 'power' | 'magnitude' | 'number';

/** Hours in the year an `annualKwh` refers to, when the profile does not hold exactly one calendar year. */
export const HOURS_PER_YEAR = 8760;

/** The steps' placement in time. */
interface Timing {
  firstStepMs: number;
  stepMs: number;
  offsetMinutes: number;
}

/** Resolves every profile reference of a parsed scenario file (see the module comment); an InputError otherwise. */
export function resolveProfiles(data: ScenarioFileData, options: ResolveOptions): ResolvedScenario {
  const problems: InputProblem[] = [];
  // (A profile that many series use is read for each: its problems are said once.)
  const add = (path: string, message: string) => void (problems.some((p) => p.path === path && p.message === message) || problems.push({ path, message }));
  const inputs = new Set<string>();
  const { steps } = data;

  const offsetMinutes = parseUtcOffsetMinutes(data.utcOffset ?? '+00:00');
  if (offsetMinutes === undefined) add('utcOffset', `"${data.utcOffset}" is not an offset such as "+01:00"`);
  let startCivil: ReturnType<typeof parseLocalDateTime> | undefined;
  if (data.start !== undefined) {
    startCivil = parseLocalDateTime(data.start.replace(' ', 'T'));
    if (typeof startCivil === 'string') add('start', `"${data.start}" ${startCivil}`);
  }

  let timing: Timing | undefined;
  let timingFailed = false;
  const timingFor = (path: string): Timing | undefined => {
    if (timing || timingFailed) return timing;
    timingFailed = true;
    if (startCivil === undefined) return void add('start', `is required when a series comes from a profile (${path}): the calendar time of step 0, e.g. "2016-01-01T00:00"`);
    if (typeof startCivil === 'string' || offsetMinutes === undefined) return undefined;
    const stepMs = Math.round(data.stepHours * MS_PER_HOUR);
    if (stepMs < 1 || Math.abs(stepMs - data.stepHours * MS_PER_HOUR) > 1e-6) return void add('stepHours', `${data.stepHours} h is not a whole number of milliseconds, which profiles need`);
    timingFailed = false;
    timing = { firstStepMs: civilToUtcMs(startCivil, offsetMinutes), stepMs, offsetMinutes };
    return timing;
  };

  const fromProfile = (path: string, ref: ProfileRef, kind: FieldKind, field: string): number[] | undefined => {
    const t = timingFor(path);
    const profile = data.profiles?.[ref.profile];
    if (!profile) {
      const names = Object.keys(data.profiles ?? {});
      return void add(`${path}.profile`, `unknown profile "${ref.profile}" (${names.length > 0 ? `profiles: ${names.slice(0, 12).join(', ')}${names.length > 12 ? ', …' : ''}` : 'the scenario defines no "profiles"'})`);
    }
    if (!checkUnit(path, ref, profile, kind, field, add)) return undefined;
    if (!t) return undefined;
    const table = readTable(ref.profile, profile, options, t, inputs, add);
    if (!table) return undefined;
    const values = perIntervalValues(table, profile, ref, kind);
    const factor = scaleFactor(path, ref, profile, table, values, add);
    if (factor === undefined) return undefined;

    const shiftMs = Math.round(ref.shiftHours * MS_PER_HOUR);
    const from = t.firstStepMs - shiftMs;
    const to = from + steps * t.stepMs;
    let series: IntervalSeries;
    if (table.yearDays) {
      const years = yearsTouched(table, from, to);
      series = placeTypicalYear(typicalYearOf(table, values), years.first, years.last);
    } else series = seriesOf(table, values);
    if (!covers(series, from, t.stepMs, steps)) {
      const span = seriesSpan(series);
      return void add(path, `profile "${ref.profile}" (${table.file}) covers ${formatSpan(span.fromMs, span.toMs, t.offsetMinutes)}; the scenario needs ${formatLocal(from, t.offsetMinutes)} to ${formatLocal(to, t.offsetMinutes)}${shiftMs !== 0 ? ` (its steps moved by shiftHours ${ref.shiftHours})` : ''}${!profile.typicalYear && isOneCalendarYear(table, values.length) ? '; it holds one whole year, which "typicalYear": true repeats' : ''}`);
    }
    const means = resampleMeans(series, from, t.stepMs, steps);
    return factor === 1 ? means : means.map((x) => x * factor);
  };

  // A problem in a profile file (its own InputError, naming the file) is reported after the scenario's own problems.
  let fileError: InputError | undefined;
  const guarded = (path: string, ref: ProfileRef, kind: FieldKind, field: string): number[] | undefined => {
    try {
      return fromProfile(path, ref, kind, field);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      fileError ??= e;
      return undefined;
    }
  };
  const series = (path: string, value: number[] | ProfileRef | undefined, kind: FieldKind, field: string): number[] | undefined =>
    value === undefined || Array.isArray(value) ? value : guarded(path, value, kind, field);
  const price = (path: string, value: number | number[] | ProfileRef): number | number[] | undefined =>
    typeof value === 'number' || Array.isArray(value) ? value : guarded(path, value, 'number', 'price');

  const { network, utility } = data;
  const loadProfile = series('network.loadProfile', network.loadProfile, 'number', 'loadProfile');
  const loads = network.loads.map((load, i) => ({ ...load, profile: series(`network.loads[${i}].profile`, load.profile, 'number', 'profile') }));
  const targetKw = series('utility.targetKw', utility.targetKw, 'power', 'targetKw');
  const priority = series('utility.priority', utility.priority, 'number', 'priority');
  const tariff = utility.tariff && { buyPerKwh: price('utility.tariff.buyPerKwh', utility.tariff.buyPerKwh), sellPerKwh: price('utility.tariff.sellPerKwh', utility.tariff.sellPerKwh) };
  const prosumers = data.prosumers.map((p, i) => {
    const at = `prosumers[${i}]`;
    const pvKw = series(`${at}.pvKw`, p.pvKw, 'magnitude', 'pvKw');
    const loadKw = series(`${at}.loadKw`, p.loadKw, 'magnitude', 'loadKw');
    let scheduleKw = series(`${at}.scheduleKw`, p.scheduleKw, 'power', 'scheduleKw');
    if (p.scheduleKw === undefined) {
      if (p.pvKw === undefined && p.loadKw === undefined) add(at, 'needs scheduleKw (the net injection), or pvKw and/or loadKw');
      else scheduleKw = Array.from({ length: steps }, (_, t) => (pvKw?.[t] ?? 0) - (loadKw?.[t] ?? 0));
    }
    return { ...p, scheduleKw: scheduleKw!, pvKw, loadKw, realisedKw: series(`${at}.realisedKw`, p.realisedKw, 'power', 'realisedKw') };
  });
  if (problems.length > 0) throw new InputError(options.file, problems.slice(0, 20));
  if (fileError) throw fileError;

  const { profiles: _profiles, ...rest } = data;
  const startHour = data.startHour ?? (startCivil && typeof startCivil !== 'string' ? startCivil.hour + startCivil.minute / 60 + startCivil.second / 3600 : 0);
  return {
    input: {
      ...rest,
      startHour,
      network: { ...network, loadProfile, loads },
      utility: { ...utility, targetKw, priority, tariff: tariff && { buyPerKwh: tariff.buyPerKwh!, sellPerKwh: tariff.sellPerKwh! } },
      prosumers,
    },
    inputs: [...inputs],
  };
}

/** Whether the reference's options fit its profile's unit and the field; says why not. */
function checkUnit(path: string, ref: ProfileRef, profile: ProfileData, kind: FieldKind, field: string, add: (path: string, message: string) => void): boolean {
  const given = (['scale', 'peakKw', 'annualKwh'] as const).filter((k) => ref[k] !== undefined);
  let ok = true;
  const fail = (message: string, at = path) => {
    add(at, message);
    ok = false;
  };
  if (profile.unit === 'W/m2') {
    if (field !== 'pvKw') fail(`profile "${ref.profile}" is irradiance (W/m2): only pvKw takes one, through the PV model`);
    else if (ref.peakKw === undefined) fail(`profile "${ref.profile}" is irradiance (W/m2): give peakKw, the PV array's DC rating, kW`);
    else if (given.length > 1) fail('scale and annualKwh do not apply to an irradiance profile (peakKw is the DC rating)');
  } else {
    if (ref.pvModel) fail(`only irradiance (W/m2) profiles take a PV model; profile "${ref.profile}" is in ${profile.unit}`, `${path}.pvModel`);
    if (kind === 'number') {
      if (profile.unit !== 'shape') fail(`profile "${ref.profile}" is in ${profile.unit}, but ${field} is a plain number (a multiplier, price or priority): use a profile of unit "shape"`);
      else if (ref.peakKw !== undefined || ref.annualKwh !== undefined) fail(`${field} is a plain number: scale it with "scale", not peakKw or annualKwh`);
    } else if (given.length > 1) fail(`give one of scale, peakKw and annualKwh, not ${given.join(' and ')}`);
    if (kind === 'magnitude' && ref.scale !== undefined && ref.scale < 0) fail(`scale ${ref.scale} would make ${field} negative; it is a magnitude (≥ 0)`, `${path}.scale`);
  }
  return ok;
}

/** The profile's table, read (or cached); undefined with a problem when its options are inconsistent. */
function readTable(name: string, profile: ProfileData, options: ResolveOptions, timing: Timing, inputs: Set<string>, add: (path: string, message: string) => void): ProfileTable | undefined {
  const at = `profiles.${name}`;
  if (profile.separator === profile.decimalMark) return void add(`${at}.separator`, `"${profile.separator}" is also the decimal mark`);
  const format = timestampParser(profile.timestamp.format);
  if (typeof format === 'string') return void add(`${at}.timestamp.format`, `"${profile.timestamp.format}" ${format}`);
  const profileOffset = profile.utcOffset === undefined ? timing.offsetMinutes : parseUtcOffsetMinutes(profile.utcOffset);
  if (profileOffset === undefined) return void add(`${at}.utcOffset`, `"${profile.utcOffset}" is not an offset such as "+01:00"`);
  const file = isAbsolute(profile.file) ? profile.file : join(options.baseDir, profile.file);
  inputs.add(resolve(file));
  // A file that is not there (no version) is the scenario's problem, at the field that names it.
  if (options.source.version(file) === undefined) {
    try {
      options.source.text(file);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      const why = e.problems[0]?.message ?? e.message;
      return void add(`${at}.file`, `"${profile.file}": ${why}${file !== profile.file ? ` (looked for ${file})` : ''}`);
    }
  }
  return readProfileTable(file, {
    timestampColumns: 'column' in profile.timestamp ? [profile.timestamp.column] : profile.timestamp.columns,
    timestampFormat: profile.timestamp.format,
    stamp: profile.stamp,
    utcOffsetMinutes: profileOffset,
    typicalYear: profile.typicalYear,
    columns: [profile.column, ...(profile.unit === 'W/m2' && profile.temperatureColumn ? [profile.temperatureColumn] : [])],
    separator: profile.separator,
    decimalMark: profile.decimalMark,
  }, options.source);
}

/** The profile per interval: kW for the power units (PV power for irradiance), as it is for a shape. */
function perIntervalValues(table: ProfileTable, profile: ProfileData, ref: ProfileRef, kind: FieldKind): Float64Array {
  const raw = table.columns[profile.column]!;
  if (kind === 'magnitude' || profile.unit === 'W/m2') {
    const r = raw.findIndex((v) => v < 0);
    if (r >= 0) {
      throw new InputError(table.file, [{ path: `line ${table.lineOf(r)}, column ${profile.column}`, message: `${raw[r]} is negative: ${profile.unit === 'W/m2' ? 'irradiance' : 'PV and load are magnitudes'} (≥ 0)` }]);
    }
  }
  const intervalHours = table.intervalMs / MS_PER_HOUR;
  switch (profile.unit) {
    case 'kW':
    case 'shape':
      return raw;
    case 'W':
      return raw.map((w) => w / 1000);
    case 'kWh':
      return raw.map((kwh) => kwh / intervalHours);
    case 'W/m2': {
      const model: PvModel = { ...DEFAULT_PV_MODEL, ...ref.pvModel };
      const air = profile.temperatureColumn ? table.columns[profile.temperatureColumn]! : undefined;
      return raw.map((g, i) => pvAcKw(g, air ? air[i]! : model.airTemperatureC, ref.peakKw!, model));
    }
  }
}

/** The multiplier c of the module comment; undefined with a problem when it cannot be found. */
function scaleFactor(path: string, ref: ProfileRef, profile: ProfileData, table: ProfileTable, values: Float64Array, add: (path: string, message: string) => void): number | undefined {
  if (profile.unit === 'W/m2') return 1;
  if (ref.peakKw !== undefined) {
    const peak = values.reduce((m, v) => Math.max(m, v), -Infinity);
    if (!(peak > 0)) return void add(`${path}.peakKw`, `profile "${ref.profile}" has no positive value to scale to a peak`);
    return ref.peakKw / peak;
  }
  if (ref.annualKwh !== undefined) {
    const energy = yearEnergy(table, values);
    if (!(energy > 0)) return void add(`${path}.annualKwh`, `profile "${ref.profile}" holds no energy to scale to an annual one`);
    return ref.annualKwh / energy;
  }
  return ref.scale ?? 1;
}

/** The energy of one year of the profile (module comment): its sum when it is exactly one calendar year, else mean × 8760 h. */
export function yearEnergy(table: Pick<ProfileTable, 'startMs' | 'intervalMs' | 'yearDays' | 'utcOffsetMinutes'>, values: ArrayLike<number>): number {
  const intervalHours = table.intervalMs / MS_PER_HOUR;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return table.yearDays !== undefined || isOneCalendarYear(table, values.length) ? sum * intervalHours : (sum / values.length) * HOURS_PER_YEAR;
}

/** Whether a table's intervals run from 1 January 00:00 to the next 1 January 00:00 (local to its offset). */
function isOneCalendarYear(table: Pick<ProfileTable, 'startMs' | 'intervalMs' | 'utcOffsetMinutes'>, intervals: number): boolean {
  const year = utcMsToCivil(table.startMs, table.utcOffsetMinutes).year;
  return table.startMs === yearStartUtcMs(year, table.utcOffsetMinutes) && table.startMs + intervals * table.intervalMs === yearStartUtcMs(year + 1, table.utcOffsetMinutes);
}
