/** Reading a scenario file: JSON → schema → cross-field validation → `Scenario`. */
import { formatPath, InputError, type InputProblem } from '../errors.ts';
import { ScenarioSchema } from './schema.ts';
import { validateScenario, type Scenario } from './validate.ts';
import { readJsonFile } from '../io/read.ts';

export { readJsonFile, readTextFile } from '../io/read.ts';

/** Parses and validates scenario data already in memory; `file` names it in messages. */
export function parseScenario(raw: unknown, file = '<scenario>'): Scenario {
  const parsed = ScenarioSchema.safeParse(raw);
  if (!parsed.success) {
    const problems: InputProblem[] = parsed.error.issues.map((issue) => {
      if (issue.code === 'unrecognized_keys') {
        return {
          path: formatPath(issue.path),
          message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`,
        };
      }
      if (issue.code === 'invalid_type' && !hasPath(raw, issue.path)) {
        return { path: formatPath(issue.path), message: 'is required but missing' };
      }
      if (issue.code === 'invalid_type' && issue.expected === 'number') {
        const value = valueAt(raw, issue.path);
        const received = typeof value === 'number' ? String(value) : JSON.stringify(value);
        return { path: formatPath(issue.path), message: `must be a finite number (found ${received})` };
      }
      return { path: formatPath(issue.path), message: issue.message };
    });
    throw new InputError(file, problems);
  }
  const { scenario, problems } = validateScenario(parsed.data);
  if (!scenario) throw new InputError(file, problems);
  return scenario;
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

export function loadScenario(file: string): Scenario {
  return parseScenario(readJsonFile(file), file);
}
