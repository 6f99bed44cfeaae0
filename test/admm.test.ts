/**
 * The negotiated clearing (market.clearing "admm", src/admm/) against the central optimum it is
 * proven against: the seed's case, seed-bids.json, the 33-bus market, the binding line and the
 * binding voltage of economics.test.ts, and random small markets (fast-check) — welfare within
 * 1e-4 relative, every trade price within 1e-3 per kWh of its seller's central price (or of that
 * price's range where it is not unique), and every constraint of the restored dispatch checked
 * by test/helpers/invariants.ts. Then the engine: the same seed gives the same negotiation.csv
 * byte for byte, latency, loss and asynchrony reach the same answer, pairs that stop early, a
 * negotiation that runs out of iterations says so, unsupported settings are refused, and
 * simulations negotiate every window from the previous window's prices.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AdmmSchema, type AdmmInput } from '../src/admm/options.ts';
import { clearWith, solverAdapter } from '../src/market/clear.ts';
import type { ClearingResult } from '../src/market/result.ts';
import { negotiationFiles } from '../src/output/negotiation-csv.ts';
import { simulate } from '../src/engine/simulate.ts';
import { loadScenario, parseScenario } from '../src/scenario/load.ts';
import { generateScenario } from '../src/scenario/generate.ts';
import type { ScenarioInput } from '../src/scenario/schema.ts';
import type { Scenario } from '../src/scenario/validate.ts';
import { InputError } from '../src/errors.ts';
import { checkInvariants } from './helpers/invariants.ts';
import { chainNetwork } from './helpers/feeders.ts';

const highs = await solverAdapter('highs');

function negotiated(scenario: Scenario, admm: AdmmInput = {}): Scenario {
  return { ...scenario, market: { ...scenario.market, clearing: 'admm', admm: AdmmSchema.parse(admm) } };
}

/** The proof: optimal, every invariant, and within the bounds of the central optimum. */
function expectProven(scenario: Scenario, result: ClearingResult): void {
  expect(result.status, result.diagnosis?.message).toBe('optimal');
  const n = result.negotiation!;
  expect(n.converged).toBe(true);
  expect(n.central.status).toBe('optimal');
  expect(checkInvariants(scenario, result)).toEqual([]);
  expect(n.gaps!.objectiveRelative).toBeLessThanOrEqual(1e-4);
  expect(n.gaps!.welfareRelative).toBeLessThanOrEqual(1e-4);
  expect(n.gaps!.maxTradePricePerKwh).toBeLessThanOrEqual(1e-3);
  // An idle agent's price may lie anywhere its neighbours' prices allow (between the tariff's two
  // prices, say): compared only where the central clearing found its prices unique (or ranged them).
  if (n.central.uniqueness === 'unique' || n.central.uniqueness === 'not unique') {
    expect(n.gaps!.maxAgentPricePerKwh).toBeLessThanOrEqual(1e-3);
    expect(n.gaps!.maxNodalPricePerKwh).toBeLessThanOrEqual(1e-3);
  }
  expect(n.residuals.primalKw).toBeLessThanOrEqual(n.residuals.primalToleranceKw);
  expect(n.residuals.dualPerKwh).toBeLessThanOrEqual(n.residuals.dualTolerancePerKwh);
  // Every trade's price is its seller's marginal price, recomputed here from the central result.
  result.steps.forEach((step, t) => {
    const central = result.negotiation!.central.agentPricePerKwh[t]!;
    const ids = ['utility', ...scenario.prosumers.map((p) => p.id)];
    for (const tr of step.trades) {
      const seller = central[ids.indexOf(tr.from)];
      const range = n.central.uniqueness === 'unique' ? 0 : Infinity;
      if (seller !== null && seller !== undefined && range === 0) expect(Math.abs(tr.price! - seller), `${tr.from}→${tr.to} at ${t}`).toBeLessThanOrEqual(1e-3);
    }
  });
}

