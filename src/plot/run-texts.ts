/**
 * A finished run's files, given as texts (name → text), made into the `RunFolder` the figures
 * and the report draw: CSV cells as numbers where they are numbers and null where empty, the
 * sweep's parameter columns from runs.csv's header. No I/O: plot/run-dir.ts reads a folder from
 * the disk into these texts, and the web page passes the texts its run made.
 */
import { parse } from 'csv-parse/sync';
import { InputError } from '../errors.ts';

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

/** The files a run folder's reading looks at, by name (absent: not written). */
export type RunTexts = Readonly<Record<string, string | undefined>>;

/** A CSV text's rows; `file` names it in the message when it is not a table this program wrote. */
export function csvRows(text: string | undefined, file: string): Row[] {
  if (text === undefined) return [];
  try {
    return parse(text, {
      columns: true,
      skip_empty_lines: true,
      cast: (value: string) => (value === '' ? null : Number.isFinite(Number(value)) ? Number(value) : value),
    }) as Row[];
  } catch (e) {
    throw new InputError(file, [{ path: '', message: `not a CSV table this program wrote (${(e as Error).message})` }]);
  }
}

/**
 * The run folder `dir` holding `texts`, its result document already read and checked;
 * `where(name)` is how messages name a file of it.
 */
export function runFolderFromTexts(dir: string, result: Record<string, unknown>, scenario: Record<string, unknown> | undefined, texts: RunTexts, where: (name: string) => string = (name) => name): RunFolder {
  const kind: RunKind = 'sweep' in result ? 'sweep' : 'windows' in result ? 'simulate' : 'clear';
  const rows = (name: string) => csvRows(texts[name], where(name));
  const runsText = texts['runs.csv'];
  const header = runsText === undefined ? [] : ((parse(runsText, { to_line: 1 }) as string[][])[0] ?? []);
  return {
    dir,
    kind,
    result,
    scenario,
    steps: rows('steps.csv'),
    trades: rows('trades.csv'),
    runs: rows('runs.csv'),
    summary: rows('summary.csv'),
    // A sweep's runs.csv: run, its parameters, sample (stochastic), status, then the metrics.
    parameterColumns: kind === 'sweep' ? header.slice(1, Math.max(1, header.indexOf('status'))) : [],
    negotiation: rows('negotiation.csv'),
    negotiationPrices: rows('negotiation-prices.csv'),
  };
}
