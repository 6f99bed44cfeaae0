/**
 * The scale benchmark (a section of `npm run bench`): one 24-step HiGHS clearing per case,
 * against feeder size (33, 100, 300, 1,000 buses) and trade graph ("all", {maxHops: 2},
 * "pool"), plus the dense and the sparse LinDistFlow forms side by side at 33 and 100 buses.
 *
 * Each case runs in a child process of its own (bench/scale-case.ts), one after the other, so
 * that its peak memory (the child's maxRSS) is that case's alone; a child that outlives its
 * wall-clock budget is killed and reported as "timeout". Cases whose model would be absurdly
 * large are skipped, with the columns they would need. The child runs with
 * P2PMARKET_TRACE_CUTS=1: its per-round outer-approximation trace (stderr) splits the time
 * into model building, the first (market) stage and the tie-break stage.
 *
 * Environment: BENCH_QUICK=1 → 33 and 100 buses only, shorter budget. BENCH_SCALE_BUDGET_S
 * overrides the per-case budget (s), BENCH_SCALE_TIME_LIMIT_S the clearing's time limit
 * (default: clearWith's own, 60 s).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scaleScenarioInput, type ScaleCaseOutput, type ScaleCaseSpec, type ScaleForm, type ScaleGraph } from './scale-case.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CASE_ENTRY = fileURLToPath(new URL('./scale-case.ts', import.meta.url));

/** Feeder sizes of the full run and of the quick one. */
const FULL_SIZES = [33, 100, 300, 1000];
const QUICK_SIZES = [33, 100];
const GRAPHS: ScaleGraph[] = ['all', { maxHops: 2 }, 'pool'];
/** Sizes at which "all" is also cleared with the other LinDistFlow form (auto = dense there). */
const FORM_COMPARISON_SIZES = [33, 100];
/** Skip a case whose trade columns alone (2 × pairs × steps) would exceed this. */
const MAX_TRADE_COLUMNS = 1_000_000;
const FULL_BUDGET_S = 180;
const QUICK_BUDGET_S = 30;
/** Relative objective difference under which the dense and sparse forms agree. */
const FORM_AGREEMENT = 1e-6;
const AIM_IEEE33_ALL_S = 2;
const AIM_1000_KHOP_S = 60;
const AIM_1000_KHOP_MIB = 2048;

export type ScaleStatus = 'optimal' | 'infeasible' | 'time_limit' | 'error' | 'timeout' | 'skipped' | 'crashed';

export interface ScaleCaseResult {
  id: string;
  buses: number;
  graph: ScaleGraph;
  /** As asked ("auto" = dense up to 100 buses) and as built. */
  formAsked: ScaleForm;
  form: 'dense' | 'sparse' | null;
  prosumers: number;
  pairs: number | null;
  columns: number | null;
  rows: number | null;
  /** Columns and rows come from an estimate (skipped case) or a model-only run (timed-out case). */
  sizeFrom: 'clearing' | 'model only' | 'estimate' | null;
  status: ScaleStatus;
  tieBreak: string | null;
  objective: number | null;
  iterations: number | null;
  /** clearWith's time (the child's own measure), or the time until the kill, s. */
  seconds: number | null;
  /** Child's wall time, process start-up and HiGHS load included, s. */
  wallSeconds: number | null;
  /** From the trace: until the first LP round started (model building, HiGHS model), s. */
  buildSeconds: number | null;
  /** First (market) stage: from its first LP round's start to the tie-break's, s. */
  stage1Seconds: number | null;
  /** Tie-break stage: from its first LP round's start to the end (or the kill), s. */
  tieBreakSeconds: number | null;
  /** LP rounds per solve (stage 1, tie-break, fallbacks). */
  rounds: number[];
  peakMiB: number | null;
  baselineMiB: number | null;
  /** For a timeout: which stage it was in, and its last trace line. */
  killedIn?: string;
  reason?: string;
  diagnosis?: string;
}

