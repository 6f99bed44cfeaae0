/**
 * What a distributed sweep's workers need to compute its chunks exactly as a local run does:
 * the texts of the sweep file and of its scenario (workers cannot read the submitter's files),
 * the chunk size, and the settings results depend on (solver, time limit). The submitter
 * stores it once per sweep under `p2pmarket:sweep:<queue>` and lists the queue in the
 * registry `p2pmarket:sweeps`, where workers discover it.
 *
 * The queue is named per sweep — `p2pmarket-<sweep name>-<first 12 hex digits of the SHA-256
 * of the sweep's and the scenario's texts, the chunk size and the settings>` — so two sweeps
 * never share jobs, and submitting the same sweep again finds its queue. Chunk k's job id is
 * `<those 12 digits>-<k>`: adding it again is a no-op, so a chunk can never be queued twice.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { SolverName } from '../market/clear.ts';
import { loadSweepFromText, type SweepPlan } from '../sweep/points.ts';

export const REGISTRY_KEY = 'p2pmarket:sweeps';
export const QUEUE_PREFIX = 'p2pmarket';
export const definitionKey = (queue: string) => `p2pmarket:sweep:${queue}`;

export interface SweepDefinition {
  format: 1;
  /** The queue (and the sweep's identity). */
  queue: string;
  /** The sweep file's path on the submitter: names it in messages, locates the scenario by its relative path. */
  sweepFile: string;
  sweepText: string;
  scenarioText: string;
  chunkPoints: number;
  points: number;
  solver: SolverName;
  timeLimitSeconds: number | undefined;
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
  settings: { solver: SolverName; timeLimitSeconds: number | undefined; chunkPoints: number; lockMs: number; stalledMs: number },
): SweepDefinition {
  const sweepText = readFileSync(plan.file, 'utf8');
  const scenarioText = readFileSync(plan.scenarioFile, 'utf8');
  const hash = createHash('sha256')
    .update(sweepText)
    .update('\0')
    .update(scenarioText)
    .update('\0')
    .update(JSON.stringify({ chunkPoints: settings.chunkPoints, solver: settings.solver, timeLimitSeconds: settings.timeLimitSeconds ?? null }))
    .digest('hex');
  const name = plan.name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 60);
  return {
    format: 1,
    queue: `p2pmarket-${name}-${hash.slice(0, 12)}`,
    sweepFile: plan.file,
    sweepText,
    scenarioText,
    chunkPoints: settings.chunkPoints,
    points: plan.size,
    solver: settings.solver,
    timeLimitSeconds: settings.timeLimitSeconds,
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
    plan = loadSweepFromText(definition.sweepFile, definition.sweepText, definition.scenarioText);
    plans.set(definition.queue, plan);
  }
  return plan;
}
