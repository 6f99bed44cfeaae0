/**
 * The reduced tie-break stage (without trades, for markets where every pair trades) has the
 * same optimum as the full one: the same least Σb², and the same battery dispatch.
 */
import { describe, expect, it } from 'vitest';
import { clearMarket, solverAdapter } from '../src/market/clear.ts';
import { Feeder } from '../src/network/feeder.ts';
import { buildMarketProblem } from '../src/problem/build.ts';
import { tieBreakStage } from '../src/problem/tiebreak.ts';
import { expandSolution, REDUCE_MIN_DELIVERIES, reducedTieBreakStage, reducePoint } from '../src/problem/tiebreak-reduced.ts';
import { generateScenario } from '../src/scenario/generate.ts';
import { parseScenario } from '../src/scenario/load.ts';
import { solveOnce } from '../src/solver/adapter.ts';
import { checkInvariants } from './helpers/invariants.ts';

describe('the reduced tie-break stage', async () => {
  const highs = await solverAdapter('highs');
  it.each([
    [{ buses: 8, seed: 1, steps: 4, loadKw: [5, 20] as [number, number] }],
    [{ buses: 10, seed: 2, steps: 3, tradeVolumeWeight: 0 }],
    [{ buses: 6, seed: 3, steps: 5, penaltyNorm: 'l1' as const, returnToInitial: true }],
    [{ buses: 12, seed: 4, steps: 2, lineMaxKw: 60 }],
  ])('gives the full stage\'s dispatch: %o', (options) => {
    const scenario = parseScenario(generateScenario(options));
    const { model, index } = buildMarketProblem(scenario, new Feeder(scenario.network));
    const first = solveOnce(highs, model);
    expect(first.status).toBe('optimal');
    const x = Float64Array.from(first.x!);
    const batteries = index.batteryPower.flat().filter((c) => c >= 0);
    const stage = tieBreakStage(model, x, batteries);
    const full = solveOnce(highs, stage);
    const reduced = reducedTieBreakStage(stage, index);
    expect(reduced.model.numCols).toBeLessThan(stage.numCols + 2 * index.netInjection.flat().length);
    const small = solveOnce(highs, reduced.model, undefined, reducePoint(reduced, x));
    expect(full.status).toBe('optimal');
    expect(small.status).toBe('optimal');
    const sumSquares = (v: ArrayLike<number>, cols: number[]) => cols.reduce((s, c) => s + v[c]! ** 2, 0);
    const expanded = expandSolution(reduced, small.x!, x);
    expect(sumSquares(expanded, batteries)).toBeCloseTo(sumSquares(full.x!, batteries), 5);
    for (const c of batteries) expect(expanded[c]!, `column ${c}`).toBeCloseTo(full.x![c]!, 3);
  });
});

describe('a clearing with many trades', () => {
  it('takes the reduced stage, and its result keeps every invariant', async () => {
    // 40 prosumers: 820 pairs × 7 steps × 2 directions = 11,480 deliveries.
    const scenario = parseScenario(generateScenario({ buses: 41, seed: 5, steps: 7, loadKw: [2, 6] }));
    const { index } = buildMarketProblem(scenario, new Feeder(scenario.network));
    expect(index.trade.flat(2).length).toBeGreaterThanOrEqual(REDUCE_MIN_DELIVERIES);
    const result = await clearMarket(scenario);
    expect(result.status).toBe('optimal');
    expect(result.solver.tieBreak).toBe('resolved');
    expect(checkInvariants(scenario, result)).toEqual([]);
  }, 60_000);
});
