/**
 * Running a sweep's points. Points are cut into fixed chunks of CHUNK_POINTS; each chunk is
 * cleared in one solver session (warm from point to point) opened afresh for it (sweep/chunk.ts),
 * so a point's result depends only on its chunk — never on how many workers there are or which
 * one took it. With one worker the chunks run in this process; with N, this process and N − 1
 * worker threads (piscina) share them. Results come back in point order.
 */
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import { InputError } from '../errors.ts';
import { workerScript } from '../worker-script.ts';
import type { SolverName } from '../market/clear.ts';
import { SOLVER_NAMES } from '../market/clear-options.ts';
import type { ClearingMethod } from '../admm/options.ts';
import type { SweepJournal } from './journal.ts';
import { loadSweep, loadSweepFromTexts, validatePoints, type SweepPlan, type SweepPoint } from './points.ts';
import { CHUNK_POINTS, chunkTasks, runPlanChunk, type ChunkTask, type SweepPointResult } from './chunk.ts';
import { COLUMN_NAME, COLUMN_NAME_RULE, columnNameClash } from './columns.ts';

export { CHUNK_POINTS, chunkTasks, runPlanChunk, type ChunkSettings, type ChunkTask, type SweepPointResult } from './chunk.ts';

export interface SweepOptions {
  solver?: SolverName;
  timeLimitSeconds?: number;
  /** Worker threads; 1 runs in this process. Default: `defaultWorkers`. */
  workers?: number;
  /** Points per chunk (default CHUNK_POINTS); results depend on it, not on the workers. */
  chunkPoints?: number;
  /** Called as chunks finish (progress). */
  onProgress?: (done: number, total: number) => void;
  /** Where finished chunks are recorded as they come, and (resume) taken from. */
  journal?: { journal: SweepJournal; resume: boolean };
  /** Run the AC power flow on every run's dispatch, for the AC metrics. */
  acCheck?: boolean;
  /**
   * Metrics of your own, per run (runs.csv columns after the others): computed in this process
   * from each run's point and results.
   */
  metrics?: (point: SweepPoint, result: SweepPointResult) => Record<string, number | null>;
  /** Clear every point this way instead of as its scenario says (--clearing). */
  clearing?: ClearingMethod;
}

/** Sweep plans a worker has loaded, by file. */
const plans = new Map<string, SweepPlan>();

export async function runChunk(task: ChunkTask, given?: SweepPlan): Promise<SweepPointResult[]> {
  let plan = given ?? plans.get(task.sweepFile);
  if (!plan) {
    plan = task.texts ? loadSweepFromTexts(task.sweepFile, task.texts) : loadSweep(task.sweepFile);
    plans.set(task.sweepFile, plan);
  }
  return runPlanChunk(plan, task);
}

/**
 * A worker thread takes about a second to start (compiling the sources, loading HiGHS): sweeps
 * of up to SMALL_SWEEP_POINTS clearings — a few milliseconds each — run faster in this process;
 * anything larger uses every core.
 */
export const SMALL_SWEEP_POINTS = 500;
export function defaultWorkers(plan: SweepPlan): number {
  return plan.mode === 'clear' && plan.size <= SMALL_SWEEP_POINTS ? 1 : availableParallelism();
}

