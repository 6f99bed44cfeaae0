/**
 * Property-based tests (fast-check): over random radial feeders, prosumers, batteries and
 * market settings, every cleared result satisfies reciprocity, balance, battery and network
 * limits, and every market that cannot be cleared is reported with its conflict.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clearWith, solverAdapter } from '../src/market/clear.ts';
import { generateScenario } from '../src/scenario/generate.ts';
import { parseScenario } from '../src/scenario/load.ts';
import { checkInvariants } from './helpers/invariants.ts';
import { checkSettlement } from './helpers/economics.ts';
import { scenarioArbitrary } from './helpers/arbitrary.ts';

describe('markets that once failed (found in review)', async () => {
  const highs = await solverAdapter('highs');
  // A stalled LP round (HiGHS status 15) and a tie-break stage that its own first stage broke.
  it.each([
    [{ buses: 16, seed: 'd158', steps: 15 }, 1],
    [{ buses: 3, seed: 41, steps: 2 }, 20],
    [{ buses: 15, seed: 'd141', steps: 22 }, 1],
    [{ buses: 10, seed: 38, steps: 7 }, 100],
  ] as const)('%o with priorities ×%d clears optimally, within every limit', (options, factor) => {
    const input = generateScenario(options);
    input.utility.priority = input.utility.priority!.map((w) => w * factor);
    const scenario = parseScenario(input);
    const result = clearWith(highs, scenario);
    expect(result.status, result.diagnosis?.message).toBe('optimal');
    expect(result.solver.tieBreak).toBe('resolved');
    expect(checkInvariants(scenario, result)).toEqual([]);
  });
});

describe('every clearing of a random market', async () => {
  const highs = await solverAdapter('highs');

  it('is optimal and satisfies every invariant, or is infeasible with its conflict named', () => {
    let optimal = 0;
    let infeasible = 0;
    let refused = 0;
    fc.assert(
      fc.property(scenarioArbitrary, (input) => {
        let scenario;
        try {
          scenario = parseScenario(input);
        } catch (e) {
          // Only a cycle of trades that pays (or a preference off the trade graph) may be refused.
          expect((e as Error).message).toMatch(/would pay|do not trade with each other/);
          refused++;
          return;
        }
        const result = clearWith(highs, scenario);
        if (result.status === 'infeasible') {
          infeasible++;
          expect(result.diagnosis!.conflicts.length).toBeGreaterThan(0);
          return;
        }
        expect(result.status, result.diagnosis?.message).toBe('optimal');
        optimal++;
        expect(checkInvariants(scenario, result)).toEqual([]);
        // Prices are duals and the settlement balances: buyers pay what sellers get plus the fees.
        expect(checkSettlement(scenario, result)).toEqual([]);
      }),
      { numRuns: 150, seed: 20261125 },
    );
    console.log(`property test: ${optimal} optimal, ${infeasible} infeasible, ${refused} refused`);
    // Every outcome occurs, so every branch is exercised.
    expect(optimal).toBeGreaterThan(80);
    expect(infeasible).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });
});
