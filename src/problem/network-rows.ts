/**
 * The network half of the clearing problem: LinDistFlow voltage (19c) and line-flow (19d)
 * limits of one step, in either of two equivalent forms.
 *
 * - **dense** (path-matrix form): one row per bus, v_k = v_0 + Σ_m 2(R_km·P_m + X_km·Q_m)/S_base,
 *   and one row per limited line, f_k = −Σ_{m ∈ subtree(k)} P_m. Rows hold every agent upstream-
 *   sharing the bus's root path: their number of entries grows with the square of the buses.
 * - **sparse** (branch-flow form): a flow column f per line and a voltage column v per bus, with
 *   per bus  f_k − Σ_{children c} f_c + Σ_{agents at k} P_a = −(fixed injection at k)
 *   per line v_k − v_parent + 2·r_k·f_k/S_base = −2·x_k·q_k/S_base,
 *   the reactive flows q being constants (reactive injections are fixed). Entries grow
 *   linearly with the buses; voltage and flow limits become column bounds.
 *
 * Both hold the fixed loads (`network.loads`) as constants. Substituting the sparse form's
 * recursions gives the dense rows exactly, so the optimum is the same.
 */
import type { Feeder } from '../network/feeder.ts';
import { busInjections } from '../network/injections.ts';
import type { Scenario } from '../scenario/validate.ts';
import type { Entry, ModelBuilder } from './model.ts';

/** Up to this many buses `linearForm: "auto"` builds the dense form (it solves faster on small feeders). */
export const DENSE_FORM_MAX_BUSES = 100;

export type LinearForm = 'dense' | 'sparse';

export function linearFormOf(scenario: Scenario, feeder: Feeder): LinearForm {
  const form = scenario.network.linearForm;
  if (form !== 'auto') return form;
  return feeder.buses.length <= DENSE_FORM_MAX_BUSES ? 'dense' : 'sparse';
}

export interface NetworkStep {
  t: number;
  /** Net-injection column of each agent (index as in MarketIndex.agents). */
  P: readonly number[];
  /** Bus of each agent; −1 for an agent without a bus (the pool). The utility (agent 0) sits at the slack. */
  agentBus: readonly number[];
  /** Lowest and highest net injection each agent's column allows (kW), for implied flow bounds. */
  injectionRange: readonly (readonly [number, number])[];
}

/**
 * A network row of one step and what a unit (1 kW) injection at a bus adds to it: the dense
 * form's voltage row of `bus` (∂v/∂P ÷ scale, for the buses on its root paths) and flow row of
 * `line` (−1 for the buses downstream), the sparse form's balance row of `bus` (+1 for that bus).
 * Nodal prices are read from their duals (market/prices.ts).
 */
export type NetworkRow =
  | { kind: 'voltage'; row: number; bus: number; scale: number }
  | { kind: 'lineFlow'; row: number; line: number }
  | { kind: 'busBalance'; row: number; bus: number };

/** A constraint with no decision variable in it that its data already breaks. */
export interface FixedConflict {
  description: string;
}

/** Prosumer agents (not the utility at the slack, not the pool) at each bus. */
function agentsAtBuses(feeder: Feeder, agentBus: readonly number[]): number[][] {
  const atBus = feeder.buses.map(() => [] as number[]);
  agentBus.forEach((bus, a) => {
    if (a > 0 && bus >= 0) atBus[bus]!.push(a);
  });
  return atBus;
}

export function addNetworkRows(
  mb: ModelBuilder,
  scenario: Scenario,
  feeder: Feeder,
  form: LinearForm,
  step: NetworkStep,
): NetworkRow[] {
  return form === 'dense' ? addDenseRows(mb, scenario, feeder, step) : addSparseRows(mb, scenario, feeder, step);
}

function addDenseRows(mb: ModelBuilder, scenario: Scenario, feeder: Feeder, step: NetworkStep): NetworkRow[] {
  const rows: NetworkRow[] = [];
  const { t, P } = step;
  const atBus = agentsAtBuses(feeder, step.agentBus);
  const fixed = busInjections(feeder, scenario.prosumers, undefined, t);

  for (const bus of feeder.buses) {
    if (bus.index === feeder.slack) continue;
    const sens = feeder.voltageSensitivity(bus.index);
    const entries: Entry[] = [];
    let constant = feeder.v0;
    sens.buses.forEach((m, k) => {
      constant += sens.dvdpPerKw[k]! * fixed.pKw[m]! + sens.dvdqPerKvar[k]! * fixed.qKvar[m]!;
      for (const a of atBus[m]!) entries.push([P[a]!, sens.dvdpPerKw[k]!]);
    });
    const lo = feeder.vMinSq - constant;
    const hi = feeder.vMaxSq - constant;
    if (entries.length === 0) continue; // a constant: checked by fixedConflicts()
    // Scale the row so its largest coefficient is 1 (the raw ones are ~1e-5 p.u.²/kW).
    const scale = Math.max(...entries.map(([, c]) => Math.abs(c)));
    const row = mb.addRow(
      { kind: 'voltage', bus: bus.id, step: t, scale },
      lo / scale,
      hi / scale,
      entries.map(([col, c]) => [col, c / scale]),
    );
    rows.push({ kind: 'voltage', row, bus: bus.index, scale });
  }

  for (const line of feeder.lines) {
    if (line.maxKw === undefined) continue;
    // f = −Σ of the injections downstream of the line: −Σ P_a − (fixed downstream injection).
    const entries: Entry[] = [];
    let fixedKw = 0;
    for (const m of feeder.subtree(line.to)) {
      fixedKw += fixed.pKw[m]!;
      for (const a of atBus[m]!) entries.push([P[a]!, -1]);
    }
    if (entries.length === 0) continue; // a constant: checked by fixedConflicts()
    const row = mb.addRow({ kind: 'lineFlow', from: line.fromId, to: line.toId, step: t }, -line.maxKw + fixedKw, line.maxKw + fixedKw, entries);
    rows.push({ kind: 'lineFlow', row, line: line.index });
  }
  return rows;
}

