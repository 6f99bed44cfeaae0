/**
 * Adversarial inputs and situations, through the real command (issue: "never lose a user's
 * file, never leak a secret, never crash on size"). Every case runs `bin/p2pmarket.js` in a
 * fresh working folder and asserts the exit code, the message, and exactly which files exist
 * afterwards: a refused run leaves every file as it was (same names, same bytes), a run writes
 * nothing outside its output folder.
 *
 * Concurrency and kill tests use real processes: a second run on a locked folder, and a run
 * killed (SIGKILL, by the P2PMARKET_FAULT test hook) at every point of its final renames.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, p2pmarket, ROOT, STACK_TRACE, temporaryFolder, unwrap, type Run } from './helpers/cli.ts';
import { REDIS_AVAILABLE, REDIS_REQUIRED, RedisServer, freePort } from './helpers/redis.ts';

const { workDir } = temporaryFolder('p2pmarket-safety-');
const SEED = readFileSync(join(ROOT, 'scenarios', 'seed-4node.json'), 'utf8');
const HORIZONS = readFileSync(join(ROOT, 'scenarios', 'seed-time-horizons.json'), 'utf8');
const seed = () => JSON.parse(SEED) as Record<string, any>;
const ENV: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
delete ENV.FORCE_COLOR;
delete ENV.P2PMARKET_DEBUG;
delete ENV.P2PMARKET_LIMITS;
delete ENV.P2PMARKET_FAULT;

/** Every file and folder under `dir` (relative paths, folders ending in "/") with a digest of each file. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const path = rel ? `${rel}/${name}` : name;
      const stat = lstatSync(join(dir, path));
      if (stat.isDirectory()) {
        out[`${path}/`] = 'dir';
        walk(path);
      } else out[path] = stat.isFile() ? createHash('sha1').update(readFileSync(join(dir, path))).digest('hex').slice(0, 12) : 'special';
    }
  };
  walk('');
  return out;
}

/** One message, no stack trace. */
function expectClean(r: Run) {
  const output = r.stderr + r.stdout;
  expect(output).not.toMatch(STACK_TRACE);
  expect(output).not.toMatch(/^Node\.js v\d+/m);
  expect(output).not.toMatch(/\b(TypeError|RangeError|SyntaxError|ReferenceError)\b/);
  expect(output).not.toContain('\uFEFF');
}

interface Case {
  name: string;
  /** Writes the case's files into its working folder (which is the command's cwd). */
  setup: (dir: string) => void;
  args: string[] | ((dir: string) => string[]);
  code: number;
  says?: RegExp;
  /** Words that must not appear anywhere in the output (secrets). */
  never?: string[];
  /**
   * The files afterwards: 'unchanged' (every file as before, nothing added), or a check of the
   * tree (relative paths → digests) against the tree before.
   */
  after: 'unchanged' | ((now: Record<string, string>, before: Record<string, string>, dir: string) => void);
  env?: NodeJS.ProcessEnv;
  /** The message must stay this short (bytes of stderr). */
  maxStderr?: number;
}

const write = (dir: string, name: string, text: string) => {
  mkdirSync(join(dir, name, '..'), { recursive: true });
  writeFileSync(join(dir, name), text);
};
const json = (v: unknown) => JSON.stringify(v, null, 2);
const sweepOver = (scenario: string, parameters: unknown[], extra: object = {}) => json({ scenario, parameters, ...extra });
/** The files before, all still there with the same bytes (the run may have added its own). */
const inputsKept = (now: Record<string, string>, before: Record<string, string>) => {
  for (const [path, digest] of Object.entries(before)) expect(now[path], path).toBe(digest);
};
const added = (now: Record<string, string>, before: Record<string, string>) => Object.keys(now).filter((p) => !(p in before)).sort();
/** Only paths under `prefix` were added. */
const onlyUnder = (prefix: string) => (now: Record<string, string>, before: Record<string, string>) => {
  inputsKept(now, before);
  const outside = added(now, before).filter((p) => !p.startsWith(prefix) && !prefix.startsWith(p));
  expect(outside).toEqual([]);
  expect(added(now, before).some((p) => p.startsWith(prefix))).toBe(true);
};
const OLD_RUN_FILES = { 'result.json': '{}', 'runs.csv': 'run,status\n', 'index.html': '<html></html>', 'figures/a.svg': '<svg/>' };

