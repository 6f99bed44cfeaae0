/** What every solver backend offers: solve a `LinearModel`, say how it went. */
import type { LinearModel } from '../problem/model.ts';
import type { Side } from '../problem/names.ts';

export type SolveStatus = 'optimal' | 'infeasible' | 'time_limit' | 'error';

export interface SolveOptions {
  /** Wall-clock limit of one solve, seconds. */
  timeLimitSeconds: number;
  /** A point near the optimum (one value per column), where a backend may start its approximation. */
  cutPoints?: Float64Array;
}

/** Columns and rows (with the side that binds) of an irreducible infeasible subset. */
export interface Conflict {
  /** `side` is undefined when both bounds take part (an equality) or HiGHS does not say. */
  cols: { index: number; side: Side | undefined }[];
  rows: { index: number; side: Side | undefined }[];
}

export interface SolveOutcome {
  status: SolveStatus;
  /** Primal values, when the solver has them (optimal, or a time-limited incumbent). */
  x?: Float64Array;
  /** Row duals, ∂objective/∂(row bound), when the backend gives them. */
  rowDual?: Float64Array;
  objective?: number;
  iterations: number;
  solveMs: number;
  message?: string;
  /** For `infeasible`: the conflicting constraints, when the backend can find them. */
  conflict?: Conflict;
}

export interface SolverAdapter {
  readonly name: 'highs' | 'lp-solver';
  /** Whether the backend accepts quadratic objective terms. */
  readonly quadratic: boolean;
  solve(model: LinearModel, options: SolveOptions): SolveOutcome;
}

export const DEFAULT_SOLVE_OPTIONS: SolveOptions = { timeLimitSeconds: 60 };
