/**
 * A negotiated clearing (market.clearing "admm"): the central optimum first (it is the proof),
 * then the negotiation between the agents (negotiation.ts), the feasibility restoration of its
 * answer (restore.ts), and a clearing result of the central result's shape — steps, trades,
 * prices — with `negotiation` added: iterations, messages, residuals, ρ, the central optimum's
 * objective and prices, and the gaps.
 *
 * Status: `optimal` only when the negotiation converged (its residuals within their tolerances)
 * and the restored dispatch breaks no limit; `not_converged` when it reached its iteration limit
 * (the restored last iterate is reported, with its residuals); the central status when the
 * central clearing found no optimum (nothing to negotiate towards: the market cannot be cleared).
 */
import { networkState, report } from '../market/report.ts';
import type { ClearingResult, ObjectiveTerms, StepResult, TradeRecord } from '../market/result.ts';
import { stepStartHour, type Scenario } from '../scenario/validate.ts';
import type { PairState } from './algorithm.ts';
import { Negotiation, type NegotiationOutcome, type NegotiationStart } from './negotiation.ts';
import { NetworkOperator } from './operator.ts';
import { DEFAULT_ADMM, type AdmmSettings } from './options.ts';
import { restore, type Restored } from './restore.ts';
import { thin, type NegotiationGaps, type NegotiationIteration, type NegotiationReport, type PairTrace } from './result.ts';
import { assertNegotiable, negotiationSetup, type NegotiationSetup } from './setup.ts';

export interface NegotiatedClearingOptions {
  file?: string;
  /** The previous window's final state (simulations): prices and trades shifted by `shiftSteps`. */
  warmStart?: WarmStart;
}

/** What a negotiation leaves for the next window's to start from. */
export interface WarmStart {
  rho: number;
  agents: string[];
  pairs: { i: number; j: number }[];
  state: PairState[];
  networkCharge: Float64Array[];
  networkKw: Float64Array[];
  /** Steps the next window starts later than this one. */
  shiftSteps: number;
}

/** The central clearing of the same scenario, as the caller runs it. */
export type CentralClearing = (scenario: Scenario) => ClearingResult;

