/**
 * A distributed sweep worker (`p2pmarket worker --queue redis://…`): it watches the registry of
 * sweeps (`p2pmarket:sweeps`), serves every listed sweep's queue with a BullMQ worker, and
 * computes each chunk in one of `concurrency` worker threads — so that its main thread stays
 * free to renew the jobs' locks. A sweep that leaves the registry (its submitter finished) is
 * no longer served. A lost Redis is retried with backoff (BullMQ/ioredis); a chunk whose input
 * is bad fails for good (UnrecoverableError), any other error is retried (3 attempts).
 */
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { readdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { Redis } from 'ioredis';
import { workerScript } from '../worker-script.ts';
import type { ChunkThreadResult, ChunkThreadTask } from './chunk-thread.ts';
import { definitionKey, QUEUE_PREFIX, REGISTRY_KEY, type ChunkJobData, type SweepDefinition } from './definition.ts';
import { connectRedis, describeRedisError, parseRedisUrl, withTimeout, type RedisTarget } from './redis.ts';
import type { SweepPointResult } from '../sweep/run.ts';

/** What a chunk's job returns: the results, and who computed them. */
export interface ChunkReturn {
  worker: string;
  results: SweepPointResult[];
}

/** The prefix of a bad-input failure's reason: the submitter reports it as bad input (exit 2). */
export const BAD_INPUT = 'bad input: ';

export interface SweepWorkerOptions {
  url: string;
  /** Chunks computed at once (worker threads), per sweep served. */
  concurrency?: number;
  /** How often the registry of sweeps is read, ms. */
  pollMs?: number;
  /** This worker's name in the submitters' progress (default hostname:pid). */
  name?: string;
  log?: (line: string) => void;
}

export class SweepWorker {
  readonly name: string;
  private readonly workers = new Map<string, Worker<ChunkJobData, ChunkReturn>>();
  /** Workers of sweeps no longer listed, closing. */
  private readonly retired = new Set<Worker<ChunkJobData, ChunkReturn>>();
  private poller: NodeJS.Timeout | undefined;
  private stopping = false;
  private unreachable = false;
  chunksDone = 0;

  private constructor(
    readonly target: RedisTarget,
    private readonly client: Redis,
    private readonly pool: Piscina,
    private readonly disposeScript: () => void,
    private readonly options: Required<Pick<SweepWorkerOptions, 'concurrency' | 'pollMs'>> & SweepWorkerOptions,
  ) {
    this.name = options.name ?? `${hostname()}:${process.pid}`;
  }

  /** Connects (a refused password or an unreachable server throws RedisUsageError at once) and starts serving. */
  static async start(options: SweepWorkerOptions): Promise<SweepWorker> {
    const target = parseRedisUrl(options.url);
    const client = await connectRedis(target);
    const concurrency = options.concurrency ?? 1;
    removeOrphanScripts();
    const script = await workerScript(import.meta.url, './chunk-thread', './chunk-thread.mjs');
    const pool = new Piscina({ filename: script.url, minThreads: concurrency, maxThreads: concurrency, idleTimeout: 60_000 });
    const worker = new SweepWorker(target, client, pool, script.dispose, { ...options, concurrency, pollMs: options.pollMs ?? 500 });
    await worker.poll();
    return worker;
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  /** Serves the sweeps the registry lists, and stops serving those it no longer lists. */
  private async poll(): Promise<void> {
    try {
      const queues = await withTimeout(this.client.smembers(REGISTRY_KEY), 5000, 'timed out');
      if (this.unreachable) this.log(`${this.target.masked}: reachable again`);
      this.unreachable = false;
      for (const queue of queues) {
        if (this.workers.has(queue) || this.stopping) continue;
        const text = await this.client.get(definitionKey(queue));
        if (!text) continue;
        const definition = JSON.parse(text) as SweepDefinition;
        if (definition.format !== 2) continue;
        this.serve(definition);
      }
      for (const [queue, worker] of this.workers) {
        if (queues.includes(queue)) continue;
        this.workers.delete(queue);
        this.log(`${queue}: done, no longer served`);
        this.retired.add(worker);
        void worker.close().then(
          () => this.retired.delete(worker),
          () => undefined,
        );
      }
    } catch (e) {
      if (!this.unreachable) this.log(`${this.target.masked}: ${describeRedisError(e)}; retrying`);
      this.unreachable = true;
    }
    if (!this.stopping) this.poller = setTimeout(() => void this.poll(), this.options.pollMs);
  }

  private serve(definition: SweepDefinition): void {
    const processor = async (job: Job<ChunkJobData, ChunkReturn>): Promise<ChunkReturn> => {
      await job.updateProgress({ worker: this.name }).catch(() => undefined);
      const task: ChunkThreadTask = { definition, from: job.data.from, to: job.data.to };
      const started = performance.now();
      const out = (await this.pool.run(task)) as ChunkThreadResult;
      if (process.env.P2PMARKET_WORKER_TRACE) this.log(`${definition.queue}: chunk ${job.data.chunk} in ${(performance.now() - started).toFixed(0)} ms`);
      if ('inputError' in out) {
        this.log(`${definition.queue}: chunk ${job.data.chunk}: ${out.inputError}`);
        throw new UnrecoverableError(BAD_INPUT + out.inputError);
      }
      this.chunksDone++;
      return { worker: this.name, results: out.results };
    };
    const worker = new Worker<ChunkJobData, ChunkReturn>(definition.queue, processor, {
      connection: { ...this.target.options },
      prefix: QUEUE_PREFIX,
      concurrency: this.options.concurrency,
      lockDuration: definition.lockMs,
      stalledInterval: definition.stalledMs,
      maxStalledCount: 2,
      name: this.name,
    });
    let lastError = '';
    worker.on('error', (e) => {
      // Connection trouble is retried by BullMQ; say so once per kind of trouble.
      const reason = describeRedisError(e);
      if (reason !== lastError) this.log(`${definition.queue}: ${reason}; retrying`);
      lastError = reason;
    });
    worker.on('ready', () => (lastError = ''));
    worker.on('stalled', (jobId) => this.log(`${definition.queue}: job ${jobId} stalled (its worker stopped renewing its lock): queued again`));
    this.workers.set(definition.queue, worker);
    this.log(`${definition.queue}: serving (${definition.points} points)`);
  }

  /**
   * Stops taking chunks. By default the chunks under way are finished and handed in; with
   * `force`, they are abandoned — their locks expire and other workers take them again.
   */
  async stop(force = false): Promise<void> {
    this.stopping = true;
    clearTimeout(this.poller);
    const closing = Promise.all([...this.workers.values()].map((w) => w.close(force).catch(() => undefined)));
    await withTimeout(closing, force ? 3000 : 60_000, 'timed out').catch(() => undefined);
    // Retired ones (their sweep is over) and any that did not close (Redis away): cut off.
    const stuck = [...this.retired, ...this.workers.values()];
    await withTimeout(Promise.all(stuck.map((w) => w.close(true).catch(() => undefined))), 2000, 'timed out').catch(() => undefined);
    await Promise.all(stuck.map((w) => w.disconnect().catch(() => undefined)));
    await this.pool.destroy().catch(() => undefined);
    this.disposeScript();
    await withTimeout(this.client.quit(), 1000, 'timed out').catch(() => this.client.disconnect());
  }
}

/**
 * The bundled thread scripts of processes that no longer run (a worker killed with SIGKILL
 * cannot remove its own): a long-lived fleet of workers would otherwise pile them up.
 */
function removeOrphanScripts(): void {
  const dir = fileURLToPath(new URL('../../node_modules/.cache/p2pmarket/', import.meta.url));
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(/^(?:sweep-)?worker-(\d+)-/.exec(name)?.[1]);
    if (!pid || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') rmSync(join(dir, name), { force: true });
    }
  }
}
