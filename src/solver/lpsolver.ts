/**
 * The javascript-lp-solver backend: a second, independent LP solver (pure JavaScript
 * simplex) used as a test oracle and as an alternative for LP problems (the L1 variant
 * with `tieBreak: "none"`). It gives no duals, so trades cleared with it carry no price,
 * and it cannot name the constraints of an infeasible market.
 */
import * as lpPackage from 'javascript-lp-solver';
import type { Model as LpModel, SolveResult } from 'javascript-lp-solver';
import { isQuadratic, objectiveValue, type LinearModel } from '../problem/model.ts';
import { describeColumn } from '../problem/names.ts';
import { statelessSession, type SolveOptions, type SolveOutcome, type SolverAdapter } from './adapter.ts';
import { QuadraticNotSupportedError } from './errors.ts';

export { QuadraticNotSupportedError };

type Solve = (model: LpModel) => SolveResult;
/** The package's types are read as CommonJS; at run time its ES module's default is the solver. */
function lpSolve(): Solve {
  const exported = lpPackage.default as unknown as { Solve: Solve } | { default: { Solve: Solve } };
  const solver = 'Solve' in exported ? exported : exported.default;
  return (model) => solver.Solve(model);
}

export function createLpSolverAdapter(): SolverAdapter {
  const solve = lpSolve();
  return {
    name: 'lp-solver',
    quadratic: false,
    open: (model) => {
      refuseQuadratic(model);
      return statelessSession(model, (current, options) => solveWithLpSolver(solve, current, options));
    },
  };
}

function refuseQuadratic(model: LinearModel): void {
  const j = model.colQuad.findIndex((q) => q !== 0);
  if (j < 0) return;
  const name = model.colNames[j]!;
  const [field, remedy] =
    name.kind === 'netInjection'
      ? ['prosumers[].costBid.quadraticPerKw2h', 'set the quadratic cost bids to 0']
      : ['market.penaltyNorm', 'use the L1 variant (market.penaltyNorm "l1")'];
  throw new QuadraticNotSupportedError(
    `javascript-lp-solver solves linear problems only, and this market has quadratic terms (first: ${describeColumn(name)}): ${remedy}, or use the HiGHS solver.`,
    field,
  );
}

function solveWithLpSolver(solve: Solve, model: LinearModel, options: SolveOptions): SolveOutcome {
  refuseQuadratic(model);
  const started = performance.now();
  // javascript-lp-solver's variables are ≥ 0: substitute x = lower + y with 0 ≤ y ≤ upper − lower
  // (its `unrestricted` flag together with bound rows gave wrong answers).
  const variables: LpModel['variables'] = {};
  const constraints: LpModel['constraints'] = {};
  for (let j = 0; j < model.numCols; j++) {
    variables[`x${j}`] = { objective: model.colCost[j]!, [`bound${j}`]: 1 };
    constraints[`bound${j}`] = { max: model.colUpper[j]! - model.colLower[j]! };
  }
  for (let i = 0; i < model.numRows; i++) {
    const row = `row${i}`;
    let shift = 0;
    for (let k = model.rowStarts[i]!; k < model.rowStarts[i + 1]!; k++) {
      const j = model.colIndex[k]!;
      variables[`x${j}`]![row] = model.values[k]!;
      shift += model.values[k]! * model.colLower[j]!;
    }
    const bound: { min?: number; max?: number } = {};
    if (Number.isFinite(model.rowLower[i]!)) bound.min = model.rowLower[i]! - shift;
    if (Number.isFinite(model.rowUpper[i]!)) bound.max = model.rowUpper[i]! - shift;
    constraints[row] = bound;
  }
  const result = solve({
    optimize: 'objective',
    opType: 'min',
    constraints,
    variables,
    options: { timeout: options.timeLimitSeconds * 1000 },
  });
  const solveMs = performance.now() - started;
  if (!result.feasible) return { status: 'infeasible', iterations: 0, solveMs };
  if (result.bounded === false) return { status: 'error', iterations: 0, solveMs, message: 'javascript-lp-solver: unbounded' };
  const x = new Float64Array(model.numCols);
  for (let j = 0; j < model.numCols; j++) {
    const y = result[`x${j}`];
    x[j] = model.colLower[j]! + (typeof y === 'number' ? y : 0);
  }
  return { status: 'optimal', x, objective: objectiveValue(model, x), iterations: 0, solveMs };
}
