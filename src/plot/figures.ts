/**
 * The figures of a run, as vega-lite specifications with their data inline. Which figures a
 * run gets depends on what it is:
 * - a clearing or a simulation: the net-injection heatmap (agent × step), per-step bars of
 *   forecast, battery and traded power, state-of-charge trajectories, bus voltages per step
 *   against their limits, line flows against their limits, and trade prices;
 * - a sweep: per step, each battery's state of charge against the swept parameter (the
 *   seed's node-0 study: four stacked panels), battery power against the parameter with the
 *   limits when the parameter is a battery limit (the seed's constraint study), and the
 *   objective against the parameter;
 * - a stochastic sweep: fan charts (p5–p95 band, median line) of every battery's state of
 *   charge and every agent's net injection over the steps, across the samples.
 *
 * Every mark carries an aria description of its data (vega-lite's default), so the SVG says
 * which values it was drawn from; the tests read them.
 */
import type { RunFolder, Row } from './run-dir.ts';

export interface Figure {
  /** File name without extension: figures/<id>.svg */
  id: string;
  title: string;
  /** One sentence under the figure. */
  caption: string;
  spec: Record<string, unknown>;
}

const WIDTH = 520;
const HEIGHT = 240;
const base = (title: string) => ({
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  title: { text: title, anchor: 'start' as const, fontSize: 14 },
  background: 'white',
  config: { font: 'Helvetica, Arial, sans-serif', view: { stroke: '#ddd' }, axis: { labelFontSize: 11, titleFontSize: 12 } },
});

const num = (v: unknown) => (typeof v === 'number' ? v : Number(v));

/** Steps of run 0 (a clearing or simulation has only run 0). */
function stepsOf(run: RunFolder, runIndex = 0): Row[] {
  return run.steps.filter((r) => r.run === runIndex);
}

interface ResultStep {
  t: number;
  buses?: { id: string; voltagePu: number }[];
  lines?: { from: string; to: string; flowKw: number; maxKw: number | null }[];
}

export function figuresFor(run: RunFolder): Figure[] {
  if (run.kind === 'sweep') return sweepFigures(run);
  return runFigures(run);
}

