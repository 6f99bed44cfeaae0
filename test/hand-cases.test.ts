/**
 * Tiny markets solved by hand, with their prices. Conventions (README, src/market/prices.ts):
 * π_i is the marginal objective of one more kW injected by agent i in a step; an agent's
 * marginal price is ρ_i = −π_i per kWh (divided by the step's hours), and the price of a trade
 * is the seller's ρ: the buyer bears the trade's own costs (fee, preference, volume penalty).
 */
import { describe, expect, it } from 'vitest';
import { clearMarket } from '../src/market/clear.ts';
import { parseScenario } from '../src/scenario/load.ts';
import type { ScenarioInput } from '../src/scenario/schema.ts';
import { checkInvariants } from './helpers/invariants.ts';
import { chainNetwork } from './helpers/feeders.ts';

type Prosumer = ScenarioInput['prosumers'][number];

/** A feeder 0–1–…–k (1 kV, 1 kVA base: Z_base = 1,000 Ω), the utility at bus 0. */
function market(opts: {
  steps: number;
  stepHours?: number;
  buses?: number;
  line?: { rOhm?: number; xOhm?: number; maxKw?: number };
  targetKw: number[];
  priority: number[];
  prosumers: Prosumer[];
  tradeVolumeWeight?: number;
}): ScenarioInput {
  return {
    name: 'hand',
    steps: opts.steps,
    stepHours: opts.stepHours ?? 1,
    network: chainNetwork(opts.buses ?? 2, opts.line),
    utility: { bus: '0', targetKw: opts.targetKw, priority: opts.priority },
    prosumers: opts.prosumers,
    market: { tradeVolumeWeight: opts.tradeVolumeWeight ?? 0 },
  };
}

async function clear(input: ScenarioInput) {
  const scenario = parseScenario(input);
  const result = await clearMarket(scenario);
  expect(result.status).toBe('optimal');
  expect(checkInvariants(scenario, result)).toEqual([]);
  return result;
}

describe('two agents, one step', () => {
  // p1 must inject its schedule of 10 kW (no battery); the utility asked for 4 kW.
  // Objective (w·(U − U*))² + λ·(Σ|p|)² = 6² + 0.01·10² = 37.
  // π_p1 = 2·6 + 2·0.01·10 = 12.2 (its extra kW reaches the utility and is traded);
  // π_utility = 2·6 = 12 (an extra kW at the utility adds to its receipt, not to the volume).
  // The seller p1 receives ρ_p1 = −12.2 per kWh: energy is worth less than nothing here; the
  // buyer's ρ is higher by the volume penalty's marginal 2·0.01·10 = 0.2.
  const input = market({
    steps: 1,
    targetKw: [4],
    priority: [1],
    tradeVolumeWeight: 0.01,
    prosumers: [{ id: 'p1', bus: '1', scheduleKw: [10] }],
  });

  it('clears at 37 with p1 selling 10 kW to the utility at −12.2 per kWh', async () => {
    const r = await clear(input);
    expect(r.objective).toBeCloseTo(37, 6);
    expect(r.objectiveTerms!.requestTracking).toBeCloseTo(36, 6);
    expect(r.objectiveTerms!.tradeVolume).toBeCloseTo(1, 6);
    expect(r.steps[0]!.trades).toEqual([{ from: 'p1', to: 'utility', kw: 10, price: expect.closeTo(-12.2, 4), feePerKwh: 0, preferencePerKwh: 0 }]);
    expect(r.steps[0]!.agents[0]!.marginalPricePerKwh).toBeCloseTo(-12.2, 4);
    expect(r.steps[0]!.utilityPricePerKwh).toBeCloseTo(-12, 4);
    expect(r.prices!.uniqueness).toBe('unique');
  });

  it('prices per kWh: the same market in 4-hour steps has a quarter of the price', async () => {
    const r = await clear({ ...input, stepHours: 4 });
    expect(r.steps[0]!.trades[0]!.price).toBeCloseTo(-12.2 / 4, 4);
  });

  it('the marginal value π_p1 = 12.2 matches a finite difference of the optimum', async () => {
    const bumped = await clear(market({ ...marketArgs(input), prosumers: [{ id: 'p1', bus: '1', scheduleKw: [10.001] }] }));
    const base = await clear(input);
    expect((bumped.objective! - base.objective!) / 0.001).toBeCloseTo(12.2, 2);
  });
});

