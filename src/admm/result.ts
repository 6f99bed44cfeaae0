/**
 * What a negotiated clearing adds to the clearing result (`negotiation` in result.json): how the
 * negotiation went — iterations, messages, residuals, ρ — the restoration that made its answer
 * exactly feasible, and, always, the central optimum it is proven against, with the gaps.
 * Prices per kWh, powers in kW, times in ms (virtual: the negotiation's clock; wall: this process).
 */
import type { IterationRecord } from './negotiation.ts';

export interface NegotiationIteration extends IterationRecord {
  /** (objective of the iterate − central objective) / max(1, |central objective|): the observer's measure, not an agent's. */
  objectiveGap: number;
}

export interface PairTraceRow {
  iteration: number;
  /** Prices of the two sides in the traced step, per kWh (what each would receive selling one more kWh). */
  fromPricePerKwh: number;
  toPricePerKwh: number;
  /** The consensus trade, kW, positive from `from` to `to`. */
  kw: number;
}

export interface PairTrace {
  from: string;
  to: string;
  t: number;
  /** The central optimum's price of that trade (its seller's marginal price), per kWh. */
  centralPricePerKwh: number | null;
  rows: PairTraceRow[];
}

export interface NegotiationGaps {
  /** |objective − central| / max(1, |central|). */
  objectiveRelative: number;
  /** Social welfare −(bid costs + tariff + preferences), against the central's, relative. */
  welfareRelative: number;
  /** Largest distance of a negotiated trade's price from its seller's central price (or that price's range when not unique), per kWh. */
  maxTradePricePerKwh: number;
  maxAgentPricePerKwh: number;
  maxNodalPricePerKwh: number;
}

export interface NegotiationReport {
  method: 'admm';
  mode: 'synchronous' | 'asynchronous';
  converged: boolean;
  iterations: number;
  messages: { sent: number; retransmitted: number; lost: number; acknowledgements: number; byKind: Record<string, number> };
  /** The negotiation's virtual duration and this process's time for it. */
  virtualTimeMs: number;
  wallMs: number;
  residuals: { primalKw: number; dualPerKwh: number; primalToleranceKw: number; dualTolerancePerKwh: number };
  rho: { initial: number; final: number };
  /** The coordinator's last volume price, per kWh (0 without a volume penalty). */
  volumePricePerKwh: number;
  settledPairs: number;
  pairs: number;
  warmStart: boolean;
  restoration: {
    rounds: number;
    /** Largest change of a prosumer's injection by restoration, kW (absorbed by its trade with the utility). */
    maxAdjustmentKw: number;
    /** Worst network limit left broken after restoration (kW for flows, p.u. for voltages). */
    flowViolationKw: number;
    voltageViolationPu: number;
  };
  central: {
    status: string;
    objective: number | null;
    welfare: number | null;
    solveMs: number;
    uniqueness: string | null;
    /** [t][agent] in the order utility, prosumers. */
    agentPricePerKwh: (number | null)[][];
    /** [t][bus] in the file's bus order. */
    nodalPricePerKwh: (number | null)[][];
  };
  gaps: NegotiationGaps | null;
  /** Every iteration up to MAX_HISTORY, then evenly thinned (the last one always kept). */
  history: NegotiationIteration[];
  pairTrace: PairTrace | null;
}

/** At most this many iterations are kept in `history` (negotiation.csv). */
export const MAX_HISTORY = 2000;

export function thin<T>(rows: readonly T[], max = MAX_HISTORY): T[] {
  if (rows.length <= max) return [...rows];
  const every = Math.ceil(rows.length / max);
  const kept = rows.filter((_, k) => k % every === 0);
  if (kept[kept.length - 1] !== rows[rows.length - 1]) kept.push(rows[rows.length - 1]!);
  return kept;
}
