/**
 * Submitting a sweep to a Redis-backed BullMQ queue and collecting its results
 * (`p2pmarket sweep … --queue redis://…`).
 *
 * One job per chunk (the local sweep's chunks of CHUNK_POINTS, each cleared in one fresh solver
 * session, so a point's result depends only on its chunk), with the id `<sweep tag>-<chunk>`:
 * re-adding a chunk is a no-op, and a chunk is taken into the results once, whoever computed
 * it and however many times. Finished chunks are recorded in the local journal as they come
 * and stay in the queue (completed jobs are kept) until the submitter has written the output;
 * then the queue is obliterated and the sweep leaves the registry. The results come back in
 * chunk order, so the files are those of a local run.
 */
import { Queue, QueueEvents, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { InputError } from '../errors.ts';
import type { SweepJournal } from '../sweep/journal.ts';
import type { SweepPointResult } from '../sweep/run.ts';
import { aliveKey, ALIVE_MS, chunkJobId, chunkRanges, definitionKey, infoKey, QUEUE_PREFIX, REGISTRY_KEY, submitterInfo, sweepTag, type ChunkJobData, type SweepDefinition } from './definition.ts';
import { hostname } from 'node:os';
import { connectRedis, describeRedisError, withTimeout, type RedisTarget } from './redis.ts';
import { BAD_INPUT, type ChunkReturn } from './worker.ts';

export interface DistributedProgress {
  /** Points whose results are in (from the journal, the queue, or fresh). */
  done: number;
  total: number;
  /** Chunks being computed now, and chunks that failed for good. */
  running: number;
  failed: number;
  /** Workers that took chunks of this sweep (hostname:pid). */
  workers: string[];
}

export interface SubmitOptions {
  target: RedisTarget;
  /** A client connected with connectRedis (checked credentials); taken over, closed by close(). */
  client?: Redis;
  definition: SweepDefinition;
  journal: SweepJournal;
  resume: boolean;
  /** Give up when Redis has not answered for this long, ms (default 10 s). */
  redisTimeoutMs?: number;
  /** How often the queue is checked, ms (default 500). */
  tickMs?: number;
  onProgress?: (progress: DistributedProgress) => void;
}

/** A chunk that failed at a worker because of bad input: exit 2 with the worker's message. */
export class RemoteInputError extends InputError {
  constructor(file: string, text: string) {
    super(file, [{ path: '', message: text }]);
    this.message = text;
    this.name = 'RemoteInputError';
  }
}

/** Redis went away mid-sweep: the journal keeps what is done, `--resume` finishes it (exit 1). */
export class RedisLostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedisLostError';
  }
}

const JOB_ATTEMPTS = 3;

export class DistributedSweep {
  private readonly chunks: ChunkJobData[];
  private readonly got: (SweepPointResult[] | undefined)[];
  private readonly takenFromQueue = new Set<number>();
  private readonly workers = new Set<string>();
  private done = 0;
  private running = 0;
  private failed = 0;
  private settled = false;
  private resolve!: (results: SweepPointResult[]) => void;
  private reject!: (e: Error) => void;
  private readonly finished: Promise<SweepPointResult[]>;
  private timer: NodeJS.Timeout | undefined;
  private lastContact = Date.now();
  private behindSince: number | undefined;
  private readonly tag: string;

  private constructor(
    private readonly options: SubmitOptions,
    private readonly client: Redis,
    private readonly queue: Queue<ChunkJobData, ChunkReturn>,
    private readonly events: QueueEvents,
  ) {
    const { definition } = options;
    this.tag = sweepTag(definition);
    this.chunks = chunkRanges(definition.points, definition.chunkPoints);
    this.got = new Array(this.chunks.length);
    this.finished = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.finished.catch(() => undefined);
  }

  get progress(): DistributedProgress {
    return { done: this.done, total: this.options.definition.points, running: this.running, failed: this.failed, workers: [...this.workers].sort() };
  }

  /** Connects, registers the sweep, queues the chunks not done yet and starts collecting. */
  static async submit(options: SubmitOptions): Promise<DistributedSweep> {
    const { target, definition } = options;
    const client = options.client ?? (await connectRedis(target));
    const queue = new Queue<ChunkJobData, ChunkReturn>(definition.queue, {
      connection: { ...target.options, maxRetriesPerRequest: 1, retryStrategy: (times: number) => Math.min(200 * times, 2000) },
      prefix: QUEUE_PREFIX,
    });
    const events = new QueueEvents(definition.queue, { connection: { ...target.options }, prefix: QUEUE_PREFIX });
    queue.on('error', () => undefined); // a lost connection is detected by the periodic check
    events.on('error', () => undefined);
    const sweep = new DistributedSweep(options, client, queue, events);
    try {
      await withTimeout(sweep.start(), 30_000, 'timed out');
    } catch (e) {
      await sweep.close();
      if (e instanceof InputError) throw e;
      throw new RedisLostError(`${target.masked}: ${describeRedisError(e)}`);
    }
    return sweep;
  }

