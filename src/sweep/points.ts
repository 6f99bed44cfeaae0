/**
 * A sweep's points: the cartesian product of its parameters' values (the last parameter
 * varies fastest), each applied to a copy of the scenario and validated as a scenario.
 */
import { basename, dirname, resolve } from 'node:path';
import { InputError, type InputProblem } from '../errors.ts';
import { schemaProblems } from '../io/problems.ts';
import { parseScenario, readJsonFile, resolveScenarioInput } from '../scenario/load.ts';
import type { Scenario } from '../scenario/validate.ts';
import { parsePath, setPath, type PathStep } from './paths.ts';
import type { ScenarioInput } from '../scenario/schema.ts';
import { NAME_PATTERN, SweepSchema, type SweepData } from './schema.ts';
import { perturb, perturbBeforeProfiles } from './perturb.ts';
import { decimalRange } from '../io/numbers.ts';
import { environmentLimits, type Limits } from '../io/limits.ts';
import { Feeder } from '../network/feeder.ts';
import { checkModelSize } from '../problem/size.ts';

/** At most this many points in one sweep. */
export const MAX_POINTS = 1_000_000;

export interface SweepParameter {
  /** The column name in runs.csv: the path, or the paths joined by "|". */
  name: string;
  paths: PathStep[][];
  values: number[];
}

export interface SweepPoint {
  scenario: Scenario;
  /** The parameters' values. */
  values: number[];
  /** Which random sample of its parameter point (0 when the sweep draws none). */
  sample: number;
  /** Seed of the simulation's own random draws (forecast errors). */
  simulationSeed: number;
}

export interface SweepPlan {
  name: string;
  file: string;
  scenarioFile: string;
  /** Every file the sweep reads (the sweep file, its scenario, …), absolute. */
  inputs: string[];
  mode: SweepData['mode'];
  parameters: SweepParameter[];
  samples: number;
  /** Number of runs: the product of the parameters' value counts, times the samples. */
  size: number;
  /** The scenario of run `run` (validated): parameter point ⌊run / samples⌋, sample run mod samples. */
  point(run: number): SweepPoint;
}

/** Values of a range on the decimal grid its numbers are written on (−0.3 to 0.3 by 0.1 includes 0, not 5.55e-17). */
export const rangeValues = decimalRange;

export function loadSweep(file: string): SweepPlan {
  return sweepPlan(file, readJsonFile(file), readJsonFile);
}

/**
 * A sweep's plan from the texts of its files (a distributed worker has no access to the
 * submitter's files): `file` names the sweep file in messages and locates the scenario by
 * its relative path, exactly as `loadSweep` does.
 */
export function loadSweepFromText(file: string, sweepText: string, scenarioText: string): SweepPlan {
  const parse = (name: string, text: string): unknown => {
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new InputError(name, [{ path: '', message: `malformed JSON: ${(e as Error).message}` }]);
    }
  };
  return sweepPlan(file, parse(file, sweepText), (scenarioFile) => parse(scenarioFile, scenarioText));
}