function runFigures(run: RunFolder): Figure[] {
  const steps = stepsOf(run);
  const figures: Figure[] = [];
  const scenario = run.scenario as { network?: { vMinPu?: number; vMaxPu?: number }; prosumers?: { id: string; battery?: { minKwh: number; maxKwh: number } }[] } | undefined;
  // A feeder with only fixed loads has no prosumer steps, but still its voltages and flows.
  if (steps.length > 0) {
    const agents = [...new Set(steps.map((r) => String(r.agent)))];

    figures.push({
      id: 'net-injection',
      title: 'Net injection, agent × step',
      caption: 'Each prosumer\'s net injection (kW; injection positive, consumption negative) in each step.',
      spec: {
        ...base('Net injection (kW), agent × step'),
        width: Math.max(WIDTH / 2, 40 * new Set(steps.map((r) => r.t)).size),
        height: Math.max(60, 24 * agents.length),
        data: { values: steps.map((r) => ({ t: r.t, agent: r.agent, netInjectionKw: r.netInjectionKw })) },
        mark: { type: 'rect' },
        encoding: {
          x: { field: 't', type: 'ordinal', title: 'step' },
          y: { field: 'agent', type: 'nominal', sort: agents, title: 'agent' },
          color: { field: 'netInjectionKw', type: 'quantitative', title: 'kW', scale: { scheme: 'redblue', domainMid: 0 } },
          tooltip: [{ field: 't' }, { field: 'agent' }, { field: 'netInjectionKw', title: 'net injection kW' }],
        },
      },
    });

    // What each agent traded: the sum of its trades (sold positive). For a clearing it equals
    // its net injection; for a simulation it is what the market planned, not what happened.
    const tradedKw = new Map<string, number>();
    for (const tr of run.trades.filter((r) => r.run === 0)) {
      for (const [agent, sign] of [[tr.from, 1], [tr.to, -1]] as const) {
        const key = `${agent}|${tr.t}`;
        tradedKw.set(key, (tradedKw.get(key) ?? 0) + sign * num(tr.kw));
      }
    }
    figures.push({
      id: 'step-bars',
      title: 'Forecast, battery and traded power per step',
      caption: 'For each prosumer and step: the forecast net injection before the battery, the battery power (discharge positive) and the power it traded (the sum of its trades, sold positive).',
      spec: {
        ...base('Forecast, battery and traded power per step (kW)'),
        data: {
          values: steps.flatMap((r) => [
            { t: r.t, agent: r.agent, quantity: 'forecast', kw: r.scheduleKw },
            { t: r.t, agent: r.agent, quantity: 'battery', kw: r.batteryKw },
            { t: r.t, agent: r.agent, quantity: 'traded', kw: Math.round((tradedKw.get(`${r.agent}|${r.t}`) ?? 0) * 1e7) / 1e7 },
          ]),
        },
        facet: { field: 'agent', type: 'nominal', title: null, sort: agents },
        columns: Math.min(3, agents.length),
        spec: {
          width: 220,
          height: 150,
          mark: { type: 'bar' },
          encoding: {
            x: { field: 't', type: 'ordinal', title: 'step' },
            xOffset: { field: 'quantity', sort: ['forecast', 'battery', 'traded'] },
            y: { field: 'kw', type: 'quantitative', title: 'kW' },
            color: { field: 'quantity', type: 'nominal', sort: ['forecast', 'battery', 'traded'], title: null },
            tooltip: [{ field: 'agent' }, { field: 't' }, { field: 'quantity' }, { field: 'kw', title: 'kW' }],
          },
        },
      },
    });

    const withBattery = steps.filter((r) => r.socStartKwh !== null);
    if (withBattery.length > 0) {
      const lastT = Math.max(...withBattery.map((r) => num(r.t)));
      const soc = [
        ...withBattery.map((r) => ({ agent: r.agent, boundary: r.t, kwh: r.socStartKwh })),
        ...withBattery.filter((r) => r.t === lastT).map((r) => ({ agent: r.agent, boundary: lastT + 1, kwh: r.socEndKwh })),
      ];
      const limits = (scenario?.prosumers ?? [])
        .filter((p) => p.battery && withBattery.some((r) => r.agent === p.id))
        .flatMap((p) => [
          { agent: p.id, limit: 'minimum', kwh: p.battery!.minKwh },
          { agent: p.id, limit: 'maximum', kwh: p.battery!.maxKwh },
        ]);
      figures.push({
        id: 'state-of-charge',
        title: 'State of charge',
        caption: 'Each battery\'s state of charge at every step boundary (kWh); dashed: its limits.',
        spec: {
          ...base('State of charge (kWh)'),
          width: WIDTH,
          height: HEIGHT,
          layer: [
            {
              data: { values: soc },
              mark: { type: 'line', point: true },
              encoding: {
                x: { field: 'boundary', type: 'quantitative', title: 'step boundary', axis: { tickMinStep: 1 } },
                y: { field: 'kwh', type: 'quantitative', title: 'kWh' },
                color: { field: 'agent', type: 'nominal' },
                tooltip: [{ field: 'agent' }, { field: 'boundary' }, { field: 'kwh', title: 'kWh' }],
              },
            },
            ...(limits.length > 0
              ? [{ data: { values: limits }, mark: { type: 'rule', strokeDash: [4, 4], opacity: 0.6 }, encoding: { y: { field: 'kwh', type: 'quantitative' }, color: { field: 'agent', type: 'nominal' } } }]
              : []),
          ],
        },
      });
    }

  }

  const resultSteps = (run.result.steps ?? []) as ResultStep[];
  const buses = resultSteps[0]?.buses ?? [];
  if (buses.length > 0) {
    const limits = [scenario?.network?.vMinPu, scenario?.network?.vMaxPu].filter((v): v is number => typeof v === 'number');
    figures.push(
      elementsPerStep({
        id: 'voltages',
        title: 'Bus voltages',
        caption: 'The LinDistFlow voltage magnitude of every bus (p.u.) in every step (colour); red: the voltage limits.',
        element: 'bus',
        order: buses.map((b) => b.id),
        unit: 'p.u.',
        values: resultSteps.flatMap((s) => (s.buses ?? []).map((b) => ({ t: s.t, element: b.id, value: b.voltagePu }))),
        // Voltage limits hold for every bus: one rule across the figure each.
        limits: { mark: { type: 'rule', color: '#c00', strokeDash: [6, 3] }, values: limits.map((value) => ({ value })) },
      }),
    );
  }
  const lines = resultSteps[0]?.lines ?? [];
  if (lines.length > 0) {
    const name = (l: { from: string; to: string }) => `${l.from}→${l.to}`;
    figures.push(
      elementsPerStep({
        id: 'line-flows',
        title: 'Line flows',
        caption: 'Active flow on every line (kW, positive away from the substation) in every step (colour); red ticks: the flow limits.',
        element: 'line',
        order: lines.map(name),
        unit: 'kW',
        values: resultSteps.flatMap((s) => (s.lines ?? []).map((l) => ({ t: s.t, element: name(l), value: l.flowKw }))),
        // Each line has its own limit: a tick at ±maxKw above it.
        limits: {
          mark: { type: 'tick', color: '#c00', thickness: 2 },
          values: lines.filter((l) => l.maxKw !== null).flatMap((l) => [{ element: name(l), value: l.maxKw! }, { element: name(l), value: -l.maxKw! }]),
        },
      }),
    );
  }

  const priced = run.trades.filter((r) => r.run === 0 && r.price !== null);
  if (priced.length > 0) {
    figures.push({
      id: 'trade-prices',
      title: 'Trade prices',
      caption: 'The price of every bilateral trade (per kWh, from the duals of the clearing), by step; size: the power traded.',
      spec: {
        ...base('Trade prices (per kWh)'),
        width: WIDTH,
        height: HEIGHT,
        data: { values: priced.map((r) => ({ t: r.t, from: r.from, to: r.to, pair: `${r.from}→${r.to}`, kw: r.kw, price: r.price })) },
        mark: { type: 'point', filled: true, opacity: 0.8 },
        encoding: {
          x: { field: 't', type: 'ordinal', title: 'step' },
          y: { field: 'price', type: 'quantitative', title: 'price per kWh', scale: { zero: false } },
          color: { field: 'from', type: 'nominal', title: 'seller' },
          size: { field: 'kw', type: 'quantitative', title: 'kW' },
          tooltip: [{ field: 't', title: 'step' }, { field: 'pair' }, { field: 'kw', title: 'kW' }, { field: 'price' }],
        },
      },
    });
  }
  return figures;
}

