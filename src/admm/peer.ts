/**
 * A peer's local problem in one iteration (docs/admm.md, "Local problems"): from its own data
 * and what it received — for every pair the consensus trade z and its own price y (objective
 * units per kW of the step), and, when the operator meters it, the operator's injection Y and
 * network charge η — it proposes its sale x on every pair and its net injection P:
 *
 *     minimise  f(P) + Σ_pairs [ y·x + ρ/2·(x − σz)² ] + [ η·P + ρ/2·(P − Y)² ]   over x, battery
 *     subject to Σ_pairs x = P in every step, P = s + b, the battery's limits,
 *
 * σ = ±1 its side of the pair. For a given P the sales are x_j = m_j + (P − Σm)/d with
 * m_j = σz_j − y_j/ρ (d pairs), so the trades fold into a quadratic in P per step and the
 * problem is a strictly convex QP in the battery powers b (T variables, box and state-of-charge
 * bounds, the return-to-initial equality), solved exactly by qp.ts. The utility has no battery:
 * its problem separates by step into one-variable minimisations of its tariff (a kink at 0)
 * and its request tracking (w·(U − U*))², U = −P, solved in closed form.
 */
import { solveQp, type QpConstraint } from './qp.ts';
import type { PeerData, ProsumerData, UtilityData } from './setup.ts';

export interface PeerInputs {
  rho: number;
  /** Per pair side (in the peer's side order), per step: σ·z, the consensus sale of this peer. */
  consensusKw: Float64Array[];
  /** Per pair side, per step: this peer's price y of the pair (objective units per kW of the step). */
  price: Float64Array[];
  /** Metered peers: the operator's injection Y and charge η per step. */
  networkKw?: Float64Array;
  networkCharge?: Float64Array;
  /** Per step: the trades of settled pairs (pairTermination), fixed: Σ of this peer's sales on them. */
  fixedKw?: Float64Array;
}

export interface PeerProposal {
  /** Per pair side, per step: this peer's proposed sale x (kW). */
  saleKw: Float64Array[];
  /** Net injection P per step (kW). */
  injectionKw: Float64Array;
}

export class PeerProblem {
  private readonly constraints: { inequalities: QpConstraint[]; equalities: QpConstraint[] } | undefined;

  constructor(
    readonly data: PeerData,
    private readonly steps: number,
    private readonly stepHours: number,
  ) {
    if (data.kind === 'prosumer' && data.battery) this.constraints = batteryConstraints(data, steps, stepHours);
  }

  solve(inputs: PeerInputs): PeerProposal {
    const T = this.steps;
    const free = inputs.consensusKw.length;
    // With every pair settled, P is pulled towards the settled trades as by one pair.
    const d = Math.max(1, free);
    const rho = inputs.rho;
    // M_t = F_t + Σ_j m_j,t with m = σz − y/ρ and F the settled trades: Σ_free x = P − F.
    const M = inputs.fixedKw ? Float64Array.from(inputs.fixedKw) : new Float64Array(T);
    for (let k = 0; k < free; k++) {
      const z = inputs.consensusKw[k]!;
      const y = inputs.price[k]!;
      for (let t = 0; t < T; t++) M[t]! += z[t]! - y[t]! / rho;
    }
    const P = this.data.kind === 'utility' ? this.utility(this.data, inputs, M, d) : this.prosumer(this.data, inputs, M, d);
    const saleKw = inputs.consensusKw.map((z, k) => {
      const y = inputs.price[k]!;
      const x = new Float64Array(T);
      for (let t = 0; t < T; t++) x[t] = z[t]! - y[t]! / rho + (P[t]! - M[t]!) / d;
      return x;
    });
    return { saleKw, injectionKw: P };
  }

  /** Per step: Δt·tariff(P) + w²·(P + U*)² + ρ/(2d)·(P − M)², the tariff convex with its kink at 0. */
  private utility(u: UtilityData, inputs: PeerInputs, M: Float64Array, d: number): Float64Array {
    const dt = this.stepHours;
    const c = inputs.rho / d;
    const P = new Float64Array(this.steps);
    for (let t = 0; t < this.steps; t++) {
      const w2 = u.priority[t]! ** 2;
      const target = u.targetKw[t]!;
      // Stationarity on each side of 0: slope + 2w²(P + U*) + c(P − M) = 0.
      const at = (slope: number) => (c * M[t]! - 2 * w2 * target - slope) / (2 * w2 + c);
      const selling = at(dt * u.sellPerKwh[t]!);
      const buying = at(dt * u.buyPerKwh[t]!);
      P[t] = selling > 0 ? selling : buying < 0 ? buying : 0;
    }
    return P;
  }

