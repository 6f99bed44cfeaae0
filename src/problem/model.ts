/**
 * A solver-neutral optimisation model: bounded columns, ranged rows in compressed sparse
 * row form, and a separable quadratic objective
 *     minimise  offset + Σ_j (cost_j·x_j + ½·quad_j·x_j²)
 *     subject to rowLower ≤ A·x ≤ rowUpper,  colLower ≤ x ≤ colUpper.
 * Every column and row carries a domain name (see names.ts), so that anything the solver
 * says about index 57 can be told to the user as "battery of p2, step 3, maximum energy".
 */
import type { ColumnName, RowName } from './names.ts';

export interface LinearModel {
  numCols: number;
  numRows: number;
  colLower: Float64Array;
  colUpper: Float64Array;
  colCost: Float64Array;
  /** Diagonal of the objective's Hessian (the objective holds ½·quad·x²); all ≥ 0. */
  colQuad: Float64Array;
  colNames: ColumnName[];
  rowLower: Float64Array;
  rowUpper: Float64Array;
  rowNames: RowName[];
  /** CSR: the entries of row i are at positions rowStarts[i] .. rowStarts[i+1]-1. */
  rowStarts: Int32Array;
  colIndex: Int32Array;
  values: Float64Array;
  objectiveOffset: number;
}

export type Entry = readonly [col: number, coefficient: number];

/** Accumulates columns and rows, then freezes them into a `LinearModel`. */
export class ModelBuilder {
  private readonly cols = {
    lower: [] as number[],
    upper: [] as number[],
    cost: [] as number[],
    quad: [] as number[],
    names: [] as ColumnName[],
  };
  private readonly rows = { lower: [] as number[], upper: [] as number[], names: [] as RowName[] };
  private readonly starts: number[] = [0];
  private readonly index: number[] = [];
  private readonly values: number[] = [];
  objectiveOffset = 0;

  addCol(name: ColumnName, lower: number, upper: number, cost = 0, quad = 0): number {
    if (!Number.isFinite(lower) || !Number.isFinite(upper)) {
      throw new Error(`model: every column must be bounded (${JSON.stringify(name)})`);
    }
    this.cols.lower.push(lower);
    this.cols.upper.push(upper);
    this.cols.cost.push(cost);
    this.cols.quad.push(quad);
    this.cols.names.push(name);
    return this.cols.names.length - 1;
  }

  /** Adds `lower ≤ Σ coefficient·x[col] ≤ upper`; repeated columns are summed. */
  addRow(name: RowName, lower: number, upper: number, entries: readonly Entry[]): number {
    // Most rows arrive with their columns increasing and distinct, and are copied as they are;
    // the others are sorted (stably) so that a repeated column's coefficients, now adjacent, are
    // summed in the order they were given.
    let ordered = true;
    for (let k = 1; k < entries.length && ordered; k++) ordered = entries[k]![0] > entries[k - 1]![0];
    const sorted = ordered ? entries : [...entries].sort((a, b) => a[0] - b[0]);
    for (let k = 0; k < sorted.length; ) {
      const col = sorted[k]![0];
      let coefficient = 0;
      while (k < sorted.length && sorted[k]![0] === col) coefficient += sorted[k++]![1];
      if (coefficient === 0) continue;
      this.index.push(col);
      this.values.push(coefficient);
    }
    this.starts.push(this.index.length);
    this.rows.lower.push(lower);
    this.rows.upper.push(upper);
    this.rows.names.push(name);
    return this.rows.names.length - 1;
  }

  addCost(col: number, cost: number, quad = 0): void {
    this.cols.cost[col]! += cost;
    this.cols.quad[col]! += quad;
  }

  build(): LinearModel {
    return {
      numCols: this.cols.names.length,
      numRows: this.rows.names.length,
      colLower: Float64Array.from(this.cols.lower),
      colUpper: Float64Array.from(this.cols.upper),
      colCost: Float64Array.from(this.cols.cost),
      colQuad: Float64Array.from(this.cols.quad),
      colNames: this.cols.names,
      rowLower: Float64Array.from(this.rows.lower),
      rowUpper: Float64Array.from(this.rows.upper),
      rowNames: this.rows.names,
      rowStarts: Int32Array.from(this.starts),
      colIndex: Int32Array.from(this.index),
      values: Float64Array.from(this.values),
      objectiveOffset: this.objectiveOffset,
    };
  }
}

export function isQuadratic(model: LinearModel): boolean {
  return model.colQuad.some((q) => q !== 0);
}

/** Row activities A·x. */
export function rowActivities(model: LinearModel, x: ArrayLike<number>): Float64Array {
  const activity = new Float64Array(model.numRows);
  for (let i = 0; i < model.numRows; i++) {
    let sum = 0;
    for (let k = model.rowStarts[i]!; k < model.rowStarts[i + 1]!; k++) sum += model.values[k]! * x[model.colIndex[k]!]!;
    activity[i] = sum;
  }
  return activity;
}

export function objectiveValue(model: LinearModel, x: ArrayLike<number>): number {
  let value = model.objectiveOffset;
  for (let j = 0; j < model.numCols; j++) value += model.colCost[j]! * x[j]! + 0.5 * model.colQuad[j]! * x[j]! ** 2;
  return value;
}
