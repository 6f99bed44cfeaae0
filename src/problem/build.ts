/**
 * The market-clearing problem of formulation.md as a `LinearModel`.
 *
 * Agents: index 0 is the utility (at the slack bus), 1..n the prosumers in file order.
 * Columns per step t: one trade p[i,j,t] per unordered pair i<j, held as its two directed
 * parts, p[i,j,t] = d[i→j,t] − d[j→i,t] with both deliveries ≥ 0, so that reciprocity
 * p[j,i,t] = −p[i,j,t] holds by construction and the trade volume Σ|p| is the linear Σ d
 * (at an optimum with λ > 0 at most one direction of a pair is used); the net injection
 * P[i,t] of each agent, battery power b and energy e of each battery, and the objective's
 * auxiliaries.
 *
 * Rows: trade balance (Σ_j p[i,j,t] = P[i,t]; its dual gives the prices), schedule coupling
 * (P = s + b), battery dynamics, LinDistFlow voltage (19c) and line-flow (19d) limits, the
 * request deviation, and the total trade volume. Injection
 * limits (19b), battery power and energy limits are column bounds.
 */
import type { Feeder } from '../network/feeder.ts';
import { POOL_ID, UTILITY_ID, type Scenario } from '../scenario/validate.ts';
import { ModelBuilder, type Entry, type LinearModel } from './model.ts';
import { addNetworkRows, fixedConflicts as findFixedConflicts, linearFormOf, type FixedConflict, type LinearForm, type NetworkRow } from './network-rows.ts';
import { pairCosts, type PairCosts } from './pair-costs.ts';
import { tradePairs, type Pair } from './trade-graph.ts';
import { batteryPowerBoundsKw, injectionBoundsKw, isLossless } from '../network/battery.ts';

export type { FixedConflict, NetworkRow, Pair, PairCosts };

/** Where each domain variable lives in the model's column vector. */
export interface MarketIndex {
  /** The utility, the prosumers in file order, then the pool when market.tradeGraph is "pool". */
  agents: string[];
  /** Bus index (in the feeder) of each agent; −1 for the pool. */
  agentBus: number[];
  /** Agent index of the pool; undefined without one. */
  pool: number | undefined;
  /** How the network's LinDistFlow rows were built. */
  linearForm: LinearForm;
  pairs: Pair[];
  /** trade[t][pair] = [delivery i→j, delivery j→i] */
  trade: [number, number][][];
  /** The column S = Σ of every delivery; undefined when the trade-volume penalty is off. */
  totalTradeVolume: number | undefined;
  /** netInjection[t][agent] */
  netInjection: number[][];
  /** batteryPower[t][agent], -1 for agents without a battery. */
  batteryPower: number[][];
  /** batteryEnergy[t][agent] for t = 0..T, -1 for agents without a battery. */
  batteryEnergy: number[][];
  /** batteryFlow[t][agent]: the charge and discharge columns of a battery with losses; undefined otherwise. */
  batteryFlow: ({ charge: number; discharge: number } | undefined)[][];
  /** tradeBalance[t][agent]: the row whose dual is the agent's marginal value of energy. */
  tradeBalance: number[][];
  /** Request deviation columns of each step (one for L2, two for L1). */
  requestDeviation: { col: number; sign: 1 | -1 }[][];
  /** Per pair (as `pairs`): the per-kWh costs of its deliveries. */
  pairCosts: PairCosts[];
  /**
   * What every delivery costs per kWh when they all cost the same (then any minimum-volume plan
   * is optimal, and with 0 the trades are free); undefined when they differ, or when the tariff
   * is billed per trade.
   */
  deliveryCostPerKwh: number | undefined;
  /** Graph "utility" with a tariff: the tariff is in each prosumer's delivery costs (no utilityEnergy columns). */
  tariffPerTrade: boolean;
  /** With a tariff (and peer trades): the utility's sale and purchase columns of each step. */
  utilityEnergy: { sale: number; purchase: number }[] | undefined;
  /** networkRows[t]: the network rows of step t (for nodal prices). */
  networkRows: NetworkRow[][];
}

export interface MarketProblem {
  model: LinearModel;
  index: MarketIndex;
  fixedConflicts: FixedConflict[];
}

