/**
 * Figures: each is drawn from the right data. The runs are made by the real command (with
 * --plot); then each figure's SVG is read for its data marks (vega-lite describes every mark
 * in an aria-label), and its vega scenegraph is walked for the datum behind every mark, and
 * both are compared with the run's own files.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { figuresFor, type Figure } from '../src/plot/figures.ts';
import { renderView } from '../src/plot/render.ts';
import { readRunFolder, type Row, type RunFolder } from '../src/plot/run-dir.ts';
import { p2pmarket, ROOT, temporaryFolder, unwrap } from './helpers/cli.ts';

const { workDir } = temporaryFolder('p2pmarket-plot-');
const scenario = (name: string) => join(ROOT, 'scenarios', name);

/** The aria-labels of the data marks with one role description ("rect mark", "bar", "point") in an SVG, as key → value. */
function svgMarks(svg: string, role: string): Record<string, string>[] {
  const marks: Record<string, string>[] = [];
  const pattern = new RegExp(`aria-roledescription="${role}"[^>]*aria-label="([^"]*)"|aria-label="([^"]*)"[^>]*aria-roledescription="${role}"`, 'g');
  for (const match of svg.matchAll(pattern)) {
    const label = (match[1] ?? match[2]!).replace(/&quot;/g, '"').replace(/&amp;/g, '&');
    marks.push(Object.fromEntries(label.split('; ').map((pair) => [pair.slice(0, pair.indexOf(': ')), pair.slice(pair.indexOf(': ') + 2)])));
  }
  return marks;
}

interface SceneNode {
  marktype?: string;
  role?: string;
  items?: (SceneNode & { datum?: Record<string, unknown>; items?: SceneNode[] })[];
}

/** The datum of every item of the data marks of one type (role "mark") in a figure's scenegraph. */
async function sceneData(figure: Figure, marktype: string): Promise<Record<string, unknown>[]> {
  const view = await renderView(figure.spec);
  const data: Record<string, unknown>[] = [];
  const visit = (node: SceneNode) => {
    if (node.marktype === marktype && node.role === 'mark') for (const item of node.items ?? []) data.push(item.datum ?? {});
    for (const item of node.items ?? []) for (const child of item.items ?? []) visit(child);
  };
  visit((view.scenegraph() as unknown as { root: SceneNode }).root);
  view.finalize();
  return data;
}

const figure = (run: RunFolder, id: string) => {
  const found = figuresFor(run).find((f) => f.id === id);
  expect(found, `figure ${id}`).toBeDefined();
  return found!;
};
const svgOf = (run: RunFolder, id: string) => readFileSync(join(run.dir, 'figures', `${id}.svg`), 'utf8');
const near = (a: unknown, b: unknown) => expect(Number(a)).toBeCloseTo(Number(b), 6);

/** What an agent traded in a step, from trades.csv: sold positive, bought negative. */
const tradedKw = (run: RunFolder, agent: unknown, t: unknown) =>
  run.trades.filter((tr) => tr.t === t).reduce((sum, tr) => sum + (tr.from === agent ? Number(tr.kw) : tr.to === agent ? -Number(tr.kw) : 0), 0);

/** The step bars hold the forecast, the battery power and the sum of the trades of every agent and step. */
async function expectStepBars(run: RunFolder): Promise<Record<string, unknown>[]> {
  const bars = await sceneData(figure(run, 'step-bars'), 'rect');
  expect(bars).toHaveLength(3 * run.steps.length);
  const value = (r: Row, quantity: string) => bars.find((b) => b.agent === r.agent && b.t === r.t && b.quantity === quantity)!.kw;
  for (const r of run.steps) {
    near(value(r, 'forecast'), r.scheduleKw);
    near(value(r, 'battery'), r.batteryKw);
    near(value(r, 'traded'), tradedKw(run, r.agent, r.t));
  }
  return bars;
}