/**
 * A value per network element (bus or line) and step: points, coloured by step. Points, not
 * lines: the elements of a radial feeder are not a sequence (a lateral starts again near the
 * substation). Limits are drawn from `limits.values` ({ value } or { element, value }).
 */
function elementsPerStep(f: {
  id: string;
  title: string;
  caption: string;
  element: 'bus' | 'line';
  order: string[];
  unit: string;
  values: { t: number; element: string; value: number }[];
  limits: { mark: Record<string, unknown>; values: { element?: string; value: number }[] };
}): Figure {
  const x = { field: 'element', type: 'ordinal', sort: f.order, title: f.element };
  return {
    id: f.id,
    title: f.title,
    caption: f.caption,
    spec: {
      ...base(`${f.title} per step (${f.unit})`),
      width: Math.max(WIDTH, 14 * f.order.length),
      height: HEIGHT,
      layer: [
        {
          data: { values: f.values },
          mark: { type: 'point', filled: true, size: 28, opacity: 0.8 },
          encoding: {
            x,
            y: { field: 'value', type: 'quantitative', title: f.unit, scale: { zero: false } },
            color: { field: 't', type: 'ordinal', title: 'step', scale: { scheme: 'viridis' } },
            tooltip: [{ field: 't', title: 'step' }, { field: 'element', title: f.element }, { field: 'value', title: f.unit }],
          },
        },
        ...(f.limits.values.length > 0
          ? [{ data: { values: f.limits.values }, mark: f.limits.mark, encoding: { ...(f.limits.values[0]!.element !== undefined ? { x } : {}), y: { field: 'value', type: 'quantitative' } } }]
          : []),
      ],
    },
  };
}

