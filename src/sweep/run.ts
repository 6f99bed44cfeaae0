/**
 * Running a sweep's points in point order, in this process. Clearing points of one structure
 * share one solver session (re-solved warm with the new bounds and right-hand sides).
 */
import { simulate } from '../engine/simulate.ts';
import { clearWith, solverAdapter, type SolverName } from '../market/clear.ts';
import type { ClearingResult } from '../market/result.ts';
import { Feeder } from '../network/feeder.ts';
import { buildMarketProblem } from '../problem/build.ts';
import type { SolverSession } from '../solver/adapter.ts';
import type { SimulationResult } from '../engine/simulate.ts';
import type { SweepPlan } from './points.ts';

export interface SweepPointResult {
  run: number;
  values: number[];
  clearing?: ClearingResult;
  simulation?: SimulationResult;
}

export interface SweepOptions {
  solver?: SolverName;
  timeLimitSeconds?: number;
  /** Called after each point, in point order (progress). */
  onPoint?: (done: number, total: number) => void;
}

export async function runSweep(plan: SweepPlan, options: SweepOptions = {}): Promise<SweepPointResult[]> {
  // Every point is built and validated before anything runs: a bad one stops the sweep at once.
  const points = Array.from({ length: plan.size }, (_, run) => ({ run, ...plan.point(run) }));
  const adapter = await solverAdapter(options.solver ?? 'highs');
  const results: SweepPointResult[] = [];
  let session: SolverSession | undefined;
  try {
    for (const { run, scenario, values } of points) {
      if (plan.mode === 'simulate') {
        const simulation = await simulate(scenario, { solver: options.solver ?? 'highs', timeLimitSeconds: options.timeLimitSeconds });
        results.push({ run, values, simulation });
      } else {
        session ??= openSession(adapter, scenario);
        const clearing = clearWith(adapter, scenario, { timeLimitSeconds: options.timeLimitSeconds, session });
        results.push({ run, values, clearing });
      }
      options.onPoint?.(run + 1, plan.size);
    }
  } finally {
    session?.dispose();
  }
  return results;
}

function openSession(adapter: Awaited<ReturnType<typeof solverAdapter>>, scenario: Parameters<typeof buildMarketProblem>[0]): SolverSession | undefined {
  try {
    return adapter.open(buildMarketProblem(scenario, new Feeder(scenario.network)).model);
  } catch {
    return undefined; // clearWith opens its own, and reports what went wrong
  }
}
