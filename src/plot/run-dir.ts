/**
 * A finished run's folder, as `plot` reads it: the files a clearing, a simulation or a sweep
 * wrote (result.json, steps.csv, trades.csv, runs.csv, summary.csv, scenario.json), parsed
 * into rows (plot/run-texts.ts). Folders without `result.json` are unfinished runs and are refused.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.ts';
import { COMPLETION_MARKER } from '../output/write.ts';
import { runFolderFromTexts, type RunFolder } from './run-texts.ts';

export type { Row, RunFolder, RunKind } from './run-texts.ts';

function readJsonObject(file: string): Record<string, unknown> {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InputError(file, [{ path: '', message: `not valid JSON (${(e as Error).message})` }]);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new InputError(file, [{ path: '', message: 'not a JSON object' }]);
  return data as Record<string, unknown>;
}

export function readRunFolder(dir: string): RunFolder {
  const resultFile = join(dir, COMPLETION_MARKER);
  if (!existsSync(resultFile)) {
    throw new InputError(dir, [{ path: '', message: `no ${COMPLETION_MARKER}: not a finished run folder (written by clear, simulate, replay or sweep)` }]);
  }
  const result = readJsonObject(resultFile);
  if ('converged' in result) {
    throw new InputError(dir, [{ path: '', message: 'a power-flow folder: plot draws the runs of clear, simulate, replay and sweep (powerflow writes its own buses.csv and lines.csv)' }]);
  }
  if (!('steps' in result) && !('sweep' in result)) throw new InputError(resultFile, [{ path: '', message: 'not the result of a clear, simulate, replay or sweep run' }]);
  const scenarioFile = join(dir, 'scenario.json');
  const texts: Record<string, string | undefined> = {};
  for (const name of ['steps.csv', 'trades.csv', 'runs.csv', 'summary.csv', 'negotiation.csv', 'negotiation-prices.csv']) {
    if (existsSync(join(dir, name))) texts[name] = readFileSync(join(dir, name), 'utf8');
  }
  return runFolderFromTexts(dir, result, existsSync(scenarioFile) ? readJsonObject(scenarioFile) : undefined, texts, (name) => join(dir, name));
}