export function negotiatedClearing(scenario: Scenario, central: CentralClearing, options: NegotiatedClearingOptions = {}): ClearingResult & { warmStart?: WarmStart } {
  const started = performance.now();
  const file = options.file ?? `scenario "${scenario.name}"`;
  assertNegotiable(scenario, file);
  const settings: AdmmSettings = scenario.market.admm ?? DEFAULT_ADMM;
  const optimum = central({ ...scenario, market: { ...scenario.market, clearing: 'central' } });
  if (optimum.status !== 'optimal') return optimum;

  const setup = negotiationSetup(scenario);
  const network = new NetworkOperator(setup.feeder, scenario, setup.metered.map((a) => setup.agentBus[a]!));
  const warm = settings.warmStart ? options.warmStart : undefined;
  const start = startingPoint(setup, settings, warm);
  const centralObjective = optimum.objective!;
  const trace = tracedPair(setup, scenario, optimum);
  const history: NegotiationIteration[] = [];
  const negotiation = new Negotiation(setup, settings, network, start, (record, n) => {
    history.push({ ...record, objectiveGap: (iterateObjective(setup, scenario, n) - centralObjective) / Math.max(1, Math.abs(centralObjective)) });
    if (trace) {
      const state = n.peers[setup.pairs[trace.pair]!.i]!.pairState.get(trace.pair)!;
      const dt = setup.stepHours;
      trace.trace.rows.push({ iteration: record.iteration, fromPricePerKwh: -state.yI[trace.t]! / dt, toPricePerKwh: -state.yJ[trace.t]! / dt, kw: state.z[trace.t]! });
    }
  });
  const wallStarted = performance.now();
  const outcome = negotiation.run();
  const wallMs = performance.now() - wallStarted;
  const restored = restore(setup, scenario, network, outcome);
  const steps = assembleSteps(scenario, setup, restored, outcome);
  const terms = objectiveTerms(scenario, setup, restored);
  const objective = terms.requestTracking + terms.tradeVolume + terms.costBids + terms.utilityEnergy + terms.preferences + terms.networkFees;
  const feasible = restored.flowViolationKw <= 1e-6 && restored.voltageViolationPu <= 1e-7;
  const last = outcome.history[outcome.history.length - 1];
  const negotiationReport: NegotiationReport = {
    method: 'admm',
    mode: settings.mode,
    converged: outcome.converged,
    iterations: outcome.iterations,
    messages: outcome.messages,
    virtualTimeMs: outcome.timeMs,
    wallMs,
    residuals: {
      primalKw: outcome.residuals.primalKw,
      dualPerKwh: outcome.residuals.dualPerKwh,
      primalToleranceKw: last?.primalToleranceKw ?? 0,
      dualTolerancePerKwh: last?.dualTolerancePerKwh ?? 0,
    },
    rho: { initial: start.rho, final: outcome.rho },
    volumePricePerKwh: outcome.volumePrice / setup.stepHours,
    settledPairs: outcome.settledPairs,
    pairs: setup.pairs.length,
    warmStart: warm !== undefined,
    restoration: { rounds: restored.rounds, maxAdjustmentKw: restored.maxAdjustmentKw, flowViolationKw: restored.flowViolationKw, voltageViolationPu: restored.voltageViolationPu },
    central: centralSummary(optimum),
    gaps: null,
    history: thin(history),
    pairTrace: trace ? { ...trace.trace, rows: thin(trace.trace.rows) } : null,
  };
  const result: ClearingResult = {
    scenario: scenario.name,
    status: outcome.converged && feasible ? 'optimal' : 'not_converged',
    objective,
    objectiveTerms: terms,
    solveMs: performance.now() - started,
    solver: {
      backend: 'admm',
      columns: setup.pairs.length * 2 * setup.steps,
      rows: 0,
      iterations: outcome.iterations,
      maxViolation: Math.max(restored.flowViolationKw, restored.voltageViolationPu),
      worstConstraint: restored.worstConstraint,
      tieBreak: 'off (negotiated)',
    },
    steps,
    ...(outcome.converged ? {} : { diagnosis: { message: `the negotiation did not converge within ${settings.maxIterations} iterations: primal residual ${outcome.residuals.primalKw.toExponential(2)} kW (tolerance ${negotiationReport.residuals.primalToleranceKw.toExponential(2)}), dual residual ${outcome.residuals.dualPerKwh.toExponential(2)} per kWh (tolerance ${negotiationReport.residuals.dualTolerancePerKwh.toExponential(2)})`, conflicts: [] } }),
    ...(optimum.prices ? { prices: { ...optimum.prices, uniqueness: 'negotiated (see negotiation.central for the central prices\' uniqueness)', nonUnique: [] } } : {}),
    negotiation: negotiationReport,
  };
  negotiationReport.gaps = gaps(scenario, setup, result, optimum);
  return {
    ...result,
    warmStart: { rho: outcome.rho, agents: setup.agents, pairs: setup.pairs, state: outcome.pairs, networkCharge: outcome.networkCharge, networkKw: outcome.networkKw, shiftSteps: 1 },
  };
}

function startingPoint(setup: NegotiationSetup, settings: AdmmSettings, warm: WarmStart | undefined): NegotiationStart {
  const T = setup.steps;
  const zeros = () => new Float64Array(T);
  const start: NegotiationStart = {
    rho: settings.rho,
    pairs: setup.pairs.map(() => ({ z: zeros(), yI: zeros(), yJ: zeros() })),
    networkKw: setup.metered.map(() => zeros()),
    networkCharge: setup.metered.map(() => zeros()),
  };
  if (!warm) return start;
  // The same agents and pairs: shift the previous window's prices and trades by its start's
  // difference, repeating its last step at the end. ρ starts afresh (residual balancing finds it
  // again; carrying it over was no faster).
  const shift = (from: Float64Array | undefined): Float64Array => {
    const out = zeros();
    if (!from || from.length === 0) return out;
    for (let t = 0; t < T; t++) out[t] = from[Math.min(t + warm.shiftSteps, from.length - 1)]!;
    return out;
  };
  const sameAgents = warm.agents.length === setup.agents.length && warm.agents.every((a, k) => a === setup.agents[k]);
  if (!sameAgents || warm.pairs.length !== setup.pairs.length) return start;
  start.pairs = warm.state.map((s) => ({ z: shift(s.z), yI: shift(s.yI), yJ: shift(s.yJ) }));
  if (warm.networkCharge.length === setup.metered.length) {
    start.networkCharge = warm.networkCharge.map(shift);
    start.networkKw = warm.networkKw.map(shift);
  }
  return start;
}

