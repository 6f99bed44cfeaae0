/**
 * A run's files held in memory, in the shape `plot` reads from a run folder (src/plot/run-dir.ts's
 * `RunFolder`): the same files, parsed the same way — CSV cells as numbers where they are
 * numbers, null where empty; the kind from result.json; a sweep's parameter columns from the
 * header of runs.csv — so that src/plot/figures.ts draws the page's run as it draws the folder.
 * (run-dir.ts reads from the disk; this is its reading of texts, kept in step with it.)
 */
import { parse } from 'csv-parse/sync';
import type { Row, RunFolder, RunKind } from '../../src/plot/run-dir.ts';

function rows(text: string | undefined): Row[] {
  if (text === undefined) return [];
  return parse(text, {
    columns: true,
    skip_empty_lines: true,
    cast: (value: string) => (value === '' ? null : Number.isFinite(Number(value)) ? Number(value) : value),
  }) as Row[];
}

/** The run folder `name` would be, had the command line written `files` into it. */
export function runFolderOf(name: string, files: Readonly<Record<string, string>>): RunFolder {
  const result = JSON.parse(files['result.json'] ?? '{}') as Record<string, unknown>;
  const kind: RunKind = 'sweep' in result ? 'sweep' : 'windows' in result ? 'simulate' : 'clear';
  const header = files['runs.csv'] === undefined ? [] : ((parse(files['runs.csv'], { to_line: 1 }) as string[][])[0] ?? []);
  return {
    dir: name,
    kind,
    result,
    scenario: files['scenario.json'] === undefined ? undefined : (JSON.parse(files['scenario.json']) as Record<string, unknown>),
    steps: rows(files['steps.csv']),
    trades: rows(files['trades.csv']),
    runs: rows(files['runs.csv']),
    summary: rows(files['summary.csv']),
    parameterColumns: kind === 'sweep' ? header.slice(1, Math.max(1, header.indexOf('status'))) : [],
    negotiation: rows(files['negotiation.csv']),
    negotiationPrices: rows(files['negotiation-prices.csv']),
  };
}