export async function runSweep(plan: SweepPlan, options: SweepOptions = {}): Promise<SweepPointResult[]> {
  // What it is given is checked as a file is (code may pass anything), then every point is built
  // and validated before anything runs: a bad one stops the sweep at once.
  checkArguments(plan, options);
  validatePoints(plan);
  const settings = { solver: options.solver ?? 'highs', timeLimitSeconds: options.timeLimitSeconds, ...(options.acCheck ? { acCheck: true } : {}), ...(options.clearing ? { clearing: options.clearing } : {}) } as const;
  const tasks = chunkTasks(plan, settings, options.chunkPoints ?? CHUNK_POINTS);
  const chunks: SweepPointResult[][] = new Array(tasks.length);
  const recorded = options.journal?.journal.open(options.journal.resume) ?? new Map<number, SweepPointResult[]>();
  let done = 0;
  const ownMetrics = options.metrics ? codeMetrics(plan, options.metrics) : undefined;
  const finished = (k: number, results: SweepPointResult[], fresh = true) => {
    if (fresh) options.journal?.journal.record(k, results);
    // Metrics of the caller's own, computed here (a function cannot go to a worker thread), as
    // each chunk comes: a name that would take another column stops the sweep at once.
    if (ownMetrics) for (const r of results) ownMetrics(r);
    chunks[k] = results;
    done += results.length;
    options.onProgress?.(done, plan.size);
  };
  for (const [k, results] of recorded) if (k < tasks.length) finished(k, results, false);
  const todo = tasks.map((task, k) => ({ task, k })).filter(({ k }) => !chunks[k]);
  const workers = Math.max(1, Math.min(options.workers ?? defaultWorkers(plan), todo.length));
  // This process is one of the workers: it takes chunks from the same queue as the N − 1
  // worker threads, each of which is kept one chunk ahead so that it never waits for us.
  let next = 0;
  let stopped = false; // by an error: no chunk is taken after it
  const take = () => (!stopped && next < todo.length ? todo[next++] : undefined);
  const inProcess = async () => {
    for (let item = take(); item; item = take()) {
      finished(item.k, await runChunk(item.task, plan));
      await new Promise((resolve) => setImmediate(resolve)); // let finished threads hand in
    }
  };
  if (workers === 1) {
    await inProcess();
  } else {
    const stop = (e: unknown) => {
      stopped = true;
      throw e;
    };
    const worker = await workerScript(import.meta.url, './worker-task', './worker.mjs');
    const { Piscina } = await import('piscina');
    const pool = new Piscina({ filename: worker.url, minThreads: workers - 1, maxThreads: workers - 1 });
    const onThread = async () => {
      for (let item = take(); item; item = take()) finished(item.k, (await pool.run(item.task)) as SweepPointResult[]);
    };
    try {
      await Promise.all([...Array.from({ length: 2 * (workers - 1) }, onThread), inProcess()].map((p) => p.catch(stop)));
    } finally {
      await pool.destroy();
      worker.dispose();
    }
  }
  const results = chunks.flat();
  // Every run once, in order: anything else is a bug, not a result to write.
  if (results.length !== plan.size || results.some((r, k) => r.run !== k)) {
    throw new Error(`sweep: ${results.length} results for ${plan.size} runs (a chunk went missing or came twice)`);
  }
  return results;
}

/** What a value is, for a message: `undefined`, `null`, `a string`, `an array`, … */
const kindOf = (v: unknown) => (v === undefined || v === null ? String(v) : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `${/^[aeiou]/.test(typeof v) ? 'an' : 'a'} ${typeof v}`);
const shown = (v: unknown) => (typeof v === 'string' ? `"${v.slice(0, 40)}"` : typeof v === 'number' ? String(v) : kindOf(v));
const CLEARINGS: readonly ClearingMethod[] = ['central', 'admm'];

/**
 * runSweep's arguments, checked: a plan as loadSweep or planSweep make one (not a sweep
 * definition, nor anything else), and options it can use. An InputError names what is wrong.
 */
