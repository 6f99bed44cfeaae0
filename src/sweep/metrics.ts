/**
 * What every run of a sweep measures: the columns of runs.csv after its parameters, its sample and
 * its status, each a number with its unit in its name (null where it does not apply).
 *
 * - `objective` and its terms (a simulation: the windows' objectives summed, no terms): the
 *   penalty terms `requestTrackingTerm`, `tradeVolumeTerm`, `tieBreakTerm` in objective units,
 *   the money terms `costBidsTermCurrency`, `utilityEnergyTermCurrency`, `preferencesTermCurrency`,
 *   `networkFeesTermCurrency` in currency (objective units when the objective holds no money,
 *   as settlement.csv's money);
 * - `requestShortfallKwh` Σ|U − U*|·Δt over the requested steps, `imbalanceKwh` Σ|imbalance|·Δt
 *   (simulations), `tradedKwh` Σ of every trade's kWh, `finalSocKwh` the batteries' energy at the end;
 * - `socialWelfareCurrency`, `feesCollectedCurrency`, `congestionCollectedCurrency` (settlement.ts),
 *   and with a tariff the gains over trading at it: `utilityGainCurrency`, `prosumersGainCurrency`
 *   (clearings whose sweep keeps `valueOfTrading`);
 * - `minVoltagePu` (LinDistFlow, over buses and steps), `maxLineLoadingPct` (largest |flow| / maxKw
 *   of a limited line, %);
 * - with the AC check: `acLossKwh`, `acMinVoltagePu`, `acViolations` (limits the AC state breaks).
 *
 * Trace metrics (a sweep file's `metrics`) aggregate a column of one of the run's own traces —
 * the rows it writes to steps.csv, trades.csv, settlement.csv or nodal-prices.csv — so that each
 * can be recomputed from the files. Everything a trace metric names is checked before any run:
 * its column and filters against its trace (`traceMetricProblems`), its agents, buses and steps
 * against every point's scenario (`metricReferenceProblems`), so that none is silently empty.

 */
import type { AcCheck } from '../analysis/ac-check.ts';
import type { SimulationResult } from '../engine/simulate.ts';
import type { ClearingResult } from '../market/result.ts';
import type { Settlement } from '../market/settlement.ts';
import { NODAL_PRICES_COLUMNS, nodalPriceRows, SETTLEMENT_COLUMNS, settlementRows, STEPS_COLUMNS, stepsRows, TRADES_COLUMNS, tradesRows } from '../output/csv.ts';
import type { TraceMetric } from './schema.ts';
import type { InputProblem } from '../errors.ts';
import { lastRealisedStep } from '../engine/simulate.ts';
import { POOL_ID, UTILITY_ID, type Scenario } from '../scenario/validate.ts';

export type MetricValues = Record<string, number | null>;

/** The built-in metrics, in their column order (without the AC check's, which follow when it runs). */
export const BUILTIN_METRICS = [
  'objective', 'requestTrackingTerm', 'tradeVolumeTerm', 'costBidsTermCurrency', 'utilityEnergyTermCurrency', 'preferencesTermCurrency', 'networkFeesTermCurrency', 'tieBreakTerm',
  'requestShortfallKwh', 'imbalanceKwh', 'tradedKwh', 'finalSocKwh',
  'socialWelfareCurrency', 'feesCollectedCurrency', 'congestionCollectedCurrency', 'utilityGainCurrency', 'prosumersGainCurrency',
  'minVoltagePu', 'maxLineLoadingPct',
] as const;
export const AC_METRICS = ['acLossKwh', 'acMinVoltagePu', 'acViolations'] as const;

export interface RunOutcome {
  clearing?: ClearingResult;
  simulation?: SimulationResult;
  settlement?: Settlement;
  acCheck?: AcCheck;
}