const cases: Case[] = [
  // ---------------------------------------------------------------- run folders and inputs
  {
    name: 'sweep --out on the folder that holds its scenario',
    setup: (d) => (write(d, 'study/scenario.json', SEED), write(d, 'study/sweep.json', sweepOver('scenario.json', [{ path: 'utility.targetKw[0]', values: [1, 2] }]))),
    args: ['sweep', 'study/sweep.json', '--out', 'study'],
    code: 2,
    says: /study: --out: holds an input of this run \(study\/(sweep|scenario)\.json\): a run never writes where its inputs live/,
    after: 'unchanged',
  },
  {
    name: 'clear --out on its own scenario\'s folder',
    setup: (d) => write(d, 'study/scenario.json', SEED),
    args: ['clear', 'study/scenario.json', '--out', 'study'],
    code: 2,
    says: /holds an input of this run \(study\/scenario\.json\)/,
    after: 'unchanged',
  },
  {
    name: 'clear --out on a folder that contains the scenario\'s folder',
    setup: (d) => write(d, 'project/data/scenario.json', SEED),
    args: ['clear', 'project/data/scenario.json', '--out', 'project'],
    code: 2,
    says: /project: --out: holds an input of this run/,
    after: 'unchanged',
  },
  {
    name: 'clear --out "." with the scenario in the working folder',
    setup: (d) => write(d, 'scenario.json', SEED),
    args: ['clear', 'scenario.json', '--out', '.'],
    code: 2,
    says: /holds an input of this run/,
    after: 'unchanged',
  },
  {
    name: 'clear --out study/out beside study/scenario.json is fine',
    setup: (d) => write(d, 'study/scenario.json', SEED),
    args: ['clear', 'study/scenario.json', '--out', 'study/out', '-q'],
    code: 0,
    after: onlyUnder('study/out/'),
  },
  {
    name: 'replay --out on the folder of its requests file',
    setup: (d) => (write(d, 'scenario.json', HORIZONS), write(d, 'rec/requests.csv', 'simHour,step,targetKw,priority\n0,0,5,10\n')),
    args: ['replay', 'rec/requests.csv', '--scenario', 'scenario.json', '--out', 'rec'],
    code: 2,
    says: /rec: --out: holds an input of this run \(rec\/requests\.csv\)/,
    after: 'unchanged',
  },
  {
    name: 'a sweep file named "...json" gives no folder name, and the current folder is left alone',
    setup: (d) => {
      write(d, 'scenario.json', SEED);
      write(d, '...json', sweepOver('scenario.json', [{ path: 'utility.targetKw[0]', values: [1] }]));
      for (const [name, text] of Object.entries(OLD_RUN_FILES)) write(d, `outputs/${name}`, text);
    },
    args: ['sweep', '...json'],
    code: 2,
    says: /\.\.\.json: name: the file name gives no usable output folder name \("\.\."\)/,
    after: 'unchanged',
  },
  {
    name: 'a sweep file named ".json" is refused too',
    setup: (d) => (write(d, 'scenario.json', SEED), write(d, '.json', sweepOver('scenario.json', [{ path: 'utility.targetKw[0]', values: [1] }]))),
    args: ['sweep', '.json'],
    code: 2,
    says: /name: the file name gives no usable output folder name/,
    after: 'unchanged',
  },
  {
    name: 'an empty --out',
    setup: (d) => write(d, 'scenario.json', SEED),
    args: ['clear', 'scenario.json', '--out', ''],
    code: 2,
    says: /--out: is empty: name a folder/,
    after: 'unchanged',
  },
  {
    name: '--out naming a file',
    setup: (d) => (write(d, 'scenario.json', SEED), write(d, 'taken.txt', 'mine')),
    args: ['clear', 'scenario.json', '--out', 'taken.txt'],
    code: 2,
    says: /taken\.txt: --out: is a file, not a folder/,
    after: 'unchanged',
  },
  {
    name: '--out under a file',
    setup: (d) => (write(d, 'scenario.json', SEED), write(d, 'taken.txt', 'mine')),
    args: ['clear', 'scenario.json', '--out', 'taken.txt/run'],
    code: 2,
    says: /--out: cannot be created: taken\.txt is a file, not a folder/,
    after: 'unchanged',
  },
  {
    name: 'a folder holding a user\'s files',
    setup: (d) => (write(d, 'scenario.json', SEED), write(d, 'mine/notes.txt', 'keep me')),
    args: ['clear', 'scenario.json', '--out', 'mine'],
    code: 2,
    says: /mine: --out: holds files p2pmarket did not write \("notes\.txt"\)/,
    after: 'unchanged',
  },
  {
    name: 'a folder that looks like an old run but has no manifest',
    setup: (d) => {
      write(d, 'scenario.json', SEED);
      for (const [name, text] of Object.entries(OLD_RUN_FILES)) write(d, `old/${name}`, text);
    },
    args: ['simulate', 'scenario.json', '--out', 'old'],
    code: 2,
    says: /holds files p2pmarket did not write .*older p2pmarket version/,
    after: 'unchanged',
  },
  {
    name: 'plot on a folder p2pmarket did not write',
    setup: (d) => {
      for (const [name, text] of Object.entries(OLD_RUN_FILES)) write(d, `old/${name}`, text);
    },
    args: ['plot', 'old'],
    code: 2,
    says: /old: run folder: holds files p2pmarket did not write/,
    after: 'unchanged',
  },
  {
    name: 'plot on an empty folder',
    setup: (d) => mkdirSync(join(d, 'empty')),
    args: ['plot', 'empty'],
    code: 2,
    says: /empty: no result\.json: not a finished run folder/,
    after: 'unchanged',
  },
  {
    name: 'a run folder with a foreign file named like a run output',
    setup: (d) => {
      write(d, 'scenario.json', SEED);
      write(d, 'run/.p2pmarket-run.json', json({ manifest: 'p2pmarket run folder', version: 1, command: 'clear', inputs: [], state: 'complete', files: ['result.json'] }));
      write(d, 'run/result.json', '{}');
      write(d, 'run/lines.csv', 'mine');
    },
    args: ['clear', 'scenario.json', '--out', 'run'],
    code: 2,
    says: /run: --out: holds "lines\.csv", which no p2pmarket run wrote but a run would replace/,
    after: 'unchanged',
  },
  {
    name: 'a manifest that lists a path outside the folder is not a manifest',
    setup: (d) => {
      write(d, 'scenario.json', SEED);
      write(d, 'run/.p2pmarket-run.json', json({ manifest: 'p2pmarket run folder', version: 1, command: 'clear', inputs: [], state: 'complete', files: ['../scenario.json', 'result.json'] }));
      write(d, 'run/result.json', '{}');
    },
    args: ['clear', 'scenario.json', '--out', 'run'],
    code: 2,
    says: /holds files p2pmarket did not write/,
    after: 'unchanged',
  },
  {
    name: 'a folder locked by a live process',
    setup: (d) => (write(d, 'scenario.json', SEED), write(d, 'run/.p2pmarket-lock', json({ pid: process.pid, host: hostname(), command: 'sweep', since: '2026-12-02T10:00:00Z' }))),
    args: ['clear', 'scenario.json', '--out', 'run'],
    code: 2,
    says: new RegExp(`run: is in use by another p2pmarket run \\(sweep, pid ${process.pid} on ${hostname().replace(/\./g, '\\.')}, since 2026-12-02T10:00:00Z\\)`),
    after: 'unchanged',
  },
  {
    name: 'a folder locked from another host',
    setup: (d) => (write(d, 'scenario.json', SEED), write(d, 'run/.p2pmarket-lock', json({ pid: 1, host: 'elsewhere.example.org', command: 'clear', since: 'x' }))),
    args: ['clear', 'scenario.json', '--out', 'run'],
    code: 2,
    says: /is in use by another p2pmarket run \(clear, pid 1 on elsewhere\.example\.org/,
    after: 'unchanged',
  },
  {
    name: 'a stale lock (its process is gone) is taken over',
    setup: (d) => (write(d, 'scenario.json', SEED), write(d, 'run/.p2pmarket-lock', json({ pid: deadPid(), host: hostname(), command: 'clear', since: 'x' }))),
    args: ['clear', 'scenario.json', '--out', 'run', '-q'],
    code: 0,
    after: (now, before) => {
      expect(now['scenario.json']).toBe(before['scenario.json']);
      expect(now['run/.p2pmarket-lock']).toBeUndefined();
      expect(now['run/result.json']).toBeDefined();
    },
  },
  {
    name: 'an empty lock left by a crash long ago is taken over',
    setup: (d) => {
      write(d, 'scenario.json', SEED);
      write(d, 'run/.p2pmarket-lock', '');
      const past = new Date(Date.now() - 60_000);
      utimesSync(join(d, 'run/.p2pmarket-lock'), past, past);
    },
    args: ['clear', 'scenario.json', '--out', 'run', '-q'],
    code: 0,
    after: (now) => {
      expect(now['run/.p2pmarket-lock']).toBeUndefined();
      expect(now['run/result.json']).toBeDefined();
    },
  },
  {
    name: 'an infeasible market writes nothing, and leaves no folder behind',
    setup: (d) => {
      const s = seed();
      s.prosumers[0].minInjectionKw = 30;
      s.prosumers[0].maxInjectionKw = 30;
      write(d, 'scenario.json', json(s));
    },
    args: ['clear', 'scenario.json', '--out', 'a/b/c'],
    code: 3,
    says: /infeasible/,
    after: 'unchanged',
  },
  // ---------------------------------------------------------------- secrets
  {
    name: 'a password with an unencoded "/" is never printed',
    setup: (d) => write(d, 'scenario.json', SEED),
    args: ['worker', '--queue', 'redis://:pa/ss-w0rd@127.0.0.1:6379'],
    code: 2,
    says: /--queue: not a URL such as redis:\/\/\[user:password@\]host:port.*percent-encoded/,
    never: ['pa/ss', 'ss-w0rd', 'w0rd'],
    after: 'unchanged',
  },
  {
    name: 'a URL with a "?" in the password',
    setup: () => undefined,
    args: ['worker', '--queue', 'redis://:sec?ret99@127.0.0.1:1'],
    code: 2,
    says: /--queue: not a URL such as .*percent-encoded \(%2F %40 %3A %23 %3F %25\)/,
    never: ['sec', 'ret99'],
    after: 'unchanged',
  },
  {
    name: 'a bad percent-encoding in the password',
    setup: () => undefined,
    args: ['worker', '--queue', 'redis://:pw%zz-hidden@127.0.0.1:1'],
    code: 2,
    says: /not a valid percent-encoding/,
    never: ['hidden', '%zz'],
    after: 'unchanged',
  },
  {
    name: 'an unreachable Redis exits 2 at once, without the password',
    setup: (d) => write(d, 'scenario.json', SEED),
    args: (d) => ['worker', '--queue', `redis://admin:t0p-s3cret@127.0.0.1:${readFileSync(join(d, 'port'), 'utf8')}`],
    code: 2,
    says: /error: redis:\/\/127\.0\.0\.1:\d+: connection refused/,
    never: ['t0p', 's3cret', 'admin'],
    after: 'unchanged',
  },
  {
    name: 'a database path that is not a number',
    setup: () => undefined,
    args: ['worker', '--queue', 'redis://:x@127.0.0.1:1/abc'],
    code: 2,
    says: /must be a database number/,
    after: 'unchanged',
  },
  // ---------------------------------------------------------------- sizes
  {
    name: '2,000 prosumers trading in every pair: refused at once with the sizes and what to change',
    setup: (d) => {
      const s = seed();
      s.prosumers = Array.from({ length: 2000 }, (_, i) => ({ ...s.prosumers[0], id: `p${i}`, bus: String(1 + (i % 3)) }));
      write(d, 'big.json', JSON.stringify(s));
    },
    args: ['validate', 'big.json'],
    code: 2,
    says: /big\.json: the clearing problem would have 16,034,009 columns \(2,001 agents trading in 2,001,000 pairs.*more than the limit of 3,000,000.*maxHops.*--limit columns=/,
    after: 'unchanged',
  },
  {
    name: 'a million steps',
    setup: (d) => write(d, 'long.json', JSON.stringify({ ...seed(), steps: 1_000_000 })),
    args: ['clear', 'long.json'],
    code: 2,
    says: /long\.json: steps: 1,000,000 steps, more than the limit of 110,000/,
    after: 'unchanged',
  },
  {
    name: 'JSON nested 5,000 deep',
    setup: (d) => write(d, 'deep.json', `{"name":"x","a":${'['.repeat(5000)}${']'.repeat(5000)}}`),
    args: ['clear', 'deep.json'],
    code: 2,
    says: /deep\.json: malformed JSON at line 1, column \d+: nested deeper than 64 levels/,
    after: 'unchanged',
  },
  {
    name: 'a FIFO as input does not block',
    setup: (d) => void spawnSync('mkfifo', [join(d, 'fifo.json')]),
    args: ['clear', 'fifo.json'],
    code: 2,
    says: /fifo\.json: is not a regular file/,
    after: 'unchanged',
  },
  {
    name: 'a folder as input',
    setup: (d) => mkdirSync(join(d, 'scenario.json')),
    args: ['validate', 'scenario.json'],
    code: 2,
    says: /scenario\.json: is a folder, not a file/,
    after: 'unchanged',
  },
  {
    name: 'a 200,000-element array in the wrong place makes a short message',
    setup: (d) => write(d, 'wide.json', JSON.stringify({ ...seed(), steps: Array.from({ length: 200_000 }, () => 1) })),
    args: ['clear', 'wide.json'],
    code: 2,
    says: /wide\.json: steps: must be a finite number \(found an array of 200000 elements\)/,
    maxStderr: 2000,
    after: 'unchanged',
  },
  {
    name: '200,000 bad values make a bounded message',
    setup: (d) => {
      const s = seed();
      s.steps = 100_000;
      s.prosumers[0].scheduleKw = Array.from({ length: 100_000 }, () => 'x');
      s.prosumers[1].scheduleKw = Array.from({ length: 100_000 }, () => 'y');
      write(d, 'many.json', JSON.stringify(s));
    },
    args: ['validate', 'many.json'],
    code: 2,
    says: /many\.json: … and \d+ more problems/,
    maxStderr: 6000,
    after: 'unchanged',
  },
  {
    name: 'a file larger than the file-size limit',
    setup: (d) => write(d, 'scenario.json', SEED),
    args: ['validate', 'scenario.json', '--limit', 'fileBytes=1000'],
    code: 2,
    says: /scenario\.json: is [\d.]+ MiB, more than the limit of 0\.00 MiB for an input file/,
    after: 'unchanged',
  },
  {
    name: 'a lowered step limit',
    setup: (d) => write(d, 'scenario.json', SEED),
    args: ['clear', 'scenario.json', '--limit', 'steps=2'],
    code: 2,
    says: /scenario\.json: steps: 4 steps, more than the limit of 2/,
    after: 'unchanged',
  },
  {
    name: 'an unknown limit',
    setup: (d) => write(d, 'scenario.json', SEED),
    args: ['clear', 'scenario.json', '--limit', 'cores=64'],
    code: 2,
    says: /--limit: "cores=64" is not name=value with a name among fileBytes/,
    after: 'unchanged',
  },
  {
    name: 'a bad P2PMARKET_LIMITS',
    setup: (d) => write(d, 'scenario.json', SEED),
    args: ['validate', 'scenario.json'],
    env: { P2PMARKET_LIMITS: 'steps=lots' },
    code: 2,
    says: /P2PMARKET_LIMITS: --limit: steps: "lots" is not a positive number/,
    after: 'unchanged',
  },
  // ---------------------------------------------------------------- numbers for the solver
  {
    name: 'a request priority of 1e7 names the field instead of failing in the solver',
    setup: (d) => write(d, 'scenario.json', json({ ...seed(), utility: { ...seed().utility, priority: [1e7, 2, 3, 1] } })),
    args: ['clear', 'scenario.json'],
    code: 2,
    says: /scenario\.json: utility\.priority\[0\].*beyond the 1e\+15 the solver takes/,
    after: 'unchanged',
  },
  {
    name: 'a bid of 1e9 per kWh over steps of 1e7 hours',
    setup: (d) => {
      const s = seed();
      s.stepHours = 1e7;
      s.prosumers[1].costBid = { linearPerKwh: 1e9 };
      write(d, 'scenario.json', json(s));
    },
    args: ['clear', 'scenario.json'],
    code: 2,
    says: /scenario\.json: prosumers\[1\]\.costBid, prosumers\[1\]\.scheduleKw\[0\]: cost the net injection of p2, step 0 1\.0e\+16 per unit/,
    after: 'unchanged',
  },
  {
    name: 'a request priority of 1e6 still clears',
    setup: (d) => write(d, 'scenario.json', json({ ...seed(), utility: { ...seed().utility, priority: [1e6, 2, 3, 1] } })),
    args: ['clear', 'scenario.json', '-q'],
    code: 0,
    after: onlyUnder('outputs/seed-4node/'),
  },
  // ---------------------------------------------------------------- messages
  {
    name: 'requests.csv with blank lines names the right line',
    setup: (d) => (write(d, 'scenario.json', HORIZONS), write(d, 'requests.csv', 'simHour,step,targetKw,priority\n\n0,0,5,10\n\n\n0,1,abc,2\n')),
    args: ['replay', 'requests.csv', '--scenario', 'scenario.json'],
    code: 2,
    says: /requests\.csv: line 6, targetKw: "abc" is not a decimal number/,
    after: 'unchanged',
  },
  {
    name: 'requests.csv with 0x10',
    setup: (d) => (write(d, 'scenario.json', HORIZONS), write(d, 'requests.csv', 'simHour,step,targetKw,priority\n0,0,0x10,1\n')),
    args: ['replay', 'requests.csv', '--scenario', 'scenario.json'],
    code: 2,
    says: /requests\.csv: line 2, targetKw: "0x10" is not a decimal number/,
    after: 'unchanged',
  },
  {
    name: 'requests.csv with a byte-order mark is read',
    setup: (d) => (write(d, 'scenario.json', HORIZONS), write(d, 'requests.csv', '\uFEFFsimHour,step,targetKw,priority\n0,0,5,10\n')),
    args: ['replay', 'requests.csv', '--scenario', 'scenario.json', '-q'],
    code: 0,
    after: onlyUnder('outputs/'),
  },
  {
    name: 'requests.csv with a byte-order mark and a bad cell: no invisible character in the message',
    setup: (d) => (write(d, 'scenario.json', HORIZONS), write(d, 'requests.csv', '\uFEFFsimHour,step,targetKw,priority\n0,0,5,x\n')),
    args: ['replay', 'requests.csv', '--scenario', 'scenario.json'],
    code: 2,
    says: /requests\.csv: line 2, priority: "x" is not a decimal number/,
    after: 'unchanged',
  },
  {
    name: 'a scenario with a byte-order mark is read',
    setup: (d) => write(d, 'scenario.json', `\uFEFF${SEED}`),
    args: ['clear', 'scenario.json', '-q'],
    code: 0,
    after: onlyUnder('outputs/seed-4node/'),
  },
  {
    name: 'a scenario with a byte-order mark and a syntax error gives its line and column',
    setup: (d) => write(d, 'scenario.json', '\uFEFF{\n  "name": "x",\n  "steps": 4,\n}'),
    args: ['clear', 'scenario.json'],
    code: 2,
    says: /scenario\.json: malformed JSON at line 4, column 1: a field name in double quotes expected \(a trailing comma\?\)/,
    after: 'unchanged',
  },
  {
    name: 'duplicate JSON keys',
    setup: (d) => write(d, 'scenario.json', SEED.replace('"steps": 4,', '"steps": 4,\n  "steps": 2,')),
    args: ['clear', 'scenario.json'],
    code: 2,
    says: /scenario\.json: steps: the key "steps" appears twice in one object \(at line \d+, column 3\)/,
    after: 'unchanged',
  },
  {
    name: 'truncated JSON',
    setup: (d) => write(d, 'scenario.json', SEED.slice(0, 200)),
    args: ['clear', 'scenario.json'],
    code: 2,
    says: /scenario\.json: malformed JSON at line \d+, column \d+: .*\(the file ends early\)/,
    after: 'unchanged',
  },
  {
    name: 'an empty file',
    setup: (d) => write(d, 'scenario.json', ''),
    args: ['clear', 'scenario.json'],
    code: 2,
    says: /scenario\.json: is empty: expected a JSON object/,
    after: 'unchanged',
  },
  {
    name: 'a file that is not UTF-8',
    setup: (d) => writeFileSync(join(d, 'scenario.json'), Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])),
    args: ['clear', 'scenario.json'],
    code: 2,
    says: /scenario\.json: is not UTF-8 text \(byte 2 \(0xff\) cannot start a UTF-8 character\)/,
    after: 'unchanged',
  },
  {
    name: 'a missing scenario',
    setup: () => undefined,
    args: ['clear', 'nowhere.json'],
    code: 2,
    says: /nowhere\.json: file not found/,
    after: 'unchanged',
  },
  {
    name: 'a scenario path under a file',
    setup: (d) => write(d, 'a.json', SEED),
    args: ['clear', 'a.json/b.json'],
    code: 2,
    says: /a\.json\/b\.json: file not found \(a part of its path is a file, not a folder\)/,
    after: 'unchanged',
  },
  {
    name: 'a sweep value "NaN"',
    setup: (d) => (write(d, 'scenario.json', SEED), write(d, 'sweep.json', sweepOver('scenario.json', [{ path: 'utility.targetKw[0]', values: [1, 'NaN'] }]))),
    args: ['sweep', 'sweep.json'],
    code: 2,
    says: /sweep\.json: point 1: utility\.targetKw\[0\]: must be a finite number \(found "NaN"\)/,
    after: 'unchanged',
  },
  {
    name: 'a parameter with both a range and values',
    setup: (d) => (write(d, 'scenario.json', SEED), write(d, 'sweep.json', sweepOver('scenario.json', [{ path: 'utility.targetKw[0]', values: [1], from: 0, to: 1, step: 1 }]))),
    args: ['sweep', 'sweep.json'],
    code: 2,
    says: /sweep\.json: parameters\[0\]: has values and a range \(from, to, step\): give one of values, a range, scale, shift or scenario/,
    after: 'unchanged',
  },
  {
    name: 'a range without its step',
    setup: (d) => (write(d, 'scenario.json', SEED), write(d, 'sweep.json', sweepOver('scenario.json', [{ path: 'utility.targetKw[0]', from: 0, to: 1 }]))),
    args: ['sweep', 'sweep.json'],
    code: 2,
    says: /parameters\[0\]: a range needs "from", "to" and "step" \("step" missing\)/,
    after: 'unchanged',
  },
  {
    name: 'a range from -0.3 to 0.3 by 0.1 holds 0, not 5.55e-17',
    setup: (d) => (write(d, 'scenario.json', SEED), write(d, 'sweep.json', sweepOver('scenario.json', [{ path: 'utility.targetKw[0]', from: -0.3, to: 0.3, step: 0.1 }]))),
    args: ['sweep', 'sweep.json', '-q'],
    code: 0,
    after: (now, before, dir) => {
      onlyUnder('outputs/sweep/')(now, before);
      const [header, ...rows] = readFileSync(join(dir, 'outputs/sweep/runs.csv'), 'utf8').trim().split('\n');
      const column = header!.split(',').indexOf('utility_targetKw_0');
      const values = rows.map((row) => row.split(',')[column]);
      expect(values).toEqual(['-0.3', '-0.2', '-0.1', '0', '0.1', '0.2', '0.3']);
    },
  },
  {
    name: '--seed 0x10',
    setup: (d) => write(d, 'scenario.json', HORIZONS),
    args: ['simulate', 'scenario.json', '--seed', '0x10'],
    code: 2,
    says: /--seed: "0x10" is not a whole number/,
    after: 'unchanged',
  },
  {
    name: '--workers 0x2',
    setup: (d) => write(d, 'sweep.json', '{}'),
    args: ['sweep', 'sweep.json', '--workers', '0x2'],
    code: 2,
    says: /--workers: "0x2" is not a positive whole number/,
    after: 'unchanged',
  },
  {
    name: '--time-limit Infinity',
    setup: (d) => write(d, 'scenario.json', SEED),
    args: ['clear', 'scenario.json', '--time-limit', 'Infinity'],
    code: 2,
    says: /--time-limit: "Infinity" is not a positive number/,
    after: 'unchanged',
  },
  {
    name: 'a sweep whose scenario is missing',
    setup: (d) => write(d, 'sweep.json', sweepOver('gone.json', [{ path: 'utility.targetKw[0]', values: [1] }])),
    args: ['sweep', 'sweep.json'],
    code: 2,
    says: /gone\.json: file not found/,
    after: 'unchanged',
  },
  {
    name: 'a sweep file with duplicate keys',
    setup: (d) => (write(d, 'scenario.json', SEED), write(d, 'sweep.json', '{"scenario": "scenario.json", "samples": 2, "samples": 3}')),
    args: ['sweep', 'sweep.json'],
    code: 2,
    says: /sweep\.json: samples: the key "samples" appears twice/,
    after: 'unchanged',
  },
];

