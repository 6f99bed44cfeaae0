/**
 * What a scenario's objective is made of, so that its numbers are named for what they are:
 *
 * - `'money'`: some prosumer bids a cost (`costBid`) or the utility has a `tariff`. The
 *   objective is a cost in currency (plus whatever penalties the scenario adds), prices are
 *   currency per kWh, and the settlement is money.
 * - `'penalties'`: no bid and no tariff, but a term that is not money: the utility's request
 *   (a step with priority > 0, or a request event), network fees, pair preferences or the
 *   trade-volume penalty. The objective is in its own units; its duals — the prices — are
 *   **shadow prices** of those penalty terms, in objective units per kWh, not money, and there
 *   is no settlement in currency to speak of.
 * - `'nothing'`: none of these. Every feasible dispatch is optimal and every price is 0: the
 *   objective holds nothing to optimise.
 *
 * The quadratic tie-break (market.tieBreak) is not counted: it only picks one of the optima.
 * Takes a scenario as validated (`Scenario`) or as a run's scenario.json holds it.
 */

export type ObjectiveKind = 'money' | 'penalties' | 'nothing';

/** The parts of a scenario the rule reads (a `Scenario` is one). */
export interface ObjectiveParts {
  utility?: {
    tariff?: unknown;
    targetKw?: readonly number[];
    priority?: readonly number[];
    requestEvents?: readonly { priority: number }[];
  };
  prosumers?: readonly { costBid?: unknown }[];
  market?: {
    tradeVolumeWeight?: number;
    pairPreferences?: readonly { costPerKwh: number }[];
    networkFee?: { perKwh?: number; perKwhPerOhm?: number };
  };
}

export function objectiveKind(scenario: ObjectiveParts): ObjectiveKind {
  const { utility = {}, prosumers = [], market = {} } = scenario;
  if ((utility.tariff !== undefined && utility.tariff !== null) || prosumers.some((p) => p.costBid !== undefined && p.costBid !== null)) return 'money';
  // A request counts where it is weighted: a step with a target and priority > 0 (without a
  // priority array, every step of a target has priority 1), or a request event with one.
  const priority = utility.priority ?? (utility.targetKw ? utility.targetKw.map(() => 1) : []);
  const request = (utility.targetKw !== undefined && priority.some((w) => w > 0)) || (utility.requestEvents ?? []).some((e) => e.priority > 0);
  const fees = (market.networkFee?.perKwh ?? 0) > 0 || (market.networkFee?.perKwhPerOhm ?? 0) > 0;
  const preferences = (market.pairPreferences ?? []).some((p) => p.costPerKwh !== 0);
  const volume = (market.tradeVolumeWeight ?? 0) > 0;
  return request || fees || preferences || volume ? 'penalties' : 'nothing';
}

/** The unit of the objective and of a price per kWh, for labels. */
export function objectiveUnits(kind: ObjectiveKind): { objective: string; price: string } {
  return kind === 'money' ? { objective: 'currency', price: 'currency per kWh' } : { objective: 'objective units', price: 'objective units per kWh' };
}
