/**
 * `simulate` and `replay` as users run them: the seed's rolling horizon, byte-identical
 * reruns, replay of a run's own requests.csv, bad request files, an uncleared window.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SimulationResult } from '../src/engine/simulate.ts';
import { p2pmarket, ROOT, STACK_TRACE, temporaryFolder, unwrap } from './helpers/cli.ts';
import { withoutTimings } from './helpers/timing.ts';

const SCENARIO = join(ROOT, 'scenarios', 'seed-time-horizons.json');
const { workDir } = temporaryFolder('p2pmarket-simulate-');
const TRACES = ['steps.csv', 'trades.csv', 'events.csv', 'requests.csv', 'utility.csv', 'imbalance.csv', 'windows.csv', 'settlement.csv', 'buses.csv', 'lines.csv'];

describe('p2pmarket simulate', () => {
  it.concurrent('clears the seed rolling horizon: every window optimal, first at 84.240, states within limits', async () => {
    const dir = workDir('json');
    const r = await p2pmarket(['simulate', SCENARIO, '--json', '--out', join(dir, 'out')], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as SimulationResult;
    expect(doc.status).toBe('optimal');
    expect(doc.windows.every((w) => w.status === 'optimal')).toBe(true);
    expect(doc.windows[0]!.objective).toBeCloseTo(84.24, 2);
    const limits = JSON.parse(readFileSync(SCENARIO, 'utf8')).prosumers.map((p: { battery: { minKwh: number; maxKwh: number } }) => p.battery);
    for (const step of doc.steps) {
      step.agents.forEach((a, k) => {
        expect(a.socEndKwh!).toBeGreaterThanOrEqual(limits[k].minKwh - 1e-9);
        expect(a.socEndKwh!).toBeLessThanOrEqual(limits[k].maxKwh + 1e-9);
      });
    }
    expect(readdirSync(join(dir, 'out')).filter((n) => n !== '.p2pmarket-run.json').sort()).toEqual([...TRACES, 'runs.csv', 'result.json', 'scenario.json'].sort());
  });

  it.concurrent('gives byte-identical files on two runs, and replay reproduces them', async () => {
    const dir = workDir('twice');
    const [a, b] = await Promise.all([
      p2pmarket(['simulate', SCENARIO, '--quiet', '--out', 'a'], dir),
      p2pmarket(['simulate', SCENARIO, '--quiet', '--out', 'b'], dir),
    ]);
    expect([a.code, b.code]).toEqual([0, 0]);
    for (const name of [...TRACES, 'runs.csv', 'result.json']) {
      const [ta, tb] = [readFileSync(join(dir, 'a', name), 'utf8'), readFileSync(join(dir, 'b', name), 'utf8')];
      expect(withoutTimings(name, tb), name).toBe(withoutTimings(name, ta));
    }
    expect(readFileSync(join(dir, 'a', 'requests.csv'), 'utf8').split('\n')[0]).toBe('simHour,step,targetKw,priority');

    const replay = await p2pmarket(['replay', join(dir, 'a', 'requests.csv'), '--scenario', SCENARIO, '--quiet', '--out', 'c'], dir);
    expect(replay.code).toBe(0);
    for (const name of TRACES) {
      expect(readFileSync(join(dir, 'c', name), 'utf8'), name).toBe(readFileSync(join(dir, 'a', name), 'utf8'));
    }
  });

  it.concurrent('replays a different request sequence into a different run', async () => {
    const dir = workDir('other');
    writeFileSync(join(dir, 'requests.csv'), 'simHour,step,targetKw,priority\n0,0,-10,5\n4,1,20,2\n');
    const r = await p2pmarket(['replay', 'requests.csv', '--scenario', SCENARIO, '--json', '--out', 'out'], dir);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as SimulationResult;
    expect(doc.steps[0]!.utilityTargetKw).toBe(-10);
    expect(doc.steps[1]!.utilityTargetKw).toBe(20);
    expect(doc.steps[1]!.utilityPriority).toBe(2);
    expect(doc.steps[2]!.utilityPriority).toBe(0);
    expect(readFileSync(join(dir, 'out', 'requests.csv'), 'utf8')).toBe(readFileSync(join(dir, 'requests.csv'), 'utf8'));
  });

  it.concurrent('rejects a malformed request file with exit 2, naming the file, line and column', async () => {
    const dir = workDir('bad');
    writeFileSync(join(dir, 'requests.csv'), 'simHour,step,targetKw,priority\n0,0,5,1\n0,9,5,1\n0,1,abc,1\n');
    const r = await p2pmarket(['replay', 'requests.csv', '--scenario', SCENARIO, '--out', 'out'], dir);
    expect(r.code).toBe(2);
    expect(unwrap(r.stderr)).toContain('requests.csv: line 3, step: step 9 is not one of');
    expect(unwrap(r.stderr)).toContain('requests.csv: line 4, targetKw: "abc" is not a decimal number');
    expect(r.stderr).not.toMatch(STACK_TRACE);
    expect(readdirSync(dir)).toEqual(['requests.csv']);
  });

  it.concurrent('reports an uncleared window, runs its step with idle batteries, and exits 3', async () => {
    const dir = workDir('uncleared');
    const scenario = JSON.parse(readFileSync(SCENARIO, 'utf8'));
    scenario.prosumers[1].forecastUpdates = [{ atHour: 8, fromStep: 5, scheduleKw: [100] }];
    scenario.horizonEnd = 'shrink';
    writeFileSync(join(dir, 'scenario.json'), JSON.stringify(scenario));
    const r = await p2pmarket(['simulate', 'scenario.json', '--quiet', '--out', 'out'], dir);
    expect(r.code).toBe(3);
    expect(unwrap(r.stderr)).toMatch(/4 windows could not be cleared; their steps ran with idle batteries:\n  from step 2: the market is infeasible[^\n]*: [^\n]*battery of p2, step 5, maximum charge power/);
    // Every window names the revised step as the simulation counts it, not as its own step 1 or 3.
    expect(unwrap(r.stderr)).toMatch(/\n  from step 4: [^\n]*net injection of p2, step 5, maximum injection/);
    expect(unwrap(r.stderr)).toMatch(/… and 1 more \(windows\.csv, result\.json\)/);
    const windows = readFileSync(join(dir, 'out', 'windows.csv'), 'utf8');
    expect(windows).toContain('0,2,4,infeasible,,batteries idle');
    expect(readdirSync(join(dir, 'out'))).toContain('result.json');
  });
});
