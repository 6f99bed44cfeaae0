/**
 * Economic invariants of a cleared market, checked from its trades and prices alone:
 *
 * - every trade has a price;
 * - the prices are duals: for every trade seller → buyer, the buyer's marginal price exceeds the
 *   seller's by exactly the trade's own costs per kWh — fee + the buyer's preference + the
 *   marginal trade-volume penalty (2λS for L2, λ for L1, over the step's hours);
 * - the settlement balances: what buyers pay equals what sellers receive plus the fees; the
 *   agents' total costs add up to the operator's revenue (fees, congestion charges) less the
 *   social welfare; welfare and congestion charges match their recomputation from the dispatch
 *   and the prices, and the objective's money terms.
 */
import type { ClearingResult } from '../../src/market/result.ts';
import { settle } from '../../src/market/settlement.ts';
import type { Scenario } from '../../src/scenario/validate.ts';

export function checkSettlement(scenario: Scenario, result: ClearingResult, tolerance = 1e-5): string[] {
  const problems: string[] = [];
  const dt = scenario.stepHours;
  const { tradeVolumeWeight: lambda, penaltyNorm } = scenario.market;
  const volume = result.steps.reduce((sum, s) => sum + s.trades.reduce((v, tr) => v + tr.kw, 0), 0);
  const mu = lambda === 0 ? 0 : penaltyNorm === 'l2' ? 2 * lambda * volume : lambda;
  const near = (a: number, b: number, scale = 1) => Math.abs(a - b) <= tolerance * (scale + Math.abs(a) + Math.abs(b));

  const billedPerTrade = scenario.market.tradeGraph === 'utility' ? scenario.utility.tariff : undefined;
  let buyersPay = 0;
  let sellersGet = 0;
  let fees = 0;
  for (const step of result.steps) {
    const rho = new Map<string, number | null>([['utility', step.utilityPricePerKwh], ...step.agents.map((a): [string, number | null] => [a.id, a.marginalPricePerKwh])]);
    for (const tr of step.trades) {
      if (tr.price === null) {
        problems.push(`step ${step.t}: ${tr.from}→${tr.to} has no price`);
        continue;
      }
      const kwh = tr.kw * dt;
      buyersPay += (tr.price + tr.feePerKwh) * kwh;
      sellersGet += tr.price * kwh;
      fees += tr.feePerKwh * kwh;
      const seller = rho.get(tr.from);
      const buyer = rho.get(tr.to);
      if (seller == null || buyer == null) continue; // the pool has no row of its own
      // Without peer trades a trade with the utility is billed at the tariff (and the tariff is
      // then one of the trade's own costs); otherwise the seller receives its marginal price.
      const tariff = !billedPerTrade ? undefined : tr.to === 'utility' ? -billedPerTrade.buyPerKwh[step.t]! : tr.from === 'utility' ? billedPerTrade.sellPerKwh[step.t]! : undefined;
      const expected = tariff === undefined ? seller : Math.abs(tariff);
      if (!near(tr.price, expected)) problems.push(`step ${step.t}: ${tr.from}→${tr.to} priced ${tr.price}, expected ${expected}`);
      const costs = tr.feePerKwh + tr.preferencePerKwh + (tariff ?? 0) + mu / dt;
      // A trade of a few µW can be an artefact of the solver's tolerances: only real trades are held to it.
      if (tr.kw > 1e-6 && !near(buyer - seller, costs, 1 + Math.abs(seller))) {
        problems.push(`step ${step.t}: ${tr.from}→${tr.to}: buyer's price ${buyer} − seller's ${seller} ≠ the trade's costs ${costs}`);
      }
    }
  }
  if (!near(buyersPay, sellersGet + fees, 1)) problems.push(`buyers pay ${buyersPay}, sellers get ${sellersGet} plus fees ${fees}`);

  const s = settle(scenario, result);
  const sum = (key: 'payments' | 'revenues' | 'fees' | 'totalCost' | 'boughtKwh' | 'soldKwh') => s.agents.reduce((v, a) => v + a[key], 0);
  if (!near(sum('payments') + sum('fees'), buyersPay, 1)) problems.push(`settlement: payments + fees ${sum('payments') + sum('fees')} ≠ what buyers pay ${buyersPay}`);
  if (!near(sum('revenues'), sellersGet, 1)) problems.push(`settlement: revenues ${sum('revenues')} ≠ what sellers get ${sellersGet}`);
  if (!near(s.feesCollected, fees, 1)) problems.push(`settlement: fees collected ${s.feesCollected} ≠ ${fees}`);
  if (!near(sum('boughtKwh'), sum('soldKwh'), 1)) problems.push(`settlement: bought ${sum('boughtKwh')} kWh ≠ sold ${sum('soldKwh')} kWh`);
  if (!near(sum('totalCost'), s.feesCollected + s.congestionCollected - s.socialWelfare, 1)) {
    problems.push(`settlement: Σ total costs ${sum('totalCost')} ≠ fees + congestion − welfare ${s.feesCollected + s.congestionCollected - s.socialWelfare}`);
  }
  for (const a of s.agents) {
    const total = a.bidCost + a.payments + a.fees + a.congestionCharge - a.revenues + a.preferenceCost;
    if (!near(a.totalCost, total, 1)) problems.push(`settlement: ${a.agent}'s total cost ${a.totalCost} ≠ ${total}`);
  }
  // Welfare and congestion charges recomputed here from the dispatch and the prices.
  const tariff = scenario.utility.tariff;
  let valuation = 0;
  let congestion = 0;
  for (const step of result.steps) {
    const uInjection = -step.utilityReceiptKw;
    if (tariff) valuation += dt * (uInjection > 0 ? tariff.sellPerKwh[step.t]! : tariff.buyPerKwh[step.t]!) * uInjection;
    step.agents.forEach((a, k) => {
      const bid = scenario.prosumers[k]!.costBid;
      if (bid) valuation += dt * (0.5 * bid.quadraticPerKw2h * a.netInjectionKw ** 2 + bid.linearPerKwh * a.netInjectionKw);
      const nodal = step.buses.find((b) => b.id === a.bus)!.nodalPricePerKwh;
      if (nodal != null && step.utilityPricePerKwh != null) congestion += dt * (step.utilityPricePerKwh - nodal) * a.netInjectionKw;
    });
    for (const tr of step.trades) valuation += dt * tr.preferencePerKwh * tr.kw;
  }
  if (!near(-s.socialWelfare, valuation, 1)) problems.push(`welfare ${s.socialWelfare}, recomputed from the dispatch ${-valuation}`);
  if (!near(s.congestionCollected, congestion, 1)) problems.push(`congestion charges ${s.congestionCollected}, recomputed ${congestion}`);
  // The money terms of the objective: bids, tariff, preferences and fees, as the settlement counts
  // them (without peer trades the objective bills the tariff per trade instead).
  if (result.objectiveTerms && !billedPerTrade) {
    const t = result.objectiveTerms;
    if (!near(t.costBids + t.utilityEnergy + t.preferences, valuation, 1)) problems.push(`objective's bids, tariff and preferences ≠ ${valuation}`);
    if (!near(t.networkFees, s.feesCollected, 1)) problems.push(`objective's fees ${t.networkFees} ≠ the settlement's ${s.feesCollected}`);
  }
  return problems;
}