/** A pid that no process has (a child that has exited). */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

describe('adversarial inputs and situations, through the real command', () => {
  it('are at least 60, with the cases below', () => {
    expect(cases.length + KILL_POINTS.length + 9).toBeGreaterThanOrEqual(60);
  });

  it.concurrent.each(cases)('$name', async (c) => {
    const dir = workDir('case');
    c.setup(dir);
    if (c.name.startsWith('an unreachable Redis')) writeFileSync(join(dir, 'port'), String(await freePort()));
    const before = tree(dir);
    // A hang is caught by the spawn's own time limit (the child is killed, and its code is null).
    const r = await p2pmarket(typeof c.args === 'function' ? c.args(dir) : c.args, dir, { ...ENV, ...c.env });
    expect(r.code, `${r.stderr}\n${r.stdout}`).toBe(c.code);
    if (c.says) expect(unwrap(r.stderr)).toMatch(c.says);
    for (const secret of c.never ?? []) expect(r.stdout + r.stderr).not.toContain(secret);
    if (c.maxStderr) expect(r.stderr.length).toBeLessThan(c.maxStderr);
    expectClean(r);
    const now = tree(dir);
    if (c.after === 'unchanged') expect(now).toEqual(before);
    else c.after(now, before, dir);
  });
});

describe('run folders over time', () => {
  it('a second clear replaces the first byte for byte, keeps a user\'s notes, and a simulation replaces it whole', async () => {
    const dir = workDir('replace');
    write(dir, 'scenario.json', HORIZONS);
    expect((await p2pmarket(['clear', 'scenario.json', '--out', 'run', '-q'], dir, ENV)).code).toBe(0);
    const first = tree(join(dir, 'run'));
    write(dir, 'run/notes.txt', 'mine');
    expect((await p2pmarket(['clear', 'scenario.json', '--out', 'run', '-q'], dir, ENV)).code).toBe(0);
    const second = tree(join(dir, 'run'));
    const runsOnly = (t: Record<string, string>) => Object.fromEntries(Object.entries(t).filter(([p]) => p !== 'notes.txt' && p !== 'runs.csv' && p !== 'result.json'));
    expect(runsOnly(second)).toEqual(runsOnly(first));
    expect(second['notes.txt']).toBeDefined();
    expect((await p2pmarket(['simulate', 'scenario.json', '--out', 'run', '-q'], dir, ENV)).code).toBe(0);
    const names = Object.keys(tree(join(dir, 'run'))).sort();
    expect(names).toContain('windows.csv');
    expect(names).not.toContain('nodal-prices.csv'); // clear's, gone with it
    expect(names).toContain('notes.txt');
    expect(names.filter((n) => n.startsWith('.partial-') || n === '.p2pmarket-lock')).toEqual([]);
  });

  it('two runs on one folder: the second exits 2 naming the first, which finishes alone', async () => {
    const dir = workDir('concurrent');
    write(dir, 'stochastic.json', JSON.stringify({ scenario: join(ROOT, 'scenarios', 'seed-time-horizons.json'), mode: 'simulate', samples: 400, seed: 3, perturbations: { forecastErrorStdKw: 0.5 } }));
    write(dir, 'other.json', JSON.stringify({ scenario: join(ROOT, 'scenarios', 'seed-node0.json'), parameters: [{ path: 'utility.targetKw[2]', from: -10, to: 10, step: 1 }] }));
    const first = spawn(process.execPath, [BIN, 'sweep', 'stochastic.json', '--out', 'shared', '--workers', '1', '-q'], { cwd: dir, env: ENV });
    const firstDone = new Promise<number | null>((resolve) => first.on('exit', (code) => resolve(code)));
    const lock = join(dir, 'shared', '.p2pmarket-lock');
    for (let k = 0; k < 400 && !existsSync(lock); k++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(lock)).toBe(true);
    const [second, third] = await Promise.all([
      p2pmarket(['sweep', 'other.json', '--out', 'shared', '-q'], dir, ENV),
      p2pmarket(['clear', join(ROOT, 'scenarios', 'seed-4node.json'), '--out', 'shared', '-q'], dir, ENV),
    ]);
    for (const r of [second, third]) {
      expect(r.code).toBe(2);
      expect(unwrap(r.stderr)).toMatch(new RegExp(`shared: is in use by another p2pmarket run \\(sweep, pid ${first.pid} on `));
    }
    expect(await firstDone).toBe(0);
    const runs = readFileSync(join(dir, 'shared', 'runs.csv'), 'utf8').trim().split('\n');
    expect(runs.length).toBe(1 + 400);
    expect(runs[0]).toMatch(/^run,sample,status,/);
    expect(existsSync(lock)).toBe(false);
  });

  it('a simulation beside a clearing on one folder: the clearing is refused', async () => {
    const dir = workDir('simulate-clear');
    // The seed's horizons case repeated to 400 steps: a simulation of a few seconds.
    const long = JSON.parse(HORIZONS);
    const repeat = (a: number[]) => Array.from({ length: 400 }, (_, t) => a[t % a.length]!);
    long.name = 'long';
    long.steps = 400;
    long.utility.targetKw = repeat(long.utility.targetKw);
    long.utility.priority = repeat(long.utility.priority);
    for (const p of long.prosumers) p.scheduleKw = repeat(p.scheduleKw);
    write(dir, 'long.json', JSON.stringify(long));
    const simulation = spawn(process.execPath, [BIN, 'simulate', 'long.json', '--out', 'shared', '-q'], { cwd: dir, env: ENV });
    const simulated = new Promise<number | null>((resolve) => simulation.on('exit', (code) => resolve(code)));
    const lock = join(dir, 'shared', '.p2pmarket-lock');
    for (let k = 0; k < 400 && !existsSync(lock); k++) await new Promise((r) => setTimeout(r, 50));
    const clear = await p2pmarket(['clear', 'long.json', '--out', 'shared', '-q'], dir, ENV);
    expect(clear.code).toBe(2);
    expect(unwrap(clear.stderr)).toMatch(new RegExp(`shared: is in use by another p2pmarket run \\(simulate, pid ${simulation.pid} on `));
    expect(await simulated).toBe(0);
    expect(readFileSync(join(dir, 'shared', '.p2pmarket-run.json'), 'utf8')).toContain('"command": "simulate"');
    expect(readdirSync(join(dir, 'shared'))).not.toContain('nodal-prices.csv');
  });
});

