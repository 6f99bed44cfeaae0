/**
 * What each agent of the negotiation knows, cut out of a scenario: the peers (the utility and
 * the prosumers) with their own data, the pairs that trade and who keeps each pair's price,
 * each pair's per-kWh delivery costs (the public network fee plus the buyer's own preference),
 * and which peers the network operator meters. The scenario is read here once; from then on a
 * peer's bid, battery and schedule live in its own `PeerData` and nowhere else.
 *
 * Agent indices are those of the central problem (problem/build.ts): 0 the utility, 1..n the
 * prosumers in file order. Pair k = (i, j) with i < j is kept by i, the lower index: it
 * receives j's proposals, updates the pair's consensus and prices, and sends them back.
 */
import { InputError } from '../errors.ts';
import { unsupported } from './support.ts';
import { Feeder } from '../network/feeder.ts';
import { batteryPowerBoundsKw, injectionBoundsKw } from '../network/battery.ts';
import { pairCosts } from '../problem/pair-costs.ts';
import { tradePairs, type Pair } from '../problem/trade-graph.ts';
import { UTILITY_ID, type Scenario } from '../scenario/validate.ts';

/** One side of a pair as its peer sees it. */
export interface PairSide {
  pair: number;
  counterparty: number;
  /** +1 when this peer is the pair's i (its sale to j is z), −1 when it is j (its sale is −z). */
  sign: 1 | -1;
  /** Whether this peer keeps the pair (it is i). */
  keeper: boolean;
  /** What this peer bears per kWh when it buys on this pair: the fee plus its own preference for the counterparty. */
  buyerCostPerKwh: number;
}

/** A prosumer's own data: what never leaves it. */
export interface ProsumerData {
  kind: 'prosumer';
  id: string;
  /** Net injection before the battery, kW, per step. */
  scheduleKw: number[];
  /** Bid C(P) = ½·a·P² + b·P per hour (zeros without one). */
  bidA: number;
  bidB: number;
  /** Per step: the battery power's bounds, kW (from the battery, the inverter and the injection limits); [0, 0] without a battery. */
  batteryLoKw: number[];
  batteryHiKw: number[];
  /** Lossless (setup refuses losses); without one the prosumer injects its schedule, whose limits the central optimum, cleared first, has checked. */
  battery: { initialKwh: number; minKwh: number; maxKwh: number; returnToInitial: boolean } | undefined;
}

/** The utility's own data: its tariff and its request. */
export interface UtilityData {
  kind: 'utility';
  id: string;
  /** Per step, currency per kWh; zeros without a tariff. */
  sellPerKwh: number[];
  buyPerKwh: number[];
  targetKw: number[];
  priority: number[];
}

export type PeerData = ProsumerData | UtilityData;

export interface NegotiationSetup {
  steps: number;
  stepHours: number;
  agents: string[];
  agentBus: number[];
  pairs: Pair[];
  /** sides[a]: the pairs of peer a, in pair order. */
  sides: PairSide[][];
  peers: PeerData[];
  /** Peers whose injection the operator meters (prosumers away from the slack), in agent order. */
  metered: number[];
  /** λ of the trade-volume penalty λ·(Σ|p|)². */
  volumeWeight: number;
  feeder: Feeder;
}

export function assertNegotiable(scenario: Scenario, file: string): void {
  const problems = unsupported(scenario);
  if (problems.length > 0) throw new InputError(file, problems);
}

export function negotiationSetup(scenario: Scenario): NegotiationSetup {
  const feeder = new Feeder(scenario.network);
  const { prosumers, utility, steps: T, stepHours } = scenario;
  const agents = [UTILITY_ID, ...prosumers.map((p) => p.id)];
  const agentBus = [feeder.slack, ...prosumers.map((p) => feeder.busIndex(p.bus))];
  const pairs = tradePairs(scenario.market.tradeGraph, agentBus, feeder, undefined);
  const costs = pairCosts(scenario.market, feeder, agents, agentBus, pairs);
  const sides: PairSide[][] = agents.map(() => []);
  pairs.forEach(({ i, j }, k) => {
    const c = costs[k]!;
    // preferencePerKwh[0] is the cost of a delivery i → j, borne by the buyer j.
    sides[i]!.push({ pair: k, counterparty: j, sign: 1, keeper: true, buyerCostPerKwh: c.feePerKwh + c.preferencePerKwh[1] });
    sides[j]!.push({ pair: k, counterparty: i, sign: -1, keeper: false, buyerCostPerKwh: c.feePerKwh + c.preferencePerKwh[0] });
  });
  const zeros = () => new Array<number>(T).fill(0);
  const peers: PeerData[] = [
    {
      kind: 'utility',
      id: UTILITY_ID,
      sellPerKwh: utility.tariff ? [...utility.tariff.sellPerKwh] : zeros(),
      buyPerKwh: utility.tariff ? [...utility.tariff.buyPerKwh] : zeros(),
      targetKw: [...utility.targetKw],
      priority: [...utility.priority],
    },
    ...prosumers.map((p): ProsumerData => {
      const [minKw, maxKw] = injectionBoundsKw(p);
      const lo: number[] = [];
      const hi: number[] = [];
      for (let t = 0; t < T; t++) {
        const s = p.scheduleKw[t]!;
        const [bLo, bHi] = batteryPowerBoundsKw(p, t);
        lo.push(Math.max(bLo, minKw === undefined ? -Infinity : minKw - s));
        hi.push(Math.min(bHi, maxKw === undefined ? Infinity : maxKw - s));
      }
      return {
        kind: 'prosumer',
        id: p.id,
        scheduleKw: [...p.scheduleKw],
        bidA: p.costBid?.quadraticPerKw2h ?? 0,
        bidB: p.costBid?.linearPerKwh ?? 0,
        batteryLoKw: lo,
        batteryHiKw: hi,
        battery: p.battery ? { initialKwh: p.battery.initialKwh, minKwh: p.battery.minKwh, maxKwh: p.battery.maxKwh, returnToInitial: p.battery.returnToInitial } : undefined,
      };
    }),
  ];
  const metered = agents.map((_, a) => a).filter((a) => a > 0 && agentBus[a] !== feeder.slack);
  return { steps: T, stepHours, agents, agentBus, pairs, sides, peers, metered, volumeWeight: scenario.market.tradeVolumeWeight, feeder };
}
