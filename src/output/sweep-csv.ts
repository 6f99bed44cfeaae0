/** The files `sweep` writes: runs.csv with a column per parameter, and the points' traces. */
import { simulationObjective } from './simulation-csv.ts';
import { round3, RUNS_COLUMNS, STEPS_COLUMNS, stepsRows, toCsv, TRADES_COLUMNS, tradesRows } from './csv.ts';
import type { SweepPlan } from '../sweep/points.ts';
import type { SweepPointResult } from '../sweep/run.ts';

export function sweepFiles(plan: SweepPlan, results: readonly SweepPointResult[]): Record<string, string> {
  const statuses: Record<string, number> = {};
  let solveMs = 0;
  const runs = results.map((r) => {
    const status = r.clearing?.status ?? r.simulation!.status;
    const objective = r.clearing ? r.clearing.objective : simulationObjective(r.simulation!);
    const ms = r.clearing?.solveMs ?? r.simulation!.solveMs;
    statuses[status] = (statuses[status] ?? 0) + 1;
    solveMs += ms;
    return [r.run, status, objective, round3(ms), ...r.values];
  });
  const traces = (f: typeof stepsRows) => results.flatMap((r) => f(r.clearing ?? r.simulation!, r.run));
  const summary = {
    sweep: plan.name,
    scenario: plan.scenarioFile,
    mode: plan.mode,
    points: plan.size,
    parameters: plan.parameters.map((p) => ({ name: p.name, values: p.values.length, from: p.values[0], to: p.values.at(-1) })),
    statuses,
    solveMs: round3(solveMs),
  };
  return {
    'runs.csv': toCsv([...RUNS_COLUMNS, ...plan.parameters.map((p) => p.name)], runs),
    'steps.csv': toCsv(STEPS_COLUMNS, traces(stepsRows)),
    'trades.csv': toCsv(TRADES_COLUMNS, traces(tradesRows)),
    'result.json': JSON.stringify(summary, null, 2) + '\n',
  };
}
