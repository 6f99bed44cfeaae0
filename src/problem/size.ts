/**
 * The size of a clearing problem, counted from the scenario before anything is built, and the
 * limits (io/limits.ts) it is held to: a market too large for the machine is refused at once
 * with what makes it large and what to change, instead of exhausting the memory minutes later.
 *
 * The counts follow build.ts and network-rows.ts (per step: a net injection per agent, a power per
 * battery, two deliveries per trading pair, the request deviation, the tariff's two columns,
 * and in the sparse form a flow per line and a voltage per bus; an energy per battery per step
 * boundary; rows likewise). Memory is estimated from the figures `npm run bench` measures:
 * about 112 MiB of Node and HiGHS, 2.5 KiB per column or row (the model, its names, HiGHS's
 * copies, the outer approximation's cuts and the tie-break stage) and 64 bytes per nonzero.
 */
import { InputError } from '../errors.ts';
import { raiseHint, type Limits } from '../io/limits.ts';
import type { Feeder } from '../network/feeder.ts';
import type { Scenario } from '../scenario/validate.ts';
import { linearFormOf } from './network-rows.ts';
import { isLossless } from '../network/battery.ts';

export interface ModelSize {
  steps: number;
  agents: number;
  /** Trading pairs per step. */
  pairs: number;
  columns: number;
  rows: number;
  nonzeros: number;
  memoryMib: number;
  /** Rows of the largest trace a run writes (steps × agents, or the trades of every step). */
  traceRows: number;
}

const BASE_MIB = 112;
const MIB_PER_COLUMN_OR_ROW = 2.5 / 1024;
const MIB_PER_NONZERO = 64 / 1024 / 1024;

/** Pairs of agents that trade in each step under the scenario's trade graph (counted, not listed). */
export function countPairs(scenario: Scenario, feeder: Feeder): number {
  const graph = scenario.market.tradeGraph;
  const prosumers = scenario.prosumers.length;
  const agents = 1 + prosumers;
  if (graph === 'all') return (agents * (agents - 1)) / 2;
  if (graph === 'pool') return agents;
  if (graph === 'utility') return prosumers;
  const atBus = feeder.buses.map(() => 0);
  for (const p of scenario.prosumers) atBus[feeder.busIndex(p.bus)]!++;
  let pairs = prosumers; // every prosumer with the utility
  for (const bus of feeder.buses) {
    if (atBus[bus.index] === 0) continue;
    const near = feeder.busesWithin(bus.index, graph.maxHops).reduce((n, b) => n + atBus[b]!, 0);
    pairs += atBus[bus.index]! * (near - 1); // each ordered pair once from each end …
  }
  return prosumers + (pairs - prosumers) / 2; // … so halve the peer part
}

export function estimateModelSize(scenario: Scenario, feeder: Feeder, steps = scenario.steps): ModelSize {
  const { market, prosumers, utility } = scenario;
  const n = 1 + prosumers.length + (market.tradeGraph === 'pool' ? 1 : 0);
  const batteries = prosumers.filter((p) => p.battery).length;
  // A battery with losses adds its charge and discharge columns and the row that splits its power.
  const lossy = prosumers.filter((p) => p.battery && !isLossless(p.battery)).length;
  const pairs = countPairs(scenario, feeder);
  const tariffColumns = utility.tariff && market.tradeGraph !== 'utility' ? 2 : 0;
  const deviations = market.penaltyNorm === 'l2' ? 1 : 2;
  const buses = feeder.buses.length;
  const lines = feeder.lines.length;
  const sparse = linearFormOf(scenario, feeder) === 'sparse';

  // Network rows and their entries in one step.
  let networkRows: number;
  let networkNonzeros: number;
  if (sparse) {
    // Per bus: its own flow, its children's, its agents; per line: v_to, f and v_from unless that is the slack.
    const slackChildren = feeder.childrenOf(feeder.slack).length;
    const agentsOffSlack = prosumers.filter((p) => feeder.busIndex(p.bus) !== feeder.slack).length;
    networkRows = 2 * lines;
    networkNonzeros = lines + (lines - slackChildren) + agentsOffSlack + 2 * lines + (lines - slackChildren);
  } else {
    // A voltage row holds the agents of its bus's first-level branch; a flow row those below its line.
    const branch = feeder.buses.map(() => -1);
    for (const bus of feeder.buses) if (bus.parent >= 0) branch[bus.index] = bus.parent === feeder.slack ? bus.index : branch[bus.parent]!;
    const agentsInBranch = new Map<number, number>();
    const agentsBelow = feeder.buses.map(() => 0);
    for (const p of prosumers) {
      const b = feeder.busIndex(p.bus);
      if (b === feeder.slack) continue;
      agentsInBranch.set(branch[b]!, (agentsInBranch.get(branch[b]!) ?? 0) + 1);
      agentsBelow[b]!++;
    }
    for (let i = feeder.buses.length - 1; i > 0; i--) agentsBelow[feeder.buses[i]!.parent]! += agentsBelow[i]!;
    networkRows = 0;
    networkNonzeros = 0;
    for (const bus of feeder.buses) {
      const k = bus.index === feeder.slack ? 0 : (agentsInBranch.get(branch[bus.index]!) ?? 0);
      if (k > 0) (networkRows++, (networkNonzeros += k));
    }
    for (const line of feeder.lines) {
      if (line.maxKw !== undefined && agentsBelow[line.to]! > 0) (networkRows++, (networkNonzeros += agentsBelow[line.to]!));
    }
  }

  const columnsPerStep = n + batteries + 2 * lossy + 2 * pairs + deviations + tariffColumns + (sparse ? lines + buses - 1 : 0);
  const rowsPerStep = n + prosumers.length + batteries + lossy + 1 + (tariffColumns ? 1 : 0) + networkRows;
  const nonzerosPerStep = n + 4 * pairs + prosumers.length + batteries + 3 * batteries + 4 * lossy + 1 + deviations + (tariffColumns ? 3 : 0) + networkNonzeros;
  const volume = market.tradeVolumeWeight > 0;
  const columns = steps * columnsPerStep + (steps + 1) * batteries + (volume ? 1 : 0);
  const rows = steps * rowsPerStep + (volume ? 1 : 0);
  const nonzeros = steps * nonzerosPerStep + (volume ? 2 * pairs * steps + 1 : 0);
  const tradeRowsPerStep = market.tradeGraph === 'all' ? Math.min(pairs, Math.floor((n * n) / 4)) : pairs;
  return {
    steps,
    agents: n,
    pairs,
    columns,
    rows,
    nonzeros,
    memoryMib: Math.round(BASE_MIB + (columns + rows) * MIB_PER_COLUMN_OR_ROW + nonzeros * MIB_PER_NONZERO),
    traceRows: scenario.steps * Math.max(n, tradeRowsPerStep),
  };
}

