/** The seed's single clearing (its code.py), against the reference results of seed-cases.md. */
import { describe, expect, it } from 'vitest';
import { clearMarket, loadScenario } from '../src/index.ts';
import { checkInvariants } from './helpers/invariants.ts';

describe('seed case 1: scenarios/seed-4node.json', async () => {
  const scenario = loadScenario('scenarios/seed-4node.json');
  const result = await clearMarket(scenario);

  it('reaches the exact optimum 89,698.003 of the L2 objective', () => {
    expect(result.status).toBe('optimal');
    expect(result.objective).toBeCloseTo(89698.003, 2);
    // The seed's SLSQP stopped at 89,698.0052; we are at least as good.
    expect(result.objective!).toBeLessThan(89698.0052);
    const t = result.objectiveTerms!;
    expect(t.requestTracking + t.tradeVolume + t.costBids).toBeCloseTo(result.objective!, 9);
    expect(t.tieBreak).toBeGreaterThan(0);
    expect(t.tieBreak).toBeLessThan(1e-3);
  });

  it('satisfies every invariant to 1e-6', () => {
    expect(checkInvariants(scenario, result)).toEqual([]);
    expect(result.solver.maxViolation).toBeLessThan(1e-6);
  });

  it('reports the unique tie-broken battery schedule (the one seed-cases.md lists)', () => {
    const schedule = Object.fromEntries(
      ['p1', 'p2', 'p3'].map((id) => [id, result.steps.map((s) => s.agents.find((a) => a.id === id)!.batteryKw)]),
    );
    const expected = { p1: [1, 0, -2.5, 1.5], p2: [0.5, 0, -0.5, 0], p3: [1.75, 0, -4.5, 2.75] };
    for (const [id, values] of Object.entries(expected)) {
      values.forEach((v, t) => expect(schedule[id]![t]).toBeCloseTo(v, 6));
    }
  });

  it('never lets a voltage or line limit bind on this feeder (as the seed observed)', () => {
    for (const step of result.steps) {
      for (const bus of step.buses) expect(bus.voltagePu).toBeLessThan(1.002);
      for (const line of step.lines) expect(Math.abs(line.flowKw)).toBeLessThan(100);
    }
  });

  it('routes energy only from sellers to buyers, pro rata', () => {
    for (const step of result.steps) {
      const net = new Map(step.agents.map((a) => [a.id, a.netInjectionKw]));
      net.set('utility', -step.utilityReceiptKw);
      for (const trade of step.trades) {
        expect(net.get(trade.from)!).toBeGreaterThan(0);
        expect(net.get(trade.to)!).toBeLessThan(0);
      }
    }
  });

  it('gives every trade of a step one price when no network limit binds', () => {
    for (const step of result.steps) {
      const prices = step.trades.map((tr) => tr.price!);
      for (const p of prices) expect(p).toBeCloseTo(prices[0]!, 3);
    }
    // Step 0: the utility receives −5.15 kW against a request of +5 kW at priority 10; the
    // utility sells, and receives its marginal price 2·10²·10.15/4 h = 507.5 per kWh. The buyers'
    // marginal price is higher by the volume penalty's 2·0.01·S/4 h, S = 111.01 kW the volume
    // of all four steps: 508.05505.
    expect(result.steps[0]!.trades[0]!.price).toBeCloseTo(507.5, 6);
    const volume = result.steps.flatMap((s) => s.trades).reduce((sum, tr) => sum + tr.kw, 0);
    expect(volume).toBeCloseTo(111.01, 6);
    expect(result.steps[0]!.agents[0]!.marginalPricePerKwh).toBeCloseTo(507.5 + (2 * 0.01 * volume) / 4, 6);
  });
});
