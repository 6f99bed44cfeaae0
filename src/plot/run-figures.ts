/**
 * The figures of a clearing or a simulation (see figures.ts). Each keeps every step apart at
 * any size: a few steps (≤ FEW_STEPS) are drawn side by side — grouped bars, points dodged by
 * step in a sequential colour — and many as lines over the steps or as heatmaps (element ×
 * step, each cell one value), so that 24 steps × 33 buses stay legible. Prices are labelled
 * with what they are: currency per kWh when the scenario has money, shadow prices in objective
 * units per kWh otherwise (market/money.ts).
 */
import { objectiveKind, objectiveUnits } from '../market/money.ts';
import { base, colorScale, FEW_STEPS, HEIGHT, num, stepAxis, stepColor, unitTitle, WIDTH, wrapped } from './chart.ts';
import type { Figure } from './figures.ts';
import type { Row, RunFolder } from './run-dir.ts';

/** Steps of run 0 (a clearing or simulation has only run 0). */
function stepsOf(run: RunFolder, runIndex = 0): Row[] {
  return run.steps.filter((r) => r.run === runIndex);
}

/** Batteries drawn in one panel at most (more get one panel each). */
const BATTERIES_IN_ONE_PANEL = 6;
/** Grouped bars per agent up to this many steps; lines beyond. */
const BAR_STEPS = 12;

interface ResultStep {
  t: number;
  buses?: { id: string; voltagePu: number; nodalPricePerKwh?: number | null }[];
  lines?: { from: string; to: string; flowKw: number; maxKw: number | null }[];
}

/** What a price is, for labels: money, a shadow price, or unknown (no scenario.json); `nothing` when the objective holds nothing (every price 0). */
export function priceLabel(run: RunFolder): { unit: string; shadow: boolean; nothing: boolean } {
  if (!run.scenario) return { unit: 'per kWh', shadow: false, nothing: false };
  const kind = objectiveKind(run.scenario);
  return { unit: objectiveUnits(kind).price, shadow: kind !== 'money', nothing: kind === 'nothing' };
}

