/**
 * A sweep's journal, a write-ahead record of finished chunks in `<out>/.sweep-journal/`: each
 * chunk is written as one entry the moment it finishes — to a temporary file, flushed to the
 * disk, renamed, and the folder flushed — so a sweep killed at any moment, or a machine that
 * loses power, loses at most the chunks under way, and `--resume` finishes it with the output an
 * uninterrupted run gives.
 *
 * The journal belongs to one sweep: its identity is the SHA-256 of the sweep's input files
 * (sweep, scenario, profiles), the chunk size, the solver and its time limit. `--resume` refuses
 * a journal of another identity (exit 2), and verifies every entry — it parses, carries the
 * identity, covers exactly its chunk's runs in order, each with a result — recomputing any
 * entry that does not, with a warning naming it (an empty file is what a power cut leaves).
 *
 * The writes and flushes run on libuv's threads, one entry after the other, while this thread
 * goes on computing: a flush costs ~10 ms on an ordinary disk, two of them a chunk, as long as the
 * chunk itself in a small sweep. An entry appears under its name only once it is on the disk, so
 * what a crash can lose is, as before, the chunks under way. `settled()` waits for them all (and
 * throws what a write met); the sweep command awaits it before it writes its results.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../errors.ts';
import type { SweepPlan } from './points.ts';
import type { SweepPointResult } from './run.ts';

export const JOURNAL_DIR = '.sweep-journal';
const IDENTITY_FILE = 'identity';

interface JournalEntry {
  identity: string;
  chunk: number;
  from: number;
  to: number;
  results: SweepPointResult[];
}

/** The digest a sweep's journal and its finished run folder carry. */
export function sweepIdentity(plan: Pick<SweepPlan, 'inputs'>, chunkPoints: number, settings = ''): string {
  const hash = createHash('sha256');
  for (const file of plan.inputs) hash.update(readFileSync(file)).update('\0');
  hash.update(String(chunkPoints)).update('\0').update(settings);
  return hash.digest('hex');
}

export class SweepJournal {
  readonly dir: string;
  readonly identity: string;
  /** Runs the last `open(true)` kept from the journal. */
  keptRuns = 0;
  private readonly size: number;
  /** The entries being written, in order; the first error a write met. */
  private writing: Promise<void> = Promise.resolve();
  private failure: unknown;

  /**
   * `settings`: anything else the results depend on (solver, time limit). `onWarning` hears of
   * entries that are recomputed.
   */
  constructor(
    out: string,
    plan: Pick<SweepPlan, 'inputs' | 'size'>,
    private readonly chunkPoints: number,
    settings = '',
    private readonly onWarning: (message: string) => void = (m) => process.stderr.write(`warning: ${m}\n`),
  ) {
    this.dir = join(out, JOURNAL_DIR);
    this.identity = sweepIdentity(plan, chunkPoints, settings);
    this.size = plan.size;
  }

  /** Whether a journal of this sweep is there to resume from. */
  exists(): boolean {
    return existsSync(join(this.dir, IDENTITY_FILE));
  }

  /** Exit 2 when the folder holds the journal of another sweep (for --resume, before anything is touched). */
  refuseIfOther(): void {
    const identityFile = join(this.dir, IDENTITY_FILE);
    if (existsSync(identityFile) && readFileSync(identityFile, 'utf8').trim() !== this.identity) {
      throw new InputError(this.dir, [{
        path: '',
        message: 'is the journal of another sweep (its sweep, scenario or profile files, the solver or the time limit differ): ' +
          'run without --resume to start this sweep afresh there, or give it its own --out',
      }]);
    }
  }

