/**
 * A small dense strictly convex QP solver: the dual active-set method of Goldfarb & Idnani
 * (1983), as in QuadProg++ — written here for the negotiation's local problems, which are
 * tiny (a peer's battery powers over a window; the network operator's projection of one
 * step's injections) and solved thousands of times.
 *
 *     minimise ½·xᵀ·H·x + gᵀ·x   subject to   aᵢᵀ·x + cᵢ = 0 (equalities),   aᵢᵀ·x + cᵢ ≥ 0 (inequalities)
 *
 * Invariants: H is positive definite (a diagonal H is taken as its diagonal); the method
 * starts from the unconstrained minimum and adds the most violated constraint until none is
 * violated by more than `tolerance`, so it needs no feasible start and every iterate is
 * dual feasible. The result is exact up to rounding (tested against HiGHS on random
 * instances). No allocation beyond the work arrays of one call.
 */

export interface QpConstraint {
  /** Coefficients aᵢ, dense (length n). */
  a: Float64Array;
  /** Constant cᵢ. */
  c: number;
}

export interface QpProblem {
  n: number;
  /** H as its diagonal (length n) or as a dense row-major n×n matrix. */
  hessianDiagonal?: Float64Array;
  hessian?: Float64Array;
  g: Float64Array;
  equalities?: readonly QpConstraint[];
  inequalities?: readonly QpConstraint[];
  /** A violation below this counts as satisfied (in the units of aᵢᵀx + cᵢ). Default 1e-12. */
  tolerance?: number;
}

export interface QpSolution {
  status: 'optimal' | 'infeasible';
  x: Float64Array;
  /** Multipliers of the inequalities (≥ 0; 0 when inactive), in their order. */
  inequalityMultipliers: Float64Array;
  /** Multipliers of the equalities, in their order. */
  equalityMultipliers: Float64Array;
  iterations: number;
}

const EPS = 2.220446049250313e-16;

function hypot(a: number, b: number): number {
  const a1 = Math.abs(a);
  const b1 = Math.abs(b);
  if (a1 > b1) return a1 * Math.sqrt(1 + (b1 / a1) ** 2);
  return b1 > 0 ? b1 * Math.sqrt(1 + (a1 / b1) ** 2) : 0;
}