/**
 * Voltages and flows no agent can move, which the fixed loads already push beyond their limits:
 * the market cannot be cleared whatever the dispatch. A bus's voltage depends on the
 * injections of the buses in its own branch from the substation (the lines their root paths
 * share); a line's flow on those downstream of it. The same in both forms.
 */
export function fixedConflicts(scenario: Scenario, feeder: Feeder, agentBus: readonly number[], t: number): FixedConflict[] {
  const conflicts: FixedConflict[] = [];
  const fixed = busInjections(feeder, scenario.prosumers, undefined, t);
  const state = feeder.linearPowerFlow(fixed.pKw, fixed.qKvar);
  // The branch (child of the slack) each bus hangs from; −1 for the slack.
  const branch = feeder.buses.map(() => -1);
  for (const bus of feeder.buses) if (bus.parent >= 0) branch[bus.index] = bus.parent === feeder.slack ? bus.index : branch[bus.parent]!;
  const agentsBelow = feeder.buses.map(() => 0);
  const steered = new Set<number>();
  agentBus.forEach((bus, a) => {
    if (a === 0 || bus < 0 || bus === feeder.slack) return;
    agentsBelow[bus]!++;
    steered.add(branch[bus]!);
  });
  for (let i = feeder.buses.length - 1; i > 0; i--) agentsBelow[feeder.buses[i]!.parent]! += agentsBelow[i]!;

  for (const bus of feeder.buses) {
    if (bus.index === feeder.slack || steered.has(branch[bus.index]!)) continue;
    const v = state.vSq[bus.index]!;
    if (v < feeder.vMinSq || v > feeder.vMaxSq) {
      conflicts.push({
        description: `voltage at bus ${bus.id}, step ${t}: ${Math.sqrt(Math.max(0, v)).toFixed(4)} p.u. with no controllable injection, outside its limits`,
      });
    }
  }
  for (const line of feeder.lines) {
    if (line.maxKw === undefined || agentsBelow[line.to]! > 0) continue;
    const flow = state.flowKw[line.index]!;
    if (Math.abs(flow) > line.maxKw) {
      conflicts.push({ description: `line ${line.fromId}→${line.toId}, step ${t}: ${flow.toFixed(3)} kW of fixed load flow beyond its ${line.maxKw} kW limit` });
    }
  }
  return conflicts;
}

function addSparseRows(mb: ModelBuilder, scenario: Scenario, feeder: Feeder, step: NetworkStep): NetworkRow[] {
  const rows: NetworkRow[] = [];
  const { t, P, injectionRange } = step;
  const atBus = agentsAtBuses(feeder, step.agentBus);
  const fixed = busInjections(feeder, scenario.prosumers, undefined, t);
  const reactive = feeder.linearPowerFlow(feeder.buses.map(() => 0), fixed.qKvar).flowKvar;

  // An implied bound for lines without a limit: all that the subtree could draw or inject.
  const reach = feeder.buses.map((bus) => Math.abs(fixed.pKw[bus.index]!) + atBus[bus.index]!.reduce((s, a) => {
    const [lo, hi] = injectionRange[a]!;
    return s + Math.max(Math.abs(lo), Math.abs(hi));
  }, 0));
  for (let i = feeder.buses.length - 1; i > 0; i--) reach[feeder.buses[i]!.parent]! += reach[i]!;

  const flow = feeder.lines.map((line) => {
    const bound = 2 * reach[line.to]! + 1;
    const [lo, hi] = line.maxKw === undefined ? [-bound, bound] : [-line.maxKw, line.maxKw];
    return mb.addCol({ kind: 'lineFlow', from: line.fromId, to: line.toId, step: t }, lo, hi);
  });
  const voltage = feeder.buses.map((bus) =>
    bus.index === feeder.slack ? -1 : mb.addCol({ kind: 'busVoltage', bus: bus.id, step: t }, feeder.vMinSq, feeder.vMaxSq),
  );

  for (const bus of feeder.buses) {
    if (bus.index === feeder.slack) continue;
    const entries: Entry[] = [[flow[bus.line]!, 1]];
    for (const c of feeder.childrenOf(bus.index)) entries.push([flow[feeder.buses[c]!.line]!, -1]);
    for (const a of atBus[bus.index]!) entries.push([P[a]!, 1]);
    const rhs = -fixed.pKw[bus.index]!;
    rows.push({ kind: 'busBalance', row: mb.addRow({ kind: 'busBalance', bus: bus.id, step: t }, rhs, rhs, entries), bus: bus.index });
  }
  for (const line of feeder.lines) {
    const twoOverS = 2 / feeder.baseKva;
    const entries: Entry[] = [[voltage[line.to]!, 1], [flow[line.index]!, twoOverS * line.rPu]];
    let rhs = -twoOverS * line.xPu * reactive[line.index]!;
    if (line.from === feeder.slack) rhs += feeder.v0;
    else entries.push([voltage[line.from]!, -1]);
    mb.addRow({ kind: 'voltageDrop', from: line.fromId, to: line.toId, step: t }, rhs, rhs, entries);
  }
  return rows;
}
