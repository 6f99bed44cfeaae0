/**
 * The typed result of a market clearing, as `clear --json` prints it (contract.md).
 * Powers in kW (injection positive), energies in kWh, voltages in p.u., prices in objective
 * units per kWh (currency per kWh when the objective is money). How prices are read from the
 * duals: prices.ts.
 */
import type { AcCheck } from '../analysis/ac-check.ts';
import type { SolveStatus } from '../solver/adapter.ts';
import type { PriceReport } from './prices.ts';
import type { Settlement } from './settlement.ts';
import type { NegotiationReport } from '../admm/result.ts';

export type SettlementSummary = Omit<Settlement, 'rows'>;

export type { PriceReport };

export interface AgentStep {
  id: string;
  bus: string;
  scheduleKw: number;
  netInjectionKw: number;
  /** Positive = discharging into the bus; 0 for a prosumer without a battery. */
  batteryKw: number;
  /** null for a prosumer without a battery. */
  socStartKwh: number | null;
  socEndKwh: number | null;
  /** LinDistFlow voltage magnitude at the agent's bus. */
  voltagePu: number;
  /** What one more kWh delivered to the agent is worth to the market (its trade-balance dual), per kWh; null without duals. */
  marginalPricePerKwh: number | null;
}

/** One bilateral trade: `kw > 0` flows `from` → `to`. */
export interface TradeRecord {
  from: string;
  to: string;
  kw: number;
  /** Price of the trade per kWh, from the reciprocity dual: what `from` receives; null when the backend gives no duals. */
  price: number | null;
  /** Network-use fee per kWh, paid by `to` on top of the price (market.networkFee). */
  feePerKwh: number;
  /** `to`'s own cost per kWh of energy from `from` (market.pairPreferences; negative: a premium); not money. */
  preferencePerKwh: number;
}

export interface BusState {
  id: string;
  voltagePu: number;
  /** Value of one more kWh injected at the bus (prices.ts), per kWh; in clearing results only, null without duals. */
  nodalPricePerKwh?: number | null;
}

export interface LineState {
  from: string;
  to: string;
  /** Active flow, positive from `from` (parent) to `to` (child). */
  flowKw: number;
  maxKw: number | null;
}

export interface StepResult {
  t: number;
  startHour: number;
  hours: number;
  /** U[t] = Σ of the prosumers' net injections: what the utility receives. */
  utilityReceiptKw: number;
  utilityTargetKw: number;
  utilityPriority: number;
  /** The utility's marginal price (its trade-balance dual), per kWh; null without duals. */
  utilityPricePerKwh: number | null;
  agents: AgentStep[];
  trades: TradeRecord[];
  buses: BusState[];
  lines: LineState[];
}

/** The objective's terms; `objective` is their sum without the tie-break. */
export interface ObjectiveTerms {
  requestTracking: number;
  tradeVolume: number;
  /** Σ of the prosumers' bids C(P)·Δt. */
  costBids: number;
  /** The utility's tariff: what it sells at its sell price less what it buys at its buy price. */
  utilityEnergy: number;
  /** Σ of the buyers' pair preferences on the energy they bought. */
  preferences: number;
  /** Σ of the network-use fees. */
  networkFees: number;
  tieBreak: number;
}

export interface SolverReport {
  backend: string;
  columns: number;
  rows: number;
  iterations: number;
  /** Worst violation of any constraint by the reported solution (our own check). */
  maxViolation: number;
  worstConstraint: string;
  /** 'resolved', 'off' (market.tieBreak "none"), or 'unresolved (…)': the second stage failed and the first stage's optimum stands. */
  tieBreak: string;
  /**
   * Battery-steps at which a battery with losses would have charged and discharged at once, and
   * whose direction was fixed before clearing again (market/battery-directions.ts); absent when none.
   */
  batteryDirectionsFixed?: number;
  /**
   * Clearings solved from the previous window's optimum, shifted by a step, without an LP round
   * (a rolling window's warm start, solver/outer-approximation.ts); absent when none.
   */
  fromPreviousWindow?: number;
  /**
   * The model the solver saw when it was not the full one (`columns` × `rows`): a market whose
   * trades are interchangeable is solved in injection space (problem/injection-space.ts).
   */
  solved?: { formulation: 'injection space'; columns: number; rows: number };
}

export interface Diagnosis {
  message: string;
  /** The conflicting constraints in domain words (an irreducible infeasible subset when known). */
  conflicts: string[];
}

/** A clearing's status: the solver's, or `not_converged` for a negotiation that reached its iteration limit (market.clearing "admm"). */
export type ClearingStatus = SolveStatus | 'not_converged';

export interface ClearingResult {
  scenario: string;
  status: ClearingStatus;
  objective: number | null;
  objectiveTerms: ObjectiveTerms | null;
  /** Wall time of building, solving and checking, ms. */
  solveMs: number;
  solver: SolverReport;
  steps: StepResult[];
  diagnosis?: Diagnosis;
  /** Whether the prices are unique, and which were picked how where not (optimal results with duals). */
  prices?: PriceReport;
  /** Who pays whom and the value of trading (clear; settlement.ts), without the per-step rows of settlement.csv. */
  settlement?: SettlementSummary;
  /** The AC power flow of every cleared step against the linear model (clear --ac-check). */
  acCheck?: AcCheck;
  /** A negotiated clearing (market.clearing "admm"): how it went, and the central optimum it is proven against (admm/result.ts). */
  negotiation?: NegotiationReport;
}
