/**
 * Users arrive with habits from other tools and load our files into theirs (issue 16):
 * - `p2pmarket init` writes a scenario that validates and clears as it is, and never overwrites;
 * - numeric bus ids (pandapower's) are taken as the same ids written as strings;
 * - a positive fixed load, a base voltage in volts, … are warnings naming the field and how to
 *   silence them (`ignoreWarnings`), never errors, and silenced they are not printed;
 * - `clear`, `simulate` and `replay` write buses.csv and lines.csv; `--no-trades` skips
 *   trades.csv; events.csv is tidy (one column per field); every CSV header is a name numpy
 *   and pandas keep unchanged, and money and price columns carry their unit;
 * - `replay --ac-check` writes the AC check.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { p2pmarket, ROOT, STACK_TRACE, temporaryFolder, unwrap } from './helpers/cli.ts';
import { numpy, numpyRead } from './helpers/numpy.ts';

const { workDir } = temporaryFolder('p2pmarket-habits-');
const SEED = join(ROOT, 'scenarios', 'seed-4node.json');
const HORIZONS = join(ROOT, 'scenarios', 'seed-time-horizons.json');

const header = (file: string) => readFileSync(file, 'utf8').split('\n')[0]!.split(',');
const rows = (file: string) => readFileSync(file, 'utf8').trim().split('\n').slice(1);
/** A header numpy's genfromtxt(names=True) and pandas keep as written. */
const PLAIN = /^[A-Za-z_][A-Za-z0-9_]*$/;

describe('p2pmarket init', () => {
  it.concurrent('writes a starting scenario that validates without warnings and clears; refuses to overwrite it', async () => {
    const dir = workDir('init');
    const made = await p2pmarket(['init'], dir);
    expect(made.code).toBe(0);
    const scenario = JSON.parse(readFileSync(join(dir, 'scenario.json'), 'utf8')) as { description: string; prosumers: { battery?: object }[] };
    expect(scenario.description).toMatch(/Edit first/);
    expect(scenario.prosumers).toHaveLength(2);
    expect(scenario.prosumers.some((p) => p.battery)).toBe(true);

    const valid = await p2pmarket(['validate', 'scenario.json'], dir);
    expect(valid.code).toBe(0);
    expect(valid.stderr).toBe('');
    const cleared = await p2pmarket(['clear', 'scenario.json', '--json'], dir);
    expect(cleared.code).toBe(0);
    expect((JSON.parse(cleared.stdout) as { status: string }).status).toBe('optimal');

    writeFileSync(join(dir, 'mine.json'), 'my own file');
    const again = await p2pmarket(['init', 'mine.json'], dir);
    expect(again.code).toBe(2);
    expect(unwrap(again.stderr)).toMatch(/mine\.json: already exists/);
    expect(readFileSync(join(dir, 'mine.json'), 'utf8')).toBe('my own file');
  });

  it.concurrent('refuses a --name that cannot name a scenario, writing nothing; a good one validates', async () => {
    const dir = workDir('init-name');
    for (const name of ['bad name', '', '../../etc', '.hidden', 'x'.repeat(101)]) {
      const made = await p2pmarket(['init', 'named.json', '--name', name], dir);
      expect(made.code, name).toBe(2);
      expect(unwrap(made.stderr), name).toMatch(/--name: .* cannot name a scenario: use up to 100 letters/);
      expect(existsSync(join(dir, 'named.json')), name).toBe(false);
    }
    expect((await p2pmarket(['init', 'named.json', '--name', 'feeder_7.b'], dir)).code).toBe(0);
    expect((await p2pmarket(['validate', 'named.json'], dir)).code).toBe(0);
  });
});

describe('p2pmarket validate --json', () => {
  it.concurrent('reports every file, an invalid one with its problems, and exits 2', async () => {
    const dir = workDir('validate-json');
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ name: 'bad' }));
    const run = await p2pmarket(['validate', 'bad.json', join(ROOT, 'scenarios', 'seed-4node.json'), '--json'], dir);
    expect(run.code).toBe(2);
    const reports = JSON.parse(run.stdout) as { file: string; valid: boolean; problems?: { field: string; message: string }[]; columns?: number }[];
    expect(reports.map((r) => [r.file.split('/').pop(), r.valid])).toEqual([['bad.json', false], ['seed-4node.json', true]]);
    expect(reports[0]!.problems).toContainEqual({ field: 'steps', message: 'is required but missing' });
    expect(reports[1]!.columns).toBe(96);
    expect(unwrap(run.stderr)).toMatch(/^error: bad\.json: steps: is required but missing/);
  });
});