/**
 * The swept parameter figures are drawn against: the first with more than one value. Any
 * other that varies splits the lines into series (dashes; colour in the objective figure).
 */
function sweptParameter(run: RunFolder): string | undefined {
  return run.parameterColumns.filter((c) => c !== 'sample').find((c) => new Set(run.runs.map((r) => r[c])).size > 1);
}

function sweepFigures(run: RunFolder): Figure[] {
  const figures: Figure[] = [];
  const samples = run.parameterColumns.includes('sample') ? new Set(run.runs.map((r) => r.sample)).size : 1;
  const parameter = sweptParameter(run);
  const label = parameter ? parameter.split('|').join(' & ') : '';
  const valueOf = new Map(run.runs.map((r) => [r.run, parameter ? r[parameter] : null]));
  // The other parameters that vary: each of their combinations is a series of its own.
  const others = run.parameterColumns.filter((c) => c !== 'sample' && c !== parameter && new Set(run.runs.map((r) => r[c])).size > 1);
  const seriesOf = new Map(run.runs.map((r) => [r.run, others.map((c) => `${c} = ${r[c]}`).join(', ')]));
  const bySeries = others.length > 0 ? { strokeDash: { field: 'series', type: 'nominal', title: others.join(', ') } } : {};

  if (parameter && samples === 1) {
    const rows = run.steps
      .filter((r) => r.socStartKwh !== null)
      .map((r) => ({ x: valueOf.get(r.run), series: seriesOf.get(r.run), t: r.t, agent: r.agent, socStartKwh: r.socStartKwh, batteryKw: r.batteryKw }));
    if (rows.length > 0) {
      figures.push({
        id: 'sweep-state-of-charge',
        title: 'State of charge against the swept parameter',
        caption: `Each battery's state of charge at the start of each step (one panel per step) against ${label}.`,
        spec: {
          ...base(`State of charge at the start of each step (kWh) against ${label}`),
          data: { values: rows },
          facet: { row: { field: 't', type: 'ordinal', title: 'step' } },
          spec: {
            width: WIDTH,
            height: 110,
            mark: { type: 'line' },
            encoding: {
              x: { field: 'x', type: 'quantitative', title: label },
              y: { field: 'socStartKwh', type: 'quantitative', title: 'kWh' },
              color: { field: 'agent', type: 'nominal' },
              ...bySeries,
              tooltip: [{ field: 'agent' }, { field: 't', title: 'step' }, { field: 'x', title: label }, { field: 'socStartKwh', title: 'kWh' }],
            },
          },
          resolve: { scale: { y: 'independent' } },
        },
      });
      // The constraint study: the limits are the parameter's own values.
      const isLimit = /maxChargeKw|maxDischargeKw/.test(parameter);
      const xs = [...new Set(rows.map((r) => num(r.x)))].sort((a, b) => a - b);
      const limitRows = isLimit
        ? xs.flatMap((x) => [
            ...(parameter.includes('maxDischargeKw') ? [{ x, limitKw: x, limit: 'discharge limit' }] : []),
            ...(parameter.includes('maxChargeKw') ? [{ x, limitKw: -x, limit: 'charge limit' }] : []),
          ])
        : [];
      figures.push({
        id: 'sweep-battery-power',
        title: 'Battery power against the swept parameter',
        caption: `Each battery's power in each step (discharge positive) against ${label}${isLimit ? '; dashed: the power limits the parameter sets' : ''}.`,
        spec: {
          ...base(`Battery power (kW) against ${label}`),
          width: WIDTH,
          height: HEIGHT,
          layer: [
            {
              data: { values: rows.map((r) => ({ ...r, line: `${r.agent}, step ${r.t}, ${r.series}` })) },
              mark: { type: 'line', point: { size: 16 } },
              encoding: {
                x: { field: 'x', type: 'quantitative', title: label },
                y: { field: 'batteryKw', type: 'quantitative', title: 'kW' },
                color: { field: 'agent', type: 'nominal' },
                detail: { field: 'line' },
                ...bySeries,
                tooltip: [{ field: 'agent' }, { field: 't', title: 'step' }, { field: 'x', title: label }, { field: 'batteryKw', title: 'kW' }],
              },
            },
            ...(limitRows.length > 0
              ? [{ data: { values: limitRows }, mark: { type: 'line', color: '#c00', strokeDash: [6, 3] }, encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'limitKw', type: 'quantitative' }, detail: { field: 'limit' } } }]
              : []),
          ],
        },
      });
    }
    figures.push({
      id: 'sweep-objective',
      title: 'Objective against the swept parameter',
      caption: `The objective at every point of the sweep against ${label} (points that could not be cleared have none).`,
      spec: {
        ...base(`Objective against ${label}`),
        width: WIDTH,
        height: HEIGHT,
        data: { values: run.runs.map((r) => ({ x: r[parameter], series: seriesOf.get(r.run), objective: r.objective, status: r.status })) },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'x', type: 'quantitative', title: label },
          y: { field: 'objective', type: 'quantitative' },
          ...(others.length > 0 ? { color: { field: 'series', type: 'nominal', title: others.join(', ') } } : {}),
          tooltip: [{ field: 'x', title: label }, { field: 'objective' }, { field: 'status' }],
        },
      },
    });
  }

  if (samples > 1) figures.push(...fanCharts(run, samples));
  return figures;
}

