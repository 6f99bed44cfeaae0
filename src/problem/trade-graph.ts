/**
 * Who may trade with whom (`market.tradeGraph`): the pairs of agents that get a trade
 * variable in every step. Agent 0 is the utility (at the slack), then the prosumers, then
 * the pool when there is one.
 *
 * - "all": every pair, n(n−1)/2 of them for n agents: the market of the paper and the seed.
 * - {maxHops: k}: prosumers whose buses are at most k lines apart, and every prosumer with the
 *   utility (the supplier of last resort stays reachable, so the market is as feasible as with
 *   "all"). Energy may still reach a farther agent through intermediaries; the trade-volume
 *   penalty prices that.
 * - "pool": every agent, the utility included, trades only with the community pool, which
 *   injects nothing itself: n + 1 pairs. The pool's balance dual is the community price.
 * - "utility": every prosumer only with the utility, n pairs: no peer trades (the baseline of
 *   the value of trading).
 */
import type { Feeder } from '../network/feeder.ts';
import type { TradeGraph } from '../scenario/schema.ts';

export interface Pair {
  /** Agent indices, i < j. */
  i: number;
  j: number;
}

export function tradePairs(graph: TradeGraph, agentBus: readonly number[], feeder: Feeder, pool: number | undefined): Pair[] {
  const n = agentBus.length;
  const pairs: Pair[] = [];
  if (graph === 'pool') {
    if (pool === undefined) throw new Error('trade graph: a pool market needs the pool agent');
    for (let a = 0; a < n; a++) if (a !== pool) pairs.push({ i: Math.min(a, pool), j: Math.max(a, pool) });
    return pairs;
  }
  if (graph === 'utility') {
    for (let a = 1; a < n; a++) pairs.push({ i: 0, j: a });
    return pairs;
  }
  if (graph === 'all') {
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) pairs.push({ i, j });
    return pairs;
  }
  const atBus = feeder.buses.map(() => [] as number[]);
  for (let a = 1; a < n; a++) atBus[agentBus[a]!]!.push(a);
  for (let i = 1; i < n; i++) pairs.push({ i: 0, j: i });
  for (let i = 1; i < n; i++) {
    const near = feeder.busesWithin(agentBus[i]!, graph.maxHops).flatMap((bus) => atBus[bus]!).filter((j) => j > i);
    for (const j of near.sort((a, b) => a - b)) pairs.push({ i, j });
  }
  return pairs;
}
