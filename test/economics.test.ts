/**
 * Market economics against closed-form answers: bids, tariff, fees and preferences, the prices
 * read from the duals (src/market/prices.ts), the settlement and the value of trading
 * (src/market/settlement.ts).
 *
 * The markets below keep the utility out of trade with a tariff far outside the prosumers'
 * prices (it buys at −100 and sells at 100 per kWh), so that the two prosumers trade only with
 * each other, and give each prosumer a battery whose limits never bind (1 one-hour step, energy
 * free at the end): its net injection P is then free and its marginal cost C′(P) = a·P + b.
 */
import { describe, expect, it } from 'vitest';
import { clearMarket, clearWith, solverAdapter } from '../src/market/clear.ts';
import { generateScenario } from '../src/scenario/generate.ts';
import { baselineScenario, settle } from '../src/market/settlement.ts';
import { loadScenario, parseScenario } from '../src/scenario/load.ts';
import type { ScenarioInput } from '../src/scenario/schema.ts';
import { checkInvariants } from './helpers/invariants.ts';
import { chainNetwork } from './helpers/feeders.ts';

/**
 * Precision: with quadratic bids the outer approximation stops when every square is within
 * 1e-9 of its epigraph (src/solver/outer-approximation.ts); on curvatures of 0.1 per kW² that
 * places a dispatch within about 1e-4 kW, and its price within a·1e-4. Hence 3 decimals on kW
 * and 4 on prices below.
 */
const KW = 3;
const PRICE = 4;
import { checkSettlement } from './helpers/economics.ts';
import { p2pmarket } from './helpers/cli.ts';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const freeBattery = { initialKwh: 500, minKwh: 0, maxKwh: 1000, maxChargeKw: 200, maxDischargeKw: 200 };

function twoProsumers(opts: {
  bids: [a: number, b: number][];
  buses?: number;
  lineMaxKw?: number;
  market?: ScenarioInput['market'];
  tariff?: { buyPerKwh: number; sellPerKwh: number };
}): ScenarioInput {
  const n = opts.buses ?? 2;
  return {
    name: 'economics',
    steps: 1,
    stepHours: 1,
    network: chainNetwork(n),
    utility: { bus: '0', tariff: opts.tariff ?? { buyPerKwh: -100, sellPerKwh: 100 } },
    prosumers: opts.bids.map(([a, b], k) => ({
      id: `p${k + 1}`,
      bus: String(Math.min(k + 1, n - 1)),
      scheduleKw: [0],
      battery: freeBattery,
      costBid: { quadraticPerKw2h: a, linearPerKwh: b },
    })),
    market: opts.market,
  };
}

async function clear(input: ScenarioInput) {
  const scenario = parseScenario(input);
  const result = await clearMarket(scenario);
  expect(result.status).toBe('optimal');
  expect(checkInvariants(scenario, result)).toEqual([]);
  expect(checkSettlement(scenario, result)).toEqual([]);
  return { scenario, result };
}

