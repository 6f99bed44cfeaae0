/**
 * `p2pmarket worker --queue redis://…`: takes chunks of distributed sweeps and hands their
 * results back (see src/distributed/worker.ts). Runs until SIGINT or SIGTERM: the first
 * finishes the chunks under way and hands them in, a second abandons them (other workers take
 * them again once their locks expire).
 */
import { ExitCode } from '../errors.ts';
import { SweepWorker } from '../distributed/worker.ts';

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
