/**
 * (Objectives agree to 1e-8 of their size: HiGHS's outer approximation of the squares and its
 * 1e-9 feasibility tolerance leave it that close.)
 *
 * The negotiation's QP solver (src/admm/qp.ts) against HiGHS on the same models: random
 * batteries (box, state-of-charge bounds on prefix sums, a return-to-initial equality) with
 * diagonal Hessians, and random projections onto polytopes with a dense identity Hessian.
 */
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { solveQp, type QpConstraint } from '../src/admm/qp.ts';
import { solverAdapter } from '../src/market/clear.ts';
import { ModelBuilder, objectiveValue, type Entry } from '../src/problem/model.ts';
import { solveOnce } from '../src/solver/adapter.ts';

describe('the Goldfarb–Idnani solver', async () => {
  const highs = await solverAdapter('highs');

  /** Solves min ½xᵀdiag(h)x + gᵀx with rows lo ≤ a·x ≤ hi by HiGHS (outer approximation) for comparison. */
  function byHighs(h: number[], g: number[], rows: { a: number[]; lo: number; hi: number }[], bounds: [number, number][]) {
    const mb = new ModelBuilder();
    const cols = h.map((q, i) => mb.addCol({ kind: 'batteryPower', agent: 'q', step: i }, bounds[i]![0], bounds[i]![1], g[i]!, q));
    rows.forEach((row, k) => mb.addRow({ kind: 'batteryDynamics', agent: 'q', step: k }, row.lo, row.hi, row.a.flatMap((c, i): Entry[] => (c === 0 ? [] : [[cols[i]!, c]]))));
    const model = mb.build();
    const outcome = solveOnce(highs, model, { timeLimitSeconds: 10 });
    return { status: outcome.status, objective: outcome.x ? objectiveValue(model, outcome.x) : NaN };
  }

  it('finds HiGHS\'s optimum on 300 random battery problems', () => {
    const random = seedrandom('admm qp');
    const u = (lo: number, hi: number) => lo + (hi - lo) * random();
    let compared = 0;
    for (let trial = 0; trial < 300; trial++) {
      const T = 1 + Math.floor(u(0, 24));
      const dt = [0.5, 1, 4][trial % 3]!;
      const h = Array.from({ length: T }, () => u(0.01, 5));
      const g = Array.from({ length: T }, () => u(-40, 40));
      const lo = Array.from({ length: T }, () => -u(0, 10));
      const hi = Array.from({ length: T }, () => u(0, 10));
      const [emin, emax] = [u(0, 5), u(6, 20)];
      const e0 = u(emin, emax);
      const returns = random() < 0.5;
      const inequalities: QpConstraint[] = [];
      const equalities: QpConstraint[] = [];
      const rows: { a: number[]; lo: number; hi: number }[] = [];
      for (let t = 0; t < T; t++) {
        const a = new Float64Array(T);
        a[t] = 1;
        inequalities.push({ a, c: -lo[t]! }, { a: a.map((v) => -v), c: hi[t]! });
        const prefix = Array.from({ length: T }, (_, k) => (k <= t ? 1 : 0));
        const norm = Math.sqrt(t + 1);
        if (t === T - 1 && returns) {
          equalities.push({ a: Float64Array.from(prefix, (v) => v / norm), c: 0 });
          rows.push({ a: prefix, lo: 0, hi: 0 });
        } else {
          // emin ≤ e0 − dt·Σb ≤ emax  ⇔  (e0 − emin)/dt − Σb ≥ 0 and Σb − (e0 − emax)/dt ≥ 0
          inequalities.push({ a: Float64Array.from(prefix, (v) => -v / norm), c: (e0 - emin) / dt / norm }, { a: Float64Array.from(prefix, (v) => v / norm), c: -(e0 - emax) / dt / norm });
          rows.push({ a: prefix, lo: (e0 - emax) / dt, hi: (e0 - emin) / dt });
        }
      }
      const mine = solveQp({ n: T, hessianDiagonal: Float64Array.from(h), g: Float64Array.from(g), inequalities, equalities });
      const reference = byHighs(h, g, rows, lo.map((l, t) => [l, hi[t]!]));
      expect(mine.status).toBe(reference.status === 'optimal' ? 'optimal' : 'infeasible');
      if (reference.status !== 'optimal') continue;
      compared++;
      const value = mine.x.reduce((s, x, i) => s + 0.5 * h[i]! * x * x + g[i]! * x, 0);
      expect(Math.abs(value - reference.objective)).toBeLessThan(1e-8 * Math.max(1, Math.abs(reference.objective)));
      // Feasible to rounding.
      for (const c of inequalities) expect(c.a.reduce((s, a, i) => s + a * mine.x[i]!, c.c)).toBeGreaterThanOrEqual(-1e-9);
      for (const c of equalities) expect(Math.abs(c.a.reduce((s, a, i) => s + a * mine.x[i]!, c.c))).toBeLessThan(1e-9);
    }
    expect(compared).toBeGreaterThan(200);
  });

  it('projects onto random polytopes as HiGHS does (identity Hessian, dense rows, multipliers that price them)', () => {
    const random = seedrandom('admm projection');
    const u = (lo: number, hi: number) => lo + (hi - lo) * random();
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(u(0, 12));
      const q = Array.from({ length: n }, () => u(-50, 50));
      const centre = Array.from({ length: n }, () => u(-10, 10));
      const rows = Array.from({ length: Math.floor(u(1, 2 * n + 2)) }, () => {
        const a = Array.from({ length: n }, () => (random() < 0.4 ? 0 : u(-1, 1)));
        const mid = a.reduce((s, c, i) => s + c * centre[i]!, 0);
        return { a, lo: mid - u(0, 20), hi: mid + u(0, 20) };
      });
      const inequalities: QpConstraint[] = rows.flatMap(({ a, lo, hi }) => [{ a: Float64Array.from(a), c: -lo }, { a: Float64Array.from(a, (v) => -v), c: hi }]);
      const H = new Float64Array(n * n);
      for (let i = 0; i < n; i++) H[i * n + i] = 1;
      const mine = solveQp({ n, hessian: H, g: Float64Array.from(q, (v) => -v), inequalities });
      const reference = byHighs(q.map(() => 1), q.map((v) => -v), rows, q.map(() => [-1e6, 1e6]));
      expect(reference.status).toBe('optimal'); // every polytope holds its centre
      expect(mine.status).toBe('optimal');
      const value = mine.x.reduce((s, x, i) => s + 0.5 * x * x - q[i]! * x, 0);
      expect(Math.abs(value - reference.objective)).toBeLessThan(1e-8 * Math.max(1, Math.abs(reference.objective)));
      // Stationarity: x − q = Σ multiplier·a (the multipliers are the constraints' prices).
      for (let i = 0; i < n; i++) {
        const pull = inequalities.reduce((s, c, k) => s + mine.inequalityMultipliers[k]! * c.a[i]!, 0);
        expect(mine.x[i]! - q[i]!).toBeCloseTo(pull, 7);
      }
    }
  });
});
