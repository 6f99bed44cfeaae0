/**
 * The market in injection space, for markets whose trades are interchangeable.
 *
 * With every pair of agents trading and no per-pair costs (no fees, no preferences: every
 * delivery costs 0), the market's objective and constraints see the trades only through the
 * net injections P they add up to (the trade balances Σ_j p[a,j,t] = P[a,t]) and through the
 * total trade volume S. Any injections with Σ_a P[a,t] = 0 can be routed (sellers straight to
 * buyers), with any volume from the least one, ½·Σ_a |P[a,t]| per step, upwards (a pair may trade
 * both ways). So, seen in every column but the deliveries, the full model's feasible set is that
 * of this smaller model: the deliveries, the trade-balance rows and the volume row are replaced
 * by, per step, Σ_a P[a,t] = 0 and — with a volume penalty — P = P⁺ − P⁻ (P± ≥ 0) and
 * ½·Σ_{t,a} (P⁺ + P⁻) ≤ S. Its objective is the full one's (deliveries cost nothing), so its
 * optimum is the full model's, with O(N·T) columns instead of O(N²·T); the trades are routed
 * afterwards (market/routing.ts) and the result is checked against every constraint of the full
 * model.
 *
 * **Duals.** The full model's duals follow from the reduced one's: P[a,t] enters its trade
 * balance with −1, and the step balance (dual σ_t) and its parts row (dual w[a,t]) with +1 each,
 * so the trade balance's dual is y[a,t] = −(σ_t + w[a,t]); S enters the volume row S − Σ d = 0
 * with +1 and the least-volume row with −1, so that row's dual is −v. Stationarity of every
 * delivery a→b then reads w[a] − w[b] + μ ≥ 0 (μ = −v, the volume penalty's marginal), which the
 * parts' own stationarity (|w| ≤ μ/2, w = −μ/2 for a seller, +μ/2 for a buyer) guarantees, with
 * equality on every delivery from a seller to a buyer — the ones the routing uses. The sets of
 * optimal duals correspond one to one (a pair's |y_a − y_b| ≤ μ for all pairs is the same as
 * |y_a + σ| ≤ μ/2 for some σ), so prices and their uniqueness can be read from either model.
 */
import type { MarketIndex } from './build.ts';
import { ModelBuilder, type Entry, type LinearModel } from './model.ts';

export interface InjectionSpace {
  model: LinearModel;
  /** Column of the reduced model for each column of the full one (−1: a delivery, dropped). */
  columnOf: Int32Array;
  /** Row of the reduced model for each row of the full one (−1: a trade balance or the volume row, dropped). */
  rowOf: Int32Array;
  /** stepBalance[t]: the row Σ_a P[a,t] = 0. */
  stepBalance: number[];
  /** parts[t][a]: the positive and negative parts' columns and the row P = P⁺ − P⁻ (with a volume penalty). */
  parts: { plus: number; minus: number; row: number }[][] | undefined;
  /** The row ½·Σ(P⁺ + P⁻) − S ≤ 0 (with a volume penalty). */
  leastVolume: number | undefined;
}

/** Whether the market's trades are interchangeable: every pair trades, and no delivery costs anything. */
export function tradesInterchangeable(graph: unknown, index: MarketIndex): boolean {
  return graph === 'all' && index.deliveryCostPerKwh === 0;
}

/**
 * The injection-space model of `model` (the market model of `index`, or a model with the same
 * columns and rows plus rows appended after them — a tie-break stage).
 */
