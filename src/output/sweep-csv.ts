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
import { columnCells } from '../sweep/columns.ts';

/**
 * The cells of the plan's parameters (columns.ts: numbers and plain texts as they are, objects
 * and arrays as labels without commas, so that numpy reads every row), by parameter; and, for
 * each parameter written with labels, the value of each label (result.json).
 */
function parameterCells(plan: SweepPlan): { cells: (values: readonly unknown[]) => Cell[]; labels: (Record<string, unknown> | undefined)[] } {
  const columns = plan.parameters.map((p) => {
    const { cells, labelled } = columnCells(p.values);
    const byValue = new Map(p.values.map((v, k) => [JSON.stringify(v) ?? 'null', cells[k]!]));
    return { byValue, labels: labelled ? Object.fromEntries(p.values.map((v, k) => [String(cells[k] ?? ''), v])) : undefined };
  });
  return {
    cells: (values) => values.map((v, k) => columns[k]?.byValue.get(JSON.stringify(v) ?? 'null') ?? null),
    labels: columns.map((c) => c.labels),
  };
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
  const parameters = parameterCells(plan);
  const runs = results.map((r) => {
    const status = r.clearing?.status ?? r.simulation!.status;
    const ms = r.clearing?.solveMs ?? r.simulation!.solveMs;
    statuses[status] = (statuses[status] ?? 0) + 1;
    solveMs += ms;
    return [r.run, ...parameters.cells(r.values), ...(stochastic ? [r.sample] : []), status, round3(ms), ...metrics.map((m) => significant(r.metrics[m]))];
  });
  const traces = (f: typeof stepsRows) => results.flatMap((r) => f(r.clearing ?? r.simulation!, r.run));
  const summary = {
    sweep: plan.name,
    scenario: plan.scenarioFile,
    mode: plan.mode,
    runs: plan.size,
    points: plan.size / plan.samples,
    samples: plan.samples,
    parameters: plan.parameters.map((p, k) => ({ name: p.name, operation: p.operation, paths: p.pathTexts, values: p.values.length, ...(parameters.labels[k] ? { labels: parameters.labels[k] } : {}) })),
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
  if (stochastic) files['summary.csv'] = summaryCsv(plan, results, metrics, parameters.cells);
  const negotiations: RunNegotiation[] = results.flatMap((r) => [
    ...(r.clearing?.negotiation ? [{ run: r.run, window: 0, negotiation: r.clearing.negotiation }] : []),
    ...(r.simulation?.negotiations ?? []).map((n) => ({ run: r.run, window: n.window, negotiation: n })),
  ]);
  Object.assign(files, negotiationFiles(negotiations, results[0]?.clearing?.steps[0]?.hours ?? results[0]?.simulation?.steps[0]?.hours ?? 1));
  return files;
}

/** Per parameter point and metric: samples, mean, std, stdErrorOfMean, p5, p50, p95 over the samples that have the metric (summary.ts). */
function summaryCsv(plan: SweepPlan, results: readonly SweepPointResult[], metrics: readonly string[], cells: (values: readonly unknown[]) => Cell[]): string {
  const rows: Cell[][] = [];
  for (let point = 0; point * plan.samples < results.length; point++) {
    const group = results.slice(point * plan.samples, (point + 1) * plan.samples);
    for (const metric of metrics) {
      const values = group.map((r) => r.metrics[metric]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
      if (values.length === 0) continue;
      const st = statistics(values);
      rows.push([point, ...cells(group[0]!.values), metric, st.samples, ...[st.mean, st.std, st.stdErrorOfMean, st.p5, st.p50, st.p95].map((v) => Number(v.toPrecision(12)))]);
    }
  }
  return toCsv(['point', ...plan.parameters.map((p) => p.name), 'metric', 'samples', 'mean', 'std', 'stdErrorOfMean', 'p5', 'p50', 'p95'], rows);
}
