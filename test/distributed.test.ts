/**
 * Distributed sweeps on a real redis-server (started by the test on a loopback port): worker
 * processes killed part-way, a Redis that refuses the password or dies mid-sweep, bad input at
 * a worker, two sweeps on one Redis. Skipped without redis-server, unless
 * P2PMARKET_REDIS_TESTS=required.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepDefinition } from '../src/distributed/definition.ts';
import { parseRedisUrl } from '../src/distributed/redis.ts';
import { DistributedSweep, RemoteInputError } from '../src/distributed/submit.ts';
import { SweepWorker } from '../src/distributed/worker.ts';
import { SweepJournal } from '../src/sweep/journal.ts';
import { loadSweep } from '../src/sweep/points.ts';
import { runSweep } from '../src/sweep/run.ts';
import { sweepFiles } from '../src/output/sweep-csv.ts';
import { BIN, p2pmarket, ROOT, STACK_TRACE, temporaryFolder, unwrap, type Run } from './helpers/cli.ts';
import { REDIS_AVAILABLE, REDIS_REQUIRED, RedisServer } from './helpers/redis.ts';
import { withoutTimings } from './helpers/timing.ts';

const { workDir } = temporaryFolder('p2pmarket-distributed-');
const STUDY_B = join(ROOT, 'scenarios', 'node0-sweep-b.json');
const CONSTRAINTS = join(ROOT, 'scenarios', 'constraint-sweep.json');
/** Short locks, so that a killed worker's chunk is taken again within seconds. */
const FAST = ['--lock-duration', '2', '--stalled-interval', '1'];
const ENV: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
delete ENV.P2PMARKET_DEBUG;

it('redis-server is there when the distributed tests are required', () => {
  if (REDIS_REQUIRED) expect(REDIS_AVAILABLE, 'P2PMARKET_REDIS_TESTS=required but redis-server is not on the PATH').toBe(true);
});

