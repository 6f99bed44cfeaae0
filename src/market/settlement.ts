/**
 * Who pays whom: the settlement of a cleared market, and the value of trading.
 *
 * Every trade settles at its price (prices.ts): the seller receives price × kWh, the buyer pays
 * price × kWh plus the network-use fee × kWh, which goes to the network operator. So, summed
 * over a run, what buyers pay equals what sellers receive plus the fees.
 *
 * **Congestion.** Trades settle at the agents' marginal prices, which do not see the network;
 * where a voltage or flow limit binds, an injection at a bus is worth its nodal price λ_bus,
 * which differs from the utility's price ρ_utility by the limits' shadow prices (prices.ts).
 * The network operator settles that difference with each agent, as in a nodal market: the
 * congestion charge (ρ_utility − λ_bus) × P × Δt — an agent whose injection relieves a binding
 * limit is credited, one that loads it is charged. Without it a prosumer that relieves a limit
 * would be paid less than its marginal cost. The operator's revenue is fees + congestion charges.
 *
 * Per agent and step:
 *
 *   total cost = bid cost + payments + fees + congestion charge + imbalance cost − revenues + preference cost
 *
 * (the imbalance cost only in simulations: a realised injection that differs from the planned
 * one is bought from or sold to the utility at its marginal price)
 *
 * with the bid cost C(P)·Δt of a prosumer (its costBid) and, for the utility, its tariff's
 * valuation of its net injection P_u (sellPerKwh × kWh it supplies − buyPerKwh × kWh it takes):
 * the utility's own valuation of the energy, as a prosumer's bid is its own. The preference cost
 * is the buyer's own valuation of where its energy comes from (not money).
 *
 * **Social welfare** = −(Σ bid costs + Σ preference costs): payments cancel between agents and
 * fees and congestion charges go to the network operator, so it is Σ of the agents' surplus plus
 * the operator's revenue.
 *
 * **Value of trading**: the same scenario cleared with every prosumer trading only with the
 * utility (market.tradeGraph "utility", no preferences, no fees), each trade billed at the
 * tariff — a prosumer buys at sellPerKwh and sells at buyPerKwh, and the utility keeps the
 * margin between what it sells and buys in the same step. Its settlement is computed by the same
 * rules; an agent's gain = its baseline total cost − its total cost in the P2P market, and an
 * agent with a negative gain is worse off trading peer to peer.
 */
import type { Scenario } from '../scenario/validate.ts';
import { UTILITY_ID } from '../scenario/validate.ts';
import type { ClearingResult, SettlementSummary, StepResult } from './result.ts';
import { report } from './report.ts';

/** An agent's money and energy over a step (SettlementRow) or the run (AgentTotals); money in currency. */
interface Accounts {
  agent: string;
  boughtKwh: number;
  soldKwh: number;
  /** Paid to sellers at the trade prices. */
  payments: number;
  /** Received from buyers at the trade prices. */
  revenues: number;
  /** Network-use fees paid on energy bought. */
  fees: number;
  /** (ρ_utility − λ_bus)·P·Δt, paid to the network operator (negative: a credit). */
  congestionCharge: number;
  /**
   * Simulations: what an agent pays the utility for its imbalance (realised − planned net
   * injection) at the utility's marginal price, −imbalance·Δt·ρ_utility; the utility's row
   * holds the opposite sum. 0 in a clearing.
   */
  imbalanceCost: number;
  preferenceCost: number;
  bidCost: number;
  totalCost: number;
  /** Without peer trades (value of trading); null without a baseline. */
  baselineCost: number | null;
  /** baselineCost − totalCost; null without a baseline. */
  gain: number | null;
}

/** The quantities that add up over steps. */
const SUMMED = ['boughtKwh', 'soldKwh', 'payments', 'revenues', 'fees', 'congestionCharge', 'imbalanceCost', 'preferenceCost', 'bidCost', 'totalCost'] as const;

const emptyAccounts = (agent: string): Accounts => ({
  agent, boughtKwh: 0, soldKwh: 0, payments: 0, revenues: 0, fees: 0, congestionCharge: 0, imbalanceCost: 0, preferenceCost: 0, bidCost: 0, totalCost: 0,
  baselineCost: null, gain: null,
});

