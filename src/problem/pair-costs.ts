/**
 * What energy delivered along a pair of agents costs per kWh, apart from its price: the buyer's
 * preference (market.pairPreferences) and the network-use fee (market.networkFee). And the check
 * that no cycle of deliveries pays: were the costs around a cycle negative, delivering energy
 * round it would lower the objective without end (up to the trades' bounds).
 */
import type { Feeder } from '../network/feeder.ts';
import type { MarketOptions } from '../scenario/schema.ts';
import type { Pair } from './trade-graph.ts';

/** Per kWh in each direction [i→j, j→i]; the fee is the same both ways. */
export interface PairCosts {
  preferencePerKwh: [number, number];
  feePerKwh: number;
}

/** `agentBus`: each agent's bus index in the feeder, −1 for the pool (which pays the flat fee only). */
export function pairCosts(
  market: Pick<MarketOptions, 'pairPreferences' | 'networkFee'>,
  feeder: Feeder,
  agents: readonly string[],
  agentBus: readonly number[],
  pairs: readonly Pair[],
): PairCosts[] {
  const { pairPreferences, networkFee } = market;
  const preference = new Map(pairPreferences.map((p) => [`${p.from}\u0000${p.to}`, p.costPerKwh]));
  const preferenceOf = (from: number, to: number) => preference.get(`${agents[from]}\u0000${agents[to]}`) ?? 0;
  return pairs.map(({ i, j }) => {
    const [a, b] = [agentBus[i]!, agentBus[j]!];
    const distanceOhm = a >= 0 && b >= 0 && networkFee && networkFee.perKwhPerOhm > 0 ? feeder.electricalDistanceOhm(a, b) : 0;
    return {
      preferencePerKwh: [preferenceOf(i, j), preferenceOf(j, i)],
      feePerKwh: networkFee ? networkFee.perKwh + networkFee.perKwhPerOhm * distanceOhm : 0,
    };
  });
}

/**
 * A cycle of deliveries whose costs per kWh sum below zero (Bellman–Ford from a virtual source),
 * as agent indices in delivery order, or undefined. `extra(from, to)` adds a cost per kWh to a
 * delivery (the tariff when it is billed per trade). Only negative costs can make one, so without
 * them nothing is searched.
 */
export function negativeCycle(
  agentCount: number,
  pairs: readonly Pair[],
  costs: readonly PairCosts[],
  extra: (from: number, to: number) => number = () => 0,
): number[] | undefined {
  const edges: [from: number, to: number, cost: number][] = [];
  pairs.forEach(({ i, j }, k) => {
    const c = costs[k]!;
    edges.push([i, j, c.feePerKwh + c.preferencePerKwh[0] + extra(i, j)], [j, i, c.feePerKwh + c.preferencePerKwh[1] + extra(j, i)]);
  });
  if (edges.every(([, , cost]) => cost >= 0)) return undefined;
  const distance = new Float64Array(agentCount); // every agent reachable at 0 from the virtual source
  const via = new Int32Array(agentCount).fill(-1);
  let relaxed = -1;
  for (let round = 0; round < agentCount; round++) {
    relaxed = -1;
    for (const [from, to, cost] of edges) {
      // A tolerance keeps rounding from inventing cycles of cost −1e-15.
      if (distance[from]! + cost < distance[to]! - 1e-12) {
        distance[to] = distance[from]! + cost;
        via[to] = from;
        relaxed = to;
      }
    }
    if (relaxed < 0) return undefined;
  }
  // Still relaxing after n rounds: walk back n steps to land on the cycle, then collect it.
  let on = relaxed;
  for (let k = 0; k < agentCount; k++) on = via[on]!;
  const cycle = [on];
  for (let a = via[on]!; a !== on; a = via[a]!) cycle.push(a);
  return cycle.reverse();
}