describe('two prosumers with quadratic bids, no network limit', () => {
  // min ½·0.1·P1² + 5·P1 + ½·0.3·P2² + 9·P2 with P1 + P2 = 0: P1 = (9 − 5)/(0.1 + 0.3) = 10 kW.
  // The price is where the marginal costs meet: 0.1·10 + 5 = 6 = 9 − 0.3·10.
  it('trade 10 kW at 6 per kWh, where the marginal costs meet', async () => {
    const { result } = await clear(twoProsumers({ bids: [[0.1, 5], [0.3, 9]] }));
    const step = result.steps[0]!;
    expect(step.trades).toEqual([{ from: 'p1', to: 'p2', kw: expect.closeTo(10, KW), price: expect.closeTo(6, PRICE), feePerKwh: 0, preferencePerKwh: 0 }]);
    expect(step.agents.map((a) => a.marginalPricePerKwh)).toEqual([expect.closeTo(6, PRICE), expect.closeTo(6, PRICE)]);
    expect(step.buses.map((b) => b.nodalPricePerKwh)).toEqual([expect.closeTo(6, PRICE), expect.closeTo(6, PRICE)]);
    expect(result.prices!.uniqueness).toBe('unique');
    // Costs: ½·0.1·100 + 50 = 55 and ½·0.3·100 − 90 = −75.
    expect(result.objectiveTerms!.costBids).toBeCloseTo(-20, 6);
    expect(result.objective).toBeCloseTo(-20, 6);
  });

  it('without the uniqueness check (checkPrices: false) the same prices, from the solver\'s duals', async () => {
    const scenario = parseScenario(twoProsumers({ bids: [[0.1, 5], [0.3, 9]] }));
    const [checked, unchecked] = [await clearMarket(scenario), await clearMarket(scenario, { checkPrices: false })];
    expect(unchecked.prices!.uniqueness).toMatch(/^not checked/);
    expect(unchecked.steps[0]!.trades[0]!.price).toBeCloseTo(checked.steps[0]!.trades[0]!.price!, 9);
  });

  it('a flat network fee of 0.5 per kWh: 8.75 kW, the seller gets 5.875, the buyer pays 6.375', async () => {
    // P1 = (9 − 5 − 0.5)/0.4 = 8.75; seller's marginal cost 5.875, buyer's value 9 − 2.625 = 6.375.
    const { scenario, result } = await clear(twoProsumers({ bids: [[0.1, 5], [0.3, 9]], market: { networkFee: { perKwh: 0.5, perKwhPerOhm: 0 } } }));
    const trade = result.steps[0]!.trades[0]!;
    expect(trade).toEqual({ from: 'p1', to: 'p2', kw: expect.closeTo(8.75, KW), price: expect.closeTo(5.875, PRICE), feePerKwh: 0.5, preferencePerKwh: 0 });
    expect(result.steps[0]!.agents[1]!.marginalPricePerKwh).toBeCloseTo(6.375, PRICE);
    expect(result.objectiveTerms!.networkFees).toBeCloseTo(0.5 * 8.75, 3);
    const s = settle(scenario, result);
    const [p1, p2] = [s.agents.find((a) => a.agent === 'p1')!, s.agents.find((a) => a.agent === 'p2')!];
    expect(p1.revenues).toBeCloseTo(5.875 * 8.75, 3);
    expect(p2.payments + p2.fees).toBeCloseTo(6.375 * 8.75, 3);
    expect(s.feesCollected).toBeCloseTo(0.5 * 8.75, 3);
    // Welfare: −(bid costs) = −(½·0.1·8.75² + 5·8.75 + ½·0.3·8.75² − 9·8.75).
    expect(s.socialWelfare).toBeCloseTo(-(0.2 * 8.75 ** 2 - 4 * 8.75), 4);
  });

  it('a fee that grows with electrical distance: perKwhPerOhm × Σ|z| of the path', async () => {
    // p1 at bus 1, p2 at bus 2 of a chain of 1 mΩ + j1 mΩ lines: one line apart, |z| = √2 mΩ.
    const { result } = await clear(
      twoProsumers({ bids: [[0.1, 5], [0.3, 9]], buses: 3, market: { networkFee: { perKwh: 0, perKwhPerOhm: 100 } } }),
    );
    expect(result.steps[0]!.trades[0]!.feePerKwh).toBeCloseTo(100 * Math.SQRT2 * 1e-3, 6);
  });
});