export interface ScaleBench {
  sizes: number[];
  budgetSeconds: number;
  timeLimitSeconds: number | null;
  cases: ScaleCaseResult[];
  /** agree: null when either case has no objective (its failure is reported on its own). */
  formComparisons: { buses: number; denseSeconds: number | null; sparseSeconds: number | null; denseObjective: number | null; sparseObjective: number | null; relativeDifference: number | null; agree: boolean | null }[];
  aims: { name: string; measured: string; met: boolean | null; note: string }[];
  failures: string[];
  totalSeconds: number;
}

export interface ScaleFormat {
  table: (headers: string[], rows: string[][]) => string;
  section: (title: string) => void;
}

const graphName = (g: ScaleGraph) => (typeof g === 'string' ? g : `${g.maxHops}-hop`);
const fmt = (v: number, digits: number) => v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const count = (v: number | null) => (v === null ? '—' : v.toLocaleString('en-US'));
const secs = (v: number | null) => (v === null ? '—' : fmt(v, v < 10 ? 2 : 1));
const envNumber = (name: string): number | undefined => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const v = Number(raw);
  if (!(v > 0)) throw new Error(`${name} must be a positive number of seconds (found "${raw}")`);
  return v;
};

interface Planned {
  spec: ScaleCaseSpec;
  id: string;
  prosumers: number;
  steps: number;
  /** Pairs of the "all" graph, or undefined (not needed to decide on skipping). */
  allPairs?: number;
}

function plan(sizes: number[], timeLimitSeconds: number | undefined): Planned[] {
  const planned: Planned[] = [];
  for (const buses of sizes) {
    const input = scaleScenarioInput({ buses, graph: 'all', form: 'auto' });
    const prosumers = input.prosumers.length;
    const steps = input.steps;
    const add = (graph: ScaleGraph, form: ScaleForm) =>
      planned.push({
        spec: { buses, graph, form, ...(timeLimitSeconds !== undefined ? { timeLimitSeconds } : {}) },
        id: `scale-${buses}-${graphName(graph)}-${form}`,
        prosumers,
        steps,
        ...(graph === 'all' ? { allPairs: ((prosumers + 1) * prosumers) / 2 } : {}),
      });
    // k-hop first: a skipped "all" case takes its size from the k-hop one (same rows, other pairs).
    add({ maxHops: 2 }, 'auto');
    add('pool', 'auto');
    add('all', 'auto');
    if (FORM_COMPARISON_SIZES.includes(buses)) add('all', 'sparse');
  }
  return planned;
}

interface TraceLine {
  /** Parent's clock when the line arrived, s since the child's "clearing" note. */
  arrived: number;
  round: number;
  ms: number;
}

interface ChildRun {
  output?: ScaleCaseOutput;
  timedOut: boolean;
  code: number | null;
  signal: NodeJS.Signals | null;
  wallSeconds: number;
  /** Parent's clock at the kill or the exit, s since the child's "clearing" note (null without it). */
  endSinceClearing: number | null;
  trace: TraceLine[];
  stderrTail: string[];
}

const TRACE = /^round (\d+): .* (\d+) ms$/;

