/**
 * The typed result of a market clearing, as `clear --json` prints it (contract.md).
 * Powers in kW (injection positive), energies in kWh, voltages in p.u., prices in objective
 * units per kWh (currency per kWh when the objective is money).
 */
import type { AcCheck } from '../analysis/ac-check.ts';
import type { SolveStatus } from '../solver/adapter.ts';

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
}

/** One bilateral trade: `kw > 0` flows `from` → `to`. */
export interface TradeRecord {
  from: string;
  to: string;
  kw: number;
  /** Price of the trade, from the reciprocity dual; null when the backend gives no duals. */
  price: number | null;
}

export interface BusState {
  id: string;
  voltagePu: number;
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
  agents: AgentStep[];
  trades: TradeRecord[];
  buses: BusState[];
  lines: LineState[];
}

/** The objective's terms; `objective` is their sum without the tie-break. */
export interface ObjectiveTerms {
  requestTracking: number;
  tradeVolume: number;
  costBids: number;
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
}

export interface Diagnosis {
  message: string;
  /** The conflicting constraints in domain words (an irreducible infeasible subset when known). */
  conflicts: string[];
}

export interface ClearingResult {
  scenario: string;
  status: SolveStatus;
  objective: number | null;
  objectiveTerms: ObjectiveTerms | null;
  /** Wall time of building, solving and checking, ms. */
  solveMs: number;
  solver: SolverReport;
  steps: StepResult[];
  diagnosis?: Diagnosis;
  /** The AC power flow of every cleared step against the linear model (clear --ac-check). */
  acCheck?: AcCheck;
}
