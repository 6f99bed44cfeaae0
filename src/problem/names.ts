/**
 * Domain names of the clearing problem's columns and rows, and their description in words.
 * Steps are 0-based in the model and in files; descriptions say "step t" with the same t.
 */

export type ColumnName =
  /** Power agent `from` delivers to agent `to` (kW, ≥ 0); a pair's trade is the difference of its two deliveries. */
  | { kind: 'delivery'; from: string; to: string; step: number }
  /** Σ of all deliveries over all steps (kW). */
  | { kind: 'totalTradeVolume' }
  /** P[i,t]: net injection of an agent (kW). */
  | { kind: 'netInjection'; agent: string; step: number }
  /** b[i,t]: battery power (kW, positive = discharging). */
  | { kind: 'batteryPower'; agent: string; step: number }
  /** c[i,t], d[i,t]: charge and discharge power of a battery with losses (kW, ≥ 0), b = d − c. */
  | { kind: 'batteryCharge'; agent: string; step: number }
  | { kind: 'batteryDischarge'; agent: string; step: number }
  /** e[i,t]: state of charge at the start of step t (kWh); step = T is the end of the horizon. */
  | { kind: 'batteryEnergy'; agent: string; step: number }
  /** U[t] − U*[t] (L2), or its positive / negative part (L1), kW. */
  | { kind: 'requestDeviation'; step: number; part: 'both' | 'above' | 'below' }
  /** Sparse LinDistFlow: active flow on the line feeding `to`, kW, positive from parent to child. */
  | { kind: 'lineFlow'; from: string; to: string; step: number }
  /** Sparse LinDistFlow: squared voltage magnitude of a bus, p.u.². */
  | { kind: 'busVoltage'; bus: string; step: number }
  /** Reduced tie-break stage: the positive or negative part of a net injection (kW). */
  | { kind: 'injectionPart'; agent: string; step: number; part: 'positive' | 'negative' }
  /** With a tariff: what the utility sells to the feeder (sale) or buys from it (purchase), kW ≥ 0. */
  | { kind: 'utilityEnergy'; step: number; part: 'sale' | 'purchase' };

export type RowName =
  /** Σ_j p[i,j,t] − P[i,t] = 0: what an agent sells equals what it injects. */
  | { kind: 'tradeBalance'; agent: string; step: number }
  /** P[i,t] − b[i,t] = s[i,t]: net injection is schedule plus battery. */
  | { kind: 'schedule'; agent: string; step: number }
  /** b − d + c = 0: a battery with losses, its power split into discharge and charge. */
  | { kind: 'batterySplit'; agent: string; step: number }
  /** e[i,t+1] − e[i,t] + Δt·b[i,t] = 0 (with losses: e[i,t+1] − (1 − σΔt)·e[i,t] − η_c·Δt·c + Δt·d/η_d = 0). */
  | { kind: 'batteryDynamics'; agent: string; step: number }
  /** U[t] − deviation = U*[t]. */
  | { kind: 'request'; step: number }
  /** LinDistFlow squared voltage of a bus within its limits (row scaled to O(1)). */
  | { kind: 'voltage'; bus: string; step: number; scale: number }
  /** Active flow on the line feeding `to` within ±maxKw. */
  | { kind: 'lineFlow'; from: string; to: string; step: number }
  /** Sparse LinDistFlow: flow into a bus − flows out of it + injections at it = −fixed injection. */
  | { kind: 'busBalance'; bus: string; step: number }
  /** Sparse LinDistFlow: v_to − v_from + 2(r·f + x·q)/S_base = 0 along a line. */
  | { kind: 'voltageDrop'; from: string; to: string; step: number }
  /** Reduced tie-break stage: Σ_a P_a = 0 in a step. */
  | { kind: 'stepBalance'; step: number }
  /** Reduced tie-break stage: P = P⁺ − P⁻. */
  | { kind: 'injectionParts'; agent: string; step: number }
  /** Reduced tie-break stage: the least trade volume ½·Σ|P| within S. */
  | { kind: 'leastTradeVolume' }
  /** S − Σ deliveries = 0. */
  | { kind: 'totalTradeVolume' }
  /** Tie-break stage: the linear part of the market objective stays at its optimum. */
  | { kind: 'marketOptimum' }
  /** With a tariff: P_utility − sale + purchase = 0. */
  | { kind: 'utilityEnergy'; step: number };

