/**
 * Profiles through the real command: `import profile` (a BDEW table → a year's CSV), a feeder
 * of three households sharing that one profile with their own annual energy and shift that
 * validates and clears, the bundled seed-profiles.json, and bad profile files refused with
 * exit 2 and the file, line and column named.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { p2pmarket, ROOT, STACK_TRACE, temporaryFolder, unwrap } from './helpers/cli.ts';

const { workDir } = temporaryFolder('p2pmarket-profiles-cli-');
// Each test runs the command several times in a row (seconds each; far more on a loaded machine).
vi.setConfig({ testTimeout: 240_000 });
const G25 = join(ROOT, 'data', 'profiles', 'bdew-g25-commercial.csv');
const H25 = join(ROOT, 'data', 'profiles', 'bdew-h25-household.csv');

/** Three households on the seed's 4-bus chain sharing the profile "household" (loads) for two days of hourly steps. */
function threeHouseholds(profileFile: string) {
  const household = (id: string, bus: string, annualKwh: number, shiftHours: number) => ({
    id, bus,
    loadKw: { profile: 'household', annualKwh, shiftHours },
    battery: { initialKwh: 2, minKwh: 0, maxKwh: 4, maxChargeKw: 2, maxDischargeKw: 2 },
  });
  return {
    name: 'three-households',
    start: '2017-01-02T00:00',
    utcOffset: '+01:00',
    steps: 48,
    stepHours: 1,
    profiles: { household: { file: profileFile, timestamp: { column: 'time' }, column: 'kw', unit: 'kW' } },
    network: {
      baseKv: 10, baseKva: 1, slack: '0', buses: ['0', '1', '2', '3'],
      lines: [
        { from: '0', to: '1', rOhm: 1.3509, xOhm: 1.32349, maxKw: 100 },
        { from: '1', to: '2', rOhm: 1.17024, xOhm: 1.14464, maxKw: 100 },
        { from: '2', to: '3', rOhm: 0.84111, xOhm: 0.82271, maxKw: 100 },
      ],
    },
    utility: { bus: '0', tariff: { buyPerKwh: 0.08, sellPerKwh: 0.3 } },
    prosumers: [household('h1', '1', 3500, 0), household('h2', '2', 5000, 0.25), household('h3', '3', 2000, -1)],
    market: { tradeVolumeWeight: 0.001 },
  };
}

