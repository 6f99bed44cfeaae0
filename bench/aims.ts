/**
 * The speed aims of issue "a year of the 33-bus feeder in minutes" (a section of `npm run bench`):
 * each case is run today's way (`formulation: 'full'`: the full model with every trade and the
 * tie-break stage always, as before) and the current way, in the same process, one after the
 * other, so that the ratio is measured under the same load. Objectives and dispatches of the two
 * are compared.
 *
 * - the 33-bus day (scenarios/ieee33-day.json, every pair), in-process median;
 * - the seed case, in-process median;
 * - the 1,000-step rolling simulation of the seed feeder;
 * - the year of hourly 24-hour windows of scenarios/ieee33-year.json, extrapolated (labelled so)
 *   from BENCH_YEAR_BLOCKS (default 4) blocks of BENCH_YEAR_WINDOWS (default 24: a day, every
 *   hour of it) consecutive windows spread over the year (from hours 0, 2190, 4380, 6570): each block is a simulation of
 *   its windows plus one before them, less a simulation of that one alone, so that what is
 *   extrapolated is a window that follows another, as 8,759 of the year's 8,760 do. (The first 12
 *   windows alone, a January night, were measured to cost half of what the year's windows cost on
 *   average: an extrapolation from them said 31 min where the year took about twice that.)
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { simulate } from '../src/engine/simulate.ts';
import { clearWith, solverAdapter } from '../src/market/clear.ts';
import type { ClearingResult } from '../src/market/result.ts';
import { loadScenario } from '../src/scenario/load.ts';
import type { Scenario } from '../src/scenario/validate.ts';
import { scenarioWindow } from '../src/scenario/window.ts';
import { benchSimulation } from './simulation.ts';
import { summarize } from './stats.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const YEAR_WINDOWS = 8760;

export interface AimRow {
  aim: string;
  limit: string;
  todaySeconds: number | null;
  nowSeconds: number;
  /** today / now. */
  ratio: number | null;
  met: boolean;
  note: string;
}

export interface AimsBench {
  rows: AimRow[];
  agreement: { case: string; objectiveRelative: number; dispatchKw: number; pricesSame: boolean }[];
  /** Seconds of the blocks' windows that follow another (each block's first one left out). */
  year: { windows: number; blocks: number[]; todaySeconds: number | null; nowSeconds: number; todayHash: string | null; nowHash: string; nowRepeatHash: string | null; infeasible: number };
}

interface Format {
  table: (headers: string[], rows: string[][]) => string;
  section: (title: string) => void;
}

const fmt = (v: number, digits: number) => v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const seconds = (s: number | null) => (s === null ? '—' : s >= 60 ? `${fmt(s / 60, 1)} min` : s >= 1 ? `${fmt(s, 2)} s` : `${fmt(1000 * s, s < 0.01 ? 2 : 0)} ms`);

function median(run: () => ClearingResult, runs: number, warmup: number): { seconds: number; result: ClearingResult } {
  let result = run();
  for (let i = 1; i < warmup; i++) result = run();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    result = run();
    times.push((performance.now() - started) / 1000);
  }
  return { seconds: summarize(times).median, result };
}

/** Largest difference of battery power and net injection between two clearings, kW. */
function dispatchDifference(a: ClearingResult, b: ClearingResult): number {
  let worst = 0;
  a.steps.forEach((step, t) =>
    step.agents.forEach((agent, k) => {
      const other = b.steps[t]!.agents[k]!;
      worst = Math.max(worst, Math.abs(agent.batteryKw - other.batteryKw), Math.abs(agent.netInjectionKw - other.netInjectionKw));
    }),
  );
  return worst;
}

const relative = (a: number | null, b: number | null) => (a === null || b === null ? Infinity : Math.abs(a - b) / Math.max(1, Math.abs(a), Math.abs(b)));
const samePrices = (a: ClearingResult, b: ClearingResult) =>
  a.steps.every((step, t) => step.agents.every((agent, k) => Math.abs((agent.marginalPricePerKwh ?? 0) - (b.steps[t]!.agents[k]!.marginalPricePerKwh ?? 0)) <= 1e-6 * (1 + Math.abs(agent.marginalPricePerKwh ?? 0))));

