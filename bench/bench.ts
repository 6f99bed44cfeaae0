/**
 * `npm run bench`: in-process clearing times of the seed case and of generated feeders, peak
 * memory, and the aims. Plain-text tables on stdout; a JSON summary in outputs/bench/bench.json
 * (outputs/bench/bench-quick.json for a BENCH_QUICK=1 smoke run, so that it never overwrites
 * real figures). Exits non-zero when a HiGHS clearing is not optimal or not the expected answer.
 *
 * Run with `node --import tsx --expose-gc bench/bench.ts` (the npm script does).
 *
 * BENCH_ADMM=1 adds the negotiated clearing's section (bench/admm.ts, a few minutes).
 *
 * The scale section (bench/scale.ts: clearing time and peak memory against feeder size and trade
 * graph, each case in a child process) runs last but one. BENCH_ONLY=scale runs it alone (summary
 * in outputs/bench/bench-scale.json, or bench-scale-quick.json); BENCH_SCALE=0 leaves it out.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { clearWith, solverAdapter, type SolverName } from '../src/market/clear.ts';
import type { ClearingResult } from '../src/market/result.ts';
import { generateScenario, type GeneratorOptions } from '../src/scenario/generate.ts';
import { loadScenario, parseScenario } from '../src/scenario/load.ts';
import type { Scenario } from '../src/scenario/validate.ts';
import { benchAims, type AimsBench } from './aims.ts';
import { benchScale, type ScaleBench } from './scale.ts';
import { benchSimulation } from './simulation.ts';
import { benchDistributed } from './distributed.ts';
import { benchSweep, WORKER_COUNTS, type SweepBench } from './sweep.ts';
import { summarize, type Summary } from './stats.ts';
import { benchAdmm } from './admm.ts';
import { benchStartup, type StartupRow } from './startup.ts';

// ---- Counts (BENCH_QUICK=1 cuts every one down, for a smoke run) -------------------------
const QUICK = process.env.BENCH_QUICK === '1';
/** BENCH_ONLY=scale: the scale section alone; BENCH_SCALE=0: every section but that one. */
const SCALE_ONLY = process.env.BENCH_ONLY === 'scale';
/** BENCH_ONLY=aims: the speed issue's aims alone (bench/aims.ts); BENCH_AIMS=0: leave them out. */
const AIMS_ONLY = process.env.BENCH_ONLY === 'aims';
/** BENCH_ONLY=startup: the start-up section alone (bench/startup.ts, about a minute). */
const STARTUP_ONLY = process.env.BENCH_ONLY === 'startup';
const RUN_AIMS = process.env.BENCH_AIMS !== '0';
const RUN_SCALE = process.env.BENCH_SCALE !== '0';
/** Seed case: untimed warm-up runs, then timed runs. */
const SEED_WARMUP = QUICK ? 2 : 20;
const SEED_RUNS = QUICK ? 10 : 200;
/** The 33-bus, 24-step feeder (seconds per run). */
const FEEDER_WARMUP = QUICK ? 0 : 1;
const FEEDER_RUNS = QUICK ? 1 : 7;
/** The small feeder on which both backends are compared. */
const SMALL_WARMUP = QUICK ? 1 : 3;
const SMALL_RUNS = QUICK ? 3 : 20;
/** The sweeps timed with 1 and 2 workers (the quick run skips the 1,000-sample one). */
const SWEEP_FILES = QUICK ? ['node0-sweep-b.json'] : ['node0-sweep-b.json', 'stochastic-seed.json'];
/** Steps of the long rolling-horizon simulation. */
const SIMULATION_STEPS = QUICK ? 50 : 1000;
/**
 * Wall-clock budget of each case, s: timed runs stop once it is spent (after at least one),
 * which keeps the whole bench within ~3 minutes even when the code under test gets slower.
 */
const SEED_BUDGET_S = 30;
const FEEDER_BUDGET_S = QUICK ? 10 : 50;
const SMALL_BUDGET_S = QUICK ? 5 : 15;

