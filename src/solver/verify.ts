/**
 * Our own check of a returned solution against every bound and row of the model: nothing
 * is called `optimal` before it passes.
 */
import { describeColumn, describeRow } from '../problem/names.ts';
import { rowActivities, type LinearModel } from '../problem/model.ts';

/** Largest violation allowed, in the units of each row (kW, kWh, or scaled p.u.²). */
export const FEASIBILITY_TOLERANCE = 1e-6;

export interface Violation {
  /** How far the worst constraint is broken (0 when none is). */
  amount: number;
  /** That constraint in domain words. */
  constraint: string;
}

export function worstViolation(model: LinearModel, x: ArrayLike<number>): Violation {
  let worst: Violation = { amount: 0, constraint: '' };
  const consider = (amount: number, describe: () => string) => {
    if (amount > worst.amount) worst = { amount, constraint: describe() };
  };
  for (let j = 0; j < model.numCols; j++) {
    const v = x[j]!;
    if (!Number.isFinite(v)) return { amount: Infinity, constraint: describeColumn(model.colNames[j]!) + ' (not a number)' };
    consider(model.colLower[j]! - v, () => describeColumn(model.colNames[j]!, 'lower'));
    consider(v - model.colUpper[j]!, () => describeColumn(model.colNames[j]!, 'upper'));
  }
  const activity = rowActivities(model, x);
  for (let i = 0; i < model.numRows; i++) {
    consider(model.rowLower[i]! - activity[i]!, () => describeRow(model.rowNames[i]!, 'lower'));
    consider(activity[i]! - model.rowUpper[i]!, () => describeRow(model.rowNames[i]!, 'upper'));
  }
  return worst;
}
