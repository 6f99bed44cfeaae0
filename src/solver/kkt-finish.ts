/**
 * The exact finish of the outer approximation: from an LP round's basis, the QP's optimum in one
 * more LP, certified by its optimality conditions.
 *
 * The model is  minimise f(x) = Σ_j c_j·x_j + ½·q_j·x_j²  (q_j ≥ 0)
 *               subject to  l ≤ A·x ≤ u,  lo ≤ x ≤ hi.
 * A point x is optimal if and only if (f is convex, the constraints linear) there are row
 * multipliers y and bound multipliers μ with the Karush–Kuhn–Tucker conditions
 *     c_j + q_j·x_j − (Aᵀy)_j − μ_j = 0                          (stationarity)
 *     l ≤ A·x ≤ u,  lo ≤ x ≤ hi                                  (primal feasibility)
 *     y_i ≥ 0 where row i is held at l_i, ≤ 0 where at u_i, 0 where neither;
 *     μ_j ≥ 0 where x_j = lo_j, ≤ 0 where x_j = hi_j, 0 where neither.   (signs, complementarity)
 * (HiGHS's own sign convention for row duals and reduced costs, so that y and μ read as its duals.)
 *
 * Which rows and bounds hold at the optimum is the one thing not linear here. An LP round of the
 * outer approximation proposes it: the model rows and columns that its basis holds at a bound, or
 * holds basic at one (degenerate); its tangent cuts, which only approximate the squares, are left out. With that guess fixed, the
 * conditions above are linear in (x, y, μ), and one LP (zero objective) finds a point satisfying
 * all of them — or reports that none does, and the outer approximation goes on with more cuts.
 * A point it finds satisfies every condition to HiGHS's tolerances: it is the QP's optimum, not an
 * approximation of it, whatever the cuts were.
 *
 * Multipliers go to the LP as parts v ≥ 0 with a sign, one for a signed multiplier and two for a
 * free one (an equality's): a free column would sit at a bound of its box whenever the simplex left
 * it nonbasic, and be refused as a price no market holds.
 *
 * The guess is right once the LP's active set has settled: measured, the 33-bus day's market stage
 * finishes after 8 rounds where the cuts alone take 15, its tie-break stage after 10 where they
 * take 19 and stop short of exact, a warm year window after 3–4 where they take 31–34.
 */
import type { Highs, Model } from 'highs';
import { rowActivities, type LinearModel } from '../problem/model.ts';
import { finite } from './highs-model.ts';

/** HiGHS's basis statuses (its `constants.basisStatus`). */
const AT_LOWER = 0;
const AT_UPPER = 2;
const BASIC = 1;

export interface FinishPoint {
  x: Float64Array;
  /** Row multipliers y (0 on rows not held at a bound), in HiGHS's convention. */
  rowDual: Float64Array;
  objective: number;
  iterations: number;
}

/** Which model rows and columns an LP basis holds at a bound: −1 lower, +1 upper, 0 neither. */
export interface ActiveSet {
  rows: Int8Array;
  cols: Int8Array;
  /**
   * The round's row duals and reduced costs (optional): where a multiplier may take either sign,
   * the part of the sign the round's has starts basic — else each one negative costs a pivot.
   */
  rowDual?: ArrayLike<number>;
  colDual?: ArrayLike<number>;
}

/**
 * A row or column the basis holds basic within this much (relative to 1 + |bound|, the LP's
 * feasibility tolerance) of a bound is degenerate there: active, and counted so. (Measured on the
 * 33-bus day's tie-break stage: without them every attempt was refused, with them the stage
 * finishes at its 10th round instead of running 19 rounds of cuts.)
 */
export const DEGENERATE_TOLERANCE = 1e-9;