  private async start(): Promise<void> {
    const { definition, journal, resume } = this.options;
    for (const [k, results] of journal.open(resume)) if (k < this.chunks.length) this.take(k, results, false);
    await this.events.waitUntilReady();
    this.events.on('completed', ({ jobId }) => void this.fetchCompleted(jobId));
    this.events.on('progress', ({ data }) => {
      const worker = (data as { worker?: unknown } | undefined)?.worker;
      if (typeof worker === 'string') this.workers.add(worker);
    });
    if (!resume) {
      // A fresh start: whatever an earlier submission of this sweep left goes.
      await this.queue.obliterate({ force: true });
    } else {
      // Chunks done while no submitter was listening are in the queue, completed.
      await this.scanCompleted();
      // A chunk that failed for good is tried again (it will fail again if its input is bad).
      for (const job of await this.queue.getJobs(['failed'])) await job.remove().catch(() => undefined);
    }
    await this.register();
    this.report();
    this.check();
    if (this.done === definition.points) this.complete();
  }

  /** The sweep's definition in Redis, its queue in the registry, and every missing chunk queued. */
  private async register(): Promise<void> {
    const { definition } = this.options;
    await this.client.set(definitionKey(definition.queue), JSON.stringify(definition));
    await this.client.set(infoKey(definition.queue), JSON.stringify(submitterInfo()), 'NX');
    await this.heartbeat();
    await this.client.sadd(REGISTRY_KEY, definition.queue);
    const missing = this.chunks.filter((c) => !this.got[c.chunk]);
    for (let i = 0; i < missing.length; i += 1000) {
      await this.queue.addBulk(
        missing.slice(i, i + 1000).map((c) => ({
          name: 'chunk',
          data: c,
          opts: { jobId: chunkJobId(definition, c.chunk), attempts: JOB_ATTEMPTS, backoff: { type: 'fixed', delay: 1000 }, removeOnComplete: false, removeOnFail: false },
        })),
      );
    }
  }

  /** The results, in point order, once every chunk is in. */
  results(): Promise<SweepPointResult[]> {
    return this.finished;
  }

  private chunkOf(jobId: string | undefined): number | undefined {
    const m = jobId ? /^([0-9a-f]{12})-(\d+)$/.exec(jobId) : null;
    if (!m || m[1] !== this.tag) return undefined;
    const k = Number(m[2]);
    return k < this.chunks.length ? k : undefined;
  }

  private take(k: number, results: SweepPointResult[], fresh: boolean): void {
    if (this.got[k]) return; // a duplicate (a chunk computed twice): the first one counts
    const chunk = this.chunks[k]!;
    if (!Array.isArray(results) || results.length !== chunk.to - chunk.from || results[0]?.run !== chunk.from) return;
    this.got[k] = results;
    if (fresh) this.options.journal.record(k, results);
    this.done += results.length;
  }

  private takeJob(job: Job<ChunkJobData, ChunkReturn> | undefined): void {
    const k = this.chunkOf(job?.id);
    if (k === undefined || !job?.returnvalue) return;
    this.takenFromQueue.add(k);
    if (job.returnvalue.worker) this.workers.add(job.returnvalue.worker);
    this.take(k, job.returnvalue.results, true);
  }

  private async fetchCompleted(jobId: string): Promise<void> {
    const k = this.chunkOf(jobId);
    if (k === undefined || this.got[k]) return;
    try {
      this.takeJob(await this.queue.getJob(jobId));
      this.report();
      if (this.done === this.options.definition.points) this.complete();
    } catch {
      // picked up by the periodic check
    }
  }

  /** Takes the missing chunks that are in the queue's completed set (scores only, then those jobs). */
  private async scanMissing(): Promise<void> {
    const { definition } = this.options;
    const missing = this.chunks.filter((c) => !this.got[c.chunk]).map((c) => chunkJobId(definition, c.chunk));
    const pipeline = this.client.pipeline();
    for (const id of missing) pipeline.zscore(`${QUEUE_PREFIX}:${definition.queue}:completed`, id);
    const scores = (await pipeline.exec()) ?? [];
    for (const [k, id] of missing.entries()) {
      if (scores[k]?.[1] !== null && scores[k]?.[1] !== undefined) this.takeJob(await this.queue.getJob(id));
    }
  }