describe('inputs from habits', () => {
  it.concurrent('numeric bus ids clear exactly as the same ids written as strings', async () => {
    const dir = workDir('numeric');
    const text = readFileSync(SEED, 'utf8');
    const s = JSON.parse(text) as { network: { buses: unknown[]; slack: unknown; lines: { from: unknown; to: unknown }[] }; utility: { bus: unknown }; prosumers: { bus: unknown }[] };
    const renumber = (id: unknown) => 100 + s.network.buses.indexOf(id);
    const strings = structuredClone(s);
    const numbers = structuredClone(s);
    const cases: [typeof s, (id: unknown) => string | number][] = [[strings, (id) => String(renumber(id))], [numbers, renumber]];
    for (const [target, as] of cases) {
      target.network.buses = s.network.buses.map(as);
      target.network.slack = as(s.network.slack);
      target.network.lines = s.network.lines.map((l) => ({ ...l, from: as(l.from), to: as(l.to) }));
      target.utility.bus = as(s.utility.bus);
      target.prosumers = s.prosumers.map((p) => ({ ...p, bus: as(p.bus) }));
    }
    writeFileSync(join(dir, 'strings.json'), JSON.stringify(strings));
    writeFileSync(join(dir, 'numbers.json'), JSON.stringify(numbers));
    const [a, b] = await Promise.all([p2pmarket(['clear', 'strings.json', '--json', '--out', 's'], dir), p2pmarket(['clear', 'numbers.json', '--json', '--out', 'n'], dir)]);
    expect(b.stderr).toBe('');
    expect(b.code).toBe(0);
    expect(a.code).toBe(0);
    const strip = (out: string) => {
      const r = JSON.parse(out) as Record<string, unknown>;
      delete r.solver;
      delete r.timing;
      delete r.solveMs;
      return r;
    };
    expect(strip(b.stdout)).toEqual(strip(a.stdout));
  });

  it.concurrent('ids that a CSV file would have to quote (a comma, a double quote, a line break) or numpy takes for a comment ("#") are refused by field, nothing written', async () => {
    const dir = workDir('csv-ids');
    const s = JSON.parse(readFileSync(SEED, 'utf8')) as { network: { slack: string; buses: string[]; lines: { from: string; to: string }[] }; utility: { bus: string }; prosumers: { id: string; bus: string }[] };
    s.network.buses[3] = 'bus 3, west';
    s.network.lines[2]!.to = 'bus 3, west';
    s.prosumers[2]!.bus = 'bus 3, west';
    s.prosumers[0]!.id = 'p"1';
    s.prosumers[1]!.id = 'p\n2';
    (s.network as { loads?: object[] }).loads = [{ bus: '#2', injectionKw: -1 }];
    writeFileSync(join(dir, 'ids.json'), JSON.stringify(s));
    const run = await p2pmarket(['clear', 'ids.json', '--out', 'out'], dir);
    expect(run.code).toBe(2);
    const said = unwrap(run.stderr);
    for (const field of ['network.buses[3]', 'network.lines[2].to', 'prosumers[2].bus', 'prosumers[0].id', 'prosumers[1].id', 'network.loads[0].bus']) {
      expect(said).toContain(`${field}: must not contain a comma, a double quote, a "#" or a line break`);
    }
    expect(said).not.toMatch(STACK_TRACE);
    expect(existsSync(join(dir, 'out'))).toBe(false);

    // Spaces, other punctuation and letters of any script are ids as they are, unquoted in the files.
    // (Every bus named in words: numpy's type guessing cannot take a column of "0", "1" and words.)
    const named = (bus: string) => (bus === 'bus 3, west' ? 'bus 3 (west; Süd)' : `bus ${bus}`);
    s.network.buses = s.network.buses.map(named);
    s.network.slack = named(s.network.slack);
    s.network.lines = s.network.lines.map((l) => ({ ...l, from: named(l.from), to: named(l.to) }));
    s.utility.bus = named(s.utility.bus);
    s.prosumers = s.prosumers.map((p) => ({ ...p, bus: named(p.bus) }));
    s.prosumers[0]!.id = "p1's";
    s.prosumers[1]!.id = 'p 2';
    delete (s.network as { loads?: object[] }).loads;
    writeFileSync(join(dir, 'ids.json'), JSON.stringify(s));
    expect((await p2pmarket(['clear', 'ids.json', '--out', 'out', '--quiet'], dir)).code).toBe(0);
    expect(rows(join(dir, 'out', 'steps.csv')).some((r) => r.includes(",p1's,"))).toBe(true);
    expect(rows(join(dir, 'out', 'buses.csv')).some((r) => r.includes(',bus 3 (west; Süd),'))).toBe(true);
    expect(readFileSync(join(dir, 'out', 'buses.csv'), 'utf8')).not.toContain('"');
    if (numpy) {
      for (const file of ['steps.csv', 'buses.csv', 'lines.csv', 'trades.csv']) {
        expect(numpyRead(join(dir, 'out', file)).rows, file).toBe(rows(join(dir, 'out', file)).length);
      }
    }
  });

  it.concurrent('a positive fixed load and a base voltage in volts are warnings naming the field and how to silence them', async () => {
    const dir = workDir('warn');
    const s = JSON.parse(readFileSync(join(ROOT, 'scenarios', 'ieee33-base.json'), 'utf8')) as { network: { baseKv: number; loads: { injectionKw: number }[] }; ignoreWarnings?: string[] };
    s.network.baseKv = 12_660;
    s.network.loads[0]!.injectionKw = Math.abs(s.network.loads[0]!.injectionKw);
    writeFileSync(join(dir, 'habits.json'), JSON.stringify(s));
    const run = await p2pmarket(['validate', 'habits.json'], dir);
    expect(run.code).toBe(0);
    const lines = unwrap(run.stderr).trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^warning: habits\.json: network\.loads\[0\]\.injectionKw: .*injection is positive.*"ignoreWarnings": \["positive-load"\]$/);
    expect(lines[1]).toMatch(/^warning: habits\.json: network\.baseKv: 12660 kV .*"ignoreWarnings": \["base-voltage"\]$/);

    s.ignoreWarnings = ['positive-load', 'base-voltage'];
    writeFileSync(join(dir, 'meant.json'), JSON.stringify(s));
    const silenced = await p2pmarket(['validate', 'meant.json'], dir);
    expect(silenced.code).toBe(0);
    expect(silenced.stderr).toBe('');
  });
});

