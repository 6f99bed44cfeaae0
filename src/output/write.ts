/**
 * Writing a run's files so that a run killed half-way leaves nothing that looks complete:
 * every file is first written in full to a staging folder beside the others, the previous
 * `result.json` is removed, the files are renamed into place, and `result.json` comes last.
 * A folder without `result.json` is an unfinished run. Other files in the folder are left alone.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const COMPLETION_MARKER = 'result.json';

export function writeRunFiles(dir: string, files: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  const staging = mkdtempSync(join(dir, '.partial-'));
  try {
    for (const [name, content] of Object.entries(files)) writeFileSync(join(staging, name), content);
    rmSync(join(dir, COMPLETION_MARKER), { force: true });
    const names = Object.keys(files).sort((a, b) => Number(a === COMPLETION_MARKER) - Number(b === COMPLETION_MARKER));
    for (const name of names) renameSync(join(staging, name), join(dir, name));
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
