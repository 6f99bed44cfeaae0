/** Tidy CSV tables of a clearing (contract.md): one row per observation, header first. */
import { stringify } from 'csv-stringify/sync';
import type { ClearingResult, StepResult } from '../market/result.ts';

export const RUNS_COLUMNS = ['run', 'status', 'objective', 'solveMs'] as const;
export const STEPS_COLUMNS = [
  'run', 't', 'startHour', 'agent', 'scheduleKw', 'netInjectionKw', 'batteryKw', 'socStartKwh', 'socEndKwh', 'voltagePu',
] as const;
export const TRADES_COLUMNS = ['run', 't', 'from', 'to', 'kw', 'price'] as const;

type Cell = string | number | null;

/**
 * scenario.json of a run: the validated scenario as run, defaults filled in — without its
 * "$schema", a path relative to where the scenario file was.
 */
export function scenarioJson(scenario: object): string {
  return JSON.stringify({ ...scenario, $schema: undefined }, null, 2) + '\n';
}

export function toCsv(columns: readonly string[], rows: readonly Cell[][]): string {
  return stringify(rows as Cell[][], { header: true, columns: [...columns] });
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
    ]),
  );
}

export function tradesRows(result: WithSteps, run: number): Cell[][] {
  return result.steps.flatMap((step) => step.trades.map((tr) => [run, step.t, tr.from, tr.to, tr.kw, tr.price]));
}

export const round3 = (v: number) => Math.round(v * 1000) / 1000;

/** The files `clear` writes, by name. */
export function clearingFiles(result: ClearingResult): Record<string, string> {
  return {
    'runs.csv': toCsv(RUNS_COLUMNS, runsRows(result, 0)),
    'steps.csv': toCsv(STEPS_COLUMNS, stepsRows(result, 0)),
    'trades.csv': toCsv(TRADES_COLUMNS, tradesRows(result, 0)),
    'result.json': JSON.stringify(result, null, 2) + '\n',
  };
}