export function runFigures(run: RunFolder): Figure[] {
  const steps = stepsOf(run);
  const figures: Figure[] = [];
  const scenario = run.scenario as { network?: { vMinPu?: number; vMaxPu?: number }; prosumers?: { id: string; battery?: { minKwh: number; maxKwh: number } }[] } | undefined;
  const price = priceLabel(run);
  const resultSteps = (run.result.steps ?? []) as ResultStep[];
  const allT = [...new Set([...steps.map((r) => num(r.t)), ...resultSteps.map((s) => s.t)])].sort((a, b) => a - b);
  // A feeder with only fixed loads has no prosumer steps, but still its voltages and flows.
  if (steps.length > 0) {
    const agents = [...new Set(steps.map((r) => String(r.agent)))];
    const ts = [...new Set(steps.map((r) => num(r.t)))].sort((a, b) => a - b);
    const netHeight = Math.max(60, Math.min(24, Math.max(12, Math.floor(480 / agents.length))) * agents.length);
    const net = colorScale(steps.map((r) => num(r.netInjectionKw)), { alwaysDiverging: true, legendLength: netHeight });
    figures.push({
      id: 'net-injection',
      title: 'Net injection, agent × step',
      caption: 'Each prosumer\'s net injection (kW; injection positive, blue; consumption negative, red) in each step; the colour scale is symmetric about 0.',
      spec: {
        ...base('Net injection (kW), agent × step'),
        width: Math.max(WIDTH / 2, Math.min(900, Math.max(5, Math.min(40, Math.floor(900 / ts.length))) * ts.length)),
        height: netHeight,
        data: { values: steps.map((r) => ({ t: r.t, agent: r.agent, netInjectionKw: r.netInjectionKw })) },
        mark: { type: 'rect' },
        encoding: {
          x: { field: 't', type: 'ordinal', axis: stepAxis(ts) },
          y: { field: 'agent', type: 'nominal', sort: agents, title: 'agent' },
          color: { field: 'netInjectionKw', type: 'quantitative', title: 'kW', ...net },
          tooltip: [{ field: 't', title: 'step' }, { field: 'agent' }, { field: 'netInjectionKw', title: 'net injection kW' }],
        },
      },
    });

    figures.push(stepBars(run, steps, agents, ts));

    const withBattery = steps.filter((r) => r.socStartKwh !== null);
    if (withBattery.length > 0) figures.push(stateOfCharge(withBattery, scenario?.prosumers ?? []));
  }

  const buses = resultSteps[0]?.buses ?? [];
  if (buses.length > 0) {
    const limits = [scenario?.network?.vMinPu, scenario?.network?.vMaxPu].filter((v): v is number => typeof v === 'number');
    figures.push(
      elementsPerStep({
        id: 'voltages',
        title: 'Bus voltages',
        what: 'The LinDistFlow voltage magnitude of every bus (p.u.)',
        element: 'bus',
        order: buses.map((b) => b.id),
        unit: 'p.u.',
        steps: allT,
        values: resultSteps.flatMap((s) => (s.buses ?? []).map((b) => ({ t: s.t, element: b.id, value: b.voltagePu }))),
        // Voltage limits hold for every bus: one rule across the figure each.
        limits: { mark: { type: 'rule', color: '#c00', strokeDash: [6, 3] }, values: limits.map((value) => ({ value })), name: 'the voltage limits' },
        color: { center: 1, atLeast: Math.max(0, ...limits.map((v) => Math.abs(v - 1))), alwaysDiverging: true },
      }),
    );
  }
  // Nodal prices (clearings with duals): where a binding limit separates them. All zero: nothing to draw.
  const priced = resultSteps.flatMap((s) => (s.buses ?? []).filter((b) => typeof b.nodalPricePerKwh === 'number').map((b) => ({ t: s.t, element: b.id, value: b.nodalPricePerKwh! })));
  if (priced.some((p) => p.value !== 0)) {
    const nodalSteps = new Set(priced.map((p) => p.t)).size;
    const relative = nodalSteps > FEW_STEPS ? separationFigure(priced, buses.map((b) => b.id), price) : undefined;
    figures.push(
      relative ??
      elementsPerStep({
        id: 'nodal-prices',
        title: price.shadow ? 'Nodal shadow prices' : 'Nodal prices',
        what: `The value of one more kWh injected at every bus (${price.unit}${price.shadow ? ': a shadow price of the objective\'s penalty terms, not money' : ''})`,
        after: ': the substation\'s price plus what the injection does to the binding voltage and flow limits.',
        element: 'bus',
        order: buses.map((b) => b.id),
        unit: price.unit,
        steps: allT,
        values: priced,
        limits: { mark: { type: 'rule' }, values: [], name: '' },
        color: {},
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
        what: 'Active flow on every line (kW, positive away from the substation)',
        element: 'line',
        order: lines.map(name),
        unit: 'kW',
        steps: allT,
        values: resultSteps.flatMap((s) => (s.lines ?? []).map((l) => ({ t: s.t, element: name(l), value: l.flowKw }))),
        // Each line has its own limit: a tick at ±maxKw above it.
        limits: {
          mark: { type: 'tick', color: '#c00', thickness: 2 },
          values: lines.filter((l) => l.maxKw !== null).flatMap((l) => [{ element: name(l), value: l.maxKw! }, { element: name(l), value: -l.maxKw! }]),
          name: 'the flow limits',
        },
        color: { alwaysDiverging: true },
      }),
    );
  }

  const tradePrices = sellerPrices(run);
  if (tradePrices.length > 0) figures.push(tradePriceFigure(tradePrices, price));
  return figures;
}

