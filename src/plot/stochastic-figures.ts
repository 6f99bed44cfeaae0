/**
 * The figures of a stochastic sweep (several samples per parameter point), from its runs.csv,
 * summary.csv and steps.csv:
 * - **metrics against the parameter**: each metric's median over the samples (line) and its
 *   p5–p95 band against the first varying parameter, one panel per metric, one colour per
 *   combination of the other parameters (summary.csv's own statistics);
 * - **fan charts for every point**: the batteries' state of charge and the prosumers' net
 *   injection over the steps, median and p5–p95 band across the samples, one panel per point
 *   (named by its parameters) — up to MAX_FAN_POINTS points, evenly spread when there are more;
 *   one band per prosumer up to MAX_FAN_AGENTS, their total (summed per sample) beyond; a
 *   point whose batteries hold nothing draws no state-of-charge panel;
 * - **empirical CDFs**: each metric's distribution over the samples, one curve per point.
 */
import { base, HEIGHT, metricUnit, num, WIDTH } from './chart.ts';
import type { Figure } from './figures.ts';
import type { Row, RunFolder } from './run-dir.ts';

/** Points drawn as fan-chart panels at most (evenly spread over the sweep beyond that). */
export const MAX_FAN_POINTS = 12;
/** Metrics drawn at most in the band and CDF figures (the first that vary, in runs.csv's order). */
export const MAX_METRICS = 9;

/** p-th percentile by linear interpolation (numpy's default), of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  return sorted[lo]! + (h - lo) * ((sorted[Math.min(lo + 1, sorted.length - 1)] ?? sorted[lo]!) - sorted[lo]!);
}

interface Point {
  index: number;
  label: string;
  /** The label without its number, compact, for panel headers and legends: "pvScale 0.5 · batteryScale 1". */
  short: string;
  runs: Set<unknown>;
}

/** The parameter points of the sweep, each with its runs and a label naming its parameter values. */
function pointsOf(run: RunFolder, samples: number): Point[] {
  const parameters = run.parameterColumns.filter((c) => c !== 'sample');
  const points: Point[] = [];
  for (let k = 0; k * samples < run.runs.length; k++) {
    const rows = run.runs.slice(k * samples, (k + 1) * samples);
    const first = rows[0]!;
    const label = parameters.length > 0 ? parameters.map((c) => `${c} = ${first[c]}`).join(', ') : 'all samples';
    const short = parameters.length > 0 ? parameters.map((c) => `${c} ${first[c]}`).join(' · ') : 'all samples';
    points.push({ index: k, label: `point ${k}: ${label}`, short, runs: new Set(rows.map((r) => r.run)) });
  }
  return points;
}

/** The metric columns of runs.csv that vary over the sweep (numbers, at most MAX_METRICS). */
function varyingMetrics(run: RunFolder): string[] {
  const header = Object.keys(run.runs[0] ?? {});
  const after = header.indexOf('solveMs');
  return header
    .slice(after + 1)
    .filter((c) => {
      const values = run.runs.map((r) => r[c]).filter((v): v is number => typeof v === 'number');
      return values.length > 0 && new Set(values).size > 1;
    })
    .slice(0, MAX_METRICS);
}

export function stochasticFigures(run: RunFolder, samples: number): Figure[] {
  const figures: Figure[] = [];
  const points = pointsOf(run, samples);
  const metrics = varyingMetrics(run);
  const parameters = run.parameterColumns.filter((c) => c !== 'sample');
  const swept = parameters.find((c) => new Set(run.runs.map((r) => r[c])).size > 1);
  if (swept && metrics.length > 0 && run.summary.length > 0) figures.push(metricBands(run, swept, parameters, metrics, samples));
  figures.push(...fanCharts(run, points, samples));
  if (metrics.length > 0) figures.push(metricCdfs(run, points, metrics, samples));
  return figures;
}

/** A metric's panel title with its unit: "tradedKwh (kWh)"; a metric without a unit (a count) as it is. */
function withUnit(metric: string): string {
  const unit = metricUnit(metric);
  return unit ? `${metric} (${unit})` : metric;
}