/** Every point of the final renames at which a kill is tried (run-folder.ts's fault points). */
const KILL_POINTS = ['commit:staged', 'commit:old-result-removed', 'commit:renamed-1', 'commit:renamed-3', 'commit:renamed-6', 'commit:renamed-7', 'commit:renamed-all'];

describe('a kill at any point of the final renames', () => {
  it.each(KILL_POINTS)('at %s leaves the previous complete run or no result.json, and the next run cleans up', async (point) => {
    const dir = workDir('kill');
    write(dir, 'scenario.json', SEED);
    const other = seed();
    other.utility.targetKw = [6, -2, -40, -40];
    write(dir, 'other.json', json(other));
    expect((await p2pmarket(['clear', 'scenario.json', '--out', 'run', '-q'], dir, ENV)).code).toBe(0);
    const previous = tree(join(dir, 'run'));
    const killed = await p2pmarket(['clear', 'other.json', '--out', 'run', '-q'], dir, { ...ENV, P2PMARKET_FAULT: point });
    expect(killed.signal).toBe('SIGKILL');
    const now = tree(join(dir, 'run'));
    if (now['result.json'] !== undefined) {
      // Either the previous run, whole …
      const whole = Object.fromEntries(Object.entries(previous).filter(([p]) => !p.startsWith('.')));
      const kept = Object.fromEntries(Object.entries(now).filter(([p]) => !p.startsWith('.')));
      if (kept['result.json'] === previous['result.json']) expect(kept).toEqual(whole);
      // … or the new one, whole: every file it writes is in place.
      else expect(Object.keys(kept).sort()).toEqual(Object.keys(whole).sort());
    }
    // The next run takes over the stale lock, removes the staging and finishes.
    const next = await p2pmarket(['clear', 'other.json', '--out', 'run', '-q'], dir, ENV);
    expect(next.code, next.stderr).toBe(0);
    const after = Object.keys(tree(join(dir, 'run')));
    expect(after.filter((p) => p.startsWith('.partial-') || p === '.p2pmarket-lock')).toEqual([]);
    expect(after).toContain('result.json');
    expect(JSON.parse(readFileSync(join(dir, 'run', 'scenario.json'), 'utf8')).utility.targetKw).toEqual([6, -2, -40, -40]);
  });
});

