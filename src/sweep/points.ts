/**
 * A sweep's points: the cartesian product of its parameters' values (the last parameter
 * varies fastest), each applied to a copy of the scenario and validated as a scenario.
 */
import { basename, dirname, resolve } from 'node:path';
import { formatPath, InputError, type InputProblem } from '../errors.ts';
import { parseScenario, readJsonFile } from '../scenario/load.ts';
import type { Scenario } from '../scenario/validate.ts';
import { parsePath, setPath, type PathStep } from './paths.ts';
import { SweepSchema, type SweepData } from './schema.ts';

/** At most this many points in one sweep. */
export const MAX_POINTS = 1_000_000;

export interface SweepParameter {
  /** The column name in runs.csv: the path, or the paths joined by "|". */
  name: string;
  paths: PathStep[][];
  values: number[];
}

export interface SweepPlan {
  name: string;
  file: string;
  scenarioFile: string;
  mode: SweepData['mode'];
  parameters: SweepParameter[];
  /** Number of points: the product of the parameters' value counts. */
  size: number;
  /** The scenario of point `run` (validated). */
  point(run: number): { scenario: Scenario; values: number[] };
}

/** Values of a range, rounded to 12 significant digits so that steps of 0.1 stay 0.1. */
export function rangeValues(from: number, to: number, step: number): number[] {
  const count = Math.floor((to - from) / step + 1e-9) + 1;
  return Array.from({ length: count }, (_, i) => Number((from + i * step).toPrecision(12)));
}

export function loadSweep(file: string): SweepPlan {
  const parsed = SweepSchema.safeParse(readJsonFile(file));
  if (!parsed.success) {
    throw new InputError(
      file,
      parsed.error.issues.map((issue) => ({
        path: formatPath(issue.path),
        message: issue.code === 'unrecognized_keys' ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}` : issue.message,
      })),
    );
  }
  const sweep = parsed.data;
  const scenarioFile = resolve(dirname(file), sweep.scenario);
  const raw = readJsonFile(scenarioFile);
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
    if ('values' in p) values = p.values;
    else if (p.from > p.to) problems.push({ path: `${at}.from`, message: `${p.from} is above "to" (${p.to})` });
    else if ((p.to - p.from) / p.step + 1 > MAX_POINTS) problems.push({ path: `${at}.step`, message: `a step of ${p.step} from ${p.from} to ${p.to} makes more than ${MAX_POINTS} values` });
    else values = rangeValues(p.from, p.to, p.step);
    return { name: pathList.join('|'), paths, values };
  });
  const size = parameters.reduce((n, p) => n * p.values.length, 1);
  if (problems.length === 0 && size > MAX_POINTS) problems.push({ path: 'parameters', message: `${size} points, more than ${MAX_POINTS}` });
  if (problems.length > 0) throw new InputError(file, problems);

  const point = (run: number) => {
    const values: number[] = new Array(parameters.length);
    let rest = run;
    for (let k = parameters.length - 1; k >= 0; k--) {
      const count = parameters[k]!.values.length;
      values[k] = parameters[k]!.values[rest % count]!;
      rest = Math.floor(rest / count);
    }
    const input = structuredClone(raw);
    parameters.forEach((p, k) => p.paths.forEach((steps) => setPath(input, steps, values[k]!)));
    try {
      return { scenario: parseScenario(input, `${scenarioFile} (sweep point ${run}: ${parameters.map((p, k) => `${p.name} = ${values[k]}`).join(', ')})`), values };
    } catch (e) {
      if (e instanceof InputError) throw new InputError(file, e.problems.map((q) => ({ path: `point ${run}`, message: `${q.path}: ${q.message} (${e.file})` })));
      throw e;
    }
  };
  return { name: sweep.name ?? basename(file).replace(/\.json$/, ''), file, scenarioFile, mode: sweep.mode, parameters, size, point };
}