/** The active set of the model's rows and columns in a HiGHS basis (`rowOf`: HiGHS row of each model row). */
export function activeSet(
  model: LinearModel,
  basis: { colStatus: ArrayLike<number>; rowStatus: ArrayLike<number> },
  rowOf: readonly number[],
  solution?: { colValue: ArrayLike<number>; colDual: ArrayLike<number>; rowDual: ArrayLike<number> },
): ActiveSet {
  const x = solution?.colValue;
  const side = (status: number) => (status === AT_LOWER ? -1 : status === AT_UPPER ? 1 : 0);
  const rows = new Int8Array(model.numRows);
  for (let i = 0; i < model.numRows; i++) rows[i] = side(basis.rowStatus[rowOf[i]!]!);
  const cols = new Int8Array(model.numCols);
  for (let j = 0; j < model.numCols; j++) cols[j] = side(basis.colStatus[j]!);
  // A degenerate basis leaves some rows and columns basic at a bound: they are active all the same.
  if (x) {
    const at = (value: number, bound: number) => Math.abs(value - bound) <= DEGENERATE_TOLERANCE * (1 + Math.abs(bound));
    const activity = rowActivities(model, x);
    for (let i = 0; i < model.numRows; i++) {
      if (rows[i] !== 0) continue;
      if (at(activity[i]!, model.rowLower[i]!)) rows[i] = -1;
      else if (at(activity[i]!, model.rowUpper[i]!)) rows[i] = 1;
    }
    for (let j = 0; j < model.numCols; j++) {
      if (cols[j] !== 0) continue;
      if (at(x[j]!, model.colLower[j]!)) cols[j] = -1;
      else if (at(x[j]!, model.colUpper[j]!)) cols[j] = 1;
    }
  }
  if (!solution) return { rows, cols };
  return { rows, cols, rowDual: Float64Array.from(rowOf.slice(0, model.numRows), (r) => solution.rowDual[r]!), colDual: solution.colDual };
}

/** A fingerprint of an active set (one character per row and column), to try each guess once. */
export function activeSetKey(active: ActiveSet): string {
  return `${active.rows.join('')}|${active.cols.join('')}`;
}

/**
 * A finite range narrower than this (relative to 1 + |its lower end|) is a hold, not a choice: a
 * tie-break stage holds each column of the first stage's optimal face in a band a few LP
 * tolerances wide (problem/tiebreak.ts). Which end of such a band an LP vertex takes is noise, and
 * so would be the sign its multiplier must have. So a narrow row is held wherever it is and a
 * narrow column fixed mid-range (for a band: at the first stage's optimum), each with a multiplier
 * of either sign, as an equality is. The point found is then exactly optimal with them held there,
 * within the bands' widths times their multipliers of the optimum over the bands. (On the 33-bus
 * day, mid-range or anywhere in the bands moved the dispatch by 1e-6 kW.)
 */
export const NARROW_RANGE = 1e-7;
const narrow = (lower: number, upper: number) => Number.isFinite(lower) && upper - lower <= NARROW_RANGE * (1 + Math.abs(lower));

/**
 * The multipliers' bound: ample for any price these models hold (the LP needs every column
 * bounded; a multiplier at it means the guess is wrong, and the point is refused).
 */
function multiplierBound(model: LinearModel): number {
  let scale = 1;
  for (let j = 0; j < model.numCols; j++) {
    const reach = Math.max(Math.abs(model.colLower[j]!), Math.abs(model.colUpper[j]!));
    scale = Math.max(scale, Math.abs(model.colCost[j]!) + model.colQuad[j]! * reach);
  }
  return 1e6 * scale;
}

/**
 * A right guess starts the finish LP at its optimum (measured: 0–15 iterations on the 33-bus day
 * and the year's windows), and a wrong one is mostly refused within as few; but some wrong guesses
 * send the simplex on a long search (measured on 1,000 buses: 17 s, a quarter of the time limit,
 * for a refusal, where the right guess took 0 iterations). Beyond this many iterations the guess
 * is taken as wrong.
 */
export function finishIterationLimit(numRows: number): number {
  return Math.max(50, Math.ceil(numRows / 1000));
}

