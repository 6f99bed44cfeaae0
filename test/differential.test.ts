/**
 * HiGHS against javascript-lp-solver — two independent solvers — on the L1 variant (a pure
 * LP) over random small markets: equal optima, and both answers satisfy every invariant.
 */
import { describe, expect, it } from 'vitest';
import { clearWith, solverAdapter } from '../src/market/clear.ts';
import { generateScenario } from '../src/scenario/generate.ts';
import { parseScenario } from '../src/scenario/load.ts';
import { checkInvariants } from './helpers/invariants.ts';

const CASES = 60;

describe('HiGHS and javascript-lp-solver agree on the L1 market', async () => {
  const highs = await solverAdapter('highs');
  const lpSolver = await solverAdapter('lp-solver');

  it(`gives the same optimum on ${CASES} random markets (1e-6 relative)`, () => {
    let compared = 0;
    for (let seed = 1; seed <= CASES; seed++) {
      const scenario = parseScenario(
        generateScenario({
          seed: `differential-${seed}`,
          buses: 2 + (seed % 6),
          steps: 1 + (seed % 4),
          batteryShare: 0.7,
          lineMaxKw: seed % 3 === 0 ? 15 : undefined,
          returnToInitial: seed % 2 === 0,
          tradeVolumeWeight: (seed % 4) * 0.05,
          penaltyNorm: 'l1',
          tieBreak: 'none',
        }),
      );
      const a = clearWith(highs, scenario);
      const b = clearWith(lpSolver, scenario);
      expect(b.status, `seed ${seed}`).toBe(a.status);
      if (a.status !== 'optimal') continue;
      compared++;
      expect(checkInvariants(scenario, a), `HiGHS, seed ${seed}`).toEqual([]);
      expect(checkInvariants(scenario, b), `javascript-lp-solver, seed ${seed}`).toEqual([]);
      const scale = Math.max(1, Math.abs(a.objective!));
      expect(Math.abs(a.objective! - b.objective!) / scale, `seed ${seed}: ${a.objective} vs ${b.objective}`).toBeLessThan(1e-6);
    }
    // The comparison must not pass by having nothing to compare.
    expect(compared).toBeGreaterThanOrEqual(50);
  });

  it('javascript-lp-solver refuses a quadratic market with a clear message', () => {
    const scenario = parseScenario(generateScenario({ seed: 1, buses: 3, steps: 2 }));
    expect(() => clearWith(lpSolver, scenario)).toThrow(/linear problems only.*requestDeviation|linear problems only/);
  });
});
