/** The figures of a clearing or a simulation (see figures.ts). */
import { base, HEIGHT, num, WIDTH } from './chart.ts';
import type { Figure } from './figures.ts';
import type { Row, RunFolder } from './run-dir.ts';

/** Steps of run 0 (a clearing or simulation has only run 0). */
function stepsOf(run: RunFolder, runIndex = 0): Row[] {
  return run.steps.filter((r) => r.run === runIndex);
}

interface ResultStep {
  t: number;
  buses?: { id: string; voltagePu: number; nodalPricePerKwh?: number | null }[];
  lines?: { from: string; to: string; flowKw: number; maxKw: number | null }[];
}

export function runFigures(run: RunFolder): Figure[] {
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
  // Nodal prices (clearings with duals): where a binding limit separates them.
  const priced = resultSteps.flatMap((s) => (s.buses ?? []).filter((b) => typeof b.nodalPricePerKwh === 'number').map((b) => ({ t: s.t, element: b.id, value: b.nodalPricePerKwh! })));
  if (priced.length > 0) {
    figures.push(
      elementsPerStep({
        id: 'nodal-prices',
        title: 'Nodal prices',
        caption: 'The value of one more kWh injected at every bus (per kWh) in every step (colour): the substation\'s price plus what the injection does to the binding voltage and flow limits.',
        element: 'bus',
        order: buses.map((b) => b.id),
        unit: 'per kWh',
        values: priced,
        limits: { mark: { type: 'rule' }, values: [] },
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

  const pricedTrades = run.trades.filter((r) => r.run === 0 && r.pricePerKwh !== null);
  if (pricedTrades.length > 0) {
    figures.push({
      id: 'trade-prices',
      title: 'Trade prices',
      caption: 'The price of every bilateral trade (per kWh to the seller, from the duals of the clearing; the buyer adds the fee), by step; size: the power traded.',
      spec: {
        ...base('Trade prices (per kWh)'),
        width: WIDTH,
        height: HEIGHT,
        data: { values: pricedTrades.map((r) => ({ t: r.t, from: r.from, to: r.to, pair: `${r.from}→${r.to}`, kw: r.kw, price: r.pricePerKwh })) },
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
