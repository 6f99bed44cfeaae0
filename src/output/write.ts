/**
 * Writing a run's files so that a run killed half-way leaves nothing that looks complete:
 * every file is first written in full to a staging folder beside the others, the previous
 * run's files (all of them, result.json first) are removed, the files are renamed into place,
 * and `result.json` comes last. A folder without `result.json` is an unfinished run. Files that
 * no command writes are left alone.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const COMPLETION_MARKER = 'result.json';

/** Every file a run of any command writes: a new run removes those it does not write itself. */
export const RUN_FILES = [
  'result.json', 'runs.csv', 'steps.csv', 'trades.csv', 'events.csv', 'requests.csv',
  'utility.csv', 'imbalance.csv', 'windows.csv', 'summary.csv', 'ac-check.csv', 'ac-violations.csv',
  'buses.csv', 'lines.csv', 'scenario.json', 'index.html', 'settlement.csv', 'nodal-prices.csv',
] as const;

/** Removes a previous run's files (result.json first), so that nothing of it looks current. */
export function clearRunFiles(dir: string): void {
  for (const name of RUN_FILES) rmSync(join(dir, name), { force: true });
  // The figures of an earlier run (plot) no longer describe this folder.
  rmSync(join(dir, 'figures'), { recursive: true, force: true });
}

export function writeRunFiles(dir: string, files: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  const staging = mkdtempSync(join(dir, '.partial-'));
  try {
    for (const [name, content] of Object.entries(files)) writeFileSync(join(staging, name), content);
    clearRunFiles(dir);
    const names = Object.keys(files).sort((a, b) => Number(a === COMPLETION_MARKER) - Number(b === COMPLETION_MARKER));
    for (const name of names) renameSync(join(staging, name), join(dir, name));
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
