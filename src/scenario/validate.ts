/**
 * Cross-field checks of a parsed scenario, and the validated `Scenario` model the rest of
 * the simulator works from. Every problem is reported with its field path; all problems
 * of a file are reported together.
 */
import type { InputProblem } from '../errors.ts';
import type { ScenarioData } from './schema.ts';
import { Feeder } from '../network/feeder.ts';
import { inverterActiveKw } from '../network/battery.ts';
import { negativeCycle, pairCosts } from '../problem/pair-costs.ts';
import { tradePairs } from '../problem/trade-graph.ts';
import { unsupported } from '../admm/support.ts';

/** The utility's request, one entry per step (filled in when the file omits it). */
export interface UtilityRequest {
  bus: string;
  /** Requested receipt U*[t], kW (positive: the feeder exports to the utility). */
  targetKw: number[];
  /** Priority w[t] of each step's request; 0 switches the request of that step off. */
  priority: number[];
  /** Requests issued during a simulation (simulate). */
  requestEvents?: ScenarioData['utility']['requestEvents'];
  /** The utility's buy and sell prices per step, currency per kWh (utility.tariff). */
  tariff?: Tariff;
}

export interface Tariff {
  buyPerKwh: number[];
  sellPerKwh: number[];
}

/** A validated scenario: every cross-field rule below holds. */
export type Scenario = Omit<ScenarioData, 'utility'> & { utility: UtilityRequest };

/** Clock hour at which step t starts (to 1e-9 h, so that 0.1-hour steps do not print as 0.30000000000000004). */
export function stepStartHour(scenario: Pick<Scenario, 'startHour' | 'stepHours'>, t: number): number {
  return Math.round((scenario.startHour + t * scenario.stepHours) * 1e9) / 1e9;
}

/** The reserved agent id of the utility. */
export const UTILITY_ID = 'utility';
/** The reserved agent id of the community pool (market.tradeGraph "pool"). */
export const POOL_ID = 'pool';