describe('figures of a clearing', () => {
  let run: RunFolder;
  beforeAll(async () => {
    const dir = workDir('clear');
    const out = join(dir, 'seed');
    const r = await p2pmarket(['clear', scenario('seed-4node.json'), '--plot', '--quiet', '--out', out], dir);
    expect(r.code, r.stderr).toBe(0);
    run = readRunFolder(out);
  }, 60_000);

  it('writes every figure and an index.html that embeds them', () => {
    const ids = figuresFor(run).map((f) => f.id);
    expect(ids).toEqual(['net-injection', 'step-bars', 'state-of-charge', 'voltages', 'nodal-prices', 'line-flows', 'trade-prices']);
    const html = readFileSync(join(run.dir, 'index.html'), 'utf8');
    for (const id of ids) {
      expect(existsSync(join(run.dir, 'figures', `${id}.svg`))).toBe(true);
      expect(html).toContain(`data-figure="${id}"`);
    }
    expect(html).toContain('89698.003');
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/); // nothing to fetch
  });

  it('heatmap: one cell per agent and step, coloured by its net injection', async () => {
    const cells = svgMarks(svgOf(run, 'net-injection'), 'rect mark');
    expect(cells).toHaveLength(run.steps.length);
    for (const row of run.steps) {
      const cell = cells.find((c) => c.agent === row.agent && c.t === String(row.t));
      expect(cell, `${row.agent} step ${row.t}`).toBeDefined();
      near(cell!['net injection kW'], row.netInjectionKw);
    }
    const data = await sceneData(figure(run, 'net-injection'), 'rect');
    expect(data.map((d) => d.netInjectionKw).sort()).toEqual(run.steps.map((r) => r.netInjectionKw).sort());
  });

  it('step bars: forecast, battery and traded power of every agent and step', async () => {
    await expectStepBars(run);
    expect(svgMarks(svgOf(run, 'step-bars'), 'bar')).toHaveLength(3 * run.steps.length);
  });

  it('state of charge: every step boundary of every battery, and its limits', async () => {
    const points = await sceneData(figure(run, 'state-of-charge'), 'symbol');
    const agents = new Set(run.steps.map((r) => r.agent));
    expect(points).toHaveLength(agents.size * 5);
    for (const r of run.steps) near(points.find((p) => p.agent === r.agent && p.boundary === r.t)!.kwh, r.socStartKwh);
    for (const r of run.steps.filter((s) => s.t === 3)) near(points.find((p) => p.agent === r.agent && p.boundary === 4)!.kwh, r.socEndKwh);
    const limits = await sceneData(figure(run, 'state-of-charge'), 'rule');
    const batteries = (run.scenario!.prosumers as { id: string; battery: { minKwh: number; maxKwh: number } }[]).flatMap((p) => [`${p.id} ${p.battery.minKwh}`, `${p.id} ${p.battery.maxKwh}`]);
    expect(limits.map((l) => `${l.agent} ${l.kwh}`).sort()).toEqual(batteries.sort());
  });

  it('voltages: every bus in every step, between the limits', async () => {
    const steps = run.result.steps as { t: number; buses: { id: string; voltagePu: number }[] }[];
    const points = await sceneData(figure(run, 'voltages'), 'symbol');
    expect(points).toHaveLength(steps.length * steps[0]!.buses.length);
    for (const s of steps) for (const b of s.buses) near(points.find((p) => p.t === s.t && p.element === b.id)!.value, b.voltagePu);
    const limits = await sceneData(figure(run, 'voltages'), 'rule');
    expect(limits.map((l) => l.value).sort()).toEqual([0.95, 1.05]);
  });

  it('nodal prices: every bus in every step, as nodal-prices.csv has them', async () => {
    const rows = parse(readFileSync(join(run.dir, 'nodal-prices.csv'), 'utf8'), { columns: true, cast: true }) as { t: number; bus: string | number; nodalPricePerKwh: number }[];
    const points = await sceneData(figure(run, 'nodal-prices'), 'symbol');
    expect(points).toHaveLength(rows.length);
    for (const r of rows) near(points.find((p) => p.t === r.t && p.element === String(r.bus))!.value, r.nodalPricePerKwh);
  });

  it('line flows: every line in every step, and ticks at the limits', async () => {
    const steps = run.result.steps as { t: number; lines: { from: string; to: string; flowKw: number }[] }[];
    const points = await sceneData(figure(run, 'line-flows'), 'symbol');
    expect(points).toHaveLength(steps.length * 3);
    for (const s of steps) for (const l of s.lines) near(points.find((p) => p.t === s.t && p.element === `${l.from}→${l.to}`)!.value, l.flowKw);
    const ticks = await sceneData(figure(run, 'line-flows'), 'rect');
    expect(ticks.map((t) => `${t.element} ${t.value}`).sort()).toEqual(['0→1 -100', '0→1 100', '1→2 -100', '1→2 100', '2→3 -100', '2→3 100']);
  });

  it('trade prices: one point per seller and step (side by side), at its price, sized by what it sold', () => {
    const points = svgMarks(svgOf(run, 'trade-prices'), 'point');
    const sellers = new Set(run.trades.map((tr) => `${tr.from} ${tr.t}`));
    expect(points).toHaveLength(sellers.size);
    for (const tr of run.trades) {
      const point = points.find((p) => p.seller === tr.from && p.step === String(tr.t));
      expect(point, `${tr.from} step ${tr.t}`).toBeDefined();
      near(point!['objective units per kWh']!.replace('−', '-'), tr.pricePerKwh);
      expect(point!['sold to']!.split(', ')).toContain(String(tr.to));
    }
    for (const p of points) {
      const sold = run.trades.filter((tr) => tr.from === p.seller && String(tr.t) === p.step).reduce((sum, tr) => sum + Number(tr.kw), 0);
      near(p['kW sold']!.replace('−', '-'), sold);
    }
  });

  it('says what the numbers are: shadow prices in objective units, no settlement in currency', () => {
    const html = readFileSync(join(run.dir, 'index.html'), 'utf8');
    expect(html).toContain('objective (objective units)');
    expect(html).toMatch(/No settlement in currency/);
    expect(html).not.toContain('paymentsCurrency');
    expect(html).not.toMatch(/<th>pay<wbr>ments<\/th>|<th>payments<\/th>/);
    expect(figure(run, 'trade-prices').title).toBe('Trade shadow prices');
    expect(figure(run, 'nodal-prices').title).toBe('Nodal shadow prices');
    expect(html).not.toContain('no duals');
  });
});