/** A multiplier's part: v ≥ 0 of a row's (col −1) or a column's (row −1) multiplier, times `sign`. */
interface Part {
  row: number;
  col: number;
  sign: 1 | -1;
  basic: boolean;
}

/** The finish LP of an active set, passed to the finisher's instance with the round's basis, and how to read its columns. */
interface FinishLp {
  parts: Part[];
  numCols: number;
  numRows: number;
  bound: number;
}

/**
 * Builds the finish LP of `active` in the finisher's instance.
 *
 * `relaxed`: the guess's test instead of its point — the held rows and columns' multipliers of
 * either sign, the rows and columns not held free of their bounds (in a box around them). Its
 * solution shows where the guess is wrong: a multiplier of the wrong sign (a constraint held that
 * the optimum leaves), a bound the point crosses (one it holds that the guess left out).
 */
function passFinishLp(highs: Highs, solver: Finisher, model: LinearModel, active: ActiveSet, relaxed: boolean): FinishLp {
  const n = model.numCols;
  const m = model.numRows;
  // Held: a narrow row (an equality among them) wherever it is in its range, a narrow column at its
  // middle, each with a multiplier of either sign; a wider one where the basis holds it, at that bound.
  const narrowRow = (i: number) => narrow(model.rowLower[i]!, model.rowUpper[i]!);
  const narrowCol = (j: number) => narrow(model.colLower[j]!, model.colUpper[j]!);
  const heldRows: number[] = [];
  for (let i = 0; i < m; i++) if (active.rows[i] !== 0 || narrowRow(i)) heldRows.push(i);
  const heldCols: number[] = [];
  for (let j = 0; j < n; j++) if (active.cols[j] !== 0 || narrowCol(j)) heldCols.push(j);
  const bound = multiplierBound(model);

  // The multipliers, as parts v ≥ 0 of sign s (y = Σ s·v): a row held at its lower bound has
  // y ≥ 0 (one part, s = +1), at its upper bound y ≤ 0 (s = −1); a narrow one either sign (two
  // parts: a free column would sit at a bound of its box whenever the simplex makes it nonbasic).
  const parts: Part[] = [];
  const addParts = (row: number, col: number, side: number, free: boolean, roundDual: number) => {
    // Held by the round (side ≠ 0): its multiplier starts basic — a free one in the part of the
    // round's dual's sign; a narrow one the round left basic starts at zero.
    const basic = side !== 0;
    if (free || side === -1) parts.push({ row, col, sign: 1, basic: basic && !(free && roundDual < 0) });
    if (free || side === 1) parts.push({ row, col, sign: -1, basic: basic && (!free || roundDual < 0) });
  };
  for (const i of heldRows) addParts(i, -1, active.rows[i]!, relaxed || narrowRow(i), active.rowDual?.[i] ?? 0);
  for (const j of heldCols) addParts(-1, j, active.cols[j]!, relaxed || narrowCol(j), active.colDual?.[j] ?? 0);

  // Columns: x (n), then the multipliers' parts.
  const numCols = n + parts.length;
  const colLower = new Float64Array(numCols);
  const colUpper = new Float64Array(numCols);
  for (let j = 0; j < n; j++) {
    const lo = model.colLower[j]!;
    const hi = model.colUpper[j]!;
    if (narrowCol(j)) {
      // Fixed mid-range: for a tie-break's band, at the first stage's optimum.
      colLower[j] = colUpper[j] = 0.5 * (lo + hi);
    } else if (relaxed && active.cols[j] === 0) {
      // Free of its bounds, in a box (every column bounded) wide enough to show it crossing them.
      const reach = 1 + hi - lo;
      colLower[j] = lo - reach;
      colUpper[j] = hi + reach;
    } else {
      // Fixed where the basis holds it; else its range.
      colLower[j] = active.cols[j] === 1 ? hi : lo;
      colUpper[j] = active.cols[j] === -1 ? lo : hi;
    }
  }
  colUpper.fill(bound, n);

  // Rows: the model's (wide held ones at their bound), then stationarity of each column.
  const numRows = m + n;
  const rowLower = new Float64Array(numRows);
  const rowUpper = new Float64Array(numRows);
  for (let i = 0; i < m; i++) {
    const wide = !narrowRow(i);
    if (relaxed && wide && active.rows[i] === 0) {
      rowLower[i] = -Infinity;
      rowUpper[i] = Infinity;
      continue;
    }
    rowLower[i] = wide && active.rows[i] === 1 ? model.rowUpper[i]! : model.rowLower[i]!;
    rowUpper[i] = wide && active.rows[i] === -1 ? model.rowLower[i]! : model.rowUpper[i]!;
  }
  for (let j = 0; j < n; j++) rowLower[m + j] = rowUpper[m + j] = -model.colCost[j]!;
  // Stationarity rows in CSR: q_j·x_j − Σ_i A_ij·y_i − μ_j = −c_j, y and μ by their parts.
  const transposed: { col: number; value: number }[][] = Array.from({ length: n }, () => []);
  parts.forEach(({ row, col, sign }, k) => {
    if (col >= 0) {
      transposed[col]!.push({ col: n + k, value: -sign });
      return;
    }
    for (let p = model.rowStarts[row]!; p < model.rowStarts[row + 1]!; p++) transposed[model.colIndex[p]!]!.push({ col: n + k, value: -sign * model.values[p]! });
  });
  const nnz = model.rowStarts[m]! + n + transposed.reduce((s, t) => s + t.length, 0);
  const starts = new Int32Array(numRows + 1);
  const indices = new Int32Array(nnz);
  const values = new Float64Array(nnz);
  // The model's rows as they are.
  let p = model.rowStarts[m]!;
  starts.set(model.rowStarts.subarray(0, m + 1));
  indices.set(model.colIndex.subarray(0, p));
  values.set(model.values.subarray(0, p));
  for (let j = 0; j < n; j++) {
    if (model.colQuad[j] !== 0) {
      indices[p] = j;
      values[p++] = model.colQuad[j]!;
    }
    for (const { col, value } of transposed[j]!) {
      indices[p] = col;
      values[p++] = value;
    }
    starts[m + j + 1] = p;
  }

  // One HiGHS instance per session, reused: creating one (its options, its solver) costs more
  // than solving these systems.
  const lp = solver.lp;
  lp.passModel({
    numCols,
    numRows,
    offset: 0,
    colCost: new Float64Array(numCols),
    colLower,
    colUpper,
    rowLower: finite(highs, rowLower),
    rowUpper: finite(highs, rowUpper),
    matrix: { format: 'csr', numRows, numCols, starts, indices: indices.subarray(0, p), values: values.subarray(0, p) },
  });
  // The LP round's basis, carried over: what it holds at a bound stays there, the multipliers are
  // basic (a free one's part of the sign of the round's dual). When the guess is right this basis
  // is optimal (feasible) as it is, and HiGHS only factors it: measured on the 33-bus day, 1–15
  // iterations and 3–6 ms, where parts of the wrong sign took some 540 iterations and 50 ms.
  const basis = startingBasis(n, m, parts, active, model);
  if (basis) {
    try {
      lp.setBasis(basis);
    } catch {
      lp.setLogicalBasis();
    }
  }
  return { parts, numCols, numRows, bound };
}

