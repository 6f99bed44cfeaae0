/**
 * What the commands print (issue 16): nothing wider than 120 columns, a one-screen summary for
 * large feeders with the files named (every table with --verbose), and money named for what
 * it is — shadow prices in objective units where the objective holds no money, no settlement
 * in currency then, and a word when the objective holds nothing.
 *
 * The width is checked on every command and its --help: on the bundled scenarios, on scenarios
 * whose agents and buses have ids of 60 characters, and on bad inputs in a deep folder that make
 * long errors and warnings. Ids that differ only at their end stay apart in the tables, and a
 * table split to fit repeats its key columns.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { clip } from '../src/output/fit-text.ts';
import { fitTable, fitText, visibleWidth, wrap } from '../src/output/terminal.ts';
import { objectiveKind } from '../src/market/money.ts';
import { p2pmarket, ROOT, temporaryFolder, unwrap, type Run } from './helpers/cli.ts';

const { workDir } = temporaryFolder('p2pmarket-terminal-');
const scenario = (name: string) => join(ROOT, 'scenarios', `${name}.json`);
const widest = (text: string) => Math.max(...text.split('\n').map(visibleWidth));

describe('fitTable and wrap', () => {
  it('splits a table wider than the page into parts that each repeat the key column, losing no cell', () => {
    const head = ['agent', ...Array.from({ length: 30 }, (_, k) => `column ${k}`)];
    const rows = ['a', 'b', 'c'].map((id) => [id, ...Array.from({ length: 30 }, (_, k) => `${id}${k * 1000}`)]);
    const text = fitTable(head, rows);
    expect(widest(text)).toBeLessThanOrEqual(120);
    const parts = text.split('\n').filter((l) => l.startsWith('│ agent'));
    expect(parts.length).toBeGreaterThan(1);
    for (const row of rows) for (const cell of row.slice(1)) expect(text).toContain(` ${cell} `);
    // A table that fits is one table, as drawn.
    expect(fitTable(['a', 'b'], [['1', '2']]).split('\n').filter((l) => l.startsWith('│ a')).length).toBe(1);
  });

  it('wraps prose at spaces within the width, with an indent', () => {
    const line = Array.from({ length: 60 }, (_, k) => `word${k}`).join(' ');
    const text = wrap(line, '  ', 50);
    expect(widest(text)).toBeLessThanOrEqual(50);
    expect(text.replace(/\n {2}/g, ' ')).toBe(line);
  });
});

describe('the fitting of text and tables', () => {
  const path = `/srv/${'project-folder/'.repeat(4)}scenarios/a-feeder-with-a-long-name.json`; // 103 characters

  it('keeps a path whole on the next line where it fits, and breaks one wider than a line after a "/"', () => {
    const text = wrap(`error: ${'a message of some words '.repeat(3)}about ${path}: and what is wrong with it, at length`);
    expect(text.split('\n').every((line) => [...line].length <= 120)).toBe(true);
    expect(text.split('\n')[1]!.startsWith(`  ${path}: `)).toBe(true); // whole, on the next line
    const deeper = `/srv/${'a-much-deeper-project-folder/'.repeat(6)}feeder.json`; // 191 characters
    const broken = wrap(`error: ${deeper}: is not a file`).split('\n');
    expect(broken.map((line) => [...line].length).every((n) => n <= 120)).toBe(true);
    expect(broken[0]).toMatch(/^error: \/srv\/.*\/$/); // broken after a "/"
    expect(broken[1]).toMatch(/^ {2}a-much-deeper-project-folder\//);
    expect(broken[0]! + broken.slice(1).map((line) => line.slice(2)).join('')).toBe(`error: ${deeper}: is not a file`); // nothing lost
  });

  it('continues a line with its own indent and two more; lines that fit are left alone, a table\'s among them', () => {
    const item = `  - ${'a conflicting constraint named at length, '.repeat(5)}`;
    const lines = fitText(`head line\n${item}\n└──┘`).split('\n');
    expect(lines[0]).toBe('head line');
    expect(lines[1]).toMatch(/^ {2}- a conflicting/);
    expect(lines.slice(2, -1).every((line) => /^ {4}\S/.test(line))).toBe(true);
    expect(lines.at(-1)).toBe('└──┘');
    expect(unwrap(lines.join('\n'))).toBe(`head line\n${item.trimEnd()}\n└──┘`);
  });

  it('cuts a line redrawn in place (a progress bar) at 120 columns, keeping its colours', () => {
    const bar = `\u001b[32m${'█'.repeat(100)}\u001b[39m ${'a long progress message '.repeat(3)}`;
    const cut = clip(bar);
    expect(visibleWidth(cut)).toBe(120);
    expect(cut.startsWith(`\u001b[32m${'█'.repeat(100)}\u001b[39m a long`)).toBe(true);
    expect(clip('short')).toBe('short');
  });

  it('tells apart ids that share their first 50 characters, and numbers ids that would still look alike', () => {
    const prefix = 'prosumer-with-a-very-long-identifier-from-a-gis-ex'; // 50 characters
    const ids = [`${prefix}port-0001`, `${prefix}port-0002`];
    const text = fitTable(['agent', 'kW'], ids.map((id, k) => [id, k]));
    const shown = text.split('\n').filter((line) => line.includes(prefix.slice(0, 10))).map((line) => line.split('│')[1]!.trim());
    expect(shown).toHaveLength(2);
    expect(new Set(shown).size).toBe(2);
    expect(shown[0]).toMatch(/^prosumer-with….*-0001$/);
    expect(shown[1]).toMatch(/^prosumer-with….*-0002$/);
    // Ids alike at both ends, differing in the middle: numbered, and listed in full below the table.
    const middle = [`${'north-'.repeat(4)}A${'-feeder'.repeat(5)}`, `${'north-'.repeat(4)}B${'-feeder'.repeat(5)}`];
    const numbered = fitTable(['agent', 'kW'], middle.map((id, k) => [id, k])).split('\n');
    expect(numbered.filter((line) => /^│ north-.*….* \[[12]\] +│/.test(line))).toHaveLength(2);
    expect(numbered.slice(-2)).toEqual([`[1] ${middle[0]}`, `[2] ${middle[1]}`]);
  });

  it('repeats every key column in each part of a table split to fit', () => {
    const head = ['t', 'agent', ...Array.from({ length: 12 }, (_, k) => `quantity ${k} kW`)];
    const rows = [0, 1].flatMap((t) => ['p1', 'p2'].map((agent) => [t, agent, ...Array.from({ length: 12 }, (_, k) => (k * 1.5).toFixed(3))]));
    const text = fitTable(head, rows, { keys: 2 });
    const heads = text.split('\n').filter((line) => line.includes('quantity'));
    expect(heads.length).toBeGreaterThan(1);
    for (const line of heads) expect(line).toMatch(/^│ t │ agent │ quantity/);
  });
});

/** Lines (by code points) wider than 120 characters in what a run printed for a person. */
function tooWide(run: Run, stdoutIsData = false): string[] {
  const text = stdoutIsData ? run.stderr : `${run.stdout}\n${run.stderr}`;
  return text.split('\n').filter((line) => [...line].length > 120);
}