function checkArguments(plan: unknown, options: unknown): void {
  const problems: { path: string; message: string }[] = [];
  const make = 'loadSweep(file) or planSweep(definition, files)';
  if (typeof plan !== 'object' || plan === null || Array.isArray(plan)) {
    problems.push({ path: 'plan', message: `is ${kindOf(plan)}: give a sweep plan, made by ${make}` });
  } else {
    const p = plan as Partial<Record<keyof SweepPlan, unknown>>;
    const missing = [
      ...(typeof p.file === 'string' ? [] : ['file']),
      ...(Number.isInteger(p.size) && (p.size as number) >= 0 ? [] : ['size']),
      ...(Number.isInteger(p.samples) && (p.samples as number) >= 1 ? [] : ['samples']),
      ...(p.mode === 'clear' || p.mode === 'simulate' ? [] : ['mode']),
      ...(Array.isArray(p.parameters) ? [] : ['parameters']),
      ...(Array.isArray(p.metrics) ? [] : ['metrics']),
      ...(typeof p.point === 'function' ? [] : ['point']),
    ];
    if (missing.length > 0 && typeof p.point !== 'function' && ('scenario' in p || 'parameters' in p)) {
      problems.push({ path: 'plan', message: `a sweep definition, not a plan: plan it first with planSweep(definition, files) (or loadSweep(file))` });
    } else if (missing.length > 0) {
      problems.push({ path: 'plan', message: `is not a sweep plan (it has no valid ${missing.join(', ')}): make one with ${make}` });
    }
  }
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    problems.push({ path: 'options', message: `is ${kindOf(options)}: give an object, such as { workers: 1 }` });
  } else {
    const o = options as Partial<Record<keyof SweepOptions, unknown>>;
    const wholeNumber = (v: unknown) => Number.isInteger(v) && (v as number) >= 1;
    for (const key of ['workers', 'chunkPoints'] as const) {
      if (o[key] !== undefined && !wholeNumber(o[key])) problems.push({ path: `options.${key}`, message: `${shown(o[key])} is not a positive whole number` });
    }
    if (o.timeLimitSeconds !== undefined && !(typeof o.timeLimitSeconds === 'number' && Number.isFinite(o.timeLimitSeconds) && o.timeLimitSeconds > 0)) {
      problems.push({ path: 'options.timeLimitSeconds', message: `${shown(o.timeLimitSeconds)} is not a time limit: give a positive number of seconds` });
    }
    if (o.solver !== undefined && !(SOLVER_NAMES as readonly unknown[]).includes(o.solver)) {
      problems.push({ path: 'options.solver', message: `${shown(o.solver)} is not a solver: use ${SOLVER_NAMES.map((n) => `"${n}"`).join(' or ')}` });
    }
    if (o.clearing !== undefined && !CLEARINGS.includes(o.clearing as ClearingMethod)) {
      problems.push({ path: 'options.clearing', message: `${shown(o.clearing)} is not a clearing: use ${CLEARINGS.map((n) => `"${n}"`).join(' or ')}` });
    }
    if (o.acCheck !== undefined && typeof o.acCheck !== 'boolean') problems.push({ path: 'options.acCheck', message: `${shown(o.acCheck)} is not true or false` });
    if (o.metrics !== undefined && typeof o.metrics !== 'function') problems.push({ path: 'options.metrics', message: 'must be a function (point, result) => { name: value }' });
    if (o.onProgress !== undefined && typeof o.onProgress !== 'function') problems.push({ path: 'options.onProgress', message: 'must be a function (done, total) => void' });
  }
  if (problems.length > 0) throw new InputError('runSweep', problems);
}

/**
 * Adds the metrics of `metrics` to a run's, checking each new name as a sweep file's metric
 * names are checked (columns.ts): a name another column of runs.csv has, or one numpy renames,
 * is an InputError.
 */
function codeMetrics(plan: SweepPlan, metrics: NonNullable<SweepOptions['metrics']>): (result: SweepPointResult) => void {
  const columns = new Map<string, string>([
    ...plan.parameters.map((p, k) => [p.name, `parameters[${k}]`] as [string, string]),
    ...plan.metrics.map((m, k) => [m.name, `metrics[${k}] of ${basename(plan.file)}`] as [string, string]),
  ]);
  const checked = new Set<string>();
  return (result) => {
    const values = metrics(plan.point(result.run), result);
    for (const name of Object.keys(values)) {
      if (checked.has(name)) continue;
      const problem = !COLUMN_NAME.test(name) ? `: ${COLUMN_NAME_RULE}` : ((clash) => (clash ? `, which is ${clash}` : undefined))(columnNameClash(name, 'metric', columns));
      if (problem) throw new InputError('runSweep', [{ path: 'options.metrics', message: `returned "${name}" for run ${result.run}${problem}` }]);
      checked.add(name);
    }
    Object.assign(result.metrics, values);
  };
}