describe('p2pmarket import profile', () => {
  it.concurrent('expands a BDEW table into a year of quarter hours holding the annual energy; refuses to overwrite', async () => {
    const dir = workDir('import');
    const run = await p2pmarket(['import', 'profile', G25, '--year', '2017', '--annual-kwh', '50000', '--holidays', 'DE', '--out', 'g25-2017.csv'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(unwrap(run.stdout)).toMatch(/wrote g25-2017\.csv: 2017, 35040 quarter hours/);
    const lines = readFileSync(join(dir, 'g25-2017.csv'), 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(1 + 365 * 96);
    expect(lines[0]).toBe('time,kw');
    expect(lines[1]).toMatch(/^2017-01-01T00:00,\d+\.\d{6}$/);
    expect(lines.at(-1)).toMatch(/^2017-12-31T23:45,/);
    const energy = lines.slice(1).reduce((sum, line) => sum + Number(line.split(',')[1]) * 0.25, 0);
    expect(energy).toBeCloseTo(50_000, 0);
    // 1 January 2017 is a Sunday and New Year (FT), 3 October a Tuesday and a holiday: the same January/October FT columns as Sundays.
    const kwAt = (stamp: string) => Number(lines.find((l) => l.startsWith(stamp))!.split(',')[1]);
    expect(kwAt('2017-10-03T12:00')).toBe(kwAt('2017-10-08T12:00')); // Tuesday holiday = Sunday 8 October
    expect(kwAt('2017-10-04T12:00')).not.toBe(kwAt('2017-10-08T12:00')); // a working day is not

    const again = await p2pmarket(['import', 'profile', G25, '--year', '2017', '--annual-kwh', '50000', '--out', 'g25-2017.csv'], dir);
    expect(again.code).toBe(2);
    expect(unwrap(again.stderr)).toMatch(/g25-2017\.csv: --out: already exists: p2pmarket does not overwrite it \(--force does\)/);
    const forced = await p2pmarket(['import', 'profile', G25, '--year', '2017', '--annual-kwh', '100', '--out', 'g25-2017.csv', '--force', '--quiet'], dir);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toBe('');
    expect(readdirSync(dir)).toEqual(['g25-2017.csv']); // no staging file left
  });

  it.concurrent('refuses bad options and bad tables with exit 2, without a stack trace', async () => {
    const dir = workDir('import-bad');
    writeFileSync(join(dir, 'bad.csv'), ',Januar\n[kWh],SA\n00:00-00:15,1\n');
    const cases: [string[], RegExp][] = [
      [[H25, '--year', '16', '--annual-kwh', '1'], /--year: "16" is not a year/],
      [[H25, '--year', '2016', '--annual-kwh', '0x10'], /--annual-kwh: "0x10" is not a positive number of kWh/],
      [[H25, '--year', '2016', '--annual-kwh', '1', '--holidays', 'FR'], /--holidays: "FR" is not DE or none/],
      [['missing.csv', '--year', '2016', '--annual-kwh', '1'], /missing\.csv: file not found/],
      [['bad.csv', '--year', '2016', '--annual-kwh', '1'], /bad\.csv: line 2: no column for month 1, day type FT/],
    ];
    for (const [args, expected] of cases) {
      const r = await p2pmarket(['import', 'profile', ...args], dir);
      expect(r.code, args.join(' ')).toBe(2);
      expect(unwrap(r.stderr)).toMatch(expected);
      expect(r.stderr).not.toMatch(STACK_TRACE);
    }
  });
});

describe('scenarios with profiles, as commands', () => {
  it.concurrent('three households share one imported profile with their own annual energy and shift: validate, clear', async () => {
    const dir = workDir('households');
    const imported = await p2pmarket(['import', 'profile', H25, '--year', '2017', '--annual-kwh', '1000', '--dynamic', '--holidays', 'DE', '--out', join('profiles', 'h25-2017.csv'), '--quiet'], dir);
    expect(imported.code, imported.stderr).toBe(0);
    writeFileSync(join(dir, 'scenario.json'), JSON.stringify(threeHouseholds('profiles/h25-2017.csv')));
    const valid = await p2pmarket(['validate', 'scenario.json'], dir);
    expect(valid.code, valid.stderr).toBe(0);
    expect(unwrap(valid.stdout)).toMatch(/valid — "three-households", 48 steps of 1 h, 4 buses, 3 lines, 0 fixed loads, 3 prosumers \(3 with batteries\)/);
    const cleared = await p2pmarket(['clear', 'scenario.json', '--out', 'out', '--quiet'], dir);
    expect(cleared.code, cleared.stderr).toBe(0);
    // The run's scenario.json holds the resolved arrays: it reruns without the CSV file.
    const asRun = JSON.parse(readFileSync(join(dir, 'out', 'scenario.json'), 'utf8'));
    expect(asRun.profiles).toBeUndefined();
    expect(asRun.startHour).toBe(0);
    const [h1, h2, h3] = asRun.prosumers as { loadKw: number[]; scheduleKw: number[] }[];
    for (const h of [h1!, h2!, h3!]) {
      expect(h.loadKw).toHaveLength(48);
      expect(h.scheduleKw).toEqual(h.loadKw.map((kw) => (kw === 0 ? 0 : -kw)));
    }
    // h3 is h1's profile an hour earlier, scaled 2000 : 3500.
    for (let t = 0; t < 47; t++) expect(h3!.loadKw[t]! / h1!.loadKw[t + 1]!).toBeCloseTo(2000 / 3500, 9);
    // One profile year of 1000 kWh scaled to 3500 kWh: h1's mean over these two days is the profile's × 3.5 (no
    // more than a winter weekday household draws: 0.2–1 kW on average).
    const mean = h1!.loadKw.reduce((a, b) => a + b, 0) / 48;
    expect(mean).toBeGreaterThan(0.2);
    expect(mean).toBeLessThan(1);
    const rerun = await p2pmarket(['clear', join('out', 'scenario.json'), '--out', 'out2', '--quiet'], join(dir));
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(readFileSync(join(dir, 'out2', 'steps.csv'), 'utf8')).toBe(readFileSync(join(dir, 'out', 'steps.csv'), 'utf8'));
  });

  it.concurrent('the bundled seed-profiles.json clears', async () => {
    const dir = workDir('seed-profiles');
    const r = await p2pmarket(['clear', join(ROOT, 'scenarios', 'seed-profiles.json'), '--out', 'out', '--quiet', '--no-baseline'], dir);
    expect(r.code, r.stderr).toBe(0);
    const asRun = JSON.parse(readFileSync(join(dir, 'out', 'scenario.json'), 'utf8'));
    expect(asRun.prosumers[0].pvKw).toHaveLength(168);
    expect(Math.max(...asRun.prosumers[0].pvKw)).toBeGreaterThan(2);
    expect(asRun.network.loads[0].profile).toHaveLength(168);
  });

  it.concurrent('a bad profile file: exit 2, its file, line and column named, nothing written', async () => {
    const dir = workDir('bad-profile');
    const rows = Array.from({ length: 48 * 4 + 8 }, (_, q) => `${new Date(Date.UTC(2017, 0, 2, 0, q * 15) - 3_600_000).toISOString().slice(0, 16)},${q === 2 ? 'abc' : '0.5'}`);
    writeFileSync(join(dir, 'load.csv'), `time,kw\n${rows.join('\n')}\n`);
    writeFileSync(join(dir, 'scenario.json'), JSON.stringify(threeHouseholds('load.csv')));
    const r = await p2pmarket(['clear', 'scenario.json', '--out', 'out'], dir);
    expect(r.code).toBe(2);
    expect(unwrap(r.stderr)).toMatch(/^error: load\.csv: line 4, column kw: "abc" is not a number$/m);
    expect(r.stderr).not.toMatch(STACK_TRACE);
    expect(existsSync(join(dir, 'out'))).toBe(false);

    writeFileSync(join(dir, 'load.csv'), `time,kw\n${rows.slice(0, 40).map((l) => l.replace('abc', '1')).join('\n')}\n`);
    const short = await p2pmarket(['validate', 'scenario.json'], dir);
    expect(short.code).toBe(2);
    expect(unwrap(short.stderr)).toMatch(/scenario\.json: prosumers\[0\]\.loadKw: profile "household" \(load\.csv\) covers 2017-01-01T23:00 to 2017-01-02T09:00 \(UTC\+01:00\); the scenario needs 2017-01-02T00:00 to 2017-01-04T00:00/);
  });
});