export type Side = 'lower' | 'upper';

const agentWord = (agent: string) => (agent === 'utility' ? 'the utility' : agent === 'pool' ? 'the pool' : agent);

/** A column, or one of its bounds, in domain words. */
export function describeColumn(name: ColumnName, side?: Side): string {
  const limit = (lower: string, upper: string) => (side === undefined ? '' : `, ${side === 'lower' ? lower : upper}`);
  switch (name.kind) {
    case 'delivery':
      return `delivery ${name.from}→${name.to}, step ${name.step}${limit('non-negative', 'largest delivery')}`;
    case 'totalTradeVolume':
      return 'total trade volume';
    case 'netInjection':
      return `net injection of ${agentWord(name.agent)}, step ${name.step}${limit('minimum injection', 'maximum injection')}`;
    case 'batteryPower':
      return `battery of ${name.agent}, step ${name.step}${limit('maximum charge power', 'maximum discharge power')}`;
    case 'batteryCharge':
      return `battery of ${name.agent}, step ${name.step}, charging power${limit('non-negative', 'maximum charge power')}`;
    case 'batteryDischarge':
      return `battery of ${name.agent}, step ${name.step}, discharging power${limit('non-negative', 'maximum discharge power')}`;
    case 'batteryEnergy':
      return `battery of ${name.agent}, step ${name.step}${
        side === undefined ? ', state of charge' : limit('minimum energy', 'maximum energy')
      }`;
    case 'requestDeviation':
      return `deviation from the utility's request, step ${name.step}`;
    case 'lineFlow':
      return `line ${name.from}→${name.to}, step ${name.step}${limit('flow limit (reverse)', 'flow limit (forward)')}`;
    case 'busVoltage':
      return `voltage at bus ${name.bus}, step ${name.step}${limit('minimum voltage', 'maximum voltage')}`;
    case 'injectionPart':
      return `${name.part} part of the net injection of ${agentWord(name.agent)}, step ${name.step}`;
    case 'utilityEnergy':
      return `energy the utility ${name.part === 'sale' ? 'sells' : 'buys'}, step ${name.step}`;
  }
}

/** A row, or one of its sides, in domain words. */
export function describeRow(name: RowName, side?: Side): string {
  const limit = (lower: string, upper: string) => (side === undefined ? '' : `, ${side === 'lower' ? lower : upper}`);
  switch (name.kind) {
    case 'tradeBalance':
      return `trade balance of ${agentWord(name.agent)}, step ${name.step}`;
    case 'schedule':
      return `schedule of ${name.agent}, step ${name.step} (net injection = schedule + battery)`;
    case 'batteryDynamics':
      return `battery of ${name.agent}, step ${name.step}, energy balance`;
    case 'batterySplit':
      return `battery of ${name.agent}, step ${name.step}, power = discharge − charge`;
    case 'request':
      return `utility request, step ${name.step}`;
    case 'voltage':
      return `voltage at bus ${name.bus}, step ${name.step}${limit('minimum voltage', 'maximum voltage')}`;
    case 'lineFlow':
      return `line ${name.from}→${name.to}, step ${name.step}${limit('flow limit (reverse)', 'flow limit (forward)')}`;
    case 'busBalance':
      return `power balance at bus ${name.bus}, step ${name.step} (LinDistFlow)`;
    case 'voltageDrop':
      return `voltage drop along line ${name.from}→${name.to}, step ${name.step} (LinDistFlow)`;
    case 'stepBalance':
      return `balance of the net injections, step ${name.step}`;
    case 'injectionParts':
      return `net injection of ${agentWord(name.agent)}, step ${name.step}, split into its parts`;
    case 'leastTradeVolume':
      return 'least trade volume within the total trade volume';
    case 'totalTradeVolume':
      return 'total trade volume';
    case 'marketOptimum':
      return 'optimum of the market objective (tie-break stage)';
    case 'utilityEnergy':
      return `the utility's sales and purchases, step ${name.step}`;
  }
}
