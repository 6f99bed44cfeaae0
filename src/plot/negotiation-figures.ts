/**
 * The figures of a negotiated clearing (market.clearing "admm"), drawn from negotiation.csv and
 * negotiation-prices.csv: the primal and dual residuals against their tolerances and the
 * objective's gap to the central optimum, per iteration (log scale); and the traced pair's two
 * prices per iteration against the central price of their trade. A simulation's figures show its
 * first window's negotiation (negotiation.csv has every window's). None for a central clearing.
 */
import { priceLabel } from './run-figures.ts';
import { base, HEIGHT, num, WIDTH } from './chart.ts';
import type { Figure } from './figures.ts';
import type { RunFolder } from './run-dir.ts';

export function negotiationFigures(run: RunFolder): Figure[] {
  if (run.negotiation.length === 0) return [];
  const figures: Figure[] = [];
  const window = num(run.negotiation[0]!.window);
  const rows = run.negotiation.filter((r) => r.run === 0 && num(r.window) === window);
  const which = run.kind === 'simulate' ? ` (the window from step ${window})` : '';
  const values = rows.flatMap((r) =>
    (
      [
        ['primal residual (kW)', num(r.primalResidualKw)],
        ['primal tolerance (kW)', num(r.primalToleranceKw)],
        ['dual residual (per kWh)', num(r.dualResidualPerKwh)],
        ['dual tolerance (per kWh)', num(r.dualTolerancePerKwh)],
        ['|objective gap| (relative)', Math.abs(num(r.objectiveGap))],
      ] as const
    )
      // A log scale shows positive values only.
      .filter(([, v]) => v > 0 && Number.isFinite(v))
      .map(([quantity, value]) => ({ iteration: num(r.iteration), quantity, value })),
  );
  const order = ['primal residual (kW)', 'primal tolerance (kW)', 'dual residual (per kWh)', 'dual tolerance (per kWh)', '|objective gap| (relative)'];
  figures.push({
    id: 'negotiation-residuals',
    title: 'Negotiation: residuals and gap per iteration',
    caption:
      `The primal residual (largest disagreement between a proposal and its consensus, or between a proposed and a feasible injection, kW), ` +
      `the dual residual (largest change of a consensus, priced, per kWh), their tolerances (dashed), and the objective's relative gap to the central optimum${which}.`,
    spec: {
      ...base('Residuals and gap to the central optimum, per iteration'),
      width: WIDTH,
      height: HEIGHT,
      data: { values },
      mark: { type: 'line', interpolate: 'linear' },
      encoding: {
        x: { field: 'iteration', type: 'quantitative', title: 'iteration' },
        y: { field: 'value', type: 'quantitative', title: 'residual, tolerance, gap', scale: { type: 'log' } },
        color: { field: 'quantity', type: 'nominal', sort: order, title: null, legend: { labelLimit: 300 } },
        strokeDash: { condition: { test: "indexof(datum.quantity, 'tolerance') >= 0", value: [4, 3] }, value: [1, 0] },
        tooltip: [{ field: 'iteration' }, { field: 'quantity' }, { field: 'value', format: '.3e' }],
      },
    },
  });

  const prices = run.negotiationPrices.filter((r) => r.run === 0 && num(r.window) === window);
  if (prices.length > 0) {
    const first = prices[0]!;
    const [from, to, t] = [String(first.from), String(first.to), num(first.t)];
    const central = first.centralPricePerKwh === null ? null : num(first.centralPricePerKwh);
    const lines = prices.flatMap((r) => [
      { iteration: num(r.iteration), side: `${from}'s price`, price: num(r.fromPricePerKwh) },
      { iteration: num(r.iteration), side: `${to}'s price`, price: num(r.toPricePerKwh) },
    ]);
    figures.push({
      id: 'negotiation-pair-prices',
      title: `Negotiation: the prices of ${from} and ${to}, step ${t}`,
      caption:
        `Each side's price of the pair ${from}–${to} in step ${t} per iteration (what it would receive selling one more kWh on it, per kWh)` +
        (central === null ? '' : `, and the central optimum's price of their trade (${central}, grey)`) +
        `${which}; at convergence the seller's price is the trade's price and the buyer's exceeds it by its fee and preference.`,
      spec: {
        ...base(`${priceLabel(run).shadow ? 'Shadow prices' : 'Prices'} of ${from} and ${to} (step ${t}) per iteration (${priceLabel(run).unit})`),
        width: WIDTH,
        height: HEIGHT,
        layer: [
          {
            data: { values: lines },
            mark: { type: 'line' },
            encoding: {
              x: { field: 'iteration', type: 'quantitative', title: 'iteration' },
              y: { field: 'price', type: 'quantitative', title: priceLabel(run).unit, scale: { zero: false } },
              color: { field: 'side', type: 'nominal', title: null },
              tooltip: [{ field: 'iteration' }, { field: 'side' }, { field: 'price', format: '.6f' }],
            },
          },
          ...(central === null
            ? []
            : [{ data: { values: [{ central }] }, mark: { type: 'rule', color: '#888', strokeDash: [4, 3] }, encoding: { y: { field: 'central', type: 'quantitative' } } }]),
        ],
      },
    });
  }
  return figures;
}
