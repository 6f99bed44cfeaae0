/** The figures of a sweep and the fan charts of a stochastic one (see figures.ts). */
import { base, HEIGHT, num, WIDTH } from './chart.ts';
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
              x: { field: 'x', type: xType, title: label },
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
      const paths = ((run.result.parameters as { name: string; paths?: string[] }[] | undefined) ?? []).find((p) => p.name === parameter)?.paths ?? [parameter];
      const isLimit = paths.some((p) => /maxChargeKw|maxDischargeKw/.test(p));
      const xs = [...new Set(rows.map((r) => num(r.x)))].sort((a, b) => a - b);
      const limitRows = isLimit
        ? xs.flatMap((x) => [
            ...(paths.some((p) => p.includes('maxDischargeKw')) ? [{ x, limitKw: x, limit: 'discharge limit' }] : []),
            ...(paths.some((p) => p.includes('maxChargeKw')) ? [{ x, limitKw: -x, limit: 'charge limit' }] : []),
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
                x: { field: 'x', type: xType, title: label },
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
          x: { field: 'x', type: xType, title: label },
          y: { field: 'objective', type: 'quantitative' },
          ...(others.length > 0 ? { color: { field: 'series', type: 'nominal', title: others.join(', ') } } : {}),
          tooltip: [{ field: 'x', title: label }, { field: 'objective' }, { field: 'status' }],
        },
      },
    });
  }

  if (samples > 1) figures.push(...stochasticFigures(run, samples));
  return figures;
}
