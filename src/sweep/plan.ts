/**
 * A sweep's points: the cartesian product of its parameters' values (the last varying
 * fastest; a zipped group moves together), each applied to a copy of its scenario and
 * validated as a scenario. Parameters set any field the schema allows (values of any JSON
 * type, creating optional fields and objects), scale or shift numbers, series and profile
 * references (paths.ts), or choose among scenario files.
 *
 * Every file is read through a source (io/source.ts): the disk, or texts in memory — a
 * distributed worker builds the same plan from the texts the submitter stored, a web page from
 * the texts it holds. No I/O of its own: sweep/points.ts adds the disk as the default source.
 */
import { basename, dirname, resolve } from 'node:path';
import { InputError, type InputProblem } from '../errors.ts';
import { schemaProblems } from '../io/problems.ts';
import { parseJsonText } from '../io/json-text.ts';
import { memorySource, type FileSource } from '../io/source.ts';
import { parseScenario, resolveScenarioInput } from '../scenario/parse.ts';
import type { Scenario } from '../scenario/validate.ts';
import { applyAtPath, parsePath, type Operation, type PathStep } from './paths.ts';
import { NAME_PATTERN, SweepSchema, type ParameterData, type SweepData, type TraceMetric } from './schema.ts';
import { perturb, perturbBeforeProfiles } from './perturb.ts';
import { columnNameProblems, type NamedColumn } from './columns.ts';
import { metricReferenceProblems, traceMetricProblems } from './metrics.ts';
import { decimalRange } from '../io/numbers.ts';
import { environmentLimits, type Limits } from '../io/limits.ts';
import { Feeder } from '../network/feeder.ts';
import { checkModelSize } from '../problem/size.ts';

/** At most this many points in one sweep. */
export const MAX_POINTS = 1_000_000;
/** Sweeps of at most this many runs keep their points' scenarios once built. */
const REMEMBERED_POINTS = 5000;

export interface SweepParameter {
  /** Its column in runs.csv. */
  name: string;
  /** 'set', 'scale' or 'shift' its paths; 'scenario': choose the scenario file. */
  operation: 'set' | 'scale' | 'shift' | 'scenario';
  /** The paths as written, and parsed (none for a scenario parameter). */
  pathTexts: string[];
  paths: PathStep[][];
  /** Values to set, factors, amounts, or scenario files as written. */
  values: unknown[];
  /** The dimension of the product it belongs to (zipped parameters share one). */
  dimension: number;
}

export interface SweepPoint {
  scenario: Scenario;
  /** The parameters' values (as in `parameters`). */
  values: unknown[];
  /** Which random sample of its parameter point (0 when the sweep draws none). */
  sample: number;
  /** Seed of the simulation's own random draws (forecast errors). */
  simulationSeed: number;
}

export interface SweepPlan {
  name: string;
  file: string;
  /** The scenario file (the first of a "scenario" parameter's). */
  scenarioFile: string;
  /** Every file the sweep reads (the sweep file, its scenarios, their profiles), absolute. */
  inputs: string[];
  mode: SweepData['mode'];
  parameters: SweepParameter[];
  samples: number;
  /** Metrics computed from each run's traces (runs.csv columns). */
  metrics: TraceMetric[];
  /** Clear each point again without peer trades when it has a tariff (mode clear). */
  valueOfTrading: boolean;
  /** Number of runs: the product of the dimensions' value counts, times the samples. */
  size: number;
  /** The scenario of run `run` (validated): parameter point ⌊run / samples⌋, sample run mod samples. */
  point(run: number): SweepPoint;
  /** The sweep's files, when it was given in memory (worker threads build the plan from them). */
  texts?: Record<string, string>;
}

/** Values of a range on the decimal grid its numbers are written on (−0.3 to 0.3 by 0.1 includes 0, not 5.55e-17). */
export const rangeValues = decimalRange;

/** A sweep's plan, its files (the sweep file, its scenarios, their profiles) read from `source`. */
export function loadSweepFrom(file: string, source: FileSource): SweepPlan {
  return sweepPlan(file, parseJsonText(source.text(file), file), source);
}

/**
 * A sweep's plan from texts in memory, by path (a distributed worker has no access to the
 * submitter's files; code that holds its inputs in memory): `file` names the sweep file and
 * locates its scenarios and profiles by their relative paths, exactly as `loadSweep` does.
 */