/** Recovers the arguments of `market` from a built input, to vary one of them. */
function marketArgs(input: ScenarioInput) {
  return {
    steps: input.steps,
    stepHours: input.stepHours,
    targetKw: input.utility.targetKw!,
    priority: input.utility.priority!,
    tradeVolumeWeight: input.market?.tradeVolumeWeight,
    prosumers: input.prosumers,
  };
}

describe('a binding battery', () => {
  const battery = { minKwh: 0, maxKwh: 10, maxChargeKw: 2, maxDischargeKw: 2 };

  it('discharges at its power limit: U = 2 kW against 10 requested, price 16', async () => {
    // Step 0 wants 10 kW; the battery gives its 2 kW maximum. Objective (2 − 10)² = 64.
    // π = 2·(2 − 10) = −16 at both ends, so the price is 16 per kWh. Step 1 has no request:
    // the tie-break keeps the battery idle.
    const r = await clear(
      market({
        steps: 2,
        targetKw: [10, 0],
        priority: [1, 0],
        prosumers: [{ id: 'p1', bus: '1', scheduleKw: [0, 0], battery: { ...battery, initialKwh: 5 } }],
      }),
    );
    expect(r.objective).toBeCloseTo(64, 6);
    const [s0, s1] = r.steps;
    expect(s0!.agents[0]).toMatchObject({ batteryKw: expect.closeTo(2, 7), socStartKwh: 5, socEndKwh: expect.closeTo(3, 7) });
    expect(s0!.trades).toEqual([{ from: 'p1', to: 'utility', kw: 2, price: expect.closeTo(16, 4), feePerKwh: 0, preferencePerKwh: 0 }]);
    // The tie-break resolves an idle battery to about 1e-4 kW (README: precision).
    expect(Math.abs(s1!.agents[0]!.batteryKw)).toBeLessThan(1e-4);
  });

  it('discharges down to its minimum energy: 1.5 kWh in a 1-hour step, price 17', async () => {
    // Only 1.5 kWh above the minimum: U = 1.5, objective (1.5 − 10)² = 72.25, price 2·8.5 = 17.
    const r = await clear(
      market({
        steps: 1,
        targetKw: [10],
        priority: [1],
        prosumers: [{ id: 'p1', bus: '1', scheduleKw: [0], battery: { ...battery, initialKwh: 1.5 } }],
      }),
    );
    expect(r.objective).toBeCloseTo(72.25, 6);
    expect(r.steps[0]!.agents[0]).toMatchObject({ batteryKw: expect.closeTo(1.5, 7), socEndKwh: expect.closeTo(0, 7) });
    expect(r.steps[0]!.trades[0]!.price).toBeCloseTo(17, 4);
  });

  it('returns to its initial state when asked, spreading the charge evenly (tie-break)', async () => {
    // Two steps of 1 h; it must end where it started, so it discharges 2 kW in step 0 and
    // charges 2 kW in step 1 to meet requests of +2 and −2 kW exactly: objective 0.
    const r = await clear(
      market({
        steps: 2,
        targetKw: [2, -2],
        priority: [1, 1],
        prosumers: [{ id: 'p1', bus: '1', scheduleKw: [0, 0], battery: { ...battery, initialKwh: 5, returnToInitial: true } }],
      }),
    );
    expect(r.objective).toBeCloseTo(0, 6);
    expect(r.steps.map((s) => s.agents[0]!.batteryKw)).toEqual([expect.closeTo(2, 6), expect.closeTo(-2, 6)]);
    expect(r.steps[1]!.agents[0]!.socEndKwh).toBeCloseTo(5, 9);
  });
});