  private async scanCompleted(): Promise<void> {
    for (const job of await this.queue.getJobs(['completed'])) this.takeJob(job);
  }

  /** Every tick: is Redis there, what is running, what failed, did anything slip past the events. */
  private check(): void {
    if (this.settled) return;
    this.timer = setTimeout(() => void this.tick().finally(() => this.check()), this.options.tickMs ?? 500);
  }

  /** This submitter is alive (`p2pmarket sweeps` shows it): a key that expires unless renewed. */
  private async heartbeat(): Promise<void> {
    await this.client.set(aliveKey(this.options.definition.queue), `${hostname()}:${process.pid}`, 'PX', ALIVE_MS);
  }

  private async tick(): Promise<void> {
    const { definition, target } = this.options;
    try {
      const counts = await withTimeout(this.queue.getJobCounts('active', 'completed', 'failed'), 3000, 'no answer from the server (timed out)');
      this.lastContact = Date.now();
      await this.heartbeat();
      this.running = counts.active ?? 0;
      this.failed = counts.failed ?? 0;
      // Completed jobs come in through the events; should one have slipped past (for a second
      // or more), the missing chunks are looked up in the completed set.
      if ((counts.completed ?? 0) > this.takenFromQueue.size) {
        this.behindSince ??= Date.now();
        if (Date.now() - this.behindSince > 1000) {
          await this.scanMissing();
          this.behindSince = undefined;
        }
      } else this.behindSince = undefined;
      if (this.failed > 0) {
        const [job] = await this.queue.getJobs(['failed'], 0, 0);
        if (job) {
          const reason = job.failedReason ?? 'failed';
          if (reason.startsWith(BAD_INPUT)) {
            await this.abandon();
            return this.fail(new RemoteInputError(definition.sweepFile, reason.slice(BAD_INPUT.length)));
          }
          return this.fail(new Error(`${target.masked}: chunk ${job.data.chunk} (points ${job.data.from}–${job.data.to - 1}) failed ${job.attemptsMade} times: ${reason}`));
        }
      }
      // Redis lost its data (restarted without persistence): register and queue the missing chunks again.
      if (this.done < definition.points && !(await this.client.exists(definitionKey(definition.queue)))) await this.register();
      this.report();
      if (this.done === definition.points) this.complete();
    } catch (e) {
      if (Date.now() - this.lastContact > (this.options.redisTimeoutMs ?? 10_000)) {
        this.fail(
          new RedisLostError(
            `${target.masked}: lost the connection to Redis mid-sweep (${describeRedisError(e)}); ` +
              `${this.done} of ${definition.points} points are kept in ${this.options.journal.dir}: ` +
              'run the same command with --resume once Redis is back',
          ),
        );
      }
    }
  }

  private report(): void {
    this.options.onProgress?.(this.progress);
  }

  private complete(): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.running = 0;
    this.report();
    this.resolve(this.got.flatMap((r) => r!));
  }

  private fail(e: Error): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.reject(e);
  }

  /** The sweep leaves Redis: its queue, its definition, its registry entry. */
  private async abandon(): Promise<void> {
    const { definition } = this.options;
    await this.client.srem(REGISTRY_KEY, definition.queue).catch(() => undefined);
    await this.client.del(definitionKey(definition.queue), infoKey(definition.queue), aliveKey(definition.queue)).catch(() => undefined);
    await withTimeout(this.queue.obliterate({ force: true }), 10_000, 'timed out').catch(() => undefined);
  }

  /** After the output is written: the sweep's queue (its finished jobs) is no longer needed. */
  async finish(): Promise<void> {
    await this.abandon();
  }

  async close(): Promise<void> {
    this.settled = true;
    clearTimeout(this.timer);
    const quietly = async (p: Promise<unknown>, disconnect: () => void) => {
      try {
        await withTimeout(p, 2000, 'timed out');
      } catch {
        disconnect();
      }
    };
    await quietly(this.events.close(), () => void this.events.disconnect().catch(() => undefined));
    await quietly(this.queue.close(), () => void this.queue.disconnect().catch(() => undefined));
    await quietly(this.client.quit(), () => this.client.disconnect());
  }
}
