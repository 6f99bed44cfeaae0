/**
 * The trade tie-break. Given the agents' net injections in one step (Σ P = 0), the trades
 * that minimise the trade volume Σ|p| are exactly the plans in which sellers (P > 0) deliver
 * only to buyers (P < 0); the clearing's objective does not tell them apart. We report the
 * pro-rata plan, in which every buyer takes from every seller in proportion to the seller's
 * sales: p[s→b] = P_s·(−P_b) / V with V = Σ_s P_s. It is the unique maximum-entropy plan among
 * the minimum-volume ones, so the reported trades do not depend on the solver's path.
 */

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
