/**
 * The sweeps' benchmark: the seed's node-0 study B (201 clearings) and the 1,000-sample
 * stochastic seed study (1,000 simulations), each with one worker and with two; wall time
 * (worker start-up included), points per second, and the speed-up of two workers over one.
 */
import { availableParallelism } from 'node:os';
import { loadSweep } from '../src/sweep/points.ts';
import { runSweep } from '../src/sweep/run.ts';

export interface SweepBench {
  sweep: string;
  points: number;
  workers: number;
  wallMs: number;
  pointsPerSecond: number;
  optimal: number;
}

export async function benchSweep(file: string, workers: number): Promise<SweepBench> {
  const plan = loadSweep(file);
  const started = performance.now();
  const results = await runSweep(plan, { workers });
  const wallMs = performance.now() - started;
  return {
    sweep: plan.name,
    points: plan.size,
    workers,
    wallMs,
    pointsPerSecond: (1000 * plan.size) / wallMs,
    optimal: results.filter((r) => (r.clearing ?? r.simulation!).status === 'optimal').length,
  };
}

export const WORKER_COUNTS = [1, Math.max(2, Math.min(2, availableParallelism()))];