describe('a binding line limit', () => {
  // Chain 0–1–2, line 1→2 limited to 4 kW: p2 (bus 2) imports only 4 kW from p1 (bus 1).
  // p1's marginal cost 0.1·4 + 5 = 5.4 sets the trade price and the nodal price up to bus 1;
  // behind the limit, bus 2's nodal price is p2's marginal value 9 − 0.3·4 = 7.8.
  it('separates the nodal prices: 5.4 before the line, 7.8 behind it', async () => {
    const input = twoProsumers({ bids: [[0.1, 5], [0.3, 9]], buses: 3 });
    input.network.lines[1]!.maxKw = 4;
    const { result } = await clear(input);
    const step = result.steps[0]!;
    expect(step.trades).toEqual([{ from: 'p1', to: 'p2', kw: expect.closeTo(4, KW), price: expect.closeTo(5.4, PRICE), feePerKwh: 0, preferencePerKwh: 0 }]);
    expect(step.buses.map((b) => b.nodalPricePerKwh)).toEqual([expect.closeTo(5.4, PRICE), expect.closeTo(5.4, PRICE), expect.closeTo(7.8, PRICE)]);
    expect(result.prices!.uniqueness).toBe('unique');
  });

  it('charges the congestion rent (7.8 − 5.4)·4 = 9.6 to the buyer behind the line', async () => {
    const input = twoProsumers({ bids: [[0.1, 5], [0.3, 9]], buses: 3 });
    input.network.lines[1]!.maxKw = 4;
    const { scenario, result } = await clear(input);
    const s = settle(scenario, result);
    const [p1, p2] = ['p1', 'p2'].map((id) => s.agents.find((a) => a.agent === id)!);
    expect(p1!.congestionCharge).toBeCloseTo(0, 4);
    expect(p2!.congestionCharge).toBeCloseTo(9.6, 3);
    expect(s.congestionCollected).toBeCloseTo(9.6, 3);
    // p2 pays 5.4 per kWh to p1 and 2.4 to the network: its marginal value, 7.8, in all.
    expect((p2!.payments + p2!.congestionCharge) / p2!.boughtKwh).toBeCloseTo(7.8, 3);
  });

  it('credits an injection that relieves a binding voltage limit, so its seller is paid its marginal cost', async () => {
    // vMin binds at bus 2 (line impedance 1 Ω at 1 kV, 1 kVA base: v₂ = 1 + 0.002·(P1 + 2·P2)); p2
    // consumes as much as the voltage allows, p1's injection at bus 1 lifts it.
    const input = twoProsumers({ bids: [[0.1, 5], [0.3, 9]], buses: 3 });
    input.network.lines = input.network.lines.map((l) => ({ ...l, rOhm: 1, xOhm: 1 }));
    input.network.vMinPu = 0.99;
    const { scenario, result } = await clear(input);
    const step = result.steps[0]!;
    expect(step.buses.find((b) => b.id === '2')!.voltagePu).toBeCloseTo(0.99, 6);
    const s = settle(scenario, result);
    const p1 = s.agents.find((a) => a.agent === 'p1')!;
    const injection = step.agents[0]!.netInjectionKw;
    // Paid at its nodal price, which equals its marginal cost 0.1·P + 5: revenues + credit = ∫ MC… at least its bid cost.
    const nodal = step.buses.find((b) => b.id === '1')!.nodalPricePerKwh!;
    expect(nodal).toBeCloseTo(0.1 * injection + 5, 3);
    expect(p1.revenues - p1.congestionCharge).toBeCloseTo(nodal * injection, 3);
    expect(p1.totalCost).toBeLessThanOrEqual(1e-6);
  });
});

