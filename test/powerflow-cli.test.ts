/**
 * `p2pmarket powerflow` and `clear --ac-check` as users run them: the real command, spawned in
 * a temporary folder.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PowerFlowReport } from '../src/analysis/powerflow.ts';
import type { ClearingResult } from '../src/market/result.ts';
import { p2pmarket, ROOT, temporaryFolder, unwrap } from './helpers/cli.ts';

const { workDir } = temporaryFolder('p2pmarket-powerflow-');
const scenario = (name: string) => join(ROOT, 'scenarios', name);

/** A 10 kW load at the end of a 100 Ω line of a 1 kV feeder: beyond what the line can carry. */
const overloaded = {
  name: 'overloaded',
  steps: 1,
  stepHours: 1,
  network: {
    baseKv: 1, baseKva: 1, slack: '0', buses: ['0', '1'],
    lines: [{ from: '0', to: '1', rOhm: 100, xOhm: 1 }],
    loads: [{ bus: '1', injectionKw: -10 }],
  },
  utility: { bus: '0' },
  prosumers: [],
};

describe('p2pmarket powerflow', () => {
  it.concurrent('reproduces the IEEE 33-bus base case and writes its files', async () => {
    const dir = workDir('base');
    const out = join(dir, 'pf');
    const run = await p2pmarket(['powerflow', scenario('ieee33-base.json'), '--json', '--out', out], dir);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as PowerFlowReport;
    expect(result.converged).toBe(true);
    expect(result.iterations).toBeGreaterThan(0);
    expect(result.steps).toHaveLength(1);
    const [step] = result.steps;
    expect(step!.lossKw).toBeCloseTo(202.67, 1);
    expect(step!.minVoltagePu).toBeCloseTo(0.9131, 4);
    expect(step!.minVoltageBus).toBe('18');
    expect(step!.buses).toHaveLength(33);
    expect(step!.lines[0]).toMatchObject({ from: '1', to: '2' });
    expect(Object.keys(step!.lines[0]!)).toEqual(expect.arrayContaining(['from', 'to', 'pKw', 'qKvar', 'lossKw']));
    expect(readFileSync(join(out, 'buses.csv'), 'utf8').trim().split('\n')).toHaveLength(34);
    expect(readFileSync(join(out, 'lines.csv'), 'utf8').split('\n')[0]).toBe('t,from,to,pKw,qKvar,lossKw,maxKw');
    expect(JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'))).toEqual(result);
  });

  it.concurrent('solves every step of a scenario with schedules', async () => {
    const dir = workDir('day');
    const run = await p2pmarket(['powerflow', scenario('ieee33-day.json'), '--json', '--out', join(dir, 'pf')], dir);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as PowerFlowReport;
    expect(result.steps.map((s) => s.t)).toEqual(Array.from({ length: 24 }, (_, t) => t));
    // Without the batteries, the evening peak breaks the 0.95 p.u. limit: listed, not refused.
    expect(result.steps[19]!.violations.some((v) => v.kind === 'voltage' && v.value < 0.95)).toBe(true);
  });

  it.concurrent('prints a feeder of 141 buses in one screen, naming the files; every bus with --verbose; the 33-bus feeder bus by bus', async () => {
    const dir = workDir('summary');
    const feeder = join(dir, 'case141.json');
    const imported = await p2pmarket(['import', 'matpower', join(ROOT, 'data', 'matpower', 'case141.m'), '--zero-impedance-ohm', '1e-6', '--out', feeder, '-q'], dir);
    expect(imported.code, imported.stderr).toBe(0);
    const [summary, verbose, small] = await Promise.all([
      p2pmarket(['powerflow', feeder, '--out', 's'], dir),
      p2pmarket(['powerflow', feeder, '--out', 'v', '--verbose'], dir),
      p2pmarket(['powerflow', scenario('ieee33-base.json'), '--out', 'b'], dir),
    ]);
    // A bus's row: its id, then its voltage.
    const busRows = (text: string) => text.split('\n').filter((line) => /^│ \d+ +│ [01]\.\d{5} │/.test(line));
    expect(summary.code, summary.stderr).toBe(0);
    expect(summary.stdout.trimEnd().split('\n').length).toBeLessThanOrEqual(40);
    expect(unwrap(summary.stdout)).toMatch(/141 buses, the 12 with the lowest voltage \(every bus and line: buses\.csv and lines\.csv; --verbose prints them\)/);
    expect(busRows(summary.stdout)).toHaveLength(12);
    expect(busRows(summary.stdout)[0]).toMatch(/^│ 87 +│ 0\.92786 │ .* │ 86→87 /);
    expect(unwrap(summary.stdout)).toMatch(/wrote s\/result\.json, buses\.csv and lines\.csv/);
    expect(readFileSync(join(dir, 's', 'buses.csv'), 'utf8').trim().split('\n')).toHaveLength(142);
    expect(verbose.code, verbose.stderr).toBe(0);
    expect(busRows(verbose.stdout)).toHaveLength(141);
    expect(verbose.stdout).not.toMatch(/--verbose prints/);
    expect(small.code, small.stderr).toBe(0);
    expect(busRows(small.stdout)).toHaveLength(33);
  });

  it.concurrent('reports non-convergence with exit 3 and writes nothing', async () => {
    const dir = workDir('collapse');
    const file = join(dir, 'overloaded.json');
    writeFileSync(file, JSON.stringify(overloaded));
    const out = join(dir, 'pf');
    const run = await p2pmarket(['powerflow', file, '--out', out], dir);
    expect(run.code).toBe(3);
    expect(unwrap(run.stderr)).toMatch(/overloaded\.json: the AC power flow of step 0 did not converge/);
    expect(run.stdout).toBe('');
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });

  it.concurrent('names the field of a bad load (exit 2)', async () => {
    const dir = workDir('bad');
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ ...overloaded, network: { ...overloaded.network, loads: [{ bus: '5', injectionKw: -1 }] } }));
    const run = await p2pmarket(['powerflow', file], dir);
    expect(run.code).toBe(2);
    expect(unwrap(run.stderr)).toMatch(/bad\.json: network\.loads\[0\]\.bus: unknown bus "5"/);
  });
});