const freeBattery = { initialKwh: 500, minKwh: 0, maxKwh: 1000, maxChargeKw: 200, maxDischargeKw: 200 };
function twoProsumers(buses = 3): ScenarioInput {
  return {
    name: 'economics',
    steps: 1,
    stepHours: 1,
    network: chainNetwork(buses),
    utility: { bus: '0', tariff: { buyPerKwh: -100, sellPerKwh: 100 } },
    prosumers: [
      { id: 'p1', bus: '1', scheduleKw: [0], battery: freeBattery, costBid: { quadraticPerKw2h: 0.1, linearPerKwh: 5 } },
      { id: 'p2', bus: String(Math.min(2, buses - 1)), scheduleKw: [0], battery: freeBattery, costBid: { quadraticPerKw2h: 0.3, linearPerKwh: 9 } },
    ],
  };
}

describe('the negotiation reaches the central optimum', () => {
  it('on the seed\'s case (objective 89,698.003, request tracking, volume penalty)', () => {
    const scenario = negotiated(loadScenario('scenarios/seed-4node.json'));
    const result = clearWith(highs, scenario);
    expectProven(scenario, result);
    expect(result.objective!).toBeCloseTo(89698.003, 2);
    expect(result.negotiation!.volumePricePerKwh).toBeGreaterThan(0);
  });

  it('on seed-bids.json (bids, a tariff, distance fees, a preference)', () => {
    const scenario = negotiated(loadScenario('scenarios/seed-bids.json'));
    const result = clearWith(highs, scenario);
    expectProven(scenario, result);
    // Fees and the preference are borne by the buyers: the trades carry them.
    expect(result.steps.flatMap((s) => s.trades).every((tr) => tr.feePerKwh >= 0.05)).toBe(true);
  });

  it('on the 33-bus market, whose evening voltages bind (nodal prices separate)', () => {
    const scenario = negotiated(loadScenario('scenarios/ieee33-market.json'));
    const result = clearWith(highs, scenario);
    expectProven(scenario, result);
    const evening = result.steps[19]!.buses.map((b) => b.nodalPricePerKwh!);
    expect(Math.max(...evening) - Math.min(...evening)).toBeGreaterThan(0.005);
  }, 120_000);

  it('with a binding line: 4 kW at 5.4, nodal prices 5.4 before the line and 7.8 behind it', () => {
    const input = twoProsumers();
    input.network.lines[1]!.maxKw = 4;
    const scenario = negotiated(parseScenario(input));
    const result = clearWith(highs, scenario);
    expectProven(scenario, result);
    const step = result.steps[0]!;
    expect(step.trades.filter((tr) => tr.from === 'p1' && tr.to === 'p2').map((tr) => tr.price)).toEqual([expect.closeTo(5.4, 3)]);
    expect(step.agents[1]!.netInjectionKw).toBeCloseTo(-4, 4);
    expect(step.buses.map((b) => b.nodalPricePerKwh)).toEqual([expect.closeTo(5.4, 3), expect.closeTo(5.4, 3), expect.closeTo(7.8, 3)]);
  });

  it('with a binding voltage: bus 2 held at 0.99 p.u., the relieving seller paid its marginal cost', () => {
    const input = twoProsumers();
    input.network.lines = input.network.lines.map((l) => ({ ...l, rOhm: 1, xOhm: 1 }));
    input.network.vMinPu = 0.99;
    const scenario = negotiated(parseScenario(input));
    const result = clearWith(highs, scenario);
    expectProven(scenario, result);
    const step = result.steps[0]!;
    expect(step.buses.find((b) => b.id === '2')!.voltagePu).toBeCloseTo(0.99, 6);
    const injection = step.agents[0]!.netInjectionKw;
    expect(step.buses.find((b) => b.id === '1')!.nodalPricePerKwh).toBeCloseTo(0.1 * injection + 5, 3);
  });
});