describe('a pair preference', () => {
  // p1 sells to p2, whose bid is linear (a = 0): its marginal value is 9 whatever it buys. With a
  // flat fee of 1 per kWh, resale through the utility or a third party costs a second fee, so the
  // direct trade is kept. Without a preference p1 gets 9 − 1 = 8 and sells (8 − 5)/0.1 = 30 kW;
  // p2's dislike of p1's energy, 0.5 per kWh, lowers that one price by exactly 0.5.
  const input = (preference?: number) =>
    twoProsumers({
      bids: [[0.1, 5], [0, 9]],
      market: {
        networkFee: { perKwh: 1, perKwhPerOhm: 0 },
        pairPreferences: preference === undefined ? [] : [{ from: 'p1', to: 'p2', costPerKwh: preference }],
      },
    });

  it('shifts the price of that trade by exactly its cost', async () => {
    const without = (await clear(input())).result.steps[0]!.trades;
    const withPreference = (await clear(input(0.5))).result.steps[0]!.trades;
    expect(without).toEqual([{ from: 'p1', to: 'p2', kw: expect.closeTo(30, KW), price: expect.closeTo(8, PRICE), feePerKwh: 1, preferencePerKwh: 0 }]);
    expect(withPreference).toEqual([{ from: 'p1', to: 'p2', kw: expect.closeTo(25, KW), price: expect.closeTo(7.5, PRICE), feePerKwh: 1, preferencePerKwh: 0.5 }]);
    expect(without[0]!.price! - withPreference[0]!.price!).toBeCloseTo(0.5, PRICE);
  });

  it('reports the utility\'s price as not unique when it does not trade, with its range and midpoint', async () => {
    // The idle utility's marginal price may be anything from p2's 9 less a fee to p1's 7.5 plus
    // a fee: [8, 8.5]; reported: 8.25, and every nodal price (which starts from it) likewise.
    const { result } = await clear(input(0.5));
    expect(result.prices!.uniqueness).toBe('not unique');
    const utility = result.prices!.nonUnique.find((r) => r.kind === 'agent' && r.id === 'utility')!;
    expect(utility).toMatchObject({ t: 0, min: expect.closeTo(8, PRICE), max: expect.closeTo(8.5, PRICE) });
    expect(result.steps[0]!.utilityPricePerKwh).toBeCloseTo(8.25, PRICE);
    expect(result.prices!.nonUnique.filter((r) => r.kind === 'bus')).toHaveLength(2);
    // The prosumers' prices, and with them the trade's, are unique.
    expect(result.prices!.nonUnique.some((r) => r.kind === 'agent' && r.id !== 'utility')).toBe(false);
  });
});

describe('the utility\'s tariff and the value of trading', () => {
  // A seller (a = 0.2, b = 2) and a buyer (a = 0.5, b = 12); the utility buys at 4 and sells at
  // 10 per kWh. Peer to peer the two meet at a price between the tariff's two prices.
  it('settles every trade, keeps the welfare identity, and compares with trading at the tariff', async () => {
    const input = twoProsumers({ bids: [[0.2, 2], [0.5, 12]], tariff: { buyPerKwh: 4, sellPerKwh: 10 } });
    const { scenario, result } = await clear(input);
    const baseline = await clearMarket(baselineScenario(scenario));
    expect(baseline.status).toBe('optimal');
    const s = settle(scenario, result, baseline);
    expect(s.baseline).toMatchObject({ status: 'optimal' });
    // Without peer trades: the seller sells to the utility until 0.2·P + 2 = 4 (P = 10 kW), the
    // buyer buys until 12 − 0.5·x = 10 (x = 4 kW). With them: they trade with each other first.
    expect(baseline.steps[0]!.agents.map((a) => a.netInjectionKw)).toEqual([expect.closeTo(10, KW), expect.closeTo(-4, KW)]);
    const cost = (a: number, b: number, p: number) => 0.5 * a * p * p + b * p;
    const p1Baseline = cost(0.2, 2, 10) - 4 * 10;
    const p2Baseline = cost(0.5, 12, -4) + 10 * 4;
    expect(s.agents.find((a) => a.agent === 'p1')!.baselineCost).toBeCloseTo(p1Baseline, 3);
    expect(s.agents.find((a) => a.agent === 'p2')!.baselineCost).toBeCloseTo(p2Baseline, 3);
    // Peer to peer the price settles where P1 + P2 = 0 and 0.2·P1 + 2 = 12 − 0.5·P1: P1 = 14.2857…,
    // at 0.2·14.2857 + 2 = 4.857 per kWh, inside [4, 10]: the utility does not trade.
    const p = 10 / 0.7;
    expect(result.steps[0]!.trades).toEqual([{ from: 'p1', to: 'p2', kw: expect.closeTo(p, KW), price: expect.closeTo(0.2 * p + 2, PRICE), feePerKwh: 0, preferencePerKwh: 0 }]);
    // Without peer trades the utility buys p1's 10 kW at 4 and sells 4 kW to p2 at 10: it keeps
    // the margin (10 − 4)·4 = 24 on the energy it passes on (its cost: C_u(−6 kW) = −24, paid 40,
    // received 40). Peer to peer that margin goes to the prosumers: the utility is worse off by 24.
    const utility = s.agents.find((a) => a.agent === 'utility')!;
    expect(utility.baselineCost).toBeCloseTo(-24, 3);
    expect(utility.gain).toBeCloseTo(-24, 3);
    expect(utility.worseOff).toBe(true);
    for (const a of s.agents.filter((x) => x.agent !== 'utility')) expect(a.worseOff, a.agent).toBe(false);
    expect(s.agents.find((a) => a.agent === 'p1')!.gain).toBeGreaterThan(0);
    // The gains add up to the change in welfare (no fees here).
    const gains = s.agents.reduce((sum, a) => sum + a.gain!, 0);
    expect(gains).toBeCloseTo(s.socialWelfare - (s.baseline as { socialWelfare: number }).socialWelfare, 6);
    expect(s.baseline).toMatchObject({ status: 'optimal' });
  });
});

