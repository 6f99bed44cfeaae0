/**
 * The negotiation's traces (market.clearing "admm"): negotiation.csv, one row per iteration of
 * every negotiation of the run (a clearing's one, a simulation's windows, a sweep's points) —
 * residuals against their tolerances, ρ, the volume price, the objective's gap to the central
 * optimum and the messages sent so far — and negotiation-prices.csv, the traced pair's two
 * prices and trade per iteration. Virtual times only, so two runs of the same input and seed
 * write the same bytes.
 */
import type { NegotiationReport } from '../admm/result.ts';
import { toCsv } from './csv-text.ts';

export const NEGOTIATION_COLUMNS = [
  'run', 'window', 'iteration', 'timeMs', 'primalResidualKw', 'dualResidualPerKwh', 'primalToleranceKw', 'dualTolerancePerKwh', 'rho',
  'volumePricePerKwh', 'objectiveGap', 'messages',
] as const;
export const NEGOTIATION_PRICES_COLUMNS = ['run', 'window', 'iteration', 't', 'from', 'to', 'fromPricePerKwh', 'toPricePerKwh', 'kw', 'centralPricePerKwh'] as const;

/** One negotiation of a run: its run index, the step its window starts at (0 for a clearing), and its report. */
export interface RunNegotiation {
  run: number;
  window: number;
  negotiation: Pick<NegotiationReport, 'history' | 'pairTrace'>;
}

const sig = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(10)) : v);

export function negotiationFiles(negotiations: readonly RunNegotiation[], stepHours: number): Record<string, string> {
  if (negotiations.length === 0) return {};
  const rows = negotiations.flatMap(({ run, window, negotiation }) =>
    negotiation.history.map((h) => [
      run, window, h.iteration, sig(h.timeMs), sig(h.primalKw), sig(h.dualPerKwh), sig(h.primalToleranceKw), sig(h.dualTolerancePerKwh), sig(h.rho),
      sig(h.volumePrice / stepHours), sig(h.objectiveGap), h.messages,
    ]),
  );
  const prices = negotiations.flatMap(({ run, window, negotiation }) => {
    const trace = negotiation.pairTrace;
    if (!trace) return [];
    return trace.rows.map((r) => [run, window, r.iteration, trace.t, trace.from, trace.to, sig(r.fromPricePerKwh), sig(r.toPricePerKwh), sig(r.kw), trace.centralPricePerKwh]);
  });
  return {
    'negotiation.csv': toCsv(NEGOTIATION_COLUMNS, rows),
    'negotiation-prices.csv': toCsv(NEGOTIATION_PRICES_COLUMNS, prices),
  };
}
