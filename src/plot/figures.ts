/**
 * The figures of a run, as vega-lite specifications with their data inline. Which figures a
 * run gets depends on what it is:
 * - a clearing or a simulation: the net-injection heatmap (agent × step, diverging about 0),
 *   per-step bars (lines for many steps) of forecast, battery and traded power, one panel per
 *   prosumer, state-of-charge trajectories with their limits, bus voltages, nodal prices and
 *   line flows per step (points coloured by step for a few steps, heatmaps element × step for
 *   many), and trade prices per seller and step — prices labelled as money or as shadow
 *   prices in objective units (market/money.ts);
 * - a sweep: each battery's state of charge and power against the swept parameter (a grid
 *   step × battery for a few steps, as the seed's node-0 study; a line per step, coloured, in
 *   a panel per battery for more), with the limits when the parameter is a battery limit (the
 *   seed's constraint study), and the objective against the parameter;
 * - a stochastic sweep: fan charts (p5–p95 band, median line) of the state of charge and the
 *   net injection over the steps, across the samples, metrics against the parameter, CDFs.
 *
 * Every mark carries an aria description of its data (vega-lite's default), so the SVG says
 * which values it was drawn from; the tests read them.
 */
import { runFigures } from './run-figures.ts';
import type { RunFolder } from './run-dir.ts';
import { sweepFigures } from './sweep-figures.ts';
import { negotiationFigures } from './negotiation-figures.ts';

export interface Figure {
  /** File name without extension: figures/<id>.svg */
  id: string;
  title: string;
  /** One sentence under the figure. */
  caption: string;
  spec: Record<string, unknown>;
}

export function figuresFor(run: RunFolder): Figure[] {
  if (run.kind === 'sweep') return sweepFigures(run);
  return [...runFigures(run), ...negotiationFigures(run)];
}
