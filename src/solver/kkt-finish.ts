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
  if (x) holdAtBounds(model, x, rows, cols);
  if (!solution) return { rows, cols };
  return { rows, cols, rowDual: Float64Array.from(rowOf.slice(0, model.numRows), (r) => solution.rowDual[r]!), colDual: solution.colDual };
}

/** Marks the rows and columns not yet held (0) that `x` has at a bound (within DEGENERATE_TOLERANCE). */
function holdAtBounds(model: LinearModel, x: ArrayLike<number>, rows: Int8Array, cols: Int8Array): void {
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

/**
 * The active set a point implies, without a basis: the rows and columns it holds at a bound. A
 * rolling window's guess from the previous window's optimum shifted by a step, which is exact at
 * its bounds (a finish holds them exactly).
 */
export function activeSetAt(model: LinearModel, x: ArrayLike<number>, rowDual?: ArrayLike<number>): ActiveSet {
  const rows = new Int8Array(model.numRows);
  const cols = new Int8Array(model.numCols);
  holdAtBounds(model, x, rows, cols);
  // Narrow rows are held wherever the point is (an equality the shifted point breaks included):
  // held, each has a multiplier part basic, so the starting basis has one basic variable per row.
  for (let i = 0; i < model.numRows; i++) if (rows[i] === 0 && narrow(model.rowLower[i]!, model.rowUpper[i]!)) rows[i] = -1;
  if (!rowDual) return { rows, cols };
  // The columns' multipliers that go with the rows' duals: μ = c + q·x − Aᵀy (stationarity).
  const colDual = new Float64Array(model.numCols);
  for (let j = 0; j < model.numCols; j++) colDual[j] = model.colCost[j]! + model.colQuad[j]! * x[j]!;
  for (let i = 0; i < model.numRows; i++) {
    const y = rowDual[i]!;
    if (y !== 0) for (let k = model.rowStarts[i]!; k < model.rowStarts[i + 1]!; k++) colDual[model.colIndex[k]!]! -= model.values[k]! * y;
  }
  return { rows, cols, rowDual: Float64Array.from(rowDual), colDual };
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
 * and on winter nights of the year, 40–130 on its spring and summer windows, up to some 600 on
 * its hard ones), and a wrong one is mostly refused within as few; but some wrong guesses send
 * the simplex on a long search (measured on 1,000 buses: 17 s, a quarter of the time limit, for a
 * refusal, where the right guess took 0 iterations). Beyond this many iterations the guess is
 * taken as wrong: 1,000 on models up to FULL_LIMIT_ROWS rows, where an iteration costs some 0.05
 * ms; on larger ones 200, or one per thousand rows. (Measured on the year's first 100 windows,
 * in one session: 27 s with 1,000 (3,000 the same), 31 s with 200, 46–50 s with 50: cut off, right
 * guesses were refused, and their windows went on to 5–22 LP rounds.)
 */
const FULL_LIMIT_ROWS = 20_000;
export function finishIterationLimit(numRows: number, patient = false): number {
  return patient && numRows <= FULL_LIMIT_ROWS ? 1000 : Math.max(200, Math.ceil(numRows / 1000));
}

/**
 * The finish LP of a model, kept in HiGHS between guesses: every multiplier that any guess could
 * use is a pair of columns (its positive and negative parts, each ≥ 0), and a guess only sets
 * bounds — the parts of a constraint it does not hold, or of the wrong sign, fixed at 0; the rows
 * and columns it holds at their bound. So one model (passed once per model structure) serves every
 * guess, correction and rolling window: measured on the year's windows, passing a model had cost
 * a good part of each finish LP.
 *
 * Columns: x (n), then the parts of row i's multiplier at n + 2i (positive) and n + 2i + 1
 * (negative), then those of column j's at n + 2m + 2j and n + 2m + 2j + 1.
 * Rows: the model's (m), then the stationarity of each column (n):
 *     q_j·x_j − Σ_i A_ij·(y⁺_i − y⁻_i) − (μ⁺_j − μ⁻_j) = −c_j.
 */
interface Posed {
  numCols: number;
  numRows: number;
  bound: number;
}

const rowPart = (n: number, i: number) => n + 2 * i;
const colPart = (n: number, m: number, j: number) => n + 2 * m + 2 * j;

/** The finish LP's matrix (CSR) of a model. */
function finishMatrix(model: LinearModel): { starts: Int32Array; indices: Int32Array; values: Float64Array } {
  const n = model.numCols;
  const m = model.numRows;
  const modelNnz = model.rowStarts[m]!;
  // Entries per stationarity row: q_j (if any), one per model entry in column j times two parts, two for μ_j.
  const count = new Int32Array(n);
  for (let k = 0; k < modelNnz; k++) count[model.colIndex[k]!]! += 2;
  let nnz = modelNnz;
  for (let j = 0; j < n; j++) nnz += count[j]! + 2 + (model.colQuad[j] !== 0 ? 1 : 0);
  const starts = new Int32Array(m + n + 1);
  const indices = new Int32Array(nnz);
  const values = new Float64Array(nnz);
  starts.set(model.rowStarts.subarray(0, m + 1));
  indices.set(model.colIndex.subarray(0, modelNnz));
  values.set(model.values.subarray(0, modelNnz));
  // Row starts of the stationarity rows, then their entries filled row by row of the model.
  let p = modelNnz;
  const next = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    starts[m + j] = p;
    if (model.colQuad[j] !== 0) {
      indices[p] = j;
      values[p++] = model.colQuad[j]!;
    }
    next[j] = p;
    p += count[j]!;
    indices[p] = colPart(n, m, j);
    values[p++] = -1;
    indices[p] = colPart(n, m, j) + 1;
    values[p++] = 1;
  }
  starts[m + n] = p;
  for (let i = 0; i < m; i++) {
    for (let k = model.rowStarts[i]!; k < model.rowStarts[i + 1]!; k++) {
      const j = model.colIndex[k]!;
      const at = next[j]!;
      indices[at] = rowPart(n, i);
      values[at] = -model.values[k]!;
      indices[at + 1] = rowPart(n, i) + 1;
      values[at + 1] = model.values[k]!;
      next[j] = at + 2;
    }
  }
  return { starts, indices, values };
}