export function solveQp(problem: QpProblem): QpSolution {
  const { n, g } = problem;
  const eqs = problem.equalities ?? [];
  const ineqs = problem.inequalities ?? [];
  const p = eqs.length;
  const m = ineqs.length;
  const tol = problem.tolerance ?? 1e-12;

  // J = L^{-T} with H = L·Lᵀ; x = −H⁻¹g.
  const J = new Float64Array(n * n); // J[k*n + j]
  const x = new Float64Array(n);
  if (problem.hessianDiagonal) {
    const h = problem.hessianDiagonal;
    for (let i = 0; i < n; i++) {
      if (!(h[i]! > 0)) throw new Error(`qp: the Hessian's diagonal entry ${i} is ${h[i]}, not positive`);
      J[i * n + i] = 1 / Math.sqrt(h[i]!);
      x[i] = -g[i]! / h[i]!;
    }
  } else {
    const H = problem.hessian;
    if (!H) throw new Error('qp: no Hessian');
    const L = choleskyLower(H, n);
    // Columns of L^{-1}: solve L·w = e_i; J[i][j] = (L^{-1})[j][i].
    const w = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      for (let r = 0; r < n; r++) {
        let s = r === i ? 1 : 0;
        for (let k = 0; k < r; k++) s -= L[r * n + k]! * w[k]!;
        w[r] = s / L[r * n + r]!;
      }
      for (let j = 0; j < n; j++) J[i * n + j] = w[j]!;
    }
    // x = −H⁻¹g = −J·Jᵀ·g
    const y = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += J[k * n + j]! * g[k]!;
      y[j] = s;
    }
    for (let k = 0; k < n; k++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += J[k * n + j]! * y[j]!;
      x[k] = -s;
    }
  }

  const R = new Float64Array(n * n); // upper triangular, R[i*n + j]
  const d = new Float64Array(n);
  const z = new Float64Array(n);
  const r = new Float64Array(n + p + 1);
  const u = new Float64Array(n + p + 1);
  const active = new Int32Array(n + p + 1); // equality k as −k−1, inequality i as i
  let iq = 0;
  let rNorm = 1;
  const eqMultipliers = new Float64Array(p);
  const ineqMultipliers = new Float64Array(m);

  const computeD = (a: Float64Array) => {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += J[k * n + i]! * a[k]!;
      d[i] = s;
    }
  };
  const updateZ = () => {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = iq; j < n; j++) s += J[i * n + j]! * d[j]!;
      z[i] = s;
    }
  };
  const updateR = () => {
    for (let i = iq - 1; i >= 0; i--) {
      let s = d[i]!;
      for (let j = i + 1; j < iq; j++) s -= R[i * n + j]! * r[j]!;
      r[i] = s / R[i * n + i]!;
    }
  };
  const addConstraint = (): boolean => {
    for (let j = n - 1; j >= iq + 1; j--) {
      let cc = d[j - 1]!;
      let ss = d[j]!;
      const h = hypot(cc, ss);
      if (h === 0) continue;
      d[j] = 0;
      ss /= h;
      cc /= h;
      if (cc < 0) {
        cc = -cc;
        ss = -ss;
        d[j - 1] = -h;
      } else d[j - 1] = h;
      const xny = ss / (1 + cc);
      for (let k = 0; k < n; k++) {
        const t1 = J[k * n + j - 1]!;
        const t2 = J[k * n + j]!;
        J[k * n + j - 1] = t1 * cc + t2 * ss;
        J[k * n + j] = xny * (t1 + J[k * n + j - 1]!) - t2;
      }
    }
    iq++;
    for (let i = 0; i < iq; i++) R[i * n + iq - 1] = d[i]!;
    if (Math.abs(d[iq - 1]!) <= EPS * rNorm) return false;
    rNorm = Math.max(rNorm, Math.abs(d[iq - 1]!));
    return true;
  };
  const deleteConstraint = (l: number) => {
    let qq = -1;
    for (let i = p; i < iq; i++) {
      if (active[i] === l) {
        qq = i;
        break;
      }
    }
    if (qq < 0) throw new Error('qp: deleting a constraint that is not active');
    for (let i = qq; i < iq - 1; i++) {
      active[i] = active[i + 1]!;
      u[i] = u[i + 1]!;
      for (let j = 0; j < n; j++) R[j * n + i] = R[j * n + i + 1]!;
    }
    active[iq - 1] = active[iq]!;
    u[iq - 1] = u[iq]!;
    active[iq] = 0;
    u[iq] = 0;
    for (let j = 0; j < iq; j++) R[j * n + iq - 1] = 0;
    iq--;
    if (iq === 0) return;
    for (let j = qq; j < iq; j++) {
      let cc = R[j * n + j]!;
      let ss = R[(j + 1) * n + j]!;
      const h = hypot(cc, ss);
      if (h === 0) continue;
      cc /= h;
      ss /= h;
      R[(j + 1) * n + j] = 0;
      if (cc < 0) {
        R[j * n + j] = -h;
        cc = -cc;
        ss = -ss;
      } else R[j * n + j] = h;
      const xny = ss / (1 + cc);
      for (let k = j + 1; k < iq; k++) {
        const t1 = R[j * n + k]!;
        const t2 = R[(j + 1) * n + k]!;
        R[j * n + k] = t1 * cc + t2 * ss;
        R[(j + 1) * n + k] = xny * (t1 + R[j * n + k]!) - t2;
      }
      for (let k = 0; k < n; k++) {
        const t1 = J[k * n + j]!;
        const t2 = J[k * n + j + 1]!;
        J[k * n + j] = t1 * cc + t2 * ss;
        J[k * n + j + 1] = xny * (J[k * n + j]! + t1) - t2;
      }
    }
  };
  const dot = (a: Float64Array, b: Float64Array) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += a[i]! * b[i]!;
    return s;
  };
  const infeasible = (iterations: number): QpSolution => ({ status: 'infeasible', x, inequalityMultipliers: ineqMultipliers, equalityMultipliers: eqMultipliers, iterations });

  // Equalities: each added with a full step.
  for (let k = 0; k < p; k++) {
    const { a, c } = eqs[k]!;
    computeD(a);
    updateZ();
    updateR();
    const zn = dot(z, a);
    const t2 = Math.abs(zn) > EPS ? (-dot(a, x) - c) / zn : 0;
    for (let i = 0; i < n; i++) x[i]! += t2 * z[i]!;
    u[iq] = t2;
    for (let i = 0; i < iq; i++) u[i]! -= t2 * r[i]!;
    active[iq] = -k - 1;
    if (!addConstraint()) return infeasible(0); // linearly dependent equalities
  }

  const isActive = new Uint8Array(m);
  const excluded = new Uint8Array(m);
  const slack = (i: number) => dot(ineqs[i]!.a, x) + ineqs[i]!.c;
  const maxIterations = 50 * (n + m + 10);
  let iterations = 0;
  for (;;) {
    if (++iterations > maxIterations) return infeasible(iterations);
    // Step 1: the most violated inequality.
    let worst = -tol;
    let ip = -1;
    for (let i = 0; i < m; i++) {
      if (isActive[i] || excluded[i]) continue;
      const s = slack(i);
      if (s < worst) {
        worst = s;
        ip = i;
      }
    }
    if (ip < 0) break;
    const np = ineqs[ip]!.a;
    u[iq] = 0;
    active[iq] = ip;
    const oldActive = active.slice(0, iq);
    const oldU = u.slice(0, iq);
    const oldX = x.slice();
    const oldIq = iq;
    let sp = worst;
    for (;;) {
      // Step 2a: primal and dual directions.
      computeD(np);
      updateZ();
      updateR();
      // Step 2b: the partial step (an active inequality's multiplier reaching 0) and the full step.
      let t1 = Infinity;
      let l = -1;
      for (let k = p; k < iq; k++) {
        if (r[k]! > 0) {
          const ratio = u[k]! / r[k]!;
          if (ratio < t1) {
            t1 = ratio;
            l = active[k]!;
          }
        }
      }
      const zn = dot(z, np);
      const t2 = Math.abs(dot(z, z)) > EPS ? -sp / zn : Infinity;
      const t = Math.min(t1, t2);
      if (t === Infinity) return infeasible(iterations);
      if (t2 === Infinity) {
        // A step in the dual space only.
        for (let k = 0; k < iq; k++) u[k]! -= t * r[k]!;
        u[iq]! += t;
        isActive[l] = 0;
        deleteConstraint(l);
        continue;
      }
      for (let i = 0; i < n; i++) x[i]! += t * z[i]!;
      for (let k = 0; k < iq; k++) u[k]! -= t * r[k]!;
      u[iq]! += t;
      if (t === t2) {
        // Full step: the constraint becomes active.
        if (!addConstraint()) {
          // Degenerate (dependent on the active set): restore and leave it out this round.
          excluded[ip] = 1;
          for (let k = 0; k < m; k++) isActive[k] = 0;
          iq = oldIq;
          for (let k = 0; k < iq; k++) {
            active[k] = oldActive[k]!;
            u[k] = oldU[k]!;
            if (active[k]! >= 0) isActive[active[k]!] = 1;
          }
          x.set(oldX);
          // J and R were changed: rebuild them from the active set.
          return solveQpRebuilt(problem, excluded);
        }
        isActive[ip] = 1;
        break;
      }
      // Partial step: drop the blocking constraint and go on towards ip.
      isActive[l] = 0;
      deleteConstraint(l);
      sp = slack(ip);
    }
    excluded.fill(0);
  }
  for (let k = 0; k < iq; k++) {
    const a = active[k]!;
    if (a < 0) eqMultipliers[-a - 1] = u[k]!;
    else ineqMultipliers[a] = u[k]!;
  }
  return { status: 'optimal', x, inequalityMultipliers: ineqMultipliers, equalityMultipliers: eqMultipliers, iterations };
}

