/**
 * The figures of a stochastic sweep (several samples per parameter point), from its runs.csv,
 * summary.csv and steps.csv:
 * - **metrics against the parameter**: each metric's median over the samples (line) and its
 *   p5–p95 band against the first varying parameter, one panel per metric, one colour per
 *   combination of the other parameters (summary.csv's own statistics);
 * - **fan charts for every point**: the batteries' state of charge and the prosumers' net
 *   injection over the steps, median and p5–p95 band across the samples, one panel per point
 *   (named by its parameters) — up to MAX_FAN_POINTS points, evenly spread when there are more;
 * - **empirical CDFs**: each metric's distribution over the samples, one curve per point.
 */
import { base, num } from './chart.ts';
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
    points.push({ index: k, label: `point ${k}: ${label}`, runs: new Set(rows.map((r) => r.run)) });
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

function metricBands(run: RunFolder, swept: string, parameters: string[], metrics: string[], samples: number): Figure {
  const others = parameters.filter((c) => c !== swept && new Set(run.runs.map((r) => r[c])).size > 1);
  const values = run.summary
    .filter((s) => metrics.includes(String(s.metric)))
    .map((s) => ({
      metric: s.metric,
      x: s[swept],
      series: others.map((c) => `${c} = ${s[c]}`).join(', ') || 'all',
      p5: num(s.p5),
      p50: num(s.p50),
      p95: num(s.p95),
      mean: num(s.mean),
      samples: num(s.samples),
    }));
  const color = others.length > 0 ? { color: { field: 'series', type: 'nominal', title: others.join(', ') } } : {};
  const xType = run.runs.every((r) => typeof r[swept] === 'number') ? 'quantitative' : 'ordinal';
  return {
    id: 'sweep-metric-bands',
    title: `Metrics against ${swept}`,
    caption: `Each metric's median over the ${samples} samples of every point (line) and its p5–p95 band against ${swept}${others.length > 0 ? `, one colour per ${others.join(', ')}` : ''}; the numbers are in summary.csv.`,
    spec: {
      ...base(`Metrics against ${swept}: median and p5–p95 over ${samples} samples`),
      data: { values },
      facet: { field: 'metric', type: 'nominal', title: null, sort: metrics },
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

function fanCharts(run: RunFolder, points: Point[], samples: number): Figure[] {
  const shown = shownPoints(points);
  const pointOfRun = new Map<unknown, Point>();
  for (const p of shown) for (const r of p.runs) pointOfRun.set(r, p);
  const groups = new Map<string, { point: Point; agent: string; t: number; soc: number[]; net: number[] }>();
  for (const r of run.steps) {
    const point = pointOfRun.get(r.run);
    if (!point) continue;
    const key = `${point.index}|${r.agent}|${r.t}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { point, agent: String(r.agent), t: num(r.t), soc: [], net: [] }));
    if (r.socStartKwh !== null) g.soc.push(num(r.socStartKwh));
    g.net.push(num(r.netInjectionKw));
  }
  const band = (field: 'soc' | 'net') =>
    [...groups.values()]
      .filter((g) => g[field].length > 0)
      .map((g) => {
        const sorted = [...g[field]].sort((a, b) => a - b);
        return { point: g.point.label, order: g.point.index, agent: g.agent, t: g.t, p5: percentile(sorted, 0.05), p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), samples: sorted.length };
      });
  const which =
    shown.length === points.length
      ? points.length === 1
        ? 'across the samples'
        : `across the samples of each of the ${points.length} points`
      : `across the samples of ${shown.length} of the ${points.length} points, evenly spread (the others are in steps.csv)`;
  const chart = (id: string, title: string, what: string, unit: string, values: ReturnType<typeof band>): Figure => ({
    id,
    title,
    caption: `${what} ${which}: median line, p5–p95 band, one panel per point.`,
    spec: {
      ...base(`${title} (${unit}): median and p5–p95 over ${samples} samples`),
      data: { values },
      facet: { field: 'point', type: 'nominal', title: null, sort: { field: 'order' } },
      columns: Math.min(3, shown.length),
      spec: {
        width: 220,
        height: 130,
        layer: [
          {
            mark: { type: 'area', opacity: 0.2 },
            encoding: { x: { field: 't', type: 'quantitative', title: 'step', axis: { tickMinStep: 1 } }, y: { field: 'p5', type: 'quantitative', title: unit }, y2: { field: 'p95' }, color: { field: 'agent', type: 'nominal' } },
          },
          {
            mark: { type: 'line', point: true },
            encoding: {
              x: { field: 't', type: 'quantitative' },
              y: { field: 'p50', type: 'quantitative' },
              color: { field: 'agent', type: 'nominal' },
              tooltip: [{ field: 'point' }, { field: 'agent' }, { field: 't', title: 'step' }, { field: 'p5' }, { field: 'p50' }, { field: 'p95' }, { field: 'samples' }],
            },
          },
        ],
      },
    },
  });
  const figures: Figure[] = [];
  const soc = band('soc');
  if (soc.length > 0) figures.push(chart('fan-state-of-charge', 'State of charge', "Each battery's state of charge at the start of each step", 'kWh', soc));
  figures.push(chart('fan-net-injection', 'Net injection', "Each prosumer's realised net injection in each step", 'kW', band('net')));
  return figures;
}

function metricCdfs(run: RunFolder, points: Point[], metrics: string[], samples: number): Figure {
  const values: Record<string, unknown>[] = [];
  for (const point of points) {
    const rows = run.runs.filter((r) => point.runs.has(r.run));
    for (const metric of metrics) {
      const sorted = rows.map((r: Row) => r[metric]).filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);
      sorted.forEach((v, k) => values.push({ metric, point: point.label, order: point.index, value: v, share: (k + 1) / sorted.length }));
    }
  }
  return {
    id: 'sweep-metric-cdfs',
    title: 'Distributions of the metrics',
    caption: `The empirical cumulative distribution of each metric over the ${samples} samples of each point (the share of samples at or below a value); the values are in runs.csv.`,
    spec: {
      ...base(`Empirical CDFs over ${samples} samples`),
      data: { values },
      facet: { field: 'metric', type: 'nominal', title: null, sort: metrics },
      columns: 3,
      resolve: { scale: { x: 'independent' } },
      spec: {
        width: 200,
        height: 130,
        mark: { type: 'line', interpolate: 'step-after' },
        encoding: {
          x: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
          y: { field: 'share', type: 'quantitative', title: 'share of samples', scale: { domain: [0, 1] } },
          ...(points.length > 1 ? { color: { field: 'point', type: 'nominal', sort: { field: 'order' }, title: null } } : {}),
          tooltip: [{ field: 'metric' }, { field: 'point' }, { field: 'value' }, { field: 'share', format: '.2f' }],
        },
      },
    },
  };
}