/**
 * Poses the finish LP of `active` in the finisher's instance (bounds only, when the instance
 * already holds this model's structure).
 *
 * `relaxed`: the guess's test instead of its point — the held rows and columns' multipliers of
 * either sign, the rows and columns not held free of their bounds (in a box around them). Its
 * solution shows where the guess is wrong: a multiplier of the wrong sign (a constraint held that
 * the optimum leaves), a bound the point crosses (one it holds that the guess left out).
 *
 * Every LP starts from the basis the guess implies, never from the instance's last one: measured on
 * the 33-bus day, a finish started where an infeasible one (or its correction) ended ran out of
 * its iterations where the guess's own basis took 1, and the day went from 1.5 s to 2.4 s.
 */
function pose(highs: Highs, solver: Finisher, model: LinearModel, active: ActiveSet, relaxed: boolean): Posed {
  const n = model.numCols;
  const m = model.numRows;
  const numCols = n + 2 * m + 2 * n;
  const numRows = m + n;
  const bound = multiplierBound(model);
  const narrowRow = (i: number) => narrow(model.rowLower[i]!, model.rowUpper[i]!);
  const narrowCol = (j: number) => narrow(model.colLower[j]!, model.colUpper[j]!);

  const colLower = new Float64Array(numCols);
  const colUpper = new Float64Array(numCols);
  // Held: a narrow row (an equality among them) wherever it is in its range, a narrow column at its
  // middle, each with a multiplier of either sign; a wider one where the guess holds it, at that
  // bound, with a multiplier of its sign: y ≥ 0 at a lower bound (the positive part), ≤ 0 at an
  // upper one (the negative part). Not held: no multiplier (both parts fixed at 0).
  const allow = (at: number, side: number, free: boolean) => {
    if (free || side === -1) colUpper[at] = bound;
    if (free || side === 1) colUpper[at + 1] = bound;
  };
  for (let i = 0; i < m; i++) if (active.rows[i] !== 0 || narrowRow(i)) allow(rowPart(n, i), active.rows[i]!, relaxed || narrowRow(i));
  for (let j = 0; j < n; j++) if (active.cols[j] !== 0 || narrowCol(j)) allow(colPart(n, m, j), active.cols[j]!, relaxed || narrowCol(j));
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
      // Fixed where the guess holds it; else its range.
      colLower[j] = active.cols[j] === 1 ? hi : lo;
      colUpper[j] = active.cols[j] === -1 ? lo : hi;
    }
  }

  // Rows: the model's (wide held ones at their bound; in the test, the others free), then
  // stationarity.
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

  const lp = solver.instance(model);
  if (solver.holds(model)) {
    lp.changeColsBounds({ kind: 'range', from: 0, to: numCols - 1 }, colLower, colUpper);
    lp.changeRowsBounds({ kind: 'range', from: 0, to: numRows - 1 }, finite(highs, rowLower), finite(highs, rowUpper));
  } else {
    const { starts, indices, values } = finishMatrix(model);
    lp.passModel({
      numCols,
      numRows,
      offset: 0,
      colCost: new Float64Array(numCols),
      colLower,
      colUpper,
      rowLower: finite(highs, rowLower),
      rowUpper: finite(highs, rowUpper),
      matrix: { format: 'csr', numRows, numCols, starts, indices, values },
    });
    solver.heldModel(model);
  }
  // The guess's basis: what it holds at a bound stays there, the multipliers are basic (a free
  // one's part of the sign of the round's dual). When the guess is right this basis is optimal
  // (feasible) as it is, and HiGHS only factors it: measured on the 33-bus day, 1–15 iterations
  // and 3–6 ms, where parts of the wrong sign took some 540 iterations and 50 ms.
  const basis = startingBasis(model, active, relaxed, numCols, numRows);
  try {
    if (basis) lp.setBasis(basis);
  } catch {
    lp.setLogicalBasis();
  }
  return { numCols, numRows, bound };
}