// ---- Reference figures and aims ------------------------------------------------------------
/** The seed case's objective, and how far from it a run may land. */
const SEED_OBJECTIVE = 89698.003;
const SEED_OBJECTIVE_TOLERANCE = 0.01;
/** The seed project's SciPy time for one clearing of the seed case, ms. */
const SCIPY_SEED_MS = 1600;
const AIM_SEED_MEDIAN_MS = 1;
const AIM_FEEDER_MEDIAN_MS = 2000;
const AIM_SIMULATION_MS = 2000;
/** Two workers against one on the 1,000-sample stochastic study. */
const AIM_SWEEP_SPEEDUP = 1.6;
/** Relative objective difference under which two runs or two backends count as agreeing. */
const AGREEMENT_TOLERANCE = 1e-6;
/** Time limit per clearing for javascript-lp-solver, s (it only runs on the small feeder). */
const LP_SOLVER_TIME_LIMIT_S = 30;

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SEED_FILE = path.join(ROOT, 'scenarios', 'seed-4node.json');
const OUT_DIR = path.join(ROOT, 'outputs', 'bench');
const OUT_FILE = path.join(OUT_DIR, `bench${SCALE_ONLY ? '-scale' : AIMS_ONLY ? '-aims' : STARTUP_ONLY ? '-startup' : ''}${QUICK ? '-quick' : ''}.json`);

const benchStarted = performance.now();

class BenchFailure extends Error {}
const hasGc = typeof (globalThis as { gc?: unknown }).gc === 'function';
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

// ---- Formatting ----------------------------------------------------------------------------
const number = (v: number, digits: number) =>
  v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
/** Milliseconds with a precision that suits their size. */
const ms = (v: number) => number(v, v < 10 ? 3 : v < 1000 ? 2 : 0);
const count = (v: number) => v.toLocaleString('en-US');
const mib = (bytes: number) => bytes / 1024 / 1024;
const iterationRange = ([lo, hi]: [number, number]) => (lo === hi ? count(lo) : `${count(lo)}–${count(hi)}`);
const speedup = (ratio: number) =>
  ratio >= 1 ? `×${number(ratio, ratio >= 100 ? 0 : 1)} faster` : `×${number(1 / ratio, 1)} slower`;