/** The objective of the agents' current proposals and consensus trades (the observer's gap). */
function iterateObjective(setup: NegotiationSetup, scenario: Scenario, n: Negotiation): number {
  const injection = n.peers.map((p) => p.injectionKw);
  const trades = setup.pairs.map((pair, k) => n.peers[pair.i]!.pairState.get(k)!.z);
  return objectiveOf(scenario, setup, injection, trades);
}

function objectiveOf(scenario: Scenario, setup: NegotiationSetup, injection: ArrayLike<number>[], trades: ArrayLike<number>[]): number {
  const t = objectiveTermsOf(scenario, setup, injection, trades);
  return t.requestTracking + t.tradeVolume + t.costBids + t.utilityEnergy + t.preferences + t.networkFees;
}

function objectiveTermsOf(scenario: Scenario, setup: NegotiationSetup, injection: ArrayLike<number>[], trades: ArrayLike<number>[]): ObjectiveTerms {
  const dt = setup.stepHours;
  const terms: ObjectiveTerms = { requestTracking: 0, tradeVolume: 0, costBids: 0, utilityEnergy: 0, preferences: 0, networkFees: 0, tieBreak: 0 };
  const { utility } = scenario;
  let volume = 0;
  for (let t = 0; t < setup.steps; t++) {
    const Pu = injection[0]![t]!;
    terms.requestTracking += (utility.priority[t]! * (-Pu - utility.targetKw[t]!)) ** 2;
    if (utility.tariff) terms.utilityEnergy += dt * (Pu > 0 ? utility.tariff.sellPerKwh[t]! : utility.tariff.buyPerKwh[t]!) * Pu;
    setup.peers.forEach((peer, a) => {
      if (peer.kind !== 'prosumer') return;
      const P = injection[a]![t]!;
      terms.costBids += dt * (0.5 * peer.bidA * P * P + peer.bidB * P);
    });
    setup.pairs.forEach(({ i, j }, k) => {
      const z = trades[k]![t]!;
      volume += Math.abs(z);
      // The buyer bears the fee and its preference: j when z > 0 (i sells to j).
      const buyerSide = z > 0 ? setup.sides[j]!.find((s) => s.pair === k)! : setup.sides[i]!.find((s) => s.pair === k)!;
      const fee = buyerFee(scenario, setup, k);
      terms.networkFees += dt * fee * Math.abs(z);
      terms.preferences += dt * (buyerSide.buyerCostPerKwh - fee) * Math.abs(z);
    });
  }
  terms.tradeVolume = setup.volumeWeight * volume * volume;
  return terms;
}

const feeCache = new WeakMap<NegotiationSetup, number[]>();
/** The network fee of pair k, per kWh (the part of a buyer's cost that is money to the operator). */
function buyerFee(scenario: Scenario, setup: NegotiationSetup, k: number): number {
  let fees = feeCache.get(setup);
  if (!fees) {
    const fee = scenario.market.networkFee;
    fees = setup.pairs.map(({ i, j }) => {
      if (!fee) return 0;
      const [a, b] = [setup.agentBus[i]!, setup.agentBus[j]!];
      return fee.perKwh + (fee.perKwhPerOhm > 0 ? fee.perKwhPerOhm * setup.feeder.electricalDistanceOhm(a, b) : 0);
    });
    feeCache.set(setup, fees);
  }
  return fees[k]!;
}

function objectiveTerms(scenario: Scenario, setup: NegotiationSetup, restored: Restored): ObjectiveTerms {
  return objectiveTermsOf(scenario, setup, restored.injectionKw, restored.tradeKw);
}