/** Random small markets: bids, a tariff, fees, buyers' costs ≥ 0, tight lines and voltages. */
const kw = (lo: number, hi: number) => fc.double({ min: lo, max: hi, noNaN: true }).map((v) => Math.round(v * 100) / 100);
const market: fc.Arbitrary<ScenarioInput> = fc
  .record({ buses: fc.integer({ min: 2, max: 5 }), steps: fc.integer({ min: 1, max: 3 }), prosumers: fc.integer({ min: 1, max: 4 }) })
  .chain(({ buses, steps, prosumers }) =>
    fc.record({
      parents: fc.tuple(...Array.from({ length: buses - 1 }, (_, k) => fc.integer({ min: 0, max: k }))),
      lineMaxKw: fc.array(fc.option(kw(2, 15), { nil: undefined }), { minLength: buses - 1, maxLength: buses - 1 }),
      ohm: kw(0.2, 2),
      vMinPu: fc.constantFrom(0.9, 0.97, 0.99),
      prosumers: fc.array(
        fc.record({
          bus: fc.integer({ min: 1, max: buses - 1 }),
          scheduleKw: fc.array(kw(-12, 12), { minLength: steps, maxLength: steps }),
          battery: fc.option(fc.record({ maxKwh: kw(2, 20), maxChargeKw: kw(1, 8), maxDischargeKw: kw(1, 8), returnToInitial: fc.boolean() }), { nil: undefined }),
          bid: fc.tuple(fc.constantFrom(0.05, 0.2, 0.5), kw(1, 9)),
        }),
        { minLength: prosumers, maxLength: prosumers },
      ),
      tariff: fc.tuple(kw(2, 5), kw(0, 6)),
      fee: fc.option(fc.record({ perKwh: kw(0, 0.3), perKwhPerOhm: kw(0, 0.2) }), { nil: undefined }),
      preference: fc.option(fc.record({ to: fc.integer({ min: 1, max: prosumers }), costPerKwh: kw(0, 0.5) }), { nil: undefined }),
      volumeWeight: fc.constantFrom(0, 0, 0.001),
      maxHops: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
    }).map((r): ScenarioInput => ({
      name: 'random',
      steps,
      stepHours: 1,
      network: {
        baseKv: 0.4,
        baseKva: 100,
        vMinPu: r.vMinPu,
        vMaxPu: 1.1,
        slack: 'b0',
        buses: Array.from({ length: buses }, (_, k) => `b${k}`),
        lines: r.parents.map((parent, k) => ({ from: `b${parent}`, to: `b${k + 1}`, rOhm: r.ohm / 100, xOhm: r.ohm / 100, ...(r.lineMaxKw[k] !== undefined ? { maxKw: r.lineMaxKw[k] } : {}) })),
      },
      utility: { bus: 'b0', tariff: { buyPerKwh: r.tariff[0], sellPerKwh: r.tariff[0] + r.tariff[1] } },
      prosumers: r.prosumers.map((p, k) => ({
        id: `p${k + 1}`,
        bus: `b${p.bus}`,
        scheduleKw: p.scheduleKw,
        ...(p.battery ? { battery: { ...p.battery, minKwh: 0, initialKwh: p.battery.maxKwh / 2 } } : {}),
        costBid: { quadraticPerKw2h: p.bid[0], linearPerKwh: p.bid[1] },
      })),
      market: {
        tradeVolumeWeight: r.volumeWeight,
        ...(r.maxHops !== undefined ? { tradeGraph: { maxHops: r.maxHops } } : {}),
        ...(r.fee ? { networkFee: r.fee } : {}),
        ...(r.preference ? { pairPreferences: [{ from: 'utility', to: `p${r.preference.to}`, costPerKwh: r.preference.costPerKwh }] } : {}),
      },
    })),
  );

describe('random markets (fast-check)', () => {
  it('every market the central clearing clears is negotiated to its optimum and prices, within every limit', () => {
    let proven = 0;
    let binding = 0;
    fc.assert(
      fc.property(market, (input) => {
        const scenario = parseScenario(input);
        const central = clearWith(highs, scenario);
        if (central.status !== 'optimal') return;
        const result = clearWith(highs, negotiated(scenario));
        expectProven(negotiated(scenario), result);
        proven++;
        if (result.steps.some((s) => s.buses.some((b) => Math.abs(b.nodalPricePerKwh! - s.utilityPricePerKwh!) > 1e-3))) binding++;
      }),
      { numRuns: 40, seed: 7 },
    );
    expect(proven).toBeGreaterThan(25);
    // Limits bind in a good share of them (nodal prices apart from the utility's).
    expect(binding).toBeGreaterThan(3);
  }, 180_000);
});