/** The built-in metrics of one run; all null but `objective` when it was not cleared. */
export function builtinMetrics(outcome: RunOutcome): MetricValues {
  const result = outcome.clearing ?? outcome.simulation!;
  const values: MetricValues = Object.fromEntries(BUILTIN_METRICS.map((m) => [m, null]));
  if (result.status !== 'optimal') return values;
  const terms = outcome.clearing?.objectiveTerms;
  values.objective = outcome.clearing ? outcome.clearing.objective : outcome.simulation!.windows.reduce((s, w) => s + (w.objective ?? 0), 0);
  if (terms) {
    values.requestTrackingTerm = terms.requestTracking;
    values.tradeVolumeTerm = terms.tradeVolume;
    values.costBidsTermCurrency = terms.costBids;
    values.utilityEnergyTermCurrency = terms.utilityEnergy;
    values.preferencesTermCurrency = terms.preferences;
    values.networkFeesTermCurrency = terms.networkFees;
    values.tieBreakTerm = terms.tieBreak;
  }
  let shortfall = 0;
  let imbalance = 0;
  let traded = 0;
  let minVoltage = Infinity;
  let maxLoading: number | null = null;
  for (const step of result.steps) {
    if (step.utilityPriority > 0) shortfall += Math.abs(step.utilityReceiptKw - step.utilityTargetKw) * step.hours;
    if ('utilityImbalanceKw' in step) imbalance += Math.abs(step.utilityImbalanceKw as number) * step.hours;
    for (const trade of step.trades) traded += trade.kw * step.hours;
    for (const bus of step.buses) minVoltage = Math.min(minVoltage, bus.voltagePu);
    for (const line of step.lines) if (line.maxKw) maxLoading = Math.max(maxLoading ?? 0, (100 * Math.abs(line.flowKw)) / line.maxKw);
  }
  values.requestShortfallKwh = shortfall;
  values.imbalanceKwh = outcome.simulation ? imbalance : null;
  values.tradedKwh = traded;
  const last = result.steps.at(-1);
  values.finalSocKwh = last ? last.agents.reduce((s, a) => s + (a.socEndKwh ?? 0), 0) : 0;
  values.minVoltagePu = Number.isFinite(minVoltage) ? minVoltage : null;
  values.maxLineLoadingPct = maxLoading;
  const settlement = outcome.settlement;
  if (settlement) {
    values.socialWelfareCurrency = settlement.socialWelfare;
    values.feesCollectedCurrency = settlement.feesCollected;
    values.congestionCollectedCurrency = settlement.congestionCollected;
    const gain = (agents: typeof settlement.agents) => (agents.length === 0 || agents.some((a) => a.gain === null) ? null : agents.reduce((s, a) => s + a.gain!, 0));
    values.utilityGainCurrency = gain(settlement.agents.filter((a) => a.agent === 'utility'));
    values.prosumersGainCurrency = gain(settlement.agents.filter((a) => a.agent !== 'utility' && a.agent !== 'pool'));
  }
  return values;
}

export function acMetrics(check: AcCheck | undefined): MetricValues {
  if (!check) return { acLossKwh: null, acMinVoltagePu: null, acViolations: null };
  return {
    acLossKwh: check.lossKwh,
    acMinVoltagePu: check.steps.reduce((v, step) => Math.min(v, step.acMinVoltagePu), Infinity),
    acViolations: check.violations,
  };
}

/** The rows of a run's trace, as its CSV file has them, by column name. */
function traceRows(trace: TraceMetric['trace'], outcome: RunOutcome, run: number): Record<string, unknown>[] {
  const result = outcome.clearing ?? outcome.simulation!;
  const [columns, rows] =
    trace === 'steps' ? [STEPS_COLUMNS, stepsRows(result, run)]
    : trace === 'trades' ? [TRADES_COLUMNS, tradesRows(result, run)]
    : trace === 'settlement' ? [SETTLEMENT_COLUMNS, settlementRows(outcome.settlement?.rows ?? [], run)]
    : [NODAL_PRICES_COLUMNS, nodalPriceRows(result, run)];
  return rows.map((row) => Object.fromEntries((columns as readonly string[]).map((c, k) => [c, row[k]])));
}

/** The columns a trace metric may aggregate. */
export const TRACE_COLUMNS: Record<TraceMetric['trace'], readonly string[]> = {
  steps: STEPS_COLUMNS,
  trades: TRADES_COLUMNS,
  settlement: SETTLEMENT_COLUMNS,
  nodalPrices: NODAL_PRICES_COLUMNS,
};

/** The files the traces are written to. */
const TRACE_FILES: Record<TraceMetric['trace'], string> = { steps: 'steps.csv', trades: 'trades.csv', settlement: 'settlement.csv', nodalPrices: 'nodal-prices.csv' };
/** The columns of names (agents, buses) a metric filters rows by, with the field that does. */
const NAME_FILTERS = ['agent', 'bus', 'from', 'to'] as const;

/** Choices for a message: all of them, or the first 30 and how many there are. */
function choices(values: readonly string[]): string {
  return values.length <= 30 ? values.join(', ') : `${values.slice(0, 30).join(', ')}, … (${values.length} in all)`;
}

/**
 * What a trace metric names that no run of the sweep can have, whatever its scenario: a trace
 * the mode does not write, a column its trace lacks (or one of names, aggregated as numbers), a
 * filter on a column its trace lacks, a step range that holds no step. `at` is `metrics[k]`.
 */
