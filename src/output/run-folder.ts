/**
 * A run folder belongs to the run: the one place a command writes, claimed before any work and
 * finished atomically. The rules, in the manner of git's lock files and a database's journal:
 *
 * 1. **Only its own folder.** A run writes into a folder that is absent, empty, or an earlier
 *    p2pmarket run — recognised by the manifest `.p2pmarket-run.json` that runs write first.
 *    Any other folder is refused (exit 2) before any work. A folder that is, or contains, the
 *    folder of one of the run's inputs is refused too: a run never writes where its inputs live.
 * 2. **One run at a time.** An exclusive lock file `.p2pmarket-lock` (created with O_EXCL,
 *    holding the holder's pid, host and command) makes a second run exit 2 naming the holder.
 *    A lock whose process no longer runs on this host is stale and is taken over.
 * 3. **It removes only what it owns.** The manifest lists every entry the folder's runs wrote
 *    (result files, `figures/`, the sweep journal, staging folders). Replacing a run removes
 *    exactly those entries, never anything else.
 * 4. **Atomic as seen from outside.** New files are written in full (and flushed) into a staging
 *    folder `.partial-*`; then the manifest is updated to own old and new entries, the old
 *    `result.json` is removed first, the other old entries next, the new ones are renamed into
 *    place with `result.json` last, and the manifest is rewritten with the new entries. A kill
 *    at any instant leaves either the previous complete run or no `result.json`, and a folder
 *    the next run recognises and cleans (the staging folders are in the manifest).
 *
 * The manifest holds no timestamps, so two identical runs leave identical folders.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, realpathSync, renameSync, rmdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { InputError } from '../errors.ts';

export const MANIFEST_FILE = '.p2pmarket-run.json';
export const LOCK_FILE = '.p2pmarket-lock';
export const COMPLETION_MARKER = 'result.json';
const MANIFEST_TAG = 'p2pmarket run folder';
const STAGING_PREFIX = '.partial-';

export type RunState = 'running' | 'writing' | 'complete';

export interface RunManifest {
  manifest: typeof MANIFEST_TAG;
  version: 1;
  command: string;
  /** The inputs of the run that last claimed the folder (absolute paths). */
  inputs: string[];
  state: RunState;
  /** Every entry of the folder the runs wrote (file or folder names), sorted. */
  files: string[];
  /** A sweep's digest (sweep and scenario texts, settings), for `--resume`. */
  identity?: string;
}

export interface ClaimOptions {
  /** The command claiming the folder, for the manifest and for lock messages. */
  command: string;
  /** Files the run reads: the folder may not be, or contain, any of their folders. */
  inputs?: readonly string[];
  /** How the folder was named, for messages (`--out` by default). */
  option?: string;
  /** Refuse a folder that holds no finished run (plot). */
  requireRun?: boolean;
}

interface LockHolder {
  pid: number;
  host: string;
  command: string;
  since: string;
}

/** Folders this process holds, by real path: a claim inside a claim shares the lock. */
const held = new Map<string, { folder: RunFolder; depth: number }>();

/** Test hook: with P2PMARKET_FAULT=<point>, the process kills itself there (kill tests). */
function faultPoint(point: string): void {
  if (process.env.P2PMARKET_FAULT === point) process.kill(process.pid, 'SIGKILL');
}

const refuse = (where: string, message: string, path = ''): never => {
  throw new InputError(where, [{ path, message }]);
};

export class RunFolder {
  private released = false;
  private committed = false;
  private constructor(
    readonly dir: string,
    private manifest: RunManifest,
    private readonly realDir: string,
    /** The manifest the folder had before this claim; undefined when it had none. */
    private readonly initial: RunManifest | undefined,
    /** The first folder this claim created (mkdir -p), to remove again if the run writes nothing. */
    private readonly created: string | undefined,
  ) {}

