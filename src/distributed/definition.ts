/**
 * What a distributed sweep's workers need to compute its chunks exactly as a local run does:
 * the texts of every file the sweep reads — the sweep file, its scenarios, their profiles —
 * by their paths on the submitter (workers cannot read the submitter's files),
 * the chunk size, and the settings results depend on (solver, time limit). The submitter
 * stores it once per sweep under `p2pmarket:sweep:<queue>` and lists the queue in the
 * registry `p2pmarket:sweeps`, where workers discover it.
 *
 * The queue is named per sweep — `p2pmarket-<sweep name>-<first 12 hex digits of the SHA-256
 * of those paths and texts, the chunk size and the settings>` — so two sweeps
 * never share jobs, and submitting the same sweep again finds its queue. Chunk k's job id is
 * `<those 12 digits>-<k>`: adding it again is a no-op, so a chunk can never be queued twice.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { readTextFile } from '../io/read.ts';
import type { SolverName } from '../market/clear.ts';
import { loadSweepFromTexts, type SweepPlan } from '../sweep/points.ts';

export const REGISTRY_KEY = 'p2pmarket:sweeps';
export const QUEUE_PREFIX = 'p2pmarket';
export const definitionKey = (queue: string) => `p2pmarket:sweep:${queue}`;
/** When and by whom a sweep was first submitted (JSON: `SubmitterInfo`). */
export const infoKey = (queue: string) => `p2pmarket:sweep:${queue}:info`;
/** Set by a submitter that is collecting the sweep, expiring ALIVE_MS after its last renewal. */
export const aliveKey = (queue: string) => `p2pmarket:sweep:${queue}:alive`;
export const ALIVE_MS = 5000;

export interface SubmitterInfo {
  submittedAt: string;
  submitter: string;
}

export function submitterInfo(): SubmitterInfo {
  return { submittedAt: new Date().toISOString(), submitter: `${hostname()}:${process.pid}` };
}

export interface SweepDefinition {
  format: 2;
  /** The queue (and the sweep's identity). */
  queue: string;
  /** The sweep file's path on the submitter: names it in messages, locates the scenarios by their relative paths. */
  sweepFile: string;
  /** The text of every file the sweep reads, by its absolute path on the submitter. */
  files: Record<string, string>;
  chunkPoints: number;
  points: number;
  solver: SolverName;
  timeLimitSeconds: number | undefined;
  /** Run the AC power flow on every run's dispatch (the AC metrics). */
  acCheck: boolean;
  /** BullMQ lock duration and stalled-check interval every worker of this sweep uses, ms. */
  lockMs: number;
  stalledMs: number;
}

export interface ChunkJobData {
  chunk: number;
  from: number;
  to: number;
}

export function sweepDefinition(
  plan: SweepPlan,
  settings: { solver: SolverName; timeLimitSeconds: number | undefined; chunkPoints: number; lockMs: number; stalledMs: number; acCheck?: boolean },
): SweepDefinition {
  const files = Object.fromEntries(plan.inputs.map((file) => [file, readTextFile(file)]));
  const hash = createHash('sha256');
  for (const [file, text] of Object.entries(files)) hash.update(file).update('\0').update(text).update('\0');
  hash
    .update(JSON.stringify({ chunkPoints: settings.chunkPoints, solver: settings.solver, timeLimitSeconds: settings.timeLimitSeconds ?? null, acCheck: settings.acCheck ?? false }))
  const digest = hash.digest('hex');
  const name = plan.name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 60);
  return {
    format: 2,
    queue: `p2pmarket-${name}-${digest.slice(0, 12)}`,
    sweepFile: plan.file,
    files,
    chunkPoints: settings.chunkPoints,
    points: plan.size,
    solver: settings.solver,
    timeLimitSeconds: settings.timeLimitSeconds,
    acCheck: settings.acCheck ?? false,
    lockMs: settings.lockMs,
    stalledMs: settings.stalledMs,
  };
}

/** The 12 hex digits of the queue name: the prefix of its job ids. */
export const sweepTag = (definition: SweepDefinition) => definition.queue.slice(-12);
export const chunkJobId = (definition: SweepDefinition, chunk: number) => `${sweepTag(definition)}-${chunk}`;

/** The chunks of a sweep: [from, to) of every one, in order. */
export function chunkRanges(points: number, chunkPoints: number): ChunkJobData[] {
  const chunks: ChunkJobData[] = [];
  for (let from = 0, chunk = 0; from < points; from += chunkPoints, chunk++) chunks.push({ chunk, from, to: Math.min(points, from + chunkPoints) });
  return chunks;
}

const plans = new Map<string, SweepPlan>();

/** The plan a definition describes (cached per queue in this process). */
export function planOf(definition: SweepDefinition): SweepPlan {
  let plan = plans.get(definition.queue);
  if (!plan) {
    plan = loadSweepFromTexts(definition.sweepFile, definition.files);
    plans.set(definition.queue, plan);
  }
  return plan;
}