const count = (v: number) => Math.round(v).toLocaleString('en-US');

/**
 * Exit 2 (InputError naming `file`) when clearing windows of `windowSteps` steps of this scenario
 * would exceed a limit: the sizes found, the limit, and what to change.
 */
export function checkModelSize(scenario: Scenario, feeder: Feeder, file: string, limits: Limits, windowSteps = scenario.steps): ModelSize {
  const size = estimateModelSize(scenario, feeder, windowSteps);
  if (size.columns <= limits.columns && size.rows <= limits.rows && size.memoryMib <= limits.memoryMib && size.traceRows <= limits.traceRows) return size;
  // Past a limit: the message (its numbers formatted only now; this check runs for every window).
  const graph = JSON.stringify(scenario.market.tradeGraph);
  const what = `${count(size.agents)} agents trading in ${count(size.pairs)} pairs (market.tradeGraph ${graph}) over ${count(windowSteps)} step${windowSteps === 1 ? '' : 's'}${windowSteps < scenario.steps ? ' per window' : ''}`;
  const remedies = [
    scenario.market.tradeGraph === 'all' && size.agents > 30 ? 'restrict who trades (market.tradeGraph {"maxHops": 2} or "pool")' : undefined,
    windowSteps > 24 ? (scenario.horizonSteps ? 'clear shorter windows (horizonSteps)' : 'clear it in rolling windows (horizonSteps, with p2pmarket simulate)') : undefined,
    scenario.network.linearForm === 'dense' && feeder.buses.length > 100 ? 'use network.linearForm "sparse"' : undefined,
  ].filter((r): r is string => r !== undefined);
  const advice = remedies.length > 0 ? `${remedies.join(', or ').replace(/^./, (c) => c.toUpperCase())}; ` : '';
  const hint = (name: Parameters<typeof raiseHint>[0]) => (advice ? raiseHint(name) : raiseHint(name).replace(/^./, (c) => c.toUpperCase()));
  const refuse = (path: string, message: string): never => {
    throw new InputError(file, [{ path, message }]);
  };
  if (size.columns > limits.columns) {
    refuse('', `the clearing problem would have ${count(size.columns)} columns (${what}), more than the limit of ${count(limits.columns)} (about ${count(size.memoryMib / 1024)} GiB). ${advice}${hint('columns')}`);
  }
  if (size.rows > limits.rows) refuse('', `the clearing problem would have ${count(size.rows)} rows (${what}), more than the limit of ${count(limits.rows)}. ${advice}${hint('rows')}`);
  if (size.memoryMib > limits.memoryMib) {
    refuse('', `clearing it would take about ${count(size.memoryMib)} MiB of memory (${count(size.columns)} columns, ${count(size.rows)} rows, ${count(size.nonzeros)} nonzeros; ${what}), more than the limit of ${count(limits.memoryMib)} MiB. ${advice}${hint('memoryMib')}`);
  }
  if (size.traceRows > limits.traceRows) {
    refuse('steps', `its traces would hold up to ${count(size.traceRows)} rows (${count(scenario.steps)} steps × ${count(size.traceRows / scenario.steps)} agents or trades), more than the limit of ${count(limits.traceRows)}. Fewer steps or agents, or ${raiseHint('traceRows')}`);
  }
  return size;
}
