/** `p2pmarket sweep <sweep.json>`: parameter sweeps, on a pool of worker threads. */
import { SingleBar, Presets } from 'cli-progress';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, InputError } from '../errors.ts';
import { assertBackendCanClear, solverAdapter, type SolverName } from '../market/clear.ts';
import { sweepFiles } from '../output/sweep-csv.ts';
import { withoutTrades } from '../output/csv.ts';
import { RunFolder } from '../output/run-folder.ts';
import { JOURNAL_DIR, SweepJournal } from '../sweep/journal.ts';
import { QuadraticNotSupportedError } from '../solver/errors.ts';
import { loadSweep, validatePoints, type SweepPlan } from '../sweep/points.ts';
import { plotAfterRun } from './plot.ts';
import { printWarnings } from './warn.ts';
import { CHUNK_POINTS, runSweep, type SweepPointResult } from '../sweep/run.ts';
import { withClearing, type ClearingMethod } from '../admm/options.ts';
import { checkClearing } from './clearing.ts';
import type { Redis } from 'ioredis';
import type { RedisTarget } from '../distributed/redis.ts';
import type { DistributedProgress, DistributedSweep } from '../distributed/submit.ts';

export interface SweepCommandOptions {
  /** false: write no trades.csv (--no-trades). */
  trades?: boolean;
  /** --clearing: every point cleared this way (central or negotiated). */
  clearing?: ClearingMethod;
  out?: string;
  json?: boolean;
  solver: SolverName;
  timeLimit: number;
  quiet?: boolean;
  workers?: number;
  resume?: boolean;
  plot?: boolean;
  /** `redis://[user:password@]host:port`: run the chunks on `p2pmarket worker`s through this Redis. */
  queue?: string;
  /** BullMQ lock duration and stalled-check interval of the sweep's jobs, seconds. */
  lockDuration?: number;
  stalledInterval?: number;
  /** Give up when Redis has not answered for this long, seconds. */
  redisTimeout?: number;
  /** Run the AC power flow on every run's dispatch (the AC metrics of runs.csv). */
  acCheck?: boolean;
}

export async function sweepCommand(file: string, options: SweepCommandOptions): Promise<number> {
  const plan = loadSweep(file);
  // Everything that can be refused is refused before the output folder is touched.
  validatePoints(plan);
  printWarnings(plan.scenarioFile, plan.point(0).scenario, options.quiet);
  if (options.clearing) checkClearing(plan.scenarioFile, withClearing(plan.point(0).scenario, options.clearing), options.queue ? '--queue' : undefined);
  try {
    assertBackendCanClear(await solverAdapter(options.solver), plan.point(0).scenario);
  } catch (e) {
    if (e instanceof QuadraticNotSupportedError) throw new InputError(plan.scenarioFile, [{ path: e.field, message: e.message }]);
    throw e;
  }
  // A distributed sweep checks its Redis (address, password) before the output folder is touched.
  let redis: { target: RedisTarget; client: Redis } | undefined;
  if (options.queue) {
    // Redis and BullMQ load only for a distributed sweep.
    const { connectRedis, parseRedisUrl } = await import('../distributed/redis.ts');
    const target = parseRedisUrl(options.queue);
    redis = { target, client: await connectRedis(target) };
  }
  const dir = options.out ?? join('outputs', plan.name);
  // Another sweep's journal is refused before the folder is touched.
  if (options.resume) new SweepJournal(dir, plan, CHUNK_POINTS, sweepSettings(options)).refuseIfOther();
  const folder = RunFolder.claim(dir, { command: 'sweep', inputs: plan.inputs });
  if (folder.replacing && !options.quiet) process.stderr.write(`${folder.replacing}\n`);
  try {
    return await sweepInto(folder, file, plan, redis, options);
  } catch (e) {
    await redis?.client.quit().catch(() => undefined);
    throw e;
  } finally {
    folder.release();
  }
}

/** What a sweep's results depend on besides its files. */
const sweepSettings = (options: SweepCommandOptions) => JSON.stringify({ solver: options.solver, timeLimit: options.timeLimit, ...(options.acCheck ? { acCheck: true } : {}), ...(options.clearing ? { clearing: options.clearing } : {}) });

