/**
 * Who pays whom: the settlement of a cleared market, and the value of trading.
 *
 * Every trade settles at its price (prices.ts): the seller receives price × kWh, the buyer pays
 * price × kWh plus the network-use fee × kWh, which goes to the network operator. So, summed
 * over a run, what buyers pay equals what sellers receive plus the fees. Per agent and step:
 *
 *   total cost = bid cost + payments + fees − revenues + preference cost
 *
 * with the bid cost C(P)·Δt of a prosumer (its costBid) and, for the utility, its tariff
 * (sellPerKwh × kWh it supplies − buyPerKwh × kWh it takes): the utility's own valuation of the
 * energy, as a prosumer's bid is its own. The preference cost is the buyer's own valuation of
 * where its energy comes from (not money).
 *
 * **Social welfare** = −(Σ bid costs + Σ preference costs): payments cancel between agents and
 * fees are a transfer to the network operator, so it is Σ of the agents' surplus plus the fees.
 *
 * **Value of trading**: the same scenario cleared with every prosumer trading only with the
 * utility (market.tradeGraph "utility", no preferences, no fees), each settling at the tariff —
 * buying at sellPerKwh, selling at buyPerKwh. An agent's gain = its baseline total cost − its
 * total cost in the P2P market; an agent with a negative gain is worse off trading peer to peer.
 */
import type { Scenario } from '../scenario/validate.ts';
import { UTILITY_ID } from '../scenario/validate.ts';
import type { ClearingResult, StepResult } from './result.ts';
import { report } from './report.ts';

export interface SettlementRow {
  t: number;
  agent: string;
  boughtKwh: number;
  soldKwh: number;
  /** Paid to sellers at the trade prices. */
  payments: number;
  /** Received from buyers at the trade prices. */
  revenues: number;
  /** Network-use fees paid on energy bought. */
  fees: number;
  preferenceCost: number;
  bidCost: number;
  totalCost: number;
  /** Without peer trades (value of trading); null without a baseline. */
  baselineCost: number | null;
  /** baselineCost − totalCost; null without a baseline. */
  gain: number | null;
}

export interface AgentTotals {
  agent: string;
  boughtKwh: number;
  soldKwh: number;
  payments: number;
  revenues: number;
  fees: number;
  preferenceCost: number;
  bidCost: number;
  totalCost: number;
  baselineCost: number | null;
  gain: number | null;
  /** Worse off with peer trades than without (gain below −1e-6 of the costs). */
  worseOff: boolean;
}

