/**
 * The tie-break as a second, lexicographic stage. The market objective f(x) = Σ_j c_j·x_j +
 * ½·q_j·x_j² (q_j ≥ 0) is convex and separable, so all its optimal solutions share the values
 * of the columns with q_j > 0 and the value of the linear part c·x. The optimal face is
 * therefore the feasible set with those columns held at their optimum and c·x ≤ c·x*; over it
 * we minimise Σ b², which is strictly convex in the battery powers and so makes the dispatch —
 * and with it every net injection — unique. The market objective moves by no more than the
 * tolerances below; the reported tie-break term is ε·Σ b².
 */
import type { LinearModel } from './model.ts';

/**
 * Half-width of the band that holds a quadratic column (and the linear part) at its optimum:
 * relative, plus an absolute part at the LP solver's feasibility tolerance, plus twice the
 * first stage's own worst constraint violation (`residual`), so that its solution stays feasible.
 */
export const HOLD_TOLERANCE = 1e-12;
export const HOLD_ABSOLUTE = 1e-9;

export function tieBreakStage(model: LinearModel, optimum: Float64Array, tieBreakCols: readonly number[], residual = 0): LinearModel {
  // A first stage's point is feasible to the LP solver's tolerance whatever its measured violation
  // (an exact finish's can be 1e-15): a band thinner than that only makes the stage degenerate
  // (measured: 1.6 s instead of 1.0–1.4 s on the 33-bus day).
  const slack = HOLD_ABSOLUTE + 2 * Math.max(residual, HOLD_ABSOLUTE);
  const colLower = Float64Array.from(model.colLower);
  const colUpper = Float64Array.from(model.colUpper);
  for (let j = 0; j < model.numCols; j++) {
    if (model.colQuad[j] === 0) continue;
    const band = slack + HOLD_TOLERANCE * Math.abs(optimum[j]!);
    colLower[j] = Math.max(model.colLower[j]!, optimum[j]! - band);
    colUpper[j] = Math.min(model.colUpper[j]!, optimum[j]! + band);
  }
  const linear: number[] = [];
  for (let j = 0; j < model.numCols; j++) if (model.colCost[j] !== 0) linear.push(j);
  const linearOptimum = linear.reduce((sum, j) => sum + model.colCost[j]! * optimum[j]!, 0);

  const colQuad = new Float64Array(model.numCols);
  // ½·2·b² = b². (Scaling it up resolves b more finely in the outer approximation, but was
  // measured to make large models several times slower.)
  for (const j of tieBreakCols) colQuad[j] = 2;
  const hasLinearRow = linear.length > 0;
  const rowStarts = hasLinearRow ? Int32Array.from([...model.rowStarts, model.colIndex.length + linear.length]) : model.rowStarts;
  return {
    ...model,
    colLower,
    colUpper,
    colCost: new Float64Array(model.numCols),
    colQuad,
    objectiveOffset: 0,
    numRows: model.numRows + (hasLinearRow ? 1 : 0),
    rowLower: hasLinearRow ? Float64Array.from([...model.rowLower, -Infinity]) : model.rowLower,
    rowUpper: hasLinearRow
      ? Float64Array.from([...model.rowUpper, linearOptimum + slack + HOLD_TOLERANCE * Math.abs(linearOptimum)])
      : model.rowUpper,
    rowNames: hasLinearRow ? [...model.rowNames, { kind: 'marketOptimum' }] : model.rowNames,
    rowStarts,
    colIndex: hasLinearRow ? Int32Array.from([...model.colIndex, ...linear]) : model.colIndex,
    values: hasLinearRow ? Float64Array.from([...model.values, ...linear.map((j) => model.colCost[j]!)]) : model.values,
  };
}
