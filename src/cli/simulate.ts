/** `p2pmarket simulate <scenario>` and `p2pmarket replay <requests.csv> --scenario <scenario>`. */
import { join } from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import { createSimulation, type SimulationResult } from '../engine/simulate.ts';
import type { RequestEvent } from '../engine/events.ts';
import { acCheck } from '../analysis/ac-check.ts';
import { ExitCode, InputError } from '../errors.ts';
import { acCheckFiles, renderAcCheck } from '../output/powerflow-files.ts';
import type { SolverName } from '../market/clear.ts';
import { simulationDocument, simulationFiles } from '../output/simulation-csv.ts';
import { settle, settlementSummary } from '../market/settlement.ts';
import { renderSimulation } from '../output/tables.ts';
import { objectiveKind } from '../market/money.ts';
import { scenarioJson, withoutTrades } from '../output/csv.ts';
import { RunFolder } from '../output/run-folder.ts';
import type { Scenario } from '../scenario/validate.ts';
import { Feeder } from '../network/feeder.ts';
import { checkModelSize } from '../problem/size.ts';
import { environmentLimits } from '../io/limits.ts';
import { printWarnings } from './warn.ts';
import { loadScenarioWithInputs, type loadScenario } from '../scenario/load.ts';
import { loadRequests } from '../scenario/requests.ts';
import { plotAfterRun } from './plot.ts';
import { QuadraticNotSupportedError } from '../solver/errors.ts';
import { withClearing, type ClearingMethod } from '../admm/options.ts';
import { checkClearing } from './clearing.ts';

export interface SimulateCommandOptions {
  /** false: write no trades.csv (--no-trades). */
  trades?: boolean;
  /** --clearing: every window cleared centrally or negotiated, instead of the scenario's market.clearing. */
  clearing?: ClearingMethod;
  out?: string;
  json?: boolean;
  solver: SolverName;
  timeLimit: number;
  quiet?: boolean;
  seed: number;
  acCheck?: boolean;
  plot?: boolean;
  /** Every table in full, whatever the size (--verbose). */
  verbose?: boolean;
}

/** Simulations of at least this many steps show their progress: a bar on a terminal, else a line every PROGRESS_EVERY_MS. */
const PROGRESS_MIN_STEPS = 50;
const PROGRESS_EVERY_MS = 30_000;

