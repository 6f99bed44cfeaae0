/** `p2pmarket sweep <sweep.json>`: parameter sweeps, on a pool of worker threads. */
import { SingleBar, Presets } from 'cli-progress';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, InputError } from '../errors.ts';
import { assertBackendCanClear, solverAdapter, type SolverName } from '../market/clear.ts';
import { sweepFiles } from '../output/sweep-csv.ts';
import { clearRunFiles, writeRunFiles } from '../output/write.ts';
import { SweepJournal } from '../sweep/journal.ts';
import { QuadraticNotSupportedError } from '../solver/lpsolver.ts';
import { loadSweep, validatePoints } from '../sweep/points.ts';
import { plotAfterRun } from './plot.ts';
import { CHUNK_POINTS, runSweep } from '../sweep/run.ts';

export interface SweepCommandOptions {
  out?: string;
  json?: boolean;
  solver: SolverName;
  timeLimit: number;
  quiet?: boolean;
  workers?: number;
  resume?: boolean;
  plot?: boolean;
}

export async function sweepCommand(file: string, options: SweepCommandOptions): Promise<number> {
  const plan = loadSweep(file);
  // Everything that can be refused is refused before the output folder is touched.
  validatePoints(plan);
  try {
    assertBackendCanClear(await solverAdapter(options.solver), plan.point(0).scenario);
  } catch (e) {
    if (e instanceof QuadraticNotSupportedError) throw new InputError(plan.scenarioFile, [{ path: e.field, message: e.message }]);
    throw e;
  }
  const dir = options.out ?? join('outputs', plan.name);
  // The previous run's files go away first: until the new ones are in place, nothing looks complete.
  mkdirSync(dir, { recursive: true });
  clearRunFiles(dir);
  const journal = new SweepJournal(dir, plan, CHUNK_POINTS, JSON.stringify({ solver: options.solver, timeLimit: options.timeLimit }));
  // A progress bar on stderr, when it is a terminal.
  const bar = !options.quiet && process.stderr.isTTY
    ? new SingleBar({ format: `${plan.name} [{bar}] {value}/{total} points, {eta_formatted} left`, stream: process.stderr, hideCursor: true }, Presets.shades_classic)
    : undefined;
  bar?.start(plan.size, 0);
  const started = performance.now();
  let results;
  try {
    results = await runSweep(plan, {
      solver: options.solver,
      timeLimitSeconds: options.timeLimit,
      workers: options.workers,
      journal: { journal, resume: options.resume ?? false },
      ...(bar ? { onProgress: (done: number) => bar.update(done) } : {}),
    });
  } catch (e) {
    if (e instanceof QuadraticNotSupportedError) throw new InputError(plan.scenarioFile, [{ path: e.field, message: e.message }]);
    throw e;
  } finally {
    bar?.stop();
  }
  const files = sweepFiles(plan, results);
  writeRunFiles(dir, files);
  journal.remove();
  const failed = results.filter((r) => (r.clearing?.status ?? r.simulation!.status) !== 'optimal').length;
  if (options.json) process.stdout.write(files['result.json']!);
  else if (!options.quiet) {
    process.stdout.write(
      `${plan.name}: ${plan.size} points (${plan.mode}), ${plan.size - failed} optimal, in ${((performance.now() - started) / 1000).toFixed(2)} s\n` +
        `wrote ${join(dir, 'runs.csv')} (one row per point, a column per parameter), steps.csv, trades.csv` +
        `${files['summary.csv'] ? ', summary.csv (statistics over the samples)' : ''} and result.json\n`,
    );
  }
  if (options.plot) await plotAfterRun(dir, options.quiet, options.json);
  if (failed > 0) {
    process.stderr.write(`error: ${file}: ${failed} of ${plan.size} points could not be cleared (see runs.csv)\n`);
    return ExitCode.notCleared;
  }
  return ExitCode.ok;
}
