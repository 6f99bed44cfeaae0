/**
 * The command line as users meet it (contract.md): the real `bin/p2pmarket.js` is spawned in
 * a fresh temporary working directory, so nothing is ever written into the repository.
 *
 * - bad input exits 2 with one message naming the file and the field, no stack trace, and
 *   nothing written to --out;
 * - an over-constrained market exits 3 and names the conflicting constraints in domain words;
 * - `clear --json` prints the contract's document; `clear --out` writes the contract's CSVs;
 * - help, unknown commands and options, and the linear-only backend on a quadratic market.
 *
 * Each spawn costs ~0.5–1 s of tsx start-up, so the children are spawned asynchronously and
 * the independent cases run with `it.concurrent` (spawnSync would block the worker and
 * serialise them).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ClearingResult } from '../src/market/result.ts';
import type { ScenarioInput } from '../src/scenario/schema.ts';
import { p2pmarket, ROOT, STACK_TRACE, temporaryFolder, unwrap, type Run } from './helpers/cli.ts';

const SEED_FILE = join(ROOT, 'scenarios', 'seed-4node.json');
const SEED_TEXT = readFileSync(SEED_FILE, 'utf8');
const SEED_OBJECTIVE = 89698.003;

// ---------------------------------------------------------------------------------------
// Helpers

const { workDir } = temporaryFolder('p2pmarket-cli-');

/** A deep copy of the seed scenario, to change one thing in. */
const seed = (): ScenarioInput => JSON.parse(SEED_TEXT) as ScenarioInput;
/** For the changes the scenario type rightly forbids (missing, mistyped or unknown fields). */
const loose = (v: object) => v as Record<string, unknown>;

/** JSON text of a scenario; `Infinity` is written as `1e999`, which JSON.parse reads back as Infinity. */
function scenarioText(s: ScenarioInput): string {
  const marker = '\u0000infinity';
  return JSON.stringify(s, (_key, v: unknown) => (v === Infinity ? marker : v), 2).replaceAll(`"${marker}"`, '1e999');
}

/** One message, no stack trace, no uncaught-exception header. */
function expectNoStackTrace(r: Run) {
  const output = r.stderr + r.stdout;
  expect(output).not.toMatch(STACK_TRACE);
  expect(output).not.toMatch(/\b\w*Error:/);
  expect(output).not.toMatch(/^Node\.js v\d+/m);
}

/** A run folder's files, without its manifest. */
const runFiles = (dir: string) => readdirSync(dir).filter((n) => n !== '.p2pmarket-run.json').sort();

/** The output folder was not created, or is empty. */
function expectNothingWritten(out: string) {
  if (existsSync(out)) expect(readdirSync(out)).toEqual([]);
}

/** Some line of stderr names the file together with every `fields` entry. */
function expectNamed(stderr: string, file: string, fields: string[]) {
  const lines = stderr.split('\n').filter((line) => line.includes(file));
  expect(lines, `no line of stderr names ${file}:\n${stderr}`).not.toEqual([]);
  for (const field of fields) {
    expect(
      lines.some((line) => line.includes(field)),
      `no line of stderr names both ${file} and ${field}:\n${stderr}`,
    ).toBe(true);
  }
}

// ---------------------------------------------------------------------------------------
// 1. Bad input: exit 2, the file and the field named, no stack trace, nothing written.

interface BadCase {
  /** Also the file's name (`<name>.json`). */
  name: string;
  /** One change to the seed scenario … */
  mutate?: (s: ScenarioInput) => void;
  /** … or the file's raw text (from the seed's text), or `null`: no file at all. */
  text?: ((seedText: string) => string) | null;
  /** Field paths (or names) the message must give on the line that names the file. */
  fields: string[];
  /** What the message must say about the problem, in words. */
  says: RegExp;
  /** What it must not say (a wrong explanation). */
  saysNot?: RegExp;
  /** A known bug in src/: the wording test is expected to fail until it is fixed. */
}

