/** `p2pmarket powerflow <scenario>`: the AC power flow of the scenario's network. */
import { join } from 'node:path';
import { scenarioPowerFlow } from '../analysis/powerflow.ts';
import { ExitCode } from '../errors.ts';
import { powerFlowFiles, renderPowerFlow } from '../output/powerflow-files.ts';
import { RunFolder } from '../output/run-folder.ts';
import { printWarnings } from './warn.ts';
import { loadScenarioWithInputs } from '../scenario/load.ts';

export interface PowerFlowCommandOptions {
  out?: string;
  json?: boolean;
  quiet?: boolean;
  tolerance: number;
  maxIterations: number;
  /** Every step, bus and broken limit in full, whatever the size (--verbose). */
  verbose?: boolean;
}

export function powerFlowCommand(file: string, options: PowerFlowCommandOptions): number {
  const { scenario, inputs } = loadScenarioWithInputs(file);
  printWarnings(file, scenario, options.quiet);
  const dir = options.out ?? join('outputs', `${scenario.name}-powerflow`);
  const folder = RunFolder.claim(dir, { command: 'powerflow', inputs });
  if (folder.replacing && !options.quiet) process.stderr.write(`${folder.replacing}\n`);
  try {
    const result = scenarioPowerFlow(scenario, { tolerancePu: options.tolerance, maxIterations: options.maxIterations });
    if (!result.converged) {
      if (options.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
      process.stderr.write(`error: ${file}: ${result.failure!.message}\n`);
      folder.abandon();
      return ExitCode.notCleared;
    }
    if (options.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    else if (!options.quiet) process.stdout.write(renderPowerFlow(result, { verbose: options.verbose }) + '\n');
    folder.commit(powerFlowFiles(result));
    if (!options.quiet && !options.json) process.stdout.write(`\nwrote ${join(dir, 'result.json')}, buses.csv and lines.csv\n`);
    return ExitCode.ok;
  } catch (e) {
    folder.abandon();
    throw e;
  } finally {
    folder.release();
  }
}