describe('validation of the economic fields', () => {
  const problems = (input: ScenarioInput) => {
    try {
      parseScenario(input, 'x.json');
      return '';
    } catch (e) {
      return (e as Error).message;
    }
  };
  it('refuses a tariff that buys above its sell price, a cycle of trades that pays, and unknown agents', () => {
    expect(problems(twoProsumers({ bids: [[0, 1]], tariff: { buyPerKwh: 11, sellPerKwh: 10 } }))).toMatch(/utility\.tariff\.buyPerKwh.*buy at 11 above its sell price 10/);
    expect(problems(twoProsumers({ bids: [[0, 1], [0, 2]], market: { pairPreferences: [{ from: 'p1', to: 'p2', costPerKwh: -0.5 }] } }))).toMatch(
      /market\.pairPreferences: delivering energy round (p1 → p2 → p1|p2 → p1 → p2|.*) would pay/,
    );
    // A cycle through a third agent: p2 → p1 costs 1, but p2 → utility → p1 costs nothing.
    expect(
      problems(twoProsumers({ bids: [[0, 1], [0, 2]], market: { pairPreferences: [{ from: 'p1', to: 'p2', costPerKwh: -0.5 }, { from: 'p2', to: 'p1', costPerKwh: 1 }] } })),
    ).toMatch(/delivering energy round .*utility.* would pay/);
    // Preferences only on pairs that trade.
    expect(problems(twoProsumers({ bids: [[0, 1], [0, 2]], market: { tradeGraph: 'pool', pairPreferences: [{ from: 'p1', to: 'p2', costPerKwh: 1 }] } }))).toMatch(
      /market\.pairPreferences\[0\]: p1 and p2 do not trade with each other under market\.tradeGraph "pool"/,
    );
    // Fees pay for the premium: every cycle passes at least two trades, 2 × 0.25 ≥ 0.5.
    expect(problems(twoProsumers({ bids: [[0, 1], [0, 2]], market: { networkFee: { perKwh: 0.25, perKwhPerOhm: 0 }, pairPreferences: [{ from: 'p1', to: 'p2', costPerKwh: -0.5 }] } }))).toBe('');
    expect(problems(twoProsumers({ bids: [[0, 1]], market: { pairPreferences: [{ from: 'p9', to: 'p1', costPerKwh: 1 }] } }))).toMatch(/pairPreferences\[0\]\.from.*unknown agent "p9"/);
    const perStep = twoProsumers({ bids: [[0, 1]] });
    perStep.utility.tariff = { buyPerKwh: [1, 2], sellPerKwh: 3 };
    expect(problems(perStep)).toMatch(/utility\.tariff\.buyPerKwh.*2 entries but the scenario has 1 steps/);
  });
});

