/**
 * The scenarios and sweeps the page offers, bundled as text (the files of ../../scenarios, as
 * they are): those that need no profile files. Their virtual paths are the repository's
 * (scenarios/<file>), so that a sweep finds its scenario beside it and messages name the files
 * as the command line run from a checkout does.
 */
import seed4node from '../../scenarios/seed-4node.json?raw';
import seedBids from '../../scenarios/seed-bids.json?raw';
import seedConstraints from '../../scenarios/seed-constraints.json?raw';
import seedNode0 from '../../scenarios/seed-node0.json?raw';
import seedNode0b from '../../scenarios/seed-node0-b.json?raw';
import seedTimeHorizons from '../../scenarios/seed-time-horizons.json?raw';
import ieee33Base from '../../scenarios/ieee33-base.json?raw';
import ieee33Day from '../../scenarios/ieee33-day.json?raw';
import ieee33Market from '../../scenarios/ieee33-market.json?raw';
import case33bw from '../../scenarios/case33bw.json?raw';
import node0SweepA from '../../scenarios/node0-sweep-a.json?raw';
import node0SweepB from '../../scenarios/node0-sweep-b.json?raw';
import constraintSweep from '../../scenarios/constraint-sweep.json?raw';
import stochasticSeed from '../../scenarios/stochastic-seed.json?raw';

export const FOLDER = 'scenarios';

export interface Bundled {
  file: string;
  /** What to do with it first. */
  run: 'clear' | 'simulate' | 'sweep';
  label: string;
  text: string;
}

export const BUNDLED: readonly Bundled[] = [
  { file: 'seed-4node.json', run: 'clear', label: "the seed's 4-bus clearing", text: seed4node },
  { file: 'seed-bids.json', run: 'clear', label: 'bids, a tariff and fees: prices and settlement', text: seedBids },
  { file: 'seed-constraints.json', run: 'clear', label: "the constraint study's base case", text: seedConstraints },
  { file: 'seed-node0.json', run: 'clear', label: 'node-0 study A, base case', text: seedNode0 },
  { file: 'seed-node0-b.json', run: 'clear', label: 'node-0 study B, base case', text: seedNode0b },
  { file: 'seed-time-horizons.json', run: 'simulate', label: 'rolling horizon: windows and realised steps', text: seedTimeHorizons },
  { file: 'ieee33-base.json', run: 'clear', label: 'IEEE 33-bus feeder, one step', text: ieee33Base },
  { file: 'ieee33-day.json', run: 'clear', label: 'IEEE 33-bus day with prosumers', text: ieee33Day },
  { file: 'ieee33-market.json', run: 'clear', label: '33-bus market: tariff, nodal prices, value of trading', text: ieee33Market },
  { file: 'case33bw.json', run: 'clear', label: 'case33bw imported from MATPOWER', text: case33bw },
  { file: 'node0-sweep-b.json', run: 'sweep', label: 'node-0 study B: 201 clearings', text: node0SweepB },
  { file: 'node0-sweep-a.json', run: 'sweep', label: 'node-0 study A: 201 clearings', text: node0SweepA },
  { file: 'constraint-sweep.json', run: 'sweep', label: 'constraint study: 9 clearings', text: constraintSweep },
  { file: 'stochastic-seed.json', run: 'sweep', label: '1,000 simulations with forecast errors', text: stochasticSeed },
];

/** The path of a file in the page's virtual folder. */
export const pathOf = (file: string) => `${FOLDER}/${file}`;