function runChild(spec: ScaleCaseSpec, budgetSeconds: number, sizeOnly = false): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const args = ['--import', 'tsx', '--expose-gc', CASE_ENTRY, JSON.stringify(spec), ...(sizeOnly ? ['--size-only'] : [])];
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, P2PMARKET_TRACE_CUTS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderrBuffer = '';
    let clearingAt: number | undefined;
    const trace: TraceLine[] = [];
    const stderrTail: string[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, budgetSeconds * 1000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      const now = performance.now();
      stderrBuffer += chunk;
      const lines = stderrBuffer.split('\n');
      stderrBuffer = lines.pop()!;
      for (const line of lines) {
        const m = TRACE.exec(line);
        if (m && clearingAt !== undefined) {
          trace.push({ arrived: (now - clearingAt) / 1000, round: Number(m[1]), ms: Number(m[2]) });
          continue;
        }
        if (line.startsWith('scale-case: clearing')) clearingAt = now;
        stderrTail.push(line);
        if (stderrTail.length > 20) stderrTail.shift();
      }
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const now = performance.now();
      const last = stdout.trim().split('\n').pop();
      let output: ScaleCaseOutput | undefined;
      if (!timedOut && code === 0 && last) {
        try {
          output = JSON.parse(last) as ScaleCaseOutput;
        } catch {
          output = undefined;
        }
      }
      resolve({
        ...(output ? { output } : {}),
        timedOut,
        code,
        signal,
        wallSeconds: (now - started) / 1000,
        endSinceClearing: clearingAt === undefined ? null : (now - clearingAt) / 1000,
        trace,
        stderrTail,
      });
    });
  });
}

/** Splits the trace into solves (a new one starts when the round number does not increase). */
function solvesOf(trace: TraceLine[]): TraceLine[][] {
  const solves: TraceLine[][] = [];
  for (const line of trace) {
    const current = solves[solves.length - 1];
    if (!current || line.round <= current[current.length - 1]!.round) solves.push([line]);
    else current.push(line);
  }
  return solves;
}

/** Build / stage 1 / tie-break seconds from the trace; `end` = clearing's end (or the kill), s since the "clearing" note. */
function stages(trace: TraceLine[], end: number | null) {
  const solves = solvesOf(trace);
  // Each solve started when its first round's line arrived, less that round's own time.
  const startOf = (solve: TraceLine[]) => Math.max(0, solve[0]!.arrived - solve[0]!.ms / 1000);
  const first = solves[0];
  const second = solves[1];
  return {
    buildSeconds: first ? startOf(first) : null,
    stage1Seconds: first ? (second ? startOf(second) : end ?? first[first.length - 1]!.arrived) - startOf(first) : null,
    tieBreakSeconds: second ? (end ?? second[second.length - 1]!.arrived) - startOf(second) : null,
    rounds: solves.map((s) => s[s.length - 1]!.round),
    stageAtEnd: solves.length === 0 ? 'model building or the first LP round' : solves.length === 1 ? 'stage 1' : solves.length === 2 ? 'the tie-break stage' : 'a fallback solve of the tie-break stage',
    lastLine: trace[trace.length - 1],
  };
}

const shortTieBreak = (t: string | undefined) => (t === undefined ? null : t.replace(/^unresolved \((\w+).*\)$/, 'unresolved ($1)'));

