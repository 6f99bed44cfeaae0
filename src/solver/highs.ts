/**
 * The HiGHS backend (the `highs` package: HiGHS compiled to WebAssembly), through its
 * structured persistent API.
 *
 * Linear models go to the dual simplex as they are. Quadratic models — whose quadratic part
 * is always separable, ½·q_j·x_j² — are solved by outer approximation: each square is
 * replaced by an epigraph column z_j ≥ ½·q_j·x_j², represented by tangent cuts
 *     z_j ≥ q_j·x̂·x_j − ½·q_j·x̂²,
 * and the LP is re-solved (warm, from the previous basis) with a cut added at every point
 * where the approximation is too low, until the approximation error at the LP's solution is
 * below `GAP_TOLERANCE` of the objective. Each LP objective is a lower bound of the QP's optimum
 * and the true objective at each LP solution an upper bound, so the result is the exact
 * optimum up to that gap. (HiGHS's own active-set QP solver was tried first: on these
 * models it reported bounded problems as unbounded or ran to its time limit.)
 */
import * as highsPackage from 'highs';
import type { Highs, Model, ModelData } from 'highs';
import type { LinearModel } from '../problem/model.ts';
import type { Conflict, SolveOptions, SolveOutcome, SolverAdapter, SolveStatus } from './adapter.ts';

/**
 * A square is cut again while its epigraph lies below it by more than this share of its value
 * plus the LP's feasibility tolerance, unless the LP's point already lies this close to one of
 * its tangent points (relative to 1 + |x|): there the cuts are exact, and nearly parallel cuts
 * would only make the LP degenerate. When no square needs a cut, the LP's point is the QP's
 * optimum to within those amounts.
 */
export const CUT_RELATIVE_TOLERANCE = 1e-12;
export const CUT_POINT_TOLERANCE = 1e-8;
/** HiGHS's primal and dual feasibility tolerances (its default is 1e-7). */
export const LP_TOLERANCE = 1e-9;
/** Give up (status `error`) after this many LP rounds. */
export const MAX_ROUNDS = 500;

let runtime: Promise<Highs> | undefined;

type Loader = () => Promise<Highs>;
/**
 * The package's type declarations are read as CommonJS (its default export then sits one
 * level down), while Node loads its ES module, whose default export is the loader itself.
 */
function highsLoader(): Loader {
  const exported = highsPackage.default as unknown as Loader | { default: Loader };
  return typeof exported === 'function' ? exported : exported.default;
}

/** The WebAssembly runtime, loaded once per process (or worker). */
export function highsRuntime(): Promise<Highs> {
  runtime ??= highsLoader()();
  return runtime;
}

export async function createHighsAdapter(): Promise<SolverAdapter> {
  const highs = await highsRuntime();
  return {
    name: 'highs',
    quadratic: true,
    solve: (model, options) => solveWithHighs(highs, model, options),
  };
}

const STATUS: Partial<Record<number, SolveStatus>> = { 7: 'optimal', 8: 'infeasible', 9: 'infeasible', 13: 'time_limit' };

/**
 * The LP part of the model, plus one epigraph column per quadratic column (appended after the
 * model's columns), with cost 1 and bounds [0, max of ½·q·x² over the column's range].
 */
function lpData(highs: Highs, model: LinearModel, quadCols: number[], withObjective = true): ModelData {
  const numCols = model.numCols + quadCols.length;
  const widen = (values: Float64Array, extra: (j: number) => number) => {
    const out = new Float64Array(numCols);
    out.set(values);
    quadCols.forEach((j, k) => (out[model.numCols + k] = extra(j)));
    return out;
  };
  const zMax = (j: number) => 0.5 * model.colQuad[j]! * Math.max(model.colLower[j]! ** 2, model.colUpper[j]! ** 2);
  const starts = model.rowStarts;
  return {
    numCols,
    numRows: model.numRows,
    offset: withObjective ? model.objectiveOffset : 0,
    colCost: withObjective ? widen(model.colCost, () => 1) : new Float64Array(numCols),
    colLower: widen(model.colLower, () => 0),
    colUpper: widen(model.colUpper, zMax),
    rowLower: model.rowLower.map((v) => (v === -Infinity ? -highs.infinity : v)),
    rowUpper: model.rowUpper.map((v) => (v === Infinity ? highs.infinity : v)),
    matrix: { format: 'csr', numRows: model.numRows, numCols, starts, indices: model.colIndex, values: model.values },
  };
}

