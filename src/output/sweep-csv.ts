/**
 * The files `sweep` writes: runs.csv (a row per run: its parameters by name, its sample, its
 * status and its metrics, sweep/metrics.ts), the runs' traces with their `run` — steps.csv,
 * trades.csv, settlement.csv, nodal-prices.csv (clearings) — summary.csv for stochastic sweeps,
 * and result.json.
 */
import { negotiationFiles, type RunNegotiation } from './negotiation-csv.ts';
import { nodalPriceRows, round3, settlementRows, NODAL_PRICES_COLUMNS, SETTLEMENT_COLUMNS, STEPS_COLUMNS, stepsRows, toCsv, TRADES_COLUMNS, tradesRows, type Cell } from './csv.ts';
import type { SweepPlan } from '../sweep/points.ts';
import type { SweepPointResult } from '../sweep/run.ts';
import { statistics } from '../sweep/summary.ts';

/** A parameter's value as a cell: numbers and strings as they are, anything else as JSON. */
export function parameterCell(value: unknown): Cell {
  return typeof value === 'number' || typeof value === 'string' ? value : value === null || value === undefined ? null : typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

/** A metric to 12 significant digits: 436.84, not the 436.84000000000003 a sum of kWh leaves. */
const significant = (v: number | null | undefined) => (typeof v === 'number' && Number.isFinite(v) ? Number(v.toPrecision(12)) : null);

/** The metric columns of a sweep's runs, in order: those of the first run, then any others. */
export function metricColumns(results: readonly SweepPointResult[]): string[] {
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const r of results) for (const name of Object.keys(r.metrics)) if (!seen.has(name)) (seen.add(name), columns.push(name));
  return columns;
}

export function sweepFiles(plan: SweepPlan, results: readonly SweepPointResult[]): Record<string, string> {
  const statuses: Record<string, number> = {};
  let solveMs = 0;
  const metrics = metricColumns(results);
  const stochastic = plan.samples > 1;
  const runs = results.map((r) => {
    const status = r.clearing?.status ?? r.simulation!.status;
    const ms = r.clearing?.solveMs ?? r.simulation!.solveMs;
    statuses[status] = (statuses[status] ?? 0) + 1;
    solveMs += ms;
    return [r.run, ...r.values.map(parameterCell), ...(stochastic ? [r.sample] : []), status, round3(ms), ...metrics.map((m) => significant(r.metrics[m]))];
  });
  const traces = (f: typeof stepsRows) => results.flatMap((r) => f(r.clearing ?? r.simulation!, r.run));
  const summary = {
    sweep: plan.name,
    scenario: plan.scenarioFile,
    mode: plan.mode,
    runs: plan.size,
    points: plan.size / plan.samples,
    samples: plan.samples,
    parameters: plan.parameters.map((p) => ({ name: p.name, operation: p.operation, paths: p.pathTexts, values: p.values.length })),
    metrics,
    statuses,
    solveMs: round3(solveMs),
  };
  const files: Record<string, string> = {
    'runs.csv': toCsv(['run', ...plan.parameters.map((p) => p.name), ...(stochastic ? ['sample'] : []), 'status', 'solveMs', ...metrics], runs),
    'steps.csv': toCsv(STEPS_COLUMNS, traces(stepsRows)),
    'trades.csv': toCsv(TRADES_COLUMNS, traces(tradesRows)),
    'settlement.csv': toCsv(SETTLEMENT_COLUMNS, results.flatMap((r) => settlementRows(r.settlementRows ?? [], r.run))),
    ...(plan.mode === 'clear' ? { 'nodal-prices.csv': toCsv(NODAL_PRICES_COLUMNS, results.flatMap((r) => (r.clearing ? nodalPriceRows(r.clearing, r.run) : []))) } : {}),
    'result.json': JSON.stringify(summary, null, 2) + '\n',
  };
  if (stochastic) files['summary.csv'] = summaryCsv(plan, results, metrics);
  const negotiations: RunNegotiation[] = results.flatMap((r) => [
    ...(r.clearing?.negotiation ? [{ run: r.run, window: 0, negotiation: r.clearing.negotiation }] : []),
    ...(r.simulation?.negotiations ?? []).map((n) => ({ run: r.run, window: n.window, negotiation: n })),
  ]);
  Object.assign(files, negotiationFiles(negotiations, results[0]?.clearing?.steps[0]?.hours ?? results[0]?.simulation?.steps[0]?.hours ?? 1));
  return files;
}

/** Per parameter point and metric: samples, mean, std, stdErrorOfMean, p5, p50, p95 over the samples that have the metric (summary.ts). */
function summaryCsv(plan: SweepPlan, results: readonly SweepPointResult[], metrics: readonly string[]): string {
  const rows: Cell[][] = [];
  for (let point = 0; point * plan.samples < results.length; point++) {
    const group = results.slice(point * plan.samples, (point + 1) * plan.samples);
    for (const metric of metrics) {
      const values = group.map((r) => r.metrics[metric]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
      if (values.length === 0) continue;
      const st = statistics(values);
      rows.push([point, ...group[0]!.values.map(parameterCell), metric, st.samples, ...[st.mean, st.std, st.stdErrorOfMean, st.p5, st.p50, st.p95].map((v) => Number(v.toPrecision(12)))]);
    }
  }
  return toCsv(['point', ...plan.parameters.map((p) => p.name), 'metric', 'samples', 'mean', 'std', 'stdErrorOfMean', 'p5', 'p50', 'p95'], rows);
}