describe('the bundled scenario with the seed\'s bids (scenarios/seed-bids.json)', () => {
  it('clears with a price on every trade, settles, and writes settlement.csv and nodal-prices.csv', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'p2p-bids-'));
    const run = await p2pmarket(['clear', 'scenarios/seed-bids.json', '--out', dir, '--quiet'], process.cwd());
    expect(run.code, run.stderr).toBe(0);
    const scenario = loadScenario('scenarios/seed-bids.json');
    expect(scenario.prosumers.map((p) => [p.costBid!.quadraticPerKw2h, p.costBid!.linearPerKwh])).toEqual([[0.1, 5], [0.2, 6], [0.3, 7], [0.4, 8]]);
    const result = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8'));
    const trades = result.steps.flatMap((s: { trades: { price: number | null }[] }) => s.trades);
    expect(trades.length).toBeGreaterThan(0);
    for (const tr of trades) expect(typeof tr.price).toBe('number');
    expect(checkSettlement(scenario, result)).toEqual([]);
    expect(result.settlement.baseline.status).toBe('optimal');
    const settlementCsv = readFileSync(join(dir, 'settlement.csv'), 'utf8').trim().split('\n');
    expect(settlementCsv[0]).toBe('run,t,agent,boughtKwh,soldKwh,paymentsCurrency,revenuesCurrency,feesCurrency,congestionChargeCurrency,imbalanceCostCurrency,preferenceCostCurrency,bidCostCurrency,totalCostCurrency,baselineCostCurrency,gainCurrency');
    expect(settlementCsv).toHaveLength(1 + 4 * 5);
    const nodal = readFileSync(join(dir, 'nodal-prices.csv'), 'utf8').trim().split('\n');
    expect(nodal).toHaveLength(1 + 4 * 4);
  });
});

describe('the value of trading on the 33-bus day (scenarios/ieee33-market.json)', () => {
  it('is in the report: welfare with and without peer trades, each agent\'s gain, the worse off named', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'p2p-33-market-'));
    const run = await p2pmarket(['clear', 'scenarios/ieee33-market.json', '--out', dir, '--plot', '--quiet'], process.cwd());
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8'));
    const { settlement } = result;
    expect(settlement.baseline.status).toBe('optimal');
    // Peer trades cannot lower the market's welfare here (no fees): the baseline's dispatch is feasible for it.
    expect(settlement.socialWelfare).toBeGreaterThanOrEqual(settlement.baseline.socialWelfare - 1e-6);
    expect(settlement.agents).toHaveLength(15);
    const scenario = loadScenario('scenarios/ieee33-market.json');
    // The utility's margin without peer trades, recomputed from the baseline's own dispatch: per
    // step it bills the prosumers' purchases at the sell price and pays their sales at the buy
    // price, and values its net injection by its tariff.
    const baseline = await clearMarket(baselineScenario(scenario));
    const tariff = scenario.utility.tariff!;
    const margin = baseline.steps.reduce((sum, step) => {
      const bought = step.agents.reduce((v, a) => v + Math.max(0, -a.netInjectionKw), 0);
      const sold = step.agents.reduce((v, a) => v + Math.max(0, a.netInjectionKw), 0);
      const net = bought - sold;
      const valuation = net > 0 ? tariff.sellPerKwh[step.t]! * net : tariff.buyPerKwh[step.t]! * net;
      return sum + tariff.sellPerKwh[step.t]! * bought - tariff.buyPerKwh[step.t]! * sold - valuation;
    }, 0);
    const utility = settlement.agents.find((a: { agent: string }) => a.agent === 'utility');
    expect(margin).toBeGreaterThan(1);
    expect(utility.baselineCost).toBeCloseTo(-margin, 3);
    // The gains add up to the change in welfare less what the network operator collects.
    const gains = settlement.agents.reduce((sum: number, a: { gain: number }) => sum + a.gain, 0);
    expect(gains).toBeCloseTo(settlement.socialWelfare - settlement.baseline.socialWelfare - settlement.feesCollected - settlement.congestionCollected, 4);
    expect(checkSettlement(scenario, result)).toEqual([]);
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    const section = /<section id="settlement">([\s\S]*?)<\/section>/.exec(html)?.[1] ?? '';
    expect(section).toContain('Settlement and value of trading');
    expect(section).toContain(`optimal, social welfare ${settlement.baseline.socialWelfare.toFixed(3)}`);
    for (const a of settlement.agents) expect(section).toContain(`<td>${a.agent}</td>`);
    const worse = settlement.agents.filter((a: { worseOff: boolean }) => a.worseOff).map((a: { agent: string }) => a.agent);
    expect(section).toContain(worse.length > 0 ? worse.join(', ') : 'nobody');
  });
});