export function loadSweepFromTexts(file: string, texts: Readonly<Record<string, string>>): SweepPlan {
  return { ...loadSweepFrom(file, memorySource(texts)), texts: { ...texts } };
}

/** A parameter's column name when it gives none: its path made a plain name (`utility.targetKw[2]` → `utility_targetKw_2`). */
export function columnNameOf(p: ParameterData): string {
  if (p.scenario) return 'scenario';
  const paths = Array.isArray(p.path) ? p.path : [p.path!];
  const plain = paths.map((t) => t.replace(/\[\*\]/g, '').replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '')).join('__');
  const op = p.scale ? '_scale' : p.shift ? '_shift' : '';
  return (/^[0-9]/.test(plain) ? `p_${plain}` : plain).slice(0, 64 - op.length) + op;
}

function sweepPlan(file: string, sweepJson: unknown, source: FileSource): SweepPlan {
  const parsed = SweepSchema.safeParse(sweepJson);
  if (!parsed.success) throw new InputError(file, schemaProblems(parsed.error.issues, sweepJson));
  const sweep = parsed.data;
  const problems: InputProblem[] = [];
  const dir = dirname(file);

  // The dimensions: a parameter, or a zipped group of them.
  const flat: { data: ParameterData; at: string; dimension: number }[] = [];
  sweep.parameters.forEach((entry, k) => {
    if ('zip' in entry) entry.zip.forEach((data, i) => flat.push({ data, at: `parameters[${k}].zip[${i}]`, dimension: k }));
    else flat.push({ data: entry, at: `parameters[${k}]`, dimension: k });
  });
  const scenarioParameters = flat.filter((f) => f.data.scenario);
  if (scenarioParameters.length > 1) problems.push({ path: scenarioParameters[1]!.at, message: 'a second "scenario" parameter: one chooses the scenario' });
  if (sweep.scenario === undefined && scenarioParameters.length === 0) problems.push({ path: 'scenario', message: 'is required but missing (or give a "scenario" parameter)' });
  if (sweep.scenario !== undefined && scenarioParameters.length > 0) problems.push({ path: 'scenario', message: 'a "scenario" parameter chooses the scenario: leave this field out' });
  if (problems.length > 0) throw new InputError(file, problems);

  const scenarioFiles = (scenarioParameters[0]?.data.scenario ?? [sweep.scenario!]).map((f) => resolve(dir, f));
  const raws = new Map<string, unknown>();
  const rawOf = (scenarioFile: string) => {
    if (!raws.has(scenarioFile)) raws.set(scenarioFile, parseJsonText(source.text(scenarioFile), scenarioFile));
    return raws.get(scenarioFile);
  };
  scenarioFiles.forEach(rawOf);

  const parameters: SweepParameter[] = flat.map(({ data: p, at, dimension }) => {
    const operation: SweepParameter['operation'] = p.scenario ? 'scenario' : p.scale ? 'scale' : p.shift ? 'shift' : 'set';
    const pathTexts = p.path === undefined ? [] : Array.isArray(p.path) ? p.path : [p.path];
    let values: unknown[] = p.scenario ?? p.values ?? p.scale ?? p.shift ?? [];
    if (operation === 'set' && !p.values) {
      const { from, to, step } = p as { from: number; to: number; step: number };
      if (from > to) problems.push({ path: `${at}.from`, message: `${from} is above "to" (${to})` });
      else if ((to - from) / step + 1 > MAX_POINTS) problems.push({ path: `${at}.step`, message: `a step of ${step} from ${from} to ${to} makes more than ${MAX_POINTS} values` });
      else values = rangeValues(from, to, step);
    }
    const paths = pathTexts.map((text, i) => {
      const where = Array.isArray(p.path) ? `${at}.path[${i}]` : `${at}.path`;
      const steps = parsePath(text);
      if (typeof steps === 'string') {
        problems.push({ path: where, message: `"${text}" ${steps}` });
        return [];
      }
      // Each path must reach a place in every scenario it may apply to.
      for (const scenarioFile of scenarioFiles) {
        const changed = applyAtPath(structuredClone(rawOf(scenarioFile)), steps, operationOf(operation, values[0]));
        const inFile = scenarioFiles.length > 1 ? ` (in ${basename(scenarioFile)})` : '';
        if (typeof changed === 'string') problems.push({ path: where, message: `"${text}": ${changed}${inFile}` });
        else if (changed === 0) problems.push({ path: where, message: `"${text}" names no place in the scenario${inFile}` });
      }
      return steps;
    });
    return { name: p.name ?? columnNameOf(p), operation, pathTexts, paths, values, dimension };
  });
  // Zipped parameters move together: one length.
  for (const group of new Set(parameters.map((p) => p.dimension))) {
    const members = parameters.filter((p) => p.dimension === group);
    const counts = new Set(members.map((p) => p.values.length));
    if (counts.size > 1) problems.push({ path: `parameters[${group}].zip`, message: `its parameters move together but have ${[...counts].join(' and ')} values: give each the same number` });
  }
  // One place, one parameter: of two that reach the same place, the later would silently win.
  problems.push(...overlappingPaths(parameters, flat.map((f) => f.at)));
  // Every column of runs.csv and summary.csv a name of its own, as numpy and pandas read it.
  problems.push(
    ...columnNameProblems([
      ...parameters.map((p, k): NamedColumn => {
        const given = flat[k]!.data.name !== undefined;
        return { name: p.name, kind: 'parameter', at: flat[k]!.at, field: `${flat[k]!.at}.${given ? 'name' : p.operation === 'scenario' ? 'scenario' : 'path'}`, fromPath: !given };
      }),
      ...sweep.metrics.map((m, k): NamedColumn => ({ name: m.name, kind: 'metric', at: `metrics[${k}]`, field: `metrics[${k}].name` })),
    ]),
  );
  // What each metric names that no run can have (its scenario's agents, buses and steps are checked with every point).
  sweep.metrics.forEach((metric, k) => problems.push(...traceMetricProblems(metric, `metrics[${k}]`, sweep.mode)));
  if (parameters.length === 0 && sweep.samples === 1) problems.push({ path: 'parameters', message: 'a sweep needs parameters, or samples' });
  const perturbations = sweep.perturbations;
  if (perturbations?.randomInitialSoc && parameters.some((p) => p.pathTexts.some((t) => t.includes('initialKwh')))) {
    problems.push({ path: 'perturbations.randomInitialSoc', message: 'draws the initial states that a parameter also sets (initialKwh): use one or the other' });
  }
  if (perturbations && perturbations.forecastErrorStdKw > 0 && sweep.mode !== 'simulate') {
    problems.push({ path: 'perturbations.forecastErrorStdKw', message: 'forecast errors are realised by the engine: use "mode": "simulate"' });
  }
  const dimensions = [...new Set(parameters.map((p) => p.dimension))].sort((a, b) => a - b).map((d) => parameters.find((p) => p.dimension === d)!.values.length);
  const size = dimensions.reduce((n, count) => n * count, 1) * sweep.samples;
  if (problems.length === 0 && size > MAX_POINTS) problems.push({ path: 'parameters', message: `${size} runs, more than ${MAX_POINTS}` });
  if (problems.length > 0) throw new InputError(file, problems);

  const dimensionOf = [...new Set(parameters.map((p) => p.dimension))].sort((a, b) => a - b);
  // Points are validated before any runs and built again to run: the second time they are
  // remembered, for sweeps small enough to keep them (their scenarios are shared: not to be changed).
  const remembered = size <= REMEMBERED_POINTS ? new Map<number, SweepPoint>() : undefined;
  const point = (run: number): SweepPoint => {
    const known = remembered?.get(run);
    if (known) return known;
    const built = buildPoint(run);
    remembered?.set(run, built);
    return built;
  };
  const buildPoint = (run: number): SweepPoint => {
    const sample = run % sweep.samples;
    const index = new Map<number, number>();
    let rest = Math.floor(run / sweep.samples);
    for (let d = dimensionOf.length - 1; d >= 0; d--) {
      index.set(dimensionOf[d]!, rest % dimensions[d]!);
      rest = Math.floor(rest / dimensions[d]!);
    }
    const values = parameters.map((p) => p.values[index.get(p.dimension)!]);
    const choice = parameters.findIndex((p) => p.operation === 'scenario');
    const scenarioFile = choice >= 0 ? resolve(dir, values[choice] as string) : scenarioFiles[0]!;
    const input = structuredClone(rawOf(scenarioFile));
    parameters.forEach((p, k) => p.paths.forEach((steps) => applyAtPath(input, steps, operationOf(p.operation, values[k]))));
    const shown = (v: unknown) => (typeof v === 'object' ? JSON.stringify(v) : String(v));
    const label = `${scenarioFile} (sweep point ${run}: ${[...parameters.map((p, k) => `${p.name} = ${shown(values[k])}`), ...(sweep.samples > 1 ? [`sample ${sample}`] : [])].join(', ')})`;
    try {
      perturbBeforeProfiles(input, perturbations, sweep.seed, sample, scenarioFile, source); // drawn days, forecastError (before the profiles are read)
      // Profile references become arrays first (relative to the scenario's folder), so that the perturbations apply to them.
      const resolved = resolveScenarioInput(input, label, { baseDir: dirname(scenarioFile), source }).input;
      // Sample k draws the same numbers at every parameter point (common random numbers).
      const simulationSeed = perturb(resolved, perturbations, sweep.seed, sample);
      return { scenario: parseScenario(resolved, label, { source }), values, sample, simulationSeed };
    } catch (e) {
      if (e instanceof InputError) throw new InputError(file, e.problems.map((q) => ({ path: `point ${run}`, message: `${q.path}: ${q.message} (${e.file})` })));
      throw e;
    }
  };
  const inputs = [resolve(file), ...new Set(scenarioFiles.flatMap((f) => [f, ...profileInputs(rawOf(f), f, source)]))];
  return {
    name: sweep.name ?? nameFromFile(file),
    file,
    scenarioFile: scenarioFiles[0]!,
    inputs,
    mode: sweep.mode,
    parameters,
    samples: sweep.samples,
    metrics: sweep.metrics,
    valueOfTrading: sweep.valueOfTrading,
    size,
    point,
  };
}

