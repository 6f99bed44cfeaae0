/**
 * Numbers the solver can take. HiGHS refuses a matrix value beyond 1e15 and loses every digit
 * of a small term beside a large one long before: the outer approximation of a square ½·q·x²
 * (solver/outer-approximation.ts) puts cuts with slope q·x₀ into the matrix, x₀ anywhere in
 * the column's range, so q times that range is what must stay representable. Validation
 * accepts any number within ±1e9 for each field on its own; this check holds the model the
 * fields make together to MAX_SOLVER_VALUE, and names the fields that break it.
 */
import { InputError, type InputProblem } from '../errors.ts';
import type { Scenario } from '../scenario/validate.ts';
import type { LinearModel } from './model.ts';
import { describeColumn, type ColumnName } from './names.ts';

/** The largest slope, cost or bound the model may put before the solver: HiGHS's own limit on matrix values. */
export const MAX_SOLVER_VALUE = 1e15;

interface Offender {
  value: number;
  what: string;
  fields: string[];
}

/** The scenario fields that set a column's cost, square or range. */
export function fieldsOfColumn(name: ColumnName, scenario: Scenario): string[] {
  const prosumer = (agent: string) => scenario.prosumers.findIndex((p) => p.id === agent);
  switch (name.kind) {
    case 'requestDeviation':
      return [`utility.priority[${name.step}]`, `utility.targetKw[${name.step}]`];
    case 'totalTradeVolume':
      return ['market.tradeVolumeWeight'];
    case 'netInjection': {
      const k = prosumer(name.agent);
      return k >= 0 ? [`prosumers[${k}].costBid`, `prosumers[${k}].scheduleKw[${name.step}]`] : ['utility.tariff'];
    }
    case 'delivery':
      return ['market.networkFee', 'market.pairPreferences', ...(scenario.utility.tariff ? ['utility.tariff'] : [])];
    case 'utilityEnergy':
      return [`utility.tariff (step ${name.step})`];
    case 'batteryPower':
    case 'batteryCharge':
    case 'batteryDischarge':
    case 'batteryEnergy': {
      const k = prosumer(name.agent);
      return [`prosumers[${k}].battery`];
    }
    default:
      return [];
  }
}

/** The model's values that exceed what the solver takes, largest first. */
export function oversizedValues(model: LinearModel, scenario: Scenario, limit = MAX_SOLVER_VALUE): Offender[] {
  const offenders: Offender[] = [];
  for (let j = 0; j < model.numCols; j++) {
    const range = Math.max(Math.abs(model.colLower[j]!), Math.abs(model.colUpper[j]!));
    const name = model.colNames[j]!;
    const slope = model.colQuad[j]! * range;
    const what = () => describeColumn(name);
    if (slope > limit) {
      offenders.push({ value: slope, what: `weigh the square of the ${what()} by ${model.colQuad[j]!.toExponential(1)}, over a range of ±${range.toPrecision(3)}: its cuts would need slopes up to ${slope.toExponential(1)}`, fields: fieldsOfColumn(name, scenario) });
    }
    if (Math.abs(model.colCost[j]!) > limit) offenders.push({ value: Math.abs(model.colCost[j]!), what: `cost the ${what()} ${model.colCost[j]!.toExponential(1)} per unit`, fields: fieldsOfColumn(name, scenario) });
    if (range > limit) offenders.push({ value: range, what: `give the ${what()} a range of ±${range.toExponential(1)}`, fields: fieldsOfColumn(name, scenario) });
  }
  for (let k = 0; k < model.values.length; k++) {
    const v = Math.abs(model.values[k]!);
    if (v > limit) offenders.push({ value: v, what: `put a coefficient of ${v.toExponential(1)} on the ${describeColumn(model.colNames[model.colIndex[k]!]!)}`, fields: fieldsOfColumn(model.colNames[model.colIndex[k]!]!, scenario) });
  }
  return offenders.sort((a, b) => b.value - a.value);
}

/** Throws an InputError naming the fields when the model holds values the solver cannot take. */
export function checkSolverNumerics(model: LinearModel, scenario: Scenario, file: string): void {
  const offenders = oversizedValues(model, scenario);
  if (offenders.length === 0) return;
  const byField = new Map<string, Offender>();
  for (const o of offenders) {
    const key = o.fields.join(', ') || 'the scenario';
    if (!byField.has(key)) byField.set(key, o);
  }
  const problems: InputProblem[] = [...byField].slice(0, 5).map(([fields, o]) => ({
    path: fields,
    message:
      `${o.what}, beyond the ${MAX_SOLVER_VALUE.toExponential(0)} the solver takes: ` +
      'use smaller weights (only their ratios to the other terms matter) or smaller ranges',
  }));
  throw new InputError(file, problems);
}

/** The fields behind the largest values of the model, for a solver failure's message. */
export function likelyCulprits(model: LinearModel, scenario: Scenario): string[] {
  const top = oversizedValues(model, scenario, 1e9);
  return [...new Set(top.flatMap((o) => o.fields))].slice(0, 4);
}