/** A `p2pmarket worker` process, once it is waiting for sweeps. */
async function startWorker(url: string, cwd: string): Promise<{ child: ChildProcess; log: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, 'worker', '--queue', url], { cwd, env: ENV });
  let log = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (log += s));
  child.stdout!.resume();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 20_000;
  while (!log.includes('waiting for sweeps')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`worker did not start: ${log}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return { child, log: () => log, exited };
}

/** Starts `p2pmarket ...args` without waiting for it. */
function submit(args: string[], cwd: string): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: ENV });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const done = new Promise<Run>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

const journalChunks = (dir: string) => (existsSync(join(dir, '.sweep-journal')) ? readdirSync(join(dir, '.sweep-journal')).filter((f) => f.endsWith('.json')).length : 0);

async function until(condition: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The files of two runs are the same: byte for byte, but for the solveMs timings. */
function expectSameFiles(a: string, b: string): void {
  const names = readdirSync(b).filter((f) => !f.startsWith('.')).sort();
  expect(readdirSync(a).filter((f) => !f.startsWith('.')).sort()).toEqual(names);
  expect(names).toEqual(expect.arrayContaining(['runs.csv', 'steps.csv', 'trades.csv', 'result.json']));
  for (const name of names) {
    const [x, y] = [readFileSync(join(a, name)), readFileSync(join(b, name))];
    if (name === 'runs.csv' || name === 'result.json') expect(withoutTimings(name, x.toString('utf8')), name).toBe(withoutTimings(name, y.toString('utf8')));
    else expect(x.equals(y), `${name} differs`).toBe(true);
  }
}

describe.skipIf(!REDIS_AVAILABLE && !REDIS_REQUIRED)('distributed sweeps (redis-server)', () => {
  const servers: RedisServer[] = [];
  const children: ChildProcess[] = [];
  let local: string;
  beforeAll(async () => {
    local = workDir('local');
    const runs = await Promise.all([
      p2pmarket(['sweep', STUDY_B, '--quiet', '--out', 'b'], local),
      p2pmarket(['sweep', CONSTRAINTS, '--quiet', '--out', 'constraints'], local),
    ]);
    expect(runs.map((r) => r.code)).toEqual([0, 0]);
  }, 60_000);
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await Promise.all(servers.map((s) => s.dispose()));
  });
  const server = async (options: { password?: string } = {}) => {
    const s = await RedisServer.start(options);
    servers.push(s);
    return s;
  };

  it('runs study B on two workers, one SIGKILLed part-way, with the local files; a second sweep on the same Redis does not mix', async () => {
    const redis = await server();
    const dir = workDir('two-workers');
    const [a, b] = await Promise.all([startWorker(redis.url, dir), startWorker(redis.url, dir)]);
    children.push(a.child, b.child);
    const study = submit(['sweep', STUDY_B, '--queue', redis.url, '--out', 'b', ...FAST], dir);
    const other = submit(['sweep', CONSTRAINTS, '--queue', redis.url, '--out', 'constraints', '--quiet', ...FAST], dir);
    children.push(study.child, other.child);
    // Kill one worker while it computes a chunk, once some chunks are in and others are still
    // to come (13 chunks of 16): its chunk must be taken again by the other (stalled job).
    const queue = sweepDefinition(loadSweep(STUDY_B), { solver: 'highs', timeLimitSeconds: 60, chunkPoints: 16, lockMs: 0, stalledMs: 0 }).queue;
    const aName = `${hostname()}:${a.child.pid}`;
    const watcher = new Redis(redis.url);
    try {
      const deadline = Date.now() + 30_000;
      for (;;) {
        if (Date.now() > deadline || study.child.exitCode !== null) throw new Error('no moment to kill the worker');
        if (journalChunks(join(dir, 'b')) >= 2) {
          const active = await watcher.lrange(`p2pmarket:${queue}:active`, 0, -1);
          const holders = await Promise.all(active.map((id) => watcher.hget(`p2pmarket:${queue}:${id}`, 'pb')));
          if (holders.includes(aName)) break;
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    } finally {
      watcher.disconnect();
    }
    a.child.kill('SIGKILL');
    const chunksAtKill = journalChunks(join(dir, 'b'));
    expect(chunksAtKill).toBeGreaterThanOrEqual(2);
    expect(chunksAtKill).toBeLessThan(13);
    const [r, s] = await Promise.all([study.done, other.done]);
    expect(r.stderr).not.toMatch(STACK_TRACE);
    expect([r.code, s.code], r.stderr + s.stderr).toEqual([0, 0]);
    expect(unwrap(r.stderr)).toMatch(/node0-sweep-b: 201 of 201 points done, 0 chunks running, 0 failed; workers seen: /);
    expectSameFiles(join(dir, 'b'), join(local, 'b'));
    expectSameFiles(join(dir, 'constraints'), join(local, 'constraints'));
    expect(existsSync(join(dir, 'b', '.sweep-journal'))).toBe(false);
    expect(unwrap(b.log())).toMatch(/job [0-9a-f]{12}-\d+ stalled \(its worker stopped renewing its lock\): queued again/);
    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);
    // Both sweeps left Redis: no registry entry, no definition, no job (a worker that served
    // the queue until its next look at the registry may leave its expiring stalled-check
    // marker and the queue's small meta hash).
    const client = new Redis(redis.url);
    try {
      const keys = (await client.keys('*')).filter((k) => !/:(stalled-check|meta)$/.test(k));
      expect(keys).toEqual([]);
    } finally {
      client.disconnect();
    }
  }, 60_000);

  // The Redis .ci/run starts for the whole run (P2PMARKET_REDIS_URL), as a user would run one.
  it.skipIf(!process.env.P2PMARKET_REDIS_URL)('runs the constraint study through the Redis in P2PMARKET_REDIS_URL, with the local files', async () => {
    const url = process.env.P2PMARKET_REDIS_URL!;
    const dir = workDir('ci-redis');
    const worker = await startWorker(url, dir);
    children.push(worker.child);
    const run = submit(['sweep', CONSTRAINTS, '--queue', url, '--out', 'constraints', '--quiet', ...FAST], dir);
    children.push(run.child);
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    expectSameFiles(join(dir, 'constraints'), join(local, 'constraints'));
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  }, 60_000);

  // Listing and cancelling on the CI's Redis, as a user would after a killed submitter.
  it.skipIf(!process.env.P2PMARKET_REDIS_URL)('a killed submitter: its waiting sweep is said every 15 s, listed with the submitter gone, and cancelled', async () => {
    const url = process.env.P2PMARKET_REDIS_URL!;
    const dir = workDir('sweeps-list');
    const { child, done } = submit(['sweep', CONSTRAINTS, '--queue', url, '--out', 'out'], dir);
    let stderr = '';
    child.stderr!.on('data', (s: Buffer | string) => (stderr += String(s)));
    // No worker serves this Redis: the submitter says so within 15 s, on a pipe as on a terminal.
    await until(() => stderr.includes('waiting for workers'), 'the waiting message', 25_000);
    expect(unwrap(stderr)).toMatch(/constraint-sweep: waiting for workers \(1[5-9] s\): no worker has taken a chunk yet; start some with: p2pmarket worker --queue redis:\/\//);
    const listed = await p2pmarket(['sweeps', '--queue', url, '--json'], dir, ENV);
    const mine = (JSON.parse(listed.stdout) as { queue: string; id: string; submitterAlive: boolean; points: number; pointsDone: number; chunksWaiting: number }[]).find((s) => s.queue.startsWith('p2pmarket-constraint-sweep-'))!;
    expect(mine).toMatchObject({ submitterAlive: true, points: 9, pointsDone: 0, chunksWaiting: 1 });
    child.kill('SIGKILL');
    await done;
    // Its heartbeat expires within 5 s.
    let gone = false;
    for (let k = 0; k < 40 && !gone; k++) {
      await new Promise((r) => setTimeout(r, 250));
      const again = JSON.parse((await p2pmarket(['sweeps', '--queue', url, '--json'], dir, ENV)).stdout) as { id: string; submitterAlive: boolean }[];
      gone = again.find((s) => s.id === mine.id)?.submitterAlive === false;
    }
    expect(gone).toBe(true);
    const text = await p2pmarket(['sweeps', '--queue', url], dir, ENV);
    expect(unwrap(text.stdout)).toMatch(new RegExp(`${mine.id}  ${mine.queue}\\n    0 of 9 points done, 0 chunks running, 1 waiting, 0 failed; submitted \\d+ s ago; submitter [^ ]+ gone`));
    const cancel = await p2pmarket(['sweeps', '--queue', url, '--cancel', mine.id], dir, ENV);
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(unwrap(cancel.stdout)).toContain(`cancelled ${mine.queue}`);
    const after = JSON.parse((await p2pmarket(['sweeps', '--queue', url, '--json'], dir, ENV)).stdout) as { id: string }[];
    expect(after.map((s) => s.id)).not.toContain(mine.id);
    const redis = new Redis(url);
    expect(await redis.keys(`p2pmarket:${mine.queue}:*`)).toEqual([]);
    await redis.quit();
    const unknown = await p2pmarket(['sweeps', '--queue', url, '--cancel', 'feedfacecafe'], dir, ENV);
    expect(unknown.code).toBe(2);
    expect(unwrap(unknown.stderr)).toMatch(/--cancel: no sweep "feedfacecafe" here/);
  }, 60_000);

  it('a Redis that refuses the password: exit 2, a clear message without the password, nothing written', async () => {
    const redis = await server({ password: 'right-password' });
    const dir = workDir('password');
    const url = `redis://:secret-wrong-9@127.0.0.1:${redis.port}`;
    const [sweep, worker, noPassword] = await Promise.all([
      p2pmarket(['sweep', STUDY_B, '--queue', url, '--out', 'out'], dir),
      p2pmarket(['worker', '--queue', url], dir),
      p2pmarket(['sweep', STUDY_B, '--queue', `redis://127.0.0.1:${redis.port}`, '--out', 'out'], dir),
    ]);
    for (const r of [sweep, worker]) {
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`error: redis://127.0.0.1:${redis.port}: authentication failed: the server refused the user name or password\n`);
    }
    expect(noPassword.code).toBe(2);
    expect(unwrap(noPassword.stderr)).toContain(`error: redis://127.0.0.1:${redis.port}: authentication required`);
    expect(sweep.stdout + sweep.stderr + worker.stderr).not.toContain('secret-wrong-9');
    expect(existsSync(join(dir, 'out'))).toBe(false);
    expect(parseRedisUrl('redis://user:pw@host:1').masked).toBe('redis://host:1');
    expect(parseRedisUrl('redis://user:p%40ss@h:7/2').options).toMatchObject({ username: 'user', password: 'p@ss', host: 'h', port: 7, db: 2 });
  }, 30_000);

  it('a Redis that dies mid-sweep: a clear error and the journal; --resume finishes once it is back', async () => {
    const redis = await server();
    const dir = workDir('redis-dies');
    const worker = await startWorker(redis.url, dir);
    children.push(worker.child);
    const out = join(dir, 'b');
    const study = submit(['sweep', STUDY_B, '--queue', redis.url, '--out', 'b', '--redis-timeout', '2', '--quiet', ...FAST], dir);
    children.push(study.child);
    await until(() => journalChunks(out) >= 3 || study.child.exitCode !== null, 'three chunks');
    await redis.stop('SIGKILL');
    const r = await study.done;
    expect(r.code).toBe(1);
    expect(unwrap(r.stderr)).toMatch(new RegExp(`^error: redis://127.0.0.1:${redis.port}: lost the connection to Redis mid-sweep \\(.*\\); \\d+ of 201 points are kept in .*\\.sweep-journal: run the same command with --resume once Redis is back\\n$`));
    expect(journalChunks(out)).toBeGreaterThanOrEqual(3);
    expect(existsSync(join(out, 'result.json'))).toBe(false);
    expect(existsSync(join(out, 'runs.csv'))).toBe(false);
    // Back, empty (no persistence): the submitter queues what the journal lacks; the worker reconnects.
    await redis.restart();
    const resumed = await p2pmarket(['sweep', STUDY_B, '--queue', redis.url, '--out', 'b', '--resume', '--quiet', ...FAST], dir);
    expect(resumed.code, resumed.stderr + worker.log()).toBe(0);
    expectSameFiles(out, join(local, 'b'));
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  }, 60_000);

  it('a submitter stopped mid-sweep: --resume (even without its journal) takes the chunks finished meanwhile from the queue', async () => {
    const redis = await server();
    const plan = loadSweep(CONSTRAINTS);
    const definition = sweepDefinition(plan, { solver: 'highs', timeLimitSeconds: 60, chunkPoints: 2, lockMs: 2000, stalledMs: 1000 });
    const target = parseRedisUrl(redis.url);
    // Submitted, then the submitter goes away before any result is in: no worker is running yet.
    const first = await DistributedSweep.submit({ target, definition, journal: new SweepJournal(workDir('first'), plan, 2), resume: false, tickMs: 100 });
    await first.close();
    const worker = await SweepWorker.start({ url: redis.url, pollMs: 100 });
    try {
      const client = new Redis(redis.url);
      try {
        // The worker computes every chunk (9 points, 5 chunks) with no submitter listening.
        const deadline = Date.now() + 20_000;
        while ((await client.zcard(`p2pmarket:${definition.queue}:completed`)) < 5) {
          if (Date.now() > deadline) throw new Error('the worker did not finish the chunks');
          await new Promise((r) => setTimeout(r, 50));
        }
      } finally {
        client.disconnect();
      }
      const done = worker.chunksDone;
      // Another submitter (another machine: an empty journal) resumes: everything is in the queue.
      const second = await DistributedSweep.submit({ target, definition, journal: new SweepJournal(workDir('second'), plan, 2), resume: true, tickMs: 100 });
      const results = await second.results();
      await second.finish();
      await second.close();
      expect(worker.chunksDone).toBe(done); // nothing computed again
      expect(results.map((r) => r.run)).toEqual(Array.from({ length: plan.size }, (_, k) => k));
      const reference = await runSweep(plan, { workers: 1, chunkPoints: 2 });
      for (const name of ['steps.csv', 'trades.csv', 'runs.csv', 'result.json']) {
        expect(withoutTimings(name, sweepFiles(plan, results)[name]!), name).toBe(withoutTimings(name, sweepFiles(plan, reference)[name]!));
      }
    } finally {
      await worker.stop(true);
    }
  }, 30_000);

  it('a chunk whose input is bad at the worker fails once, for good, and the submitter reports it (exit 2)', async () => {
    const redis = await server();
    const dir = workDir('bad-input');
    const plan = loadSweep(STUDY_B);
    const definition = sweepDefinition(plan, { solver: 'highs', timeLimitSeconds: 60, chunkPoints: 16, lockMs: 2000, stalledMs: 1000 });
    // The worker sees a scenario whose battery starts above its maximum (as a submitter of
    // another version might send): every point fails validation there, not here.
    const scenario = JSON.parse(definition.files[plan.scenarioFile]!);
    scenario.prosumers[0].battery.initialKwh = 1e6;
    definition.files[plan.scenarioFile] = JSON.stringify(scenario);
    const lines: string[] = [];
    const worker = await SweepWorker.start({ url: redis.url, pollMs: 100, log: (line) => lines.push(line) });
    try {
      const sweep = await DistributedSweep.submit({ target: parseRedisUrl(redis.url), definition, journal: new SweepJournal(dir, plan, 16), resume: false, tickMs: 100 });
      const error = await sweep.results().then(
        () => undefined,
        (e: unknown) => e,
      );
      await sweep.close();
      expect(error).toBeInstanceOf(RemoteInputError);
      expect((error as Error).message).toMatch(/node0-sweep-b\.json: point \d+: prosumers\[0\]\.battery\.initialKwh: .*1000000/);
      // Not retried: after the retry back-off (1 s) has passed, chunk 0 failed once at most.
      await new Promise((r) => setTimeout(r, 1500));
      expect(lines.filter((l) => / chunk 0: /.test(l)).length).toBeLessThanOrEqual(1);
      expect(lines.some((l) => /chunk \d+: .*initialKwh/.test(l))).toBe(true);
      // The failed sweep left Redis.
      const client = new Redis(redis.url);
      try {
        expect(await client.smembers('p2pmarket:sweeps')).toEqual([]);
      } finally {
        client.disconnect();
      }
    } finally {
      await worker.stop(true);
    }
  }, 30_000);
});