describe('the sweep journal', () => {
  const sweepFile = (dir: string) => {
    write(dir, 'sweep.json', sweepOver(join(ROOT, 'scenarios', 'seed-node0.json'), [{ path: 'utility.targetKw[2]', from: -20, to: 19, step: 1 }]));
    return 'sweep.json';
  };
  /** A finished run, then its journal put back as a killed run would have left it. */
  async function killedRun(label: string) {
    const dir = workDir(label);
    const file = sweepFile(dir);
    const kill = await p2pmarket(['sweep', file, '--out', 'run', '-q'], dir, { ...ENV, P2PMARKET_FAULT: 'commit:staged' });
    expect(kill.signal).toBe('SIGKILL');
    const journal = join(dir, 'run', '.sweep-journal');
    expect(readdirSync(journal).filter((f) => f.startsWith('chunk-')).length).toBe(3); // 40 runs: chunks of 16, 16, 8
    return { dir, file, journal };
  }

  it('an empty entry (a power cut) is recomputed with a warning naming it', async () => {
    const { dir, file, journal } = await killedRun('journal-empty');
    writeFileSync(join(journal, 'chunk-000001.json'), '');
    const r = await p2pmarket(['sweep', file, '--out', 'run', '--resume'], dir, ENV);
    expect(r.code, r.stderr).toBe(0);
    expect(unwrap(r.stderr)).toMatch(/warning: run\/\.sweep-journal\/chunk-000001\.json is empty \(a crash or power cut while it was written\?\); its runs are computed again/);
    expect(unwrap(r.stderr)).toMatch(/resumed: kept 24 of 40 runs from the journal, computed the other 16/);
    expect(readFileSync(join(dir, 'run', 'runs.csv'), 'utf8').trim().split('\n').length).toBe(41);
  });

  it('an entry holding [] is not taken for a chunk', async () => {
    const { dir, file, journal } = await killedRun('journal-brackets');
    writeFileSync(join(journal, 'chunk-000000.json'), '[]');
    const r = await p2pmarket(['sweep', file, '--out', 'run', '--resume'], dir, ENV);
    expect(r.code).toBe(0);
    expect(unwrap(r.stderr)).toMatch(/chunk-000000\.json is not a journal entry; its runs are computed again/);
    expect(readFileSync(join(dir, 'run', 'runs.csv'), 'utf8').trim().split('\n').length).toBe(41);
  });

  it('an entry with the wrong runs, or torn JSON, is recomputed', async () => {
    const { dir, file, journal } = await killedRun('journal-wrong');
    const entry = JSON.parse(readFileSync(join(journal, 'chunk-000002.json'), 'utf8'));
    entry.results = entry.results.slice(1);
    writeFileSync(join(journal, 'chunk-000002.json'), JSON.stringify(entry));
    writeFileSync(join(journal, 'chunk-000001.json'), readFileSync(join(journal, 'chunk-000000.json'), 'utf8').slice(0, 100));
    const r = await p2pmarket(['sweep', file, '--out', 'run', '--resume'], dir, ENV);
    expect(r.code).toBe(0);
    expect(unwrap(r.stderr)).toMatch(/chunk-000002\.json holds 7 runs instead of 8/);
    expect(unwrap(r.stderr)).toMatch(/chunk-000001\.json is not complete JSON/);
    expect(readFileSync(join(dir, 'run', 'runs.csv'), 'utf8').trim().split('\n').length).toBe(41);
  });

  it('--resume refuses another sweep\'s journal', async () => {
    const { dir, journal } = await killedRun('journal-other');
    write(dir, 'other.json', sweepOver(join(ROOT, 'scenarios', 'seed-node0.json'), [{ path: 'utility.targetKw[2]', from: -20, to: 19, step: 2 }]));
    const before = tree(dir);
    const r = await p2pmarket(['sweep', 'other.json', '--out', 'run', '--resume'], dir, ENV);
    expect(r.code).toBe(2);
    expect(unwrap(r.stderr)).toMatch(/run\/\.sweep-journal: is the journal of another sweep .*run without --resume to start this sweep afresh there, or give it its own --out/);
    expect(tree(dir)).toEqual(before);
    expect(existsSync(journal)).toBe(true);
  });

  it('--resume on a finished sweep recomputes nothing', async () => {
    const dir = workDir('journal-finished');
    const file = sweepFile(dir);
    expect((await p2pmarket(['sweep', file, '--out', 'run', '-q'], dir, ENV)).code).toBe(0);
    const before = tree(dir);
    const r = await p2pmarket(['sweep', file, '--out', 'run', '--resume'], dir, ENV);
    expect(r.code).toBe(0);
    expect(unwrap(r.stderr)).toMatch(/run already holds this sweep's finished results \(40 runs\): nothing to resume/);
    expect(tree(dir)).toEqual(before);
  });
});

const redisRequired = REDIS_REQUIRED || REDIS_AVAILABLE;
describe.runIf(redisRequired)('secrets and databases on a real Redis', () => {
  const servers: RedisServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.dispose();
  });

  it('a password with an unencoded "@" works and never shows, in any line the worker prints', async () => {
    const password = 'se@cr3t-pa55';
    const redis = await RedisServer.start({ password });
    servers.push(redis);
    const dir = workDir('at-password');
    const child = spawn(process.execPath, [BIN, 'worker', '--queue', `redis://:${password}@127.0.0.1:${redis.port}`], { cwd: dir, env: ENV });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (output += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (output += s));
    for (let k = 0; k < 200 && !output.includes('waiting for sweeps'); k++) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGTERM');
    await new Promise((r) => child.on('exit', r));
    expect(output).toContain(`waiting for sweeps on redis://127.0.0.1:${redis.port}`);
    for (const part of ['se@', 'cr3t', 'pa55']) expect(output).not.toContain(part);
  }, 30_000);

  it('a database the server lacks exits 2 within 10 s, naming what it has', async () => {
    const redis = await RedisServer.start({ password: 'db-secret' });
    servers.push(redis);
    const dir = workDir('db99');
    const started = Date.now();
    const r = await p2pmarket(['worker', '--queue', `redis://:db-secret@127.0.0.1:${redis.port}/99`], dir, ENV);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.code).toBe(2);
    expect(unwrap(r.stderr)).toMatch(new RegExp(`error: redis://127\\.0\\.0\\.1:${redis.port}/99: the server has no database 99 \\(it has 16: /0 to /15\\)`));
    expect(r.stderr + r.stdout).not.toContain('db-secret');
  }, 30_000);
});
