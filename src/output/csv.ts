/** Tidy CSV tables of a clearing (contract.md): one row per observation, header first. */
import type { ClearingResult, StepResult } from '../market/result.ts';
import type { SettlementRow } from '../market/settlement.ts';
import { toCsv, type Cell } from './csv-text.ts';
import { negotiationFiles } from './negotiation-csv.ts';

export { toCsv, type Cell };

export const RUNS_COLUMNS = ['run', 'status', 'objective', 'solveMs'] as const;
export const STEPS_COLUMNS = [
  'run', 't', 'startHour', 'agent', 'scheduleKw', 'netInjectionKw', 'batteryKw', 'socStartKwh', 'socEndKwh', 'voltagePu',
  'marginalPricePerKwh',
] as const;
/** `price` is what `from` receives per kWh; `to` pays it plus `feePerKwh`. */
export const TRADES_COLUMNS = ['run', 't', 'from', 'to', 'kw', 'pricePerKwh', 'feePerKwh', 'preferencePerKwh'] as const;
/** The LinDistFlow state of every bus and line in every step (clear, simulate, replay). */
export const BUSES_COLUMNS = ['run', 't', 'startHour', 'bus', 'voltagePu'] as const;
export const LINES_COLUMNS = ['run', 't', 'startHour', 'from', 'to', 'flowKw', 'maxKw', 'loadingPct'] as const;
export const NODAL_PRICES_COLUMNS = ['run', 't', 'startHour', 'bus', 'voltagePu', 'nodalPricePerKwh'] as const;
/**
 * Money columns end in `Currency`: the scenario's currency (objective units when the objective
 * holds no money). Prices are per kWh.
 */
export const SETTLEMENT_COLUMNS = [
  'run', 't', 'agent', 'boughtKwh', 'soldKwh', 'paymentsCurrency', 'revenuesCurrency', 'feesCurrency', 'congestionChargeCurrency', 'imbalanceCostCurrency',
  'preferenceCostCurrency', 'bidCostCurrency', 'totalCostCurrency', 'baselineCostCurrency', 'gainCurrency',
] as const;

/**
 * scenario.json of a run: the validated scenario as run, defaults filled in — without its
 * "$schema", a path relative to where the scenario file was.
 */
export function scenarioJson(scenario: object): string {
  return JSON.stringify({ ...scenario, $schema: undefined }, null, 2) + '\n';
}

/** `parameters` are the swept values of a sweep point, in column order. */
export function runsRows(result: ClearingResult, run: number, parameters: Cell[] = []): Cell[][] {
  return [[run, result.status, result.objective, round3(result.solveMs), ...parameters]];
}

/** Anything with steps of agents and trades: a clearing or a simulation's realised steps. */
type WithSteps = { steps: readonly Pick<StepResult, 't' | 'startHour' | 'agents' | 'trades'>[] };

export function stepsRows(result: WithSteps, run: number): Cell[][] {
  return result.steps.flatMap((step) =>
    step.agents.map((a) => [
      run, step.t, step.startHour, a.id, a.scheduleKw, a.netInjectionKw, a.batteryKw, a.socStartKwh, a.socEndKwh, a.voltagePu,
      a.marginalPricePerKwh,
    ]),
  );
}

export function tradesRows(result: WithSteps, run: number): Cell[][] {
  return result.steps.flatMap((step) =>
    step.trades.map((tr) => [run, step.t, tr.from, tr.to, tr.kw, tr.price, tr.feePerKwh, tr.preferencePerKwh]),
  );
}

export function nodalPriceRows(result: { steps: readonly Pick<StepResult, 't' | 'startHour' | 'buses'>[] }, run: number): Cell[][] {
  return result.steps.flatMap((step) => step.buses.map((b) => [run, step.t, step.startHour, b.id, b.voltagePu, b.nodalPricePerKwh ?? null]));
}

type WithNetwork = { steps: readonly Pick<StepResult, 't' | 'startHour' | 'buses' | 'lines'>[] };

export function busRows(result: WithNetwork, run: number): Cell[][] {
  return result.steps.flatMap((step) => step.buses.map((b) => [run, step.t, step.startHour, b.id, b.voltagePu]));
}

/** `loadingPct` = 100·|flow| / maxKw, empty for a line without a limit. */
export function lineRows(result: WithNetwork, run: number): Cell[][] {
  return result.steps.flatMap((step) =>
    step.lines.map((l) => [run, step.t, step.startHour, l.from, l.to, l.flowKw, l.maxKw, l.maxKw ? Math.round((1e4 * Math.abs(l.flowKw)) / l.maxKw) / 100 : null]),
  );
}

/** The network's files of a clearing or a simulation: buses.csv and lines.csv. */
export function networkFiles(result: WithNetwork, run = 0): Record<string, string> {
  return { 'buses.csv': toCsv(BUSES_COLUMNS, busRows(result, run)), 'lines.csv': toCsv(LINES_COLUMNS, lineRows(result, run)) };
}

export function settlementRows(rows: readonly SettlementRow[], run: number): Cell[][] {
  return rows.map((r) => [
    run, r.t, r.agent, r.boughtKwh, r.soldKwh, r.payments, r.revenues, r.fees, r.congestionCharge, r.imbalanceCost, r.preferenceCost, r.bidCost, r.totalCost,
    r.baselineCost, r.gain,
  ]);
}

export const round3 = (v: number) => Math.round(v * 1000) / 1000;

/** The files `clear` writes, by name (settlement.csv with the settlement's rows). */
export function clearingFiles(result: ClearingResult, settlement?: readonly SettlementRow[]): Record<string, string> {
  return {
    'runs.csv': toCsv(RUNS_COLUMNS, runsRows(result, 0)),
    'steps.csv': toCsv(STEPS_COLUMNS, stepsRows(result, 0)),
    'trades.csv': toCsv(TRADES_COLUMNS, tradesRows(result, 0)),
    'nodal-prices.csv': toCsv(NODAL_PRICES_COLUMNS, nodalPriceRows(result, 0)),
    ...networkFiles(result),
    ...(settlement ? { 'settlement.csv': toCsv(SETTLEMENT_COLUMNS, settlementRows(settlement, 0)) } : {}),
    ...(result.negotiation ? negotiationFiles([{ run: 0, window: 0, negotiation: result.negotiation }], result.steps[0]?.hours ?? 1) : {}),
    'result.json': JSON.stringify(result, null, 2) + '\n',
  };
}

/** A run's files without trades.csv when the user asked for none (--no-trades: it grows with the square of the agents). */
export function withoutTrades(files: Record<string, string>, trades: boolean | undefined): Record<string, string> {
  if (trades !== false) return files;
  const { 'trades.csv': _trades, ...rest } = files;
  return rest;
}
