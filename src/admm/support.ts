/**
 * What the negotiated clearing (market.clearing "admm") cannot clear, each problem naming its
 * field — checked when a scenario is validated (so that \`validate\` refuses it too) and again
 * when a clearing is asked for one (a \`--clearing admm\` on the command line). Imports no
 * scenario module, so that scenario/validate.ts can use it.
 */
import type { InputProblem } from '../errors.ts';
import { isLossless } from '../network/battery.ts';
import type { ScenarioData } from '../scenario/schema.ts';

/**
 * What the negotiation cannot clear, each naming its field: the pool graph, the utility-only
 * graph (no peer trades: the baseline, cleared centrally), the L1 norm, batteries with losses, a
 * premium that makes a buyer's own problem non-convex.
 */
export function unsupported(scenario: Pick<ScenarioData, 'market' | 'prosumers'>): InputProblem[] {
  const problems: InputProblem[] = [];
  const why = 'is not supported by the negotiated clearing (market.clearing "admm")';
  const { market } = scenario;
  if (market.tradeGraph === 'pool') problems.push({ path: 'market.tradeGraph', message: `"pool" ${why}: the pool is a central counterparty; use "all" or { "maxHops": k }, or market.clearing "central"` });
  if (market.tradeGraph === 'utility') problems.push({ path: 'market.tradeGraph', message: `"utility" ${why}: without peer trades there is nothing to negotiate; use market.clearing "central"` });
  if (market.penaltyNorm === 'l1') problems.push({ path: 'market.penaltyNorm', message: `"l1" ${why}: the peers' local problems need the squared (l2) terms` });
  scenario.prosumers.forEach((p, k) => {
    if (p.battery && !isLossless(p.battery)) {
      problems.push({ path: `prosumers[${k}].battery`, message: `a battery with losses (chargeEfficiency, dischargeEfficiency, selfDischargePerHour) ${why}` });
    }
  });
  market.pairPreferences.forEach((p, k) => {
    const fee = market.networkFee?.perKwh ?? 0;
    if (p.costPerKwh + fee < 0) {
      problems.push({ path: `market.pairPreferences[${k}].costPerKwh`, message: `a premium larger than the fee (${p.costPerKwh} + fee ${fee} < 0) ${why}: the buyer's cost of a delivery must be ≥ 0 for its own problem to be convex` });
    }
  });
  const trace = market.admm?.tracePair;
  if (trace) {
    const agents = new Set(['utility', ...scenario.prosumers.map((p) => p.id)]);
    trace.forEach((id, k) => {
      if (!agents.has(id)) problems.push({ path: `market.admm.tracePair[${k}]`, message: `unknown agent "${id}" (the utility or a prosumer's id)` });
    });
    if (trace[0] === trace[1]) problems.push({ path: 'market.admm.tracePair', message: `a pair of two different agents, not "${trace[0]}" twice` });
  }
  return problems;
}