export function validateScenario(data: ScenarioData): { scenario?: Scenario; problems: InputProblem[] } {
  const problems: InputProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const { steps, network } = data;

  const lengthIs = (path: string, values: readonly number[] | undefined) => {
    if (values !== undefined && values.length !== steps) {
      add(path, `has ${values.length} entries but the scenario has ${steps} steps`);
    }
  };

  // Buses and the tree.
  const busIndex = new Map<string, number>();
  network.buses.forEach((bus, i) => {
    if (busIndex.has(bus)) add(`network.buses[${i}]`, `duplicate bus id "${bus}"`);
    else busIndex.set(bus, i);
  });
  if (!busIndex.has(network.slack)) add('network.slack', `unknown bus "${network.slack}"`);
  if (network.vMinPu >= network.vMaxPu) {
    add('network.vMinPu', `must be below network.vMaxPu (${network.vMinPu} ≥ ${network.vMaxPu})`);
  }
  problems.push(...checkTree(data));
  lengthIs('network.loadProfile', network.loadProfile);
  network.loads.forEach((load, i) => {
    if (!busIndex.has(load.bus)) add(`network.loads[${i}].bus`, `unknown bus "${load.bus}"`);
    lengthIs(`network.loads[${i}].profile`, load.profile);
  });

  // Utility.
  const utility = data.utility;
  if (utility.bus !== network.slack) {
    add('utility.bus', `the utility must sit at the slack bus "${network.slack}", not "${utility.bus}"`);
  }
  lengthIs('utility.targetKw', utility.targetKw);
  lengthIs('utility.priority', utility.priority);
  utility.requestEvents?.forEach((e, i) => {
    if (e.step >= steps) add(`utility.requestEvents[${i}].step`, `step ${e.step} is beyond the scenario's ${steps} steps`);
  });
  let tariff: Tariff | undefined;
  if (utility.tariff) {
    const perStep = (path: string, value: number | number[]) => {
      if (typeof value === 'number') return Array.from({ length: steps }, () => value);
      lengthIs(path, value);
      return value;
    };
    tariff = { buyPerKwh: perStep('utility.tariff.buyPerKwh', utility.tariff.buyPerKwh), sellPerKwh: perStep('utility.tariff.sellPerKwh', utility.tariff.sellPerKwh) };
    const t = tariff.buyPerKwh.findIndex((buy, k) => buy > (tariff!.sellPerKwh[k] ?? Infinity));
    if (t >= 0) {
      add('utility.tariff.buyPerKwh', `step ${t}: the utility would buy at ${tariff.buyPerKwh[t]} above its sell price ${tariff.sellPerKwh[t]} (currency per kWh); buying and selling back would pay without end`);
    }
  }
  if (data.horizonSteps !== undefined && data.horizonSteps > steps) {
    add('horizonSteps', `a window of ${data.horizonSteps} steps is longer than the scenario's ${steps} steps`);
  }

  // Prosumers.
  const ids = new Map<string, number>();
  data.prosumers.forEach((p, i) => {
    const at = `prosumers[${i}]`;
    if (p.id === UTILITY_ID) add(`${at}.id`, `"${UTILITY_ID}" is reserved for the utility`);
    else if (p.id === POOL_ID && data.market.tradeGraph === 'pool') add(`${at}.id`, `"${POOL_ID}" is reserved for the community pool (market.tradeGraph "pool")`);
    else if (ids.has(p.id)) add(`${at}.id`, `duplicate id "${p.id}" (also prosumers[${ids.get(p.id)}])`);
    else ids.set(p.id, i);
    if (!busIndex.has(p.bus)) add(`${at}.bus`, `unknown bus "${p.bus}"`);
    lengthIs(`${at}.scheduleKw`, p.scheduleKw);
    lengthIs(`${at}.pvKw`, p.pvKw);
    lengthIs(`${at}.loadKw`, p.loadKw);
    lengthIs(`${at}.realisedKw`, p.realisedKw);
    if ((p.pvKw || p.loadKw) && [p.scheduleKw, p.pvKw ?? p.scheduleKw, p.loadKw ?? p.scheduleKw].every((v) => v.length === steps)) {
      // Given together (as a run's scenario.json holds them), the net must be PV minus load.
      const t = p.scheduleKw.findIndex((net, k) => Math.abs(net - ((p.pvKw?.[k] ?? 0) - (p.loadKw?.[k] ?? 0))) > 1e-9 * Math.max(1, Math.abs(net)));
      if (t >= 0) add(`${at}.scheduleKw`, `step ${t}: ${p.scheduleKw[t]} kW is not pvKw − loadKw = ${Number(((p.pvKw?.[t] ?? 0) - (p.loadKw?.[t] ?? 0)).toPrecision(6))} kW; give the net schedule, or PV and load`);
    }
    p.forecastUpdates?.forEach((u, k) => {
      if (u.fromStep + u.scheduleKw.length > steps) {
        add(`${at}.forecastUpdates[${k}]`, `revises steps ${u.fromStep}–${u.fromStep + u.scheduleKw.length - 1}, beyond the scenario's ${steps} steps`);
      }
    });
    if (p.minInjectionKw !== undefined && p.maxInjectionKw !== undefined && p.minInjectionKw > p.maxInjectionKw) {
      add(`${at}.minInjectionKw`, `exceeds maxInjectionKw (${p.minInjectionKw} > ${p.maxInjectionKw})`);
    }
    if (p.inverterKva !== undefined) {
      const activeKw = inverterActiveKw(p);
      if (activeKw <= 0) add(`${at}.inverterKva`, `${p.inverterKva} kVA leaves no room for active power beside the reactive power of ${p.reactiveKvar} kvar`);
      const t = p.pvKw?.findIndex((pv) => pv > activeKw + 1e-9) ?? -1;
      if (activeKw > 0 && t >= 0) {
        add(`${at}.pvKw[${t}]`, `${p.pvKw![t]} kW is more than the inverter of ${p.inverterKva} kVA delivers beside ${p.reactiveKvar} kvar (${Number(activeKw.toPrecision(6))} kW): lower the PV (its peakKw) or raise inverterKva`);
      }
    }
    const b = p.battery;
    if (b) {
      if (b.minKwh > b.maxKwh) {
        add(`${at}.battery.minKwh`, `exceeds maxKwh (${b.minKwh} > ${b.maxKwh} kWh)`);
      } else if (b.initialKwh < b.minKwh || b.initialKwh > b.maxKwh) {
        add(`${at}.battery.initialKwh`, `${b.initialKwh} kWh lies outside [${b.minKwh}, ${b.maxKwh}] kWh`);
      }
      if (b.selfDischargePerHour * data.stepHours >= 1) {
        add(`${at}.battery.selfDischargePerHour`, `${b.selfDischargePerHour} per hour would lose all of the store in one step of ${data.stepHours} h (σ·Δt must stay below 1)`);
      }

    }
  });

  problems.push(...checkForecastError(data));
  problems.push(...checkPreferences(data, ids));
  if (data.market.clearing === 'admm') problems.push(...unsupported(data));

  if (problems.length > 0) return { problems };
  problems.push(...checkTradeCosts(data, tariff));
  if (problems.length > 0) return { problems };
  const priority = utility.priority ?? Array.from({ length: steps }, () => (utility.targetKw ? 1 : 0));
  const targetKw = utility.targetKw ?? Array.from({ length: steps }, () => 0);
  return {
    scenario: { ...data, utility: { bus: utility.bus, targetKw, priority, requestEvents: utility.requestEvents, ...(tariff ? { tariff } : {}) } },
    problems,
  };
}

