/**
 * The network operator's part of the negotiation (docs/admm.md, "The network operator"): it
 * holds its own copy Y of the metered peers' injections and keeps it inside the LinDistFlow
 * limits — the only agent that knows the feeder. Each iteration, from the injections P the
 * peers propose and its charges η,
 *
 *     Y = argmin ½‖Y − (P + η/ρ)‖²  subject to  v_min² ≤ v(Y) ≤ v_max², |f(Y)| ≤ f_max   (per step)
 *     η ← η + ρ·(P − Y)
 *
 * a projection onto the step's polytope with the dense sensitivities (feeder.voltageSensitivity,
 * subtrees), solved exactly by qp.ts — skipped when P + η/ρ already lies inside. By the
 * projection's optimality η = −ρ·Σ_r ν_r·a_r (ν the rows' multipliers, a_r a row's coefficient of
 * a 1-kW injection), so the charge is a price per bus: the operator can quote it at every bus,
 * and at convergence ρ_utility − η_bus/Δt is the central clearing's nodal price.
 */
import type { Feeder } from '../network/feeder.ts';
import { busInjections } from '../network/injections.ts';
import type { Scenario } from '../scenario/validate.ts';
import { solveQp, type QpConstraint } from './qp.ts';

interface NetworkRow {
  /** What a 1-kW injection at each bus adds to the row (unit-length over the metered peers). */
  busCoefficient: Float64Array;
  /** The same over the metered peers, in their order. */
  peerCoefficient: Float64Array;
  /** Per step: the row's value without any metered injection, and its limits, in the row's scaled units. */
  constant: number[];
  lo: number;
  hi: number;
  name: string;
}

export interface Projection {
  /** Y per metered peer. */
  injectionKw: Float64Array;
  /** Per bus: the charge per kW injected (objective units per kW of the step), −ρ·Σ ν·a. */
  busCharge: Float64Array;
  /** Rows held at a limit, by name. */
  binding: string[];
}

export class NetworkOperator {
  readonly rows: NetworkRow[];

  constructor(
    private readonly feeder: Feeder,
    scenario: Scenario,
    /** Bus of each metered peer, in the operator's order. */
    private readonly meteredBus: readonly number[],
  ) {
    const T = scenario.steps;
    const B = feeder.buses.length;
    const fixed = Array.from({ length: T }, (_, t) => busInjections(feeder, scenario.prosumers, undefined, t));
    const rows: NetworkRow[] = [];
    const meteredAt = new Set(meteredBus);
    const finish = (name: string, busCoefficient: Float64Array, constant: number[], lo: number, hi: number) => {
      const peerCoefficient = Float64Array.from(meteredBus, (b) => busCoefficient[b]!);
      const norm = Math.hypot(...peerCoefficient);
      if (norm === 0) return; // no metered peer moves it: the central clearing checks it
      rows.push({
        name,
        busCoefficient: busCoefficient.map((c) => c / norm),
        peerCoefficient: peerCoefficient.map((c) => c / norm),
        constant: constant.map((c) => c / norm),
        lo: lo / norm,
        hi: hi / norm,
      });
    };
    for (const bus of feeder.buses) {
      if (bus.index === feeder.slack) continue;
      const sens = feeder.voltageSensitivity(bus.index);
      if (!sens.buses.some((m) => meteredAt.has(m))) continue;
      const coefficient = new Float64Array(B);
      sens.buses.forEach((m, k) => (coefficient[m] = sens.dvdpPerKw[k]!));
      const constant = fixed.map((f) => sens.buses.reduce((s, m, k) => s + sens.dvdpPerKw[k]! * f.pKw[m]! + sens.dvdqPerKvar[k]! * f.qKvar[m]!, feeder.v0));
      finish(`voltage at bus ${bus.id}`, coefficient, constant, feeder.vMinSq, feeder.vMaxSq);
    }
    for (const line of feeder.lines) {
      if (line.maxKw === undefined) continue;
      const coefficient = new Float64Array(B);
      for (const m of feeder.subtree(line.to)) coefficient[m] = -1;
      const constant = fixed.map((f) => -feeder.subtree(line.to).reduce((s, m) => s + f.pKw[m]!, 0));
      finish(`flow on line ${line.fromId}→${line.toId}`, coefficient, constant, -line.maxKw, line.maxKw);
    }
    this.rows = rows;
  }

  /** The projection of step t's `target` (P + η/ρ per metered peer), and the charges it implies. */
  project(t: number, target: Float64Array, rho: number): Projection {
    const n = target.length;
    const B = this.feeder.buses.length;
    const inequalities: QpConstraint[] = [];
    const owner: number[] = [];
    let inside = true;
    this.rows.forEach((row) => {
      const value = row.constant[t]! + dot(row.peerCoefficient, target);
      if (value < row.lo - 1e-12 || value > row.hi + 1e-12) inside = false;
    });
    if (inside) return { injectionKw: Float64Array.from(target), busCharge: new Float64Array(B), binding: [] };
    this.rows.forEach((row, r) => {
      // lo ≤ a·Y + c ≤ hi as a·Y + (c − lo) ≥ 0 and −a·Y + (hi − c) ≥ 0.
      inequalities.push({ a: row.peerCoefficient, c: row.constant[t]! - row.lo }, { a: row.peerCoefficient.map((v) => -v), c: row.hi - row.constant[t]! });
      owner.push(r, r);
    });
    const solution = solveQp({ n, hessianDiagonal: new Float64Array(n).fill(1), g: target.map((v) => -v), inequalities, tolerance: 1e-12 });
    if (solution.status !== 'optimal') throw new Error(`network operator: step ${t}: no injections satisfy the network's limits`);
    const busCharge = new Float64Array(B);
    const binding = new Set<string>();
    solution.inequalityMultipliers.forEach((nu, k) => {
      if (nu === 0) return;
      const row = this.rows[owner[k]!]!;
      const sign = k % 2 === 0 ? 1 : -1;
      binding.add(row.name);
      for (let b = 0; b < B; b++) busCharge[b]! -= rho * nu * sign * row.busCoefficient[b]!;
    });
    return { injectionKw: solution.x, busCharge, binding: [...binding] };
  }
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
