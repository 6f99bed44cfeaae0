/**
 * Writing a run's files from code: the folder is claimed as a run folder (output/run-folder.ts:
 * only an absent, empty or earlier-run folder, locked while it is written) and the files are
 * committed atomically, `result.json` last.
 */
import { COMPLETION_MARKER, RunFolder } from './run-folder.ts';

export { COMPLETION_MARKER };

/** Writes `files` (name → content) as a run's files in `dir`, replacing an earlier run's. */
export function writeRunFiles(dir: string, files: Record<string, string>, options: { command?: string; inputs?: string[] } = {}): void {
  const folder = RunFolder.claim(dir, { command: options.command ?? 'library', inputs: options.inputs ?? [] });
  try {
    folder.commit(files);
  } finally {
    folder.release();
  }
}