function assembleSteps(scenario: Scenario, setup: NegotiationSetup, restored: Restored, outcome: NegotiationOutcome): StepResult[] {
  const { steps: T, stepHours: dt, prosumers, utility } = scenario;
  const { feeder } = setup;
  const A = setup.agents.length;
  // An agent's marginal price: the mean of its sides' prices (equal at convergence), per kWh.
  const priceOf = (a: number, t: number): number => {
    const sides = setup.sides[a]!;
    if (sides.length === 0) return 0;
    let sum = 0;
    for (const side of sides) {
      const s = outcome.pairs[side.pair]!;
      sum += -(side.sign === 1 ? s.yI[t]! : s.yJ[t]!) / dt;
    }
    return sum / sides.length;
  };
  const steps: StepResult[] = [];
  for (let t = 0; t < T; t++) {
    const P = Array.from({ length: A }, (_, a) => restored.injectionKw[a]![t]!);
    const state = networkState(feeder, prosumers, P.slice(1), t);
    const rho = Array.from({ length: A }, (_, a) => priceOf(a, t));
    const trades: TradeRecord[] = [];
    setup.pairs.forEach(({ i, j }, k) => {
      const z = restored.tradeKw[k]![t]!;
      if (report(Math.abs(z)) === 0) return;
      const [from, to] = z > 0 ? [i, j] : [j, i];
      const s = outcome.pairs[k]!;
      const sellerPrice = -(from === i ? s.yI[t]! : s.yJ[t]!) / dt;
      const buyerSide = setup.sides[to]!.find((side) => side.pair === k)!;
      const fee = buyerFee(scenario, setup, k);
      trades.push({ from: setup.agents[from]!, to: setup.agents[to]!, kw: report(Math.abs(z)), price: report(sellerPrice), feePerKwh: report(fee), preferencePerKwh: report(buyerSide.buyerCostPerKwh - fee) });
    });
    const charge = outcome.busCharge[t]!;
    steps.push({
      t,
      startHour: stepStartHour(scenario, t),
      hours: dt,
      utilityReceiptKw: report(-P[0]!),
      utilityTargetKw: utility.targetKw[t]!,
      utilityPriority: utility.priority[t]!,
      utilityPricePerKwh: report(rho[0]!),
      agents: prosumers.map((p, k) => {
        const a = k + 1;
        const battery = restored.batteryKw[a]!;
        return {
          id: p.id,
          bus: p.bus,
          scheduleKw: p.scheduleKw[t]!,
          netInjectionKw: report(P[a]!),
          batteryKw: p.battery ? report(battery[t]!) : 0,
          socStartKwh: p.battery ? report(restored.socKwh[a]![t]!) : null,
          socEndKwh: p.battery ? report(restored.socKwh[a]![t + 1]!) : null,
          voltagePu: state.voltagePu[setup.agentBus[a]!]!,
          marginalPricePerKwh: report(rho[a]!),
        };
      }),
      trades,
      // The nodal price: the utility's price less the operator's charge at the bus.
      buses: state.buses.map((bus, b) => ({ ...bus, nodalPricePerKwh: report(rho[0]! - charge[feeder.fileOrder[b]!]! / dt) })),
      lines: state.lines,
    });
  }
  return steps;
}

function centralSummary(optimum: ClearingResult): NegotiationReport['central'] {
  const t = optimum.objectiveTerms!;
  return {
    status: optimum.status,
    objective: optimum.objective,
    welfare: -(t.costBids + t.utilityEnergy + t.preferences),
    solveMs: optimum.solveMs,
    uniqueness: optimum.prices?.uniqueness ?? null,
    agentPricePerKwh: optimum.steps.map((s) => [s.utilityPricePerKwh, ...s.agents.map((a) => a.marginalPricePerKwh)]),
    nodalPricePerKwh: optimum.steps.map((s) => s.buses.map((b) => b.nodalPricePerKwh ?? null)),
  };
}

/** Distance of `value` from the central price or, where that is not unique, from its range. */
function priceDistance(value: number, central: number | null, range: { min: number; max: number } | undefined): number {
  if (range) return Math.max(0, range.min - value, value - range.max);
  return central === null ? 0 : Math.abs(value - central);
}

