/**
 * Sweeps over anything a scenario can say, and every run measured: optional and text fields,
 * whole objects, zipped and product parameters, a choice of scenario files, profile scaling;
 * the metrics of runs.csv recomputed from each run's own traces, trace metrics from the sweep
 * file, metrics from code, settlement.csv and nodal-prices.csv with their runs.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { sweepFiles } from '../src/output/sweep-csv.ts';
import { loadSweep, loadSweepFromTexts, validatePoints } from '../src/sweep/points.ts';
import { runSweep } from '../src/sweep/run.ts';
import { checkInvariants } from './helpers/invariants.ts';

const dir = mkdtempSync(join(tmpdir(), 'p2pmarket-sweep-parameters-'));
const scenarios = join(process.cwd(), 'scenarios');
const sweep = (name: string, body: object) => {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(body));
  return file;
};
const rows = (text: string) => parse(text, { columns: true, cast: (v) => (v === '' ? null : Number.isFinite(Number(v)) ? Number(v) : v) }) as Record<string, string | number | null>[];

describe('parameters that set anything', () => {
  it('text values, whole objects and optional fields the scenario leaves out', async () => {
    const plan = loadSweep(
      sweep('graphs.json', {
        scenario: join(scenarios, 'seed-bids.json'),
        parameters: [
          { name: 'graph', path: 'market.tradeGraph', values: ['all', 'utility', { maxHops: 1 }] },
          { name: 'flatFee', path: 'market.networkFee.perKwh', values: [0, 0.2] },
        ],
      }),
    );
    validatePoints(plan);
    expect(plan.size).toBe(6);
    expect(plan.point(2).scenario.market.tradeGraph).toBe('utility');
    expect(plan.point(5).scenario.market.tradeGraph).toEqual({ maxHops: 1 });
    expect(plan.point(5).scenario.market.networkFee).toEqual({ perKwh: 0.2, perKwhPerOhm: 0.01 });
    const results = await runSweep(plan);
    for (const r of results) {
      expect(r.clearing!.status).toBe('optimal');
      expect(checkInvariants(plan.point(r.run).scenario, r.clearing!)).toEqual([]);
    }
    const runs = rows(sweepFiles(plan, results)['runs.csv']!);
    // An object is written as a label without commas (numpy reads the file); result.json gives its value.
    expect(runs.map((r) => r.graph)).toEqual(['all', 'all', 'utility', 'utility', 'maxHops=1', 'maxHops=1']);
    expect((JSON.parse(sweepFiles(plan, results)['result.json']!) as { parameters: { labels?: Record<string, unknown> }[] }).parameters[0]!.labels!['maxHops=1']).toEqual({ maxHops: 1 });
    // Without peer trades every trade is with the utility.
    const trades = rows(sweepFiles(plan, results)['trades.csv']!);
    const utilityRuns = new Set(runs.filter((row) => row.graph === 'utility').map((row) => row.run));
    const theirs = trades.filter((t) => utilityRuns.has(t.run));
    expect(theirs.length).toBeGreaterThan(0);
    for (const t of theirs) expect([t.from, t.to]).toContain('utility');
  });

  it('batteries where there are batteries, horizonSteps created, a value a field cannot take named with its point', () => {
    const plan = loadSweep(
      sweep('optional.json', {
        scenario: join(scenarios, 'seed-bids.json'), // p4 has no battery
        mode: 'simulate',
        parameters: [
          { name: 'capacityKwh', path: 'prosumers[*].battery.maxKwh', values: [12, 30] },
          { name: 'window', path: 'horizonSteps', values: [2, 4] },
        ],
      }),
    );
    const point = plan.point(3).scenario;
    expect(point.prosumers.map((p) => p.battery?.maxKwh)).toEqual([undefined, 30, 30, 30]);
    expect(point.horizonSteps).toBe(4);
    const bad = loadSweep(sweep('bad-graph.json', { scenario: join(scenarios, 'seed-bids.json'), parameters: [{ path: 'market.penaltyNorm', values: ['l1', 'l3'] }] }));
    expect(() => validatePoints(bad)).toThrow(/bad-graph\.json: point 1: market\.penaltyNorm: Invalid option: expected one of "l2"\|"l1"/);
  });

  it('zipped parameters move together, beside a product', () => {
    const plan = loadSweep(
      sweep('zip.json', {
        scenario: join(scenarios, 'seed-node0.json'),
        parameters: [
          { zip: [{ name: 'charge', path: 'prosumers[*].battery.maxChargeKw', values: [1, 2, 3] }, { name: 'discharge', path: 'prosumers[*].battery.maxDischargeKw', values: [4, 5, 6] }] },
          { name: 'request', path: 'utility.targetKw[2]', values: [0, 10] },
        ],
      }),
    );
    expect(plan.size).toBe(6);
    expect(Array.from({ length: 6 }, (_, k) => plan.point(k).values)).toEqual([[1, 4, 0], [1, 4, 10], [2, 5, 0], [2, 5, 10], [3, 6, 0], [3, 6, 10]]);
    expect(() => loadSweep(sweep('zip-bad.json', { scenario: join(scenarios, 'seed-node0.json'), parameters: [{ zip: [{ path: 'utility.targetKw[0]', values: [1, 2] }, { path: 'utility.targetKw[1]', values: [1] }] }] }))).toThrow(
      /parameters\[0\]\.zip: its parameters move together but have 2 and 1 values/,
    );
  });

  it('a choice among scenario files, other parameters applied to whichever', () => {
    const plan = loadSweep(sweep('choice.json', { parameters: [{ name: 'feeder', scenario: [join(scenarios, 'seed-4node.json'), join(scenarios, 'seed-node0.json')] }, { path: 'utility.priority[0]', values: [1, 2] }] }));
    expect(plan.size).toBe(4);
    expect(plan.point(0).scenario.name).toBe('seed-4node');
    expect(plan.point(3).scenario.name).toBe('seed-node0');
    expect(plan.point(3).scenario.utility.priority[0]).toBe(2);
    expect(plan.inputs).toContain(join(scenarios, 'seed-node0.json'));
  });

  it('scales a profile (PV penetration) and a group of fields (battery size)', () => {
    const plan = loadSweep(
      sweep('pv.json', {
        scenario: join(scenarios, 'seed-profiles.json'),
        parameters: [
          { name: 'pvScale', path: 'prosumers[*].pvKw', scale: [0, 1, 2] },
          { name: 'batteryScale', path: ['prosumers[*].battery.maxKwh', 'prosumers[*].battery.initialKwh', 'prosumers[*].battery.minKwh'], scale: [0.5, 2] },
        ],
      }),
    );
    const base = plan.point(2).scenario; // pv × 1, batteries × 0.5
    const double = plan.point(5).scenario; // pv × 2, batteries × 2
    const none = plan.point(0).scenario;
    const pvOf = (s: typeof base) => s.prosumers.map((p) => (p.pvKw ? p.pvKw.reduce((a, b) => a + b, 0) : 0));
    // h1's inverter grows with its array (P_dc0 / 1.2): its PV doubles; h2's fixed 3 kW inverter clips it.
    expect(pvOf(double)[0]).toBeCloseTo(2 * pvOf(base)[0]!, 6);
    expect(pvOf(double)[1]).toBeLessThan(2 * pvOf(base)[1]!);
    expect(Math.max(...double.prosumers[1]!.pvKw!)).toBeLessThanOrEqual(3 + 1e-9);
    expect(pvOf(none).every((v) => v === 0)).toBe(true);
    expect(double.prosumers[0]!.battery!.maxKwh).toBe(4 * base.prosumers[0]!.battery!.maxKwh);
    // The net schedule follows the scaled PV.
    for (const p of double.prosumers) p.scheduleKw.forEach((net, t) => expect(net).toBeCloseTo((p.pvKw?.[t] ?? 0) - (p.loadKw?.[t] ?? 0), 9));
  });
});

describe('every run measured', () => {
  it("recomputes each run's metrics from its traces, and writes settlement.csv and nodal-prices.csv with the runs", async () => {
    const file = sweep('measured.json', {
      scenario: join(scenarios, 'seed-bids.json'),
      parameters: [{ name: 'fee', path: 'market.networkFee.perKwh', values: [0, 0.5] }],
      metrics: [
        { name: 'utilitySoldKwh', trace: 'settlement', column: 'soldKwh', agg: 'sum', agent: 'utility' },
        { name: 'p1PeakImportKw', trace: 'steps', column: 'netInjectionKw', agg: 'min', agent: 'p1' },
        { name: 'tradesFromP2', trace: 'trades', column: 'kw', agg: 'count', from: 'p2' },
      ],
    });
    const plan = loadSweep(file);
    const results = await runSweep(plan, { metrics: (point, r) => ({ stepsCleared: r.clearing!.steps.length + point.values.length * 0 }) });
    const files = sweepFiles(plan, results);
    const runs = rows(files['runs.csv']!);
    const steps = rows(files['steps.csv']!);
    const trades = rows(files['trades.csv']!);
    const settlement = rows(files['settlement.csv']!);
    const nodal = rows(files['nodal-prices.csv']!);
    expect(Object.keys(runs[0]!).slice(0, 4)).toEqual(['run', 'fee', 'status', 'solveMs']);
    for (const run of runs) {
      const r = run.run as number;
      const mySteps = steps.filter((s) => s.run === r);
      const myTrades = trades.filter((s) => s.run === r);
      const mySettlement = settlement.filter((s) => s.run === r);
      const hours = plan.point(r).scenario.stepHours;
      expect(Number(run.tradedKwh)).toBeCloseTo(myTrades.reduce((s, t) => s + Number(t.kw) * hours, 0), 6);
      expect(Number(run.minVoltagePu)).toBeCloseTo(Math.min(...nodal.filter((n) => n.run === r).map((n) => Number(n.voltagePu))), 9);
      expect(Number(run.utilitySoldKwh)).toBeCloseTo(mySettlement.filter((s) => s.agent === 'utility').reduce((s, row) => s + Number(row.soldKwh), 0), 9);
      expect(Number(run.p1PeakImportKw)).toBe(Math.min(...mySteps.filter((s) => s.agent === 'p1').map((s) => Number(s.netInjectionKw))));
      expect(Number(run.tradesFromP2)).toBe(myTrades.filter((t) => t.from === 'p2').length);
      expect(Number(run.feesCollectedCurrency)).toBeCloseTo(mySettlement.reduce((s, row) => s + Number(row.feesCurrency), 0), 6);
      const gains = mySettlement.filter((s) => s.agent !== 'utility').reduce((s, row) => s + Number(row.gainCurrency), 0);
      expect(Number(run.prosumersGainCurrency)).toBeCloseTo(gains, 6);
      expect(run.stepsCleared).toBe(4);
    }
    // The fees collected are the objective's fee term (the settlement works on the reported, rounded trades).
    for (const run of runs) expect(Number(run.feesCollectedCurrency)).toBeCloseTo(Number(run.networkFeesTermCurrency), 4);
  });

  it('builds the same plan from texts in memory, and runs it on worker threads', async () => {
    const scenarioText = readFileSync(join(scenarios, 'seed-node0.json'), 'utf8');
    const texts = {
      [join(dir, 'memory', 'sweep.json')]: JSON.stringify({ scenario: 'feeder.json', parameters: [{ name: 'request', path: 'utility.targetKw[2]', from: -20, to: 20, step: 10 }] }),
      [join(dir, 'memory', 'feeder.json')]: scenarioText,
    };
    const plan = loadSweepFromTexts(join(dir, 'memory', 'sweep.json'), texts);
    const one = sweepFiles(plan, await runSweep(plan, { workers: 1, chunkPoints: 2 }));
    const two = sweepFiles(plan, await runSweep(plan, { workers: 2, chunkPoints: 2 }));
    expect(two['steps.csv']).toBe(one['steps.csv']);
    expect(rows(one['runs.csv']!).map((r) => r.request)).toEqual([-20, -10, 0, 10, 20]);
  });
});