  /** Claims `dir` for a run: checks it, locks it, and marks it as a run folder. */
  static claim(dir: string, options: ClaimOptions): RunFolder {
    const option = options.option ?? '--out';
    const real = checkOutputPath(dir, option);
    for (const input of options.inputs ?? []) refuseInputInside(dir, real, input, option);
    const nested = held.get(real);
    if (nested) {
      nested.depth++;
      return nested.folder;
    }
    const existed = existsSync(dir);
    let created: string | undefined;
    if (existed) {
      const previous = readManifest(dir);
      refuseForeign(dir, previous, option);
      if (options.requireRun && !existsSync(join(dir, COMPLETION_MARKER))) {
        refuse(dir, `no ${COMPLETION_MARKER}: not a finished run folder (written by clear, simulate, replay or sweep)`);
      }
    } else {
      if (options.requireRun) refuse(dir, 'folder not found');
      try {
        created = mkdirSync(dir, { recursive: true });
      } catch (e) {
        refuse(dir, `cannot be created (${(e as NodeJS.ErrnoException).code})`, option);
      }
    }
    acquireLock(dir, options.command);
    try {
      // Under the lock, look again: another run may have written meanwhile.
      const previous = readManifest(dir);
      refuseForeign(dir, previous, option);
      // A run marks the folder as its own at once (so that a kill leaves a folder the next run
      // recognises); plot only adds figures to the run it finds.
      const manifest: RunManifest =
        options.requireRun && previous
          ? previous
          : {
              manifest: MANIFEST_TAG,
              version: 1,
              command: options.command,
              inputs: (options.inputs ?? []).map((f) => resolve(f)),
              state: 'running',
              files: previous?.files ?? [],
              ...(previous?.identity ? { identity: previous.identity } : {}),
            };
      const folder = new RunFolder(dir, manifest, realpathSync(dir), previous, created);
      folder.removeLeftovers();
      folder.writeManifest(folder.manifest);
      held.set(folder.realDir, { folder, depth: 1 });
      return folder;
    } catch (e) {
      releaseLock(dir);
      throw e;
    }
  }

  /**
   * When the run replaces an earlier run of other inputs (two projects' `sweep.json` both default
   * to outputs/sweep/), a note saying whose results go; undefined otherwise.
   */
  get replacing(): string | undefined {
    const before = this.initial;
    if (!before || before.state !== 'complete' || before.inputs.length === 0) return undefined;
    const same = before.inputs.length === this.manifest.inputs.length && before.inputs.every((f, k) => f === this.manifest.inputs[k]);
    return same ? undefined : `note: ${this.dir} held the results of ${before.command} ${before.inputs[0]}; this run replaces them`;
  }

  /** The manifest the folder had when this run claimed it: the earlier run's, if any. */
  get previous(): Readonly<RunManifest> | undefined {
    return this.initial;
  }

  /** Declares an entry the run writes before it commits (the sweep journal): it is owned from now on. */
  own(name: string): string {
    if (!this.manifest.files.includes(name)) this.writeManifest({ ...this.manifest, files: [...this.manifest.files, name].sort() });
    return join(this.dir, name);
  }

  /** Gives up an entry the run removed itself (the sweep journal, once the results are written). */
  disown(name: string): void {
    rmSync(join(this.dir, name), { recursive: true, force: true });
    this.writeManifest({ ...this.manifest, files: this.manifest.files.filter((f) => f !== name) });
  }