describe('a binding voltage limit', () => {
  // One line of r = x = 1 Ω at 1 kV, 1 kVA base: r = x = 0.001 p.u.; v₁ = 1 + 2·0.001·P
  // (P in kW, Q = 0) ≤ 1.05² = 1.1025 caps P at 51.25 kW. p1 schedules 60 kW and the utility
  // asks for 60: the battery charges 8.75 kW, objective 8.75² = 76.5625. The bilateral price
  // is the reciprocity multiplier λ: from the utility's side, one more kW delivered is worth
  // 2·(60 − 51.25) = 17.5; from p1's side, λ = 17.5 plus the voltage limit's shadow price
  // (−17.5 per kW) nets p1's own marginal value of 0. The price is 17.5, the voltage rent
  // falls to the seller behind the limit.
  it('caps the injection at 51.25 kW, voltage exactly 1.05 p.u., price 17.5', async () => {
    const input = market({
      steps: 1,
      line: { rOhm: 1, xOhm: 1 },
      targetKw: [60],
      priority: [1],
      prosumers: [
        { id: 'p1', bus: '1', scheduleKw: [60], battery: { initialKwh: 10, minKwh: 0, maxKwh: 100, maxChargeKw: 20, maxDischargeKw: 20 } },
      ],
    });
    input.network.vMaxPu = 1.05;
    input.network.vMinPu = 0.95;
    const r = await clear(input);
    expect(r.objective).toBeCloseTo(76.5625, 6);
    expect(r.steps[0]!.agents[0]).toMatchObject({ netInjectionKw: expect.closeTo(51.25, 6), batteryKw: expect.closeTo(-8.75, 6) });
    expect(r.steps[0]!.buses.find((b) => b.id === '1')!.voltagePu).toBeCloseTo(1.05, 9);
    expect(r.steps[0]!.trades[0]!.price).toBeCloseTo(17.5, 4);
    // Nodal prices: 17.5 at the substation; behind the binding limit an extra kWh injected at
    // bus 1 is worth nothing (p1 would have to charge it away): 0.
    expect(r.steps[0]!.buses.map((b) => b.nodalPricePerKwh)).toEqual([expect.closeTo(17.5, 4), expect.closeTo(0, 4)]);
  });
});

describe('a binding line limit', () => {
  // Feeder 0–1–2, line 1→2 limited to 30 kW. p2 at bus 2 schedules 40 kW, the utility asks
  // for 40: the battery charges 10 kW, U = 30, objective 100; the flow on 1→2 is −30 kW
  // (towards the slack). As with the voltage limit, the price is the utility's marginal value
  // 2·(40 − 30) = 20, and p2's side of it is offset by the line's shadow price.
  it('caps the flow at −30 kW, price 20', async () => {
    const input = market({
      steps: 1,
      buses: 3,
      targetKw: [40],
      priority: [1],
      prosumers: [
        { id: 'p1', bus: '1', scheduleKw: [0] },
        { id: 'p2', bus: '2', scheduleKw: [40], battery: { initialKwh: 10, minKwh: 0, maxKwh: 100, maxChargeKw: 20, maxDischargeKw: 20 } },
      ],
    });
    input.network.lines[1]!.maxKw = 30;
    const r = await clear(input);
    expect(r.objective).toBeCloseTo(100, 6);
    expect(r.steps[0]!.lines.find((l) => l.to === '2')!.flowKw).toBeCloseTo(-30, 6);
    expect(r.steps[0]!.agents[1]!.batteryKw).toBeCloseTo(-10, 6);
    expect(r.steps[0]!.trades).toEqual([{ from: 'p2', to: 'utility', kw: expect.closeTo(30, 6), price: expect.closeTo(20, 4), feePerKwh: 0, preferencePerKwh: 0 }]);
    // The binding line separates the nodal prices: 20 on the substation's side of it, 0 behind
    // it, where p2's extra kWh could only be charged away.
    expect(r.steps[0]!.buses.map((b) => b.nodalPricePerKwh)).toEqual([expect.closeTo(20, 4), expect.closeTo(20, 4), expect.closeTo(0, 4)]);
  });
});

describe('an infeasible market', () => {
  it('names the conflicting constraints in domain words', async () => {
    // p1 must inject at least 5 kW, but its schedule is 0 and its battery gives at most 2 kW.
    const scenario = parseScenario(
      market({
        steps: 1,
        targetKw: [0],
        priority: [1],
        prosumers: [
          {
            id: 'p1',
            bus: '1',
            scheduleKw: [0],
            minInjectionKw: 5,
            battery: { initialKwh: 5, minKwh: 0, maxKwh: 10, maxChargeKw: 2, maxDischargeKw: 2 },
          },
        ],
      }),
    );
    const r = await clearMarket(scenario);
    expect(r.status).toBe('infeasible');
    const conflicts = r.diagnosis!.conflicts.join('\n');
    expect(conflicts).toContain('net injection of p1, step 0, minimum injection');
    expect(conflicts).toContain('battery of p1, step 0, maximum discharge power');
  });
});
