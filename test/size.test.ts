/**
 * The size estimate (problem/size.ts) counts, before anything is built, exactly the columns, rows
 * and nonzeros the builder builds — on every trade graph, both LinDistFlow forms, tariffs, both
 * penalty norms, lossy batteries — so that the limits refuse what would be built, no more.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Feeder } from '../src/network/feeder.ts';
import { buildMarketProblem } from '../src/problem/build.ts';
import { estimateModelSize } from '../src/problem/size.ts';
import { generateScenario } from '../src/scenario/generate.ts';
import { parseScenario } from '../src/scenario/load.ts';
import type { Scenario } from '../src/scenario/validate.ts';

const bundled = (name: string) => parseScenario(JSON.parse(readFileSync(join('scenarios', name), 'utf8')), name, { baseDir: 'scenarios' });

function expectExact(scenario: Scenario) {
  const feeder = new Feeder(scenario.network);
  const { model } = buildMarketProblem(scenario, feeder);
  const size = estimateModelSize(scenario, feeder);
  expect({ columns: size.columns, rows: size.rows, nonzeros: size.nonzeros }).toEqual({ columns: model.numCols, rows: model.numRows, nonzeros: model.values.length });
}

describe('the size estimate counts what the builder builds', () => {
  it.each(['seed-4node.json', 'seed-bids.json', 'ieee33-day.json', 'ieee33-market.json', 'seed-time-horizons.json'])('%s', (name) => expectExact(bundled(name)));

  it.each([
    { tradeGraph: 'all' as const, linearForm: 'dense' as const },
    { tradeGraph: 'all' as const, linearForm: 'sparse' as const },
    { tradeGraph: { maxHops: 2 }, linearForm: 'sparse' as const },
    { tradeGraph: 'pool' as const, linearForm: 'dense' as const },
    { tradeGraph: 'utility' as const, linearForm: 'dense' as const },
  ])('a generated 40-bus feeder, %o, L1 and L2, with lossy batteries', ({ tradeGraph, linearForm }) => {
    const base = parseScenario(generateScenario({ buses: 40, seed: 7, steps: 6, tradeGraph }), 'generated');
    for (const penaltyNorm of ['l1', 'l2'] as const) {
      const scenario: Scenario = {
        ...base,
        network: { ...base.network, linearForm },
        market: { ...base.market, penaltyNorm, tradeVolumeWeight: 0.01 },
        prosumers: base.prosumers.map((p, k) => (p.battery && k % 2 === 0 ? { ...p, battery: { ...p.battery, chargeEfficiency: 0.9 } } : p)),
      };
      expectExact(scenario);
    }
  });
});