/** Per agent: forecast, battery and traded power per step; grouped bars for a few steps, lines for many. */
function stepBars(run: RunFolder, steps: Row[], agents: string[], ts: number[]): Figure {
  // What each agent traded: the sum of its trades (sold positive). For a clearing it equals
  // its net injection; for a simulation it is what the market planned, not what happened.
  const tradedKw = new Map<string, number>();
  for (const tr of run.trades.filter((r) => r.run === 0)) {
    for (const [agent, sign] of [[tr.from, 1], [tr.to, -1]] as const) {
      const key = `${agent}|${tr.t}`;
      tradedKw.set(key, (tradedKw.get(key) ?? 0) + sign * num(tr.kw));
    }
  }
  const quantities = ['forecast', 'battery', 'traded'];
  const bars = ts.length <= BAR_STEPS;
  const color = { field: 'quantity', type: 'nominal', sort: quantities, title: null, scale: { domain: quantities, range: ['#4c78a8', '#f58518', '#54a24b'] }, legend: { orient: 'top', direction: 'horizontal' } };
  const tooltip = [{ field: 'agent' }, { field: 't', title: 'step' }, { field: 'quantity' }, { field: 'kw', title: 'kW' }];
  return {
    id: 'step-bars',
    title: 'Forecast, battery and traded power per step',
    caption:
      'For each prosumer and step: the forecast net injection before the battery, the battery power (discharge positive) and the power it traded (the sum of its trades, sold positive)' +
      (bars ? '.' : '; one panel per prosumer.'),
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
      ...wrapped(agents.length),
      spec: bars
        ? {
            width: Math.max(150, Math.min(220, 45 * ts.length)),
            height: 150,
            mark: { type: 'bar' },
            encoding: {
              x: { field: 't', type: 'ordinal', axis: stepAxis(ts) },
              xOffset: { field: 'quantity', sort: quantities },
              y: { field: 'kw', type: 'quantitative', title: 'kW' },
              color,
              tooltip,
            },
          }
        : {
            width: 220,
            height: 130,
            mark: { type: 'line', strokeWidth: 1.5 },
            encoding: {
              x: { field: 't', type: 'quantitative', title: 'step', axis: { tickMinStep: 1 }, scale: { nice: false } },
              y: { field: 'kw', type: 'quantitative', title: 'kW' },
              color,
              tooltip,
            },
          },
    },
  };
}

/** Each battery's state of charge at every step boundary, with its limits: one panel for a few batteries, one each for many. */
function stateOfCharge(withBattery: Row[], prosumers: { id: string; battery?: { minKwh: number; maxKwh: number } }[]): Figure {
  const lastT = Math.max(...withBattery.map((r) => num(r.t)));
  const agents = [...new Set(withBattery.map((r) => String(r.agent)))];
  const soc = [
    ...withBattery.map((r) => ({ agent: r.agent, boundary: r.t, kwh: r.socStartKwh })),
    ...withBattery.filter((r) => r.t === lastT).map((r) => ({ agent: r.agent, boundary: lastT + 1, kwh: r.socEndKwh })),
  ];
  const limits = prosumers
    .filter((p) => p.battery && agents.includes(p.id))
    .flatMap((p) => [
      { agent: p.id, limit: 'minimum', kwh: p.battery!.minKwh },
      { agent: p.id, limit: 'maximum', kwh: p.battery!.maxKwh },
    ]);
  const x = { field: 'boundary', type: 'quantitative', title: 'step boundary', axis: { tickMinStep: 1 }, scale: { nice: false } };
  const y = { field: 'kwh', type: 'quantitative', title: 'kWh' };
  const tooltip = [{ field: 'agent' }, { field: 'boundary' }, { field: 'kwh', title: 'kWh' }];
  if (agents.length <= BATTERIES_IN_ONE_PANEL) {
    return {
      id: 'state-of-charge',
      title: 'State of charge',
      caption: 'Each battery\'s state of charge at every step boundary (kWh); dashed: its limits, in its colour.',
      spec: {
        ...base('State of charge (kWh)'),
        width: WIDTH,
        height: HEIGHT,
        layer: [
          { data: { values: soc }, mark: { type: 'line', point: true }, encoding: { x, y, color: { field: 'agent', type: 'nominal', sort: agents }, tooltip } },
          ...(limits.length > 0
            ? [{ data: { values: limits }, mark: { type: 'rule', strokeDash: [4, 4], opacity: 0.6 }, encoding: { y: { field: 'kwh', type: 'quantitative' }, color: { field: 'agent', type: 'nominal', sort: agents } } }]
            : []),
        ],
      },
    };
  }
  return {
    id: 'state-of-charge',
    title: 'State of charge',
    caption: 'Each battery\'s state of charge at every step boundary (kWh), one panel per battery; dashed red: its limits.',
    spec: {
      ...base('State of charge (kWh)'),
      data: { values: [...soc.map((s) => ({ ...s, kind: 'soc' })), ...limits.map((l) => ({ ...l, kind: 'limit' }))] },
      facet: { field: 'agent', type: 'nominal', title: null, sort: agents },
      ...wrapped(agents.length),
      spec: {
        width: 180,
        height: 110,
        layer: [
          { transform: [{ filter: "datum.kind === 'soc'" }], mark: { type: 'line', point: { size: 12 } }, encoding: { x, y, tooltip } },
          { transform: [{ filter: "datum.kind === 'limit'" }], mark: { type: 'rule', color: '#c00', strokeDash: [4, 3], opacity: 0.7 }, encoding: { y: { field: 'kwh', type: 'quantitative' } } },
        ],
      },
    },
  };
}

