/**
 * `p2pmarket worker --queue redis://…`: takes chunks of distributed sweeps and hands their
 * results back (see src/distributed/worker.ts). Runs until SIGINT or SIGTERM: the first
 * finishes the chunks under way and hands them in, a second abandons them (other workers take
 * them again once their locks expire).
 */
import { ExitCode } from '../errors.ts';
import { SweepWorker } from '../distributed/worker.ts';
import { connectRedis, parseRedisUrl } from '../distributed/redis.ts';
import { cancelSweep, listSweeps } from '../distributed/registry.ts';

export interface WorkerCommandOptions {
  queue: string;
  concurrency?: number;
  quiet?: boolean;
}

export async function workerCommand(options: WorkerCommandOptions): Promise<number> {
  const log = options.quiet ? undefined : (line: string) => process.stderr.write(`worker: ${line}\n`);
  const worker = await SweepWorker.start({ url: options.queue, concurrency: options.concurrency ?? 1, log });
  log?.(`${worker.name} waiting for sweeps on ${worker.target.masked} (${options.concurrency ?? 1} at a time)`);
  await new Promise<void>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals++;
      log?.(signals === 1 ? `${signal}: finishing the chunks under way (again to abandon them)` : `${signal}: abandoning the chunks under way`);
      void worker.stop(signals > 1).then(resolve);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  log?.(`${worker.name} stopped after ${worker.chunksDone} chunks`);
  // Every connection is closed or cut off; should a reconnecting client still hold a timer, a
  // stopped worker exits anyway.
  setTimeout(() => process.exit(ExitCode.ok), 1000).unref();
  return ExitCode.ok;
}

export interface SweepsCommandOptions {
  queue: string;
  cancel?: string;
  json?: boolean;
  quiet?: boolean;
}

/** `p2pmarket sweeps --queue URL [--cancel ID]`: the sweeps a Redis holds, or one removed. */
export async function sweepsCommand(options: SweepsCommandOptions): Promise<number> {
  const target = parseRedisUrl(options.queue);
  const client = await connectRedis(target);
  try {
    if (options.cancel !== undefined) {
      const queue = await cancelSweep(client, target, options.cancel);
      if (options.json) process.stdout.write(JSON.stringify({ cancelled: queue }, null, 2) + '\n');
      else if (!options.quiet) process.stdout.write(`cancelled ${queue}: its jobs and definition are gone from ${target.masked}\n`);
      return ExitCode.ok;
    }
    const sweeps = await listSweeps(client, target);
    if (options.json) process.stdout.write(JSON.stringify(sweeps, null, 2) + '\n');
    else if (!options.quiet) {
      if (sweeps.length === 0) process.stdout.write(`no sweeps on ${target.masked}\n`);
      for (const s of sweeps) {
        const age = s.ageSeconds === null ? 'age unknown' : `submitted ${duration(s.ageSeconds)} ago`;
        process.stdout.write(
          `${s.id}  ${s.queue}\n    ${s.pointsDone} of ${s.points ?? '?'} points done, ${s.chunksRunning} chunks running, ${s.chunksWaiting} waiting, ${s.chunksFailed} failed; ${age}; ` +
            `submitter ${s.submitter ?? 'unknown'} ${s.submitterAlive ? 'collecting' : 'gone (resume it with sweep --resume, or cancel it)'}${s.sweepFile ? `\n    ${s.sweepFile}` : ''}\n`,
        );
      }
    }
    return ExitCode.ok;
  } finally {
    await client.quit().catch(() => client.disconnect());
  }
}

function duration(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}