const badCases: BadCase[] = [
  { name: 'truncated-json', text: (t) => t.slice(0, Math.floor(t.length / 2)), fields: [], says: /malformed JSON/ },
  {
    name: 'trailing-comma',
    text: (t) => t.replace('"maxKw": 100 },', '"maxKw": 100, },'),
    fields: [],
    says: /malformed JSON.*(position|line) \d+/,
  },
  { name: 'missing-file', text: null, fields: [], says: /not found/ },
  {
    name: 'unknown-top-level-field',
    mutate: (s) => void (loose(s).stepHour = 4),
    fields: ['stepHour'],
    says: /unknown field/,
  },
  {
    name: 'unknown-nested-field',
    mutate: (s) => {
      const battery = loose(s.prosumers[0]!.battery!);
      battery.maxChargKw = battery.maxChargeKw;
      delete battery.maxChargeKw;
    },
    fields: ['prosumers[0].battery', 'maxChargKw'],
    says: /unknown field "maxChargKw"/,
  },
  {
    name: 'missing-steps',
    mutate: (s) => void delete loose(s).steps,
    fields: ['steps'],
    says: /required|missing/,
  },
  {
    name: 'missing-prosumer-bus',
    mutate: (s) => void delete loose(s.prosumers[0]!).bus,
    fields: ['prosumers[0].bus'],
    says: /required|missing/,
  },
  {
    name: 'schedule-length',
    mutate: (s) => void s.prosumers[1]!.scheduleKw.pop(),
    fields: ['prosumers[1].scheduleKw'],
    says: /3 entries.*4 steps/,
  },
  {
    name: 'target-length',
    mutate: (s) => void s.utility.targetKw!.push(0),
    fields: ['utility.targetKw'],
    says: /5 entries.*4 steps/,
  },
  {
    name: 'non-finite-number',
    mutate: (s) => void (s.prosumers[2]!.scheduleKw[1] = Infinity),
    fields: ['prosumers[2].scheduleKw[1]'],
    says: /finite|Infinity|too large/i,
    saysNot: /missing/,
  },
  {
    name: 'initial-soc-outside-range',
    mutate: (s) => void (s.prosumers[1]!.battery!.initialKwh = 13),
    fields: ['prosumers[1].battery.initialKwh'],
    says: /outside \[10, 12\]/,
  },
  {
    name: 'min-soc-above-max',
    mutate: (s) => void (s.prosumers[2]!.battery!.minKwh = 30),
    fields: ['prosumers[2].battery.minKwh'],
    says: /exceeds maxKwh/,
  },
  {
    name: 'unknown-bus',
    mutate: (s) => void (s.prosumers[0]!.bus = '9'),
    fields: ['prosumers[0].bus'],
    says: /unknown bus "9"/,
  },
  {
    name: 'duplicate-prosumer-id',
    mutate: (s) => void (s.prosumers[2]!.id = 'p1'),
    fields: ['prosumers[2].id'],
    says: /duplicate id "p1"/,
  },
  {
    // 1→2→3→1: every bus has one parent, but the slack feeds none of them.
    name: 'loop',
    mutate: (s) => void (s.network.lines[0] = { from: '3', to: '1', rOhm: 1, xOhm: 1 }),
    fields: ['network.lines'],
    says: /loop/,
  },
  {
    name: 'island',
    mutate: (s) => void s.network.buses.push('4'),
    fields: ['network.lines', '"4"'],
    says: /island/,
  },
  {
    name: 'two-parents',
    mutate: (s) => void s.network.lines.push({ from: '0', to: '2', rOhm: 1, xOhm: 1 }),
    fields: ['network.lines[3].to'],
    says: /two parents/,
  },
  {
    name: 'non-positive-impedance',
    mutate: (s) => {
      s.network.lines[0]!.rOhm = 0;
      s.network.lines[1]!.xOhm = -1;
    },
    fields: ['network.lines[0].rOhm', 'network.lines[1].xOhm'],
    says: />\s*0|positive/,
  },
  {
    name: 'zero-step-hours',
    mutate: (s) => void (s.stepHours = 0),
    fields: ['stepHours'],
    says: />\s*0|positive/,
  },
  {
    name: 'string-step-hours',
    mutate: (s) => void (loose(s).stepHours = '4'),
    fields: ['stepHours'],
    says: /number/,
    saysNot: /missing/,
  },
];

