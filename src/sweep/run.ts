/**
 * Running a sweep's points. Points are cut into fixed chunks of CHUNK_POINTS; each chunk is
 * cleared in one solver session (warm from point to point) opened afresh for it, so a point's
 * result depends only on its chunk — never on how many workers there are or which one took
 * it. With one worker the chunks run in this process; with N, this process and N − 1 worker
 * threads (piscina) share them. Results come back in point order.
 */
import { buildSync } from 'esbuild';
import { mkdirSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { simulate, type SimulationResult } from '../engine/simulate.ts';
import { clearWith, solverAdapter, type SessionSlot, type SolverName } from '../market/clear.ts';
import type { ClearingResult } from '../market/result.ts';
import { withClearing, type ClearingMethod } from '../admm/options.ts';
import type { SweepJournal } from './journal.ts';
import { loadSweep, validatePoints, type SweepPlan } from './points.ts';

/** Points per chunk: one solver session each. */
export const CHUNK_POINTS = 16;

export interface SweepPointResult {
  run: number;
  values: number[];
  sample: number;
  clearing?: ClearingResult;
  simulation?: SimulationResult;
}

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
  /** Clear every point this way instead of as its scenario says (--clearing). */
  clearing?: ClearingMethod;
}

/** The task a worker (or this process) runs: one chunk of a sweep. */
export interface ChunkTask {
  sweepFile: string;
  from: number;
  to: number;
  solver: SolverName;
  timeLimitSeconds: number | undefined;
  /** --clearing: overrides every point's market.clearing. */
  clearing?: ClearingMethod;
}

/** Sweep plans a worker has loaded, by file. */
const plans = new Map<string, SweepPlan>();

export async function runChunk(task: ChunkTask, given?: SweepPlan): Promise<SweepPointResult[]> {
  let plan = given ?? plans.get(task.sweepFile);
  if (!plan) {
    plan = loadSweep(task.sweepFile);
    plans.set(task.sweepFile, plan);
  }
  const adapter = await solverAdapter(task.solver);
  const results: SweepPointResult[] = [];
  const slot: SessionSlot = {};
  try {
    for (let run = task.from; run < task.to; run++) {
      const point = plan.point(run);
      const { values, sample, simulationSeed } = point;
      const scenario = task.clearing ? withClearing(point.scenario, task.clearing) : point.scenario;
      if (plan.mode === 'simulate') {
        const simulation = await simulate(scenario, { solver: task.solver, timeLimitSeconds: task.timeLimitSeconds, seed: simulationSeed, file: `${plan.file} (point ${run})` });
        // The event trace is not kept: a sweep reports steps, trades and windows.
        results.push({ run, values, sample, simulation: { ...simulation, events: [], requests: [] } });
        continue;
      }
      results.push({ run, values, sample, clearing: clearWith(adapter, scenario, { timeLimitSeconds: task.timeLimitSeconds, reuse: slot, file: `${plan.file} (point ${run})` }) });
    }
  } finally {
    slot.session?.dispose();
  }
  return results;
}

/**
 * The script the worker threads load. Compiling the TypeScript sources with tsx in every
 * worker costs about two seconds a worker, so the task (worker-task.ts and what it imports) is
 * bundled once, with esbuild, into plain JavaScript under node_modules/.cache/p2pmarket (where
 * the packages it imports resolve), and removed when the pool is done. Should that fail, the
 * workers compile the sources themselves (worker.mjs).
 */
function workerScript(): { url: string; dispose: () => void } {
  return bundledWorkerScript(fileURLToPath(new URL('./worker-task.ts', import.meta.url)), new URL('./worker.mjs', import.meta.url).href);
}

/** `entry` (a TypeScript task module) bundled as workerScript does; `fallback` (a URL) should that fail. */
export function bundledWorkerScript(entry: string, fallback: string): { url: string; dispose: () => void } {
  const sourceDir = dirname(fileURLToPath(import.meta.url));
  const cacheDir = join(sourceDir, '..', '..', 'node_modules', '.cache', 'p2pmarket');
  const file = join(cacheDir, `sweep-worker-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}.mjs`);
  try {
    mkdirSync(cacheDir, { recursive: true });
    buildSync({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      outfile: file,
      logLevel: 'silent',
    });
    return { url: pathToFileURL(file).href, dispose: () => rmSync(file, { force: true }) };
  } catch {
    return { url: fallback, dispose: () => undefined };
  }
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
  // Every point is built and validated before anything runs: a bad one stops the sweep at once.
  validatePoints(plan);
  const solver = options.solver ?? 'highs';
  const tasks: ChunkTask[] = [];
  const chunk = options.chunkPoints ?? CHUNK_POINTS;
  for (let from = 0; from < plan.size; from += chunk) {
    tasks.push({ sweepFile: resolve(plan.file), from, to: Math.min(plan.size, from + chunk), solver, timeLimitSeconds: options.timeLimitSeconds, ...(options.clearing ? { clearing: options.clearing } : {}) });
  }
  const chunks: SweepPointResult[][] = new Array(tasks.length);
  const recorded = options.journal?.journal.open(options.journal.resume) ?? new Map<number, SweepPointResult[]>();
  let done = 0;
  const finished = (k: number, results: SweepPointResult[], fresh = true) => {
    chunks[k] = results;
    if (fresh) options.journal?.journal.record(k, results);
    done += results.length;
    options.onProgress?.(done, plan.size);
  };
  for (const [k, results] of recorded) if (k < tasks.length) finished(k, results, false);
  const todo = tasks.map((task, k) => ({ task, k })).filter(({ k }) => !chunks[k]);
  const workers = Math.max(1, Math.min(options.workers ?? defaultWorkers(plan), todo.length));
  // This process is one of the workers: it takes chunks from the same queue as the N − 1
  // worker threads, each of which is kept one chunk ahead so that it never waits for us.
  let next = 0;
  const take = () => (next < todo.length ? todo[next++] : undefined);
  const inProcess = async () => {
    for (let item = take(); item; item = take()) {
      finished(item.k, await runChunk(item.task, plan));
      await new Promise((resolve) => setImmediate(resolve)); // let finished threads hand in
    }
  };
  if (workers === 1) {
    await inProcess();
  } else {
    const worker = workerScript();
    const pool = new Piscina({ filename: worker.url, minThreads: workers - 1, maxThreads: workers - 1 });
    const onThread = async () => {
      for (let item = take(); item; item = take()) finished(item.k, (await pool.run(item.task)) as SweepPointResult[]);
    };
    try {
      await Promise.all([...Array.from({ length: 2 * (workers - 1) }, onThread), inProcess()]);
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