/** Runs the finish LP passed; its solution's columns, or undefined when it has none (or one at the multipliers' bound). */
function runFinishLp(highs: Highs, solver: Finisher, lp: FinishLp, timeLimitSeconds: number, iterationLimit: number, label: string): { z: Float64Array; iterations: number } | undefined {
  const handle = solver.lp;
  handle.options.set({ time_limit: Math.max(0.01, timeLimitSeconds), simplex_iteration_limit: iterationLimit });
  const { modelStatus } = handle.run();
  const iterations = Number(handle.info.get('simplex_iteration_count'));
  if (globalThis.process?.env.P2PMARKET_TRACE_CUTS) console.error(`  ${label}: ${lp.numCols} columns, ${lp.numRows} rows, ${iterations} iterations, model status ${modelStatus}`);
  const statuses = highs.constants.modelStatus;
  solver.lastOutcome = modelStatus === statuses.optimal ? 'solved' : modelStatus === statuses.infeasible ? 'infeasible' : 'unsettled';
  if (modelStatus !== statuses.optimal) return undefined;
  const z = handle.getSolution().colValue;
  // A multiplier at its artificial bound: the guess needed more than any price; refused.
  for (let k = lp.numCols - lp.parts.length; k < lp.numCols; k++) if (z[k]! >= 0.5 * lp.bound) return undefined;
  return { z, iterations };
}