/**
 * A value per network element (bus or line) and step. A few steps: points coloured by step
 * (sequential, with a legend) and dodged by step within each element's band, so that equal
 * values stay apart; points, not lines: the elements of a radial feeder are not a sequence (a
 * lateral starts again near the substation). Many steps: a heatmap, element × step, every cell
 * one value, ringed where the value sits at its limit. Limits are `limits.values` ({ value } or
 * { element, value }).
 */
function elementsPerStep(f: {
  id: string;
  title: string;
  /** The caption's start: what is drawn, with its unit. */
  what: string;
  after?: string;
  element: 'bus' | 'line';
  order: string[];
  unit: string;
  steps: number[];
  values: { t: number; element: string; value: number }[];
  limits: { mark: Record<string, unknown>; values: { element?: string; value: number }[]; name: string };
  color: Parameters<typeof colorScale>[1];
}): Figure {
  const steps = [...new Set(f.values.map((v) => v.t))].sort((a, b) => a - b);
  const x = { field: 'element', type: 'ordinal', sort: f.order, title: f.element, axis: { labelAngle: f.order.some((e) => e.length > 3) ? -45 : 0 } };
  const tooltip = [{ field: 't', title: 'step' }, { field: 'element', title: f.element }, { field: 'value', title: f.unit }];
  if (steps.length <= FEW_STEPS) {
    return {
      id: f.id,
      title: f.title,
      caption: `${f.what}${steps.length > 1 ? ' in every step (colour; the steps side by side)' : ''}${f.after ?? '.'}${f.limits.values.length > 0 ? ` Red: ${f.limits.name}.` : ''}`,
      spec: {
        ...base(`${f.title}${steps.length > 1 ? ' per step' : ''} (${f.unit})`),
        width: Math.max(WIDTH, Math.max(14, 5 * steps.length) * f.order.length),
        height: HEIGHT,
        layer: [
          {
            data: { values: f.values },
            mark: { type: 'point', filled: true, size: 30, opacity: 0.9 },
            encoding: {
              x,
              // One step: one colour, no legend.
              ...(steps.length > 1 ? { xOffset: { field: 't', type: 'ordinal' }, color: stepColor(steps.length) } : {}),
              y: { field: 'value', type: 'quantitative', title: f.unit, scale: { zero: false } },
              tooltip,
            },
          },
          ...(f.limits.values.length > 0
            ? [{ data: { values: f.limits.values }, mark: f.limits.mark, encoding: { ...(f.limits.values[0]!.element !== undefined ? { x } : {}), y: { field: 'value', type: 'quantitative' } } }]
            : []),
        ],
      },
    };
  }
  // Many steps: a heatmap, and a ring on every cell at its limit.
  const limitOf = (element: string) => f.limits.values.filter((l) => l.element === undefined || l.element === element).map((l) => l.value);
  const atLimit = f.values.filter((v) => limitOf(v.element).some((l) => Math.abs(v.value - l) <= 1e-6 * Math.max(1, Math.abs(l))));
  const cell = Math.max(4, Math.min(24, Math.floor(900 / steps.length)));
  const height = Math.max(80, Math.min(16, Math.max(8, Math.floor(560 / f.order.length))) * f.order.length);
  return {
    id: f.id,
    title: f.title,
    caption: `${f.what} in every step (colour; ${f.element} × step)${f.after ?? '.'}${f.limits.values.length > 0 ? ` Rings: cells at ${f.limits.name}${atLimit.length === 0 ? ' (none)' : ''}.` : ''}`,
    spec: {
      ...base(`${f.title} (${f.unit}), ${f.element} × step`),
      width: cell * steps.length,
      height,
      layer: [
        {
          data: { values: f.values },
          mark: { type: 'rect' },
          encoding: {
            x: { field: 't', type: 'ordinal', axis: stepAxis(steps) },
            y: { field: 'element', type: 'ordinal', sort: f.order, title: f.element },
            color: { field: 'value', type: 'quantitative', title: unitTitle(f.unit), ...colorScale(f.values.map((v) => v.value), { ...f.color, legendLength: height }) },
            tooltip,
          },
        },
        ...(atLimit.length > 0
          ? [{
              data: { values: atLimit.map((v) => ({ ...v, limit: `at ${f.limits.name.replace(/^the /, 'its ')}` })) },
              mark: { type: 'point', shape: 'circle', filled: false, color: '#111', strokeWidth: 1.2, size: Math.max(10, cell * cell * 0.35) },
              encoding: {
                x: { field: 't', type: 'ordinal' },
                y: { field: 'element', type: 'ordinal', sort: f.order },
                shape: { field: 'limit', type: 'nominal', title: null, scale: { range: ['circle'] } },
                tooltip,
              },
            }]
          : []),
      ],
    },
  };
}

