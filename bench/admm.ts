/**
 * The negotiated clearing's benchmark (market.clearing "admm"): iterations, messages and time —
 * this process's wall time, and the negotiation's virtual time — to a tolerance of 1e-4 (and to
 * the default 1e-8) on the seed's case and the 33-bus market; against the number of peers on
 * generated feeders of 10 to 200 prosumers; and the effect of latency, loss and asynchrony.
 * Each row also has the central clearing's time and the objective's gap to it.
 *
 * `node --import tsx bench/admm.ts` (or BENCH_ADMM=1 npm run bench); BENCH_QUICK=1 for a smoke
 * run. Writes outputs/bench/bench-admm.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AdmmSchema, type AdmmInput } from '../src/admm/options.ts';
import { clearWith, solverAdapter } from '../src/market/clear.ts';
import { generateScenario } from '../src/scenario/generate.ts';
import { loadScenario, parseScenario } from '../src/scenario/load.ts';
import type { Scenario } from '../src/scenario/validate.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const QUICK = process.env.BENCH_QUICK === '1';

export interface AdmmBenchRow {
  case: string;
  variant: string;
  peers: number;
  pairs: number;
  steps: number;
  status: string;
  iterations: number;
  messages: number;
  retransmitted: number;
  virtualS: number;
  wallS: number;
  centralS: number;
  objectiveGap: number;
  maxTradePriceGapPerKwh: number;
  /** The first iteration from which the objective's gap stays below 1e-4 (from negotiation.csv's history). */
  iterationsToGap1e4: number | null;
  /** The wall time to that iteration, s (the run's wall time in proportion: an iteration costs about the same throughout). */
  wallSToGap1e4: number | null;
}

function negotiated(scenario: Scenario, admm: AdmmInput): Scenario {
  return { ...scenario, market: { ...scenario.market, clearing: 'admm', admm: AdmmSchema.parse(admm) } };
}

export async function benchAdmm(): Promise<AdmmBenchRow[]> {
  const highs = await solverAdapter('highs');
  const rows: AdmmBenchRow[] = [];
  const run = (name: string, variant: string, scenario: Scenario, admm: AdmmInput) => {
    const started = performance.now();
    const result = clearWith(highs, negotiated(scenario, admm));
    const wallS = (performance.now() - started) / 1000;
    const n = result.negotiation!;
    const history = n.history;
    let settled: number | null = null;
    for (let k = history.length - 1; k >= 0; k--) {
      if (Math.abs(history[k]!.objectiveGap) >= 1e-4) break;
      settled = history[k]!.iteration;
    }
    const row: AdmmBenchRow = {
      case: name,
      variant,
      peers: scenario.prosumers.length + 1,
      pairs: n.pairs,
      steps: scenario.steps,
      status: result.status,
      iterations: n.iterations,
      messages: n.messages.sent,
      retransmitted: n.messages.retransmitted,
      virtualS: n.virtualTimeMs / 1000,
      wallS: n.wallMs / 1000,
      centralS: n.central.solveMs / 1000,
      objectiveGap: n.gaps?.objectiveRelative ?? NaN,
      maxTradePriceGapPerKwh: n.gaps?.maxTradePricePerKwh ?? NaN,
      iterationsToGap1e4: settled,
      wallSToGap1e4: settled === null ? null : (n.wallMs / 1000) * (settled / Math.max(1, n.iterations)),
    };
    rows.push(row);
    console.log(
      [row.case, row.variant, row.peers, row.pairs, row.status, row.iterations, row.messages, row.virtualS.toFixed(2), row.wallS.toFixed(2), row.centralS.toFixed(2), row.objectiveGap.toExponential(1), row.maxTradePriceGapPerKwh.toExponential(1), row.iterationsToGap1e4 ?? '—', row.wallSToGap1e4?.toFixed(2) ?? '—'].join('\t'),
    );
    return row;
  };
  console.log(['case', 'variant', 'peers', 'pairs', 'status', 'iterations', 'messages', 'virtual s', 'wall s', 'central s', 'objective gap', 'price gap', 'iterations to gap 1e-4', 'wall s to gap 1e-4'].join('\t'));

  const seed = loadScenario(path.join(ROOT, 'scenarios', 'seed-4node.json'));
  const bids = loadScenario(path.join(ROOT, 'scenarios', 'seed-bids.json'));
  const ieee = loadScenario(path.join(ROOT, 'scenarios', 'ieee33-market.json'));
  for (const [name, scenario] of [['seed-4node', seed], ['seed-bids', bids], ['ieee33-market', ieee]] as const) {
    if (QUICK && name === 'ieee33-market') continue;
    run(name, 'tolerance 1e-4', scenario, { tolerance: 1e-4 });
    run(name, 'tolerance 1e-8 (default)', scenario, {});
  }

  // Latency, loss and asynchrony.
  const variants: [string, AdmmInput][] = [
    ['latency 10 ms, synchronous (default)', {}],
    ['latency 0 ms', { latencyMs: 0 }],
    ['latency 5–50 ms', { latencyMs: { minMs: 5, maxMs: 50 } }],
    ['loss 10 %', { lossProbability: 0.1 }],
    ['loss 30 %', { lossProbability: 0.3 }],
    ['asynchronous', { mode: 'asynchronous' }],
    ['asynchronous, 5–50 ms, loss 10 %', { mode: 'asynchronous', latencyMs: { minMs: 5, maxMs: 50 }, lossProbability: 0.1 }],
    ['asynchronous, staleness 2', { mode: 'asynchronous', maxStaleness: 2, maxIterations: 5000 }],
    ['per-pair termination', { pairTermination: true }],
  ];
  for (const [name, scenario] of [['seed-bids', bids], ['ieee33-market', ieee]] as const) {
    if (QUICK && name === 'ieee33-market') continue;
    for (const [variant, admm] of variants.slice(1)) run(name, variant, scenario, admm);
  }

  // Peers: generated feeders (request tracking, batteries, voltage limits), 6 one-hour steps,
  // trades within 2 hops (and with the utility); without a volume penalty, then with the
  // generator's λ = 0.01, whose coordinator's proximal weight λ·N grows with the pairs.
  const sizes = QUICK ? [10] : [10, 25, 50, 100, 200];
  for (const [lambda, upTo] of [[0, Infinity], [0.01, QUICK ? 10 : 100]] as const) {
    for (const prosumers of sizes.filter((n) => n <= upTo)) {
      const input = generateScenario({ buses: prosumers + 1, seed: 7, steps: 6, stepHours: 1, tradeGraph: { maxHops: 2 }, tieBreak: 'none', tradeVolumeWeight: lambda });
      const scenario = parseScenario({ ...input, name: `generated-${prosumers}` });
      run(`generated ${prosumers} prosumers`, `λ = ${lambda}, tolerance 1e-8`, scenario, { maxIterations: 5000 });
    }
  }
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const rows = await benchAdmm();
  const dir = path.join(ROOT, 'outputs', 'bench');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `bench-admm${QUICK ? '-quick' : ''}.json`), JSON.stringify(rows, null, 2) + '\n');
}