/**
 * The QP's optimum on the given active set, or undefined when the conditions cannot all hold
 * there (a wrong guess) or HiGHS does not settle it within the time limit.
 */
export function finishOnActiveSet(highs: Highs, solver: Finisher, model: LinearModel, active: ActiveSet, timeLimitSeconds: number): FinishPoint | undefined {
  const n = model.numCols;
  try {
    const lp = passFinishLp(highs, solver, model, active, false);
    const solved = runFinishLp(highs, solver, lp, timeLimitSeconds, finishIterationLimit(lp.numRows), 'finish LP');
    if (!solved) return undefined;
    const { z } = solved;
    const x = Float64Array.from(z.subarray(0, n));
    const rowDual = new Float64Array(model.numRows);
    lp.parts.forEach(({ row, sign }, k) => {
      if (row >= 0) rowDual[row] = rowDual[row]! + sign * z[n + k]!;
    });
    let objective = model.objectiveOffset;
    for (let j = 0; j < n; j++) objective += model.colCost[j]! * x[j]! + 0.5 * model.colQuad[j]! * x[j]! ** 2;
    return { x, rowDual, objective, iterations: solved.iterations };
  } finally {
    // The instance outlives the solve: it keeps no model (on 1,000 buses, some 300 MB) between finishes.
    solver.lp.clearModel();
  }
}

/**
 * A refused guess corrected, as a primal–dual active-set step: the optimality conditions with the
 * guess's rows and columns held but their multipliers' signs free, and the others free of their
 * bounds (one LP). Where the solution's multiplier has the wrong sign the constraint is let go;
 * where its point crosses a bound the guess left out, that bound is held. Undefined when that
 * system has no solution or nothing is to change. (Measured on the year's windows: refused guesses
 * differed from the optimum's by 1–3 columns, for up to 13 more rounds of cuts.)
 */
export function correctedActiveSet(highs: Highs, solver: Finisher, model: LinearModel, active: ActiveSet, timeLimitSeconds: number): ActiveSet | undefined {
  const n = model.numCols;
  const m = model.numRows;
  try {
    const lp = passFinishLp(highs, solver, model, active, true);
    const solved = runFinishLp(highs, solver, lp, timeLimitSeconds, CORRECTION_ITERATION_GROWTH * finishIterationLimit(lp.numRows), 'correction LP');
    if (!solved) return undefined;
    const { z } = solved;
    const rowMultiplier = new Float64Array(m);
    const colMultiplier = new Float64Array(n);
    lp.parts.forEach(({ row, col, sign }, k) => {
      if (row >= 0) rowMultiplier[row] = rowMultiplier[row]! + sign * z[n + k]!;
      else colMultiplier[col] = colMultiplier[col]! + sign * z[n + k]!;
    });
    // Held at its lower bound a multiplier must be ≥ 0, at its upper ≤ 0 (HiGHS's convention).
    const wrongSign = (side: number, multiplier: number) => side * multiplier > SIGN_TOLERANCE;
    const crossed = (value: number, lower: number, upper: number) =>
      value < lower - DEGENERATE_TOLERANCE * (1 + Math.abs(lower)) ? -1 : value > upper + DEGENERATE_TOLERANCE * (1 + Math.abs(upper)) ? 1 : 0;
    /** Each held side kept unless its multiplier has the wrong sign; each free one held where the point crosses it. */
    let changed = 0;
    const corrected = (sides: Int8Array, multiplier: Float64Array, value: ArrayLike<number>, lower: Float64Array, upper: Float64Array) =>
      sides.map((side, k) => {
        if (narrow(lower[k]!, upper[k]!)) return side;
        const next = side !== 0 ? (wrongSign(side, multiplier[k]!) ? 0 : side) : crossed(value[k]!, lower[k]!, upper[k]!);
        if (next !== side) changed++;
        return next;
      });
    const cols = corrected(active.cols, colMultiplier, z, model.colLower, model.colUpper);
    const rows = corrected(active.rows, rowMultiplier, rowActivities(model, z), model.rowLower, model.rowUpper);
    if (changed === 0) return undefined;
    return { rows, cols, rowDual: rowMultiplier, colDual: colMultiplier };
  } finally {
    solver.lp.clearModel();
  }
}