  /** A QP in the battery powers; without a battery P is the schedule. */
  private prosumer(p: ProsumerData, inputs: PeerInputs, M: Float64Array, d: number): Float64Array {
    const T = this.steps;
    const dt = this.stepHours;
    const rho = inputs.rho;
    const metered = inputs.networkKw !== undefined;
    const P = Float64Array.from(p.scheduleKw);
    if (!this.constraints) return P;
    const h = new Float64Array(T);
    const g = new Float64Array(T);
    for (let t = 0; t < T; t++) {
      const s = p.scheduleKw[t]!;
      // d/db of Δt(½aP² + bP) + ρ/2·(P − n)² + ρ/(2d)·(P − M)² at P = s + b, with n = Y − η/ρ.
      const n = metered ? inputs.networkKw![t]! - inputs.networkCharge![t]! / rho : 0;
      h[t] = dt * p.bidA + (metered ? rho : 0) + rho / d;
      g[t] = dt * (p.bidA * s + p.bidB) + (metered ? rho * (s - n) : 0) + (rho / d) * (s - M[t]!);
    }
    const solution = solveQp({ n: T, hessianDiagonal: h, g, ...this.constraints, tolerance: 1e-11 });
    if (solution.status !== 'optimal') throw new Error(`peer ${p.id}: its battery has no feasible schedule`);
    for (let t = 0; t < T; t++) P[t]! += solution.x[t]!;
    return P;
  }
}

/**
 * The battery's limits as QP rows in b (rows scaled to unit length): bounds per step, and
 * e[t+1] = e0 − Δt·Σ_{τ≤t} b_τ within [min, max] (= e0 at the end with returnToInitial).
 */
export function batteryConstraints(p: ProsumerData, T: number, dt: number): { inequalities: QpConstraint[]; equalities: QpConstraint[] } {
  const battery = p.battery!;
  const inequalities: QpConstraint[] = [];
  const equalities: QpConstraint[] = [];
  for (let t = 0; t < T; t++) {
    const unit = new Float64Array(T);
    unit[t] = 1;
    if (Number.isFinite(p.batteryLoKw[t]!)) inequalities.push({ a: unit, c: -p.batteryLoKw[t]! });
    if (Number.isFinite(p.batteryHiKw[t]!)) inequalities.push({ a: unit.map((v) => -v), c: p.batteryHiKw[t]! });
    const norm = Math.sqrt(t + 1);
    const prefix = new Float64Array(T);
    for (let k = 0; k <= t; k++) prefix[k] = 1 / norm;
    const e0 = battery.initialKwh;
    if (t === T - 1 && battery.returnToInitial) {
      equalities.push({ a: prefix, c: 0 });
    } else {
      // (e0 − min)/Δt − Σb ≥ 0 and Σb − (e0 − max)/Δt ≥ 0
      inequalities.push({ a: prefix.map((v) => -v), c: (e0 - battery.minKwh) / dt / norm });
      inequalities.push({ a: prefix, c: -(e0 - battery.maxKwh) / dt / norm });
    }
  }
  return { inequalities, equalities };
}

/** The closest battery schedule to `batteryKw` within the battery's limits (restoration). */
export function projectBattery(p: ProsumerData, T: number, dt: number, batteryKw: Float64Array): Float64Array {
  if (!p.battery) return new Float64Array(T);
  const { inequalities, equalities } = batteryConstraints(p, T, dt);
  const solution = solveQp({ n: T, hessianDiagonal: new Float64Array(T).fill(1), g: batteryKw.map((v) => -v), inequalities, equalities, tolerance: 1e-13 });
  if (solution.status !== 'optimal') throw new Error(`peer ${p.id}: its battery has no feasible schedule`);
  return solution.x;
}