function gaps(scenario: Scenario, setup: NegotiationSetup, result: ClearingResult, optimum: ClearingResult): NegotiationGaps {
  const ranges = new Map((optimum.prices?.nonUnique ?? []).map((r) => [`${r.t}|${r.kind}|${r.id}`, r]));
  const agentRange = (t: number, id: string) => ranges.get(`${t}|agent|${id}`);
  let trade = 0;
  let agent = 0;
  let nodal = 0;
  result.steps.forEach((step, t) => {
    const central = optimum.steps[t]!;
    const centralPrice = new Map<string, number | null>([['utility', central.utilityPricePerKwh], ...central.agents.map((a): [string, number | null] => [a.id, a.marginalPricePerKwh])]);
    agent = Math.max(agent, priceDistance(step.utilityPricePerKwh!, central.utilityPricePerKwh, agentRange(t, 'utility')));
    step.agents.forEach((a) => (agent = Math.max(agent, priceDistance(a.marginalPricePerKwh!, centralPrice.get(a.id) ?? null, agentRange(t, a.id)))));
    for (const tr of step.trades) trade = Math.max(trade, priceDistance(tr.price!, centralPrice.get(tr.from) ?? null, agentRange(t, tr.from)));
    step.buses.forEach((b, k) => (nodal = Math.max(nodal, priceDistance(b.nodalPricePerKwh!, central.buses[k]!.nodalPricePerKwh ?? null, ranges.get(`${t}|bus|${b.id}`)))));
  });
  const welfare = (terms: ObjectiveTerms) => -(terms.costBids + terms.utilityEnergy + terms.preferences);
  const centralWelfare = welfare(optimum.objectiveTerms!);
  return {
    objectiveRelative: Math.abs(result.objective! - optimum.objective!) / Math.max(1, Math.abs(optimum.objective!)),
    welfareRelative: Math.abs(welfare(result.objectiveTerms!) - centralWelfare) / Math.max(1, Math.abs(centralWelfare)),
    maxTradePricePerKwh: trade,
    maxAgentPricePerKwh: agent,
    maxNodalPricePerKwh: nodal,
  };
}

/** The pair whose prices negotiation.csv's companion traces: the scenario's choice, else the central's largest trade. */
function tracedPair(setup: NegotiationSetup, scenario: Scenario, optimum: ClearingResult): { pair: number; t: number; trace: PairTrace } | undefined {
  const wanted = scenario.market.admm?.tracePair;
  let best: { pair: number; t: number; kw: number } | undefined;
  const index = new Map(setup.agents.map((a, k) => [a, k]));
  const pairOf = (x: string, y: string) => {
    const [a, b] = [index.get(x)!, index.get(y)!];
    return setup.pairs.findIndex((p) => p.i === Math.min(a, b) && p.j === Math.max(a, b));
  };
  optimum.steps.forEach((step, t) => {
    for (const tr of step.trades) {
      const k = pairOf(tr.from, tr.to);
      if (k < 0) continue;
      if (wanted && k !== pairOf(wanted[0], wanted[1])) continue;
      if (!best || tr.kw > best.kw) best = { pair: k, t, kw: tr.kw };
    }
  });
  if (!best && wanted) {
    const k = pairOf(wanted[0], wanted[1]);
    if (k >= 0) best = { pair: k, t: 0, kw: 0 };
  }
  if (!best) return undefined;
  const { i, j } = setup.pairs[best.pair]!;
  const centralTrade = optimum.steps[best.t]!.trades.find((tr) => pairOf(tr.from, tr.to) === best!.pair);
  const sellerPrice = centralTrade ? (centralTrade.from === setup.agents[i] ? optimum.steps[best.t]!.utilityPricePerKwh : null) : null;
  const centralPrice = centralTrade?.price ?? sellerPrice;
  return { pair: best.pair, t: best.t, trace: { from: setup.agents[i]!, to: setup.agents[j]!, t: best.t, centralPricePerKwh: centralPrice ?? null, rows: [] } };
}