  /**
   * Starts afresh, or (resume) keeps the verified entries of this sweep's journal. A journal of
   * another sweep is refused on resume.
   */
  open(resume: boolean): Map<number, SweepPointResult[]> {
    const done = new Map<number, SweepPointResult[]>();
    const identityFile = join(this.dir, IDENTITY_FILE);
    if (resume && existsSync(identityFile)) {
      this.refuseIfOther();
      for (const name of readdirSync(this.dir).sort()) {
        if (name.endsWith('.tmp')) {
          rmSync(join(this.dir, name), { force: true });
          continue;
        }
        const m = /^chunk-(\d+)\.json$/.exec(name);
        if (!m) continue;
        const chunk = Number(m[1]);
        const entry = this.verify(join(this.dir, name), chunk);
        if (typeof entry === 'string') {
          this.onWarning(`${join(this.dir, name)} ${entry}; its runs are computed again`);
          rmSync(join(this.dir, name), { force: true });
        } else done.set(chunk, entry);
      }
      this.keptRuns = [...done.values()].reduce((n, results) => n + results.length, 0);
      return done;
    }
    this.keptRuns = 0;
    rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(this.dir, { recursive: true });
    this.enqueue(async () => {
      await writeDurably(identityFile, this.identity);
      await syncFolder(this.dir);
    });
    return done;
  }

  /** Records a finished chunk: its entry is written and flushed in the background (see `settled`). */
  record(chunk: number, results: SweepPointResult[]): void {
    if (this.failure !== undefined) throw this.failure;
    const file = join(this.dir, `chunk-${String(chunk).padStart(6, '0')}.json`);
    const { from, to } = this.bounds(chunk);
    const entry: JournalEntry = { identity: this.identity, chunk, from, to, results };
    const text = JSON.stringify(entry); // now: the results as they are
    this.enqueue(async () => {
      await writeDurably(`${file}.tmp`, text);
      await rename(`${file}.tmp`, file);
      await syncFolder(this.dir);
    });
  }

  /** Waits until every entry recorded is on the disk; throws the first error a write met. */
  async settled(): Promise<void> {
    await this.writing;
    if (this.failure !== undefined) throw this.failure;
  }

  private enqueue(write: () => Promise<void>): void {
    this.writing = this.writing.then(async () => {
      if (this.failure !== undefined) return;
      try {
        await write();
      } catch (e) {
        this.failure = e;
      }
    });
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private bounds(chunk: number): { from: number; to: number } {
    const from = chunk * this.chunkPoints;
    return { from, to: Math.min(this.size, from + this.chunkPoints) };
  }

  /** The entry's results, or why it cannot be kept. */
  private verify(file: string, chunk: number): SweepPointResult[] | string {
    const { from, to } = this.bounds(chunk);
    if (from >= this.size) return `names chunk ${chunk}, beyond the sweep's ${this.size} runs`;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      return `cannot be read (${(e as NodeJS.ErrnoException).code})`;
    }
    if (text.trim() === '') return 'is empty (a crash or power cut while it was written?)';
    let entry: Partial<JournalEntry>;
    try {
      entry = JSON.parse(text) as Partial<JournalEntry>;
    } catch {
      return 'is not complete JSON (a crash while it was written?)';
    }
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return 'is not a journal entry';
    if (entry.identity !== this.identity) return 'belongs to another sweep';
    if (entry.chunk !== chunk || entry.from !== from || entry.to !== to) return `does not cover runs ${from}–${to - 1}`;
    const results = entry.results;
    if (!Array.isArray(results) || results.length !== to - from) return `holds ${Array.isArray(results) ? results.length : 'no'} runs instead of ${to - from}`;
    for (let k = 0; k < results.length; k++) {
      const r = results[k] as Partial<SweepPointResult> | null;
      if (!r || r.run !== from + k || (typeof r.clearing !== 'object' && typeof r.simulation !== 'object')) return `has no result for run ${from + k}`;
    }
    return results;
  }
}

/** Writes a file and flushes it to the disk. */
async function writeDurably(file: string, content: string): Promise<void> {
  const handle = await open(file, 'w');
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Flushes a folder's entries (new names, renames) to the disk, where the file system can. */
async function syncFolder(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Some file systems cannot fsync a folder; the entries themselves are flushed.
  } finally {
    await handle?.close();
  }
}
