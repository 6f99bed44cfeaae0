/**
 * The market in injection space (problem/injection-space.ts) against the full model, on random
 * markets whose trades are interchangeable (every pair, no fees, no preferences): the same
 * status, the same objective (1e-9 relative), the same tie-broken dispatch, every constraint of
 * the full model satisfied by the routed trades (the clearing's own check, and the independent
 * invariants), prices that are duals of the full model (buyer's ρ − seller's ρ = μ/Δt on every
 * trade, the settlement balancing) and equal to the full model's where they are unique.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clearWith, INJECTION_SPACE_MIN_AGENTS, solverAdapter } from '../src/market/clear.ts';
import { Feeder } from '../src/network/feeder.ts';
import { buildMarketProblem } from '../src/problem/build.ts';
import { everyOptimumShares } from '../src/problem/optimal-face.ts';
import { loadScenario, parseScenario } from '../src/scenario/load.ts';
import type { ScenarioInput } from '../src/scenario/schema.ts';
import { checkInvariants } from './helpers/invariants.ts';
import { checkSettlement } from './helpers/economics.ts';
import { scenarioArbitrary } from './helpers/arbitrary.ts';

/** Random markets with interchangeable trades. */
const interchangeable = scenarioArbitrary.map((input): ScenarioInput => {
  const { networkFee: _fee, pairPreferences: _preferences, ...market } = input.market!;
  return { ...input, market: { ...market, tradeGraph: 'all' } };
});

/**
 * Objectives agree to this share of their size, plus an absolute 1e-8: near an optimum of 0 both
 * LPs stop within their feasibility tolerance (1e-9 kW) of it, at costs of a few units per kW.
 */
const OBJECTIVE = 1e-9;
const OBJECTIVE_ABSOLUTE = 1e-8;
/** Battery powers and net injections agree to this, kW. */
const DISPATCH_KW = 1e-6;

describe('the market in injection space', async () => {
  const highs = await solverAdapter('highs');

  it('clears random markets as the full model does', () => {
    let compared = 0;
    let worstDispatchKw = 0;
    fc.assert(
      fc.property(interchangeable, (input) => {
        const scenario = parseScenario(input);
        const reduced = clearWith(highs, scenario, { formulation: 'injections' });
        const full = clearWith(highs, scenario, { formulation: 'full' });
        expect(reduced.solver.solved?.formulation).toBe('injection space');
        expect(full.solver.solved).toBeUndefined();
        expect(reduced.status).toBe(full.status);
        if (full.status !== 'optimal') return;
        compared++;
        const scale = Math.max(1, Math.abs(full.objective!));
        expect(Math.abs(reduced.objective! - full.objective!), `objective ${reduced.objective} against ${full.objective}`).toBeLessThanOrEqual(OBJECTIVE * scale + OBJECTIVE_ABSOLUTE);
        expect(reduced.solver.tieBreak).toBe(full.solver.tieBreak);
        full.steps.forEach((step, t) =>
          step.agents.forEach((agent, k) => {
            const other = reduced.steps[t]!.agents[k]!;
            worstDispatchKw = Math.max(worstDispatchKw, Math.abs(other.batteryKw - agent.batteryKw), Math.abs(other.netInjectionKw - agent.netInjectionKw));
            if (scenario.market.tieBreak === 'quadratic') {
              expect(other.batteryKw, `battery of ${agent.id}, step ${t}`).toBeCloseTo(agent.batteryKw, 6);
              expect(other.netInjectionKw, `net injection of ${agent.id}, step ${t}`).toBeCloseTo(agent.netInjectionKw, 6);
            }
          }),
        );
        // Every constraint of the full model, checked by the clearing and independently.
        expect(reduced.solver.maxViolation).toBeLessThanOrEqual(1e-6);
        expect(checkInvariants(scenario, reduced)).toEqual([]);
        // Prices are duals of the full model: every trade's buyer pays the seller's price plus μ/Δt.
        expect(checkSettlement(scenario, reduced)).toEqual([]);
        if (reduced.prices?.uniqueness === 'unique' && full.prices?.uniqueness === 'unique') {
          full.steps.forEach((step, t) =>
            step.agents.forEach((agent, k) => {
              const price = reduced.steps[t]!.agents[k]!.marginalPricePerKwh!;
              expect(Math.abs(price - agent.marginalPricePerKwh!), `price of ${agent.id}, step ${t}`).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(price)));
            }),
          );
        }
      }),
      { numRuns: 120, seed: 20261202 },
    );
    console.log(`injection space: ${compared} optimal markets compared, worst dispatch difference ${worstDispatchKw.toExponential(1)} kW`);
    expect(compared).toBeGreaterThan(50);
  });

  it('is used by default from INJECTION_SPACE_MIN_AGENTS agents on', () => {
    const [small] = fc.sample(interchangeable, { numRuns: 1, seed: 5 });
    expect(clearWith(highs, parseScenario(small!)).solver.solved).toBeUndefined();
    const day = loadScenario('scenarios/ieee33-day.json');
    expect(day.prosumers.length + 1).toBeGreaterThanOrEqual(INJECTION_SPACE_MIN_AGENTS);
    expect(clearWith(highs, day, { checkPrices: false }).solver.solved).toEqual({ formulation: 'injection space', columns: 1791, rows: 1873 });
  }, 60_000);

  it('is not used when trades are not interchangeable (fees, preferences, other graphs)', () => {
    const base = { ...JSON.parse(JSON.stringify(fc.sample(interchangeable, { numRuns: 1, seed: 7 })[0])) } as ScenarioInput;
    for (const market of [{ networkFee: { perKwh: 0.1 } }, { tradeGraph: 'pool' as const }, { tradeGraph: { maxHops: 1 } }]) {
      const result = clearWith(highs, parseScenario({ ...base, market: { ...base.market, ...market } }), { formulation: 'injections' });
      expect(result.solver.solved).toBeUndefined();
    }
  });
});

