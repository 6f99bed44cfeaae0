/**
 * The tie-break stage without its trades, for markets where every pair may trade.
 *
 * The tie-break stage (tiebreak.ts) minimises Σb² over the first stage's optimal face. Its
 * objective does not look at the trades, and the reported trades are re-routed afterwards
 * (routing.ts); the trades only matter through what they allow. With every pair of agents
 * trading, injections P (Σ_a P_a = 0 in each step) can be routed with any trade volume from
 * the least one, ½·Σ_a |P_a| per step (sellers straight to buyers), upwards (a pair may trade
 * both ways). So the stage's feasible set, seen in every column but the trades, is the same as
 * that of this smaller model: the deliveries, the trade-balance rows and the volume row are
 * replaced by, per step, Σ_a P_a = 0 and P_a = P⁺_a − P⁻_a (P± ≥ 0), and, with a volume
 * penalty, ½·Σ_{t,a} (P⁺ + P⁻) ≤ S. With all pairs of 100 prosumers over 24 steps this takes
 * the stage from 264,101 columns to about 29,000. It is solved afresh, its first cuts at the
 * first stage's solution.
 */
import type { MarketIndex } from './build.ts';
import { ModelBuilder, type Entry, type LinearModel } from './model.ts';

export interface ReducedStage {
  model: LinearModel;
  /** Column of the reduced model for each column of the full one (−1: a delivery, dropped). */
  columnOf: Int32Array;
  /** The positive and negative parts' columns of each net-injection column. */
  parts: Map<number, [number, number]>;
}

/**
 * Below this many delivery columns the full stage is solved, warm in the first stage's session,
 * which was measured to be faster (33-bus day, 5,040 deliveries: 2.3 s against 2.55 s reduced);
 * above, the reduced one wins (100 buses, 33 prosumers, all pairs: 3.9 s against 5.1 s; 300
 * buses, 100 prosumers: 47 s against 60 s).
 */
export const REDUCE_MIN_DELIVERIES = 10_000;

export function reducedTieBreakStage(stage: LinearModel, index: MarketIndex): ReducedStage {
  const mb = new ModelBuilder();
  const deliveries = new Set(index.trade.flat(2));
  const columnOf = new Int32Array(stage.numCols).fill(-1);
  for (let j = 0; j < stage.numCols; j++) {
    if (deliveries.has(j)) continue;
    columnOf[j] = mb.addCol(stage.colNames[j]!, stage.colLower[j]!, stage.colUpper[j]!, stage.colCost[j]!, stage.colQuad[j]!);
  }
  const dropped = new Set(index.tradeBalance.flat());
  for (let i = 0; i < stage.numRows; i++) {
    const name = stage.rowNames[i]!;
    if (dropped.has(i) || name.kind === 'totalTradeVolume') continue;
    const entries: Entry[] = [];
    for (let k = stage.rowStarts[i]!; k < stage.rowStarts[i + 1]!; k++) {
      const col = columnOf[stage.colIndex[k]!]!;
      if (col < 0) throw new Error(`reduced tie-break: row ${JSON.stringify(name)} holds a delivery`);
      entries.push([col, stage.values[k]!]);
    }
    mb.addRow(name, stage.rowLower[i]!, stage.rowUpper[i]!, entries);
  }

  const volume: Entry[] = [];
  const parts = new Map<number, [number, number]>();
  index.netInjection.forEach((cols, t) => {
    mb.addRow({ kind: 'stepBalance', step: t }, 0, 0, cols.map((c): Entry => [columnOf[c]!, 1]));
    cols.forEach((c, a) => {
      const bound = Math.max(Math.abs(stage.colLower[c]!), Math.abs(stage.colUpper[c]!));
      const agent = index.agents[a]!;
      const plus = mb.addCol({ kind: 'injectionPart', agent, step: t, part: 'positive' }, 0, bound);
      const minus = mb.addCol({ kind: 'injectionPart', agent, step: t, part: 'negative' }, 0, bound);
      mb.addRow({ kind: 'injectionParts', agent, step: t }, 0, 0, [[columnOf[c]!, 1], [plus, -1], [minus, 1]]);
      parts.set(c, [plus, minus]);
      volume.push([plus, 0.5], [minus, 0.5]);
    });
  });
  if (index.totalTradeVolume !== undefined) {
    mb.addRow({ kind: 'leastTradeVolume' }, -Infinity, 0, [...volume, [columnOf[index.totalTradeVolume]!, -1]]);
  }
  return { model: mb.build(), columnOf, parts };
}

/** A full model's point in the reduced model's columns (each injection split into its parts). */
export function reducePoint(reduced: ReducedStage, x: ArrayLike<number>): Float64Array {
  const point = new Float64Array(reduced.model.numCols);
  reduced.columnOf.forEach((col, j) => {
    if (col >= 0) point[col] = x[j]!;
  });
  for (const [c, [plus, minus]] of reduced.parts) {
    point[plus] = Math.max(x[c]!, 0);
    point[minus] = Math.max(-x[c]!, 0);
  }
  return point;
}

/** The full model's columns from a reduced solution (deliveries left as in `base`: the caller re-routes them). */
export function expandSolution(reduced: ReducedStage, x: ArrayLike<number>, base: Float64Array): Float64Array {
  const full = Float64Array.from(base);
  reduced.columnOf.forEach((col, j) => {
    if (col >= 0) full[j] = x[col]!;
  });
  return full;
}