describe('bad input', () => {
  /** One spawn per case, shared by the case's tests. */
  const runs = new Map<string, Promise<Run & { out: string; file: string }>>();
  const runCase = (c: BadCase) => {
    let run = runs.get(c.name);
    if (!run) {
      const dir = workDir(c.name);
      const file = `${c.name}.json`;
      if (c.text !== null) writeFileSync(join(dir, file), c.text ? c.text(SEED_TEXT) : mutated(c));
      const out = join(dir, 'out');
      run = p2pmarket(['clear', file, '--out', out], dir).then((r) => ({ ...r, out, file }));
      runs.set(c.name, run);
    }
    return run;
  };
  const mutated = (c: BadCase) => {
    const s = seed();
    c.mutate!(s);
    return scenarioText(s);
  };

  it.concurrent.each(badCases)('$name: exits 2 naming the file and the field, cleanly', async (c) => {
    const r = await runCase(c);
    expect(r.code, r.stderr).toBe(2);
    expectNamed(r.stderr, r.file, c.fields);
    expectNoStackTrace(r);
    expect(r.stdout).toBe('');
    expectNothingWritten(r.out);
  });

  for (const c of badCases) {
    it.concurrent(`${c.name}: says what is wrong`, async () => {
      const r = await runCase(c);
      expect(unwrap(r.stderr)).toMatch(c.says);
      if (c.saysNot) expect(r.stderr).not.toMatch(c.saysNot);
    });
  }

  it.concurrent('control: the unchanged seed, written the same way, is accepted', async () => {
    const dir = workDir('seed-check');
    writeFileSync(join(dir, 'seed.json'), scenarioText(seed()));
    const r = await p2pmarket(['clear', 'seed.json', '--json', '--out', join(dir, 'out')], dir);
    expect(r.code, r.stderr).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------
// 2. An over-constrained market: exit 3, the conflicting constraints in domain words.

describe('an infeasible market', () => {
  /** p1 must inject ≥ 30 kW, but its schedule (≤ 18.6 kW) plus full discharge (7.5 kW) cannot. */
  const write = () => {
    const s = seed();
    s.prosumers[0]!.minInjectionKw = 30;
    const dir = workDir('infeasible');
    writeFileSync(join(dir, 'infeasible.json'), scenarioText(s));
    return dir;
  };

  it.concurrent('exits 3 and names the conflicting constraints', async () => {
    const dir = write();
    const out = join(dir, 'out');
    const r = await p2pmarket(['clear', 'infeasible.json', '--out', out], dir);
    expect(r.code, r.stderr).toBe(3);
    expect(unwrap(r.stderr)).toMatch(/infeasible/);
    expect(unwrap(r.stderr)).toMatch(/net injection of p1\b.*minimum injection/);
    expect(unwrap(r.stderr)).toMatch(/battery of p1\b.*maximum discharge/);
    expect(r.stderr).not.toMatch(/\b(row|col(umn)?)\s*\d+/i);
    expectNoStackTrace(r);
    expectNothingWritten(out);
  });

  it.concurrent('with --json: exits 3, prints status "infeasible" and the diagnosis', async () => {
    const dir = write();
    const out = join(dir, 'out');
    const r = await p2pmarket(['clear', 'infeasible.json', '--json', '--out', out], dir);
    expect(r.code, r.stderr).toBe(3);
    const doc = JSON.parse(r.stdout) as ClearingResult;
    expect(doc.status).toBe('infeasible');
    expect(doc.diagnosis?.conflicts.length).toBeGreaterThan(0);
    expect(doc.diagnosis!.conflicts.some((c) => /net injection of p1\b/.test(c))).toBe(true);
    expect(unwrap(r.stderr)).toContain('infeasible.json');
    expectNoStackTrace(r);
    expectNothingWritten(out);
  });
});

// ---------------------------------------------------------------------------------------
// 3. `clear --json` on the seed.

describe('clear --json on the seed', () => {
  it.concurrent('prints the contract document', async () => {
    const dir = workDir('seed-json');
    const r = await p2pmarket(['clear', SEED_FILE, '--json', '--out', join(dir, 'out')], dir);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as ClearingResult;

    expect(doc.scenario).toBe('seed-4node');
    expect(doc.status).toBe('optimal');
    expect(doc.objective).toBeTypeOf('number');
    expect(Math.abs(doc.objective! - SEED_OBJECTIVE)).toBeLessThan(0.01);
    const terms = doc.objectiveTerms!;
    for (const term of ['requestTracking', 'tradeVolume', 'tieBreak'] as const) expect(terms[term]).toBeTypeOf('number');
    // The objective is the sum of the terms, tie-break excluded.
    const sum = Object.entries(terms).reduce((s, [k, v]) => (k === 'tieBreak' ? s : s + v), 0);
    expect(doc.objective!).toBeCloseTo(sum, 6);
    expect(doc.solveMs).toBeTypeOf('number');
    expect(doc.solveMs).toBeGreaterThanOrEqual(0);

    const scenario = seed();
    expect(doc.steps).toHaveLength(scenario.steps);
    doc.steps.forEach((step, t) => {
      expect(step.t).toBe(t);
      expect(step.startHour).toBe(t * scenario.stepHours);
      expect(step.hours).toBe(scenario.stepHours);
      expect(Number.isFinite(step.utilityReceiptKw)).toBe(true);

      expect(step.agents.map((a) => [a.id, a.bus])).toEqual(scenario.prosumers.map((p) => [p.id, p.bus]));
      step.agents.forEach((a, k) => {
        expect(a.scheduleKw).toBe(scenario.prosumers[k]!.scheduleKw[t]);
        for (const field of ['netInjectionKw', 'batteryKw', 'socStartKwh', 'socEndKwh', 'voltagePu'] as const) {
          expect(Number.isFinite(a[field]), `step ${t} ${a.id}.${field} = ${a[field]}`).toBe(true);
        }
      });

      const ids = new Set(['utility', ...step.agents.map((a) => a.id)]);
      const pairs = new Set<string>();
      const net = new Map<string, number>();
      for (const trade of step.trades) {
        expect(ids.has(trade.from) && ids.has(trade.to) && trade.from !== trade.to, JSON.stringify(trade)).toBe(true);
        expect(trade.kw).toBeGreaterThan(0);
        expect(trade.price).toBeTypeOf('number');
        const pair = [trade.from, trade.to].sort().join('|');
        expect(pairs.has(pair), `step ${t}: pair ${pair} traded twice`).toBe(false);
        pairs.add(pair);
        net.set(trade.from, (net.get(trade.from) ?? 0) + trade.kw);
        net.set(trade.to, (net.get(trade.to) ?? 0) - trade.kw);
      }
      // What each agent sells minus what it buys is its net injection; the utility receives the rest.
      for (const a of step.agents) expect(net.get(a.id) ?? 0).toBeCloseTo(a.netInjectionKw, 6);
      expect(-(net.get('utility') ?? 0)).toBeCloseTo(step.utilityReceiptKw, 6);
    });
  });
});

// ---------------------------------------------------------------------------------------
// 4. `clear --out`: the contract's files, atomically, reproducibly.

describe('colours', () => {
  it.concurrent('appear only on a terminal: not in a pipe, even where CI is set', async () => {
    const dir = workDir('colours');
    const env: NodeJS.ProcessEnv = { ...process.env, CI: '1' };
    delete env.NO_COLOR;
    delete env.FORCE_COLOR;
    const piped = await p2pmarket(['clear', SEED_FILE, '--out', join(dir, 'a')], dir, env);
    expect(piped.code).toBe(0);
    expect(unwrap(piped.stdout)).toContain('seed-4node');
    expect(piped.stdout).not.toContain('\u001b[');
    const forced = await p2pmarket(['clear', SEED_FILE, '--out', join(dir, 'b')], dir, { ...env, FORCE_COLOR: '1' });
    expect(unwrap(forced.stdout)).toContain('\u001b[');
  });
});

describe('clear --out on the seed', () => {
  it.concurrent('writes the contract CSVs and result.json, and the same traces twice', async () => {
    const dir = workDir('seed-files');
    const out = join(dir, 'run');
    const read = (name: string) => readFileSync(join(out, name), 'utf8');

    const first = await p2pmarket(['clear', SEED_FILE, '--out', out], dir);
    expect(first.code, first.stderr).toBe(0);
    expectNoStackTrace(first);
    expect(runFiles(out)).toEqual(['buses.csv', 'lines.csv', 'nodal-prices.csv', 'result.json', 'runs.csv', 'scenario.json', 'settlement.csv', 'steps.csv', 'trades.csv']);

    const lines = (name: string) => read(name).trimEnd().split(/\r?\n/);
    expect(lines('runs.csv')[0]).toBe('run,status,objective,solveMs');
    expect(lines('steps.csv')[0]).toBe('run,t,startHour,agent,scheduleKw,netInjectionKw,batteryKw,socStartKwh,socEndKwh,voltagePu,marginalPricePerKwh');
    expect(lines('trades.csv')[0]).toBe('run,t,from,to,kw,pricePerKwh,feePerKwh,preferencePerKwh');
    expect(lines('nodal-prices.csv')[0]).toBe('run,t,startHour,bus,voltagePu,nodalPricePerKwh');
    expect(lines('settlement.csv')).toHaveLength(1 + 4 * 4); // 4 steps × (utility + 3 prosumers)
    expect(lines('runs.csv')).toHaveLength(2);
    expect(lines('runs.csv')[1]).toMatch(/^0,optimal,89698\.00\d*,[\d.]+$/);
    expect(lines('steps.csv')).toHaveLength(1 + 12); // 4 steps × 3 prosumers
    expect(lines('trades.csv').length).toBeGreaterThan(1);
    expect(lines('steps.csv').slice(1).every((l) => l.startsWith('0,'))).toBe(true);
    expect(lines('trades.csv').slice(1).every((l) => l.startsWith('0,'))).toBe(true);
    const doc = JSON.parse(read('result.json')) as ClearingResult;
    expect(doc.status).toBe('optimal');
    // The scenario as run, its defaults filled in.
    const asRun = JSON.parse(read('scenario.json')) as ScenarioInput;
    expect(asRun.name).toBe('seed-4node');
    expect(asRun.market?.tieBreak).toBe('quadratic');
    expect(Math.abs(doc.objective! - SEED_OBJECTIVE)).toBeLessThan(0.01);

    const steps = read('steps.csv');
    const trades = read('trades.csv');
    const settlement = read('settlement.csv');
    const second = await p2pmarket(['clear', SEED_FILE, '--out', out], dir);
    expect(second.code, second.stderr).toBe(0);
    expect(runFiles(out)).toEqual(['buses.csv', 'lines.csv', 'nodal-prices.csv', 'result.json', 'runs.csv', 'scenario.json', 'settlement.csv', 'steps.csv', 'trades.csv']);
    expect(readdirSync(out).filter((n) => n.startsWith('.partial-'))).toEqual([]);
    expect(read('steps.csv')).toBe(steps);
    expect(read('trades.csv')).toBe(trades);
    expect(read('settlement.csv')).toBe(settlement);
  });

  it.concurrent("leaves a user's files in its run folder alone, and refuses a folder that is not a run's", async () => {
    const dir = workDir('seed-keep');
    const out = join(dir, 'run');
    mkdirSync(out);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    const refused = await p2pmarket(['clear', SEED_FILE, '--out', out, '--quiet'], dir);
    expect(refused.code).toBe(2);
    expect(unwrap(refused.stderr)).toMatch(/holds files p2pmarket did not write \("notes\.txt"\)/);
    expect(readdirSync(out)).toEqual(['notes.txt']);
    const mine = join(dir, 'run2');
    expect((await p2pmarket(['clear', SEED_FILE, '--out', mine, '--quiet'], dir)).code).toBe(0);
    writeFileSync(join(mine, 'notes.txt'), 'mine');
    const r = await p2pmarket(['clear', SEED_FILE, '--out', mine, '--quiet'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(runFiles(mine)).toEqual(['buses.csv', 'lines.csv', 'nodal-prices.csv', 'notes.txt', 'result.json', 'runs.csv', 'scenario.json', 'settlement.csv', 'steps.csv', 'trades.csv']);
    expect(readFileSync(join(mine, 'notes.txt'), 'utf8')).toBe('mine');
  });
});

// ---------------------------------------------------------------------------------------
// 5. Usage.

describe('usage', () => {
  it.concurrent('--help exits 0 and lists clear', async () => {
    const r = await p2pmarket(['--help'], workDir('help'));
    expect(r.code, r.stderr).toBe(0);
    expect(unwrap(r.stdout)).toMatch(/\bclear\b/);
  });

  it.concurrent('clear --help shows an example', async () => {
    const r = await p2pmarket(['clear', '--help'], workDir('clear-help'));
    expect(r.code, r.stderr).toBe(0);
    expect(unwrap(r.stdout)).toMatch(/Example/i);
    expect(unwrap(r.stdout)).toMatch(/p2pmarket clear \S+\.json/);
  });

  const usageErrors: { name: string; args: string[]; says: RegExp }[] = [
    { name: 'an unknown command', args: ['frobnicate', SEED_FILE], says: /unknown command 'frobnicate'/ },
    { name: 'an unknown option', args: ['clear', SEED_FILE, '--frobnicate'], says: /unknown option '--frobnicate'/ },
    { name: 'an unknown solver', args: ['clear', SEED_FILE, '--solver', 'cplex'], says: /cplex/ },
    { name: 'a missing scenario argument', args: ['clear'], says: /scenario/ },
  ];
  it.concurrent.each(usageErrors)('$name exits 2 with a usage message', async ({ args, says }) => {
    const dir = workDir('usage');
    const r = await p2pmarket([...args, '--out', join(dir, 'out')], dir);
    expect(r.code, r.stderr).toBe(2);
    expect(unwrap(r.stderr)).toMatch(says);
    expectNoStackTrace(r);
    expectNothingWritten(join(dir, 'out'));
  });

  it.concurrent('--solver lp-solver on the quadratic seed exits 2: linear problems only', async () => {
    const dir = workDir('lp-solver');
    const out = join(dir, 'out');
    const r = await p2pmarket(['clear', SEED_FILE, '--solver', 'lp-solver', '--out', out], dir);
    expect(r.code, r.stderr).toBe(2);
    expect(unwrap(r.stderr)).toContain(SEED_FILE);
    expect(unwrap(r.stderr)).toMatch(/javascript-lp-solver/);
    expect(unwrap(r.stderr)).toMatch(/linear problems only/);
    expectNoStackTrace(r);
    expectNothingWritten(out);
  });
});
