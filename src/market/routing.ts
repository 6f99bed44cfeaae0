/**
 * Which trades the clearing reports, given the agents' net injections in one step (Σ P = 0).
 * The objective fixes the injections (the tie-break makes them unique) but, with the trade-
 * volume penalty, only the *volume* of the trades: many plans share it. We report:
 *
 * - every pair trading ("all"): the pro-rata plan. The minimum-volume plans are exactly those
 *   in which sellers (P > 0) deliver only to buyers (P < 0); in the pro-rata plan every buyer
 *   takes from every seller in proportion to the seller's sales, p[s→b] = P_s·(−P_b) / V with
 *   V = Σ_s P_s. It is the unique maximum-entropy plan among the minimum-volume ones, so the
 *   trades do not depend on the solver's path.
 * - the pool: the only plan there is, each agent trading its own net injection with the pool;
 *   likewise with the utility alone ("utility").
 * - trades within k hops: the solver's plan (deterministic, but another solver could return
 *   another plan of the same volume), with each pair's two directions netted.
 */
import type { Pair } from '../problem/trade-graph.ts';
import type { TradeGraph } from '../scenario/schema.ts';

export interface RoutedTrade {
  seller: number;
  buyer: number;
  kw: number;
}

/** Injections smaller than this (kW) count as zero. */
export const ZERO_KW = 1e-9;

export function proRataTrades(netInjectionKw: readonly number[]): RoutedTrade[] {
  const sellers: number[] = [];
  const buyers: number[] = [];
  netInjectionKw.forEach((p, a) => {
    if (p > ZERO_KW) sellers.push(a);
    else if (p < -ZERO_KW) buyers.push(a);
  });
  const volume = sellers.reduce((sum, s) => sum + netInjectionKw[s]!, 0);
  const trades: RoutedTrade[] = [];
  for (const seller of sellers) {
    for (const buyer of buyers) {
      trades.push({ seller, buyer, kw: (netInjectionKw[seller]! * -netInjectionKw[buyer]!) / volume });
    }
  }
  return trades;
}

/**
 * The reported trade of every pair, kW, positive from pair.i to pair.j. `solverKw` is the
 * solver's net trade of each pair (used for k-hop graphs only).
 */
export function routeStep(
  graph: TradeGraph,
  pairs: readonly Pair[],
  netInjectionKw: readonly number[],
  pool: number | undefined,
  solverKw: readonly number[],
): number[] {
  if (typeof graph === 'object') return Array.from(solverKw);
  const n = netInjectionKw.length;
  const pairOf = new Map(pairs.map(({ i, j }, k) => [i * n + j, k]));
  const trades = pairs.map(() => 0);
  if (graph === 'utility') {
    // pair (0, a): positive = the utility delivers to a, i.e. −P_a.
    pairs.forEach(({ j }, k) => (trades[k] = Math.abs(netInjectionKw[j]!) <= ZERO_KW ? 0 : -netInjectionKw[j]!));
    return trades;
  }
  if (graph === 'pool') {
    netInjectionKw.forEach((p, a) => {
      if (a === pool || Math.abs(p) <= ZERO_KW) return;
      // pair (a, pool) with a < pool: positive = a delivers to the pool.
      trades[pairOf.get(a * n + pool!)!] = p;
    });
    return trades;
  }
  for (const { seller, buyer, kw } of proRataTrades(netInjectionKw)) {
    const k = pairOf.get(Math.min(seller, buyer) * n + Math.max(seller, buyer))!;
    trades[k] = seller < buyer ? kw : -kw;
  }
  return trades;
}