describe('the tie-break stage', async () => {
  const highs = await solverAdapter('highs');
  it('is skipped when every optimum shares the dispatch (a quadratic bid on every battery owner), with the full stage\'s result', () => {
    const input = fc.sample(interchangeable, { numRuns: 40, seed: 11 }).map((s) => ({
      ...s,
      prosumers: s.prosumers.map((p) => ({ ...p, costBid: { quadraticPerKw2h: 0.2, linearPerKwh: 1 } })),
      market: { ...s.market, tieBreak: 'quadratic' as const },
    }));
    let skipped = 0;
    for (const raw of input) {
      const scenario = parseScenario(raw);
      const problem = buildMarketProblem(scenario, new Feeder(scenario.network));
      const batteries = problem.index.batteryPower.flat().filter((c) => c >= 0);
      expect(everyOptimumShares(problem.model, batteries)).toBe(true);
      const auto = clearWith(highs, scenario, { formulation: 'injections' });
      const full = clearWith(highs, scenario, { formulation: 'full' });
      expect(auto.status).toBe(full.status);
      if (full.status !== 'optimal') continue;
      skipped++;
      expect(auto.solver.tieBreak).toBe('resolved');
      full.steps.forEach((step, t) => step.agents.forEach((a, k) => expect(auto.steps[t]!.agents[k]!.batteryKw, `${a.id}, step ${t}`).toBeCloseTo(a.batteryKw, 6)));
    }
    expect(skipped).toBeGreaterThan(10);
  });

  it('is not skipped when the dispatch is not fixed (no bids)', () => {
    const scenario = parseScenario({ ...fc.sample(interchangeable, { numRuns: 1, seed: 3 })[0]!, prosumers: [
      { id: 'p1', bus: 'b0', scheduleKw: [1], reactiveKvar: 0, battery: { initialKwh: 5, minKwh: 0, maxKwh: 10, maxChargeKw: 3, maxDischargeKw: 3 } },
      { id: 'p2', bus: 'b0', scheduleKw: [1], reactiveKvar: 0, battery: { initialKwh: 5, minKwh: 0, maxKwh: 10, maxChargeKw: 3, maxDischargeKw: 3 } },
    ], steps: 1, utility: { bus: 'b0', targetKw: [0], priority: [1] }, network: { baseKv: 12.66, baseKva: 1000, vMinPu: 0.9, vMaxPu: 1.1, slack: 'b0', buses: ['b0'], lines: [] } });
    const problem = buildMarketProblem(scenario, new Feeder(scenario.network));
    expect(everyOptimumShares(problem.model, problem.index.batteryPower.flat().filter((c) => c >= 0))).toBe(false);
    // Two equal batteries share the 2 kW the request wants absorbed: −1 kW each.
    const result = clearWith(highs, scenario, { formulation: 'injections' });
    expect(result.steps[0]!.agents.map((a) => a.batteryKw)).toEqual([-1, -1].map((v) => expect.closeTo(v, 6)));
  });
});