  /**
   * Writes the run's files atomically. `files` maps paths relative to the folder (`figures/a.svg`
   * makes the entry `figures`) to their contents. 'replace' removes every entry an earlier run
   * owned; 'add' replaces only the entries given (plot adds `figures/` and `index.html`).
   */
  commit(files: Record<string, string>, mode: 'replace' | 'add' = 'replace', identity?: string): void {
    this.assertHeld();
    const entries = [...new Set(Object.keys(files).map((p) => p.split('/')[0]!))];
    for (const name of entries) {
      if (name === MANIFEST_FILE || name === LOCK_FILE || name.startsWith(STAGING_PREFIX) || name === '' || name === '.' || name === '..') {
        throw new Error(`run folder: "${name}" is not a name a run may write`);
      }
    }
    const foreign = entries.filter((name) => !this.manifest.files.includes(name) && existsSync(join(this.dir, name)));
    if (foreign.length > 0) refuse(this.dir, `holds ${foreign.map((f) => `"${f}"`).join(', ')}, which no p2pmarket run wrote: move it away, or choose another folder`);
    // Unique among this folder's stagings without loading node:crypto (only the lock holder writes here).
    const staging = `${STAGING_PREFIX}${process.pid.toString(36)}-${Date.now().toString(36)}-${(stagingCount++).toString(36)}`;
    this.writeManifest({ ...this.manifest, files: [...new Set([...this.manifest.files, staging])].sort() });
    const stagingDir = join(this.dir, staging);
    mkdirSync(stagingDir);
    for (const [path, content] of Object.entries(files)) {
      const target = join(stagingDir, ...path.split('/'));
      mkdirSync(dirname(target), { recursive: true });
      writeDurably(target, content);
    }
    faultPoint('commit:staged');

    const old = this.manifest.files.filter((f) => f !== staging);
    const replaced = mode === 'replace' ? old.filter((f) => !f.startsWith(STAGING_PREFIX)) : old.filter((f) => entries.includes(f));
    const kept = old.filter((f) => !replaced.includes(f));
    this.writeManifest({ ...this.manifest, state: 'writing', files: [...new Set([...old, ...entries, staging])].sort() });
    // Nothing looks complete from here until the new result.json is in place.
    if (replaced.includes(COMPLETION_MARKER) || entries.includes(COMPLETION_MARKER)) rmSync(join(this.dir, COMPLETION_MARKER), { force: true });
    faultPoint('commit:old-result-removed');
    for (const name of replaced) if (name !== COMPLETION_MARKER && !entries.includes(name)) rmSync(join(this.dir, name), { recursive: true, force: true });
    const order = entries.sort((a, b) => Number(a === COMPLETION_MARKER) - Number(b === COMPLETION_MARKER) || (a < b ? -1 : 1));
    order.forEach((name, k) => {
      const target = join(this.dir, name);
      // A folder cannot be renamed over a non-empty one: the old one goes first.
      if (statSync(join(stagingDir, name)).isDirectory()) rmSync(target, { recursive: true, force: true });
      renameSync(join(stagingDir, name), target);
      faultPoint(`commit:renamed-${k + 1}`);
    });
    syncFolder(this.dir);
    faultPoint('commit:renamed-all');
    this.writeManifest({
      ...this.manifest,
      state: existsSync(join(this.dir, COMPLETION_MARKER)) ? 'complete' : 'running',
      files: [...new Set([...kept, ...entries])].sort(),
      ...(identity ? { identity } : {}),
    });
    rmSync(stagingDir, { recursive: true, force: true });
    this.writeManifest({ ...this.manifest, files: this.manifest.files.filter((f) => f !== staging) });
    this.committed = true;
  }

  /**
   * Gives the folder back as it was found when the run wrote nothing (bad input met late, a
   * market that cannot be cleared): the earlier run's manifest restored, or — for a folder this
   * claim created — the folder removed again. Then releases the lock.
   */
  abandon(): void {
    const entry = held.get(this.realDir);
    if (entry && entry.depth > 1) return this.release();
    if (!this.committed && !this.released) {
      const added = this.manifest.files.filter((f) => !(this.initial?.files ?? []).includes(f));
      for (const name of added) rmSync(join(this.dir, name), { recursive: true, force: true });
      if (this.initial) this.writeManifest(this.initial);
      else rmSync(join(this.dir, MANIFEST_FILE), { force: true });
      this.release();
      if (this.created && !this.initial) removeEmptyFolders(this.dir, this.created);
      return;
    }
    this.release();
  }

  /** Releases the lock (idempotent; a nested claim releases when its outermost claim does). */
  release(): void {
    const entry = held.get(this.realDir);
    if (entry && --entry.depth > 0) return;
    if (this.released) return;
    this.released = true;
    held.delete(this.realDir);
    releaseLock(this.dir);
  }

  private assertHeld(): void {
    if (this.released) throw new Error(`run folder ${this.dir}: written after its lock was released`);
  }

  /** Staging folders of a run that was killed, and a manifest's temporary copy. */
  private removeLeftovers(): void {
    const staging = this.manifest.files.filter((f) => f.startsWith(STAGING_PREFIX));
    for (const name of staging) rmSync(join(this.dir, name), { recursive: true, force: true });
    rmSync(join(this.dir, `${MANIFEST_FILE}.tmp`), { force: true });
    if (staging.length > 0) this.manifest = { ...this.manifest, files: this.manifest.files.filter((f) => !staging.includes(f)) };
  }