describe('a backend without duals', () => {
  it('settles its unpriced trades at 0 and says so', async () => {
    const input = twoProsumers({ bids: [[0, 5], [0, 9]], market: { penaltyNorm: 'l1', tieBreak: 'none' } });
    const scenario = parseScenario(input);
    const result = await clearMarket(scenario, { solver: 'lp-solver' });
    expect(result.status).toBe('optimal');
    expect(result.steps[0]!.trades.every((t) => t.price === null)).toBe(true);
    expect(settle(scenario, result).unpriced).toBe(true);
    expect(settle(scenario, await clearMarket(scenario)).unpriced).toBe(false);
  });
});

describe('the elimination shortcut of the uniqueness check', () => {
  // On small markets the face's equalities are checked for full rank before any LP
  // (equalitiesPinEveryDual); it may only ever say "unique" where the LPs say so too, and the
  // prices must not move. Markets: generated feeders in both norms, with linear bids (whose
  // kinks make degenerate prices likely), and the hand cases above.
  it('agrees with the LPs on 40 small markets, degenerate ones included', async () => {
    const highs = await solverAdapter('highs');
    const verdicts = { unique: 0, notUnique: 0 };
    for (let k = 0; k < 40; k++) {
      const input = generateScenario({ buses: 3 + (k % 4), seed: `elim-${k}`, steps: 1 + (k % 3), prosumers: 1 + (k % 3) });
      input.market = { ...input.market, penaltyNorm: k % 2 === 0 ? 'l1' : 'l2' };
      if (k % 3 === 0) input.prosumers = input.prosumers.map((p, i) => ({ ...p, costBid: { quadraticPerKw2h: 0, linearPerKwh: 1 + i } }));
      // A wide tariff and a fee leave the utility idle in many steps: its price is then only bounded.
      if (k % 4 < 2) {
        input.utility = { ...input.utility, priority: input.utility.priority?.map(() => 0), tariff: { buyPerKwh: 0.5, sellPerKwh: 20 } };
        input.market = { ...input.market, networkFee: { perKwh: 0.1, perKwhPerOhm: 0 } };
        input.prosumers = input.prosumers.map((p, i) => ({ ...p, costBid: { quadraticPerKw2h: 0.05 * (i + 1), linearPerKwh: 2 + 3 * i } }));
      }
      const scenario = parseScenario(input);
      const [fast, lp] = [clearWith(highs, scenario), clearWith(highs, scenario, { checkPrices: 'lp' })];
      if (lp.status !== 'optimal') continue;
      expect(fast.prices!.uniqueness, `market ${k}`).toBe(lp.prices!.uniqueness);
      expect(fast.steps.flatMap((s) => s.trades.map((t) => t.price))).toEqual(lp.steps.flatMap((s) => s.trades.map((t) => t.price)));
      if (lp.prices!.uniqueness === 'unique') verdicts.unique++;
      else verdicts.notUnique++;
    }
    // Both verdicts occur, so both paths are compared.
    expect(verdicts.unique).toBeGreaterThan(0);
    expect(verdicts.notUnique).toBeGreaterThan(0);
  });
});