describe('the negotiation on the engine', () => {
  const seed = loadScenario('scenarios/seed-bids.json');
  const lossy: AdmmInput = { latencyMs: { minMs: 5, maxMs: 40 }, lossProbability: 0.2, seed: 3 };
  const csv = (r: ClearingResult) => negotiationFiles([{ run: 0, window: 0, negotiation: r.negotiation! }], 4);

  it('gives the same negotiation.csv byte for byte for the same inputs and seed, and another for another seed', () => {
    const [a, b] = [clearWith(highs, negotiated(seed, lossy)), clearWith(highs, negotiated(seed, lossy))];
    expect(csv(a)['negotiation.csv']).toBe(csv(b)['negotiation.csv']);
    expect(csv(a)['negotiation-prices.csv']).toBe(csv(b)['negotiation-prices.csv']);
    expect(a.negotiation!.messages.retransmitted).toBeGreaterThan(0);
    const c = clearWith(highs, negotiated(seed, { ...lossy, seed: 4 }));
    expect(csv(c)['negotiation.csv']).not.toBe(csv(a)['negotiation.csv']);
  });

  it('reaches the same answer with random latency and 20 % loss, asynchronously, and with per-pair termination', () => {
    const reference = clearWith(highs, negotiated(seed));
    for (const admm of [lossy, { mode: 'asynchronous' as const }, { mode: 'asynchronous' as const, ...lossy }, { pairTermination: true }]) {
      const scenario = negotiated(seed, admm);
      const result = clearWith(highs, scenario);
      expectProven(scenario, result);
      expect(Math.abs(result.objective! - reference.objective!)).toBeLessThan(1e-4 * Math.abs(reference.objective!));
      if (admm === lossy) {
        expect(result.negotiation!.messages.lost).toBeGreaterThan(0);
        // Loss costs virtual time (timeouts), not iterations.
        expect(result.negotiation!.virtualTimeMs).toBeGreaterThan(reference.negotiation!.virtualTimeMs);
      }
      if ('pairTermination' in admm) expect(result.negotiation!.settledPairs).toBeGreaterThan(0);
    }
  }, 120_000);

  it('traces the pair it is asked to (market.admm.tracePair), its seller\'s price ending at the central price', () => {
    const result = clearWith(highs, negotiated(seed, { tracePair: ['p2', 'p1'] }));
    const trace = result.negotiation!.pairTrace!;
    expect([trace.from, trace.to]).toEqual(['p1', 'p2']);
    expect(trace.rows).toHaveLength(result.negotiation!.history.length);
    const last = trace.rows[trace.rows.length - 1]!;
    if (trace.centralPricePerKwh !== null && Math.abs(last.kw) > 1e-3) {
      expect(Math.abs((last.kw > 0 ? last.fromPricePerKwh : last.toPricePerKwh) - trace.centralPricePerKwh)).toBeLessThan(1e-3);
    }
  });

  it('says when it did not converge, with its residuals, and never claims optimal', () => {
    const result = clearWith(highs, negotiated(seed, { maxIterations: 20 }));
    expect(result.status).toBe('not_converged');
    const n = result.negotiation!;
    expect(n.converged).toBe(false);
    expect(n.iterations).toBe(20);
    expect(n.residuals.primalKw > n.residuals.primalToleranceKw || n.residuals.dualPerKwh > n.residuals.dualTolerancePerKwh).toBe(true);
    expect(result.diagnosis!.message).toMatch(/did not converge within 20 iterations: primal residual .* kW \(tolerance .*\), dual residual .* per kWh/);
    // The restored last iterate is still within every limit, and the central optimum is there to compare.
    expect(checkInvariants(seed, { ...result, status: 'optimal' })).toEqual([]);
    expect(n.central.objective).toBeCloseTo(991.9457, 3);
  });

  it('refuses what it cannot negotiate, naming the field', () => {
    const refused = (mutate: (s: ScenarioInput) => void) => {
      const input = structuredClone(twoProsumers()) as ScenarioInput;
      mutate(input);
      input.market = { ...input.market, clearing: 'admm' };
      try {
        parseScenario(input, 'x.json');
        return '';
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
        return (e as Error).message;
      }
    };
    expect(refused((s) => (s.market = { tradeGraph: 'pool' }))).toMatch(/x\.json: market\.tradeGraph: "pool" is not supported by the negotiated clearing/);
    expect(refused((s) => (s.market = { penaltyNorm: 'l1' }))).toMatch(/market\.penaltyNorm: "l1" is not supported/);
    expect(refused((s) => (s.prosumers[0]!.battery = { ...freeBattery, chargeEfficiency: 0.9 }))).toMatch(/prosumers\[0\]\.battery: a battery with losses/);
    expect(refused((s) => (s.market = { admm: { tracePair: ['p1', 'p9'] } }))).toMatch(/market\.admm\.tracePair\[1\]: unknown agent "p9"/);
    expect(refused((s) => (s.market = { pairPreferences: [{ from: 'p1', to: 'p2', costPerKwh: -0.2 }] }))).toMatch(/market\.pairPreferences\[0\]\.costPerKwh: a premium larger than the fee/);
    expect(refused((s) => (s.market = { pairPreferences: [{ from: 'p1', to: 'p2', costPerKwh: -0.2 }], networkFee: { perKwh: 0.5, perKwhPerOhm: 0 } }))).toBe('');
    expect(refused((s) => (s.market = { pairPreferences: [{ from: 'p1', to: 'p2', costPerKwh: -0.2 }], networkFee: { perKwh: 0.3, perKwhPerOhm: 0 } }))).toBe('');
    expect(() => clearWith(highs, { ...negotiated(parseScenario(twoProsumers())), market: { ...negotiated(parseScenario(twoProsumers())).market, tradeGraph: 'pool' } })).toThrow(/market\.tradeGraph/);
  });

  it('refuses javascript-lp-solver, which cannot compute the central optimum it is proven against', async () => {
    const lp = await solverAdapter('lp-solver');
    expect(() => clearWith(lp, negotiated(parseScenario(twoProsumers())))).toThrow(/market\.clearing: "admm" needs the HiGHS solver/);
  });
});

