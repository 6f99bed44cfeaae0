/**
 * The figures of a sweep and the fan charts of a stochastic one (see figures.ts). A sweep's
 * state of charge and battery power are drawn one panel per battery, a line per step coloured
 * by a sequential scale (so that the steps are told apart at any count), against the swept
 * parameter; its objective is labelled in its units (currency, or objective units when no
 * run's objective holds money).
 */
import { objectiveUnits } from '../market/money.ts';
import { base, HEIGHT, MAX_COLUMNS, num, stepColor, WIDTH, wrapped } from './chart.ts';
import { stochasticFigures } from './stochastic-figures.ts';
import type { Figure } from './figures.ts';
import type { RunFolder } from './run-dir.ts';

/**
 * The swept parameter figures are drawn against: the first with more than one value. Any
 * other that varies splits the lines into series (dashes; colour in the objective figure).
 */
function sweptParameter(run: RunFolder): string | undefined {
  return run.parameterColumns.filter((c) => c !== 'sample').find((c) => new Set(run.runs.map((r) => r[c])).size > 1);
}

/** Up to this many steps (and MAX_COLUMNS batteries), the sweep's battery figures are a grid step × battery. */
const GRID_STEPS = 6;

/** Panels of a row fit the report's 1,100 pixels: narrower when there are more. */
const panelWidth = (panels: number) => (panels >= MAX_COLUMNS ? 190 : panels === 3 ? 250 : 300);

/**
 * The objective's unit, from the runs themselves (figures read only the run's folder, in a
 * browser too): currency when some run's objective holds money — a cost bid or the utility's
 * tariff (costBidsTermCurrency, utilityEnergyTermCurrency in runs.csv; costBidsTerm,
 * utilityEnergyTerm in the folders of earlier versions) — else objective units.
 */
function objectiveUnit(run: RunFolder): string {
  const money = run.runs.some((r) => [r.costBidsTermCurrency, r.utilityEnergyTermCurrency, r.costBidsTerm, r.utilityEnergyTerm].some((v) => v !== null && v !== undefined && v !== '' && Number(v) !== 0));
  return objectiveUnits(money ? 'money' : 'penalties').objective;
}

