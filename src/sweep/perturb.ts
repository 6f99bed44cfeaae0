/**
 * A stochastic sweep's random draws for one sample, reproducible from the sweep's seed: sample k
 * draws the same numbers at every parameter point (common random numbers, so that differences
 * between points are not noise), in any process and on any worker.
 *
 * Two hooks, in the order a sweep point is built (points.ts):
 * - `perturbBeforeProfiles`, on the scenario file's data once the point's parameters are set,
 *   before its profiles are resolved: the day of `start` drawn uniformly from `drawDays` (its own
 *   generator, `p2pmarket-sweep-days-<seed>-<sample>`), and the fields of the `forecastError`
 *   model the engine draws from (no draw: the same for every sample; the sweep file refuses a
 *   field also swept by a parameter);
 * - `perturb`, on the resolved scenario: a normal error on every requested power
 *   (`requestStdKw`), battery initial states uniform within their limits (`randomInitialSoc`),
 *   and the σ of the engine's net forecast errors (`forecastErrorStdKw`, mode "simulate"). These
 *   draws, and the seed of the engine's own draws (the forecast errors, uncertainty.ts), share
 *   one generator, `p2pmarket-sweep-<seed>-<sample>`, in that order, as they always have; every
 *   kind added since has a generator of its own, so that adding a kind never moves the others'
 *   numbers.
 *
 * A drawn day keeps the time of day of `start` (and its `utcOffset`: there is no daylight-saving
 * time), so the sample's profiles are read from that day on. The days are drawn by index,
 * k = ⌊u·n⌋ with u uniform in [0, 1) and n the number of days from `from` to `to` (both
 * included). Before any is drawn, the range is held to the profiles: the scenario must have
 * `start` and profiles, and its steps must be covered when they start on `from` and on `to`
 * (profiles are contiguous, so every day between is then covered).
 */
import { dirname } from 'node:path';
import seedrandom from 'seedrandom';
import { InputError } from '../errors.ts';
import { MS_PER_DAY } from '../profiles/time.ts';
import { resolveProfiles } from '../profiles/resolve.ts';
import { ScenarioFileSchema, type ScenarioInput } from '../scenario/schema.ts';
import type { FileSource } from '../io/source.ts';
import type { SweepData } from './schema.ts';

type Perturbations = SweepData['perturbations'];

/** A local date "2016-01-01" and what follows it in a date-time ("T00:00"). */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})([T ].*)$/;

/** Days since 1970-01-01 of a date "YYYY-MM-DD" (already checked by the sweep schema). */
export function dayNumber(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return Math.round(Date.UTC(y, m - 1, d) / MS_PER_DAY);
}