/** Pair preferences name two known agents, once per direction. */
function checkPreferences(data: ScenarioData, prosumerIds: Map<string, number>): InputProblem[] {
  const problems: InputProblem[] = [];
  const known = (id: string) => id === UTILITY_ID || prosumerIds.has(id) || (id === POOL_ID && data.market.tradeGraph === 'pool');
  const seen = new Map<string, number>();
  data.market.pairPreferences.forEach((p, k) => {
    const at = `market.pairPreferences[${k}]`;
    if (!known(p.from)) problems.push({ path: `${at}.from`, message: `unknown agent "${p.from}"` });
    if (!known(p.to)) problems.push({ path: `${at}.to`, message: `unknown agent "${p.to}"` });
    if (p.from === p.to) problems.push({ path: at, message: `an agent does not trade with itself ("${p.from}")` });
    const key = `${p.from}\u0000${p.to}`;
    if (seen.has(key)) problems.push({ path: at, message: `a second preference for ${p.from} → ${p.to} (also market.pairPreferences[${seen.get(key)}])` });
    else seen.set(key, k);
  });
  return problems;
}

/**
 * Preferences only on pairs that trade, and no cycle of deliveries that pays: the preferences
 * (a premium is negative), network fees and — without peer trades — the tariff billed on each
 * trade must not add up to less than zero around any cycle of agents, or delivering energy round
 * it would lower the objective without end.
 */
function checkTradeCosts(data: ScenarioData, tariff: Tariff | undefined): InputProblem[] {
  const problems: InputProblem[] = [];
  const { market } = data;
  if (market.pairPreferences.length === 0) return problems;
  const feeder = new Feeder(data.network);
  const withPool = market.tradeGraph === 'pool';
  const agents = [UTILITY_ID, ...data.prosumers.map((p) => p.id), ...(withPool ? [POOL_ID] : [])];
  const agentBus = [feeder.slack, ...data.prosumers.map((p) => feeder.busIndex(p.bus)), ...(withPool ? [-1] : [])];
  const pairs = tradePairs(market.tradeGraph, agentBus, feeder, withPool ? agents.length - 1 : undefined);
  const index = new Map(agents.map((id, a) => [id, a]));
  const trading = new Set(pairs.map(({ i, j }) => `${i} ${j}`));
  market.pairPreferences.forEach((p, k) => {
    const [a, b] = [index.get(p.from)!, index.get(p.to)!];
    if (!trading.has(`${Math.min(a, b)} ${Math.max(a, b)}`)) {
      problems.push({ path: `market.pairPreferences[${k}]`, message: `${p.from} and ${p.to} do not trade with each other under market.tradeGraph ${JSON.stringify(market.tradeGraph)}` });
    }
  });
  if (problems.length > 0) return problems;
  const costs = pairCosts(market, feeder, agents, agentBus, pairs);
  const billed = market.tradeGraph === 'utility' && tariff;
  // The tariff billed per trade differs by step; every distinct pair of prices is checked.
  const tariffs = billed ? [...new Map(tariff.buyPerKwh.map((buy, t) => [`${buy} ${tariff.sellPerKwh[t]}`, [buy, tariff.sellPerKwh[t]!] as const])).values()] : [[0, 0] as const];
  for (const [buy, sell] of tariffs) {
    const cycle = negativeCycle(agents.length, pairs, costs, (from, to) => (!billed ? 0 : to === 0 ? -buy : from === 0 ? sell : 0));
    if (!cycle) continue;
    problems.push({
      path: 'market.pairPreferences',
      message:
        `delivering energy round ${[...cycle, cycle[0]!].map((a) => agents[a]).join(' → ')} would pay ` +
        `(its preferences${market.networkFee ? ', fees' : ''}${billed ? ' and tariff' : ''} add up to less than zero): make the premiums smaller or the costs on that cycle larger`,
    });
    break;
  }
  return problems;
}

