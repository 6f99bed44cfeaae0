/**
 * Columns that every optimal solution shares, found without solving anything more.
 *
 * The market objective f(x) = Σ_j c_j·x_j + ½·q_j·x_j² (q_j ≥ 0) is convex and separable, so all
 * its optimal solutions share the value of every column with q_j > 0 (tiebreak.ts). A column
 * with equal bounds is fixed too; and an equality row all of whose columns but one are shared
 * fixes that one as well. Repeating this (peeling) finds, for instance, that with a quadratic bid
 * on every prosumer's net injection P, each battery power b = P − s is fixed by its schedule row
 * P − b = s: the dispatch is then already unique, and the tie-break stage has nothing to decide.
 * Only exact facts are used (no dual is compared with a tolerance), so what it finds is shared
 * by every optimum; what it does not find may or may not be.
 */
import type { LinearModel } from './model.ts';

/** Whether every column of `columns` takes the same value at every optimum of `model`. */
export function everyOptimumShares(model: LinearModel, columns: readonly number[]): boolean {
  if (columns.length === 0) return true;
  const pinned = new Uint8Array(model.numCols);
  for (let j = 0; j < model.numCols; j++) {
    if (model.colQuad[j]! > 0 || model.colLower[j] === model.colUpper[j]) pinned[j] = 1;
  }
  if (columns.every((c) => pinned[c])) return true;
  // Equality rows by column, and how many of each row's columns are not yet pinned.
  const open = new Int32Array(model.numRows);
  const rowsOf: number[][] = Array.from({ length: model.numCols }, () => []);
  const queue: number[] = [];
  for (let i = 0; i < model.numRows; i++) {
    if (model.rowLower[i] !== model.rowUpper[i]) continue;
    for (let k = model.rowStarts[i]!; k < model.rowStarts[i + 1]!; k++) {
      const j = model.colIndex[k]!;
      if (model.values[k] === 0 || pinned[j]) continue;
      open[i]!++;
      rowsOf[j]!.push(i);
    }
    if (open[i] === 1) queue.push(i);
  }
  while (queue.length > 0) {
    const i = queue.pop()!;
    if (open[i] !== 1) continue;
    for (let k = model.rowStarts[i]!; k < model.rowStarts[i + 1]!; k++) {
      const j = model.colIndex[k]!;
      if (model.values[k] === 0 || pinned[j]) continue;
      pinned[j] = 1;
      for (const r of rowsOf[j]!) if (--open[r]! === 1) queue.push(r);
    }
  }
  return columns.every((c) => pinned[c]);
}
