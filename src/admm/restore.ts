/**
 * Feasibility restoration of a negotiation's answer (docs/admm.md, "Restoration"). The
 * negotiation stops with residuals below their tolerances, not at zero; restoration makes the
 * reported dispatch satisfy every constraint exactly, with the agents' own means:
 *
 * 1. reciprocity is exact by construction: each pair's trade is its consensus z (the keeper's
 *    average of the two proposals, net of the delivery costs), one number for both sides;
 * 2. each prosumer's injection P = Σ of its trades; its battery b = P − s is projected onto its
 *    own limits (box, state of charge, return to initial) by the prosumer, and the operator
 *    projects the metered injections onto the feeder's limits — alternately, until both hold
 *    (alternating projections onto two convex sets that meet; they start a residual apart);
 * 3. what a prosumer's injection moved, δ, is taken by its trade with the utility (the
 *    supplier of last resort, a counterparty of every prosumer in every supported trade graph),
 *    so that every agent's trades again add up to its injection.
 *
 * The largest δ and any network limit still broken (never seen: rounding) are reported.
 */
import type { Scenario } from '../scenario/validate.ts';
import type { NegotiationOutcome } from './negotiation.ts';
import type { NetworkOperator } from './operator.ts';
import { projectBattery } from './peer.ts';
import type { NegotiationSetup } from './setup.ts';

export interface Restored {
  /** [agent][t] */
  injectionKw: Float64Array[];
  batteryKw: Float64Array[];
  /** [agent][t], t = 0..T (prosumers with a battery). */
  socKwh: Float64Array[];
  /** [pair][t]: i's sale to j. */
  tradeKw: Float64Array[];
  rounds: number;
  maxAdjustmentKw: number;
  flowViolationKw: number;
  voltageViolationPu: number;
  worstConstraint: string;
}

const MAX_ROUNDS = 1000;

export function restore(setup: NegotiationSetup, scenario: Scenario, network: NetworkOperator, outcome: NegotiationOutcome): Restored {
  const T = setup.steps;
  const dt = setup.stepHours;
  const A = setup.agents.length;
  const tradeKw = outcome.pairs.map((p) => Float64Array.from(p.z));
  const fromTrades = (a: number) => {
    const P = new Float64Array(T);
    for (const side of setup.sides[a]!) for (let t = 0; t < T; t++) P[t]! += side.sign * tradeKw[side.pair]![t]!;
    return P;
  };
  const traded = Array.from({ length: A }, (_, a) => fromTrades(a));
  const injectionKw = traded.map((P) => Float64Array.from(P));
  const batteryKw: Float64Array[] = Array.from({ length: A }, () => new Float64Array(T));
  const metered = setup.metered;
  let rounds = 0;
  for (; rounds < MAX_ROUNDS; rounds++) {
    // The prosumers: their batteries within their limits.
    for (let a = 1; a < A; a++) {
      const peer = setup.peers[a]!;
      if (peer.kind !== 'prosumer') continue;
      const wanted = Float64Array.from({ length: T }, (_, t) => injectionKw[a]![t]! - peer.scheduleKw[t]!);
      const b = peer.battery ? projectBattery(peer, T, dt, wanted) : new Float64Array(T);
      batteryKw[a] = b;
      for (let t = 0; t < T; t++) injectionKw[a]![t] = peer.scheduleKw[t]! + b[t]!;
    }
    // The operator: the metered injections within the network's limits.
    let moved = 0;
    for (let t = 0; t < T; t++) {
      const target = Float64Array.from(metered, (a) => injectionKw[a]![t]!);
      const projection = network.project(t, target, 1);
      metered.forEach((a, k) => {
        moved = Math.max(moved, Math.abs(projection.injectionKw[k]! - injectionKw[a]![t]!));
        injectionKw[a]![t] = projection.injectionKw[k]!;
      });
    }
    if (moved <= 1e-12) break;
  }
  // Restored injections: the utility trade takes each prosumer's change.
  let maxAdjustmentKw = 0;
  for (let a = 1; a < A; a++) {
    const utilitySide = setup.sides[a]!.find((s) => s.counterparty === 0);
    for (let t = 0; t < T; t++) {
      const delta = injectionKw[a]![t]! - traded[a]![t]!;
      if (delta === 0) continue;
      if (!utilitySide) throw new Error(`restoration: ${setup.agents[a]} has no trade with the utility to take ${delta} kW`);
      maxAdjustmentKw = Math.max(maxAdjustmentKw, Math.abs(delta));
      // The utility is the pair's i: its sale to a is z; a selling δ more means z −= δ.
      tradeKw[utilitySide.pair]![t]! -= delta;
    }
  }
  injectionKw[0] = fromTrades(0);
  // State of charge of lossless batteries: e[t+1] = e[t] − Δt·b.
  const socKwh = setup.peers.map((peer, a) => {
    const e = new Float64Array(T + 1);
    if (peer.kind !== 'prosumer' || !peer.battery) return e;
    e[0] = peer.battery.initialKwh;
    for (let t = 0; t < T; t++) e[t + 1] = e[t]! - dt * batteryKw[a]![t]!;
    return e;
  });
  // The network as the operator sees it: the worst limit still broken.
  let flowViolationKw = 0;
  let voltageViolationPu = 0;
  let worstConstraint = '';
  const { feeder } = setup;
  for (let t = 0; t < T; t++) {
    const { pKw, qKvar } = busInjectionsOf(setup, scenario, injectionKw, t);
    const flow = feeder.linearPowerFlow(pKw, qKvar);
    feeder.lines.forEach((line) => {
      if (line.maxKw === undefined) return;
      const over = Math.abs(flow.flowKw[line.index]!) - line.maxKw;
      if (over > flowViolationKw) {
        flowViolationKw = over;
        worstConstraint = `flow on line ${line.fromId}→${line.toId}, step ${t}`;
      }
    });
    const [vMin, vMax] = [scenario.network.vMinPu, scenario.network.vMaxPu];
    flow.vSq.forEach((v2, b) => {
      const v = Math.sqrt(v2);
      const over = Math.max(vMin - v, v - vMax, 0);
      if (over > voltageViolationPu) {
        voltageViolationPu = over;
        worstConstraint = `voltage at bus ${feeder.buses[b]!.id}, step ${t}`;
      }
    });
  }
  return { injectionKw, batteryKw, socKwh, tradeKw, rounds: rounds + 1, maxAdjustmentKw, flowViolationKw, voltageViolationPu, worstConstraint };
}

function busInjectionsOf(setup: NegotiationSetup, scenario: Scenario, injectionKw: Float64Array[], t: number): { pKw: number[]; qKvar: number[] } {
  const { pKw, qKvar } = setup.feeder.fixedInjections(t);
  scenario.prosumers.forEach((p, k) => {
    const bus = setup.agentBus[k + 1]!;
    pKw[bus]! += injectionKw[k + 1]![t]!;
    qKvar[bus]! += p.reactiveKvar;
  });
  return { pKw, qKvar };
}