async function runCase(p: Planned, budgetSeconds: number): Promise<ScaleCaseResult> {
  const base = {
    id: p.id,
    buses: p.spec.buses,
    graph: p.spec.graph,
    formAsked: p.spec.form,
    prosumers: p.prosumers,
  };
  const run = await runChild(p.spec, budgetSeconds);
  const o = run.output;
  if (o) {
    const end = o.seconds ?? null;
    const st = stages(run.trace, end);
    return {
      ...base,
      form: o.linearForm,
      pairs: o.pairs,
      columns: o.columns,
      rows: o.rows,
      sizeFrom: 'clearing',
      status: o.status as ScaleStatus,
      tieBreak: shortTieBreak(o.tieBreak),
      objective: o.objective ?? null,
      iterations: o.iterations ?? null,
      seconds: o.seconds ?? null,
      wallSeconds: run.wallSeconds,
      buildSeconds: st.buildSeconds,
      stage1Seconds: st.stage1Seconds,
      tieBreakSeconds: st.tieBreakSeconds,
      rounds: st.rounds,
      peakMiB: o.maxRssKiB / 1024,
      baselineMiB: o.baselineRssKiB / 1024,
      ...(o.diagnosis ? { diagnosis: o.diagnosis } : {}),
    };
  }
  const st = stages(run.trace, run.endSinceClearing);
  // No answer: ask a model-only child for the size (it does not solve).
  const size = run.timedOut ? (await runChild(p.spec, Math.max(60, budgetSeconds), true)).output : undefined;
  return {
    ...base,
    form: size?.linearForm ?? null,
    pairs: size?.pairs ?? null,
    columns: size?.columns ?? null,
    rows: size?.rows ?? null,
    sizeFrom: size ? 'model only' : null,
    status: run.timedOut ? 'timeout' : 'crashed',
    tieBreak: null,
    objective: null,
    iterations: null,
    seconds: run.timedOut ? run.endSinceClearing : null,
    wallSeconds: run.wallSeconds,
    buildSeconds: st.buildSeconds,
    stage1Seconds: st.stage1Seconds,
    tieBreakSeconds: st.tieBreakSeconds,
    rounds: st.rounds,
    peakMiB: null,
    baselineMiB: null,
    ...(run.timedOut
      ? {
          killedIn: st.stageAtEnd,
          reason: `killed after the ${budgetSeconds} s budget, in ${st.stageAtEnd}${st.lastLine ? ` (${st.lastLine.round} LP rounds done, the last ending ${fmt(st.lastLine.ms / 1000, 1)} s into that solve)` : ''}`,
        }
      : { reason: `child exited with ${run.signal ? `signal ${run.signal}` : `code ${run.code}`}: ${run.stderrTail.slice(-5).join(' | ')}` }),
  };
}

function skippedCase(p: Planned, tradeColumns: number, cases: ScaleCaseResult[]): ScaleCaseResult {
  // Same rows as the k-hop case of the same feeder, and its columns but for the trade pairs.
  const khop = cases.find((c) => c.buses === p.spec.buses && typeof c.graph === 'object' && c.columns !== null && c.pairs !== null);
  const columns = khop ? khop.columns! - 2 * p.steps * khop.pairs! + tradeColumns : null;
  return {
    id: p.id,
    buses: p.spec.buses,
    graph: p.spec.graph,
    formAsked: p.spec.form,
    form: khop?.form ?? null,
    prosumers: p.prosumers,
    pairs: p.allPairs ?? null,
    columns,
    rows: khop?.rows ?? null,
    sizeFrom: 'estimate',
    status: 'skipped',
    tieBreak: null,
    objective: null,
    iterations: null,
    seconds: null,
    wallSeconds: null,
    buildSeconds: null,
    stage1Seconds: null,
    tieBreakSeconds: null,
    rounds: [],
    peakMiB: null,
    baselineMiB: null,
    reason:
      `${count(p.prosumers)} prosumers → ${count(p.allPairs!)} pairs × ${p.steps} steps × 2 directions = ${count(tradeColumns)} trade columns` +
      (columns !== null ? ` (${count(columns)} columns, ${count(khop!.rows)} rows in all)` : '') +
      `, over the ${count(MAX_TRADE_COLUMNS)} limit of this bench`,
  };
}