/**
 * The correction LP starts farther from its solution than a finish LP from a right guess (its
 * multipliers free, its columns free of their bounds), so it may take this many times the
 * iterations. (Measured on the 33-bus day: 80–130 iterations where the corrected guess finishes;
 * with 50 it was cut off at every attempt.)
 */
export const CORRECTION_ITERATION_GROWTH = 4;

/** A multiplier beyond this, of the sign its bound forbids, is wrong (HiGHS's dual tolerance is 1e-9). */
const SIGN_TOLERANCE = 1e-7;

/**
 * The basis of the finish LP that the active set implies: x basic unless a wide column held at a
 * bound, the multipliers' parts basic where the round held their row or column (the second part of
 * a narrow one's, and those of a narrow one the round left basic, at zero), the held rows and the
 * stationarity rows at their bound, the other rows basic. Undefined when it does not have one basic
 * variable per row.
 */
function startingBasis(n: number, m: number, parts: readonly { basic: boolean }[], active: ActiveSet, model: LinearModel): { colStatus: Int32Array; rowStatus: Int32Array } | undefined {
  const colStatus = new Int32Array(n + parts.length).fill(BASIC);
  let basic = n;
  for (let j = 0; j < n; j++) {
    if (active.cols[j] === 0) continue;
    colStatus[j] = active.cols[j] === 1 ? AT_UPPER : AT_LOWER;
    basic--;
  }
  parts.forEach((part, k) => {
    if (part.basic) basic++;
    else colStatus[n + k] = AT_LOWER;
  });
  const rowStatus = new Int32Array(m + n).fill(AT_LOWER);
  for (let i = 0; i < m; i++) {
    if (active.rows[i] === 1) rowStatus[i] = AT_UPPER;
    else if (active.rows[i] === 0 && model.rowLower[i] !== model.rowUpper[i]) {
      rowStatus[i] = BASIC;
      basic++;
    }
  }
  return basic === m + n ? { colStatus, rowStatus } : undefined;
}

/** A HiGHS instance kept for the finishes of one session. */
export class Finisher {
  private model: Model | undefined;
  /**
   * How its last LP ended: solved; infeasible (a guess proven wrong, which a correction can
   * mend); or unsettled (an iteration or time limit: a guess too far off to be worth correcting).
   */
  lastOutcome: 'solved' | 'infeasible' | 'unsettled' = 'solved';
  constructor(
    private readonly highs: Highs,
    private readonly tolerance: number,
  ) {}

  get lp(): Model {
    if (!this.model) {
      this.model = this.highs.createModel();
      this.model.options.set({ output_flag: false, presolve: 'off', simplex_strategy: 4, primal_feasibility_tolerance: this.tolerance, dual_feasibility_tolerance: this.tolerance });
    }
    return this.model;
  }

  dispose(): void {
    this.model?.dispose();
    this.model = undefined;
  }
}