function metricBands(run: RunFolder, swept: string, parameters: string[], metrics: string[], samples: number): Figure {
  const others = parameters.filter((c) => c !== swept && new Set(run.runs.map((r) => r[c])).size > 1);
  const values = run.summary
    .filter((s) => metrics.includes(String(s.metric)))
    .map((s) => ({
      metric: s.metric,
      panel: withUnit(String(s.metric)),
      x: s[swept],
      series: others.map((c) => `${c} = ${s[c]}`).join(', ') || 'all',
      p5: num(s.p5),
      p50: num(s.p50),
      p95: num(s.p95),
      mean: num(s.mean),
      samples: num(s.samples),
    }));
  const color = others.length > 0 ? { color: { field: 'series', type: 'nominal', title: others.join(', '), legend: { orient: 'top', direction: 'horizontal' } } } : {};
  const xType = run.runs.every((r) => typeof r[swept] === 'number') ? 'quantitative' : 'ordinal';
  return {
    id: 'sweep-metric-bands',
    title: `Metrics against ${swept}`,
    caption: `Each metric's median over the ${samples} samples of every point (line) and its p5–p95 band against ${swept}${others.length > 0 ? `, one colour per ${others.join(', ')}` : ''}; the numbers are in summary.csv.`,
    spec: {
      ...base(`Metrics against ${swept}: median and p5–p95 over ${samples} samples`),
      data: { values },
      facet: { field: 'panel', type: 'nominal', title: null, sort: metrics.map(withUnit) },
      columns: 3,
      resolve: { scale: { y: 'independent' } },
      spec: {
        width: 200,
        height: 130,
        layer: [
          { mark: { type: 'area', opacity: 0.25 }, encoding: { x: { field: 'x', type: xType, title: swept }, y: { field: 'p5', type: 'quantitative', title: null, scale: { zero: false } }, y2: { field: 'p95' }, ...color } },
          {
            mark: { type: 'line', point: true },
            encoding: {
              x: { field: 'x', type: xType, title: swept },
              y: { field: 'p50', type: 'quantitative', title: null },
              ...color,
              tooltip: [{ field: 'metric' }, { field: 'x', title: swept }, { field: 'series' }, { field: 'p5' }, { field: 'p50' }, { field: 'p95' }, { field: 'mean' }, { field: 'samples' }],
            },
          },
        ],
      },
    },
  };
}

/** The points drawn as panels: all, or MAX_FAN_POINTS spread evenly from the first to the last. */
function shownPoints(points: Point[]): Point[] {
  if (points.length <= MAX_FAN_POINTS) return points;
  return Array.from({ length: MAX_FAN_POINTS }, (_, k) => points[Math.round((k * (points.length - 1)) / (MAX_FAN_POINTS - 1))]!);
}

/** Prosumers drawn one band each at most; beyond, the fan chart draws their total (per sample, then its band). */
export const MAX_FAN_AGENTS = 6;