export async function benchScale({ quick, format }: { quick: boolean; format: ScaleFormat }): Promise<ScaleBench> {
  const started = performance.now();
  const sizes = quick ? QUICK_SIZES : FULL_SIZES;
  const timeLimitSeconds = envNumber('BENCH_SCALE_TIME_LIMIT_S');
  const budgetSeconds = envNumber('BENCH_SCALE_BUDGET_S') ?? Math.max(quick ? QUICK_BUDGET_S : FULL_BUDGET_S, (timeLimitSeconds ?? 0) + 60);
  const planned = plan(sizes, timeLimitSeconds);

  format.section(
    `Scale: one 24-step clearing per case against feeder size and trade graph (HiGHS, each case in its own process, ` +
      `budget ${budgetSeconds} s${timeLimitSeconds !== undefined ? `, time limit ${timeLimitSeconds} s` : ''})`,
  );
  const cases: ScaleCaseResult[] = [];
  const deferred: { p: Planned; tradeColumns: number }[] = [];
  for (const p of planned) {
    const tradeColumns = p.allPairs !== undefined ? 2 * p.steps * p.allPairs : 0;
    if (tradeColumns > MAX_TRADE_COLUMNS) {
      deferred.push({ p, tradeColumns });
      continue;
    }
    process.stderr.write(`  scale: ${p.id} …`);
    const c = await runCase(p, budgetSeconds);
    process.stderr.write(` ${c.status}, ${secs(c.seconds)} s\n`);
    cases.push(c);
  }
  for (const { p, tradeColumns } of deferred) cases.push(skippedCase(p, tradeColumns, cases));
  // Table order: by size, then graph as in GRAPHS, dense before sparse.
  const order = (c: ScaleCaseResult) => [c.buses, GRAPHS.findIndex((g) => graphName(g) === graphName(c.graph)), c.formAsked === 'sparse' ? 1 : 0];
  cases.sort((a, b) => {
    const [x, y] = [order(a), order(b)];
    return x[0]! - y[0]! || x[1]! - y[1]! || x[2]! - y[2]!;
  });

  console.log(
    format.table(
      ['buses', 'prosumers', 'graph', 'form', 'pairs', 'columns', 'rows', 'status', 'tie-break', 'seconds', 'build s', 'stage 1 s', 'tie-break s', 'LP rounds', 'peak MiB', 'objective'],
      cases.map((c) => [
        String(c.buses),
        String(c.prosumers),
        graphName(c.graph),
        c.form ?? (c.formAsked === 'auto' ? 'auto' : c.formAsked),
        count(c.pairs),
        c.columns === null ? '—' : `${c.sizeFrom === 'estimate' ? '~' : ''}${count(c.columns)}`,
        count(c.rows),
        c.status,
        c.tieBreak ?? '—',
        c.status === 'timeout' ? `≥${secs(c.seconds)}` : secs(c.seconds),
        secs(c.buildSeconds),
        secs(c.stage1Seconds),
        secs(c.tieBreakSeconds),
        c.rounds.length > 0 ? c.rounds.join(' + ') : '—',
        c.peakMiB === null ? '—' : fmt(c.peakMiB, 0),
        c.objective === null ? '—' : fmt(c.objective, 4),
      ]),
    ),
  );
  for (const c of cases) if (c.reason) console.log(`  ${c.buses} buses, ${graphName(c.graph)}: ${c.status} — ${c.reason}.`);
  const baselines = cases.map((c) => c.baselineMiB).filter((v): v is number => v !== null);
  console.log(
    '  seconds: clearWith in the child (model building, both stages, routing, checks), one cold clearing; build / stage 1 / tie-break: ' +
      'split by the P2PMARKET_TRACE_CUTS trace (first LP solve = stage 1, second = tie-break; LP rounds per solve).',
  );
  console.log(
    `  peak MiB: the child's maxRSS${baselines.length ? `, of which ~${fmt(Math.min(...baselines), 0)} MiB is Node, tsx and the HiGHS WebAssembly before the clearing` : ''}. ` +
      'Generated feeders: generateScenario(seed 1, prosumer with battery on every 3rd bus, loads 5–30 kW); 33 buses: scenarios/ieee33-day.json.',
  );

  // Dense vs sparse.
  const failures: string[] = [];
  const formComparisons = FORM_COMPARISON_SIZES.filter((b) => sizes.includes(b)).map((buses) => {
    const dense = cases.find((c) => c.buses === buses && c.graph === 'all' && c.formAsked === 'auto');
    const sparse = cases.find((c) => c.buses === buses && c.graph === 'all' && c.formAsked === 'sparse');
    const a = dense?.objective ?? null;
    const b = sparse?.objective ?? null;
    const relativeDifference = a !== null && b !== null ? Math.abs(a - b) / Math.max(1, Math.abs(a), Math.abs(b)) : null;
    const agree = relativeDifference === null ? null : relativeDifference <= FORM_AGREEMENT && dense?.form === 'dense' && sparse?.form === 'sparse';
    if (agree === false) failures.push(`scale ${buses} buses: dense and sparse LinDistFlow objectives ${a ?? '—'} and ${b ?? '—'} do not agree to ${FORM_AGREEMENT.toExponential(0)} relative`);
    return { buses, denseSeconds: dense?.seconds ?? null, sparseSeconds: sparse?.seconds ?? null, denseObjective: a, sparseObjective: b, relativeDifference, agree };
  });
  for (const f of formComparisons) {
    console.log(
      `  ${f.buses} buses, all pairs, dense vs sparse form: ${secs(f.denseSeconds)} s vs ${secs(f.sparseSeconds)} s; objectives ` +
        `${f.relativeDifference === null ? 'not both available' : `differ by ${f.relativeDifference.toExponential(1)} relative`} — ${f.agree === null ? 'not compared' : f.agree ? 'agree' : 'DISAGREE'} (limit ${FORM_AGREEMENT.toExponential(0)}).`,
    );
  }
  for (const c of cases) {
    if (c.status === 'error' || c.status === 'infeasible' || c.status === 'crashed') failures.push(`scale ${c.id}: ${c.status}${c.diagnosis ? ` (${c.diagnosis})` : c.reason ? ` (${c.reason})` : ''}`);
  }

  // Aims.
  const aim = (c: ScaleCaseResult | undefined, limitS: number, limitMiB?: number) => {
    if (!c) return { measured: 'not run', met: null, note: quick ? 'not in a BENCH_QUICK=1 run' : 'case missing' };
    const measured = `${c.status === 'timeout' ? '≥' : ''}${secs(c.seconds)} s${c.peakMiB !== null ? `, ${fmt(c.peakMiB, 0)} MiB` : ''}`;
    const problems: string[] = [];
    if (c.status !== 'optimal') problems.push(`status ${c.status}`);
    else if (c.tieBreak !== 'resolved') problems.push(`tie-break ${c.tieBreak}`);
    if (c.status !== 'timeout' && (c.seconds === null || c.seconds > limitS)) problems.push(c.seconds !== null ? `×${fmt(c.seconds / limitS, 2)} the time` : 'no time');
    if (limitMiB !== undefined && (c.peakMiB === null || c.peakMiB > limitMiB)) problems.push(c.peakMiB === null ? 'no memory figure' : 'over the memory limit');
    return { measured, met: problems.length === 0, note: problems.join(', ') };
  };
  const aims = [
    { name: `IEEE 33-bus day, all pairs, one clearing ≤ ${AIM_IEEE33_ALL_S} s`, ...aim(cases.find((c) => c.buses === 33 && c.graph === 'all' && c.formAsked === 'auto'), AIM_IEEE33_ALL_S) },
    {
      name: `1,000 buses, 2-hop trades ≤ ${AIM_1000_KHOP_S} s and ≤ ${AIM_1000_KHOP_MIB / 1024} GiB`,
      ...aim(cases.find((c) => c.buses === 1000 && typeof c.graph === 'object'), AIM_1000_KHOP_S, AIM_1000_KHOP_MIB),
    },
  ];
  console.log(
    '\n' +
      format.table(
        ['scale aim', 'measured', 'mark'],
        aims.map((a) => [a.name, a.measured, a.met === null ? `— (${a.note})` : a.met ? 'met' : `MISSED (${a.note})`]),
      ),
  );
  const totalSeconds = (performance.now() - started) / 1000;
  console.log(`  scale section: ${fmt(totalSeconds, 1)} s for ${cases.filter((c) => c.status !== 'skipped').length} cases.`);
  return { sizes, budgetSeconds, timeLimitSeconds: timeLimitSeconds ?? null, cases, formComparisons, aims, failures, totalSeconds };
}
