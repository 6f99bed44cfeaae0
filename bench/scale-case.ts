/**
 * One case of the scale benchmark (bench/scale.ts), in a process of its own so that its peak
 * memory (maxRSS) is that case's alone. Prints exactly one JSON line on stdout.
 *
 *   node --import tsx --expose-gc bench/scale-case.ts '<ScaleCaseSpec as JSON>' [--size-only]
 *
 * --size-only builds the model without solving it (for the columns and rows of a case that ran
 * out of its wall-clock budget). Everything else (HiGHS traces with P2PMARKET_TRACE_CUTS=1,
 * progress notes) goes to stderr.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { clearWith, solverAdapter } from '../src/market/clear.ts';
import { Feeder } from '../src/network/feeder.ts';
import { buildMarketProblem } from '../src/problem/build.ts';
import { linearFormOf } from '../src/problem/network-rows.ts';
import { tradePairs } from '../src/problem/trade-graph.ts';
import { generateScenario } from '../src/scenario/generate.ts';
import { parseScenario } from '../src/scenario/load.ts';
import type { ScenarioInput } from '../src/scenario/schema.ts';
import type { Scenario } from '../src/scenario/validate.ts';

export type ScaleGraph = 'all' | 'pool' | { maxHops: number };
export type ScaleForm = 'auto' | 'dense' | 'sparse';

export interface ScaleCaseSpec {
  /** 33 → scenarios/ieee33-day.json; any other size → generateScenario (seed 1, prosumer on every third bus, loads 5–30 kW). */
  buses: number;
  graph: ScaleGraph;
  form: ScaleForm;
  /** Passed to clearWith; undefined → its default. */
  timeLimitSeconds?: number;
}

/** What the child prints (one JSON line). */
export interface ScaleCaseOutput {
  scenario: string;
  prosumers: number;
  batteries: number;
  /** Trade pairs (trade columns = 2 × pairs × steps). */
  pairs: number;
  steps: number;
  /** The LinDistFlow form actually built ("auto" resolved). */
  linearForm: 'dense' | 'sparse';
  columns: number;
  rows: number;
  /** Only in a full run (not --size-only): */
  status?: string;
  objective?: number | null;
  tieBreak?: string;
  iterations?: number;
  maxViolation?: number;
  diagnosis?: string;
  /** clearWith, model building included (performance.now around the call), s. */
  seconds?: number;
  /** Peak resident set of this process over its whole life, KiB (process.resourceUsage().maxRSS). */
  maxRssKiB: number;
  /** maxRSS before the clearing (Node, tsx, HiGHS WebAssembly, the parsed scenario), KiB. */
  baselineRssKiB: number;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const IEEE33_DAY = path.join(ROOT, 'scenarios', 'ieee33-day.json');

export function scaleScenarioInput(spec: ScaleCaseSpec): ScenarioInput {
  if (spec.buses === 33) {
    const input = JSON.parse(readFileSync(IEEE33_DAY, 'utf8')) as ScenarioInput;
    input.market = { ...input.market, tradeGraph: spec.graph };
    if (spec.form !== 'auto') input.network = { ...input.network, linearForm: spec.form };
    return input;
  }
  return generateScenario({
    buses: spec.buses,
    seed: 1,
    prosumerSpacing: 3,
    loadKw: [5, 30],
    tradeGraph: spec.graph,
    ...(spec.form !== 'auto' ? { linearForm: spec.form } : {}),
  });
}

function sizeOf(scenario: Scenario) {
  const feeder = new Feeder(scenario.network);
  const withPool = scenario.market.tradeGraph === 'pool';
  const agentBus = [feeder.slack, ...scenario.prosumers.map((p) => feeder.busIndex(p.bus)), ...(withPool ? [-1] : [])];
  return {
    pairs: tradePairs(scenario.market.tradeGraph, agentBus, feeder, withPool ? agentBus.length - 1 : undefined).length,
    linearForm: linearFormOf(scenario, feeder),
    feeder,
  };
}

async function main(): Promise<void> {
  const [specJson, flag] = process.argv.slice(2);
  if (!specJson) throw new Error('usage: scale-case.ts <spec JSON> [--size-only]');
  const spec = JSON.parse(specJson) as ScaleCaseSpec;
  const highs = await solverAdapter('highs');
  const scenario = parseScenario(scaleScenarioInput(spec), `scale-${spec.buses}`);
  const { pairs, linearForm, feeder } = sizeOf(scenario);
  const base = {
    scenario: scenario.name,
    prosumers: scenario.prosumers.length,
    batteries: scenario.prosumers.filter((p) => p.battery).length,
    pairs,
    steps: scenario.steps,
    linearForm,
  };
  let output: ScaleCaseOutput;
  if (flag === '--size-only') {
    const { model } = buildMarketProblem(scenario, feeder);
    const rss = process.resourceUsage().maxRSS;
    output = { ...base, columns: model.numCols, rows: model.numRows, maxRssKiB: rss, baselineRssKiB: rss };
  } else {
    (globalThis as { gc?: () => void }).gc?.();
    const baselineRssKiB = process.resourceUsage().maxRSS;
    console.error(`scale-case: clearing ${scenario.name} (${base.prosumers} prosumers, ${pairs} pairs, ${linearForm})`);
    const started = performance.now();
    const result = clearWith(highs, scenario, spec.timeLimitSeconds !== undefined ? { timeLimitSeconds: spec.timeLimitSeconds } : {});
    const seconds = (performance.now() - started) / 1000;
    output = {
      ...base,
      columns: result.solver.columns,
      rows: result.solver.rows,
      status: result.status,
      objective: result.objective,
      tieBreak: result.solver.tieBreak,
      iterations: result.solver.iterations,
      maxViolation: result.solver.maxViolation,
      ...(result.diagnosis ? { diagnosis: result.diagnosis.message } : {}),
      seconds,
      maxRssKiB: process.resourceUsage().maxRSS,
      baselineRssKiB,
    };
  }
  process.stdout.write(JSON.stringify(output) + '\n');
}

// Only when run as the entry point (bench/scale.ts imports the types and scaleScenarioInput).
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
