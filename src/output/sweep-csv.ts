/** The files `sweep` writes: runs.csv with a column per parameter, and the points' traces. */
import { simulationObjective } from './simulation-csv.ts';
import { negotiationFiles, type RunNegotiation } from './negotiation-csv.ts';
import { round3, RUNS_COLUMNS, STEPS_COLUMNS, stepsRows, toCsv, TRADES_COLUMNS, tradesRows } from './csv.ts';
import type { SweepPlan } from '../sweep/points.ts';
import type { SweepPointResult } from '../sweep/run.ts';
import { METRICS, metricsOf, statistics } from '../sweep/summary.ts';

export function sweepFiles(plan: SweepPlan, results: readonly SweepPointResult[]): Record<string, string> {
  const statuses: Record<string, number> = {};
  let solveMs = 0;
  const runs = results.map((r) => {
    const status = r.clearing?.status ?? r.simulation!.status;
    const objective = r.clearing ? r.clearing.objective : simulationObjective(r.simulation!);
    const ms = r.clearing?.solveMs ?? r.simulation!.solveMs;
    statuses[status] = (statuses[status] ?? 0) + 1;
    solveMs += ms;
    return [r.run, status, objective, round3(ms), ...r.values, ...(plan.samples > 1 ? [r.sample] : [])];
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
  const files: Record<string, string> = {
    'runs.csv': toCsv([...RUNS_COLUMNS, ...plan.parameters.map((p) => p.name), ...(plan.samples > 1 ? ['sample'] : [])], runs),
    'steps.csv': toCsv(STEPS_COLUMNS, traces(stepsRows)),
    'trades.csv': toCsv(TRADES_COLUMNS, traces(tradesRows)),
    'result.json': JSON.stringify({ ...summary, samples: plan.samples }, null, 2) + '\n',
  };
  if (plan.samples > 1) files['summary.csv'] = summaryCsv(plan, results);
  const negotiations: RunNegotiation[] = results.flatMap((r) => [
    ...(r.clearing?.negotiation ? [{ run: r.run, window: 0, negotiation: r.clearing.negotiation }] : []),
    ...(r.simulation?.negotiations ?? []).map((n) => ({ run: r.run, window: n.window, negotiation: n })),
  ]);
  Object.assign(files, negotiationFiles(negotiations, results[0]?.clearing?.steps[0]?.hours ?? results[0]?.simulation?.steps[0]?.hours ?? 1));
  return files;
}

/** Per parameter point and metric: samples, mean, std, p5, p50, p95 over the cleared samples. */
function summaryCsv(plan: SweepPlan, results: readonly SweepPointResult[]): string {
  const rows: (string | number)[][] = [];
  for (let point = 0; point * plan.samples < results.length; point++) {
    const group = results.slice(point * plan.samples, (point + 1) * plan.samples);
    const metrics = group.map(metricsOf).filter((m) => m !== undefined);
    for (const metric of METRICS) {
      const st = statistics(metrics.map((m) => m[metric]));
      rows.push([point, ...group[0]!.values, metric, st.samples, ...[st.mean, st.std, st.p5, st.p50, st.p95].map((v) => Number(v.toPrecision(12)))]);
    }
  }
  return toCsv(['point', ...plan.parameters.map((p) => p.name), 'metric', 'samples', 'mean', 'std', 'p5', 'p50', 'p95'], rows);
}