describe('p2pmarket clear --ac-check', () => {
  it.concurrent('reports the linearisation error of every step of the 33-bus day', async () => {
    const dir = workDir('ac');
    const out = join(dir, 'day');
    const run = await p2pmarket(['clear', scenario('ieee33-day.json'), '--ac-check', '--out', out], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(unwrap(run.stdout)).toMatch(/AC check/);
    const rows = readFileSync(join(out, 'ac-check.csv'), 'utf8').trim().split('\n');
    expect(rows[0]).toBe('run,t,converged,iterations,acLossKw,acMinVoltagePu,acMinVoltageBus,maxVoltageErrorPu,maxVoltageErrorBus,maxFlowErrorKw,maxFlowErrorLine,violations');
    expect(rows).toHaveLength(25);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as ClearingResult;
    expect(result.acCheck?.steps).toHaveLength(24);
    expect(result.acCheck!.maxVoltageErrorPu).toBeGreaterThan(0);
    const violations = readFileSync(join(out, 'ac-violations.csv'), 'utf8').trim().split('\n');
    expect(violations.length - 1).toBe(result.acCheck!.violations);
  });
});

describe('p2pmarket simulate --ac-check', () => {
  it.concurrent('checks every realised step', async () => {
    const dir = workDir('sim');
    const out = join(dir, 'sim');
    const run = await p2pmarket(['simulate', scenario('seed-time-horizons.json'), '--ac-check', '--json', '--out', out], dir);
    expect(run.code, run.stderr).toBe(0);
    const document = JSON.parse(run.stdout) as { steps: unknown[]; acCheck: { steps: { t: number; converged: boolean }[] } };
    expect(document.acCheck.steps.map((s) => s.t)).toEqual(document.steps.map((_, t) => t));
    expect(document.acCheck.steps.every((s) => s.converged)).toBe(true);
    expect(readFileSync(join(out, 'ac-check.csv'), 'utf8').trim().split('\n')).toHaveLength(document.steps.length + 1);
  });
});
