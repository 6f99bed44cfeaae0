/**
 * A sweep's journal: every finished chunk is written at once (to a temporary file, then renamed)
 * into `<out>/.sweep-journal/`, so a sweep killed at any moment loses at most the chunks under
 * way, and `--resume` finishes it with the same output an uninterrupted run gives. The journal
 * records what it belongs to — the sweep file's and scenario's contents, the chunk size, the
 * solver and its time limit — and
 * is ignored (started afresh) when they changed. It is removed once the run's files are written.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SweepPlan } from './points.ts';
import type { SweepPointResult } from './run.ts';

export const JOURNAL_DIR = '.sweep-journal';

export class SweepJournal {
  readonly dir: string;
  private readonly identity: string;

  /** `settings`: anything else the results depend on (solver, time limit). */
  constructor(out: string, plan: SweepPlan, chunkPoints: number, settings = '') {
    this.dir = join(out, JOURNAL_DIR);
    const hash = createHash('sha256');
    hash.update(readFileSync(plan.file));
    hash.update(readFileSync(plan.scenarioFile));
    hash.update(String(chunkPoints));
    hash.update(settings);
    this.identity = hash.digest('hex');
  }

  /** Starts afresh, or (resume) keeps what a journal of this same sweep holds. */
  open(resume: boolean): Map<number, SweepPointResult[]> {
    const done = new Map<number, SweepPointResult[]>();
    const identityFile = join(this.dir, 'identity');
    const matches = resume && existsSync(identityFile) && readFileSync(identityFile, 'utf8') === this.identity;
    if (!matches) {
      rmSync(this.dir, { recursive: true, force: true });
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(identityFile, this.identity);
      return done;
    }
    for (const name of readdirSync(this.dir)) {
      const m = /^chunk-(\d+)\.json$/.exec(name);
      if (m) done.set(Number(m[1]), JSON.parse(readFileSync(join(this.dir, name), 'utf8')) as SweepPointResult[]);
    }
    return done;
  }

  record(chunk: number, results: SweepPointResult[]): void {
    const file = join(this.dir, `chunk-${String(chunk).padStart(6, '0')}.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify(results));
    renameSync(`${file}.tmp`, file);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
