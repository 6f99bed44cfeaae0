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
      if (issue.code === 'invalid_type' && issue.input === undefined) {
        return { path: formatPath(issue.path), message: 'is required but missing' };
      }
      return { path: formatPath(issue.path), message: issue.message };
    });
    throw new InputError(file, problems);
  }
  const { scenario, problems } = validateScenario(parsed.data);
  if (!scenario) throw new InputError(file, problems);
  return scenario;
}

/** Reads JSON from a file, naming the file (and line and column when it can) on failure. */
export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(file, [{ path: '', message: code === 'ENOENT' ? 'file not found' : `cannot be read (${code})` }]);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(file, [{ path: '', message: `malformed JSON: ${(e as Error).message}` }]);
  }
}

export function loadScenario(file: string): Scenario {
  return parseScenario(readJsonFile(file), file);
}