describe('settlement of a simulation', () => {
  const columns = (line: string) => line.split(',');
  it('no forecast error: the first step settles as the clearing of the whole horizon does (its first window is that clearing)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'p2p-sim-settle-'));
    const input = JSON.parse(readFileSync('scenarios/seed-bids.json', 'utf8'));
    writeFileSync(join(dir, 'one-window.json'), JSON.stringify({ ...input, $schema: undefined, name: 'one-window' }));
    const [clear, simulate] = await Promise.all([
      p2pmarket(['clear', 'one-window.json', '--out', 'c', '--quiet', '--no-baseline'], dir),
      p2pmarket(['simulate', 'one-window.json', '--out', 's', '--quiet'], dir),
    ]);
    expect([clear.code, simulate.code], clear.stderr + simulate.stderr).toEqual([0, 0]);
    const [c, s] = ['c', 's'].map((out) => readFileSync(join(dir, out, 'settlement.csv'), 'utf8').trim().split('\n').map(columns));
    expect(s!.length).toBe(c!.length);
    // Step 0's rows (5 agents) agree in every column; later steps are cleared again by later windows.
    const first = c!.slice(1).filter((row) => row[1] === '0');
    expect(first).toHaveLength(5);
    first.forEach((row, k) => row.slice(3).forEach((v, j) => {
      if (v === '' || s![k + 1]![j + 3] === '') return expect(s![k + 1]![j + 3]).toBe(v);
      expect(Number(s![k + 1]![j + 3])).toBeCloseTo(Number(v), 4);
    }));
  });

  it('with forecast errors: the agents\' imbalances are settled with the utility, and the books balance', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'p2p-sim-imbalance-'));
    const input = JSON.parse(readFileSync('scenarios/seed-bids.json', 'utf8'));
    for (const p of input.prosumers) if (p.battery) p.battery.returnToInitial = false;
    writeFileSync(join(dir, 'noisy.json'), JSON.stringify({ ...input, $schema: undefined, name: 'noisy', horizonSteps: 2, forecastErrorStdKw: 3 }));
    const run = await p2pmarket(['simulate', 'noisy.json', '--out', 'out', '--quiet', '--seed', '7'], dir);
    expect(run.code, run.stderr).toBe(0);
    const lines = readFileSync(join(dir, 'out', 'settlement.csv'), 'utf8').trim().split('\n').map(columns);
    const header = lines[0]!;
    const col = (name: string) => header.indexOf(name);
    const rows = lines.slice(1);
    const imbalance = rows.reduce((sum, r) => sum + Number(r[col('imbalanceCostCurrency')]), 0);
    expect(Math.abs(imbalance)).toBeLessThan(1e-4);
    expect(rows.some((r) => r[col('agent')] !== 'utility' && Math.abs(Number(r[col('imbalanceCostCurrency')])) > 1e-3)).toBe(true);
    // Per agent-step: imbalance cost = −imbalance kWh × the utility's price of that step.
    const result = JSON.parse(readFileSync(join(dir, 'out', 'result.json'), 'utf8'));
    for (const step of result.steps) {
      for (const a of step.agents) {
        const row = rows.find((r) => Number(r[col('t')]) === step.t && r[col('agent')] === a.id)!;
        expect(Number(row[col('imbalanceCostCurrency')])).toBeCloseTo(-a.imbalanceKw * 4 * step.utilityPricePerKwh, 4);
      }
    }
    const s = result.settlement;
    const total = s.agents.reduce((sum: number, a: { totalCost: number }) => sum + a.totalCost, 0);
    expect(total).toBeCloseTo(s.feesCollected + s.congestionCollected - s.socialWelfare, 4);
  });
});