/** Runs the finish LP posed; its solution's columns, or undefined when it has none (or one at the multipliers' bound). */
function runFinishLp(highs: Highs, solver: Finisher, lp: Posed, n: number, timeLimitSeconds: number, iterationLimit: number, label: string): { z: Float64Array; iterations: number } | undefined {
  const handle = solver.lp;
  // HiGHS measures its time limit over every run since its clocks were last zeroed, and the
  // instance lives as long as its session: unzeroed, a simulation's finishes added up to the limit
  // after a few hundred windows (on issue 10's year, from about hour 500), and from then on every
  // finish stopped at once, at 0 iterations, leaving each window 15–32 LP rounds.
  handle.zeroAllClocks();
  handle.options.set({ time_limit: Math.max(0.01, timeLimitSeconds), simplex_iteration_limit: iterationLimit });
  const started = performance.now();
  const { modelStatus } = handle.run();
  const iterations = Number(handle.info.get('simplex_iteration_count'));
  if (globalThis.process?.env.P2PMARKET_TRACE_CUTS) console.error(`  ${label}: ${lp.numCols} columns, ${lp.numRows} rows, ${iterations} iterations, model status ${modelStatus}, ${(performance.now() - started).toFixed(1)} ms`);
  const statuses = highs.constants.modelStatus;
  solver.lastOutcome = modelStatus === statuses.optimal ? 'solved' : modelStatus === statuses.infeasible ? 'infeasible' : 'unsettled';
  if (modelStatus !== statuses.optimal) return undefined;
  const z = handle.getSolution().colValue;
  // A multiplier at its artificial bound: the guess needed more than any price; refused.
  for (let k = n; k < lp.numCols; k++) if (z[k]! >= 0.5 * lp.bound) return undefined;
  return { z, iterations };
}

/** The row and column multipliers of a finish LP's solution (y = y⁺ − y⁻, μ = μ⁺ − μ⁻). */
function multipliers(model: LinearModel, z: ArrayLike<number>): { rowDual: Float64Array; colDual: Float64Array } {
  const n = model.numCols;
  const m = model.numRows;
  const rowDual = new Float64Array(m);
  const colDual = new Float64Array(n);
  for (let i = 0; i < m; i++) rowDual[i] = z[rowPart(n, i)]! - z[rowPart(n, i) + 1]!;
  for (let j = 0; j < n; j++) colDual[j] = z[colPart(n, m, j)]! - z[colPart(n, m, j) + 1]!;
  return { rowDual, colDual };
}

/**
 * The QP's optimum on the given active set, or undefined when the conditions cannot all hold
 * there (a wrong guess) or HiGHS does not settle it within its limits.
 */
export function finishOnActiveSet(highs: Highs, solver: Finisher, model: LinearModel, active: ActiveSet, timeLimitSeconds: number, patient = false): FinishPoint | undefined {
  const n = model.numCols;
  const lp = pose(highs, solver, model, active, false);
  const solved = runFinishLp(highs, solver, lp, n, timeLimitSeconds, finishIterationLimit(lp.numRows, patient), 'finish LP');
  if (!solved) return undefined;
  const { z } = solved;
  const x = Float64Array.from(z.subarray(0, n));
  const { rowDual } = multipliers(model, z);
  let objective = model.objectiveOffset;
  for (let j = 0; j < n; j++) objective += model.colCost[j]! * x[j]! + 0.5 * model.colQuad[j]! * x[j]! ** 2;
  return { x, rowDual, objective, iterations: solved.iterations };
}

/**
 * A refused guess corrected, as a primal–dual active-set step: the optimality conditions with the
 * guess's rows and columns held but their multipliers' signs free, and the others free of their
 * bounds (one LP). Where the solution's multiplier has the wrong
 * sign the constraint is let go; where its point crosses a bound the guess left out, that bound is
 * held. Undefined when that system has no solution or nothing is to change. (Measured on the
 * year's windows: refused guesses differed from the optimum's by 1–3 columns, for up to 13 more
 * rounds of cuts.)
 */
