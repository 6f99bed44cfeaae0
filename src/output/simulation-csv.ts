/** The files `simulate` and `replay` write (contract.md, plus the engine's own traces). */
import type { SimulationResult } from '../engine/simulate.ts';
import { EVENT_FIELDS, eventRecord } from '../engine/events.ts';
import { report } from '../market/report.ts';
import type { SettlementRow } from '../market/settlement.ts';
import { negotiationFiles } from './negotiation-csv.ts';
import { networkFiles, round3, SETTLEMENT_COLUMNS, settlementRows, STEPS_COLUMNS, stepsRows, toCsv, TRADES_COLUMNS, tradesRows, RUNS_COLUMNS } from './csv.ts';

export const EVENTS_COLUMNS = ['run', 'simHour', 'type', 'agent', ...EVENT_FIELDS] as const;
export const REQUESTS_COLUMNS = ['simHour', 'step', 'targetKw', 'priority'] as const;
export const UTILITY_COLUMNS = ['run', 't', 'requestedKw', 'priority', 'plannedKw', 'deliveredKw', 'imbalanceKw'] as const;
export const IMBALANCE_COLUMNS = ['run', 't', 'agent', 'forecastKw', 'realisedKw', 'plannedNetInjectionKw', 'netInjectionKw', 'imbalanceKw'] as const;
export const WINDOWS_COLUMNS = ['run', 'start', 'steps', 'status', 'objective', 'fallback'] as const;


/** The sum of the windows' objectives (each window's own, tie-break excluded). */
export function simulationObjective(result: SimulationResult): number | null {
  return result.windows.every((w) => w.objective !== null) ? result.windows.reduce((s, w) => s + w.objective!, 0) : null;
}

/** What `--json` prints and result.json holds: everything but the event and request traces. */
export function simulationDocument(result: SimulationResult) {
  const { events: _events, requests: _requests, negotiations: _negotiations, ...document } = result;
  return { ...document, objective: simulationObjective(result) };
}

/** `settlement`: the rows of settlement.csv (simulate settles the realised steps). */
export function simulationFiles(result: SimulationResult, run = 0, settlement?: readonly SettlementRow[]): Record<string, string> {
  return {
    ...(settlement ? { 'settlement.csv': toCsv(SETTLEMENT_COLUMNS, settlementRows(settlement, run)) } : {}),
    'runs.csv': toCsv(RUNS_COLUMNS, [[run, result.status, simulationObjective(result), round3(result.solveMs)]]),
    'steps.csv': toCsv(STEPS_COLUMNS, stepsRows(result, run)),
    'trades.csv': toCsv(TRADES_COLUMNS, tradesRows(result, run)),
    ...networkFiles(result, run),
    'events.csv': toCsv(
      EVENTS_COLUMNS,
      result.events.map((e) => {
        const record = eventRecord(e);
        return [run, e.simHour, e.type, record.agent, ...EVENT_FIELDS.map((f) => record[f] ?? null)];
      }),
    ),
    'requests.csv': toCsv(REQUESTS_COLUMNS, result.requests.map((e) => [e.simHour, e.step, e.targetKw, e.priority])),
    'utility.csv': toCsv(
      UTILITY_COLUMNS,
      result.utility.map((u) => [run, u.t, u.requestedKw, u.priority, report(u.plannedKw), report(u.deliveredKw), report(u.deliveredKw - u.plannedKw)]),
    ),
    'imbalance.csv': toCsv(
      IMBALANCE_COLUMNS,
      result.steps.flatMap((s) =>
        s.agents.map((a) => [run, s.t, a.id, a.scheduleKw, a.realisedKw, a.plannedNetInjectionKw, a.netInjectionKw, a.imbalanceKw]),
      ),
    ),
    'windows.csv': toCsv(
      WINDOWS_COLUMNS,
      result.windows.map((w) => [run, w.start, w.steps, w.status, w.objective, w.fallback ?? '']),
    ),
    ...(result.negotiations ? negotiationFiles(result.negotiations.map((n) => ({ run, window: n.window, negotiation: n })), result.steps[0]?.hours ?? 1) : {}),
    'result.json': JSON.stringify(simulationDocument(result), null, 2) + '\n',
  };
}
