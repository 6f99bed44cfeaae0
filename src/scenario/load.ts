/** Reading a scenario file: JSON → schema → cross-field validation → `Scenario`. */
import { InputError } from '../errors.ts';
import { schemaProblems } from '../io/problems.ts';
import { ScenarioSchema } from './schema.ts';
import { validateScenario, type Scenario } from './validate.ts';
import { readJsonFile } from '../io/read.ts';
import { environmentLimits, raiseHint, type Limits } from '../io/limits.ts';

export { readJsonFile, readTextFile } from '../io/read.ts';

/** Parses and validates scenario data already in memory; `file` names it in messages. */
export function parseScenario(raw: unknown, file = '<scenario>', limits: Limits = environmentLimits()): Scenario {
  refuseOversized(raw, file, limits);
  const parsed = ScenarioSchema.safeParse(raw);
  if (!parsed.success) throw new InputError(file, schemaProblems(parsed.error.issues, raw));
  const { scenario, problems } = validateScenario(parsed.data);
  if (!scenario) throw new InputError(file, problems);
  return scenario;
}

export function loadScenario(file: string, limits: Limits = environmentLimits()): Scenario {
  return parseScenario(readJsonFile(file, limits), file, limits);
}

/**
 * The counts that size everything else — steps, buses, prosumers — held to their limits before
 * the schema walks the arrays they size.
 */
function refuseOversized(raw: unknown, file: string, limits: Limits): void {
  if (raw === null || typeof raw !== 'object') return;
  const data = raw as { steps?: unknown; network?: { buses?: unknown }; prosumers?: unknown };
  const over = (path: string, found: number, limit: keyof Limits, what: string) => {
    throw new InputError(file, [{ path, message: `${found.toLocaleString('en-US')} ${what}, more than the limit of ${limits[limit].toLocaleString('en-US')}; ${raiseHint(limit)}` }]);
  };
  if (typeof data.steps === 'number' && data.steps > limits.steps) over('steps', data.steps, 'steps', 'steps');
  const buses = data.network?.buses;
  if (Array.isArray(buses) && buses.length > limits.buses) over('network.buses', buses.length, 'buses', 'buses');
  if (Array.isArray(data.prosumers) && data.prosumers.length > limits.prosumers) over('prosumers', data.prosumers.length, 'prosumers', 'prosumers');
}
