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
  /** Columns of a sweep's runs.csv between run and status: the swept parameters (and sample). */
  parameterColumns: string[];
  /** A negotiated clearing's traces (market.clearing "admm"): negotiation.csv and negotiation-prices.csv; empty otherwise. */
  negotiation: Row[];
  negotiationPrices: Row[];
}

/** CSV cells as numbers where they are numbers, null where empty. */
function readCsv(file: string): Row[] {
  if (!existsSync(file)) return [];
  try {
    return parse(readFileSync(file, 'utf8'), {
      columns: true,
      skip_empty_lines: true,
      cast: (value) => (value === '' ? null : Number.isFinite(Number(value)) ? Number(value) : value),
    }) as Row[];
  } catch (e) {
    throw new InputError(file, [{ path: '', message: `not a CSV table this program wrote (${(e as Error).message})` }]);
  }
}

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
  const kind: RunKind = 'sweep' in result ? 'sweep' : 'windows' in result ? 'simulate' : 'clear';
  const scenarioFile = join(dir, 'scenario.json');
  const runs = readCsv(join(dir, 'runs.csv'));
  const header = existsSync(join(dir, 'runs.csv')) ? ((parse(readFileSync(join(dir, 'runs.csv'), 'utf8'), { to_line: 1 }) as string[][])[0] ?? []) : [];
  // A sweep's runs.csv: run, its parameters, sample (stochastic), status, then the metrics.
  const parameterColumns = kind === 'sweep' ? header.slice(1, Math.max(1, header.indexOf('status'))) : [];
  return {
    dir,
    kind,
    result,
    scenario: existsSync(scenarioFile) ? readJsonObject(scenarioFile) : undefined,
    steps: readCsv(join(dir, 'steps.csv')),
    trades: readCsv(join(dir, 'trades.csv')),
    runs,
    summary: readCsv(join(dir, 'summary.csv')),
    parameterColumns,
    negotiation: readCsv(join(dir, 'negotiation.csv')),
    negotiationPrices: readCsv(join(dir, 'negotiation-prices.csv')),
  };
}
