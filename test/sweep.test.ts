/** Sweep files: paths, ranges, points; the seed's sensitivity studies. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.ts';
import { applyAtPath, parsePath, type PathStep } from '../src/sweep/paths.ts';
import { loadSweep, rangeValues, validatePoints } from '../src/sweep/points.ts';
import { runSweep } from '../src/sweep/run.ts';
import { checkInvariants } from './helpers/invariants.ts';
import { withoutTimings } from './helpers/timing.ts';

describe('parameter paths', () => {
  const scenario = () => ({ utility: { targetKw: [1, 2, 3] }, prosumers: [{ battery: { maxChargeKw: 1 } }, { id: 'no battery' }, { battery: { maxChargeKw: 2 } }], name: 'x' }) as Record<string, any>;
  const at = (path: string) => parsePath(path) as PathStep[];

  it('set one element, or every element with [*] (passing over those without the object)', () => {
    const s = scenario();
    expect(applyAtPath(s, at('utility.targetKw[2]'), { set: 9 })).toBe(1);
    expect(applyAtPath(s, at('prosumers[*].battery.maxChargeKw'), { set: 7 })).toBe(2);
    expect(s.utility.targetKw).toEqual([1, 2, 9]);
    expect(s.prosumers.map((p: Record<string, any>) => p.battery?.maxChargeKw)).toEqual([7, undefined, 7]);
  });

  it('set any JSON value, creating optional fields and the objects on the way', () => {
    const s = scenario();
    expect(applyAtPath(s, at('market.networkFee.perKwh'), { set: 0.05 })).toBe(1);
    expect(applyAtPath(s, at('market.tradeGraph'), { set: { maxHops: 2 } })).toBe(1);
    expect(applyAtPath(s, at('horizonSteps'), { set: 2 })).toBe(1);
    expect(s.market).toEqual({ networkFee: { perKwh: 0.05 }, tradeGraph: { maxHops: 2 } });
    expect(s.horizonSteps).toBe(2);
  });

  it('scale and shift numbers, series and profile references', () => {
    const s = { a: 2, series: [1, 2, 3], pv: { profile: 'sun', peakKw: 4 }, load: { profile: 'h' } } as Record<string, any>;
    expect(applyAtPath(s, at('a'), { scale: 1.5 })).toBe(1);
    expect(applyAtPath(s, at('series'), { scale: 0.1 })).toBe(1);
    expect(applyAtPath(s, at('pv'), { scale: 2 })).toBe(1);
    expect(applyAtPath(s, at('load'), { scale: 3 })).toBe(1);
    expect(s).toEqual({ a: 3, series: [0.1, 0.2, 0.3], pv: { profile: 'sun', peakKw: 8 }, load: { profile: 'h', scale: 3 } });
    expect(applyAtPath(s, at('series'), { shift: -1 })).toBe(1);
    expect(s.series).toEqual([-0.9, -0.8, -0.7]);
    expect(applyAtPath(s, at('pv'), { shift: 1 })).toMatch(/pv holds an object that is not a profile reference: only numbers, series can be shifted/);
    expect(applyAtPath({ name: 'x' }, at('name'), { scale: 2 })).toMatch(/name holds a string: only numbers, series and profile references can be scaled/);
    expect(applyAtPath({}, at('missing'), { scale: 2 })).toMatch(/missing is not in the scenario: there is nothing to scale/);
  });

  it.each([
    ['utility..targetKw', /is not a field name/],
    ['utility.targetKw[x]', /is not a field name/],
  ])('rejects the malformed path %s', (path, message) => {
    expect(parsePath(path)).toMatch(message);
  });

  it('names an index beyond the array, and a path through a value', () => {
    expect(applyAtPath(scenario(), at('utility.targetKw[5]'), { set: 0 })).toMatch(/utility\.targetKw\[5\] is beyond its 3 elements/);
    expect(applyAtPath(scenario(), at('name.first'), { set: 0 })).toMatch(/name is not an object/);
  });

  it('makes ranges without floating-point drift', () => {
    expect(rangeValues(0.2, 1.8, 0.2)).toEqual([0.2, 0.4, 0.6, 0.8, 1, 1.2, 1.4, 1.6, 1.8]);
    expect(rangeValues(-0.3, 0.3, 0.1)).toEqual([-0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.3]);
    expect(rangeValues(-100, 100, 1)).toHaveLength(201);
  });
});

describe('sweep files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'p2pmarket-sweep-'));
  const sweepFile = (name: string, sweep: object) => {
    const file = join(dir, name);
    writeFileSync(file, JSON.stringify({ scenario: join(process.cwd(), 'scenarios', 'seed-node0.json'), ...sweep }));
    return file;
  };
  const problemsOf = (file: string) => {
    try {
      loadSweep(file);
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      return (e as InputError).message;
    }
    return '';
  };

  it('names a malformed path or range', () => {
    expect(problemsOf(sweepFile('a.json', { parameters: [{ path: 'utility.targetKw[9]', values: [1] }] }))).toMatch(/a\.json: parameters\[0\]\.path: "utility\.targetKw\[9\]": .*beyond its 4 elements/);
    // A field the schema does not know is created, and the point's validation names it.
    expect(() => validatePoints(loadSweep(sweepFile('b.json', { parameters: [{ path: 'utility.target', from: 0, to: 1, step: 1 }] })))).toThrow(/b\.json: point 0: utility: unknown field "target"/);
    expect(problemsOf(sweepFile('c.json', { parameters: [{ path: 'utility.targetKw[0]', from: 5, to: 1, step: 1 }] }))).toMatch(/parameters\[0\]\.from: 5 is above "to" \(1\)/);
    expect(problemsOf(sweepFile('d.json', { parameters: [{ path: 'utility.targetKw[0]', from: 0, to: 1, step: 0 }] }))).toMatch(/parameters\[0\]\.step/);
    expect(problemsOf(sweepFile('e.json', { parameters: [{ path: ['utility.targetKw[0]', 'utility.targetKw[7]'], values: [1] }] }))).toMatch(/parameters\[0\]\.path\[1\]: "utility\.targetKw\[7\]": utility\.targetKw\[7\] is beyond its 4 elements/);
  });

  it('names a point whose scenario is invalid', async () => {
    const plan = loadSweep(sweepFile('f.json', { parameters: [{ path: 'prosumers[0].battery.maxKwh', values: [20, 5] }] }));
    expect(plan.size).toBe(2);
    await expect(runSweep(plan)).rejects.toThrow(/point 1: prosumers\[0\]\.battery\.initialKwh: 6 kWh lies outside \[2, 5\]/);
  });

  it('forms the cartesian product, the last parameter fastest', () => {
    const plan = loadSweep(sweepFile('g.json', { parameters: [{ path: 'utility.targetKw[0]', values: [1, 2] }, { path: 'utility.targetKw[1]', from: 0, to: 2, step: 1 }] }));
    expect(plan.size).toBe(6);
    expect(Array.from({ length: 6 }, (_, k) => plan.point(k).values)).toEqual([[1, 0], [1, 1], [1, 2], [2, 0], [2, 1], [2, 2]]);
    expect(plan.point(4).scenario.utility.targetKw).toEqual([2, 1, 0, 0]);
  });
});

describe("the seed's studies", () => {
  it('constraint study: every point optimal, battery power within the swept limit, the objective falling as it grows', async () => {
    const plan = loadSweep('scenarios/constraint-sweep.json');
    const results = await runSweep(plan);
    expect(results).toHaveLength(9);
    let previous = Infinity;
    for (const r of results) {
      const limit = r.values[0] as number;
      expect(r.clearing!.status).toBe('optimal');
      expect(checkInvariants(plan.point(r.run).scenario, r.clearing!)).toEqual([]);
      for (const step of r.clearing!.steps) for (const a of step.agents) expect(Math.abs(a.batteryKw)).toBeLessThanOrEqual(limit + 1e-9);
      expect(r.clearing!.objective!).toBeLessThanOrEqual(previous + 1e-6);
      previous = r.clearing!.objective!;
    }
    // With limits of 0.2 kW, every battery discharges at its limit to meet the step-0 request.
    expect(results[0]!.clearing!.steps[0]!.agents.map((a) => a.batteryKw)).toEqual([0.2, 0.2, 0.2]);
  });

  it('node-0 study B: 201 points, every one optimal and within limits', async () => {
    const plan = loadSweep('scenarios/node0-sweep-b.json');
    const results = await runSweep(plan);
    expect(results).toHaveLength(201);
    expect(results.map((r) => r.values[0])).toEqual(rangeValues(-100, 100, 1));
    for (const r of results) {
      expect(r.clearing!.status).toBe('optimal');
      expect(checkInvariants(plan.point(r.run).scenario, r.clearing!)).toEqual([]);
    }
  });
});

describe('worker threads', () => {
  it('give the same points, in the same order, with 1 worker or 2', async () => {
    const plan = loadSweep('scenarios/constraint-sweep.json');
    const { sweepFiles } = await import('../src/output/sweep-csv.ts');
    // Chunks of 2 points: 5 chunks, so that two workers really share them.
    const one = sweepFiles(plan, await runSweep(plan, { workers: 1, chunkPoints: 2 }));
    const two = sweepFiles(plan, await runSweep(plan, { workers: 2, chunkPoints: 2 }));
    expect(two['steps.csv']).toBe(one['steps.csv']);
    expect(two['trades.csv']).toBe(one['trades.csv']);
    expect(withoutTimings('runs.csv', two['runs.csv']!)).toEqual(withoutTimings('runs.csv', one['runs.csv']!));
  });
});

describe('stochastic sweeps', () => {
  const dir = mkdtempSync(join(tmpdir(), 'p2pmarket-stochastic-'));
  const sweepFile = (name: string, sweep: object) => {
    const file = join(dir, name);
    writeFileSync(file, JSON.stringify({ scenario: join(process.cwd(), 'scenarios', 'seed-time-horizons.json'), mode: 'simulate', ...sweep }));
    return file;
  };

  it('draws the same samples from the same seed, whatever the workers, and summarises them', async () => {
    const { sweepFiles } = await import('../src/output/sweep-csv.ts');
    const plan = loadSweep(sweepFile('s.json', { samples: 6, seed: 3, perturbations: { forecastErrorStdKw: 0.7, requestStdKw: 2, randomInitialSoc: true } }));
    expect(plan.size).toBe(6);
    const one = sweepFiles(plan, await runSweep(plan, { workers: 1, chunkPoints: 2 }));
    const two = sweepFiles(plan, await runSweep(plan, { workers: 2, chunkPoints: 2 }));
    expect(two['summary.csv']).toBe(one['summary.csv']);
    expect(two['steps.csv']).toBe(one['steps.csv']);
    const summary = one['summary.csv']!.trim().split('\n');
    expect(summary[0]).toBe('point,metric,samples,mean,std,stdErrorOfMean,p5,p50,p95');
    expect(summary.slice(1).map((line) => line.split(',')[1])).toEqual(expect.arrayContaining(['objective', 'requestShortfallKwh', 'imbalanceKwh', 'finalSocKwh', 'tradedKwh', 'socialWelfareCurrency', 'minVoltagePu']));
    // Samples differ from each other: initial states, requests and realisations are drawn.
    const first = plan.point(0).scenario;
    const second = plan.point(1).scenario;
    expect(second.prosumers[0]!.battery!.initialKwh).not.toBe(first.prosumers[0]!.battery!.initialKwh);
    expect(second.utility.targetKw).not.toEqual(first.utility.targetKw);
    expect(first.forecastErrorStdKw).toBe(0.7);
    const again = loadSweep(sweepFile('s2.json', { samples: 6, seed: 3, perturbations: { forecastErrorStdKw: 0.7, requestStdKw: 2, randomInitialSoc: true } }));
    expect(again.point(4)).toEqual(plan.point(4));
    const other = loadSweep(sweepFile('s3.json', { samples: 6, seed: 4, perturbations: { requestStdKw: 2 } }));
    expect(other.point(0).scenario.utility.targetKw).not.toEqual(first.utility.targetKw);
  });

  it('computes mean, sample standard deviation and interpolated percentiles', async () => {
    const { statistics } = await import('../src/sweep/summary.ts');
    const st = statistics([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(st.mean).toBe(5.5);
    expect(st.std).toBeCloseTo(3.0276503540974917, 12);
    expect(st.p50).toBe(5.5);
    expect(st.p5).toBeCloseTo(1.45, 12);
    expect(st.p95).toBeCloseTo(9.55, 12);
  });

  it('refuses forecast errors in a sweep of clearings', () => {
    const file = sweepFile('c.json', { mode: 'clear', samples: 3, perturbations: { forecastErrorStdKw: 1 } });
    expect(() => loadSweep(file)).toThrow(/perturbations\.forecastErrorStdKw: forecast errors are realised by the engine/);
  });
});

describe('found in review', () => {
  const dir = mkdtempSync(join(tmpdir(), 'p2pmarket-review-'));

  it('a sweep over matrix coefficients (step length) clears every point as alone', async () => {
    const file = join(dir, 'hours.json');
    writeFileSync(file, JSON.stringify({ scenario: join(process.cwd(), 'scenarios', 'seed-4node.json'), parameters: [{ path: 'stepHours', values: [4, 1, 2, 0.5] }] }));
    const plan = loadSweep(file);
    const results = await runSweep(plan, { workers: 1 });
    expect(results.map((r) => r.clearing!.status)).toEqual(['optimal', 'optimal', 'optimal', 'optimal']);
    for (const r of results) expect(checkInvariants(plan.point(r.run).scenario, r.clearing!)).toEqual([]);
  });

  it("a new run's files replace all of an earlier run's, and leave others alone", async () => {
    const { writeRunFiles } = await import('../src/output/write.ts');
    const { readdirSync } = await import('node:fs');
    const out = join(dir, 'out');
    writeRunFiles(out, { 'summary.csv': 'old', 'events.csv': 'old', 'result.json': '{}' });
    writeFileSync(join(out, 'notes.txt'), 'mine');
    writeRunFiles(out, { 'runs.csv': 'new', 'result.json': '{}' });
    expect(readdirSync(out).filter((f) => !f.startsWith('.p2pmarket')).sort()).toEqual(['notes.txt', 'result.json', 'runs.csv']);
  });

  it('refuses random initial states together with a swept initial state', () => {
    const file = join(dir, 'soc.json');
    writeFileSync(file, JSON.stringify({ scenario: join(process.cwd(), 'scenarios', 'seed-time-horizons.json'), mode: 'simulate', samples: 2, perturbations: { randomInitialSoc: true }, parameters: [{ path: 'prosumers[0].battery.initialKwh', values: [5] }] }));
    expect(() => loadSweep(file)).toThrow(/perturbations\.randomInitialSoc: draws the initial states that a parameter also sets/);
  });
});