export function sweepFigures(run: RunFolder): Figure[] {
  const figures: Figure[] = [];
  const samples = run.parameterColumns.includes('sample') ? new Set(run.runs.map((r) => r.sample)).size : 1;
  const parameter = sweptParameter(run);
  const label = parameter ? parameter.split('|').join(' & ') : '';
  const valueOf = new Map(run.runs.map((r) => [r.run, parameter ? r[parameter] : null]));
  // The other parameters that vary: each of their combinations is a series of its own.
  const others = run.parameterColumns.filter((c) => c !== 'sample' && c !== parameter && new Set(run.runs.map((r) => r[c])).size > 1);
  const seriesOf = new Map(run.runs.map((r) => [r.run, others.map((c) => `${c} = ${r[c]}`).join(', ')]));
  const bySeries = others.length > 0 ? { strokeDash: { field: 'series', type: 'nominal', title: others.join(', ') } } : {};
  // A parameter of numbers is an axis; one of text (a trade graph, a scenario file) a set of categories.
  const xType = parameter && run.runs.every((r) => typeof r[parameter] === 'number') ? 'quantitative' : 'ordinal';

  if (parameter && samples === 1) {
    const rows = run.steps
      .filter((r) => r.socStartKwh !== null)
      .map((r) => ({ x: valueOf.get(r.run), series: seriesOf.get(r.run), t: num(r.t), agent: String(r.agent), socStartKwh: r.socStartKwh, batteryKw: r.batteryKw }));
    if (rows.length > 0) {
      const agents = [...new Set(rows.map((r) => r.agent))];
      const steps = [...new Set(rows.map((r) => r.t))].sort((a, b) => a - b);
      const x = { field: 'x', type: xType, title: label };
      // A line per step (colour) and series (dashes) in every battery's panel.
      const line = (y: Record<string, unknown>, point: boolean) => ({
        mark: { type: 'line', strokeWidth: 1.5, ...(point ? { point: { size: 14 } } : {}) },
        encoding: {
          x,
          y,
          ...(grid ? {} : { color: stepColor(steps.length) }),
          detail: { field: 'line' },
          ...bySeries,
          tooltip: [{ field: 'agent' }, { field: 't', title: 'step' }, { field: 'x', title: label }, { field: y.field as string, title: y.title as string }],
        },
      });
      const lineRows = rows.map((r) => ({ ...r, line: `${r.agent}, step ${r.t}, ${r.series}`, kind: 'value' }));
      // A few steps and batteries: a grid, step × battery, one line a panel (no line hides
      // another); more: a panel per battery, a line per step.
      const grid = steps.length <= GRID_STEPS && agents.length <= MAX_COLUMNS;
      const facet = grid
        ? {
            facet: {
              row: { field: 't', type: 'ordinal', title: 'step', header: { labelAngle: 0, labelFontSize: 12 } },
              column: { field: 'agent', type: 'nominal', title: null, sort: agents },
            },
          }
        : { facet: { field: 'agent', type: 'nominal', title: null, sort: agents }, ...wrapped(agents.length) };
      const size = grid ? { width: panelWidth(agents.length) - 20, height: 80 } : { width: panelWidth(agents.length), height: 150 };
      const layout = grid ? 'a panel per step (rows) and battery (columns)' : 'a line per step (colour), one panel per battery';
      figures.push({
        id: 'sweep-state-of-charge',
        title: 'State of charge against the swept parameter',
        caption: `Each battery's state of charge at the start of each step against ${label}: ${layout}.`,
        spec: {
          ...base(`State of charge at the start of each step (kWh) against ${label}`),
          data: { values: lineRows },
          ...facet,
          spec: { ...size, ...line({ field: 'socStartKwh', type: 'quantitative', title: 'kWh' }, false) },
        },
      });
      // The constraint study: the limits are the parameter's own values.
      const paths = ((run.result.parameters as { name: string; paths?: string[] }[] | undefined) ?? []).find((p) => p.name === parameter)?.paths ?? [parameter];
      const isLimit = xType === 'quantitative' && paths.some((p) => /maxChargeKw|maxDischargeKw/.test(p));
      const xs = [...new Set(rows.map((r) => num(r.x)))].sort((a, b) => a - b);
      // The limits drawn in every battery's panel (a facet's layers share its data).
      const limitRows = isLimit
        ? agents.flatMap((agent) => (grid ? steps : [undefined]).flatMap((t) =>
            xs.flatMap((x) => [
              ...(paths.some((p) => p.includes('maxDischargeKw')) ? [{ agent, t, x, limitKw: x, limit: 'discharge limit', kind: 'limit' }] : []),
              ...(paths.some((p) => p.includes('maxChargeKw')) ? [{ agent, t, x, limitKw: -x, limit: 'charge limit', kind: 'limit' }] : []),
            ]),
          ))
        : [];
      const power = line({ field: 'batteryKw', type: 'quantitative', title: 'kW' }, true);
      figures.push({
        id: 'sweep-battery-power',
        title: 'Battery power against the swept parameter',
        caption: `Each battery's power in each step (discharge positive) against ${label}: ${layout}${isLimit ? '; dashed red: the power limits the parameter sets' : ''}.`,
        spec: {
          ...base(`Battery power (kW) against ${label}`),
          data: { values: [...lineRows, ...limitRows] },
          ...facet,
          spec: {
            ...size,
            layer: [
              { transform: [{ filter: "datum.kind === 'value'" }], ...power },
              ...(limitRows.length > 0
                ? [{ transform: [{ filter: "datum.kind === 'limit'" }], mark: { type: 'line', color: '#c00', strokeDash: [6, 3] }, encoding: { x, y: { field: 'limitKw', type: 'quantitative' }, detail: { field: 'limit' } } }]
                : []),
            ],
          },
        },
      });
    }
    const unit = objectiveUnit(run);
    figures.push({
      id: 'sweep-objective',
      title: 'Objective against the swept parameter',
      caption: `The objective (${unit}) at every point of the sweep against ${label} (points that could not be cleared have none).`,
      spec: {
        ...base(`Objective (${unit}) against ${label}`),
        width: WIDTH,
        height: HEIGHT,
        data: { values: run.runs.map((r) => ({ x: r[parameter], series: seriesOf.get(r.run), objective: r.objective, status: r.status })) },
        mark: { type: 'line', point: { size: 14 } },
        encoding: {
          x: { field: 'x', type: xType, title: label },
          y: { field: 'objective', type: 'quantitative', title: unit },
          ...(others.length > 0 ? { color: { field: 'series', type: 'nominal', title: others.join(', ') } } : {}),
          tooltip: [{ field: 'x', title: label }, { field: 'objective' }, { field: 'status' }],
        },
      },
    });
  }

  if (samples > 1) figures.push(...stochasticFigures(run, samples));
  return figures;
}
