/**
 * A finished run's folder, as `plot` reads it: the files a clearing, a simulation or a sweep
 * wrote (result.json, steps.csv, trades.csv, runs.csv, summary.csv, scenario.json), parsed
 * into rows. Folders without `result.json` are unfinished runs and are refused.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { InputError } from '../errors.ts';
import { COMPLETION_MARKER } from '../output/write.ts';

export type RunKind = 'clear' | 'simulate' | 'sweep';
export type Row = Record<string, string | number | null>;

export interface RunFolder {
  dir: string;
  kind: RunKind;
  /** The result document (result.json). */
  result: Record<string, unknown>;
  /** The validated scenario the run used (clear and simulate write scenario.json). */
  scenario: Record<string, unknown> | undefined;
  steps: Row[];
  trades: Row[];
  runs: Row[];
  summary: Row[];
  /** Columns of runs.csv after run, status, objective, solveMs: the swept parameters (and sample). */
  parameterColumns: string[];
}

/** CSV cells as numbers where they are numbers, null where empty. */
function readCsv(file: string): Row[] {
  if (!existsSync(file)) return [];
  return parse(readFileSync(file, 'utf8'), {
    columns: true,
    skip_empty_lines: true,
    cast: (value) => (value === '' ? null : Number.isFinite(Number(value)) ? Number(value) : value),
  }) as Row[];
}

export function readRunFolder(dir: string): RunFolder {
  const resultFile = join(dir, COMPLETION_MARKER);
  if (!existsSync(resultFile)) {
    throw new InputError(dir, [{ path: '', message: `no ${COMPLETION_MARKER}: not a finished run folder (written by clear, simulate, replay or sweep)` }]);
  }
  let result: Record<string, unknown>;
  try {
    result = JSON.parse(readFileSync(resultFile, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new InputError(resultFile, [{ path: '', message: `not valid JSON (${(e as Error).message})` }]);
  }
  const kind: RunKind = 'sweep' in result ? 'sweep' : 'windows' in result ? 'simulate' : 'clear';
  const scenarioFile = join(dir, 'scenario.json');
  const runs = readCsv(join(dir, 'runs.csv'));
  const header = existsSync(join(dir, 'runs.csv')) ? ((parse(readFileSync(join(dir, 'runs.csv'), 'utf8'), { to_line: 1 }) as string[][])[0] ?? []) : [];
  return {
    dir,
    kind,
    result,
    scenario: existsSync(scenarioFile) ? (JSON.parse(readFileSync(scenarioFile, 'utf8')) as Record<string, unknown>) : undefined,
    steps: readCsv(join(dir, 'steps.csv')),
    trades: readCsv(join(dir, 'trades.csv')),
    runs,
    summary: readCsv(join(dir, 'summary.csv')),
    parameterColumns: header.slice(4),
  };
}