/** p-th percentile by linear interpolation (numpy's default), of sorted values. */
function percentile(sorted: number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  return sorted[lo]! + (h - lo) * ((sorted[Math.min(lo + 1, sorted.length - 1)] ?? sorted[lo]!) - sorted[lo]!);
}

/** Fan charts over the steps of the first parameter point, across its samples. */
function fanCharts(run: RunFolder, samples: number): Figure[] {
  const firstPoint = new Set(run.runs.slice(0, samples).map((r) => r.run));
  const groups = new Map<string, { agent: string; t: number; soc: number[]; net: number[] }>();
  for (const r of run.steps) {
    if (!firstPoint.has(r.run)) continue;
    const key = `${r.agent}|${r.t}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { agent: String(r.agent), t: num(r.t), soc: [], net: [] }));
    if (r.socStartKwh !== null) g.soc.push(num(r.socStartKwh));
    g.net.push(num(r.netInjectionKw));
  }
  const band = (field: 'soc' | 'net') =>
    [...groups.values()]
      .filter((g) => g[field].length > 0)
      .map((g) => {
        const sorted = [...g[field]].sort((a, b) => a - b);
        return { agent: g.agent, t: g.t, p5: percentile(sorted, 0.05), p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), samples: sorted.length };
      });
  const chart = (id: string, title: string, caption: string, unit: string, values: ReturnType<typeof band>): Figure => ({
    id,
    title,
    caption,
    spec: {
      ...base(`${title} (${unit}): median and p5–p95 over ${samples} samples`),
      data: { values },
      facet: { field: 'agent', type: 'nominal', title: null },
      columns: 2,
      spec: {
        width: 240,
        height: 140,
        layer: [
          { mark: { type: 'area', opacity: 0.3 }, encoding: { x: { field: 't', type: 'quantitative', title: 'step', axis: { tickMinStep: 1 } }, y: { field: 'p5', type: 'quantitative', title: unit }, y2: { field: 'p95' } } },
          {
            mark: { type: 'line', point: true },
            encoding: {
              x: { field: 't', type: 'quantitative' },
              y: { field: 'p50', type: 'quantitative' },
              tooltip: [{ field: 'agent' }, { field: 't', title: 'step' }, { field: 'p5' }, { field: 'p50' }, { field: 'p95' }, { field: 'samples' }],
            },
          },
        ],
      },
    },
  });
  const figures: Figure[] = [];
  const soc = band('soc');
  if (soc.length > 0) figures.push(chart('fan-state-of-charge', 'State of charge', 'Each battery\'s state of charge at the start of each step across the samples of the first point: median line, p5–p95 band.', 'kWh', soc));
  figures.push(chart('fan-net-injection', 'Net injection', 'Each prosumer\'s realised net injection in each step across the samples of the first point: median line, p5–p95 band.', 'kW', band('net')));
  return figures;
}
