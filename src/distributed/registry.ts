/**
 * The sweeps a Redis holds (`p2pmarket sweeps --queue URL`): every queue in the registry with
 * its sweep's name, progress, age and whether its submitter is still collecting (its heartbeat
 * key has not expired), and `--cancel`: a sweep removed for good — its registry entry, its
 * definition and its queue with every job. Workers serving it stop at their next look at the
 * registry; a submitter still running it fails with a clear message.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { InputError } from '../errors.ts';
import { aliveKey, definitionKey, infoKey, QUEUE_PREFIX, REGISTRY_KEY, type SubmitterInfo, type SweepDefinition } from './definition.ts';
import { withTimeout, type RedisTarget } from './redis.ts';

export interface ListedSweep {
  /** The queue: `p2pmarket-<name>-<12 hex digits>`; the digits alone also name it for --cancel. */
  queue: string;
  id: string;
  sweepFile: string | null;
  points: number | null;
  /** Points in completed chunks (chunks × their size, the last one's own). */
  pointsDone: number;
  chunksRunning: number;
  chunksWaiting: number;
  chunksFailed: number;
  submittedAt: string | null;
  ageSeconds: number | null;
  submitter: string | null;
  submitterAlive: boolean;
}

export async function listSweeps(client: Redis, target: RedisTarget, now = Date.now()): Promise<ListedSweep[]> {
  const queues = (await client.smembers(REGISTRY_KEY)).sort();
  const listed: ListedSweep[] = [];
  for (const queue of queues) {
    const [definitionText, infoText, alive] = await client.mget(definitionKey(queue), infoKey(queue), aliveKey(queue));
    const definition = parse<SweepDefinition>(definitionText);
    const info = parse<SubmitterInfo>(infoText);
    const bull = new Queue(queue, { connection: { ...target.options, maxRetriesPerRequest: 1 }, prefix: QUEUE_PREFIX });
    bull.on('error', () => undefined);
    try {
      const counts = await withTimeout(bull.getJobCounts('active', 'completed', 'failed', 'waiting', 'delayed', 'prioritized'), 5000, 'no answer from the server (timed out)');
      const chunk = definition?.chunkPoints ?? 0;
      const points = definition?.points ?? null;
      listed.push({
        queue,
        id: queue.slice(-12),
        sweepFile: definition?.sweepFile ?? null,
        points,
        pointsDone: points === null ? 0 : Math.min(points, (counts.completed ?? 0) * chunk),
        chunksRunning: counts.active ?? 0,
        chunksWaiting: (counts.waiting ?? 0) + (counts.delayed ?? 0) + (counts.prioritized ?? 0),
        chunksFailed: counts.failed ?? 0,
        submittedAt: info?.submittedAt ?? null,
        ageSeconds: info ? Math.max(0, Math.round((now - Date.parse(info.submittedAt)) / 1000)) : null,
        submitter: alive ?? info?.submitter ?? null,
        submitterAlive: alive !== null && alive !== undefined,
      });
    } finally {
      await bull.close().catch(() => undefined);
    }
  }
  return listed;
}

/** Removes a sweep (by its queue name or its 12 hex digits); exit 2 when the Redis holds no such sweep. */
export async function cancelSweep(client: Redis, target: RedisTarget, id: string): Promise<string> {
  const queues = await client.smembers(REGISTRY_KEY);
  const queue = queues.find((q) => q === id || q.slice(-12) === id);
  if (!queue) {
    throw new InputError(target.masked, [{ path: '--cancel', message: `no sweep "${id.slice(0, 80)}" here (${queues.length === 0 ? 'the registry is empty' : `see p2pmarket sweeps --queue ${target.masked}`})` }]);
  }
  await client.srem(REGISTRY_KEY, queue);
  await client.del(definitionKey(queue), infoKey(queue), aliveKey(queue));
  const bull = new Queue(queue, { connection: { ...target.options, maxRetriesPerRequest: 1 }, prefix: QUEUE_PREFIX });
  bull.on('error', () => undefined);
  try {
    await withTimeout(bull.obliterate({ force: true }), 10_000, 'timed out');
  } finally {
    await bull.close().catch(() => undefined);
  }
  return queue;
}

function parse<T>(text: string | null | undefined): T | undefined {
  if (text === null || text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
