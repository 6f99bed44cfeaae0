/**
 * What every solver backend offers: open a session on a `LinearModel`, solve it, change its
 * bounds, costs and rows and solve again (warm where the backend can), and say how it went.
 */
import type { LinearModel } from '../problem/model.ts';
import type { Side } from '../problem/names.ts';

export type SolveStatus = 'optimal' | 'infeasible' | 'time_limit' | 'error';

export interface SolveOptions {
  /** Wall-clock limit of one solve, seconds. */
  timeLimitSeconds: number;
  /**
   * A backend that approximates the quadratic objective may end with an exact step
   * (HiGHS: kkt-finish.ts); false solves by the approximation alone (for comparison). Default true.
   */
  exactFinish?: boolean;
}

/** Columns and rows (with the side that binds) of an irreducible infeasible subset. */
export interface Conflict {
  /** `side` is undefined when both bounds take part (an equality) or the backend does not say. */
  cols: { index: number; side: Side | undefined }[];
  rows: { index: number; side: Side | undefined }[];
}

export interface SolveOutcome {
  status: SolveStatus;
  /** Primal values, when the solver has them. */
  x?: Float64Array;
  /** Row duals, ∂objective/∂(row bound), when the backend gives them. */
  rowDual?: Float64Array;
  objective?: number;
  iterations: number;
  solveMs: number;
  message?: string;
  /** True when the optimum was found from the point given to `hint` alone, without solving from scratch. */
  fromHint?: boolean;
  /** For `infeasible`: the conflicting constraints, when the backend can find them. */
  conflict?: Conflict;
}

/** A model held by a backend between solves. */
export interface SolverSession {
  solve(options: SolveOptions): SolveOutcome;
  /**
   * Replaces the model by one of the same structure: the same columns, the same matrix rows,
   * possibly more rows appended; bounds, costs and quadratic terms may all differ.
   */
  update(model: LinearModel): void;
  /**
   * A point the next solution is expected near (a rolling window's previous solution, shifted),
   * with its rows' duals if known: a backend that approximates the objective may refine its
   * approximation there, or start from the constraints it holds. Optional.
   */
  hint?(near: ArrayLike<number>, nearRowDual?: ArrayLike<number>): void;
  dispose(): void;
}

export interface SolverAdapter {
  readonly name: 'highs' | 'lp-solver';
  /** Whether the backend accepts quadratic objective terms. */
  readonly quadratic: boolean;
  /**
   * `near`, when given, is a point the solution is expected near (a previous stage's): a
   * backend that approximates the objective may start its approximation there.
   */
  open(model: LinearModel, near?: ArrayLike<number>): SolverSession;
}

export const DEFAULT_SOLVE_OPTIONS: SolveOptions = { timeLimitSeconds: 60 };

/** One model, one solve. */
export function solveOnce(
  adapter: SolverAdapter,
  model: LinearModel,
  options: SolveOptions = DEFAULT_SOLVE_OPTIONS,
  near?: ArrayLike<number>,
): SolveOutcome {
  const session = adapter.open(model, near);
  try {
    return session.solve(options);
  } finally {
    session.dispose();
  }
}

/** A session for backends without a persistent model: every solve starts afresh. */
export function statelessSession(model: LinearModel, solve: (model: LinearModel, options: SolveOptions) => SolveOutcome): SolverSession {
  let current = model;
  return {
    solve: (options) => solve(current, options),
    update: (next) => void (current = next),
    dispose: () => undefined,
  };
}