function solveWithHighs(highs: Highs, model: LinearModel, options: SolveOptions): SolveOutcome {
  const started = performance.now();
  const elapsedSeconds = () => (performance.now() - started) / 1000;
  const quadCols: number[] = [];
  for (let j = 0; j < model.numCols; j++) if (model.colQuad[j] !== 0) quadCols.push(j);

  let handle: Model | undefined;
  let iterations = 0;
  const finish = (outcome: Omit<SolveOutcome, 'iterations' | 'solveMs'>): SolveOutcome => ({
    ...outcome,
    iterations,
    solveMs: performance.now() - started,
  });
  try {
    handle = highs.createModel(lpData(highs, model, quadCols));
    handle.options.set({
      output_flag: false,
      solver: 'simplex',
      primal_feasibility_tolerance: LP_TOLERANCE,
      dual_feasibility_tolerance: LP_TOLERANCE,
    });
    // Every cut row, in the order added after the model's rows: which square, and where.
    const cutRows: CutPoint[] = initialCutPoints(model, quadCols, options.cutPoints);
    addCuts(highs, handle, model, quadCols, cutRows);
    const tangentPoints = quadCols.map(() => [] as number[]);
    for (const { k, at } of cutRows) tangentPoints[k]!.push(at);
    const atTangent = (k: number, v: number) =>
      tangentPoints[k]!.some((at) => Math.abs(at - v) <= CUT_POINT_TOLERANCE * (1 + Math.abs(v)));
    for (let round = 1; ; round++) {
      const remaining = options.timeLimitSeconds - elapsedSeconds();
      if (remaining <= 0) return finish({ status: 'time_limit', message: `time limit after ${round - 1} rounds` });
      // HiGHS measures its time limit over every run of a model: restart its clock.
      handle.zeroAllClocks();
      handle.options.set({ time_limit: remaining });
      const { modelStatus } = handle.run();
      iterations += Number(handle.info.get('simplex_iteration_count'));
      const status = STATUS[modelStatus] ?? 'error';
      if (status === 'infeasible') return finish({ status, conflict: findConflict(highs, model) });
      if (status !== 'optimal') return finish({ status, message: `HiGHS ended with model status ${modelStatus}` });

      const solution = handle.getSolution();
      const x = solution.colValue;
      // Cut every square whose epigraph lies too low at the LP's solution.
      let gap = 0;
      const cutCols: number[] = [];
      quadCols.forEach((j, k) => {
        const square = 0.5 * model.colQuad[j]! * x[j]! ** 2;
        const below = square - x[model.numCols + k]!;
        if (below > 0) gap += below;
        if (below > CUT_RELATIVE_TOLERANCE * square + LP_TOLERANCE && !atTangent(k, x[j]!)) cutCols.push(k);
      });
      if (process.env.P2PMARKET_TRACE_CUTS) console.error(`round ${round}: gap ${gap}, ${cutCols.length} cuts, ${handle.info.get('simplex_iteration_count')} iterations`);
      const lowerBound = handle.getObjectiveValue();
      if (cutCols.length === 0) {
        return finish({
          status: 'optimal',
          x: x.slice(0, model.numCols),
          rowDual: solution.rowDual.slice(0, model.numRows),
          objective: lowerBound + gap,
          message: `${round} LP round${round > 1 ? 's' : ''}`,
        });
      }
      if (round >= MAX_ROUNDS) return finish({ status: 'error', message: `no convergence after ${MAX_ROUNDS} rounds (gap ${gap})` });
      const cuts = newCuts(model, quadCols, cutCols, cutRows, x, solution.rowDual);
      addCuts(highs, handle, model, quadCols, cuts);
      cutRows.push(...cuts);
      for (const { k, at } of cuts) tangentPoints[k]!.push(at);
    }
  } catch (e) {
    return finish({ status: 'error', message: `HiGHS: ${(e as Error).message}` });
  } finally {
    handle?.dispose();
  }
}

/**
 * Where to cut next: at the LP's point x_j (Kelley's cut, which cuts it off) and at the point
 * where the square's slope equals the marginal price the rest of the problem puts on x_j —
 * the dual-weighted mean of the tangent points of the cuts that hold z_j up. The second is a
 * Newton-like step that brings the optimum within a few rounds.
 */