describe('nothing printed is wider than 120 characters', () => {
  const dir = workDir('widths');
  // A project in a deep folder: every message naming a file is long.
  const deep = join(dir, 'a-project-folder-with-a-rather-long-name', 'scenarios-of-feeders-exported-from-the-gis');
  const at = (file: string) => join(deep, file);
  const bundled = (name: string) => scenario(name);
  const matpower = (name: string) => join(ROOT, 'data', 'matpower', `${name}.m`);

  /** A bundled scenario whose prosumers and buses have ids of 60 characters, the first 50 shared. */
  function withLongIds(name: string): string {
    const raw = JSON.parse(readFileSync(scenario(name), 'utf8')) as { $schema?: string; network: { buses: string[] }; prosumers: { id: string }[] };
    delete raw.$schema;
    const ids = new Map<string, string>([
      ...raw.prosumers.map((p, k): [string, string] => [p.id, `prosumer-with-a-very-long-identifier-from-a-gis-export-${String(k).padStart(4, '0')}`]),
      ...raw.network.buses.map((b, k): [string, string] => [b, `substation-feeder-section-of-a-long-gis-identifier-bus-${String(k).padStart(4, '0')}`]),
    ]);
    const rename = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(rename)
        : v !== null && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [ids.get(k) ?? k, rename(x)]))
          : typeof v === 'string' ? (ids.get(v) ?? v) : v;
    const file = at(`${name}-long-ids.json`);
    writeFileSync(file, JSON.stringify(rename(raw), null, 2));
    return file;
  }

  beforeAll(() => {
    mkdirSync(deep, { recursive: true });
    for (const name of ['seed-4node', 'seed-bids', 'seed-time-horizons']) withLongIds(name);
    // Every unit-slip warning at once.
    interface Slips { stepHours: number; network: { baseKv: number; vMaxPu: number; lines: { rOhm: number }[]; loads?: unknown[] }; utility: { tariff: { sellPerKwh: number } } }
    const slips = JSON.parse(readFileSync(scenario('seed-bids'), 'utf8')) as Slips;
    slips.network.baseKv = 10_000;
    slips.network.vMaxPu = 1.3;
    slips.network.lines[0]!.rOhm = 135;
    slips.network.loads = [{ bus: '3', injectionKw: 150_000 }];
    slips.utility.tariff.sellPerKwh = 300;
    slips.stepHours = 60;
    writeFileSync(at('unit-slips.json'), JSON.stringify(slips));
    // Many problems at once.
    writeFileSync(at('broken.json'), JSON.stringify({ ...slips, steps: -1, stepHours: 'four', network: { ...slips.network, lines: [{ from: 'nowhere', to: 'elsewhere' }] }, prosumers: [{ id: 'p', bus: 'x', batery: {} }] }));
    writeFileSync(at('sweep.json'), JSON.stringify({ name: 'a-sweep', scenario: 'a-scenario-that-is-not-there-under-a-long-name.json', parameters: [{ path: 'utility.targetKw[2]', from: 0, to: 1, step: 0.5 }] }));
  });

  const commands = ['', 'clear', 'simulate', 'replay', 'sweep', 'worker', 'sweeps', 'powerflow', 'import', 'import matpower', 'import profile', 'plot', 'init', 'validate', 'schema'];
  it.concurrent.each(commands)('p2pmarket %s --help', async (command) => {
    const run = await p2pmarket([...command.split(' ').filter(Boolean), '--help'], dir);
    expect(run.code).toBe(0);
    expect(tooWide(run)).toEqual([]);
  });

  // [label, arguments, exit code, stdout is data]
  const runs: [string, string[], number, boolean?][] = [
    ['validate every bundled scenario', ['validate', ...readdirSync(join(ROOT, 'scenarios')).filter((f) => f.endsWith('.json')).map((f) => join(ROOT, 'scenarios', f))], 0],
    ['clear the seed', ['clear', bundled('seed-4node'), '--out', 'seed'], 0],
    ['clear the 33-bus base case', ['clear', bundled('ieee33-base'), '--out', 'base'], 0],
    ['sweep the constraint study', ['sweep', bundled('constraint-sweep'), '--out', 'sweep'], 0],
    ['powerflow of the 33-bus day', ['powerflow', bundled('ieee33-day'), '--out', 'pf-day'], 0],
    ['the schema', ['schema'], 0, true],
    ['init', ['init', at('a-starting-scenario-with-a-long-name.json')], 0],
    ['import a feeder', ['import', 'matpower', matpower('case33bw'), '--out', at('case33bw.json')], 0],
    ['import a profile', ['import', 'profile', join(ROOT, 'data', 'profiles', 'bdew-h25-household.csv'), '--year', '2016', '--annual-kwh', '3500', '--dynamic', '--holidays', 'DE', '--out', at('a-household-profile-with-a-long-name.csv')], 0],
    ['import a case with shunts (refused)', ['import', 'matpower', matpower('case18'), '--out', at('case18.json')], 2],
    ['import a case with shunts dropped (warnings)', ['import', 'matpower', matpower('case18'), '--drop-unsupported'], 0, true],
    ['import a case with r = 0 (refused)', ['import', 'matpower', matpower('case141')], 2],
    ['sweeps on a Redis that is not there', ['sweeps', '--queue', 'redis://127.0.0.1:1'], 2],
    ['worker on a Redis that is not there', ['worker', '--queue', 'redis://127.0.0.1:1'], 2],
    ['clear with 60-character ids', ['clear', at('seed-bids-long-ids.json'), '--out', 'long-bids'], 0],
    ['clear with 60-character ids, every table', ['clear', at('seed-4node-long-ids.json'), '--out', 'long-seed', '--verbose'], 0],
    ['powerflow with 60-character ids', ['powerflow', at('seed-bids-long-ids.json'), '--out', 'long-pf'], 0],
    ['validate with 60-character ids', ['validate', at('seed-bids-long-ids.json'), at('seed-time-horizons-long-ids.json')], 0],
    ['validate every unit slip', ['validate', at('unit-slips.json')], 0],
    ['powerflow with every unit slip', ['powerflow', at('unit-slips.json'), '--out', 'slips'], 0],
    ['validate a file with many problems', ['validate', at('broken.json')], 2],
    ['clear a file with many problems', ['clear', at('broken.json')], 2],
    ['a sweep of a missing scenario', ['sweep', at('sweep.json')], 2],
    ['a bad option value', ['clear', bundled('seed-4node'), '--time-limit', 'a-while-longer-than-usual-please'], 2],
    ['an unknown option', ['simulate', bundled('seed-4node'), '--a-very-long-option-name-that-p2pmarket-does-not-know-of-at-all'], 2],
    ['a bad profile table', ['import', 'profile', at('unit-slips.json'), '--year', '2016', '--annual-kwh', '3500'], 2],
  ];
  it.concurrent.each(runs)('%s', async (_label, args, code, stdoutIsData) => {
    const run = await p2pmarket(args, dir);
    expect(run.code, run.stderr).toBe(code);
    expect(tooWide(run, stdoutIsData)).toEqual([]);
  });

  it.concurrent('simulate, replay and plot, with 60-character ids: the realised steps name t and the agent in every part', async () => {
    const simulated = await p2pmarket(['simulate', at('seed-time-horizons-long-ids.json'), '--out', 'long-sim'], dir);
    expect(simulated.code, simulated.stderr).toBe(0);
    expect(tooWide(simulated)).toEqual([]);
    const realised = simulated.stdout.slice(simulated.stdout.indexOf('Realised steps'), simulated.stdout.indexOf('\nUtility'));
    const heads = realised.split('\n').filter((line) => line.startsWith('│ t '));
    expect(heads.length).toBeGreaterThan(1);
    for (const head of heads) expect(head).toMatch(/^│ t │ agent +│/);
    // Three prosumers, told apart in every part: the ids' ends are kept.
    const agents = new Set(realised.split('\n').filter((line) => /^│ \d+ │/.test(line)).map((line) => line.split('│')[2]!.trim()));
    expect([...agents].map((id) => id.slice(-4)).sort()).toEqual(['0000', '0001', '0002']);
    const [replayed, plotted] = await Promise.all([
      p2pmarket(['replay', join(dir, 'long-sim', 'requests.csv'), '--scenario', at('seed-time-horizons-long-ids.json'), '--out', 'long-replay'], dir),
      p2pmarket(['plot', 'long-sim'], dir),
    ]);
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(tooWide(replayed)).toEqual([]);
    expect(plotted.code, plotted.stderr).toBe(0);
    expect(tooWide(plotted)).toEqual([]);
  });

  it.concurrent('clear with 60-character ids: ids sharing 50 characters stay apart in every table', async () => {
    const run = await p2pmarket(['clear', at('seed-bids-long-ids.json'), '--out', 'long-apart'], dir);
    expect(run.code, run.stderr).toBe(0);
    const rows = run.stdout.split('\n').filter((line) => line.startsWith('│ prosumer-with'));
    expect(rows.length).toBeGreaterThan(0);
    const shown = new Set(rows.map((line) => line.split('│')[1]!.trim()));
    expect([...shown].map((id) => id.slice(-4)).sort()).toEqual(['0000', '0001', '0002', '0003']);
    expect(run.stdout).not.toMatch(/prosumer-with-a-very-long-identifier-from-a-gis-e… /); // the old cut, at 40 characters
  });
});