describe('plot refuses what is not a run', () => {
  it.concurrent('a power-flow folder, a folder without result.json, a result that is not an object (exit 2)', async () => {
    const dir = workDir('refuse');
    const pf = await p2pmarket(['powerflow', scenario('ieee33-base.json'), '--quiet', '--out', join(dir, 'pf')], dir);
    expect(pf.code).toBe(0);
    const onPowerFlow = await p2pmarket(['plot', join(dir, 'pf')], dir);
    expect(onPowerFlow.code).toBe(2);
    expect(unwrap(onPowerFlow.stderr)).toMatch(/a power-flow folder/);
    mkdirSync(join(dir, 'empty'));
    const empty = await p2pmarket(['plot', join(dir, 'empty')], dir);
    expect(empty.code).toBe(2);
    expect(unwrap(empty.stderr)).toMatch(/no result\.json: not a finished run folder/);
    const run = join(dir, 'run');
    expect((await p2pmarket(['clear', scenario('seed-4node.json'), '--quiet', '--out', run], dir)).code).toBe(0);
    writeFileSync(join(run, 'result.json'), 'null');
    const nullResult = await p2pmarket(['plot', run], dir);
    expect(nullResult.code).toBe(2);
    expect(unwrap(nullResult.stderr)).toMatch(/result\.json: not a JSON object/);
    expect(existsSync(join(run, 'index.html'))).toBe(false);
  }, 60_000);
});

describe('figures of a simulation with forecast errors', () => {
  it('step bars: the traded power is what the market cleared, not what was realised', async () => {
    const dir = workDir('simulate');
    const input = JSON.parse(readFileSync(scenario('seed-time-horizons.json'), 'utf8'));
    writeFileSync(join(dir, 'noisy.json'), JSON.stringify({ ...input, forecastErrorStdKw: 2 }));
    const out = join(dir, 'noisy');
    const r = await p2pmarket(['simulate', join(dir, 'noisy.json'), '--plot', '--quiet', '--out', out], dir);
    expect(r.code, r.stderr).toBe(0);
    const run = readRunFolder(out);
    expect(run.kind).toBe('simulate');
    await expectStepBars(run);
    // The realised injections differ from the trades: the test tells the two apart.
    expect(run.steps.some((row) => Math.abs(Number(row.netInjectionKw) - tradedKw(run, row.agent, row.t)) > 0.01)).toBe(true);
  }, 60_000);
});

