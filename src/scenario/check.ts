/**
 * A scenario given in code — built by hand, or loaded and then changed (`initialKwh = 999`) —
 * checked as a file is: the schema, then the cross-field rules of validate.ts. The library's
 * entry points (`clearMarket`, `simulate`, `createSimulation`) call it, so that a bad value is
 * an `InputError` naming its field, never a solver's "infeasible".
 *
 * A validated `Scenario` is also valid scenario data (its utility's arrays and tariff are what a
 * file may say), so the check is the same parse a file gets. It is a walk over every array:
 * the commands, which have just validated their file, skip it (`checked: true`).
 */
import { InputError } from '../errors.ts';
import { schemaProblems } from '../io/problems.ts';
import { ScenarioSchema } from './schema.ts';
import { validateScenario, type Scenario } from './validate.ts';

/** The scenario, checked and as validated; throws an InputError naming `where` (default: the scenario by name) and every field at fault. */
export function checkScenario(scenario: Scenario, where?: string): Scenario {
  const name = typeof (scenario as { name?: unknown } | null)?.name === 'string' ? scenario.name : undefined;
  const file = where ?? (name ? `scenario "${name}"` : '<scenario>');
  if (scenario === null || typeof scenario !== 'object') throw new InputError(file, [{ path: '', message: 'a scenario must be an object (loadScenario or parseScenario make one)' }]);
  const parsed = ScenarioSchema.safeParse(scenario);
  if (!parsed.success) throw new InputError(file, schemaProblems(parsed.error.issues, scenario));
  const { problems, scenario: validated } = validateScenario(parsed.data);
  if (problems.length > 0 || !validated) throw new InputError(file, problems);
  // The scenario as validated: defaults filled in, ids read as strings (a raw object given in code
  // lacks them), what the clearing and the simulation then read.
  return validated;
}