export function injectionSpace(model: LinearModel, index: MarketIndex): InjectionSpace {
  const mb = new ModelBuilder();
  mb.objectiveOffset = model.objectiveOffset;
  const deliveries = new Uint8Array(model.numCols);
  for (const col of index.trade.flat(2)) deliveries[col] = 1;
  const columnOf = new Int32Array(model.numCols).fill(-1);
  for (let j = 0; j < model.numCols; j++) {
    if (deliveries[j]) continue;
    columnOf[j] = mb.addCol(model.colNames[j]!, model.colLower[j]!, model.colUpper[j]!, model.colCost[j]!, model.colQuad[j]!);
  }
  const dropped = new Uint8Array(model.numRows);
  for (const row of index.tradeBalance.flat()) dropped[row] = 1;
  const rowOf = new Int32Array(model.numRows).fill(-1);
  for (let i = 0; i < model.numRows; i++) {
    const name = model.rowNames[i]!;
    if (dropped[i] || name.kind === 'totalTradeVolume') continue;
    const entries: Entry[] = [];
    for (let k = model.rowStarts[i]!; k < model.rowStarts[i + 1]!; k++) {
      const col = columnOf[model.colIndex[k]!]!;
      if (col < 0) throw new Error(`injection space: row ${JSON.stringify(name)} holds a delivery`);
      entries.push([col, model.values[k]!]);
    }
    rowOf[i] = mb.addRow(name, model.rowLower[i]!, model.rowUpper[i]!, entries);
  }

  const stepBalance = index.netInjection.map((cols, t) => mb.addRow({ kind: 'stepBalance', step: t }, 0, 0, cols.map((c): Entry => [columnOf[c]!, 1])));
  const S = index.totalTradeVolume;
  if (S === undefined) return { model: mb.build(), columnOf, rowOf, stepBalance, parts: undefined, leastVolume: undefined };

  const volume: Entry[] = [];
  const parts = index.netInjection.map((cols, t) =>
    cols.map((c, a) => {
      const bound = Math.max(Math.abs(model.colLower[c]!), Math.abs(model.colUpper[c]!));
      const agent = index.agents[a]!;
      const plus = mb.addCol({ kind: 'injectionPart', agent, step: t, part: 'positive' }, 0, bound);
      const minus = mb.addCol({ kind: 'injectionPart', agent, step: t, part: 'negative' }, 0, bound);
      const row = mb.addRow({ kind: 'injectionParts', agent, step: t }, 0, 0, [[columnOf[c]!, 1], [plus, -1], [minus, 1]]);
      volume.push([plus, 0.5], [minus, 0.5]);
      return { plus, minus, row };
    }),
  );
  const leastVolume = mb.addRow({ kind: 'leastTradeVolume' }, -Infinity, 0, [...volume, [columnOf[S]!, -1]]);
  return { model: mb.build(), columnOf, rowOf, stepBalance, parts, leastVolume };
}

/** A full model's point in the reduced model's columns (each injection split into its parts). */
export function toInjectionSpace(space: InjectionSpace, index: MarketIndex, x: ArrayLike<number>): Float64Array {
  const point = new Float64Array(space.model.numCols);
  space.columnOf.forEach((col, j) => {
    if (col >= 0) point[col] = x[j]!;
  });
  space.parts?.forEach((step, t) =>
    step.forEach(({ plus, minus }, a) => {
      const p = x[index.netInjection[t]![a]!]!;
      point[plus] = Math.max(p, 0);
      point[minus] = Math.max(-p, 0);
    }),
  );
  return point;
}

/** The full model's columns from a reduced solution; deliveries 0 (the caller routes them). */
export function fromInjectionSpace(space: InjectionSpace, fullColumns: number, x: ArrayLike<number>): Float64Array {
  const full = new Float64Array(fullColumns);
  space.columnOf.forEach((col, j) => {
    if (col >= 0) full[j] = x[col]!;
  });
  return full;
}

/** The full model's row duals from the reduced model's (see the module's comment). */
export function fullRowDuals(space: InjectionSpace, index: MarketIndex, full: LinearModel, y: ArrayLike<number>): Float64Array {
  const dual = new Float64Array(full.numRows);
  space.rowOf.forEach((row, i) => {
    if (row >= 0) dual[i] = y[row]!;
  });
  index.tradeBalance.forEach((rows, t) =>
    rows.forEach((row, a) => {
      dual[row] = -(y[space.stepBalance[t]!]! + (space.parts ? y[space.parts[t]![a]!.row]! : 0));
    }),
  );
  if (space.leastVolume !== undefined) {
    const volumeRow = full.rowNames.findIndex((name) => name.kind === 'totalTradeVolume');
    dual[volumeRow] = -y[space.leastVolume]!;
  }
  return dual;
}

/**
 * Each agent's trade-balance dual as a linear form in the reduced model's row duals:
 * y[a,t] = −σ_t − w[a,t] (for prices read from the reduced model).
 */
export function agentDualForms(space: InjectionSpace, index: MarketIndex): Entry[][][] {
  return index.tradeBalance.map((rows, t) =>
    rows.map((_, a): Entry[] => [[space.stepBalance[t]!, -1], ...(space.parts ? [[space.parts[t]![a]!.row, -1] as Entry] : [])]),
  );
}