export function buildMarketProblem(scenario: Scenario, feeder: Feeder): MarketProblem {
  const { steps: T, stepHours: dt, market, prosumers, utility } = scenario;
  const mb = new ModelBuilder();
  const fixedConflicts: FixedConflict[] = [];
  const withPool = market.tradeGraph === 'pool';
  const agents = [UTILITY_ID, ...prosumers.map((p) => p.id), ...(withPool ? [POOL_ID] : [])];
  const agentBus = [feeder.slack, ...prosumers.map((p) => feeder.busIndex(p.bus)), ...(withPool ? [-1] : [])];
  const pool = withPool ? agents.length - 1 : undefined;
  const prosumerOf = (a: number) => (a >= 1 && a <= prosumers.length ? prosumers[a - 1] : undefined);
  const pairs = tradePairs(market.tradeGraph, agentBus, feeder, pool);
  const linearForm = linearFormOf(scenario, feeder);
  // Without peer trades every prosumer settles its own trade with the utility at the tariff (it
  // cannot net its purchases against another's sales through the utility).
  const billedPerTrade = market.tradeGraph === 'utility' && utility.tariff !== undefined;
  const l2 = market.penaltyNorm === 'l2';
  const lambda = market.tradeVolumeWeight;

  // Every column gets a finite bound. Bounds that other constraints already imply are
  // widened by a margin so that they never bind: a binding implied bound would take the dual
  // that belongs to the real constraint (and the prices with it), and crowd the IIS.
  const widen = (lo: number, hi: number): [number, number] => {
    const margin = 1 + (hi - lo);
    return [lo - margin, hi + margin];
  };
  // Net-injection range of each prosumer in each step: hardware limits (19b) where given,
  // otherwise what its schedule and battery allow (widened).
  const injectionRange = (k: number, t: number): [number, number] => {
    const p = prosumers[k]!;
    const s = p.scheduleKw[t]!;
    const [bLo, bHi] = batteryPowerBoundsKw(p, t);
    const [lo, hi] = widen(s + bLo, s + bHi);
    const [minKw, maxKw] = injectionBoundsKw(p);
    return [minKw ?? lo, maxKw ?? hi];
  };

  const index: MarketIndex = {
    agents,
    agentBus,
    pool,
    linearForm,
    pairs,
    trade: [],
    totalTradeVolume: undefined,
    netInjection: [],
    batteryPower: [],
    batteryEnergy: [],
    batteryFlow: [],
    tradeBalance: [],
    requestDeviation: [],
    pairCosts: pairCosts(scenario.market, feeder, agents, agentBus, pairs),
    deliveryCostPerKwh: undefined,
    utilityEnergy: utility.tariff && !billedPerTrade ? [] : undefined,
    tariffPerTrade: billedPerTrade,
    networkRows: [],
  };
  const deliveryCosts = index.pairCosts.flatMap((c) => [c.feePerKwh + c.preferencePerKwh[0], c.feePerKwh + c.preferencePerKwh[1]]);
  index.deliveryCostPerKwh = billedPerTrade || deliveryCosts.some((c) => c !== deliveryCosts[0]) ? undefined : (deliveryCosts[0] ?? 0);

  // Battery energy e[i,t], t = 0..T: the state at the start of each step and at the end.
  for (let t = 0; t <= T; t++) {
    index.batteryEnergy.push(
      agents.map((agent, a) => {
        const battery = prosumerOf(a)?.battery;
        if (!battery) return -1;
        const fixed = t === 0 || (t === T && battery.returnToInitial);
        const lo = fixed ? battery.initialKwh : battery.minKwh;
        const hi = fixed ? battery.initialKwh : battery.maxKwh;
        return mb.addCol({ kind: 'batteryEnergy', agent, step: t }, lo, hi);
      }),
    );
  }

  let volumeBoundKw = 0;
  for (let t = 0; t < T; t++) {
    const ranges = prosumers.map((_, k) => injectionRange(k, t));
    // No trade can usefully exceed everything every prosumer could inject or draw.
    const tradeBoundKw = ranges.reduce((sum, [lo, hi]) => sum + Math.max(Math.abs(lo), Math.abs(hi)), 0) + 1;

    // Net injections; the utility takes what the prosumers inject: P_u = −Σ P_i.
    const sumLo = ranges.reduce((s, r) => s + r[0], 0);
    const sumHi = ranges.reduce((s, r) => s + r[1], 0);
    // The pool only passes energy on: its net injection is 0.
    const injectionRanges = agents.map((_, a): [number, number] => (a === 0 ? widen(-sumHi, -sumLo) : a === pool ? [0, 0] : ranges[a - 1]!));
    const P = agents.map((agent, a) => {
      const [lo, hi] = injectionRanges[a]!;
      const bid = prosumerOf(a)?.costBid;
      // Cost bid C(P) = ½·a·P² + b·P per hour, over the step's Δt hours.
      return mb.addCol(
        { kind: 'netInjection', agent, step: t },
        lo,
        hi,
        bid ? dt * bid.linearPerKwh : 0,
        bid ? dt * bid.quadraticPerKw2h : 0,
      );
    });
    index.netInjection.push(P);

    // Battery power (its tie-break ε·Σb² is a second, lexicographic stage: see tiebreak.ts),
    // within the battery's and the inverter's limits.
    index.batteryPower.push(
      agents.map((agent, a) => {
        const prosumer = prosumerOf(a);
        if (!prosumer?.battery) return -1;
        const [lo, hi] = batteryPowerBoundsKw(prosumer, t);
        return mb.addCol({ kind: 'batteryPower', agent, step: t }, lo, hi);
      }),
    );
    // A battery with losses: its power split into charge and discharge, b = d − c (battery.ts).
    index.batteryFlow.push(
      agents.map((agent, a) => {
        const prosumer = prosumerOf(a);
        if (!prosumer?.battery || isLossless(prosumer.battery)) return undefined;
        const b = index.batteryPower[t]![a]!;
        const [lo, hi] = batteryPowerBoundsKw(prosumer, t);
        const charge = mb.addCol({ kind: 'batteryCharge', agent, step: t }, 0, Math.max(0, -lo));
        const discharge = mb.addCol({ kind: 'batteryDischarge', agent, step: t }, 0, Math.max(0, hi));
        mb.addRow({ kind: 'batterySplit', agent, step: t }, 0, 0, [[b, 1], [discharge, -1], [charge, 1]]);
        return { charge, discharge };
      }),
    );

    // A delivery costs its preference and fee per kWh, over the step's Δt hours; without peer
    // trades (graph "utility") each prosumer also pays the tariff on its own trade.
    const tariffOf = (from: number, to: number) =>
      !billedPerTrade ? 0 : to === 0 ? -utility.tariff!.buyPerKwh[t]! : from === 0 ? utility.tariff!.sellPerKwh[t]! : 0;
    const trades = pairs.map(({ i, j }, k): [number, number] => {
      const { preferencePerKwh, feePerKwh } = index.pairCosts[k]!;
      return [
        mb.addCol({ kind: 'delivery', from: agents[i]!, to: agents[j]!, step: t }, 0, tradeBoundKw, dt * (feePerKwh + preferencePerKwh[0] + tariffOf(i, j))),
        mb.addCol({ kind: 'delivery', from: agents[j]!, to: agents[i]!, step: t }, 0, tradeBoundKw, dt * (feePerKwh + preferencePerKwh[1] + tariffOf(j, i))),
      ];
    });
    index.trade.push(trades);

    // Trade balance of every agent: Σ_j p[i,j] − P[i] = 0.
    const balanceEntries: Entry[][] = agents.map((_, a) => [[P[a]!, -1]]);
    pairs.forEach(({ i, j }, k) => {
      const [forward, backward] = trades[k]!;
      balanceEntries[i]!.push([forward, 1], [backward, -1]);
      balanceEntries[j]!.push([forward, -1], [backward, 1]);
    });
    index.tradeBalance.push(agents.map((agent, a) => mb.addRow({ kind: 'tradeBalance', agent, step: t }, 0, 0, balanceEntries[a]!)));

    // Schedule coupling P = s + b, and battery dynamics e[t+1] = e[t] − Δt·b.
    prosumers.forEach((p, k) => {
      const a = k + 1;
      const s = p.scheduleKw[t]!;
      const b = index.batteryPower[t]![a]!;
      mb.addRow({ kind: 'schedule', agent: p.id, step: t }, s, s, b >= 0 ? [[P[a]!, 1], [b, -1]] : [[P[a]!, 1]]);
      if (b >= 0) {
        const e0 = index.batteryEnergy[t]![a]!;
        const e1 = index.batteryEnergy[t + 1]![a]!;
        const flow = index.batteryFlow[t]![a];
        const battery = p.battery!;
        // e[t+1] = (1 − σΔt)·e[t] + η_c·Δt·c − Δt·d/η_d; lossless: e[t+1] = e[t] − Δt·b.
        const entries: Entry[] = flow
          ? [[e1, 1], [e0, -(1 - battery.selfDischargePerHour * dt)], [flow.charge, -battery.chargeEfficiency * dt], [flow.discharge, dt / battery.dischargeEfficiency]]
          : [[e1, 1], [e0, -1], [b, dt]];
        mb.addRow({ kind: 'batteryDynamics', agent: p.id, step: t }, 0, 0, entries);
      }
    });

    // Utility request: U[t] = −P_u[t]; deviation U − U*.
    const w = utility.priority[t]!;
    const target = utility.targetKw[t]!;
    const deviations: { col: number; sign: 1 | -1 }[] = [];
    // Present even when w = 0 (then without cost), so that the model's structure does not
    // depend on the priorities and a solver session can be reused across them.
    const span = widen(sumLo - target, sumHi - target);
    if (l2) {
      deviations.push({ col: mb.addCol({ kind: 'requestDeviation', step: t, part: 'both' }, span[0], span[1], 0, 2 * w * w), sign: 1 });
    } else {
      const width = Math.max(Math.abs(span[0]), Math.abs(span[1]));
      deviations.push({ col: mb.addCol({ kind: 'requestDeviation', step: t, part: 'above' }, 0, width, w), sign: 1 });
      deviations.push({ col: mb.addCol({ kind: 'requestDeviation', step: t, part: 'below' }, 0, width, w), sign: -1 });
    }
    mb.addRow({ kind: 'request', step: t }, target, target, [[P[0]!, -1], ...deviations.map((d): Entry => [d.col, -d.sign])]);
    index.requestDeviation.push(deviations);

    // The utility's tariff: it sells (P_u > 0) at sellPerKwh and buys (P_u < 0) at buyPerKwh,
    // a convex cost since sell ≥ buy. P_u = sale − purchase. (Billed per trade instead when
    // there are no peer trades: above.)
    if (utility.tariff && index.utilityEnergy) {
      const [lo, hi] = injectionRanges[0]!;
      const sale = mb.addCol({ kind: 'utilityEnergy', step: t, part: 'sale' }, 0, Math.max(0, hi), dt * utility.tariff.sellPerKwh[t]!);
      const purchase = mb.addCol({ kind: 'utilityEnergy', step: t, part: 'purchase' }, 0, Math.max(0, -lo), -dt * utility.tariff.buyPerKwh[t]!);
      mb.addRow({ kind: 'utilityEnergy', step: t }, 0, 0, [[P[0]!, 1], [sale, -1], [purchase, 1]]);
      index.utilityEnergy.push({ sale, purchase });
    }

    index.networkRows.push(addNetworkRows(mb, scenario, feeder, linearForm, { t, P, agentBus, injectionRange: injectionRanges }));
    fixedConflicts.push(...findFixedConflicts(scenario, feeder, agentBus, t));

    // At an optimum with every pair the volume is the least that routes the injections: at
    // most Σ|P|. With fewer pairs energy may pass through intermediaries: bound it by every
    // delivery's own bound.
    volumeBoundKw += market.tradeGraph === 'all' ? tradeBoundKw : 2 * pairs.length * tradeBoundKw;
  }

  // Trade-volume penalty on S = Σ_t Σ_{i<j} |p[i,j,t]|: λ·S² (L2) or λ·S (L1).
  if (lambda > 0) {
    const S = mb.addCol({ kind: 'totalTradeVolume' }, 0, volumeBoundKw, l2 ? 0 : lambda, l2 ? 2 * lambda : 0);
    const deliveries = index.trade.flat(2);
    mb.addRow({ kind: 'totalTradeVolume' }, 0, 0, [[S, 1], ...deliveries.map((d): Entry => [d, -1])]);
    index.totalTradeVolume = S;
  }

  return { model: mb.build(), index, fixedConflicts };
}

