/**
 * Parsing scenario data already in memory, its profile files read from a given source
 * (io/source.ts): the counts held to their limits → schema (the file form) → profile references
 * resolved into arrays (src/profiles/resolve.ts) → schema of the resolved form → cross-field
 * validation → `Scenario`. No I/O of its own, so that a web page runs it as the command line
 * does; scenario/load.ts adds the disk (files, and the disk as the default source).
 */
import { InputError } from '../errors.ts';
import { environmentLimits, raiseHint, type Limits } from '../io/limits.ts';
import { schemaProblems } from '../io/problems.ts';
import type { FileSource } from '../io/source.ts';
import { resolveProfiles, type ResolvedScenario } from '../profiles/resolve.ts';
import { ScenarioFileSchema, ScenarioSchema } from './schema.ts';
import { validateScenario, type Scenario } from './validate.ts';

export interface ParseScenarioOptions {
  /** The folder profile files are relative to (default: the current folder). */
  baseDir?: string;
  /** Size limits (io/limits.ts); the environment's by default. */
  limits?: Limits;
  /** Where profile files come from (scenario/load.ts: the disk by default). */
  source?: FileSource;
}

/** Options with the source of the profile files given. */
export type SourcedParseOptions = ParseScenarioOptions & { source: FileSource };

/** A scenario and the absolute paths of the files it was read from (the scenario's, then its profiles'). */
export interface ScenarioWithInputs {
  scenario: Scenario;
  inputs: string[];
}

/**
 * Checks scenario data in the file form and resolves its profile references: the scenario with
 * every series an array, not yet cross-checked (a sweep changes it before `parseScenario`).
 */
export function resolveScenarioInput(raw: unknown, file: string, options: SourcedParseOptions): ResolvedScenario {
  refuseOversized(raw, file, options.limits ?? environmentLimits());
  const parsed = ScenarioFileSchema.safeParse(raw);
  if (!parsed.success) throw new InputError(file, schemaProblems(parsed.error.issues, raw));
  return resolveProfiles(parsed.data, { file, baseDir: options.baseDir ?? '.', source: options.source });
}

/** Parses and validates scenario data already in memory, with the profile files it read; `file` names it in messages. */
export function parseScenarioWithInputs(raw: unknown, file: string, options: SourcedParseOptions): ScenarioWithInputs {
  const { input, inputs } = resolveScenarioInput(raw, file, options);
  const parsed = ScenarioSchema.safeParse(input);
  if (!parsed.success) throw new InputError(file, schemaProblems(parsed.error.issues, input));
  const { scenario, problems } = validateScenario(parsed.data);
  if (!scenario) throw new InputError(file, problems);
  return { scenario, inputs };
}

/** Parses and validates scenario data already in memory; `file` names it in messages. */
export function parseScenario(raw: unknown, file: string, options: SourcedParseOptions): Scenario {
  return parseScenarioWithInputs(raw, file, options).scenario;
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