function newCuts(
  model: LinearModel,
  quadCols: number[],
  cutCols: number[],
  cutRows: CutPoint[],
  x: Float64Array,
  rowDual: Float64Array,
): CutPoint[] {
  const weight = new Float64Array(quadCols.length);
  const weighted = new Float64Array(quadCols.length);
  cutRows.forEach(({ k, at }, r) => {
    const dual = Math.abs(rowDual[model.numRows + r]!);
    weight[k]! += dual;
    weighted[k]! += dual * at;
  });
  return cutCols.flatMap((k) => {
    const at = x[quadCols[k]!]!;
    const cuts = [{ k, at }];
    if (weight[k]! > 0) {
      const j = quadCols[k]!;
      const priced = Math.min(model.colUpper[j]!, Math.max(model.colLower[j]!, weighted[k]! / weight[k]!));
      if (Math.abs(priced - at) > 1e-9 * (1 + Math.abs(at))) cuts.push({ k, at: priced });
    }
    return cuts;
  });
}

interface CutPoint {
  /** Index into the quadratic columns. */
  k: number;
  /** x̂, where the tangent touches. */
  at: number;
}

/**
 * The first cuts: at the caller's points (a previous solution) when given, otherwise on a
 * geometric grid ±2^m over each square's range, so that the first LP already sees the curve.
 */
function initialCutPoints(model: LinearModel, quadCols: number[], points: Float64Array | undefined): CutPoint[] {
  const cuts: CutPoint[] = [];
  quadCols.forEach((j, k) => {
    const lo = model.colLower[j]!;
    const hi = model.colUpper[j]!;
    if (points) {
      cuts.push({ k, at: Math.min(hi, Math.max(lo, points[j]!)) });
      return;
    }
    for (let m = -2; m <= 40 && 2 ** m <= Math.max(-lo, hi); m++) {
      if (2 ** m <= hi) cuts.push({ k, at: 2 ** m });
      if (-(2 ** m) >= lo) cuts.push({ k, at: -(2 ** m) });
    }
  });
  return cuts;
}

/** Tangent cuts z_k − q_j·x̂·x_j ≥ −½·q_j·x̂². */
function addCuts(highs: Highs, handle: Model, model: LinearModel, quadCols: number[], cuts: CutPoint[]): void {
  if (cuts.length === 0) return;
  const starts = new Int32Array(cuts.length + 1);
  const indices = new Int32Array(2 * cuts.length);
  const values = new Float64Array(2 * cuts.length);
  const lower = new Float64Array(cuts.length);
  const upper = new Float64Array(cuts.length).fill(highs.infinity);
  cuts.forEach(({ k, at }, r) => {
    const j = quadCols[k]!;
    const q = model.colQuad[j]!;
    starts[r + 1] = 2 * (r + 1);
    indices[2 * r] = j;
    values[2 * r] = -q * at;
    indices[2 * r + 1] = model.numCols + k;
    values[2 * r + 1] = 1;
    lower[r] = -0.5 * q * at * at;
  });
  handle.addRows({
    lower,
    upper,
    matrix: { format: 'csr', numRows: cuts.length, numCols: model.numCols + quadCols.length, starts, indices, values },
  });
}

/** An irreducible infeasible subset of the constraints (of the LP part; the objective plays no role). */
function findConflict(highs: Highs, model: LinearModel): Conflict | undefined {
  return highs.withModel(lpData(highs, model, [], false), (lp) => {
    // Irreducible (4) subset found from the LP (2).
    lp.options.set({ output_flag: false, time_limit: 10, iis_strategy: 6 });
    try {
      const iis = lp.getIis();
      const codes = highs.constants.iis;
      const side = (code: number) => (code === codes.boundLower ? 'lower' : code === codes.boundUpper ? 'upper' : undefined);
      const conflict: Conflict = {
        cols: Array.from(iis.colIndex, (index, k) => ({ index, side: side(iis.colBound[k]!) })),
        rows: Array.from(iis.rowIndex, (index, k) => ({ index, side: side(iis.rowBound[k]!) })),
      };
      return conflict.cols.length + conflict.rows.length > 0 ? conflict : undefined;
    } catch {
      return undefined;
    }
  });
}