/** "ieee33-year: step 1,234 of 8,760 (14 %) in 5 min 10 s, about 31 min left" */
export function progressLine(name: string, done: number, total: number, elapsedMs: number): string {
  const left = done > 0 ? (elapsedMs / done) * (total - done) : NaN;
  return `${name}: step ${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} (${Math.floor((100 * done) / total)} %) in ${duration(elapsedMs)}${Number.isFinite(left) ? `, about ${duration(left)} left` : ''}`;
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export async function simulateCommand(file: string, options: SimulateCommandOptions): Promise<number> {
  return run(file, options);
}

export async function replayCommand(requestsFile: string, options: SimulateCommandOptions & { scenario: string }): Promise<number> {
  return run(options.scenario, options, (scenario) => loadRequests(requestsFile, scenario, options.quiet ? undefined : (w) => process.stderr.write(`${w}\n`)), requestsFile);
}

async function run(
  file: string,
  options: SimulateCommandOptions,
  requestsOf?: (scenario: ReturnType<typeof loadScenario>) => RequestEvent[],
  requestsFile?: string,
): Promise<number> {
  const loaded = loadScenarioWithInputs(file);
  const inputs = loaded.inputs;
  const scenario = options.clearing ? withClearing(loaded.scenario, options.clearing) : loaded.scenario;
  checkClearing(file, scenario);
  printWarnings(file, scenario, options.quiet);
  const requests = requestsOf?.(scenario);
  checkModelSize(scenario, new Feeder(scenario.network), file, environmentLimits(), scenario.horizonSteps ?? scenario.steps);
  // The output folder is claimed before any work: a folder that is not the run's is refused now.
  const dir = options.out ?? join('outputs', scenario.name);
  const folder = RunFolder.claim(dir, { command: requestsFile ? 'replay' : 'simulate', inputs: [...inputs, ...(requestsFile ? [requestsFile] : [])] });
  if (folder.replacing && !options.quiet) process.stderr.write(`${folder.replacing}\n`);
  try {
    return await simulateInto(folder, file, scenario, options, requests);
  } catch (e) {
    folder.abandon();
    throw e;
  } finally {
    folder.release();
  }
}

async function simulateInto(folder: RunFolder, file: string, scenario: Scenario, options: SimulateCommandOptions, requests: RequestEvent[] | undefined): Promise<number> {
  const dir = folder.dir;
  let result: SimulationResult;
  try {
    const simulation = await createSimulation(scenario, { solver: options.solver, timeLimitSeconds: options.timeLimit, seed: options.seed, file, checked: true, ...(requests ? { requests } : {}) });
    // Progress on stderr for long runs: a bar on a terminal, else a line every 30 s (logs, CI).
    const long = !options.quiet && simulation.lastStep >= PROGRESS_MIN_STEPS;
    const bar = long && process.stderr.isTTY
      ? new SingleBar({ format: `${scenario.name} [{bar}] step {value}/{total}, {eta_formatted} left`, stream: process.stderr, hideCursor: true }, Presets.shades_classic)
      : undefined;
    bar?.start(simulation.lastStep + 1, 0);
    const started = performance.now();
    let said = started;
    simulation.loop.events$.subscribe((e) => {
      if (e.type !== 'timestep') return;
      bar?.update(e.step + 1);
      const now = performance.now();
      if (long && !bar && now - said >= PROGRESS_EVERY_MS) {
        said = now;
        process.stderr.write(`${progressLine(scenario.name, e.step, simulation.lastStep + 1, now - started)}\n`);
      }
    });
    try {
      result = simulation.run();
    } finally {
      bar?.stop();
    }
  } catch (e) {
    if (e instanceof QuadraticNotSupportedError) throw new InputError(file, [{ path: e.field, message: e.message }]);
    throw e;
  }
  if (options.acCheck) result.acCheck = acCheck(scenario, result);
  // Who paid whom over the realised steps: the windows' contracts, imbalances with the utility.
  const settlement = settle(scenario, result);
  result.settlement = settlementSummary(settlement);
  // Every step ran (uncleared windows with idle batteries), so the traces are written in any case.
  folder.commit(withoutTrades({
    ...simulationFiles(result, 0, settlement.rows),
    ...(result.acCheck ? acCheckFiles(result.acCheck) : {}),
    'scenario.json': scenarioJson(scenario),
  }, options.trades));
  if (options.json) process.stdout.write(JSON.stringify(simulationDocument(result), null, 2) + '\n');
  else if (!options.quiet) {
    const check = result.acCheck ? `\n\n${renderAcCheck(result.acCheck, { verbose: options.verbose })}` : '';
    process.stdout.write(renderSimulation(result, { objective: objectiveKind(scenario), verbose: options.verbose }) + check + `\n\nwrote ${join(dir, 'result.json')} and the CSV traces\n`);
  }
  if (options.plot) await plotAfterRun(dir, options.quiet, options.json);
  if (result.status !== 'optimal') {
    const failed = result.windows.filter((w) => w.status !== 'optimal');
    // The first few in full; the rest are in windows.csv and result.json.
    const shown = failed.slice(0, 3).map((w) => `  from step ${w.start}: ${w.diagnosis}`);
    if (failed.length > shown.length) shown.push(`  … and ${failed.length - shown.length} more (windows.csv, result.json)`);
    process.stderr.write(
      `error: ${file}: ${failed.length} window${failed.length > 1 ? 's' : ''} could not be cleared; their steps ran with idle batteries:\n${shown.join('\n')}\n`,
    );
    return ExitCode.notCleared;
  }
  return ExitCode.ok;
}