/** The date "YYYY-MM-DD" of a day number. */
export function dayText(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** The day sample `sample` of a sweep with seed `seed` draws from `from` … `to` (both included), "YYYY-MM-DD". */
export function drawnDay(range: { from: string; to: string }, seed: number, sample: number): string {
  const rng = seedrandom(`p2pmarket-sweep-days-${seed}-${sample}`);
  const first = dayNumber(range.from);
  const days = dayNumber(range.to) - first + 1;
  return dayText(first + Math.min(days - 1, Math.floor(rng() * days)));
}

/**
 * Applies a sample's draws to a scenario as its file holds it (`input`, changed in place),
 * once its parameters are set and before its profiles are resolved: the day of `start` (`drawDays`),
 * and the `forecastError` fields the sweep sets. `scenarioFile` names the scenario in messages
 * and locates its profiles, read from `source`. An InputError when the days cannot be drawn (see
 * the module comment).
 */
export function perturbBeforeProfiles(input: unknown, perturbations: Perturbations, seed: number, sample: number, scenarioFile: string, source: FileSource): void {
  if (!perturbations || input === null || typeof input !== 'object' || Array.isArray(input)) return; // the schema reports a malformed scenario
  const data = input as Record<string, unknown>;
  if (perturbations.forecastError) {
    const given = Object.fromEntries(Object.entries(perturbations.forecastError).filter(([, v]) => v !== undefined));
    const own = typeof data.forecastError === 'object' && data.forecastError !== null ? (data.forecastError as Record<string, unknown>) : {};
    const model: Record<string, unknown> = { ...own, ...given };
    // The net σ has one place: forecastErrorStdKw becomes forecastError.stdKw, unless the sweep sets that.
    if (typeof data.forecastErrorStdKw === 'number' && data.forecastErrorStdKw > 0) {
      model.stdKw ??= data.forecastErrorStdKw;
      delete data.forecastErrorStdKw;
    }
    data.forecastError = model;
  }
  if (perturbations.drawDays) {
    const start = checkDrawDays(data, perturbations.drawDays, scenarioFile, source);
    if (start) data.start = drawnDay(perturbations.drawDays, seed, sample) + start.time;
  }
}

/** Scenarios (as JSON, before `start` is drawn) whose range of days was found covered. */
const coveredRanges = new Set<string>();

/** The time of day of `start` when the days can be drawn; an InputError when not (module comment); undefined when the schema will report `start`. */
function checkDrawDays(data: Record<string, unknown>, range: { from: string; to: string }, scenarioFile: string, source: FileSource): { time: string } | undefined {
  const fail = (path: string, message: string): never => {
    throw new InputError(scenarioFile, [{ path, message }]);
  };
  if (data.start === undefined) fail('start', `perturbations.drawDays draws the day of "start", which the scenario does not give (e.g. "${range.from}T00:00")`);
  const parts = typeof data.start === 'string' ? DATE_TIME.exec(data.start) : null;
  if (!parts) return undefined;
  const profiles = data.profiles;
  if (typeof profiles !== 'object' || profiles === null || Object.keys(profiles).length === 0) {
    fail('profiles', 'perturbations.drawDays draws days of the profiles, and the scenario has none: every sample would be the same');
  }
  const key = JSON.stringify([data, range]);
  if (coveredRanges.has(key)) return { time: parts[4]! };
  // A scenario the schema refuses is reported as it is, by its point.
  const parsed = ScenarioFileSchema.safeParse(data);
  if (!parsed.success) return { time: parts[4]! };
  for (const end of ['from', 'to'] as const) {
    try {
      resolveProfiles({ ...parsed.data, start: range[end] + parts[4] }, { file: scenarioFile, baseDir: dirname(scenarioFile), source });
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      const problem = e.problems[0]!;
      fail(`perturbations.drawDays.${end}`, `starting on ${range[end]}, the scenario's profiles cannot be read: ${problem.path ? `${problem.path}: ` : ''}${problem.message}${e.file !== scenarioFile ? ` (${e.file})` : ''}`);
    }
  }
  if (coveredRanges.size >= 1000) coveredRanges.clear();
  coveredRanges.add(key);
  return { time: parts[4]! };
}

/**
 * Applies a sample's random draws to a scenario (as plain JSON, its profiles resolved):
 * requests, initial states, and the forecast-error level the engine draws with; returns the
 * seed of those engine draws.
 */
export function perturb(input: ScenarioInput, perturbations: Perturbations, seed: number, sample: number): number {
  const rng = seedrandom(`p2pmarket-sweep-${seed}-${sample}`);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const simulationSeed = Math.floor(rng() * 2 ** 31);
  if (!perturbations) return simulationSeed;
  if (perturbations.requestStdKw > 0) {
    const noisy = (v: number) => Math.round((v + perturbations.requestStdKw * normal()) * 1e6) / 1e6;
    if (input.utility.targetKw) input.utility.targetKw = input.utility.targetKw.map(noisy);
    for (const e of input.utility.requestEvents ?? []) e.targetKw = noisy(e.targetKw);
  }
  if (perturbations.randomInitialSoc) {
    for (const p of input.prosumers) {
      if (p.battery) p.battery.initialKwh = Math.round((p.battery.minKwh + rng() * (p.battery.maxKwh - p.battery.minKwh)) * 1e6) / 1e6;
    }
  }
  if (perturbations.forecastErrorStdKw > 0) {
    // With a forecastError model, its stdKw is the net σ (forecastErrorStdKw beside it would be refused).
    if (input.forecastError) input.forecastError.stdKw = perturbations.forecastErrorStdKw;
    else input.forecastErrorStdKw = perturbations.forecastErrorStdKw;
  }
  return simulationSeed;
}