async function sweepInto(
  folder: RunFolder,
  file: string,
  plan: SweepPlan,
  redis: { target: RedisTarget; client: Redis } | undefined,
  options: SweepCommandOptions,
): Promise<number> {
  const dir = folder.dir;
  const say = (line: string) => {
    if (!options.quiet) process.stderr.write(`${line}\n`);
  };
  const journal = new SweepJournal(dir, plan, CHUNK_POINTS, sweepSettings(options), (m) => say(`warning: ${m}`));
  if (options.resume && !journal.exists()) {
    const previous = folder.previous;
    if (previous?.state === 'complete' && previous.identity === journal.identity) {
      say(`${plan.name}: ${dir} already holds this sweep's finished results (${plan.size} runs): nothing to resume`);
      if (options.json) process.stdout.write(readFileSync(join(dir, 'result.json'), 'utf8'));
      if (options.plot) await plotAfterRun(dir, options.quiet, options.json);
      else folder.abandon(); // the folder as it was, manifest and all
      return ExitCode.ok;
    }
    say(`${plan.name}: no journal to resume from in ${dir}: running all ${plan.size} runs`);
  }
  folder.own(JOURNAL_DIR);
  const points = plan.size / plan.samples;
  say(`${plan.name}: ${points.toLocaleString('en-US')} point${points === 1 ? '' : 's'} × ${plan.samples.toLocaleString('en-US')} sample${plan.samples === 1 ? '' : 's'} = ${plan.size.toLocaleString('en-US')} ${plan.mode === 'simulate' ? 'simulations' : 'clearings'}${redis ? ` on the workers of ${redis.target.masked}` : ''}`);
  // A progress bar on stderr, when it is a terminal.
  const bar = !options.quiet && process.stderr.isTTY
    ? new SingleBar(
        {
          format: redis
            ? `${plan.name} [{bar}] {value}/{total} points, {running} chunks running, {failed} failed, {workers} workers seen, {eta_formatted} left`
            : `${plan.name} [{bar}] {value}/{total} points, {eta_formatted} left`,
          stream: process.stderr,
          hideCursor: true,
        },
        Presets.shades_classic,
      )
    : undefined;
  bar?.start(plan.size, 0, { running: 0, failed: 0, workers: 0 });
  const started = performance.now();
  let results: SweepPointResult[];
  let distributed: DistributedSweep | undefined;
  try {
    if (redis) {
      const lockMs = Math.round(1000 * (options.lockDuration ?? 30));
      const { sweepDefinition } = await import('../distributed/definition.ts');
      const { DistributedSweep } = await import('../distributed/submit.ts');
      const definition = sweepDefinition(plan, {
        solver: options.solver,
        timeLimitSeconds: options.timeLimit,
        chunkPoints: CHUNK_POINTS,
        lockMs,
        stalledMs: Math.round(1000 * (options.stalledInterval ?? Math.max(0.5, lockMs / 2000))),
        acCheck: options.acCheck ?? false,
      });
      let last: DistributedProgress | undefined;
      distributed = await DistributedSweep.submit({
        target: redis.target,
        client: redis.client,
        definition,
        journal,
        resume: options.resume ?? false,
        redisTimeoutMs: 1000 * (options.redisTimeout ?? 10),
        onProgress: (p) => {
          last = p;
          bar?.update(p.done, { running: p.running, failed: p.failed, workers: p.workers.length });
        },
      });
      // Every 15 s, on any stderr (a terminal, a log, CI): nobody computing says how to start a
      // worker; off a terminal, the progress so far.
      const started = Date.now();
      const idle = options.quiet
        ? undefined
        : setInterval(() => {
            const waited = Math.round((Date.now() - started) / 1000);
            if (!last?.workers.length && !last?.running) {
              bar?.stop();
              process.stderr.write(`${plan.name}: waiting for workers (${waited} s): no worker has taken a chunk yet; start some with: p2pmarket worker --queue ${redis!.target.masked.replace(/^(rediss?:\/\/)/, redis!.target.options.password ? '$1[user:password@]' : '$1')}\n`);
            } else if (!bar && last) {
              process.stderr.write(`${plan.name}: ${last.done} of ${last.total} points done, ${last.running} chunks running, ${last.failed} failed (${waited} s)\n`);
            }
          }, 15_000).unref();
      results = await distributed.results().finally(() => {
        clearInterval(idle);
        bar?.stop();
        if (!options.quiet && last) {
          process.stderr.write(`${plan.name}: ${last.done} of ${last.total} points done, ${last.running} chunks running, ${last.failed} failed; workers seen: ${last.workers.join(', ') || 'none'}\n`);
        }
      });
    } else results = await runSweep(plan, {
      ...(options.clearing ? { clearing: options.clearing } : {}),
      solver: options.solver,
      timeLimitSeconds: options.timeLimit,
      workers: options.workers,
      journal: { journal, resume: options.resume ?? false },
      acCheck: options.acCheck ?? false,
      ...(bar ? { onProgress: (done: number) => bar.update(done) } : {}),
    });
  } catch (e) {
    // What was finished is in the journal before the error is reported (--resume keeps it).
    await journal.settled().catch(() => undefined);
    await distributed?.close();
    if (e instanceof QuadraticNotSupportedError) throw new InputError(plan.scenarioFile, [{ path: e.field, message: e.message }]);
    throw e;
  } finally {
    bar?.stop();
  }
  const files = withoutTrades(sweepFiles(plan, results), options.trades);
  // The journal's last entries are on the disk (written meanwhile, on other threads); it is then
  // replaced with the rest of the folder's earlier entries.
  await journal.settled();
  folder.commit(files, 'replace', journal.identity);
  if (distributed) {
    // The output is written: the sweep's queue and its finished jobs are no longer needed.
    await distributed.finish();
    await distributed.close();
  }
  if (options.resume && journal.keptRuns > 0) say(`${plan.name}: resumed: kept ${journal.keptRuns} of ${plan.size} runs from the journal, computed the other ${plan.size - journal.keptRuns}`);
  const failed = results.filter((r) => (r.clearing?.status ?? r.simulation!.status) !== 'optimal').length;
  if (options.json) process.stdout.write(files['result.json']!);
  else if (!options.quiet) {
    process.stdout.write(
      `${plan.name}: ${plan.size} runs (${plan.mode}), ${plan.size - failed} optimal, in ${((performance.now() - started) / 1000).toFixed(2)} s\n` +
        `wrote ${join(dir, 'runs.csv')} (a row per run: its parameters, status and metrics), steps.csv, trades.csv, settlement.csv` +
        `${files['nodal-prices.csv'] ? ', nodal-prices.csv' : ''}${files['summary.csv'] ? ', summary.csv (statistics over the samples)' : ''} and result.json\n`,
    );
  }
  if (options.plot) await plotAfterRun(dir, options.quiet, options.json);
  if (failed > 0) {
    process.stderr.write(`error: ${file}: ${failed} of ${plan.size} points could not be cleared (see runs.csv)\n`);
    return ExitCode.notCleared;
  }
  return ExitCode.ok;
}