  private writeManifest(manifest: RunManifest): void {
    this.manifest = manifest;
    const file = join(this.dir, MANIFEST_FILE);
    writeDurably(`${file}.tmp`, JSON.stringify(manifest, null, 2) + '\n');
    renameSync(`${file}.tmp`, file);
  }
}

/** Claims the folder, runs `work`, and releases the lock whatever happens. */
export async function withRunFolder<T>(dir: string, options: ClaimOptions, work: (folder: RunFolder) => Promise<T> | T): Promise<T> {
  const folder = RunFolder.claim(dir, options);
  try {
    return await work(folder);
  } finally {
    folder.release();
  }
}

/**
 * The output folder's real path (symbolic links resolved as far as it exists), or exit 2 when it
 * cannot be a folder: empty, a file, or under a file.
 */
function checkOutputPath(dir: string, option: string): string {
  if (dir.trim() === '') refuse('command line', 'is empty: name a folder (for example outputs/run1)', option);
  let current = resolve(dir);
  const rest: string[] = [];
  for (;;) {
    let stat;
    try {
      stat = statSync(current);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') refuse(dir, `cannot be used (${code})`, option);
      const parent = dirname(current);
      if (parent === current) refuse(dir, 'cannot be created', option);
      rest.unshift(basename(current));
      current = parent;
      continue;
    }
    if (!stat.isDirectory()) {
      if (rest.length === 0) refuse(dir, 'is a file, not a folder: name a folder for the run\'s files', option);
      refuse(dir, `cannot be created: ${relativeOrAbsolute(current)} is a file, not a folder`, option);
    }
    return join(realpathSync(current), ...rest);
  }
}

/** Exit 2 when the output folder is, or contains, the folder of an input. */
function refuseInputInside(dir: string, realOut: string, input: string, option: string): void {
  let inputDir: string;
  try {
    inputDir = realpathSync(dirname(resolve(input)));
  } catch {
    return; // an input that does not exist is reported by whoever reads it
  }
  if (inputDir === realOut || inputDir.startsWith(realOut + sep)) {
    refuse(
      dir,
      `holds an input of this run (${relativeOrAbsolute(input)}): a run never writes where its inputs live. ` +
        `Choose an output folder outside it, such as ${relativeOrAbsolute(join(inputDir, 'outputs'))} or outputs/<name>`,
      option,
    );
  }
}

/**
 * Exit 2 unless the folder is empty or a run folder: in a run folder, entries no run wrote (a
 * user's notes) are left alone — unless they bear a name a run writes, which a run would replace.
 */
function refuseForeign(dir: string, manifest: RunManifest | undefined, option: string): void {
  const owned = new Set([MANIFEST_FILE, `${MANIFEST_FILE}.tmp`, LOCK_FILE, ...(manifest?.files ?? [])]);
  const foreign = readdirSync(dir).filter((name) => !owned.has(name)).sort();
  const blocking = manifest ? foreign.filter((name) => RUN_OUTPUT_NAMES.has(name) || name.startsWith(STAGING_PREFIX)) : foreign;
  if (blocking.length === 0) return;
  const shown = blocking.slice(0, 5).map((f) => `"${f}"`).join(', ') + (blocking.length > 5 ? ` and ${blocking.length - 5} more` : '');
  refuse(
    dir,
    manifest
      ? `holds ${shown}, which no p2pmarket run wrote but a run would replace: move ${blocking.length > 1 ? 'them' : 'it'} away, or choose another folder`
      : `holds files p2pmarket did not write (${shown}): a run writes only into an empty folder or one of its own earlier runs ` +
          `(recognised by its ${MANIFEST_FILE}). Choose another folder, or empty this one` +
          (existsSync(join(dir, COMPLETION_MARKER)) ? ' (an output folder of an older p2pmarket version has no manifest: delete it yourself if it is one)' : ''),
    option,
  );
}

/** Stagings this process has made (a part of their names). */
let stagingCount = 0;