interface SellerPrice {
  t: number;
  seller: string;
  price: number;
  kw: number;
  buyers: string;
}

/**
 * Every trade's price to its seller, gathered per step, seller and price (a seller's trades in
 * a step share its marginal price): the power it sold at that price and to whom.
 */
function sellerPrices(run: RunFolder): SellerPrice[] {
  const groups = new Map<string, SellerPrice>();
  for (const r of run.trades) {
    if (r.run !== 0 || r.pricePerKwh === null) continue;
    const key = `${r.t}|${r.from}|${r.pricePerKwh}`;
    const g = groups.get(key);
    if (g) {
      g.kw = Math.round((g.kw + num(r.kw)) * 1e7) / 1e7;
      g.buyers += `, ${r.to}`;
    } else groups.set(key, { t: num(r.t), seller: String(r.from), price: num(r.pricePerKwh), kw: num(r.kw), buyers: String(r.to) });
  }
  return [...groups.values()];
}

/**
 * Trade prices: a few steps, one point per seller and step, dodged by seller within the step
 * (equal prices stay apart), sized by the power sold; many steps, a heatmap seller × step.
 */
function tradePriceFigure(values: SellerPrice[], price: ReturnType<typeof priceLabel>): Figure {
  const steps = [...new Set(values.map((v) => v.t))].sort((a, b) => a - b);
  // The utility first, then the prosumers in the order they first sell.
  const sellers = [...new Set(values.map((v) => v.seller))].sort((a, b) => (a === 'utility' ? -1 : b === 'utility' ? 1 : 0));
  const title = price.nothing ? 'Trade prices (all 0: the objective holds nothing)' : price.shadow ? 'Trade shadow prices' : 'Trade prices';
  const what = price.nothing
    ? `The price of every bilateral trade to its seller (${price.unit}): all 0, as the objective holds nothing to optimise (no bid, tariff, request, fee, preference or volume penalty) — every feasible dispatch is optimal`
    : price.shadow
    ? `The price of every bilateral trade to its seller: a shadow price of the objective's penalty terms (${price.unit}), not money`
    : `The price of every bilateral trade to its seller (${price.unit}, from the duals of the clearing; the buyer adds the fee)`;
  const tooltip = [{ field: 't', title: 'step' }, { field: 'seller' }, { field: 'buyers', title: 'sold to' }, { field: 'kw', title: 'kW sold' }, { field: 'price', title: price.unit }];
  if (steps.length <= FEW_STEPS) {
    return {
      id: 'trade-prices',
      title,
      caption: `${what}, by step: one point per seller and step, side by side within the step; size: the power it sold at that price.`,
      spec: {
        ...base(`${title} (${price.unit})`),
        width: Math.max(WIDTH, 16 * steps.length * sellers.length),
        height: HEIGHT,
        data: { values },
        mark: { type: 'point', filled: true, opacity: 0.85, stroke: 'white', strokeWidth: 0.5 },
        encoding: {
          x: { field: 't', type: 'ordinal', axis: stepAxis(steps) },
          xOffset: { field: 'seller', type: 'nominal', sort: sellers },
          y: { field: 'price', type: 'quantitative', title: price.unit, scale: { zero: false } },
          color: { field: 'seller', type: 'nominal', title: 'seller', sort: sellers },
          size: { field: 'kw', type: 'quantitative', title: 'kW sold', scale: { range: [20, 300] } },
          tooltip,
        },
      },
    };
  }
  const cell = Math.max(4, Math.min(24, Math.floor(900 / steps.length)));
  const sellerHeight = Math.max(60, 16 * sellers.length);
  return {
    id: 'trade-prices',
    title,
    caption: `${what}: one cell per seller and step (colour); blank: the seller sold nothing.`,
    spec: {
      ...base(`${title} (${price.unit}), seller × step`),
      width: cell * steps.length,
      height: sellerHeight,
      data: { values },
      mark: { type: 'rect' },
      encoding: {
        x: { field: 't', type: 'ordinal', axis: stepAxis(steps) },
        y: { field: 'seller', type: 'nominal', sort: sellers, title: 'seller' },
        color: { field: 'price', type: 'quantitative', title: unitTitle(price.unit), ...colorScale(values.map((v) => v.price), { legendLength: sellerHeight }) },
        tooltip,
      },
    },
  };
}