function sweepPlan(file: string, sweepJson: unknown, readScenario: (scenarioFile: string) => unknown): SweepPlan {
  const parsed = SweepSchema.safeParse(sweepJson);
  if (!parsed.success) throw new InputError(file, schemaProblems(parsed.error.issues, sweepJson));
  const sweep = parsed.data;
  const scenarioFile = resolve(dirname(file), sweep.scenario);
  const raw = readScenario(scenarioFile);
  const problems: InputProblem[] = [];
  const parameters: SweepParameter[] = sweep.parameters.map((p, k) => {
    const at = `parameters[${k}]`;
    const pathList = Array.isArray(p.path) ? p.path : [p.path];
    const paths = pathList.map((text, i) => {
      const where = Array.isArray(p.path) ? `${at}.path[${i}]` : `${at}.path`;
      const steps = parsePath(text);
      if (typeof steps === 'string') {
        problems.push({ path: where, message: `"${text}" ${steps}` });
        return [];
      }
      const probe = structuredClone(raw);
      const set = setPath(probe, steps, 0);
      if (typeof set === 'string') problems.push({ path: where, message: `"${text}": ${set}` });
      else if (set === 0) problems.push({ path: where, message: `"${text}" names no number in the scenario` });
      return steps;
    });
    let values: number[] = [];
    const { from, to, step } = p as { from: number; to: number; step: number };
    if (p.values) values = p.values;
    else if (from > to) problems.push({ path: `${at}.from`, message: `${from} is above "to" (${to})` });
    else if ((to - from) / step + 1 > MAX_POINTS) problems.push({ path: `${at}.step`, message: `a step of ${step} from ${from} to ${to} makes more than ${MAX_POINTS} values` });
    else values = rangeValues(from, to, step);
    return { name: pathList.join('|'), paths, values };
  });
  if (parameters.length === 0 && sweep.samples === 1) problems.push({ path: 'parameters', message: 'a sweep needs parameters, or samples' });
  const perturbations = sweep.perturbations;
  if (perturbations?.randomInitialSoc && parameters.some((p) => p.name.includes('initialKwh'))) {
    problems.push({ path: 'perturbations.randomInitialSoc', message: 'draws the initial states that a parameter also sets (initialKwh): use one or the other' });
  }
  if (perturbations && perturbations.forecastErrorStdKw > 0 && sweep.mode !== 'simulate') {
    problems.push({ path: 'perturbations.forecastErrorStdKw', message: 'forecast errors are realised by the engine: use "mode": "simulate"' });
  }
  const size = parameters.reduce((n, p) => n * p.values.length, 1) * sweep.samples;
  if (problems.length === 0 && size > MAX_POINTS) problems.push({ path: 'parameters', message: `${size} points, more than ${MAX_POINTS}` });
  if (problems.length > 0) throw new InputError(file, problems);

  const point = (run: number): SweepPoint => {
    const sample = run % sweep.samples;
    const values: number[] = new Array(parameters.length);
    let rest = Math.floor(run / sweep.samples);
    for (let k = parameters.length - 1; k >= 0; k--) {
      const count = parameters[k]!.values.length;
      values[k] = parameters[k]!.values[rest % count]!;
      rest = Math.floor(rest / count);
    }
    const input = structuredClone(raw);
    parameters.forEach((p, k) => p.paths.forEach((steps) => setPath(input, steps, values[k]!)));
    const label = `${scenarioFile} (sweep point ${run}: ${[...parameters.map((p, k) => `${p.name} = ${values[k]}`), ...(sweep.samples > 1 ? [`sample ${sample}`] : [])].join(', ')})`;
    try {
      perturbBeforeProfiles(input, perturbations, sweep.seed, sample, scenarioFile); // drawn days, forecastError (before the profiles are read)
      // Profile references become arrays first (relative to the scenario's folder), so that the perturbations apply to them.
      const resolved = resolveScenarioInput(input, label, { baseDir: dirname(scenarioFile) }).input;
      // Sample k draws the same numbers at every parameter point (common random numbers).
      const simulationSeed = perturb(resolved, perturbations, sweep.seed, sample);
      return {
        scenario: parseScenario(resolved, label),
        values,
        sample,
        simulationSeed,
      };
    } catch (e) {
      if (e instanceof InputError) throw new InputError(file, e.problems.map((q) => ({ path: `point ${run}`, message: `${q.path}: ${q.message} (${e.file})` })));
      throw e;
    }
  };
  return { name: sweep.name ?? nameFromFile(file), file, scenarioFile, inputs: [resolve(file), ...new Set([scenarioFile, ...profileInputs(raw, scenarioFile)])], mode: sweep.mode, parameters, samples: sweep.samples, size, point };
}

/** The profile files the sweep's scenario reads (as written, before any parameter changes it). */
function profileInputs(raw: unknown, scenarioFile: string): string[] {
  try {
    return resolveScenarioInput(raw, scenarioFile, { baseDir: dirname(scenarioFile) }).inputs;
  } catch {
    return []; // reported, with its point, when the points are built
  }
}

/**
 * A sweep without a "name" is named after its file: the name must pass the check a scenario's
 * name passes (it names the output folder), so `...json` or `.json` are refused.
 */
function nameFromFile(file: string): string {
  const name = basename(file).replace(/\.json$/i, '');
  if (!NAME_PATTERN.test(name)) {
    throw new InputError(file, [{
      path: 'name',
      message: `the file name gives no usable output folder name ("${name.slice(0, 40)}"): add a "name" field (letters, digits, ".", "_", "-", not starting with ".") or give --out`,
    }]);
  }
  return name;
}

/**
 * Builds and validates every run's scenario, and holds each to the size limits: a bad one throws
 * its InputError before anything runs.
 */
export function validatePoints(plan: SweepPlan, limits: Limits = environmentLimits()): void {
  const checked = new Set<string>();
  for (let run = 0; run < plan.size; run++) {
    const { scenario } = plan.point(run);
    // The size depends on these alone: one check per distinct combination.
    const m = scenario.market;
    const key = JSON.stringify([scenario.steps, scenario.horizonSteps, scenario.network.buses.length, scenario.network.linearForm, scenario.prosumers.map((p) => `${p.bus}${p.battery ? '+' : ''}`), m.tradeGraph, m.penaltyNorm, m.tradeVolumeWeight > 0, scenario.utility.tariff !== undefined]);
    if (checked.has(key)) continue;
    checked.add(key);
    try {
      checkModelSize(scenario, new Feeder(scenario.network), plan.file, limits, plan.mode === 'simulate' ? (scenario.horizonSteps ?? scenario.steps) : scenario.steps);
    } catch (e) {
      if (e instanceof InputError) throw new InputError(plan.file, e.problems.map((q) => ({ path: `point ${run}${q.path ? `: ${q.path}` : ''}`, message: q.message })));
      throw e;
    }
  }
}