describe('simulations negotiate every window', () => {
  it('from the previous window\'s prices, to each window\'s central optimum', async () => {
    const scenario = loadScenario('scenarios/seed-time-horizons.json');
    const [central, admm] = [await simulate(scenario), await simulate(negotiated(scenario))];
    expect(admm.status).toBe('optimal');
    expect(admm.windows).toHaveLength(central.windows.length);
    admm.windows.forEach((w, k) => {
      expect(w.negotiation!.converged).toBe(true);
      expect(w.negotiation!.warmStart).toBe(k > 0);
      expect(Math.abs(w.objective! - central.windows[k]!.objective!)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(central.windows[k]!.objective!)));
    });
    expect(admm.negotiations!.map((n) => n.window)).toEqual(admm.windows.map((w) => w.start));
  }, 120_000);

  it('and the warm start saves iterations (a generated feeder, 6-step windows), for the same answers', async () => {
    const input = generateScenario({ buses: 8, seed: 3, steps: 10, stepHours: 1, tieBreak: 'none', tradeVolumeWeight: 0 });
    const scenario = parseScenario({ ...input, horizonSteps: 6, name: 'warm' });
    const [warm, cold] = [await simulate(negotiated(scenario)), await simulate(negotiated(scenario, { warmStart: false }))];
    const iterations = (r: typeof warm) => r.windows.reduce((s, w) => s + w.negotiation!.iterations, 0);
    expect(cold.windows.every((w) => !w.negotiation!.warmStart)).toBe(true);
    expect(iterations(warm)).toBeLessThan(0.8 * iterations(cold));
    warm.windows.forEach((w, k) => expect(Math.abs(w.objective! - cold.windows[k]!.objective!)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(w.objective!))));
  }, 120_000);
});
