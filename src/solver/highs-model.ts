/** HiGHS data plumbing shared by the backend: model data, statuses, conflicts (IIS). */
import type { Highs, ModelData } from 'highs';
import type { LinearModel } from '../problem/model.ts';
import type { Conflict, SolveStatus } from './adapter.ts';

export const STATUS: Partial<Record<number, SolveStatus>> = { 7: 'optimal', 8: 'infeasible', 9: 'infeasible', 13: 'time_limit' };

/** The model's linear part as HiGHS data (the epigraph columns are added by the session). */
export function lpData(highs: Highs, model: LinearModel, withObjective = true): ModelData {
  return {
    numCols: model.numCols,
    numRows: model.numRows,
    offset: withObjective ? model.objectiveOffset : 0,
    colCost: withObjective ? model.colCost : new Float64Array(model.numCols),
    colLower: model.colLower,
    colUpper: model.colUpper,
    rowLower: finite(highs, model.rowLower),
    rowUpper: finite(highs, model.rowUpper),
    matrix: {
      format: 'csr',
      numRows: model.numRows,
      numCols: model.numCols,
      starts: model.rowStarts,
      indices: model.colIndex,
      values: model.values,
    },
  };
}

export const finite = (highs: Highs, values: Float64Array) =>
  values.map((v) => (v === Infinity ? highs.infinity : v === -Infinity ? -highs.infinity : v));

/** An irreducible infeasible subset of the constraints (of the LP part; the objective plays no role). */
export function findConflict(highs: Highs, model: LinearModel): Conflict | undefined {
  return highs.withModel(lpData(highs, model, false), (lp) => {
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