describe('objectiveKind', () => {
  it('names the bundled scenarios: penalties only, money, nothing', () => {
    const read = (name: string) => JSON.parse(readFileSync(scenario(name), 'utf8')) as Parameters<typeof objectiveKind>[0];
    expect(objectiveKind(read('seed-4node'))).toBe('penalties');
    expect(objectiveKind(read('seed-bids'))).toBe('money');
    expect(objectiveKind(read('ieee33-market'))).toBe('money');
    expect(objectiveKind(read('ieee33-base'))).toBe('nothing');
  });
});

describe('what clear and simulate print', () => {
  it.concurrent('the 33-bus day: a summary of one line per step in one screen; --verbose every table; never wider than 120', async () => {
    const dir = workDir('day');
    const [summary, verbose] = await Promise.all([
      p2pmarket(['clear', scenario('ieee33-day'), '--out', 's'], dir),
      p2pmarket(['clear', scenario('ieee33-day'), '--out', 'v', '--verbose'], dir),
    ]);
    expect(summary.code).toBe(0);
    expect(verbose.code).toBe(0);
    const lines = summary.stdout.trimEnd().split('\n');
    expect(lines.length).toBeLessThanOrEqual(60);
    expect(widest(summary.stdout)).toBeLessThanOrEqual(120);
    expect(unwrap(summary.stdout)).toMatch(/24 steps, .* one line per step \(every table: --verbose\)/);
    expect(unwrap(summary.stdout)).toMatch(/shadow prices \/kWh/);
    // No price repeated across a line (the old price line said "0.7566" 56 times).
    for (const line of lines) expect(line.split('0.7566').length - 1).toBeLessThanOrEqual(1);
    expect(verbose.stdout.split('\n').length).toBeGreaterThan(10 * lines.length);
    expect(widest(verbose.stdout)).toBeLessThanOrEqual(120);
    expect(unwrap(verbose.stdout)).toMatch(/Step 23 \(hours 23–24\)/);
  });

  it.concurrent('the seed (penalties only): shadow prices in objective units, no settlement in currency', async () => {
    const run = await p2pmarket(['clear', scenario('seed-4node'), '--out', 'o'], workDir('seed'));
    expect(run.code).toBe(0);
    expect(unwrap(run.stdout)).toMatch(/objective 89698\.003\d+ \(objective units\)/);
    expect(unwrap(run.stdout)).toMatch(/shadow prices, objective units per kWh, to the seller: utility→p1 507\.5000/);
    expect(run.stdout).not.toMatch(/Settlement \(currency/);
    expect(unwrap(run.stdout)).toMatch(/No settlement in currency/);
    expect(widest(run.stdout)).toBeLessThanOrEqual(120);
  });

  it.concurrent('bids and a tariff: prices and the settlement in currency, fitting the page', async () => {
    const run = await p2pmarket(['clear', scenario('seed-bids'), '--out', 'o'], workDir('bids'));
    expect(run.code).toBe(0);
    expect(unwrap(run.stdout)).toMatch(/\(currency\)/);
    expect(unwrap(run.stdout)).toMatch(/prices per kWh, to the seller/);
    expect(unwrap(run.stdout)).toMatch(/Settlement \(currency;/);
    expect(unwrap(run.stdout)).toMatch(/gain/);
    expect(widest(run.stdout)).toBeLessThanOrEqual(120);
  });

  it.concurrent('an objective that holds nothing says so', async () => {
    const run = await p2pmarket(['clear', scenario('ieee33-base'), '--out', 'o'], workDir('nothing'));
    expect(run.code).toBe(0);
    expect(unwrap(run.stdout)).toMatch(/the objective holds nothing to optimise/);
    expect(run.stdout).not.toMatch(/Settlement \(currency/);
    expect(widest(run.stdout)).toBeLessThanOrEqual(120);
  });

  it.concurrent('a simulation fits the page', async () => {
    const run = await p2pmarket(['simulate', scenario('seed-time-horizons'), '--out', 'o'], workDir('sim'));
    expect(run.code).toBe(0);
    expect(widest(run.stdout)).toBeLessThanOrEqual(120);
    expect(unwrap(run.stdout)).toMatch(/battery states at the windows' start/);
  });
});
