/** The --clearing option of clear, simulate, replay and sweep: refused early, naming the field, where it cannot apply. */
import { unsupported } from '../admm/support.ts';
import { InputError } from '../errors.ts';
import type { Scenario } from '../scenario/validate.ts';

/** Throws an input error (exit 2) when the scenario, as it is to be cleared, cannot be negotiated — before any output folder is touched. */
export function checkClearing(file: string, scenario: Scenario, distributedBy?: string): void {
  if (scenario.market.clearing !== 'admm') return;
  if (distributedBy) throw new InputError('command line', [{ path: '--clearing', message: `--clearing with ${distributedBy} is not supported: set market.clearing in the scenario instead` }]);
  const problems = unsupported(scenario);
  if (problems.length > 0) throw new InputError(file, problems);
}
