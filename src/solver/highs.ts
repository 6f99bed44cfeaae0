/**
 * The HiGHS backend (the `highs` package: HiGHS compiled to WebAssembly), through its
 * structured persistent API. LP and convex QP (diagonal Hessian); every column is bounded,
 * which HiGHS's QP solver needs to be reliable. Infeasible models get an IIS.
 */
import * as highsPackage from 'highs';
import type { Highs, Model, ModelData } from 'highs';
import type { LinearModel } from '../problem/model.ts';
import { isQuadratic } from '../problem/model.ts';
import type { Conflict, SolveOptions, SolveOutcome, SolverAdapter, SolveStatus } from './adapter.ts';

let runtime: Promise<Highs> | undefined;

type Loader = () => Promise<Highs>;
/**
 * The package's type declarations are read as CommonJS (its default export then sits one
 * level down), while Node loads its ES module, whose default export is the loader itself.
 */
function highsLoader(): Loader {
  const exported = highsPackage.default as unknown as Loader | { default: Loader };
  return typeof exported === 'function' ? exported : exported.default;
}

/** The WebAssembly runtime, loaded once per process (or worker). */
export function highsRuntime(): Promise<Highs> {
  runtime ??= highsLoader()();
  return runtime;
}

export async function createHighsAdapter(): Promise<SolverAdapter> {
  const highs = await highsRuntime();
  return {
    name: 'highs',
    quadratic: true,
    solve: (model, options) => solveWithHighs(highs, model, options),
  };
}

function toModelData(highs: Highs, model: LinearModel, withObjective = true): ModelData {
  const data: ModelData = {
    numCols: model.numCols,
    numRows: model.numRows,
    offset: withObjective ? model.objectiveOffset : 0,
    colCost: withObjective ? model.colCost : new Float64Array(model.numCols),
    colLower: model.colLower,
    colUpper: model.colUpper,
    rowLower: model.rowLower.map((v) => (v === -Infinity ? -highs.infinity : v)),
    rowUpper: model.rowUpper.map((v) => (v === Infinity ? highs.infinity : v)),
    matrix: {
      format: 'csr',
      numRows: model.numRows,
      numCols: model.numCols,
      starts: model.rowStarts,
      indices: model.colIndex,
      values: model.values,
    },
  };
  if (!withObjective || !isQuadratic(model)) return data;
  const starts = new Int32Array(model.numCols + 1);
  const indices: number[] = [];
  const values: number[] = [];
  for (let j = 0; j < model.numCols; j++) {
    if (model.colQuad[j] !== 0) {
      indices.push(j);
      values.push(model.colQuad[j]!);
    }
    starts[j + 1] = indices.length;
  }
  return { ...data, hessian: { format: 'triangular', dimension: model.numCols, starts, indices, values } };
}

const STATUS: Partial<Record<number, SolveStatus>> = { 7: 'optimal', 8: 'infeasible', 9: 'infeasible', 13: 'time_limit' };

function solveWithHighs(highs: Highs, model: LinearModel, options: SolveOptions): SolveOutcome {
  const started = performance.now();
  let handle: Model | undefined;
  try {
    handle = highs.createModel(toModelData(highs, model));
    handle.options.set({ output_flag: false, time_limit: options.timeLimitSeconds });
    const { modelStatus } = handle.run();
    const status = STATUS[modelStatus] ?? 'error';
    const iterations =
      Number(handle.info.get('simplex_iteration_count')) + Math.max(0, Number(handle.info.get('qp_iteration_count')));
    const outcome: SolveOutcome = { status, iterations, solveMs: 0 };
    if (status === 'optimal' || (status === 'time_limit' && Number(handle.info.get('primal_solution_status')) === 2)) {
      const solution = handle.getSolution();
      outcome.x = solution.colValue;
      outcome.rowDual = solution.rowDual;
      outcome.objective = handle.getObjectiveValue();
    }
    if (status === 'error') outcome.message = `HiGHS ended with model status ${modelStatus}`;
    if (status === 'infeasible') outcome.conflict = findConflict(highs, model);
    outcome.solveMs = performance.now() - started;
    return outcome;
  } catch (e) {
    return { status: 'error', iterations: 0, solveMs: performance.now() - started, message: `HiGHS: ${(e as Error).message}` };
  } finally {
    handle?.dispose();
  }
}

/** An irreducible infeasible subset of the constraints, computed on the model's LP part. */
function findConflict(highs: Highs, model: LinearModel): Conflict | undefined {
  return highs.withModel(toModelData(highs, model, false), (lp) => {
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
