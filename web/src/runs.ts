/**
 * The page's runs, made of the project's own modules (../../src) in the order the command line
 * makes them — `p2pmarket clear` (src/cli/clear.ts), `simulate` (src/cli/simulate.ts) and
 * `sweep` (src/cli/sweep.ts) with their default options (HiGHS, 60 s per solve, seed 1, value of
 * trading on, no AC check) — on texts held in memory instead of files: each run returns the files
 * the command would write, byte for byte (but for the wall-clock `solveMs`), and writes nothing.
 *
 * Files live under virtual paths that mirror the repository (scenarios/<name>.json, resolved
 * against the folder "/"), so that messages name them as the command line run from a checkout
 * does (`scenarios/seed-4node.json: prosumers[1]…`) and a sweep finds its scenario beside it.
 * A sweep's result.json names its scenario by absolute path: here /scenarios/<name>.json.
 * A sweep also runs in pieces, for the page to share among its workers: `sweepChunks` (validate,
 * cut), `sweepChunk` (any chunk, anywhere, in any order), `sweepRunFiles` (the results in order).
 *
 * No I/O, no DOM, no worker API: the Web Worker (worker.ts) calls these, and so could Node.
 */
import { dirname } from 'node:path';
import { withClearing } from '../../src/admm/options.ts';
import { Feeder } from '../../src/network/feeder.ts';
import { createSimulation } from '../../src/engine/simulate.ts';
import { parseJsonText } from '../../src/io/json-text.ts';
import { environmentLimits } from '../../src/io/limits.ts';
import { memorySource } from '../../src/io/source.ts';
import { assertBackendCanClear, clearMarket, solverAdapter } from '../../src/market/clear.ts';
import type { ClearingResult } from '../../src/market/result.ts';
import { baselineScenario, settle, settlementSummary, type Settlement } from '../../src/market/settlement.ts';
import { clearingFiles, scenarioJson } from '../../src/output/csv.ts';
import { simulationFiles } from '../../src/output/simulation-csv.ts';
import { sweepFiles } from '../../src/output/sweep-csv.ts';
import { buildMarketProblem } from '../../src/problem/build.ts';
import { checkModelSize } from '../../src/problem/size.ts';
import { parseScenario } from '../../src/scenario/parse.ts';
import type { Scenario } from '../../src/scenario/validate.ts';
import { scenarioWindow } from '../../src/scenario/window.ts';
import { chunkTasks, runPlanChunk, type SweepPointResult } from '../../src/sweep/chunk.ts';
import { loadSweepFromTexts, validatePoints, type SweepPlan } from '../../src/sweep/plan.ts';
import { formatWarning, scenarioWarnings } from '../../src/scenario/warnings.ts';
import { checkClearing } from '../../src/cli/clearing.ts';
import type { Checked, ChunkRange, Texts } from './protocol.ts';

/** The command line's defaults: `--solver highs`, `--time-limit 60`, `--seed 1`. */
const SOLVER = 'highs' as const;
const TIME_LIMIT_SECONDS = 60;
const SIMULATION_SEED = 1;

export interface RunFiles {
  status: string;
  /** The files the command writes, by name; none when it writes none (exit 3 without traces). */
  files: Record<string, string>;
  /** The result document (what result.json holds, or would). */
  result: Record<string, unknown>;
}

/** Called as a run progresses: `done` of `total` steps (a simulation) or points (a sweep). */
export type Progress = (done: number, total: number) => void;

/** A sweep file (it names its scenario) rather than a scenario (which has a network): `p2pmarket validate`'s test. */
export function isSweepData(data: unknown): boolean {
  return typeof data === 'object' && data !== null && !('network' in data) && typeof (data as { scenario?: unknown }).scenario === 'string';
}

/** The scenario at `file` among `texts`, parsed and validated as `loadScenario` does (its profiles from `texts` too). */
export function scenarioOf(file: string, texts: Texts): Scenario {
  const source = memorySource(texts);
  return parseScenario(parseJsonText(source.text(file), file), file, { baseDir: dirname(file), source });
}

