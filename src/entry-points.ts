/**
 * The library's entry points that take a scenario, or options, from code: each checks what it is
 * given as the command line checks a file — a scenario by `checkScenario` (schema and cross-field
 * rules, defaults filled in, numeric ids read as strings), options by `checkClearOptions`
 * (market/clear-options.ts, which clearMarket and simulate call) — and
 * throws an `InputError` naming the field, never a TypeError from deep inside or a solver's
 * "infeasible". The modules' own functions, which the commands call on scenarios they have just
 * validated, do not check again; index.ts exports these instead.
 */
import { InputError } from './errors.ts';
import { acCheck as acCheckChecked, type AcCheck } from './analysis/ac-check.ts';
import { scenarioPowerFlow as powerFlowChecked, type PowerFlowReport } from './analysis/powerflow.ts';
import { clearWith as clearWithChecked, type ClearOptions } from './market/clear.ts';
import { checkClearOptions } from './market/clear-options.ts';
import type { ClearingResult } from './market/result.ts';
import type { SolverAdapter } from './solver/adapter.ts';
import { baselineScenario as baselineChecked, settle as settleChecked, settleSteps as settleStepsChecked, type Settlement, type SettlementRow } from './market/settlement.ts';
import type { PowerFlowOptions } from './network/powerflow.ts';
import { checkScenario } from './scenario/check.ts';
import type { Scenario } from './scenario/validate.ts';

/** A clearing's or simulation's result as these functions read it: `steps`, an array. */
function checkResult<R>(result: R, where: string): R {
  const steps = (result as { steps?: unknown } | null | undefined)?.steps;
  if (!Array.isArray(steps)) throw new InputError(where, [{ path: 'steps', message: 'a result of clearMarket or simulate must have its steps (an array)' }]);
  return result;
}

/** AC power flow of the scenario's schedules (or of given injections), its limits checked: `analysis/powerflow.ts`. */
export function scenarioPowerFlow(
  scenario: Scenario,
  options: PowerFlowOptions = {},
  netInjectionKw?: (t: number) => readonly number[],
): PowerFlowReport {
  // (Left undefined, netInjectionKw takes its default there: the scenario's schedules.)
  return powerFlowChecked(checkScenario(scenario), options, netInjectionKw);
}

/** The dispatch of a result checked against AC power flow: `analysis/ac-check.ts`. */
export function acCheck(scenario: Scenario, result: Parameters<typeof acCheckChecked>[1], options: PowerFlowOptions = {}): AcCheck {
  return acCheckChecked(checkScenario(scenario), checkResult(result, 'acCheck result'), options);
}

/** Each agent's payments and the value of trading: `market/settlement.ts`. */
export function settle(scenario: Scenario, result: Parameters<typeof settleChecked>[1], baseline?: ClearingResult): Settlement {
  return settleChecked(checkScenario(scenario), checkResult(result, 'settle result'), baseline === undefined ? undefined : checkResult(baseline, 'settle baseline'));
}

/** Settlement rows per step and agent: `market/settlement.ts`. */
export function settleSteps(scenario: Scenario, result: Parameters<typeof settleStepsChecked>[1], congestion = true): SettlementRow[] {
  return settleStepsChecked(checkScenario(scenario), checkResult(result, 'settleSteps result'), congestion);
}

/** The same market with trading only through the utility (the baseline of the value of trading). */
export function baselineScenario(scenario: Scenario): Scenario {
  return baselineChecked(checkScenario(scenario));
}

/** Clears with a backend of the caller's (`solverAdapter(name)`, or one of its own): `market/clear.ts`. */
export function clearWith(adapter: SolverAdapter, scenario: Scenario, options: ClearOptions = {}): ClearingResult {
  checkClearOptions(options, 'clearWith options');
  return clearWithChecked(adapter, options.checked ? scenario : checkScenario(scenario, options.file), options);
}
