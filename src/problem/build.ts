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
import { UTILITY_ID, type Scenario } from '../scenario/validate.ts';
import { ModelBuilder, type Entry, type LinearModel } from './model.ts';

export interface Pair {
  /** Agent indices, i < j. */
  i: number;
  j: number;
}

/** Where each domain variable lives in the model's column vector. */
export interface MarketIndex {
  agents: string[];
  /** Bus index (in the feeder) of each agent. */
  agentBus: number[];
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
  /** tradeBalance[t][agent]: the row whose dual is the agent's marginal value of energy. */
  tradeBalance: number[][];
  /** Request deviation columns of each step (one for L2, two for L1). */
  requestDeviation: { col: number; sign: 1 | -1 }[][];
}

/** A constraint with no decision variable in it that its data already breaks. */
export interface FixedConflict {
  description: string;
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
  const agents = [UTILITY_ID, ...prosumers.map((p) => p.id)];
  const agentBus = [feeder.slack, ...prosumers.map((p) => feeder.busIndex(p.bus))];
  const n = agents.length;
  const pairs: Pair[] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) pairs.push({ i, j });
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
    const [lo, hi] = widen(s - (p.battery?.maxChargeKw ?? 0), s + (p.battery?.maxDischargeKw ?? 0));
    return [p.minInjectionKw ?? lo, p.maxInjectionKw ?? hi];
  };

  const index: MarketIndex = {
    agents,
    agentBus,
    pairs,
    trade: [],
    totalTradeVolume: undefined,
    netInjection: [],
    batteryPower: [],
    batteryEnergy: [],
    tradeBalance: [],
    requestDeviation: [],
  };

  // Battery energy e[i,t], t = 0..T: the state at the start of each step and at the end.
  for (let t = 0; t <= T; t++) {
    index.batteryEnergy.push(
      agents.map((agent, a) => {
        const battery = a === 0 ? undefined : prosumers[a - 1]!.battery;
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
    const P = agents.map((agent, a) => {
      const [lo, hi] = a === 0 ? widen(-sumHi, -sumLo) : ranges[a - 1]!;
      const bid = a === 0 ? undefined : prosumers[a - 1]!.costBid;
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

    // Battery power (its tie-break ε·Σb² is a second, lexicographic stage: see tiebreak.ts).
    index.batteryPower.push(
      agents.map((agent, a) => {
        const battery = a === 0 ? undefined : prosumers[a - 1]!.battery;
        if (!battery) return -1;
        return mb.addCol({ kind: 'batteryPower', agent, step: t }, -battery.maxChargeKw, battery.maxDischargeKw);
      }),
    );

    const trades = pairs.map(({ i, j }): [number, number] => [
      mb.addCol({ kind: 'delivery', from: agents[i]!, to: agents[j]!, step: t }, 0, tradeBoundKw),
      mb.addCol({ kind: 'delivery', from: agents[j]!, to: agents[i]!, step: t }, 0, tradeBoundKw),
    ]);
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
        mb.addRow({ kind: 'batteryDynamics', agent: p.id, step: t }, 0, 0, [[e1, 1], [e0, -1], [b, dt]]);
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

    addNetworkRows(mb, scenario, feeder, t, P, agentBus, fixedConflicts);

    // At an optimum the volume is the least that routes the injections: at most Σ|P|.
    volumeBoundKw += tradeBoundKw;
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

/** LinDistFlow voltage (19c) and line-flow (19d) rows of one step, in the net injections P. */
function addNetworkRows(
  mb: ModelBuilder,
  scenario: Scenario,
  feeder: Feeder,
  t: number,
  P: number[],
  agentBus: number[],
  fixedConflicts: FixedConflict[],
): void {
  // Agents (prosumers only: the utility sits at the slack) at each bus.
  const atBus = feeder.buses.map(() => [] as number[]);
  agentBus.forEach((bus, a) => {
    if (a > 0) atBus[bus]!.push(a);
  });
  const qKvar = feeder.buses.map(() => 0);
  scenario.prosumers.forEach((p, k) => (qKvar[agentBus[k + 1]!]! += p.reactiveKvar));

  for (const bus of feeder.buses) {
    if (bus.index === feeder.slack) continue;
    const sens = feeder.voltageSensitivity(bus.index);
    const entries: Entry[] = [];
    let constant = feeder.v0;
    sens.buses.forEach((m, k) => {
      constant += sens.dvdqPerKvar[k]! * qKvar[m]!;
      for (const a of atBus[m]!) entries.push([P[a]!, sens.dvdpPerKw[k]!]);
    });
    const lo = feeder.vMinSq - constant;
    const hi = feeder.vMaxSq - constant;
    if (entries.length === 0) {
      if (lo > 0 || hi < 0) {
        fixedConflicts.push({
          description: `voltage at bus ${bus.id}, step ${t}: ${Math.sqrt(constant).toFixed(4)} p.u. with no controllable injection, outside its limits`,
        });
      }
      continue;
    }
    // Scale the row so its largest coefficient is 1 (the raw ones are ~1e-5 p.u.²/kW).
    const scale = Math.max(...entries.map(([, c]) => Math.abs(c)));
    mb.addRow(
      { kind: 'voltage', bus: bus.id, step: t, scale },
      lo / scale,
      hi / scale,
      entries.map(([col, c]) => [col, c / scale]),
    );
  }

  for (const line of feeder.lines) {
    if (line.maxKw === undefined) continue;
    // f = −Σ of the injections downstream of the line.
    const entries: Entry[] = [];
    for (const m of feeder.subtree(line.to)) for (const a of atBus[m]!) entries.push([P[a]!, -1]);
    if (entries.length === 0) continue; // no flow at all: always within ±maxKw
    mb.addRow({ kind: 'lineFlow', from: line.fromId, to: line.toId, step: t }, -line.maxKw, line.maxKw, entries);
  }
}