/** `windows` hourly windows of the year from hour `start`, as a scenario of their own (every window 24 steps). */
function yearSlice(year: Scenario, start: number, windows: number): Scenario {
  // A name of its own: a window's ("…@0") is not one a scenario may carry, and simulate() checks it.
  return { ...scenarioWindow(year, start, windows + year.horizonSteps! - 1), name: `${year.name}-${start}-${windows}`, horizonSteps: year.horizonSteps!, horizonEnd: 'stop' };
}

async function simulateSlice(year: Scenario, start: number, windows: number, formulation: 'auto' | 'full') {
  const started = performance.now();
  const result = await simulate(yearSlice(year, start, windows), { formulation });
  const elapsed = (performance.now() - started) / 1000;
  const hash = createHash('sha256').update(JSON.stringify({ steps: result.steps, windows: result.windows })).digest('hex').slice(0, 16);
  return { seconds: elapsed, hash, infeasible: result.windows.filter((w) => w.status !== 'optimal').length };
}

/**
 * The year's blocks: the seconds of the `windows` windows that follow each block's first one
 * (the block less its first window alone), their hashes, and the windows not cleared.
 */
async function simulateYearBlocks(year: Scenario, starts: readonly number[], windows: number, formulation: 'auto' | 'full') {
  let seconds = 0;
  let infeasible = 0;
  const hashes: string[] = [];
  for (const start of starts) {
    const first = await simulateSlice(year, start, 1, formulation);
    const block = await simulateSlice(year, start, windows + 1, formulation);
    seconds += Math.max(0, block.seconds - first.seconds);
    infeasible += block.infeasible;
    hashes.push(block.hash);
  }
  return { seconds, perWindow: seconds / (starts.length * windows), hash: hashes.join(''), infeasible };
}