describe('files a user can load', () => {
  it.concurrent('clear: buses.csv and lines.csv; --no-trades; plain column names with units on money and prices', async () => {
    const dir = workDir('clear');
    const [full, lean] = await Promise.all([
      p2pmarket(['clear', SEED, '--out', 'full', '-q'], dir),
      p2pmarket(['clear', SEED, '--out', 'lean', '-q', '--no-trades'], dir),
    ]);
    expect(full.code).toBe(0);
    expect(lean.code).toBe(0);
    expect(existsSync(join(dir, 'full', 'trades.csv'))).toBe(true);
    expect(existsSync(join(dir, 'lean', 'trades.csv'))).toBe(false);
    for (const f of ['steps.csv', 'settlement.csv', 'buses.csv', 'lines.csv']) expect(readFileSync(join(dir, 'lean', f), 'utf8')).toBe(readFileSync(join(dir, 'full', f), 'utf8'));

    expect(header(join(dir, 'full', 'buses.csv'))).toEqual(['run', 't', 'startHour', 'bus', 'voltagePu']);
    expect(header(join(dir, 'full', 'lines.csv'))).toEqual(['run', 't', 'startHour', 'from', 'to', 'flowKw', 'maxKw', 'loadingPct']);
    // The seed: 4 buses and 3 lines, 4 steps.
    expect(rows(join(dir, 'full', 'buses.csv'))).toHaveLength(16);
    expect(rows(join(dir, 'full', 'lines.csv'))).toHaveLength(12);
    for (const f of ['runs.csv', 'steps.csv', 'trades.csv', 'settlement.csv', 'nodal-prices.csv', 'buses.csv', 'lines.csv']) {
      for (const column of header(join(dir, 'full', f))) expect(column, `${f}: ${column}`).toMatch(PLAIN);
    }
    expect(header(join(dir, 'full', 'trades.csv'))).toContain('pricePerKwh');
    const money = header(join(dir, 'full', 'settlement.csv')).filter((c) => /pay|gain|fee|cost|revenue|welfare/i.test(c));
    expect(money.length).toBeGreaterThan(0);
    for (const column of money) expect(column, `settlement.csv: ${column}`).toMatch(/(Currency|PerKwh)$/);
  });

  it.concurrent('simulate and replay: buses.csv, lines.csv, tidy events.csv; replay --ac-check writes its AC check', async () => {
    const dir = workDir('simulate');
    const sim = await p2pmarket(['simulate', HORIZONS, '--out', 'a', '-q'], dir);
    expect(sim.code).toBe(0);
    for (const f of ['buses.csv', 'lines.csv', 'events.csv']) expect(existsSync(join(dir, 'a', f)), f).toBe(true);
    const events = header(join(dir, 'a', 'events.csv'));
    expect(events).not.toContain('detail');
    expect(events.slice(0, 4)).toEqual(['run', 'simHour', 'type', 'agent']);
    for (const column of events) expect(column).toMatch(PLAIN);
    // Every row has the header's number of cells: the fields are columns, not key=value text.
    for (const row of rows(join(dir, 'a', 'events.csv'))) expect(row.split(',')).toHaveLength(events.length);
    expect(readFileSync(join(dir, 'a', 'events.csv'), 'utf8')).not.toMatch(/=/);

    const replay = await p2pmarket(['replay', join(dir, 'a', 'requests.csv'), '--scenario', HORIZONS, '--out', 'b', '-q', '--ac-check'], dir);
    expect(replay.stderr).toBe('');
    expect(replay.code).toBe(0);
    for (const f of ['buses.csv', 'lines.csv', 'ac-check.csv']) expect(existsSync(join(dir, 'b', f)), f).toBe(true);
    // The same requests replayed: the same realised buses and lines.
    expect(readFileSync(join(dir, 'b', 'buses.csv'), 'utf8')).toBe(readFileSync(join(dir, 'a', 'buses.csv'), 'utf8'));
    expect(readFileSync(join(dir, 'b', 'lines.csv'), 'utf8')).toBe(readFileSync(join(dir, 'a', 'lines.csv'), 'utf8'));
  });
});