export function correctedActiveSet(highs: Highs, solver: Finisher, model: LinearModel, active: ActiveSet, timeLimitSeconds: number, patient = false): ActiveSet | undefined {
  const n = model.numCols;
  const lp = pose(highs, solver, model, active, true);
  const solved = runFinishLp(highs, solver, lp, n, timeLimitSeconds, CORRECTION_ITERATION_GROWTH * finishIterationLimit(lp.numRows, patient), 'correction LP');
  if (!solved) return undefined;
  const { z } = solved;
  const { rowDual: rowMultiplier, colDual: colMultiplier } = multipliers(model, z);
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
 * bound; of each multiplier's parts, the one of its sign basic where the guess holds its row or
 * column (for a free one, the part of the sign of the round's dual; those of a narrow one the
 * round left basic at zero), every other part at 0; the held rows and the stationarity rows at
 * their bound, the other rows basic. Undefined when it does not have one basic variable per row.
 */
function startingBasis(model: LinearModel, active: ActiveSet, relaxed: boolean, numCols: number, numRows: number): { colStatus: Int32Array; rowStatus: Int32Array } | undefined {
  const n = model.numCols;
  const m = model.numRows;
  const colStatus = new Int32Array(numCols).fill(AT_LOWER);
  const rowStatus = new Int32Array(numRows).fill(AT_LOWER);
  let basic = 0;
  for (let j = 0; j < n; j++) {
    if (active.cols[j] === 0) {
      colStatus[j] = BASIC;
      basic++;
    } else {
      colStatus[j] = active.cols[j] === 1 ? AT_UPPER : AT_LOWER;
    }
  }
  /** One part of a held multiplier basic: of its side's sign, or of the round's dual's when free. */
  const basicPart = (at: number, side: number, free: boolean, roundDual: number) => {
    if (side === 0) return;
    const negative = free ? roundDual < 0 : side === 1;
    colStatus[at + (negative ? 1 : 0)] = BASIC;
    basic++;
  };
  for (let i = 0; i < m; i++) basicPart(rowPart(n, i), active.rows[i]!, relaxed || narrow(model.rowLower[i]!, model.rowUpper[i]!), active.rowDual?.[i] ?? 0);
  for (let j = 0; j < n; j++) basicPart(colPart(n, m, j), active.cols[j]!, relaxed || narrow(model.colLower[j]!, model.colUpper[j]!), active.colDual?.[j] ?? 0);
  for (let i = 0; i < m; i++) {
    if (active.rows[i] === 1) rowStatus[i] = AT_UPPER;
    else if (active.rows[i] === 0 && model.rowLower[i] !== model.rowUpper[i]) {
      rowStatus[i] = BASIC;
      basic++;
    }
  }
  return basic === numRows ? { colStatus, rowStatus } : undefined;
}

/**
 * A HiGHS instance kept for the finishes of one session, holding the finish LP of the last model
 * structure it was given (its matrix and squares' q; bounds and costs change by guess).
 */
export class Finisher {
  private model: Model | undefined;
  private structure: LinearModel | undefined;
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

  /** The instance, emptied first unless it holds the finish LP of `model`'s structure. */
  instance(model: LinearModel): Model {
    if (this.structure && !sameStructure(this.structure, model)) this.release();
    return this.lp;
  }

  /** Whether the instance holds the finish LP of `model`'s structure. */
  holds(model: LinearModel): boolean {
    return this.structure !== undefined && sameStructure(this.structure, model);
  }

  heldModel(model: LinearModel): void {
    this.structure = model;
  }

  /** Empties the instance (between solves of a large model: on 1,000 buses its finish LP holds some 300 MB). */
  release(): void {
    if (this.structure) this.model?.clearModel();
    this.structure = undefined;
  }

  dispose(): void {
    this.model?.dispose();
    this.model = undefined;
    this.structure = undefined;
  }
}

/** Whether two models have the same finish LP matrix: the same rows' entries and the same squares. */
function sameStructure(a: LinearModel, b: LinearModel): boolean {
  if (a === b) return true;
  if (a.numCols !== b.numCols || a.numRows !== b.numRows) return false;
  const end = a.rowStarts[a.numRows]!;
  for (let i = 0; i <= a.numRows; i++) if (a.rowStarts[i] !== b.rowStarts[i]) return false;
  for (let k = 0; k < end; k++) if (a.colIndex[k] !== b.colIndex[k] || a.values[k] !== b.values[k]) return false;
  for (let j = 0; j < a.numCols; j++) if (a.colQuad[j] !== b.colQuad[j]) return false;
  return true;
}
