/**
 * The AC power flow of a scenario (`p2pmarket powerflow`), step by step: bus injections are
 * the fixed loads plus the prosumers' net injections — their schedules with idle batteries,
 * or a clearing's dispatch (ac-check.ts) — and every limit the AC state breaks is listed.
 */
import { Feeder } from '../network/feeder.ts';
import { acPowerFlow, DEFAULT_POWER_FLOW, type PowerFlowOptions, type PowerFlowSolution } from '../network/powerflow.ts';
import { busInjections } from '../network/injections.ts';
import { report, reportPu } from '../market/report.ts';
import { stepStartHour, type Scenario } from '../scenario/validate.ts';

/** A voltage limit is broken when exceeded by more than LIMIT_TOLERANCE_PU, a flow limit by more than LIMIT_TOLERANCE_KW. */
export const LIMIT_TOLERANCE_PU = 1e-9;
export const LIMIT_TOLERANCE_KW = 1e-6;

export interface LimitViolation {
  kind: 'voltage' | 'lineFlow';
  /** Bus id, or "from→to" of a line. */
  element: string;
  /** The AC voltage (p.u.), or the line's active flow at whichever end carries more (kW). */
  value: number;
  /** The limit broken, in the same unit: vMinPu or vMaxPu, or maxKw. */
  limit: number;
}

export interface PowerFlowStep {
  t: number;
  startHour: number;
  iterations: number;
  lossKw: number;
  lossKvar: number;
  /** Power the substation supplies, kW and kvar. */
  slackKw: number;
  slackKvar: number;
  minVoltagePu: number;
  minVoltageBus: string;
  maxVoltagePu: number;
  maxVoltageBus: string;
  buses: { id: string; vPu: number; angleDeg: number }[];
  /** Powers at the sending (parent) end of each line. */
  lines: { from: string; to: string; pKw: number; qKvar: number; lossKw: number; maxKw: number | null }[];
  violations: LimitViolation[];
}

export interface PowerFlowReport {
  scenario: string;
  converged: boolean;
  /** The most iterations any step needed. */
  iterations: number;
  tolerancePu: number;
  steps: PowerFlowStep[];
  /** Why the power flow has no result (converged = false). */
  failure?: { t: number; iterations: number; mismatchPu: number; message: string };
}

/** Steps to solve: one for a network with only fixed loads at their peak, else every step. */
export function powerFlowSteps(scenario: Scenario): number {
  const { network, prosumers } = scenario;
  const timeVarying = prosumers.length > 0 || network.loadProfile !== undefined || network.loads.some((l) => l.profile !== undefined);
  return timeVarying ? scenario.steps : 1;
}

/**
 * AC power flow of the scenario's steps with the prosumers' net injections
 * `netInjectionKw(t)[k]` (default: their schedules, batteries idle).
 */
export function scenarioPowerFlow(
  scenario: Scenario,
  options: PowerFlowOptions = {},
  netInjectionKw: (t: number) => readonly number[] = (t) => scenario.prosumers.map((p) => p.scheduleKw[t]!),
  steps = powerFlowSteps(scenario),
): PowerFlowReport {
  const feeder = new Feeder(scenario.network);
  const tolerancePu = options.tolerancePu ?? DEFAULT_POWER_FLOW.tolerancePu;
  const result: PowerFlowReport = { scenario: scenario.name, converged: true, iterations: 0, tolerancePu, steps: [] };
  for (let t = 0; t < steps; t++) {
    const injections = busInjections(feeder, scenario.prosumers, netInjectionKw(t), t);
    const solution = acPowerFlow(feeder, injections.pKw, injections.qKvar, options);
    result.iterations = Math.max(result.iterations, solution.iterations);
    if (!solution.converged) {
      return {
        ...result,
        converged: false,
        steps: [],
        failure: {
          t,
          iterations: solution.iterations,
          mismatchPu: solution.mismatchPu,
          message:
            `the AC power flow of step ${t} did not converge in ${solution.iterations} iterations ` +
            `(last voltage change ${solution.mismatchPu.toExponential(2)} p.u., tolerance ${tolerancePu.toExponential(0)}): ` +
            (solution.mismatchPu < 1e-3
              ? `more iterations may finish it (--max-iterations ${solution.iterations} was reached while it was still closing in)`
              : 'the loading is probably beyond what the feeder can carry (voltage collapse)'),
        },
      };
    }
    result.steps.push(describeStep(scenario, feeder, solution, t));
  }
  return result;
}

/** Feeder bus indices of the lowest and the highest voltage (the first, on ties). */
export function voltageExtremes(vPu: readonly number[]): { lowest: number; highest: number } {
  let lowest = 0;
  let highest = 0;
  vPu.forEach((v, k) => {
    if (v < vPu[lowest]!) lowest = k;
    if (v > vPu[highest]!) highest = k;
  });
  return { lowest, highest };
}

export function describeStep(scenario: Scenario, feeder: Feeder, solution: PowerFlowSolution, t: number): PowerFlowStep {
  const { vPu } = solution;
  const { lowest: lo, highest: hi } = voltageExtremes(vPu);
  return {
    t,
    startHour: stepStartHour(scenario, t),
    iterations: solution.iterations,
    lossKw: report(solution.lossKw),
    lossKvar: report(solution.lossKvar),
    slackKw: report(solution.slackKw),
    slackKvar: report(solution.slackKvar),
    minVoltagePu: reportPu(vPu[lo]!),
    minVoltageBus: feeder.buses[lo]!.id,
    maxVoltagePu: reportPu(vPu[hi]!),
    maxVoltageBus: feeder.buses[hi]!.id,
    buses: feeder.fileOrder.map((k) => ({ id: feeder.buses[k]!.id, vPu: reportPu(vPu[k]!), angleDeg: report(solution.angleDeg[k]!) })),
    lines: feeder.lineFileOrder.map((l) => {
      const line = feeder.lines[l]!;
      const flow = solution.lines[line.index]!;
      return { from: line.fromId, to: line.toId, pKw: report(flow.pKw), qKvar: report(flow.qKvar), lossKw: report(flow.lossKw), maxKw: line.maxKw ?? null };
    }),
    violations: limitViolations(scenario, feeder, solution),
  };
}

/** Every voltage outside [vMin, vMax] and every line whose sending-end |P| exceeds its limit. */
export function limitViolations(scenario: Scenario, feeder: Feeder, solution: PowerFlowSolution): LimitViolation[] {
  const { vMinPu, vMaxPu } = scenario.network;
  const violations: LimitViolation[] = [];
  for (const bus of feeder.buses) {
    const v = solution.vPu[bus.index]!;
    if (v < vMinPu - LIMIT_TOLERANCE_PU) violations.push({ kind: 'voltage', element: bus.id, value: reportPu(v), limit: vMinPu });
    if (v > vMaxPu + LIMIT_TOLERANCE_PU) violations.push({ kind: 'voltage', element: bus.id, value: reportPu(v), limit: vMaxPu });
  }
  for (const line of feeder.lines) {
    if (line.maxKw === undefined) continue;
    // The larger of the two ends: the sending end's P, or what arrives at the child.
    const { pKw, lossKw } = solution.lines[line.index]!;
    const p = Math.abs(pKw - lossKw) > Math.abs(pKw) ? pKw - lossKw : pKw;
    if (Math.abs(p) > line.maxKw + LIMIT_TOLERANCE_KW) {
      violations.push({ kind: 'lineFlow', element: `${line.fromId}→${line.toId}`, value: report(p), limit: line.maxKw });
    }
  }
  return violations;
}