/** `p2pmarket validate <file>`: an InputError with the file's problems, or what it is. */
export function check(file: string, texts: Texts): Checked {
  const source = memorySource(texts);
  if (isSweepData(parseJsonText(source.text(file), file))) {
    // The plan kept (with its points, once validated): a sweep of these texts then starts at once.
    const plan = planOf(file, texts);
    validatePoints(plan);
    const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
    return {
      kind: 'sweep',
      description: `valid sweep — "${plan.name}" over ${plan.scenarioFile}: ${plural(plan.size / plan.samples, 'point')} × ${plural(plan.samples, 'sample')} = ${plural(plan.size, plan.mode === 'simulate' ? 'simulation' : 'clearing')}, every point valid`,
      warnings: [],
    };
  }
  const scenario = scenarioOf(file, texts);
  const feeder = new Feeder(scenario.network);
  const windowSteps = scenario.horizonSteps ?? scenario.steps;
  const size = checkModelSize(scenario, feeder, file, environmentLimits(), windowSteps);
  const problem = buildMarketProblem(windowSteps < scenario.steps ? scenarioWindow(scenario, 0, windowSteps) : scenario, feeder);
  const s = (n: number) => (n === 1 ? '' : 's');
  return {
    kind: 'scenario',
    description:
      `valid — "${scenario.name}", ${scenario.steps} step${s(scenario.steps)} of ${scenario.stepHours} h, ${scenario.network.buses.length} buses, ${scenario.network.lines.length} lines, ` +
      `${scenario.network.loads.length} fixed loads, ${scenario.prosumers.length} prosumers (${scenario.prosumers.filter((p) => p.battery).length} with batteries), ` +
      `${problem.index.pairs.length} trade pairs; the clearing problem ${windowSteps === scenario.steps ? 'has' : `of a ${windowSteps}-step window has`} ` +
      `${problem.model.numCols} columns and ${problem.model.numRows} rows (${problem.index.linearForm} LinDistFlow; about ${size.memoryMib} MiB to clear)`,
    warnings: [...problem.fixedConflicts.map((c) => `${c.description} — the market cannot be cleared`), ...scenarioWarnings(scenario).map((w) => formatWarning(file, w))],
  };
}

/** `p2pmarket clear <file>` (src/cli/clear.ts): the clearing, its value of trading and settlement, and its files. */
export async function clearRun(file: string, texts: Texts): Promise<RunFiles> {
  const scenario = scenarioOf(file, texts);
  checkClearing(file, scenario);
  const result: ClearingResult = await clearMarket(scenario, { solver: SOLVER, timeLimitSeconds: TIME_LIMIT_SECONDS, file, checked: true });
  let settlement: Settlement | undefined;
  if (result.status === 'optimal') {
    // The value of trading: the same market without peer trades, cleared centrally, when there is a tariff.
    const baseline = scenario.utility.tariff
      ? await clearMarket(withClearing(baselineScenario(scenario), 'central'), { solver: SOLVER, timeLimitSeconds: TIME_LIMIT_SECONDS, file, checked: true })
      : undefined;
    settlement = settle(scenario, result, baseline);
    result.settlement = settlementSummary(settlement);
  }
  const document = JSON.parse(JSON.stringify(result)) as Record<string, unknown>;
  if (result.status === 'not_converged') return { status: result.status, files: { ...clearingFiles(result), 'scenario.json': scenarioJson(scenario) }, result: document };
  if (result.status !== 'optimal') return { status: result.status, files: {}, result: document };
  return { status: result.status, files: { ...clearingFiles(result, settlement?.rows), 'scenario.json': scenarioJson(scenario) }, result: document };
}

