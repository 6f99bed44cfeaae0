/**
 * The AC check of a clearing (`clear --ac-check`) or of a simulation's realised steps
 * (`simulate --ac-check`): the AC power flow of every step, with its net injections,
 * against the LinDistFlow state of the same injections.
 * LinDistFlow drops the losses and the quadratic terms of the branch equations, so its
 * voltages are optimistic under heavy load; this reports by how much, the AC losses, and any
 * AC voltage or flow limit the linear model let through.
 */
import { Feeder } from '../network/feeder.ts';
import { acPowerFlow, type PowerFlowOptions } from '../network/powerflow.ts';
import { busInjections } from '../network/injections.ts';
import { report, reportPu } from '../market/report.ts';
import type { Scenario } from '../scenario/validate.ts';
import { limitViolations, voltageExtremes, type LimitViolation } from './powerflow.ts';

export interface AcCheckStep {
  t: number;
  converged: boolean;
  iterations: number;
  acLossKw: number;
  acMinVoltagePu: number;
  acMinVoltageBus: string;
  /** max_k |V_linear − V_AC|, p.u., and where. */
  maxVoltageErrorPu: number;
  maxVoltageErrorBus: string;
  /** max_lines |f_linear − P_AC at the sending end|, kW, and where. */
  maxFlowErrorKw: number;
  maxFlowErrorLine: string;
  /**
   * Every limit the AC state breaks. In a clearing the linear model held them all, so these are
   * what it let through; a simulation step run with idle batteries (the fallback) may break
   * the linear limits too.
   */
  violations: LimitViolation[];
}

export interface AcCheck {
  /** Whether the AC power flow converged in every step. */
  converged: boolean;
  maxVoltageErrorPu: number;
  maxFlowErrorKw: number;
  /** Σ over steps of the AC losses times the step length, kWh. */
  lossKwh: number;
  violations: number;
  steps: AcCheckStep[];
}

/** Steps with the prosumers' net injections in scenario order: a clearing's, or a simulation's realised ones. */
export interface DispatchedSteps {
  steps: readonly { t: number; agents: readonly { netInjectionKw: number }[] }[];
}

export function acCheck(scenario: Scenario, result: DispatchedSteps, options: PowerFlowOptions = {}): AcCheck {
  const feeder = new Feeder(scenario.network);
  const steps = result.steps.map((step): AcCheckStep => {
    const injections = busInjections(feeder, scenario.prosumers, step.agents.map((a) => a.netInjectionKw), step.t);
    const linear = feeder.linearPowerFlow(injections.pKw, injections.qKvar);
    const ac = acPowerFlow(feeder, injections.pKw, injections.qKvar, options);
    if (!ac.converged) {
      return {
        t: step.t, converged: false, iterations: ac.iterations, acLossKw: NaN, acMinVoltagePu: NaN, acMinVoltageBus: '',
        maxVoltageErrorPu: NaN, maxVoltageErrorBus: '', maxFlowErrorKw: NaN, maxFlowErrorLine: '', violations: [],
      };
    }
    let vError = 0;
    let vErrorAt = 0;
    feeder.buses.forEach((bus) => {
      const error = Math.abs(Math.sqrt(Math.max(0, linear.vSq[bus.index]!)) - ac.vPu[bus.index]!);
      if (error > vError) [vError, vErrorAt] = [error, bus.index];
    });
    const { lowest } = voltageExtremes(ac.vPu);
    let fError = 0;
    let fErrorAt = -1;
    feeder.lines.forEach((line) => {
      const error = Math.abs(linear.flowKw[line.index]! - ac.lines[line.index]!.pKw);
      if (error > fError) [fError, fErrorAt] = [error, line.index];
    });
    const worstLine = fErrorAt >= 0 ? feeder.lines[fErrorAt]! : undefined;
    return {
      t: step.t,
      converged: true,
      iterations: ac.iterations,
      acLossKw: report(ac.lossKw),
      acMinVoltagePu: reportPu(ac.vPu[lowest]!),
      acMinVoltageBus: feeder.buses[lowest]!.id,
      maxVoltageErrorPu: reportPu(vError),
      maxVoltageErrorBus: feeder.buses[vErrorAt]!.id,
      maxFlowErrorKw: report(fError),
      maxFlowErrorLine: worstLine ? `${worstLine.fromId}→${worstLine.toId}` : '',
      violations: limitViolations(scenario, feeder, ac),
    };
  });
  const converged = steps.every((s) => s.converged);
  const worst = (key: 'maxVoltageErrorPu' | 'maxFlowErrorKw') => steps.reduce((m, s) => Math.max(m, s[key]), 0);
  return {
    converged,
    maxVoltageErrorPu: converged ? worst('maxVoltageErrorPu') : NaN,
    maxFlowErrorKw: converged ? worst('maxFlowErrorKw') : NaN,
    lossKwh: converged ? report(steps.reduce((s, step) => s + step.acLossKw * scenario.stepHours, 0)) : NaN,
    violations: steps.reduce((n, s) => n + s.violations.length, 0),
    steps,
  };
}
