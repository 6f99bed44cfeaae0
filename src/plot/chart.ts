/**
 * What every figure shares: its size, title and fonts (vega-lite), reading CSV cells as numbers,
 * and the scales and layouts the figures agree on:
 * - a quantity with both signs gets a diverging scale **symmetric about its centre** (0, or
 *   1 p.u. for voltages), so that −7 kW is as pale as +7 kW, with the legend labelled at both
 *   ends and at the centre;
 * - steps are coloured by a sequential scale with a legend (`stepColor`): symbols for a few
 *   steps, a gradient for many;
 * - small multiples wrap into at most `MAX_COLUMNS` columns, every panel with its own x axis
 *   (`wrapped`), so that the empty cells of a last row draw nothing;
 * - axes of steps are labelled upright, and only every k-th step when there are many.
 *
 * Fonts: DejaVu Sans first, the one font every Debian machine has (fontconfig needs it), so
 * that the report looks the same on every Linux machine; Helvetica and Arial elsewhere.
 */

export const WIDTH = 520;
export const HEIGHT = 240;
export const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';
/** Small multiples: columns at most. */
export const MAX_COLUMNS = 4;
/** Up to this many steps, a per-step figure shows every step apart (bars, dodged points, a legend entry each). */
export const FEW_STEPS = 8;

export const base = (title: string) => ({
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  title: { text: title, anchor: 'start' as const, fontSize: 14 },
  background: 'white',
  config: {
    font: FONT,
    view: { stroke: '#ddd' },
    axis: { labelFontSize: 11, titleFontSize: 12 },
    legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 260 },
    header: { labelFontSize: 12, titleFontSize: 12, labelLimit: 0 },
  },
});

export const num = (v: unknown) => (typeof v === 'number' ? v : Number(v));

/** The largest magnitude rounded up to 1, 2, 2.5 or 5 × 10^k (1 for none or 0). */
export function niceCeil(value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 2.5, 5, 10].find((m) => m * power >= value * (1 - 1e-12))!;
  return Number((step * power).toPrecision(12));
}

/** The decimals a value is written with (1.25 → 2, 0.025 → 3, 1250 → 0), so that a legend's labels share them. */
function decimalsOf(value: number): number {
  const text = Number(value.toPrecision(6)).toString();
  return text.includes('.') ? text.length - text.indexOf('.') - 1 : 0;
}

/**
 * A colour scale for `values`: diverging (red below the centre, blue above), symmetric about
 * `center` over ±the largest deviation (at least `atLeast`) when the values lie on both sides
 * of it or `alwaysDiverging`; sequential over their range otherwise. The legend names both
 * ends and the centre, and is `legendLength` pixels long (the plot's height; 80 to 200).
 */
export function colorScale(values: readonly number[], options: { center?: number; atLeast?: number; alwaysDiverging?: boolean; legendLength?: number } = {}) {
  const gradientLength = Math.max(80, Math.min(200, options.legendLength ?? 160));
  const center = options.center ?? 0;
  const finite = values.filter(Number.isFinite);
  const lo = Math.min(...finite, center);
  const hi = Math.max(...finite, center);
  const bothSides = finite.some((v) => v < center) && finite.some((v) => v > center);
  if (bothSides || options.alwaysDiverging || finite.length === 0) {
    const half = niceCeil(Math.max(center - lo, hi - center, options.atLeast ?? 0));
    const ends = [center - half, center + half].map((v) => Number(v.toPrecision(12)));
    return {
      scale: { scheme: 'redblue', domain: [ends[0]!, center, ends[1]!] },
      legend: { values: [ends[0]!, Number((center - half / 2).toPrecision(12)), center, Number((center + half / 2).toPrecision(12)), ends[1]!], gradientLength, format: `,.${decimalsOf(half / 2)}f` },
    };
  }
  const positive = finite.every((v) => v >= center);
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  return {
    scale: { scheme: positive ? 'blues' : 'reds', domain: min === max ? [min - 1, max + 1] : [min, max], ...(positive ? {} : { reverse: true }) },
    legend: { gradientLength },
  };
}

/** A colour for each step: a sequential scale (dark early, light late) with its legend (symbols for a few steps, a gradient for many). */
export function stepColor(stepCount: number, field = 't', title = 'step') {
  const scale = { scheme: { name: 'viridis', extent: [0, 0.85] } };
  return stepCount <= 12
    ? { field, type: 'ordinal', title, scale }
    : { field, type: 'quantitative', title, scale, legend: { gradientLength: 120, tickMinStep: 1, format: 'd' } };
}

/** A legend title for a unit: long units on two lines ("objective units" / "per kWh"), so that none is cut. */
export function unitTitle(unit: string): string | string[] {
  const split = unit.match(/^(.*\S)\s+(per .*)$/);
  return unit.length > 14 && split ? [split[1]!, split[2]!] : unit;
}

/** An axis of steps (ordinal): upright labels, every k-th of many. */
export function stepAxis(steps: readonly number[], title = 'step') {
  const every = steps.length <= 24 ? 1 : [2, 3, 4, 6, 12, 24, 48, 96, 168].find((k) => steps.length / k <= 24) ?? Math.ceil(steps.length / 24);
  return { title, labelAngle: 0, ...(every > 1 ? { values: steps.filter((t) => t % every === 0) } : {}) };
}

/** Columns of a wrapped facet of `panels` panels: all in one row up to MAX_COLUMNS, else as square as it fits. */
export function columnsFor(panels: number): number {
  if (panels <= MAX_COLUMNS) return Math.max(1, panels);
  // Prefer a column count that fills the last row.
  for (const c of [MAX_COLUMNS, 3]) if (panels % c === 0) return c;
  return MAX_COLUMNS;
}

/** A wrapped facet's layout: its columns, and an x axis in every panel (an empty cell draws none). */
export function wrapped(panels: number) {
  return { columns: columnsFor(panels), resolve: { axis: { x: 'independent' } } };
}

/** The unit of a metric named with a unit suffix (runs.csv: …Kwh, …Kw, …Pu, …Pct, …Currency, …Term). */
export function metricUnit(metric: string, objectiveUnit = 'objective units'): string {
  if (/Kwh$/.test(metric)) return 'kWh';
  if (/Kw$/.test(metric)) return 'kW';
  if (/Pu$/.test(metric)) return 'p.u.';
  if (/Pct$/.test(metric)) return '%';
  if (/Currency$/.test(metric)) return 'currency';
  if (/Ms$/.test(metric)) return 'ms';
  if (metric === 'objective' || /Term$/.test(metric)) return objectiveUnit;
  return '';
}
