/**
 * One chunk of a sweep's points, run in the calling thread: each point cleared (or simulated),
 * settled, its value of trading and its metrics computed. A chunk is cleared in one solver
 * session (warm from point to point) opened afresh for it, so a point's result depends only on
 * its chunk — never on which thread, process or page ran it. No I/O: sweep/run.ts shares the
 * chunks among worker threads, a web page's worker runs them one by one.
 */
import { resolve } from 'node:path';
import { simulate, type SimulationResult } from '../engine/simulate.ts';
import { clearWith, solverAdapter, type SessionSlot, type SolverName } from '../market/clear.ts';
import type { ClearingResult } from '../market/result.ts';
import { withClearing, type ClearingMethod } from '../admm/options.ts';
import type { SweepPlan } from './plan.ts';
import { baselineScenario, settle, type SettlementRow } from '../market/settlement.ts';
import { acCheck } from '../analysis/ac-check.ts';
import { acMetrics, builtinMetrics, traceMetric, type MetricValues, type RunOutcome } from './metrics.ts';

/** Points per chunk: one solver session each. */
export const CHUNK_POINTS = 16;

export interface SweepPointResult {
  run: number;
  /** The parameters' values (as in the plan's parameters). */
  values: unknown[];
  sample: number;
  clearing?: ClearingResult;
  simulation?: SimulationResult;
  /** The run's settlement rows (settlement.csv); absent when it was not cleared. */
  settlementRows?: SettlementRow[];
  /** The run's metrics (runs.csv): built-in, the AC check's, and the sweep file's trace metrics. */
  metrics: MetricValues;
}

/** The task a worker (or this process) runs: one chunk of a sweep. */
export interface ChunkTask {
  sweepFile: string;
  /** The sweep's files, when it was given in memory (workers then build the plan from them). */
  texts?: Record<string, string>;
  from: number;
  to: number;
  solver: SolverName;
  timeLimitSeconds: number | undefined;
  acCheck?: boolean;
  /** --clearing: overrides every point's market.clearing. */
  clearing?: ClearingMethod;
}

/** What the chunks of a sweep share: how each point is cleared. */
export interface ChunkSettings {
  solver: SolverName;
  timeLimitSeconds: number | undefined;
  acCheck?: boolean;
  clearing?: ClearingMethod;
}

/** The sweep's chunks, in order: CHUNK_POINTS points each (`chunkPoints` to change it), the last one shorter. */
export function chunkTasks(plan: SweepPlan, settings: ChunkSettings, chunkPoints = CHUNK_POINTS): ChunkTask[] {
  const tasks: ChunkTask[] = [];
  for (let from = 0; from < plan.size; from += chunkPoints) {
    tasks.push({
      sweepFile: resolve(plan.file),
      ...(plan.texts ? { texts: plan.texts } : {}),
      from,
      to: Math.min(plan.size, from + chunkPoints),
      solver: settings.solver,
      timeLimitSeconds: settings.timeLimitSeconds,
      ...(settings.acCheck ? { acCheck: true } : {}),
      ...(settings.clearing ? { clearing: settings.clearing } : {}),
    });
  }
  return tasks;
}

/** Runs the points `task.from` … `task.to` − 1 of `plan`, in order. */
export async function runPlanChunk(plan: SweepPlan, task: ChunkTask): Promise<SweepPointResult[]> {
  const adapter = await solverAdapter(task.solver);
  const results: SweepPointResult[] = [];
  // One session for the points, one for their baselines (a model of another structure).
  const slot: SessionSlot = {};
  const baselineSlot: SessionSlot = {};
  try {
    for (let run = task.from; run < task.to; run++) {
      const point = plan.point(run);
      const { values, sample, simulationSeed } = point;
      const scenario = task.clearing ? withClearing(point.scenario, task.clearing) : point.scenario;
      const file = `${plan.file} (point ${run})`;
      let outcome: RunOutcome;
      if (plan.mode === 'simulate') {
        const simulation = await simulate(scenario, { solver: task.solver, timeLimitSeconds: task.timeLimitSeconds, seed: simulationSeed, file, checked: true });
        // The event trace is not kept: a sweep reports steps, trades and windows.
        outcome = { simulation: { ...simulation, events: [], requests: [] } };
        if (simulation.status === 'optimal') outcome.settlement = settle(scenario, simulation);
      } else {
        const clearing = clearWith(adapter, scenario, { timeLimitSeconds: task.timeLimitSeconds, reuse: slot, file });
        outcome = { clearing };
        if (clearing.status === 'optimal') {
          // The value of trading: the same point cleared without peer trades, when it has a tariff.
          const baseline = plan.valueOfTrading && scenario.utility.tariff ? clearWith(adapter, baselineScenario(scenario), { timeLimitSeconds: task.timeLimitSeconds, reuse: baselineSlot, file }) : undefined;
          outcome.settlement = settle(scenario, clearing, baseline);
        }
      }
      const result = outcome.clearing ?? outcome.simulation!;
      if (task.acCheck && result.status === 'optimal') outcome.acCheck = acCheck(scenario, result);
      const metrics: MetricValues = { ...builtinMetrics(outcome), ...(task.acCheck ? acMetrics(outcome.acCheck) : {}) };
      for (const metric of plan.metrics) metrics[metric.name] = traceMetric(metric, outcome, run, scenario.stepHours);
      results.push({
        run,
        values,
        sample,
        ...(outcome.clearing ? { clearing: outcome.clearing } : { simulation: outcome.simulation! }),
        ...(outcome.settlement ? { settlementRows: outcome.settlement.rows } : {}),
        metrics,
      });
    }
  } finally {
    slot.session?.dispose();
    baselineSlot.session?.dispose();
  }
  return results;
}

