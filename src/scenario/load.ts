/**
 * Reading a scenario file: JSON → schema (the file form) → profile references resolved into
 * arrays (src/profiles/resolve.ts) → schema of the resolved form → cross-field validation →
 * `Scenario`.
 */
import { dirname, resolve } from 'node:path';
import type { z } from 'zod';
import { formatPath, InputError, type InputProblem } from '../errors.ts';
import { resolveProfiles, type ResolvedScenario } from '../profiles/resolve.ts';
import { ScenarioFileSchema, ScenarioSchema } from './schema.ts';
import { validateScenario, type Scenario } from './validate.ts';
import { readJsonFile } from '../io/read.ts';

export { readJsonFile, readTextFile } from '../io/read.ts';

export interface ParseScenarioOptions {
  /** The folder profile files are relative to (default: the current folder). */
  baseDir?: string;
}

/** A scenario and the absolute paths of the files it was read from (the scenario's, then its profiles'). */
export interface ScenarioWithInputs {
  scenario: Scenario;
  inputs: string[];
}

/**
 * Checks scenario data in the file form and resolves its profile references: the scenario with
 * every series an array, not yet cross-checked (a sweep changes it before `parseScenario`).
 */
export function resolveScenarioInput(raw: unknown, file = '<scenario>', options: ParseScenarioOptions = {}): ResolvedScenario {
  const parsed = ScenarioFileSchema.safeParse(raw);
  if (!parsed.success) throw new InputError(file, schemaProblems(parsed.error.issues, raw));
  return resolveProfiles(parsed.data, { file, baseDir: options.baseDir ?? '.' });
}

/** Parses and validates scenario data already in memory, with the profile files it read; `file` names it in messages. */
export function parseScenarioWithInputs(raw: unknown, file = '<scenario>', options: ParseScenarioOptions = {}): ScenarioWithInputs {
  const { input, inputs } = resolveScenarioInput(raw, file, options);
  const parsed = ScenarioSchema.safeParse(input);
  if (!parsed.success) throw new InputError(file, schemaProblems(parsed.error.issues, input));
  const { scenario, problems } = validateScenario(parsed.data);
  if (!scenario) throw new InputError(file, problems);
  return { scenario, inputs };
}

/** Parses and validates scenario data already in memory; `file` names it in messages. */
export function parseScenario(raw: unknown, file = '<scenario>', options: ParseScenarioOptions = {}): Scenario {
  return parseScenarioWithInputs(raw, file, options).scenario;
}

/** Loads a scenario file, its profiles relative to its folder, and lists every file read (absolute paths). */
export function loadScenarioWithInputs(file: string): ScenarioWithInputs {
  const { scenario, inputs } = parseScenarioWithInputs(readJsonFile(file), file, { baseDir: dirname(file) });
  return { scenario, inputs: [resolve(file), ...inputs.filter((f) => f !== resolve(file))] };
}

export function loadScenario(file: string): Scenario {
  return loadScenarioWithInputs(file).scenario;
}

/** Readable problems from zod's issues; `raw` is the data parsed (to say what a wrong value was). */
function schemaProblems(issues: readonly z.core.$ZodIssue[], raw: unknown, prefix: readonly PropertyKey[] = []): InputProblem[] {
  return issues.flatMap((issue): InputProblem[] => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union') {
      // A series is an array or a profile reference: report the problems of the form the value has.
      const matching = issue.errors.filter((branch) => !branch.some((e) => e.path.length === 0 && (e.code === 'invalid_type' || e.code === 'invalid_value')));
      if (matching.length === 1) return schemaProblems(matching[0]!, raw, path);
    }
    if (issue.code === 'unrecognized_keys') {
      return [{ path: formatPath(path), message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}` }];
    }
    if (issue.code === 'invalid_type' && !hasPath(raw, path)) {
      return [{ path: formatPath(path), message: 'is required but missing' }];
    }
    if (issue.code === 'invalid_type' && issue.expected === 'number') {
      const value = valueAt(raw, path);
      const received = typeof value === 'number' ? String(value) : JSON.stringify(value);
      return [{ path: formatPath(path), message: `must be a finite number (found ${received})` }];
    }
    return [{ path: formatPath(path), message: issue.message }];
  });
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let node: unknown = raw;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function hasPath(raw: unknown, path: readonly PropertyKey[]): boolean {
  if (path.length === 0) return true;
  const parent = valueAt(raw, path.slice(0, -1));
  return parent !== null && typeof parent === 'object' && path[path.length - 1]! in parent;
}
