/** Reading a scenario file: JSON → schema → cross-field validation → `Scenario`. */
import { readFileSync } from 'node:fs';
import { formatPath, InputError, type InputProblem } from '../errors.ts';
import { ScenarioSchema } from './schema.ts';
import { validateScenario, type Scenario } from './validate.ts';

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

/** "line L, column C" of a character offset. */
function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${before[before.length - 1]!.length + 1}`;
}

/** A file's text, or an InputError that names the file. */
export function readTextFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(file, [{ path: '', message: code === 'ENOENT' ? 'file not found' : `cannot be read (${code})` }]);
  }
}

/** Reads JSON from a file, naming the file (and line and column when it can) on failure. */
export function readJsonFile(file: string): unknown {
  const text = readTextFile(file);
  try {
    return JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const position = /position (\d+)/.exec(message);
    const where = position ? lineAndColumn(text, Number(position[1])) : /end of JSON/.test(message) ? `${lineAndColumn(text, text.length)} (the file ends early)` : '';
    throw new InputError(file, [{ path: '', message: `malformed JSON${where ? ` at ${where}` : ''}: ${message}` }]);
  }
}

export function loadScenario(file: string): Scenario {
  return parseScenario(readJsonFile(file), file);
}
