/** A scenario's warnings on stderr (scenario/warnings.ts), unless the command is quiet. */
import { formatWarning, scenarioWarnings } from '../scenario/warnings.ts';
import type { Scenario } from '../scenario/validate.ts';

export function printWarnings(file: string, scenario: Scenario, quiet: boolean | undefined): void {
  if (quiet) return;
  for (const w of scenarioWarnings(scenario)) process.stderr.write(`${formatWarning(file, w)}\n`);
}