/** `p2pmarket simulate <file>` (src/cli/simulate.ts): the rolling-horizon run, settled, and its files (written whatever its status). */
export async function simulateRun(file: string, texts: Texts, progress?: Progress): Promise<RunFiles> {
  const scenario = scenarioOf(file, texts);
  checkClearing(file, scenario);
  checkModelSize(scenario, new Feeder(scenario.network), file, environmentLimits(), scenario.horizonSteps ?? scenario.steps);
  const simulation = await createSimulation(scenario, { solver: SOLVER, timeLimitSeconds: TIME_LIMIT_SECONDS, seed: SIMULATION_SEED, file, checked: true });
  const total = simulation.lastStep + 1;
  simulation.loop.events$.subscribe((e) => {
    if (e.type === 'timestep') progress?.(e.step + 1, total);
  });
  const result = simulation.run();
  const settlement = settle(scenario, result);
  result.settlement = settlementSummary(settlement);
  const files: Record<string, string> = { ...simulationFiles(result, 0, settlement.rows), 'scenario.json': scenarioJson(scenario) };
  return { status: result.status, files, result: JSON.parse(files['result.json']!) as Record<string, unknown> };
}

/** Sweep plans by their file and texts, the most recent last: the user's sweep and the worker's warm-up one. */
const plans = new Map<string, SweepPlan>();
const PLANS_KEPT = 2;

function planOf(file: string, texts: Texts): SweepPlan {
  const key = JSON.stringify([file, texts]);
  const plan = plans.get(key) ?? loadSweepFromTexts(file, texts);
  plans.delete(key);
  plans.set(key, plan);
  for (const old of [...plans.keys()].slice(0, Math.max(0, plans.size - PLANS_KEPT))) plans.delete(old);
  return plan;
}

/**
 * The start of `p2pmarket sweep <file>` (src/cli/sweep.ts): every point built and validated
 * (an InputError otherwise), then the chunks the command line cuts (sweep/chunk.ts), in order.
 * Each chunk is then run by `sweepChunk` — by any worker, in any order: a point's result
 * depends only on its chunk — and the results, in point order, made files by `sweepRunFiles`.
 */
export async function sweepChunks(file: string, texts: Texts): Promise<ChunkRange[]> {
  const plan = planOf(file, texts);
  validatePoints(plan);
  assertBackendCanClear(await solverAdapter(SOLVER), plan.point(0).scenario);
  return chunkTasks(plan, { solver: SOLVER, timeLimitSeconds: TIME_LIMIT_SECONDS }).map(({ from, to }) => ({ from, to }));
}

/** One chunk of the sweep (see `sweepChunks`), in one solver session as the command line runs it. */
export function sweepChunk(file: string, texts: Texts, chunk: ChunkRange): Promise<SweepPointResult[]> {
  const plan = planOf(file, texts);
  return runPlanChunk(plan, { sweepFile: plan.file, from: chunk.from, to: chunk.to, solver: SOLVER, timeLimitSeconds: TIME_LIMIT_SECONDS });
}

/** The sweep's files (src/output/sweep-csv.ts) from every point's result, in point order. */
export function sweepRunFiles(file: string, texts: Texts, results: readonly SweepPointResult[]): RunFiles {
  const plan = planOf(file, texts);
  const files = sweepFiles(plan, [...results]);
  const failed = results.filter((r) => (r.clearing?.status ?? r.simulation!.status) !== 'optimal').length;
  return { status: failed === 0 ? 'optimal' : `${failed} of ${plan.size} not optimal`, files, result: JSON.parse(files['result.json']!) as Record<string, unknown> };
}

/** `p2pmarket sweep <file>` with one worker: the chunks one after the other in this thread. */
export async function sweepRun(file: string, texts: Texts, progress?: Progress): Promise<RunFiles> {
  const chunks = await sweepChunks(file, texts);
  const total = chunks.at(-1)?.to ?? 0;
  const results: SweepPointResult[] = [];
  progress?.(0, total);
  for (const chunk of chunks) {
    results.push(...(await sweepChunk(file, texts, chunk)));
    progress?.(results.length, total);
  }
  return sweepRunFiles(file, texts, results);
}