describe('figures of sweeps', () => {
  let studyB: RunFolder;
  let constraints: RunFolder;
  let stochastic: RunFolder;
  beforeAll(async () => {
    const dir = workDir('sweeps');
    const stochasticFile = join(dir, 'stochastic.json');
    writeFileSync(
      stochasticFile,
      JSON.stringify({ scenario: scenario('seed-4node.json'), mode: 'simulate', samples: 30, seed: 4, perturbations: { forecastErrorStdKw: 1 } }),
    );
    const runs = await Promise.all([
      p2pmarket(['sweep', scenario('node0-sweep-b.json'), '--plot', '--quiet', '--out', join(dir, 'b')], dir),
      p2pmarket(['sweep', scenario('constraint-sweep.json'), '--plot', '--quiet', '--out', join(dir, 'c')], dir),
      p2pmarket(['sweep', stochasticFile, '--plot', '--quiet', '--out', join(dir, 's')], dir),
    ]);
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    studyB = readRunFolder(join(dir, 'b'));
    constraints = readRunFolder(join(dir, 'c'));
    stochastic = readRunFolder(join(dir, 's'));
  }, 90_000);

  it('node-0 study: a panel per step and battery of its state of charge against the request', async () => {
    const f = figure(studyB, 'sweep-state-of-charge');
    const data = await sceneData(f, 'line');
    // 4 steps × 3 batteries × 201 request values.
    expect(data).toHaveLength(4 * 3 * 201);
    const request = new Map(studyB.runs.map((r) => [r.run, r.step2RequestKw]));
    for (const r of studyB.steps.filter((_, k) => k % 37 === 0)) {
      const point = data.find((d) => d.agent === r.agent && d.t === r.t && d.x === request.get(r.run));
      near(point!.socStartKwh, r.socStartKwh);
    }
    expect(new Set(data.map((d) => d.x)).size).toBe(201);
  });

  it('constraint study: battery power against the limit, with the limit lines', async () => {
    const f = figure(constraints, 'sweep-battery-power');
    const points = await sceneData(f, 'symbol');
    expect(points).toHaveLength(constraints.steps.length);
    const limit = new Map(constraints.runs.map((r) => [r.run, Number(constraints.parameterColumns.map((c) => r[c])[0])]));
    for (const r of constraints.steps) {
      const point = points.find((p) => p.agent === r.agent && p.t === r.t && p.x === limit.get(r.run))!;
      near(point.batteryKw, r.batteryKw);
      expect(Math.abs(Number(r.batteryKw))).toBeLessThanOrEqual(limit.get(r.run)! + 1e-6);
    }
    const limits = await sceneData(f, 'line');
    const limitPoints = limits.filter((d) => 'limitKw' in d);
    // Both limits at the 9 values, in every panel (3 batteries × 4 steps).
    expect(limitPoints).toHaveLength(2 * 9 * 3 * 4);
    for (const d of limitPoints) expect(Math.abs(Number(d.limitKw))).toBeCloseTo(Number(d.x), 9);
  });

  it('objective against the swept parameter', async () => {
    const points = await sceneData(figure(studyB, 'sweep-objective'), 'symbol');
    expect(points.map((p) => p.objective)).toEqual(studyB.runs.map((r) => r.objective));
  });

  it('a second varying parameter splits the lines into series', async () => {
    const dir = workDir('two');
    writeFileSync(
      join(dir, 'two.json'),
      JSON.stringify({
        scenario: scenario('seed-node0.json'),
        parameters: [
          { path: 'utility.targetKw[2]', values: [-50, 0, 50] },
          { path: 'prosumers[*].battery.maxChargeKw', values: [0.2, 0.4] },
        ],
      }),
    );
    const r = await p2pmarket(['sweep', join(dir, 'two.json'), '--plot', '--quiet', '--out', join(dir, 'out')], dir);
    expect(r.code, r.stderr).toBe(0);
    const run = readRunFolder(join(dir, 'out'));
    const lines = await sceneData(figure(run, 'sweep-objective'), 'line');
    // One line per battery limit, each through its three requests in order.
    const bySeries = new Map<string, Record<string, unknown>[]>();
    for (const d of lines) bySeries.set(String(d.series), [...(bySeries.get(String(d.series)) ?? []), d]);
    expect([...bySeries.keys()].sort()).toEqual(['prosumers_battery_maxChargeKw = 0.2', 'prosumers_battery_maxChargeKw = 0.4']);
    for (const [series, points] of bySeries) {
      const limit = Number(series.split(' = ')[1]);
      const expected = run.runs.filter((row) => row.prosumers_battery_maxChargeKw === limit);
      expect(points.map((p) => [p.x, p.objective])).toEqual(expected.map((row) => [row.utility_targetKw_2, row.objective]));
    }
  }, 60_000);

  it('stochastic fan charts: median and p5–p95 band over the samples', async () => {
    const f = figure(stochastic, 'fan-state-of-charge');
    const medians = await sceneData(f, 'symbol');
    expect(medians).toHaveLength(3 * 4);
    // Recompute one band by hand from steps.csv.
    const values = stochastic.steps.filter((r) => r.agent === 'p2' && r.t === 2).map((r) => Number(r.socStartKwh)).sort((a, b) => a - b);
    expect(values).toHaveLength(30);
    const q = (p: number) => {
      const h = (values.length - 1) * p;
      return values[Math.floor(h)]! + (h - Math.floor(h)) * (values[Math.ceil(h)]! - values[Math.floor(h)]!);
    };
    const point = medians.find((m) => m.agent === 'p2' && m.t === 2)!;
    near(point.p50, q(0.5));
    near(point.p5, q(0.05));
    near(point.p95, q(0.95));
    expect(q(0.95)).toBeGreaterThan(q(0.05)); // the samples differ
    const bands = await sceneData(f, 'area');
    expect(bands).toHaveLength(3 * 4);
    expect(figuresFor(stochastic).map((x) => x.id)).toContain('fan-net-injection');
  });

  it('a stochastic sweep with a parameter: metrics against it with their bands, fan charts for every point, CDFs', async () => {
    const dir = workDir('stochastic-parameter');
    writeFileSync(
      join(dir, 'study.json'),
      JSON.stringify({
        scenario: scenario('seed-time-horizons.json'),
        mode: 'simulate',
        parameters: [{ name: 'capacityKwh', path: 'prosumers[*].battery.maxKwh', values: [12, 16, 22] }],
        samples: 8,
        seed: 2,
        perturbations: { forecastErrorStdKw: 1 },
      }),
    );
    const r = await p2pmarket(['sweep', join(dir, 'study.json'), '--plot', '--quiet', '--out', join(dir, 'out')], dir);
    expect(r.code, r.stderr).toBe(0);
    const run = readRunFolder(join(dir, 'out'));
    // Bands: every point's median and p5–p95 of each metric is summary.csv's.
    const bands = await sceneData(figure(run, 'sweep-metric-bands'), 'symbol');
    expect(bands.length).toBeGreaterThan(0);
    for (const b of bands) {
      const row = run.summary.find((s) => s.metric === b.metric && s.capacityKwh === b.x)!;
      near(b.p50, row.p50);
      near(b.p5, row.p5);
      near(b.p95, row.p95);
    }
    expect(new Set(bands.map((b) => b.x))).toEqual(new Set([12, 16, 22]));
    // Fan charts: one panel per point, each named by its parameter.
    const fans = await sceneData(figure(run, 'fan-state-of-charge'), 'symbol');
    expect(new Set(fans.map((f) => f.point))).toEqual(new Set(['point 0: capacityKwh = 12', 'point 1: capacityKwh = 16', 'point 2: capacityKwh = 22']));
    const socs = run.steps.filter((s) => s.agent === 'p1' && s.t === 2 && Number(s.run) >= 16 && Number(s.run) < 24).map((s) => Number(s.socStartKwh)).sort((a, b) => a - b);
    const median = (socs[3]! + socs[4]!) / 2;
    const found = fans.find((f) => f.point === 'point 2: capacityKwh = 22' && f.agent === 'p1' && f.t === 2);
    expect(found, JSON.stringify(fans.slice(0, 3))).toBeDefined();
    near(found!.p50, median);
    // CDFs: each point's curve climbs to 1 through its 8 samples.
    const cdf = await sceneData(figure(run, 'sweep-metric-cdfs'), 'line');
    const objective = cdf.filter((d) => d.metric === 'objective' && d.point === 'point 1: capacityKwh = 16');
    expect(objective.map((d) => d.share)).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((k) => k / 8));
    expect(objective.map((d) => d.value)).toEqual(run.runs.filter((row) => row.capacityKwh === 16).map((row) => Number(row.objective)).sort((a, b) => a - b));
    // The report's tables are summaries, and it links the files.
    const html = readFileSync(join(dir, 'out', 'index.html'), 'utf8');
    expect(html).toContain('<a href="runs.csv">runs.csv</a>');
    expect((html.match(/<tr>/g) ?? []).length).toBeLessThan(60);
  }, 90_000);
});