/** The network must be one tree rooted at the slack: one parent per bus, no loop, no island. */
function checkTree(data: ScenarioData): InputProblem[] {
  const { network } = data;
  const problems: InputProblem[] = [];
  const known = new Set(network.buses);
  const parentLine = new Map<string, number>();
  const children = new Map<string, string[]>();
  network.lines.forEach((line, i) => {
    const at = `network.lines[${i}]`;
    if (!known.has(line.from)) problems.push({ path: `${at}.from`, message: `unknown bus "${line.from}"` });
    if (!known.has(line.to)) problems.push({ path: `${at}.to`, message: `unknown bus "${line.to}"` });
    if (line.from === line.to) problems.push({ path: at, message: `connects bus "${line.from}" to itself` });
    if (line.to === network.slack) {
      problems.push({ path: `${at}.to`, message: `the slack bus "${network.slack}" cannot have a parent (lines run from parent to child)` });
    }
    const earlier = parentLine.get(line.to);
    if (earlier !== undefined) {
      problems.push({ path: `${at}.to`, message: `bus "${line.to}" has two parents (also network.lines[${earlier}]): the network must be radial` });
    } else parentLine.set(line.to, i);
    children.set(line.from, [...(children.get(line.from) ?? []), line.to]);
  });
  if (problems.length > 0) return problems;

  // Walk from the slack; what is not reached is an island or part of a loop.
  const reached = new Set<string>([network.slack]);
  const queue = [network.slack];
  while (queue.length > 0) {
    const bus = queue.shift()!;
    for (const child of children.get(bus) ?? []) {
      if (!reached.has(child)) {
        reached.add(child);
        queue.push(child);
      }
    }
  }
  const unreached = network.buses.filter((b) => !reached.has(b));
  if (unreached.length > 0) {
    const inLoop = unreached.filter((b) => parentLine.has(b));
    problems.push({
      path: 'network.lines',
      message:
        `bus${unreached.length > 1 ? 'es' : ''} ${unreached.map((b) => `"${b}"`).join(', ')} ` +
        `cannot be reached from the slack "${network.slack}"` +
        (inLoop.length > 0 ? ' (they form a loop or hang off one)' : ' (island: no line feeds them)'),
    });
  }
  return problems;
}

/** The forecast-error fields agree: one way of giving the net σ, and PV or load to err on when their σ is set. */
function checkForecastError(data: ScenarioData): InputProblem[] {
  const problems: InputProblem[] = [];
  const model = data.forecastError;
  if (!model) return problems;
  if (data.forecastErrorStdKw > 0) {
    problems.push({ path: 'forecastErrorStdKw', message: `${data.forecastErrorStdKw} kW beside forecastError: give the net error's σ in forecastError.stdKw alone` });
  }
  const drawn = data.prosumers.filter((p) => !p.realisedKw);
  if (model.pvStdKw > 0 && !drawn.some((p) => p.pvKw)) {
    problems.push({ path: 'forecastError.pvStdKw', message: 'no prosumer without realisedKw gives pvKw: there is no PV to err on (forecastError.stdKw is the error of the net injection)' });
  }
  if (model.loadStdKw > 0 && !drawn.some((p) => p.loadKw)) {
    problems.push({ path: 'forecastError.loadStdKw', message: 'no prosumer without realisedKw gives loadKw: there is no load to err on (forecastError.stdKw is the error of the net injection)' });
  }
  return problems;
}
