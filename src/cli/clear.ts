/** `p2pmarket clear <scenario>`: one clearing over the whole horizon. */
import { join } from 'node:path';
import { acCheck } from '../analysis/ac-check.ts';
import { ExitCode, InputError } from '../errors.ts';
import { acCheckFiles, renderAcCheck } from '../output/powerflow-files.ts';
import { clearMarket, type SolverName } from '../market/clear.ts';
import { baselineScenario, settle, settlementSummary, type Settlement } from '../market/settlement.ts';
import { clearingFiles, withoutTrades } from '../output/csv.ts';
import { renderClearing } from '../output/tables.ts';
import { objectiveKind } from '../market/money.ts';
import { scenarioJson } from '../output/csv.ts';
import { RunFolder } from '../output/run-folder.ts';
import type { Scenario } from '../scenario/validate.ts';
import { printWarnings } from './warn.ts';
import { loadScenarioWithInputs } from '../scenario/load.ts';
import { plotAfterRun } from './plot.ts';
import { QuadraticNotSupportedError } from '../solver/errors.ts';
import { withClearing, type ClearingMethod } from '../admm/options.ts';
import { checkClearing } from './clearing.ts';
import { renderNegotiation } from '../output/negotiation-text.ts';

export interface ClearCommandOptions {
  /** --clearing: central or negotiated, instead of the scenario's market.clearing. */
  clearing?: ClearingMethod;
  out?: string;
  json?: boolean;
  solver: SolverName;
  timeLimit: number;
  quiet?: boolean;
  acCheck?: boolean;
  plot?: boolean;
  /** false: skip the value-of-trading baseline (--no-baseline). */
  baseline?: boolean;
  /** false: write no trades.csv (--no-trades). */
  trades?: boolean;
  /** Every table in full, whatever the size (--verbose). */
  verbose?: boolean;
}

export async function clearCommand(file: string, options: ClearCommandOptions): Promise<number> {
  const loaded = loadScenarioWithInputs(file);
  const inputs = loaded.inputs;
  const scenario = options.clearing ? withClearing(loaded.scenario, options.clearing) : loaded.scenario;
  checkClearing(file, scenario);
  printWarnings(file, scenario, options.quiet);
  // The output folder is claimed before any work: a folder that is not the run's is refused now.
  const dir = options.out ?? join('outputs', scenario.name);
  const folder = RunFolder.claim(dir, { command: 'clear', inputs });
  if (folder.replacing && !options.quiet) process.stderr.write(`${folder.replacing}\n`);
  try {
    const code = await clearInto(folder, file, scenario, options);
    if (code !== ExitCode.ok) folder.abandon();
    return code;
  } catch (e) {
    folder.abandon();
    throw e;
  } finally {
    folder.release();
  }
}

async function clearInto(folder: RunFolder, file: string, scenario: Scenario, options: ClearCommandOptions): Promise<number> {
  const dir = folder.dir;
  let result;
  try {
    result = await clearMarket(scenario, { solver: options.solver, timeLimitSeconds: options.timeLimit, file, checked: true });
  } catch (e) {
    if (e instanceof QuadraticNotSupportedError) throw new InputError(file, [{ path: e.field, message: e.message }]);
    throw e;
  }

  let settlement: Settlement | undefined;
  if (result.status === 'optimal') {
    // The value of trading: the same market without peer trades, when there is a tariff to trade at.
    // The baseline (no peer trades, nothing to negotiate) is always cleared centrally.
    const baseline = scenario.utility.tariff && options.baseline !== false
      ? await clearMarket(withClearing(baselineScenario(scenario), 'central'), { solver: options.solver, timeLimitSeconds: options.timeLimit, file, checked: true })
      : undefined;
    settlement = settle(scenario, result, baseline);
    result.settlement = settlementSummary(settlement);
  }
  if (options.acCheck && result.status === 'optimal') result.acCheck = acCheck(scenario, result);
  if (options.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  else if (!options.quiet || result.status !== 'optimal') {
    (result.status === 'optimal' ? process.stdout : process.stderr).write(renderClearing(result, { objective: objectiveKind(scenario), verbose: options.verbose }) + '\n');
    if (result.acCheck) process.stdout.write('\n' + renderAcCheck(result.acCheck, { verbose: options.verbose }) + '\n');
    if (result.negotiation) (result.status === 'optimal' ? process.stdout : process.stderr).write('\n' + renderNegotiation(result.negotiation) + '\n');
  }
  if (result.status === 'not_converged') {
    // A negotiation that did not converge: its traces are written (negotiation.csv shows why), and it is not cleared.
    if (options.json) process.stderr.write(`error: ${file}: ${result.diagnosis?.message ?? result.status}\n`);
    folder.commit(withoutTrades({ ...clearingFiles(result), 'scenario.json': scenarioJson(scenario) }, options.trades));
    return ExitCode.notCleared;
  }
  if (result.status !== 'optimal') {
    if (options.json) process.stderr.write(`error: ${file}: ${result.diagnosis?.message ?? result.status}\n`);
    return ExitCode.notCleared;
  }

  folder.commit(withoutTrades({
    ...clearingFiles(result, settlement?.rows),
    ...(result.acCheck ? acCheckFiles(result.acCheck) : {}),
    'scenario.json': scenarioJson(scenario),
  }, options.trades));
  if (!options.quiet && !options.json) process.stdout.write(`\nwrote ${join(dir, 'result.json')} and the CSV traces\n`);
  if (options.plot) await plotAfterRun(dir, options.quiet, options.json);
  return ExitCode.ok;
}