/**
 * Nodal prices over many steps when the substation's price moves more over the steps than the
 * buses' prices part within one (a tariff by the hour): its price per step on top, and below,
 * each bus's price less it (bus × step, diverging about 0), so that where a binding limit
 * separates the buses is seen and not drowned by the tariff. Undefined when the buses part as
 * much as the steps move (the plain heatmap shows it).
 */
function separationFigure(priced: { t: number; element: string; value: number }[], order: string[], price: ReturnType<typeof priceLabel>): Figure | undefined {
  const head = order[0]!;
  const headPrice = new Map(priced.filter((p) => p.element === head).map((p) => [p.t, p.value]));
  const heads = [...headPrice.values()];
  const move = Math.max(...heads) - Math.min(...heads);
  const differences = priced.map((p) => ({ ...p, nodal: p.value, difference: Number((p.value - (headPrice.get(p.t) ?? 0)).toPrecision(12)) }));
  const part = Math.max(0, ...differences.map((d) => Math.abs(d.difference)));
  if (!(move > 2 * part)) return undefined;
  const steps = [...headPrice.keys()].sort((a, b) => a - b);
  const cell = Math.max(4, Math.min(24, Math.floor(900 / steps.length)));
  const height = Math.max(80, Math.min(16, Math.max(8, Math.floor(560 / order.length))) * order.length);
  const title = price.shadow ? 'Nodal shadow prices' : 'Nodal prices';
  const x = { field: 't', type: 'ordinal', axis: stepAxis(steps) };
  return {
    id: 'nodal-prices',
    title,
    caption:
      `The value of one more kWh injected at every bus (${price.unit}${price.shadow ? ': a shadow price of the objective\'s penalty terms, not money' : ''}): on top, the substation's (bus ${head}) in every step; ` +
      `below, every bus's less the substation's in the same step (colour, symmetric about 0): what the injection there does to the binding voltage and flow limits${part === 0 ? ' (none binds: every bus has the substation\'s price)' : ''}.`,
    spec: {
      ...base(`${title} (${price.unit})`),
      vconcat: [
        {
          width: cell * steps.length,
          height: 90,
          data: { values: steps.map((t) => ({ t, price: headPrice.get(t) })) },
          mark: { type: 'line', point: { size: 16 }, interpolate: 'step-after' },
          encoding: {
            x: { ...x, axis: { ...stepAxis(steps), title: null } },
            y: { field: 'price', type: 'quantitative', title: [`bus ${head}`, price.unit.replace(/ per kWh$/, '/kWh')], scale: { zero: false } },
            tooltip: [{ field: 't', title: 'step' }, { field: 'price', title: price.unit }],
          },
        },
        {
          width: cell * steps.length,
          height,
          data: { values: differences },
          mark: { type: 'rect' },
          encoding: {
            x,
            y: { field: 'element', type: 'ordinal', sort: order, title: 'bus' },
            color: { field: 'difference', type: 'quantitative', title: [`less bus ${head}`, ...[unitTitle(price.unit)].flat()], ...colorScale(differences.map((d) => d.difference), { alwaysDiverging: true, legendLength: height }) },
            tooltip: [{ field: 't', title: 'step' }, { field: 'element', title: 'bus' }, { field: 'nodal', title: price.unit }, { field: 'difference', title: `less bus ${head}` }],
          },
        },
      ],
    },
  };
}