/** Every name a p2pmarket command writes into a run folder. */
export const RUN_OUTPUT_NAMES: ReadonlySet<string> = new Set([
  'result.json', 'runs.csv', 'steps.csv', 'trades.csv', 'events.csv', 'requests.csv', 'utility.csv', 'imbalance.csv', 'windows.csv',
  'summary.csv', 'ac-check.csv', 'ac-violations.csv', 'buses.csv', 'lines.csv', 'scenario.json', 'index.html', 'settlement.csv',
  'nodal-prices.csv', 'negotiation.csv', 'negotiation-prices.csv', 'figures', '.sweep-journal',
]);

function readManifest(dir: string): RunManifest | undefined {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8'));
  } catch {
    return undefined;
  }
  const m = data as Partial<RunManifest>;
  if (m?.manifest !== MANIFEST_TAG || !Array.isArray(m.files) || !m.files.every((f) => typeof f === 'string' && isPlainName(f))) return undefined;
  return m as RunManifest;
}

/** A name inside the folder: no separators, not "." or "..". */
function isPlainName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/') && !name.includes('\\') && !name.includes('\0');
}

function acquireLock(dir: string, command: string): void {
  const file = join(dir, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, host: hostname(), command, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      try {
        writeSync(fd, JSON.stringify(me) + '\n');
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') refuse(dir, `cannot be locked (${(e as NodeJS.ErrnoException).code})`);
    }
    const holder = readLock(file);
    if (holder && isStale(holder)) {
      rmSync(file, { force: true });
      continue;
    }
    if (!holder) {
      // Being written this instant, or left empty by a crash: stale once it is a few seconds old.
      let ageMs = 0;
      try {
        ageMs = Date.now() - statSync(file).mtimeMs;
      } catch {
        continue;
      }
      if (ageMs > 5000) {
        rmSync(file, { force: true });
        continue;
      }
    }
    refuse(
      dir,
      holder
        ? `is in use by another p2pmarket run (${holder.command}, pid ${holder.pid} on ${holder.host}, since ${holder.since}): ` +
            `wait for it to finish, or choose another folder. If no such process runs, remove ${join(dir, LOCK_FILE)}`
        : `is in use by another p2pmarket run (its lock ${join(dir, LOCK_FILE)} is being written): wait for it, or choose another folder`,
    );
  }
  refuse(dir, `cannot be locked: ${join(dir, LOCK_FILE)} keeps coming back`);
}

function readLock(file: string): LockHolder | undefined {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
    return Number.isInteger(data.pid) && typeof data.host === 'string' ? data : undefined;
  } catch {
    return undefined;
  }
}

/** A lock of this host whose process is gone. (Another host's lock cannot be checked: it holds.) */
function isStale(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return false;
  if (holder.pid === process.pid) return true; // ours, from a claim of this process that was never released
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function releaseLock(dir: string): void {
  const file = join(dir, LOCK_FILE);
  const holder = readLock(file);
  if (holder?.pid === process.pid && holder.host === hostname()) rmSync(file, { force: true });
}

/** Removes `dir` and its parents up to `top` (the first folder a mkdir -p created), while they are empty. */
function removeEmptyFolders(dir: string, top: string): void {
  const stop = dirname(resolve(top));
  for (let d = resolve(dir); d !== stop && d.startsWith(resolve(top)); d = dirname(d)) {
    try {
      if (readdirSync(d).length > 0) return;
      rmdirSync(d);
    } catch {
      return;
    }
  }
}

/** Writes a file and flushes it to the disk before returning. */
export function writeDurably(file: string, content: string): void {
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Flushes a folder's entries (new names, renames) to the disk. */
export function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems cannot fsync a folder; the data files themselves are flushed.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function relativeOrAbsolute(path: string): string {
  const rel = relative(process.cwd(), resolve(path));
  return rel === '' ? '.' : rel.startsWith('..') ? resolve(path) : rel;
}

/** Releases every lock this process holds when it exits (a crash leaves a stale lock, which the next run takes over). */
process.on('exit', () => {
  for (const { folder } of held.values()) {
    try {
      releaseLock(folder.dir);
    } catch {
      // nothing more to do on the way out
    }
  }
});
