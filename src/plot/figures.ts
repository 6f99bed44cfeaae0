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