export interface SettlementRow extends Accounts {
  t: number;
}

export interface AgentTotals extends Accounts {
  /** Worse off with peer trades than without (gain below −1e-6 of the costs). */
  worseOff: boolean;
}

export interface Settlement {
  rows: SettlementRow[];
  agents: AgentTotals[];
  /** −(Σ bid costs + Σ preference costs), over the run. */
  socialWelfare: number;
  /** Σ of the network-use fees. */
  feesCollected: number;
  /** Σ of the congestion charges (the network operator's congestion revenue; negative: it pays). */
  congestionCollected: number;
  /** Some trade has no price (a backend without duals, javascript-lp-solver): those settle at 0. */
  unpriced: boolean;
  /** The baseline without peer trades, or why there is none. */
  baseline: { status: string; objective: number | null; socialWelfare: number | null } | { status: 'none'; reason: string };
}

/** The cost of a prosumer's bid, or of the utility's tariff, for a step's net injection P (kW). */
function bidCostOf(scenario: Scenario, agent: string, t: number, injectionKw: number): number {
  const dt = scenario.stepHours;
  if (agent === UTILITY_ID) {
    const tariff = scenario.utility.tariff;
    if (!tariff) return 0;
    return dt * (injectionKw > 0 ? tariff.sellPerKwh[t]! * injectionKw : tariff.buyPerKwh[t]! * injectionKw);
  }
  const bid = scenario.prosumers.find((p) => p.id === agent)?.costBid;
  return bid ? dt * (0.5 * bid.quadraticPerKw2h * injectionKw ** 2 + bid.linearPerKwh * injectionKw) : 0;
}

/**
 * A step to settle: a clearing's, or a simulation's realised one — whose agents carry their
 * imbalance (realised − planned net injection), its trades being the contracts the window cleared.
 */
export type SettledStep = Omit<StepResult, 'agents'> & { agents: (StepResult['agents'][number] & { imbalanceKw?: number })[] };

/** Per kW of the agent's injection over one hour: ρ_utility − λ of its bus (0 without prices). */
function congestionCharge(step: SettledStep, agent: string, injectionKw: number): number {
  if (agent === UTILITY_ID || step.utilityPricePerKwh == null) return 0;
  const bus = step.agents.find((a) => a.id === agent)?.bus;
  const nodal = step.buses.find((b) => b.id === bus)?.nodalPricePerKwh;
  return nodal == null ? 0 : (step.utilityPricePerKwh - nodal) * injectionKw;
}

function agentInjections(step: Pick<SettledStep, 'agents' | 'utilityReceiptKw'>): Map<string, number> {
  return new Map([[UTILITY_ID, -step.utilityReceiptKw], ...step.agents.map((a): [string, number] => [a.id, a.netInjectionKw])]);
}

/**
 * Per agent and step, at the trade prices (a result without prices settles at 0). `congestion`:
 * settle the congestion charges (not in the baseline, which bills the tariff alone).
 */
export function settleSteps(scenario: Scenario, result: { steps: readonly SettledStep[] }, congestion = true): SettlementRow[] {
  const dt = scenario.stepHours;
  const rows: SettlementRow[] = [];
  for (const step of result.steps) {
    const byAgent = new Map<string, SettlementRow>();
    for (const [agent, injectionKw] of agentInjections(step)) {
      byAgent.set(agent, {
        ...emptyAccounts(agent),
        t: step.t,
        congestionCharge: congestion ? congestionCharge(step, agent, injectionKw) * dt : 0,
        bidCost: bidCostOf(scenario, agent, step.t, injectionKw),
      });
    }
    for (const trade of step.trades) {
      const kwh = trade.kw * dt;
      // The pool (market.tradeGraph "pool") passes energy on: it is settled like any agent.
      for (const agent of [trade.from, trade.to]) if (!byAgent.has(agent)) byAgent.set(agent, { ...emptyAccounts(agent), t: step.t });
      const s = byAgent.get(trade.from)!;
      const b = byAgent.get(trade.to)!;
      s.soldKwh += kwh;
      s.revenues += (trade.price ?? 0) * kwh;
      b.boughtKwh += kwh;
      b.payments += (trade.price ?? 0) * kwh;
      b.fees += trade.feePerKwh * kwh;
      b.preferenceCost += trade.preferencePerKwh * kwh;
    }
    // Imbalances are bought from or sold to the utility at its marginal price.
    const rhoUtility = step.utilityPricePerKwh ?? 0;
    for (const a of step.agents) {
      if (!a.imbalanceKw) continue;
      const kwh = a.imbalanceKw * dt;
      byAgent.get(a.id)!.imbalanceCost -= kwh * rhoUtility;
      byAgent.get(UTILITY_ID)!.imbalanceCost += kwh * rhoUtility;
    }
    for (const row of byAgent.values()) {
      row.totalCost = row.bidCost + row.payments + row.fees + row.congestionCharge + row.imbalanceCost - row.revenues + row.preferenceCost;
      rows.push(row);
    }
  }
  return rows;
}