export async function benchAims({ quick, format }: { quick: boolean; format: Format }): Promise<AimsBench> {
  const highs = await solverAdapter('highs');
  const rows: AimRow[] = [];
  const agreement: AimsBench['agreement'] = [];
  format.section('Aims of the speed issue: today\'s path (formulation "full") against the current one, same run');

  // The 33-bus day.
  const day = loadScenario(path.join(ROOT, 'scenarios', 'ieee33-day.json'));
  const dayRuns = quick ? 1 : 5;
  const dayToday = median(() => clearWith(highs, day, { formulation: 'full' }), dayRuns, 1);
  const dayNow = median(() => clearWith(highs, day), dayRuns, 1);
  agreement.push({ case: '33-bus day', objectiveRelative: relative(dayToday.result.objective, dayNow.result.objective), dispatchKw: dispatchDifference(dayToday.result, dayNow.result), pricesSame: samePrices(dayToday.result, dayNow.result) });
  rows.push({ aim: '33-bus day (ieee33-day.json, all pairs), in-process median', limit: '≤ 0.25 s', todaySeconds: dayToday.seconds, nowSeconds: dayNow.seconds, ratio: dayToday.seconds / dayNow.seconds, met: dayNow.seconds <= 0.25, note: `tie-break ${dayNow.result.solver.tieBreak}, ${dayNow.result.solver.solved ? `${dayNow.result.solver.solved.columns} × ${dayNow.result.solver.solved.rows} solved` : 'full model'}` });

  // The seed case.
  const seed = loadScenario(path.join(ROOT, 'scenarios', 'seed-4node.json'));
  const seedRuns = quick ? 20 : 200;
  const seedToday = median(() => clearWith(highs, seed, { formulation: 'full' }), seedRuns, 20);
  const seedNow = median(() => clearWith(highs, seed), seedRuns, 20);
  agreement.push({ case: 'seed case', objectiveRelative: relative(seedToday.result.objective, seedNow.result.objective), dispatchKw: dispatchDifference(seedToday.result, seedNow.result), pricesSame: samePrices(seedToday.result, seedNow.result) });
  rows.push({ aim: 'seed case, in-process median', limit: '≤ 1 ms', todaySeconds: seedToday.seconds, nowSeconds: seedNow.seconds, ratio: seedToday.seconds / seedNow.seconds, met: seedNow.seconds <= 0.001, note: '' });

  // The 1,000-step simulation.
  const steps = quick ? 50 : 1000;
  const simFile = path.join(ROOT, 'scenarios', 'seed-time-horizons.json');
  const simToday = await benchSimulation(simFile, steps, 'full');
  const simNow = await benchSimulation(simFile, steps);
  rows.push({ aim: `${steps}-step simulation of the seed feeder`, limit: '≤ 2 s', todaySeconds: simToday.totalMs / 1000, nowSeconds: simNow.totalMs / 1000, ratio: simToday.totalMs / simNow.totalMs, met: simNow.totalMs <= 2000, note: '' });

  // The year, from blocks of windows spread over it.
  const year = loadScenario(path.join(ROOT, 'scenarios', 'ieee33-year.json'));
  const windows = Number(process.env.BENCH_YEAR_WINDOWS ?? (quick ? 2 : 24));
  const blocks = Number(process.env.BENCH_YEAR_BLOCKS ?? (quick ? 1 : 4));
  const starts = Array.from({ length: blocks }, (_, k) => Math.round((k * YEAR_WINDOWS) / blocks));
  const yearToday = process.env.BENCH_YEAR_TODAY === '0' ? null : await simulateYearBlocks(year, starts, windows, 'full');
  const yearNow = await simulateYearBlocks(year, starts, windows, 'auto');
  const yearRepeat = quick ? null : await simulateYearBlocks(year, starts, windows, 'auto');
  rows.push({
    aim: `a year of hourly 24-hour windows (ieee33-year.json), one core — extrapolated from ${blocks} × ${windows} windows from hours ${starts.join(', ')}`,
    limit: '≤ 15 min',
    todaySeconds: yearToday === null ? null : yearToday.perWindow * YEAR_WINDOWS,
    nowSeconds: yearNow.perWindow * YEAR_WINDOWS,
    ratio: yearToday === null ? null : yearToday.perWindow / yearNow.perWindow,
    met: yearNow.perWindow * YEAR_WINDOWS <= 15 * 60,
    note: `${(1000 * yearNow.perWindow).toFixed(0)} ms a window; ${yearNow.infeasible} of ${blocks * (windows + 1)} windows infeasible (batteries idle); reruns ${yearRepeat ? (yearRepeat.hash === yearNow.hash ? 'byte-identical' : 'DIFFER') : 'not checked'}`,
  });

  console.log(
    format.table(
      ['aim', 'limit', 'today', 'now', 'today / now', 'mark', 'note'],
      rows.map((r) => [r.aim, r.limit, seconds(r.todaySeconds), seconds(r.nowSeconds), r.ratio === null ? '—' : `×${fmt(r.ratio, 2)}`, r.met ? 'met' : 'missed', r.note]),
    ),
  );
  console.log(
    format.table(
      ['case', 'objective, relative difference', 'dispatch, largest difference', 'prices'],
      agreement.map((a) => [a.case, a.objectiveRelative.toExponential(1), `${a.dispatchKw.toExponential(1)} kW`, a.pricesSame ? 'the same (1e-6)' : 'DIFFER']),
    ),
  );
  return {
    rows,
    agreement,
    year: { windows, blocks: starts, todaySeconds: yearToday?.seconds ?? null, nowSeconds: yearNow.seconds, todayHash: yearToday?.hash ?? null, nowHash: yearNow.hash, nowRepeatHash: yearRepeat?.hash ?? null, infeasible: yearNow.infeasible },
  };
}