function fanCharts(run: RunFolder, points: Point[], samples: number): Figure[] {
  const shown = shownPoints(points);
  const pointOfRun = new Map<unknown, Point>();
  for (const p of shown) for (const r of p.runs) pointOfRun.set(r, p);
  const agentCount = new Set(run.steps.map((r) => r.agent)).size;
  const total = agentCount > MAX_FAN_AGENTS;
  // One value per run, agent (or "total") and step; then the band over a point's samples.
  const perRun = new Map<string, { point: Point; agent: string; t: number; soc: number | null; net: number }>();
  for (const r of run.steps) {
    const point = pointOfRun.get(r.run);
    if (!point) continue;
    const agent = total ? 'total' : String(r.agent);
    const key = `${r.run}|${agent}|${r.t}`;
    let v = perRun.get(key);
    if (!v) perRun.set(key, (v = { point, agent, t: num(r.t), soc: null, net: 0 }));
    if (r.socStartKwh !== null) v.soc = (v.soc ?? 0) + num(r.socStartKwh);
    v.net += num(r.netInjectionKw);
  }
  const groups = new Map<string, { point: Point; agent: string; t: number; soc: number[]; net: number[] }>();
  for (const v of perRun.values()) {
    const key = `${v.point.index}|${v.agent}|${v.t}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { point: v.point, agent: v.agent, t: v.t, soc: [], net: [] }));
    if (v.soc !== null) g.soc.push(v.soc);
    g.net.push(v.net);
  }
  const band = (field: 'soc' | 'net') =>
    [...groups.values()]
      .filter((g) => g[field].length > 0)
      .map((g) => {
        const sorted = [...g[field]].sort((a, b) => a - b);
        return { point: g.point.label, short: g.point.short, order: g.point.index, agent: g.agent, t: g.t, p5: percentile(sorted, 0.05), p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), samples: sorted.length };
      });
  const which =
    shown.length === points.length
      ? points.length === 1
        ? 'across the samples'
        : `across the samples of each of the ${points.length} points`
      : `across the samples of ${shown.length} of the ${points.length} points, evenly spread (the others are in steps.csv)`;
  const chart = (id: string, title: string, what: string, unit: string, values: ReturnType<typeof band>, note = ''): Figure => {
    const panels = new Set(values.map((v) => v.point)).size;
    const layer = [
      {
        mark: { type: 'area', opacity: 0.2 },
        encoding: {
          x: { field: 't', type: 'quantitative', title: 'step', axis: { tickMinStep: 1 } },
          y: { field: 'p5', type: 'quantitative', title: unit },
          y2: { field: 'p95' },
          ...(total ? {} : { color: { field: 'agent', type: 'nominal', title: 'agent', ...(panels > 1 ? { legend: { orient: 'top', direction: 'horizontal' } } : {}) } }),
        },
      },
      {
        mark: { type: 'line', point: { size: 12 } },
        encoding: {
          x: { field: 't', type: 'quantitative' },
          y: { field: 'p50', type: 'quantitative' },
          ...(total ? {} : { color: { field: 'agent', type: 'nominal', title: 'agent', ...(panels > 1 ? { legend: { orient: 'top', direction: 'horizontal' } } : {}) } }),
          tooltip: [{ field: 'point' }, { field: 'agent' }, { field: 't', title: 'step' }, { field: 'p5' }, { field: 'p50' }, { field: 'p95' }, { field: 'samples' }],
        },
      },
    ];
    const head = base(`${title} (${unit}): median and p5–p95 over ${samples} samples${panels === 1 && points.length > 1 ? `, ${values[0]!.short}` : ''}`);
    return {
      id,
      title,
      caption: `${what} ${which}: median line, p5–p95 band${panels > 1 ? ', one panel per point' : ''}${note}.`,
      // One point: one chart of the figure's size; more: a panel each.
      spec:
        panels === 1
          ? { ...head, data: { values }, width: WIDTH, height: HEIGHT, layer }
          : {
              ...head,
              data: { values },
              facet: { field: 'short', type: 'nominal', title: null, sort: { field: 'order' }, header: { labelLimit: 250, labelFontSize: 11 } },
              columns: Math.min(3, panels),
              spec: { width: 240, height: 130, layer },
            },
    };
  };
  const figures: Figure[] = [];
  // Points whose batteries hold nothing in every sample (no capacity) draw no panel.
  const soc = band('soc');
  const empty = new Set(shown.map((p) => p.label).filter((label) => soc.filter((v) => v.point === label).every((v) => v.p5 === 0 && v.p95 === 0)));
  const socShown = soc.filter((v) => !empty.has(v.point));
  const emptyNote = empty.size > 0 ? `; ${empty.size === 1 ? 'one point' : `${empty.size} points`} whose batteries hold 0 kWh throughout (${[...empty].map((l) => l.split(':')[0]).join(', ')}) draw no panel` : '';
  if (socShown.length > 0) {
    figures.push(
      total
        ? chart('fan-state-of-charge', 'State of charge', `The total state of charge of the ${agentCount} prosumers' batteries at the start of each step`, 'kWh', socShown, emptyNote)
        : chart('fan-state-of-charge', 'State of charge', "Each battery's state of charge at the start of each step", 'kWh', socShown, emptyNote),
    );
  }
  figures.push(
    total
      ? chart('fan-net-injection', 'Net injection', `The total realised net injection of the ${agentCount} prosumers in each step`, 'kW', band('net'))
      : chart('fan-net-injection', 'Net injection', "Each prosumer's realised net injection in each step", 'kW', band('net')),
  );
  return figures;
}

function metricCdfs(run: RunFolder, points: Point[], metrics: string[], samples: number): Figure {
  const values: Record<string, unknown>[] = [];
  for (const point of points) {
    const rows = run.runs.filter((r) => point.runs.has(r.run));
    for (const metric of metrics) {
      const sorted = rows.map((r: Row) => r[metric]).filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);
      sorted.forEach((v, k) => values.push({ metric, panel: withUnit(metric), point: point.label, short: point.short, order: point.index, value: v, share: (k + 1) / sorted.length }));
    }
  }
  return {
    id: 'sweep-metric-cdfs',
    title: 'Distributions of the metrics',
    caption: `The empirical cumulative distribution of each metric over the ${samples} samples of each point (the share of samples at or below a value); the values are in runs.csv.`,
    spec: {
      ...base(`Empirical CDFs over ${samples} samples`),
      data: { values },
      facet: { field: 'panel', type: 'nominal', title: null, sort: metrics.map(withUnit) },
      columns: 3,
      resolve: { scale: { x: 'independent' } },
      spec: {
        width: 200,
        height: 130,
        mark: { type: 'line', interpolate: 'step-after' },
        encoding: {
          x: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
          y: { field: 'share', type: 'quantitative', title: 'share of samples', scale: { domain: [0, 1] } },
          ...(points.length > 1 ? { color: { field: 'short', type: 'nominal', sort: { field: 'order' }, title: null, legend: { orient: 'bottom', direction: 'horizontal', columns: 3, labelLimit: 250 } } } : {}),
          tooltip: [{ field: 'metric' }, { field: 'point' }, { field: 'value' }, { field: 'share', format: '.2f' }],
        },
      },
    },
  };
}