export function traceMetricProblems(metric: TraceMetric, at: string, mode: 'clear' | 'simulate'): InputProblem[] {
  const problems: InputProblem[] = [];
  const file = TRACE_FILES[metric.trace];
  const columns = TRACE_COLUMNS[metric.trace];
  const names = NAME_FILTERS.filter((c) => columns.includes(c)) as readonly string[];
  const numeric = columns.filter((c) => c !== 'run' && !names.includes(c));
  if (metric.trace === 'nodalPrices' && mode === 'simulate') {
    problems.push({ path: `${at}.trace`, message: `a simulation writes no nodal-prices.csv: use steps, trades or settlement (voltages are in steps.csv), or "mode": "clear"` });
  }
  if (!columns.includes(metric.column)) {
    problems.push({ path: `${at}.column`, message: `"${metric.column}" is not a column of ${file}: use one of ${choices(numeric)}` });
  } else if (names.includes(metric.column) && metric.agg !== 'count') {
    problems.push({ path: `${at}.column`, message: `"${metric.column}" holds names, not numbers: count its rows with "agg": "count", or aggregate one of ${choices(numeric)}` });
  }
  for (const filter of NAME_FILTERS) {
    if (metric[filter] !== undefined && !columns.includes(filter)) {
      problems.push({ path: `${at}.${filter}`, message: `${file} has no "${filter}" column: filter its rows with ${[...names, 'tFrom', 'tTo'].join(', ').replace(/, (?=[^,]*$)/, ' or ')}` });
    }
  }
  if (metric.tFrom !== undefined && metric.tTo !== undefined && metric.tTo < metric.tFrom) {
    problems.push({ path: `${at}.tTo`, message: `${metric.tTo} is before tFrom (${metric.tFrom}): no step qualifies` });
  }
  return problems;
}

/**
 * What the trace metrics name that the run of one point does not have: an agent, a trading
 * partner or a bus its scenario lacks, a step beyond those it clears (or a simulation realises).
 */
export function metricReferenceProblems(metrics: readonly TraceMetric[], scenario: Scenario, mode: 'clear' | 'simulate', run: number): InputProblem[] {
  const problems: InputProblem[] = [];
  const of = `point ${run}'s scenario ("${scenario.name}")`;
  const prosumers = scenario.prosumers.map((p) => p.id);
  const agents = [UTILITY_ID, ...prosumers, ...(scenario.market.tradeGraph === 'pool' ? [POOL_ID] : [])];
  const last = mode === 'simulate' ? lastRealisedStep(scenario) : scenario.steps - 1;
  const stepWords = `${last + 1} ${mode === 'simulate' ? 'realised ' : ''}steps (0 to ${last})`;
  metrics.forEach((metric, k) => {
    const at = `metrics[${k}]`;
    if (metric.agent !== undefined && metric.trace === 'steps' && !prosumers.includes(metric.agent)) {
      problems.push({ path: `${at}.agent`, message: `"${metric.agent}" is no prosumer of ${of}: steps.csv has rows of ${choices(prosumers)}` });
    }
    if (metric.agent !== undefined && metric.trace === 'settlement' && !agents.includes(metric.agent)) {
      problems.push({ path: `${at}.agent`, message: `"${metric.agent}" is no agent of ${of}: settlement.csv has rows of ${choices(agents)}` });
    }
    for (const side of ['from', 'to'] as const) {
      const agent = metric[side];
      if (agent !== undefined && metric.trace === 'trades' && !agents.includes(agent)) {
        problems.push({ path: `${at}.${side}`, message: `"${agent}" is no agent of ${of}: trades are between ${choices(agents)}` });
      }
    }
    if (metric.bus !== undefined && metric.trace === 'nodalPrices' && !scenario.network.buses.includes(metric.bus)) {
      problems.push({ path: `${at}.bus`, message: `"${metric.bus}" is no bus of ${of}: its buses are ${choices(scenario.network.buses)}` });
    }
    for (const field of ['tFrom', 'tTo'] as const) {
      const t = metric[field];
      if (t !== undefined && t > last) problems.push({ path: `${at}.${field}`, message: `step ${t} is beyond point ${run}'s ${stepWords}` });
    }
  });
  return problems;
}

/** A trace metric of one run: null when no row qualifies (or the run was not cleared). */
export function traceMetric(metric: TraceMetric, outcome: RunOutcome, run: number, stepHours: number): number | null {
  const result = outcome.clearing ?? outcome.simulation!;
  if (result.status !== 'optimal') return null;
  const selected = traceRows(metric.trace, outcome, run).filter(
    (row) =>
      (metric.agent === undefined || row.agent === metric.agent) &&
      (metric.bus === undefined || row.bus === metric.bus) &&
      (metric.from === undefined || row.from === metric.from) &&
      (metric.to === undefined || row.to === metric.to) &&
      (metric.tFrom === undefined || (row.t as number) >= metric.tFrom) &&
      (metric.tTo === undefined || (row.t as number) <= metric.tTo),
  );
  if (metric.agg === 'count') return selected.length;
  const values = selected.map((row) => row[metric.column]).filter((v): v is number => typeof v === 'number').map((v) => (metric.timesHours ? v * stepHours : v));
  if (values.length === 0) return null;
  switch (metric.agg) {
    case 'sum':
      return values.reduce((s, v) => s + v, 0);
    case 'mean':
      return values.reduce((s, v) => s + v, 0) / values.length;
    case 'min':
      return Math.min(...values);
    case 'max':
      return Math.max(...values);
    case 'first':
      return values[0]!;
    case 'last':
      return values.at(-1)!;
  }
}