/**
 * The rare degenerate case (a constraint dependent on the active ones at its full step): solve
 * again without the excluded constraints, then check them; should one be violated, it is
 * reported infeasible (never seen on the negotiation's problems, whose rows are independent).
 */
function solveQpRebuilt(problem: QpProblem, excluded: Uint8Array): QpSolution {
  const kept: QpConstraint[] = [];
  const index: number[] = [];
  (problem.inequalities ?? []).forEach((c, i) => {
    if (!excluded[i]) {
      kept.push(c);
      index.push(i);
    }
  });
  const solution = solveQp({ ...problem, inequalities: kept });
  const multipliers = new Float64Array(problem.inequalities?.length ?? 0);
  index.forEach((i, k) => (multipliers[i] = solution.inequalityMultipliers[k]!));
  const tol = problem.tolerance ?? 1e-12;
  for (let i = 0; i < excluded.length; i++) {
    if (!excluded[i]) continue;
    const c = problem.inequalities![i]!;
    let s = c.c;
    for (let k = 0; k < problem.n; k++) s += c.a[k]! * solution.x[k]!;
    if (s < -10 * tol) return { ...solution, status: 'infeasible', inequalityMultipliers: multipliers };
  }
  return { ...solution, inequalityMultipliers: multipliers };
}

function choleskyLower(H: Float64Array, n: number): Float64Array {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = H[i * n + j]!;
      for (let k = 0; k < j; k++) s -= L[i * n + k]! * L[j * n + k]!;
      if (i === j) {
        if (!(s > 0)) throw new Error('qp: the Hessian is not positive definite');
        L[i * n + i] = Math.sqrt(s);
      } else L[i * n + j] = s / L[j * n + j]!;
    }
  }
  return L;
}
