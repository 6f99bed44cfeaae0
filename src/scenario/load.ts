/**
 * Reading a scenario file from the disk: its JSON (io/read.ts), then scenario/parse.ts — the
 * counts held to their limits → schema (the file form) → profile references resolved into
 * arrays (src/profiles/resolve.ts) → schema of the resolved form → cross-field validation →
 * `Scenario` — with the disk as the source of its profile files unless another is given.
 */
import { dirname, resolve } from 'node:path';
import { diskSource } from '../io/disk-source.ts';
import { environmentLimits, type Limits } from '../io/limits.ts';
import { readJsonFile } from '../io/read.ts';
import type { ResolvedScenario } from '../profiles/resolve.ts';
import * as inMemory from './parse.ts';
import type { ParseScenarioOptions, ScenarioWithInputs } from './parse.ts';
import type { Scenario } from './validate.ts';

export { readJsonFile, readTextFile } from '../io/read.ts';
export type { ParseScenarioOptions, ScenarioWithInputs } from './parse.ts';

/** The options with the disk as the source of the profile files when they name none. */
const sourced = (options: ParseScenarioOptions): inMemory.SourcedParseOptions => ({ ...options, source: options.source ?? diskSource() });

/**
 * Checks scenario data in the file form and resolves its profile references: the scenario with
 * every series an array, not yet cross-checked (a sweep changes it before `parseScenario`).
 */
export function resolveScenarioInput(raw: unknown, file = '<scenario>', options: ParseScenarioOptions = {}): ResolvedScenario {
  return inMemory.resolveScenarioInput(raw, file, sourced(options));
}

/** Parses and validates scenario data already in memory, with the profile files it read; `file` names it in messages. */
export function parseScenarioWithInputs(raw: unknown, file = '<scenario>', options: ParseScenarioOptions = {}): ScenarioWithInputs {
  return inMemory.parseScenarioWithInputs(raw, file, sourced(options));
}

/** Parses and validates scenario data already in memory; `file` names it in messages. */
export function parseScenario(raw: unknown, file = '<scenario>', options: ParseScenarioOptions = {}): Scenario {
  return parseScenarioWithInputs(raw, file, options).scenario;
}

/** Loads a scenario file, its profiles relative to its folder, and lists every file read (absolute paths). */
export function loadScenarioWithInputs(file: string, limits: Limits = environmentLimits()): ScenarioWithInputs {
  const { scenario, inputs } = parseScenarioWithInputs(readJsonFile(file, limits), file, { baseDir: dirname(file), limits });
  return { scenario, inputs: [resolve(file), ...inputs.filter((f) => f !== resolve(file))] };
}

export function loadScenario(file: string, limits: Limits = environmentLimits()): Scenario {
  return loadScenarioWithInputs(file, limits).scenario;
}
