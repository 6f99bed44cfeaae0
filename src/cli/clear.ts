/** `p2pmarket clear <scenario>`: one clearing over the whole horizon. */
import { join } from 'node:path';
import { acCheck } from '../analysis/ac-check.ts';
import { ExitCode, InputError } from '../errors.ts';
import { acCheckFiles, renderAcCheck } from '../output/powerflow-files.ts';
import { clearMarket, type SolverName } from '../market/clear.ts';
import { baselineScenario, settle, settlementSummary, type Settlement } from '../market/settlement.ts';
import { clearingFiles } from '../output/csv.ts';
import { renderClearing } from '../output/tables.ts';
import { scenarioJson } from '../output/csv.ts';
import { writeRunFiles } from '../output/write.ts';
import { loadScenario } from '../scenario/load.ts';
import { plotAfterRun } from './plot.ts';
import { QuadraticNotSupportedError } from '../solver/lpsolver.ts';

export interface ClearCommandOptions {
  out?: string;
  json?: boolean;
  solver: SolverName;
  timeLimit: number;
  quiet?: boolean;
  acCheck?: boolean;
  plot?: boolean;
  /** false: skip the value-of-trading baseline (--no-baseline). */
  baseline?: boolean;
}

export async function clearCommand(file: string, options: ClearCommandOptions): Promise<number> {
  const scenario = loadScenario(file);
  let result;
  try {
    result = await clearMarket(scenario, { solver: options.solver, timeLimitSeconds: options.timeLimit });
  } catch (e) {
    if (e instanceof QuadraticNotSupportedError) throw new InputError(file, [{ path: e.field, message: e.message }]);
    throw e;
  }

  let settlement: Settlement | undefined;
  if (result.status === 'optimal') {
    // The value of trading: the same market without peer trades, when there is a tariff to trade at.
    const baseline = scenario.utility.tariff && options.baseline !== false
      ? await clearMarket(baselineScenario(scenario), { solver: options.solver, timeLimitSeconds: options.timeLimit })
      : undefined;
    settlement = settle(scenario, result, baseline);
    result.settlement = settlementSummary(settlement);
  }
  if (options.acCheck && result.status === 'optimal') result.acCheck = acCheck(scenario, result);
  if (options.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  else if (!options.quiet || result.status !== 'optimal') {
    (result.status === 'optimal' ? process.stdout : process.stderr).write(renderClearing(result) + '\n');
    if (result.acCheck) process.stdout.write('\n' + renderAcCheck(result.acCheck) + '\n');
  }
  if (result.status !== 'optimal') {
    if (options.json) process.stderr.write(`error: ${file}: ${result.diagnosis?.message ?? result.status}\n`);
    return ExitCode.notCleared;
  }

  const dir = options.out ?? join('outputs', scenario.name);
  writeRunFiles(dir, {
    ...clearingFiles(result, settlement?.rows),
    ...(result.acCheck ? acCheckFiles(result.acCheck) : {}),
    'scenario.json': scenarioJson(scenario),
  });
  if (!options.quiet && !options.json) process.stdout.write(`\nwrote ${join(dir, 'result.json')} and the CSV traces\n`);
  if (options.plot) await plotAfterRun(dir, options.quiet, options.json);
  return ExitCode.ok;
}
