/**
 * Distributed sweeps' benchmark (run by `npm run bench` when P2PMARKET_REDIS_URL names a Redis,
 * e.g. `P2PMARKET_REDIS_URL=redis://127.0.0.1:6379 npm run bench`): a sweep through 1 and then 2
 * `p2pmarket worker` processes on this machine, and the same sweep in-process (one worker, no
 * Redis) for comparison. The workers are started (and warmed up on a small sweep) before the
 * clock starts: the wall time is submit → every result collected, the overhead of the queue included.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sweepDefinition } from '../src/distributed/definition.ts';
import { parseRedisUrl } from '../src/distributed/redis.ts';
import { DistributedSweep } from '../src/distributed/submit.ts';
import { SweepJournal } from '../src/sweep/journal.ts';
import { loadSweep } from '../src/sweep/points.ts';
import { CHUNK_POINTS, runSweep } from '../src/sweep/run.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'p2pmarket.js');

export interface DistributedBench {
  sweep: string;
  points: number;
  /** 0: in-process, no Redis (the reference). */
  workers: number;
  wallMs: number;
  pointsPerSecond: number;
}

export interface DistributedFormat {
  table: (headers: string[], rows: string[][]) => string;
  section: (title: string) => void;
  number: (v: number, digits: number) => string;
}

async function startWorker(url: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'worker', '--queue', url], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (log += s));
  const deadline = Date.now() + 30_000;
  while (!log.includes('waiting for sweeps')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`p2pmarket worker did not start: ${log}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return child;
}

async function stopWorkers(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.on('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
}

export async function benchDistributed({ quick, format }: { quick: boolean; format: DistributedFormat }): Promise<DistributedBench[] | null> {
  const url = process.env.P2PMARKET_REDIS_URL;
  format.section('Distributed sweeps (BullMQ on Redis, worker processes on this machine)');
  if (!url) {
    console.log('  skipped: set P2PMARKET_REDIS_URL=redis://[user:password@]host:port (e.g. a local redis-server) to run it');
    return null;
  }
  const file = path.join(ROOT, 'scenarios', quick ? 'node0-sweep-b.json' : 'stochastic-seed.json');
  const plan = loadSweep(file);
  const rows: DistributedBench[] = [];
  const row = (workers: number, wallMs: number) => rows.push({ sweep: plan.name, points: plan.size, workers, wallMs, pointsPerSecond: (1000 * plan.size) / wallMs });

  let started = performance.now();
  await runSweep(plan, { workers: 1 });
  row(0, performance.now() - started);

  const target = parseRedisUrl(url);
  const definition = sweepDefinition(plan, { solver: 'highs', timeLimitSeconds: 60, chunkPoints: CHUNK_POINTS, lockMs: 30_000, stalledMs: 15_000 });
  for (const workers of [1, 2]) {
    const children = await Promise.all(Array.from({ length: workers }, () => startWorker(url)));
    const dir = mkdtempSync(path.join(tmpdir(), 'p2pmarket-bench-distributed-'));
    try {
      // Warm-up: the constraint study in chunks of one point, so that every worker's thread has
      // loaded the sources and HiGHS before the clock starts.
      const warm = loadSweep(path.join(ROOT, 'scenarios', 'constraint-sweep.json'));
      const warmDefinition = sweepDefinition(warm, { solver: 'highs', timeLimitSeconds: 60, chunkPoints: 1, lockMs: 30_000, stalledMs: 15_000 });
      const warmSweep = await DistributedSweep.submit({ target, definition: warmDefinition, journal: new SweepJournal(path.join(dir, 'warm'), warm, 1), resume: false, tickMs: 100 });
      try {
        await warmSweep.results();
        await warmSweep.finish();
      } finally {
        await warmSweep.close();
      }
      started = performance.now();
      const sweep = await DistributedSweep.submit({ target, definition, journal: new SweepJournal(dir, plan, CHUNK_POINTS), resume: false, tickMs: 100 });
      try {
        await sweep.results();
        row(workers, performance.now() - started);
        await sweep.finish();
      } finally {
        await sweep.close();
      }
    } finally {
      await stopWorkers(children);
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const one = rows.find((r) => r.workers === 1)!;
  console.log(`  ${plan.name} (${plan.size} points, ${plan.mode}) on ${parseRedisUrl(url).masked}:`);
  console.log(
    format.table(
      ['workers', 'wall ms', 'points / s', 'over 1 worker', 'over in-process'],
      rows.map((r) => [
        r.workers === 0 ? 'in-process (no Redis)' : `${r.workers} process${r.workers > 1 ? 'es' : ''}`,
        format.number(r.wallMs, 0),
        format.number(r.pointsPerSecond, 1),
        r.workers === 0 ? '—' : `×${format.number(one.wallMs / r.wallMs, 2)}`,
        `×${format.number(rows[0]!.wallMs / r.wallMs, 2)}`,
      ]),
    ),
  );
  return rows;
}