function operationOf(operation: SweepParameter['operation'], value: unknown): Operation {
  return operation === 'scale' ? { scale: value as number } : operation === 'shift' ? { shift: value as number } : { set: value };
}

/** The profile files the sweep's scenario reads (as written, before any parameter changes it). */
function profileInputs(raw: unknown, scenarioFile: string, source: FileSource): string[] {
  try {
    return resolveScenarioInput(raw, scenarioFile, { baseDir: dirname(scenarioFile), source }).inputs;
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
 * Builds and validates every run's scenario, holds each to the size limits, and checks what the
 * trace metrics name against it (agents, buses, steps): a bad one throws its InputError before
 * anything runs.
 */
export function validatePoints(plan: SweepPlan, limits: Limits = environmentLimits()): void {
  const checked = new Set<string>();
  for (let run = 0; run < plan.size; run++) {
    const { scenario } = plan.point(run);
    const references = metricReferenceProblems(plan.metrics, scenario, plan.mode, run);
    if (references.length > 0) throw new InputError(plan.file, references);
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

/** Whether two paths reach a common place: one is the other's start, step for step ([*] meets any index). */
function pathsOverlap(a: readonly PathStep[], b: readonly PathStep[]): boolean {
  for (let k = 0; k < Math.min(a.length, b.length); k++) {
    const x = a[k]!;
    const y = b[k]!;
    if ('field' in x || 'field' in y) {
      if (!('field' in x && 'field' in y && x.field === y.field)) return false;
    } else if ('index' in x && 'index' in y && x.index !== y.index) return false;
  }
  return true;
}

/** Parameters of which two change one place (each named by where it is in the file). */
function overlappingPaths(parameters: readonly { pathTexts: string[]; paths: PathStep[][] }[], at: readonly string[]): InputProblem[] {
  const problems: InputProblem[] = [];
  for (let j = 1; j < parameters.length; j++) {
    for (let i = 0; i < j; i++) {
      const clash = parameters[j]!.paths.flatMap((b, q) => parameters[i]!.paths.map((a, p) => ({ a, b, p, q }))).find(({ a, b }) => pathsOverlap(a, b));
      if (!clash) continue;
      problems.push({
        path: `${at[j]}.path${parameters[j]!.pathTexts.length > 1 ? `[${clash.q}]` : ''}`,
        message: `"${parameters[j]!.pathTexts[clash.q]}" reaches what ${at[i]} ("${parameters[i]!.pathTexts[clash.p]}") changes: one parameter per place (the later would silently win)`,
      });
      break;
    }
  }
  return problems;
}