/** A plain-text table; columns whose cells all look numeric are right-aligned. */
function table(headers: string[], rows: string[][], indent = '  '): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const numeric = headers.map((_, c) => rows.length > 0 && rows.every((r) => /^[-+×~≤≥]?[\d,.]+[*–\d,.]*( ?[a-zA-Z%]+)?$|^n\/a$|^—$/.test(r[c] ?? '')));
  const line = (cells: string[]) =>
    indent + cells.map((cell, c) => (numeric[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd();
  return [line(headers), indent + widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function section(title: string): void {
  console.log(`\n${title}\n${'='.repeat(title.length)}`);
}

// ---- Measurement ---------------------------------------------------------------------------
interface Measurement {
  times: number[];
  summary: Summary;
  /** The last result (the failing one, when a run failed). */
  result: ClearingResult;
  /** Every distinct status seen over the measured runs. */
  statuses: string[];
  /** Smallest and largest simplex iteration count over the measured runs (they should agree). */
  iterations: [number, number];
  /** Why the runs stopped early: a failed check, or the time budget. */
  failure?: string;
  /** The failing run was a warm-up run (its time is then the only sample). */
  failedInWarmup?: boolean;
  stoppedByBudget?: boolean;
}

/** What to do when `check` names a problem: abort the bench, or stop this case and carry on. */
type OnFailure = 'abort' | 'stop';

/**
 * Runs `clear` `warmup` times untimed and `runs` times timed (performance.now around each call).
 * `check` sees every result (warm-up included) and returns a message when it is wrong; then the
 * bench aborts, or this case stops with that run (timed even in the warm-up) as its last sample.
 * Timed runs also stop once the case has used `budgetSeconds` (after at least one timed run).
 */
function measure(
  clear: () => ClearingResult,
  { warmup, runs, budgetSeconds, onFailure }: { warmup: number; runs: number; budgetSeconds: number; onFailure: OnFailure },
  check: (r: ClearingResult) => string | undefined,
): Measurement {
  const caseStarted = performance.now();
  const times: number[] = [];
  const statuses = new Set<string>();
  const iterations: [number, number] = [Infinity, -Infinity];
  let result: ClearingResult | undefined;
  let failure: string | undefined;
  let stoppedByBudget = false;
  let failedInWarmup = false;
  for (let i = 0; i < warmup + runs; i++) {
    if (i === warmup) gc();
    if (i > warmup && (performance.now() - caseStarted) / 1000 > budgetSeconds) {
      stoppedByBudget = true;
      break;
    }
    const started = performance.now();
    const r = clear();
    const elapsed = performance.now() - started;
    result = r;
    failure = check(r);
    if (failure && onFailure === 'abort') throw new BenchFailure(failure);
    if (i < warmup && !failure) continue;
    failedInWarmup = i < warmup;
    times.push(elapsed);
    statuses.add(r.status);
    iterations[0] = Math.min(iterations[0], r.solver.iterations);
    iterations[1] = Math.max(iterations[1], r.solver.iterations);
    if (failure) break;
  }
  return {
    times,
    summary: summarize(times),
    result: result!,
    statuses: [...statuses],
    iterations,
    ...(failure ? { failure, failedInWarmup } : {}),
    ...(stoppedByBudget ? { stoppedByBudget } : {}),
  };
}

/** Checks that a HiGHS clearing is optimal and lands on the same objective every run. */
function consistentOptimum(label: string, expected?: { objective: number; tolerance: number }) {
  let reference = expected;
  return (r: ClearingResult): string | undefined => {
    if (r.status !== 'optimal' || r.objective === null) {
      return `${label}: status "${r.status}"${r.diagnosis ? ` (${r.diagnosis.message})` : ''} after ${ms(r.solveMs)} ms, expected "optimal"`;
    }
    reference ??= { objective: r.objective, tolerance: AGREEMENT_TOLERANCE * Math.max(1, Math.abs(r.objective)) };
    if (Math.abs(r.objective - reference.objective) > reference.tolerance) {
      return `${label}: objective ${r.objective} is not within ${reference.tolerance} of ${reference.objective}`;
    }
    return undefined;
  };
}

const objectivesAgree = (a: number | null, b: number | null) =>
  a !== null && b !== null && Math.abs(a - b) <= AGREEMENT_TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b));

// ---- Machine -------------------------------------------------------------------------------
const cpus = os.cpus();
const machine = {
  node: process.version,
  platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  cpuModel: cpus[0]?.model.trim() ?? 'unknown',
  cpuCount: cpus.length,
  totalMemoryBytes: os.totalmem(),
  date: new Date().toISOString(),
  loadAverageAtStart: os.loadavg().map((v) => Math.round(v * 100) / 100),
};

function printHeader(): void {
  console.log(`p2pmarket benchmark${QUICK ? ' — QUICK smoke run (BENCH_QUICK=1): counts cut down, figures not representative' : ''}`);
  console.log(
    `Machine: Node ${machine.node}, ${machine.platform}, ${machine.cpuCount} × ${machine.cpuModel}, ` +
      `${number(machine.totalMemoryBytes / 1024 ** 3, 1)} GiB RAM, ${machine.date}, load average ${machine.loadAverageAtStart.join(' ')}`,
  );
  if (!hasGc) console.log('(global.gc is missing: run with --expose-gc for the heap figure)');
}

/** Writes the JSON summary atomically. */
function writeSummary(summary: object): void {
  mkdirSync(OUT_DIR, { recursive: true });
  const temporary = `${OUT_FILE}.tmp-${process.pid}`;
  writeFileSync(temporary, JSON.stringify(summary, null, 2) + '\n');
  renameSync(temporary, OUT_FILE);
}

/** BENCH_ONLY=scale. */
async function scaleOnly(): Promise<void> {
  printHeader();
  const scale = await benchScale({ quick: QUICK, format: { table, section } });
  const totalSeconds = (performance.now() - benchStarted) / 1000;
  const loadAverageAtEnd = os.loadavg().map((v) => Math.round(v * 100) / 100);
  writeSummary({ schema: 'p2pmarket-bench/1', quick: QUICK, only: 'scale', machine, scale, failures: scale.failures, loadAverageAtEnd, totalSeconds });
  console.log(`\nTotal ${number(totalSeconds, 1)} s (load average now ${loadAverageAtEnd.join(' ')}). Summary written to ${path.relative(ROOT, OUT_FILE)}.`);
  if (scale.failures.length > 0) {
    console.error(`\nbench: FAILED — ${scale.failures.join('; ')}`);
    process.exitCode = 1;
  }
}

/** BENCH_ONLY=startup or aims: that section alone, its summary under its own name. */
async function sectionOnly(only: 'startup' | 'aims'): Promise<void> {
  printHeader();
  const format = { quick: QUICK, format: { table, section } };
  const result = only === 'startup' ? { startup: await benchStartup(format) } : { aims: await benchAims(format) };
  const totalSeconds = (performance.now() - benchStarted) / 1000;
  writeSummary({ schema: 'p2pmarket-bench/1', quick: QUICK, only, machine, ...result, totalSeconds });
  console.log(`\nTotal ${number(totalSeconds, 1)} s. Summary written to ${path.relative(ROOT, OUT_FILE)}.`);
}

async function main(): Promise<void> {
  printHeader();

  // ---- Seed case ----
  let started = performance.now();
  const highs = await solverAdapter('highs');
  const highsLoadMs = performance.now() - started;
  started = performance.now();
  const seedScenario = loadScenario(SEED_FILE);
  const seedLoadMs = performance.now() - started;

  section('Seed case (scenarios/seed-4node.json, HiGHS, in-process clearWith)');
  const seed = measure(
    () => clearWith(highs, seedScenario),
    { warmup: SEED_WARMUP, runs: SEED_RUNS, budgetSeconds: SEED_BUDGET_S, onFailure: 'abort' },
    consistentOptimum('seed case', { objective: SEED_OBJECTIVE, tolerance: SEED_OBJECTIVE_TOLERANCE }),
  );
  const seedSpeedup = SCIPY_SEED_MS / seed.summary.median;
  const s = seed.summary;
  console.log(
    table(
      ['runs', 'median ms', 'p95 ms', 'mean ms', 'min ms', 'max ms', 'columns', 'rows', 'iterations', 'objective', 'vs SciPy ~1.6 s'],
      [
        [
          `${count(s.runs)}${s.runs < SEED_RUNS ? `/${count(SEED_RUNS)}` : ''} (+${SEED_WARMUP} warm-up)`,
          ms(s.median),
          ms(s.p95),
          ms(s.mean),
          ms(s.min),
          ms(s.max),
          count(seed.result.solver.columns),
          count(seed.result.solver.rows),
          iterationRange(seed.iterations),
          number(seed.result.objective!, 4),
          speedup(seedSpeedup),
        ],
      ],
    ),
  );
  console.log(
    `  every run optimal, objective within ${SEED_OBJECTIVE_TOLERANCE} of ${SEED_OBJECTIVE}. ` +
      `One-off costs, not in the figures: HiGHS WebAssembly load ${ms(highsLoadMs)} ms, scenario load ${ms(seedLoadMs)} ms.`,
  );

  // ---- Generated feeders ----
  interface FeederCase {
    id: string;
    label: string;
    options: GeneratorOptions;
    backend: SolverName;
    warmup: number;
    runs: number;
    budgetSeconds: number;
  }
  const lp = { penaltyNorm: 'l1', tieBreak: 'none' } as const;
  const big = { buses: 33, seed: 1, steps: 24 };
  const small = { buses: 8, seed: 1, steps: 6 };
  const cases: FeederCase[] = [
    { id: 'feeder33-l2', label: '33-bus ×24, L2 + tie-break', options: big, backend: 'highs', warmup: FEEDER_WARMUP, runs: FEEDER_RUNS, budgetSeconds: FEEDER_BUDGET_S },
    { id: 'feeder33-l1', label: '33-bus ×24, L1 pure LP', options: { ...big, ...lp }, backend: 'highs', warmup: FEEDER_WARMUP, runs: FEEDER_RUNS, budgetSeconds: FEEDER_BUDGET_S },
    { id: 'feeder8-l1-highs', label: '8-bus ×6, L1 pure LP', options: { ...small, ...lp }, backend: 'highs', warmup: SMALL_WARMUP, runs: SMALL_RUNS, budgetSeconds: SMALL_BUDGET_S },
    { id: 'feeder8-l1-lpsolver', label: '8-bus ×6, L1 pure LP', options: { ...small, ...lp }, backend: 'lp-solver', warmup: SMALL_WARMUP, runs: SMALL_RUNS, budgetSeconds: SMALL_BUDGET_S },
  ];

  section('Generated radial feeders (generateScenario, seed 1; a prosumer with a battery on every bus; trades between every pair)');
  const lpSolver = await solverAdapter('lp-solver');
  const feederRows: string[][] = [];
  const feederResults: Record<string, unknown>[] = [];
  /** HiGHS clearings that were not optimal or not consistent: reported, then a non-zero exit. */
  const failures: string[] = [];
  const measured = new Map<string, Measurement>();
  for (const c of cases) {
    started = performance.now();
    const scenario: Scenario = parseScenario(generateScenario(c.options), c.id);
    const setupMs = performance.now() - started;
    let m: Measurement;
    let agreement: { highsObjective: number | null; agrees: boolean } | undefined;
    if (c.backend === 'highs') {
      m = measure(() => clearWith(highs, scenario), { ...c, onFailure: 'stop' }, consistentOptimum(c.label));
      if (m.failure) failures.push(m.failure);
    } else {
      // Not a reference backend: failures are recorded and reported, not fatal.
      m = measure(() => clearWith(lpSolver, scenario, { timeLimitSeconds: LP_SOLVER_TIME_LIMIT_S }), { ...c, onFailure: 'stop' }, () => undefined);
      const highsRun = measured.get(c.id.replace('lpsolver', 'highs'));
      const highsObjective = highsRun?.result.objective ?? null;
      agreement = { highsObjective, agrees: m.statuses.length === 1 && m.statuses[0] === 'optimal' && objectivesAgree(m.result.objective, highsObjective) };
    }
    measured.set(c.id, m);
    const r = m.result;
    const sum = m.summary;
    const gens = scenario.prosumers;
    feederRows.push([
      c.label,
      c.backend,
      `${gens.length}`,
      m.failedInWarmup ? 'warm-up' : `${m.summary.runs}${m.summary.runs < c.runs ? `/${c.runs}` : ''}+${c.warmup}`,
      ms(sum.median),
      ms(sum.p95) + (sum.p95IsMax ? '*' : ''),
      ms(sum.min),
      ms(sum.max),
      count(r.solver.columns),
      count(r.solver.rows),
      c.backend === 'lp-solver' ? 'n/a' : iterationRange(m.iterations),
      m.statuses.join('/') + (agreement && !agreement.agrees ? ' WRONG' : '') + (m.failure ? ' FAILED' : ''),
      r.objective === null ? '—' : number(r.objective, 4),
    ]);
    feederResults.push({
      id: c.id,
      label: c.label,
      backend: c.backend,
      generator: c.options,
      prosumers: gens.length,
      batteries: gens.filter((p) => p.battery).length,
      setupMs,
      warmup: c.warmup,
      timesMs: m.times,
      summaryMs: sum,
      columns: r.solver.columns,
      rows: r.solver.rows,
      iterations: c.backend === 'lp-solver' ? null : { min: m.iterations[0], max: m.iterations[1] },
      statuses: m.statuses,
      ...(m.failure ? { failure: m.failure, failedInWarmup: m.failedInWarmup } : {}),
      stoppedByBudget: m.stoppedByBudget ?? false,
      objective: r.objective,
      ...(r.diagnosis ? { diagnosis: r.diagnosis.message } : {}),
      ...(agreement ? { highsObjective: agreement.highsObjective, agreesWithHighs: agreement.agrees } : {}),
    });
  }
  console.log(
    table(
      ['case', 'backend', 'prosumers', 'runs+warm', 'median ms', 'p95 ms', 'min ms', 'max ms', 'columns', 'rows', 'iterations', 'status', 'objective'],
      feederRows,
    ),
  );
  if ([...measured.values()].some((m) => m.summary.p95IsMax)) console.log('  * fewer than 20 runs: the nearest-rank p95 is the largest run (p95 = max).');
  if ([...measured.values()].some((m) => m.stoppedByBudget)) console.log('  runs a/b: the case\'s time budget stopped it after a of b timed runs.');
  for (const failure of failures) console.log(`  FAILED: ${failure} — the case stopped at that run, whose time is its last sample (runs "warm-up": the only sample is the failed warm-up).`);
  console.log('  columns/rows: the model given to the backend (HiGHS adds epigraph columns and cuts for quadratic terms); iterations: simplex, all LP rounds and both stages.');
  console.log('  javascript-lp-solver runs on the small feeder only (not on the 33-bus one).');

  // ---- Backend comparison on the small feeder ----
  const hSmall = measured.get('feeder8-l1-highs')!;
  const lSmall = measured.get('feeder8-l1-lpsolver')!;
  const lpAgreement = feederResults.find((f) => f.id === 'feeder8-l1-lpsolver')!;
  const lpValid = lpAgreement.agreesWithHighs === true;
  const backendRatio = lSmall.summary.median / hSmall.summary.median;
  console.log(
    `\n  8-bus ×6 pure LP, HiGHS vs javascript-lp-solver (median): ${ms(hSmall.summary.median)} ms vs ${ms(lSmall.summary.median)} ms — HiGHS ${speedup(backendRatio)}.`,
  );
  if (!lpValid) {
    console.log(
      `  WARNING: javascript-lp-solver's answer is wrong here: status ${lSmall.statuses.join('/')}` +
        `${lSmall.result.diagnosis ? ` ("${lSmall.result.diagnosis.message}")` : ''}, objective ${lSmall.result.objective ?? '—'}; ` +
        `HiGHS finds an optimum of ${number(hSmall.result.objective!, 6)} (checked against every constraint). ` +
        'The ratio times a failing solve, not a like-for-like one.',
    );
  }

  // ---- Memory ----
  gc();
  const maxRssMiB = process.resourceUsage().maxRSS / 1024; // kB → MiB
  const memory = process.memoryUsage();
  section('Memory (whole process, end of run)');
  console.log(
    table(
      ['peak RSS (maxRSS)', 'heapUsed after gc', 'heapTotal', 'external (incl. WebAssembly buffers)'],
      [[`${number(maxRssMiB, 1)} MiB`, `${number(mib(memory.heapUsed), 1)} MiB`, `${number(mib(memory.heapTotal), 1)} MiB`, `${number(mib(memory.external), 1)} MiB`]],
    ),
  );

  // ---- Simulation ----
  section(`Rolling-horizon simulation (seed feeder, ${count(SIMULATION_STEPS)} steps, 4-step window, HiGHS)`);
  const simulation = await benchSimulation(path.join(ROOT, 'scenarios', 'seed-time-horizons.json'), SIMULATION_STEPS);
  console.log(
    table(
      ['steps', 'windows', 'status', 'wall ms', 'solver ms', 'engine ms', 'engine / solver', 'events', 'ms per window'],
      [
        [
          count(simulation.steps),
          count(simulation.windows),
          simulation.status,
          ms(simulation.totalMs),
          ms(simulation.solverMs),
          ms(simulation.engineMs),
          `${number(100 * simulation.engineShareOfSolver, 1)} %`,
          count(simulation.events),
          ms(simulation.totalMs / simulation.windows),
        ],
      ],
    ),
  );
  if (simulation.status !== 'optimal') failures.push(`simulation: status ${simulation.status}`);

  // ---- Sweeps ----
  section('Sweeps (in-process API; wall time includes starting the worker threads)');
  const sweepRows: SweepBench[] = [];
  for (const file of SWEEP_FILES) {
    for (const workers of WORKER_COUNTS) sweepRows.push(await benchSweep(path.join(ROOT, 'scenarios', file), workers));
  }
  console.log(
    table(
      ['sweep', 'points', 'workers', 'wall ms', 'points / s', 'optimal', 'speed-up over 1 worker'],
      sweepRows.map((r) => {
        const one = sweepRows.find((o) => o.sweep === r.sweep && o.workers === 1)!;
        return [r.sweep, count(r.points), String(r.workers), ms(r.wallMs), number(r.pointsPerSecond, 1), count(r.optimal), `×${number(one.wallMs / r.wallMs, 2)}`];
      }),
    ),
  );
  for (const r of sweepRows) if (r.optimal !== r.points) failures.push(`sweep ${r.sweep}: ${r.points - r.optimal} points not optimal`);
  const studyB = sweepRows.filter((r) => r.sweep === 'node0-sweep-b');
  const stochastic = sweepRows.filter((r) => r.sweep === 'stochastic-seed');

  // ---- Distributed sweeps (only with P2PMARKET_REDIS_URL) ----
  const distributed = await benchDistributed({ quick: QUICK, format: { table, section, number } });

  // ---- Start-up: whole processes of the CLI against a bare Node start ----
  const startup: StartupRow[] = await benchStartup({ quick: QUICK, format: { table, section } });

  // ---- The speed issue's aims, today's path against the current one ----
  const issueAims: AimsBench | null = RUN_AIMS ? await benchAims({ quick: QUICK, format: { table, section } }) : null;
  // ---- The negotiated clearing (BENCH_ADMM=1: several minutes; also `node --import tsx bench/admm.ts`) ----
  if (process.env.BENCH_ADMM === '1') {
    section('Negotiated clearing (market.clearing "admm"): iterations and time to 1e-4, peers, latency, loss, asynchrony');
    const admm = await benchAdmm();
    for (const r of admm) if (r.status !== 'optimal' && !r.variant.includes('staleness 2')) failures.push(`admm ${r.case} (${r.variant}): ${r.status}`);
    writeFileSync(path.join(OUT_DIR, `bench-admm${QUICK ? '-quick' : ''}.json`), JSON.stringify(admm, null, 2) + '\n');
  }

  // ---- Scale (child processes) ----
  let scale: ScaleBench | null = null;
  if (RUN_SCALE) {
    scale = await benchScale({ quick: QUICK, format: { table, section } });
    failures.push(...scale.failures);
  }

  // ---- Aims ----
  const feeder = measured.get('feeder33-l2')!;
  const aims = [
    { name: 'seed case, median clearing', limitMs: AIM_SEED_MEDIAN_MS, measuredMs: seed.summary.median, optimal: true },
    { name: '33-bus ×24 feeder (L2 + tie-break), median clearing', limitMs: AIM_FEEDER_MEDIAN_MS, measuredMs: feeder.summary.median, optimal: !feeder.failure },
    { name: `${count(SIMULATION_STEPS)}-step simulation, 4-step window`, limitMs: AIM_SIMULATION_MS, measuredMs: simulation.totalMs, optimal: simulation.status === 'optimal' },
    { name: "engine's own time (limit: 10 % of the solver's)", limitMs: 0.1 * simulation.solverMs, measuredMs: simulation.engineMs, optimal: true },
    { name: 'node-0 study B (201 points), fastest wall time', limitMs: 1000, measuredMs: Math.min(...studyB.map((r) => r.wallMs)), optimal: true },
    { name: `stochastic seed study (${count(stochastic[0]?.points ?? 0)} samples), fastest wall time`, limitMs: 10_000, measuredMs: Math.min(...stochastic.map((r) => r.wallMs)), optimal: true },
    // Two workers at least 1.6× one: the two-worker time within the one-worker time / 1.6.
    ...(stochastic.length === 2
      ? [{ name: `stochastic study, 2 workers (limit: 1 worker's time / ${AIM_SWEEP_SPEEDUP})`, limitMs: stochastic[0]!.wallMs / AIM_SWEEP_SPEEDUP, measuredMs: stochastic[1]!.wallMs, optimal: true }]
      : []),
  ].map((a) => ({ ...a, pass: a.optimal && a.measuredMs <= a.limitMs }));
  section('Aims');
  console.log(
    table(
      ['aim', 'limit', 'measured', 'mark'],
      aims.map((a) => [
        a.name,
        `≤ ${a.limitMs >= 1000 ? `${number(a.limitMs / 1000, 0)} s` : `${number(a.limitMs, 0)} ms`}`,
        a.measuredMs >= 1000 ? `${number(a.measuredMs / 1000, 2)} s` : `${ms(a.measuredMs)} ms`,
        a.pass ? 'pass' : !a.optimal ? 'MISS (not optimal)' : `MISS (×${number(a.measuredMs / a.limitMs, 1)} the limit)`,
      ]),
    ),
  );

  const totalSeconds = (performance.now() - benchStarted) / 1000;
  const summary = {
    schema: 'p2pmarket-bench/1',
    quick: QUICK,
    machine,
    seed: {
      scenario: 'scenarios/seed-4node.json',
      backend: 'highs',
      warmup: SEED_WARMUP,
      timesMs: seed.times,
      summaryMs: seed.summary,
      columns: seed.result.solver.columns,
      rows: seed.result.solver.rows,
      iterations: { min: seed.iterations[0], max: seed.iterations[1] },
      objective: seed.result.objective,
      expectedObjective: SEED_OBJECTIVE,
      scipyMs: SCIPY_SEED_MS,
      speedupVsScipy: seedSpeedup,
      highsLoadMs,
      scenarioLoadMs: seedLoadMs,
    },
    feeders: feederResults,
    simulation,
    sweeps: sweepRows,
    distributed,
    scale,
    issueAims,
    backendComparison: {
      case: '8-bus ×6, L1 pure LP',
      highsMedianMs: hSmall.summary.median,
      lpSolverMedianMs: lSmall.summary.median,
      lpSolverOverHighs: backendRatio,
      lpSolverAnswerValid: lpValid,
    },
    memory: {
      maxRssMiB,
      heapUsedMiBAfterGc: hasGc ? mib(memory.heapUsed) : null,
      heapTotalMiB: mib(memory.heapTotal),
      externalMiB: mib(memory.external),
    },
    aims,
    startup,
    failures,
    loadAverageAtEnd: os.loadavg().map((v) => Math.round(v * 100) / 100),
    totalSeconds,
  };
  writeSummary(summary);
  console.log(`\nTotal ${number(totalSeconds, 1)} s (load average now ${summary.loadAverageAtEnd.join(' ')}). Summary written to ${path.relative(ROOT, OUT_FILE)}.`);
  if (failures.length > 0) {
    console.error(`\nbench: FAILED — ${failures.length} HiGHS clearing${failures.length > 1 ? 's' : ''} not optimal or not consistent (see above).`);
    process.exitCode = 1;
  }
}

try {
  await (SCALE_ONLY ? scaleOnly() : AIMS_ONLY ? sectionOnly('aims') : STARTUP_ONLY ? sectionOnly('startup') : main());
} catch (e) {
  if (!(e instanceof BenchFailure)) throw e;
  console.error(`\nbench: ABORTED — ${e.message}`);
  process.exitCode = 1;
}
