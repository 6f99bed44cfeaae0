/**
 * The consensus updates of a pair (docs/admm.md, "The pair's update"), done by the pair's keeper
 * from the two sides' proposals: i proposes its sale x_i to j, j its sale x_j to i (reciprocity
 * wants x_i + x_j = 0). With their prices y_i, y_j (objective units per kW of the step), the
 * consensus trade z (i's sale) is
 *
 *     z = argmin  κ⁺·max(z, 0) + κ⁻·max(−z, 0) + ρ·(z − a)² + L·(z − z_prev)²,
 *         a = ½·[(x_i + y_i/ρ) − (x_j + y_j/ρ)],
 *         κ⁺ = Δt·c_j + μ (j buys: its fee and preference, and the volume price μ),
 *         κ⁻ = Δt·c_i + μ,
 *
 * a soft threshold in closed form; then y_i ← y_i + ρ·(x_i − z) and y_j ← y_j + ρ·(x_j + z): each
 * side's price moves with its disagreement with the consensus. L (proximalWeight below) is the
 * proximal weight that makes the lagged volume price μ = 2λ·S a majorizer of λ·S²; 0 without a
 * volume penalty.
 *
 * Residuals (docs/admm.md, "Residuals"): primal max(|x_i − z|, |x_j + z|), kW; dual (ρ + L)·|z −
 * z_prev|/Δt, per kWh.
 */

export interface PairState {
  /** Per step: the consensus trade z (i's sale to j, kW). */
  z: Float64Array;
  /** Per step: i's and j's prices (objective units per kW of the step; a seller receives −y). */
  yI: Float64Array;
  yJ: Float64Array;
}

export interface PairUpdateInputs {
  xI: ArrayLike<number>;
  xJ: ArrayLike<number>;
  rho: number;
  /**
   * The volume penalty's proximal weight of each step (0 without one): a function of the
   * previous consensus trade z_prev of the step (proximalWeight below).
   */
  proximal: (previousKw: number) => number;
  /** The coordinator's volume price μ (objective units per kW of a delivery in one step). */
  volumePrice: number;
  stepHours: number;
  /** Per kWh: what j bears when it buys (i → j), and what i bears when it buys (j → i). */
  buyerCostJ: number;
  buyerCostI: number;
}

export interface PairResiduals {
  primalKw: number;
  dualPerKwh: number;
  /** Σ_t |z_t|: the pair's volume, and per step. */
  volumeKw: Float64Array;
}

/** Updates `state` in place and returns the pair's residuals. */
export function updatePair(state: PairState, input: PairUpdateInputs): PairResiduals {
  const { rho, stepHours: dt } = input;
  const T = state.z.length;
  const kPlus = dt * input.buyerCostJ + input.volumePrice;
  const kMinus = dt * input.buyerCostI + input.volumePrice;
  let primal = 0;
  let dual = 0;
  const volume = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    const xi = input.xI[t]!;
    const xj = input.xJ[t]!;
    const a = 0.5 * (xi + state.yI[t]! / rho - (xj + state.yJ[t]! / rho));
    const previous = state.z[t]!;
    const L = input.proximal(previous);
    const weight = rho + L;
    const centre = (rho * a + L * previous) / weight;
    const up = centre - kPlus / (2 * weight);
    const down = centre + kMinus / (2 * weight);
    const z = up > 0 ? up : down < 0 ? down : 0;
    state.z[t] = z;
    state.yI[t]! += rho * (xi - z);
    state.yJ[t]! += rho * (xj + z);
    primal = Math.max(primal, Math.abs(xi - z), Math.abs(xj + z));
    dual = Math.max(dual, (weight * Math.abs(z - previous)) / dt);
    volume[t] = Math.abs(z);
  }
  return { primalKw: primal, dualPerKwh: dual, volumeKw: volume };
}

/**
 * The stopping rule and residual balancing (docs/admm.md, "Stopping" and "Residual balancing").
 * Tolerances are relative: ε_pri = tol·max(1, the largest trade or injection, kW), ε_dual =
 * tol·max(1, the largest price, per kWh).
 */
export interface Residuals {
  primalKw: number;
  dualPerKwh: number;
  /** The largest |z| or |Y| (kW) and |price| (per kWh) seen, for the relative tolerances. */
  scaleKw: number;
  scalePerKwh: number;
}

export function tolerances(residuals: Residuals, tolerance: number): { primalKw: number; dualPerKwh: number } {
  return { primalKw: tolerance * Math.max(1, residuals.scaleKw), dualPerKwh: tolerance * Math.max(1, residuals.scalePerKwh) };
}

export function converged(residuals: Residuals, tolerance: number): boolean {
  const eps = tolerances(residuals, tolerance);
  return residuals.primalKw <= eps.primalKw && residuals.dualPerKwh <= eps.dualPerKwh;
}

/** Boyd et al. §3.4.1 on residuals relative to their tolerances: the factor to multiply ρ by (1 to keep it). */
export function balanceFactor(residuals: Residuals, tolerance: number): number {
  const eps = tolerances(residuals, tolerance);
  const r = residuals.primalKw / eps.primalKw;
  const s = residuals.dualPerKwh / eps.dualPerKwh;
  if (r > 10 * s) return 2;
  if (s > 10 * r) return 0.5;
  return 1;
}

/**
 * The volume penalty's proximal weight (docs/admm.md, "The coordinator"). With δ_k = |z_k| −
 * |z_k,prev| over the N trade variables, Jensen's inequality gives, for any weights w_k > 0 with
 * Σ w_k = 1, (Σ δ_k)² ≤ Σ δ_k²/w_k ≤ Σ (z_k − z_k,prev)²/w_k: so λ·S² is majorized at the previous
 * iterate by its linearisation (the volume price μ = 2λ·S_prev) plus Σ L_k·(z_k − z_k,prev)² with
 * L_k = λ/w_k. Uniform weights give L = λ·N; weights in proportion to |z_k,prev| + ε, ε = S_prev/N,
 * give L_k = λ·(S_prev + N·ε)/(|z_k,prev| + ε) — small for the trades that carry the volume, 2λ·N
 * for those at zero. Every keeper computes it from the public λ, N and the broadcast S_prev.
 */
export function proximalWeight(lambda: number, volumeKw: number, variables: number): (previousKw: number) => number {
  if (lambda === 0) return () => 0;
  const epsilon = Math.max(volumeKw / variables, 1e-12);
  return (previousKw) => (lambda * (volumeKw + variables * epsilon)) / (Math.abs(previousKw) + epsilon);
}