export interface Settlement {
  rows: SettlementRow[];
  agents: AgentTotals[];
  /** −(Σ bid costs + Σ preference costs), over the run. */
  socialWelfare: number;
  /** Σ of the network-use fees: the network operator's revenue. */
  feesCollected: number;
  /** Σ payments + fees − Σ revenues − fees collected: 0 up to rounding (a check). */
  imbalance: number;
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

function agentInjections(step: Pick<StepResult, 'agents' | 'utilityReceiptKw'>): Map<string, number> {
  return new Map([[UTILITY_ID, -step.utilityReceiptKw], ...step.agents.map((a): [string, number] => [a.id, a.netInjectionKw])]);
}

/** Per agent and step, at the trade prices (a result without prices settles at 0). */
export function settleSteps(scenario: Scenario, result: ClearingResult): SettlementRow[] {
  const dt = scenario.stepHours;
  const rows: SettlementRow[] = [];
  for (const step of result.steps) {
    const byAgent = new Map<string, SettlementRow>();
    for (const [agent, injectionKw] of agentInjections(step)) {
      byAgent.set(agent, {
        t: step.t, agent, boughtKwh: 0, soldKwh: 0, payments: 0, revenues: 0, fees: 0, preferenceCost: 0,
        bidCost: bidCostOf(scenario, agent, step.t, injectionKw), totalCost: 0, baselineCost: null, gain: null,
      });
    }
    for (const trade of step.trades) {
      const kwh = trade.kw * dt;
      const seller = byAgent.get(trade.from);
      const buyer = byAgent.get(trade.to);
      // The pool (market.tradeGraph "pool") passes energy on: it is settled like any agent.
      for (const [agent, row] of [[trade.from, seller], [trade.to, buyer]] as const) {
        if (!row) byAgent.set(agent, { t: step.t, agent, boughtKwh: 0, soldKwh: 0, payments: 0, revenues: 0, fees: 0, preferenceCost: 0, bidCost: 0, totalCost: 0, baselineCost: null, gain: null });
      }
      const s = byAgent.get(trade.from)!;
      const b = byAgent.get(trade.to)!;
      s.soldKwh += kwh;
      s.revenues += (trade.price ?? 0) * kwh;
      b.boughtKwh += kwh;
      b.payments += (trade.price ?? 0) * kwh;
      b.fees += trade.feePerKwh * kwh;
      b.preferenceCost += trade.preferencePerKwh * kwh;
    }
    for (const row of byAgent.values()) {
      row.totalCost = row.bidCost + row.payments + row.fees - row.revenues + row.preferenceCost;
      rows.push(row);
    }
  }
  return rows;
}

/** The baseline's cost per agent and step: bid cost plus the tariff's bill. */
function baselineCosts(scenario: Scenario, baseline: ClearingResult): Map<string, number> {
  const costs = new Map<string, number>();
  const dt = scenario.stepHours;
  const tariff = scenario.utility.tariff!;
  for (const step of baseline.steps) {
    for (const [agent, injectionKw] of agentInjections(step)) {
      let cost = bidCostOf(scenario, agent, step.t, injectionKw);
      // A prosumer buys from the utility at its sell price and sells to it at its buy price; the
      // utility's bill is the mirror image, which exactly offsets its tariff valuation.
      const kwh = injectionKw * dt;
      const bill = kwh < 0 ? -kwh * tariff.sellPerKwh[step.t]! : -kwh * tariff.buyPerKwh[step.t]!;
      if (agent !== UTILITY_ID) cost += bill;
      else cost = 0;
      costs.set(`${step.t}\u0000${agent}`, cost);
    }
  }
  return costs;
}

/** The same scenario without peer trades: every prosumer trades with the utility only. */
export function baselineScenario(scenario: Scenario): Scenario {
  const { networkFee: _fee, ...market } = scenario.market;
  return { ...scenario, name: `${scenario.name}-baseline`, market: { ...market, tradeGraph: 'utility', pairPreferences: [] } };
}

const round = (v: number) => report(v);

/**
 * Settles a cleared market; with `baseline` (the clearing of baselineScenario), compares each
 * agent with it. Without a tariff there is no baseline to compare with.
 */
export function settle(scenario: Scenario, result: ClearingResult, baseline?: ClearingResult): Settlement {
  const rows = settleSteps(scenario, result);
  const base = baseline?.status === 'optimal' && scenario.utility.tariff ? baselineCosts(scenario, baseline) : undefined;
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
      total = { agent: row.agent, boughtKwh: 0, soldKwh: 0, payments: 0, revenues: 0, fees: 0, preferenceCost: 0, bidCost: 0, totalCost: 0, baselineCost: base ? 0 : null, gain: base ? 0 : null, worseOff: false };
      totals.set(row.agent, total);
    }
    for (const key of ['boughtKwh', 'soldKwh', 'payments', 'revenues', 'fees', 'preferenceCost', 'bidCost', 'totalCost'] as const) total[key] += row[key];
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
  const socialWelfare = -rows.reduce((s, r) => s + r.bidCost + r.preferenceCost, 0);
  const imbalance = rows.reduce((s, r) => s + r.payments + r.fees - r.revenues, 0) - feesCollected;
  const baselineWelfare = base ? -[...base.values()].reduce((s, c) => s + c, 0) : null;
  const roundRow = <T extends object>(row: T): T =>
    Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'number' ? round(v) : v])) as T;
  return {
    rows: rows.map(roundRow),
    agents: agents.map(roundRow),
    socialWelfare: round(socialWelfare),
    feesCollected: round(feesCollected),
    imbalance,
    baseline: baseline
      ? { status: baseline.status, objective: baseline.objective, socialWelfare: baselineWelfare === null ? null : round(baselineWelfare) }
      : { status: 'none', reason: scenario.utility.tariff ? 'not computed' : 'the scenario has no utility.tariff to trade at' },
  };
}