/** A settlement without its per-step rows (they go to settlement.csv): what result.json holds. */
export function settlementSummary({ rows: _rows, ...summary }: Settlement): SettlementSummary {
  return summary;
}

/** The same scenario without peer trades: every prosumer trades with the utility only. */
export function baselineScenario(scenario: Scenario): Scenario {
  const { networkFee: _fee, ...market } = scenario.market;
  return { ...scenario, name: `${scenario.name}-baseline`, market: { ...market, tradeGraph: 'utility', pairPreferences: [], clearing: 'central' } };
}

const round = (v: number) => report(v);

/**
 * Settles a cleared market; with `baseline` (the clearing of baselineScenario), compares each
 * agent with it. Without a tariff there is no baseline to compare with.
 */
export function settle(scenario: Scenario, result: { steps: readonly SettledStep[] }, baseline?: ClearingResult): Settlement {
  const rows = settleSteps(scenario, result);
  // The baseline settles by the same rules: its trades with the utility are priced at the tariff.
  const baseRows = baseline?.status === 'optimal' && scenario.utility.tariff ? settleSteps(baselineScenario(scenario), baseline, false) : undefined;
  const base = baseRows ? new Map(baseRows.map((r) => [`${r.t}\u0000${r.agent}`, r.totalCost])) : undefined;
  if (base) {
    for (const row of rows) {
      const cost = base.get(`${row.t}\u0000${row.agent}`) ?? 0;
      row.baselineCost = cost;
      row.gain = cost - row.totalCost;
    }
  }
  const totals = new Map<string, AgentTotals>();
  for (const row of rows) {
    let total = totals.get(row.agent);
    if (!total) {
      total = { ...emptyAccounts(row.agent), baselineCost: base ? 0 : null, gain: base ? 0 : null, worseOff: false };
      totals.set(row.agent, total);
    }
    for (const key of SUMMED) total[key] += row[key];
    if (base) {
      total.baselineCost! += row.baselineCost!;
      total.gain! += row.gain!;
    }
  }
  const agents = [...totals.values()];
  for (const a of agents) {
    a.worseOff = a.gain !== null && a.gain < -1e-6 * (1 + Math.abs(a.baselineCost ?? 0) + Math.abs(a.totalCost));
  }
  const feesCollected = rows.reduce((s, r) => s + r.fees, 0);
  const congestionCollected = rows.reduce((s, r) => s + r.congestionCharge, 0);
  const welfareOf = (of: readonly SettlementRow[]) => -of.reduce((s, r) => s + r.bidCost + r.preferenceCost, 0);
  const socialWelfare = welfareOf(rows);
  const baselineWelfare = baseRows ? welfareOf(baseRows) : null;
  const roundRow = <T extends object>(row: T): T =>
    Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'number' ? round(v) : v])) as T;
  return {
    rows: rows.map(roundRow),
    agents: agents.map(roundRow),
    socialWelfare: round(socialWelfare),
    feesCollected: round(feesCollected),
    congestionCollected: round(congestionCollected),
    unpriced: result.steps.some((step) => step.trades.some((trade) => trade.price === null)),
    baseline: baseline
      ? { status: baseline.status, objective: baseline.objective, socialWelfare: baselineWelfare === null ? null : round(baselineWelfare) }
      : {
          status: 'none',
          reason: scenario.utility.tariff
            ? 'not computed (clear computes it unless --no-baseline; simulate does not)'
            : 'the scenario has no utility.tariff to trade at',
        },
  };
}
