/**
 * One market clearing: scenario → feeder → problem → solver → our own check → result.
 *
 * The reported answer is unique: the quadratic tie-break ε·Σb² fixes the battery dispatch
 * (and with it every net injection), and the trades are the pro-rata minimum-volume plan
 * of those injections (routing.ts). The solution is checked against every constraint of the
 * model before it may be called `optimal`.
 */
import { checkScenario } from '../scenario/check.ts';
import { checkClearOptions, SOLVER_NAMES } from './clear-options.ts';
import { Feeder } from '../network/feeder.ts';
import { buildMarketProblem, type MarketProblem } from '../problem/build.ts';
import { describeColumn, describeRow, type ColumnName, type RowName } from '../problem/names.ts';
import { objectiveValue, type LinearModel } from '../problem/model.ts';
import { tieBreakStage } from '../problem/tiebreak.ts';
import { expandSolution, REDUCE_MIN_DELIVERIES, reducedTieBreakStage, reducePoint } from '../problem/tiebreak-reduced.ts';
import { agentDualForms, fromInjectionSpace, fullRowDuals, injectionSpace, tradesInterchangeable, type InjectionSpace } from '../problem/injection-space.ts';
import { everyOptimumShares } from '../problem/optimal-face.ts';
import { stepStartHour, type Scenario } from '../scenario/validate.ts';
import { DEFAULT_SOLVE_OPTIONS, solveOnce, type SolveOutcome, type SolverAdapter, type SolverSession } from '../solver/adapter.ts';
import { createHighsAdapter } from '../solver/highs.ts';
import { QuadraticNotSupportedError } from '../solver/errors.ts';
import { FEASIBILITY_TOLERANCE, worstViolation } from '../solver/verify.ts';
import type { ClearingResult, Diagnosis, ObjectiveTerms, StepResult } from './result.ts';
import { networkState, report } from './report.ts';
import { dualResidual, marketPrices, solverPrices, type Prices } from './prices.ts';
import { routeStep } from './routing.ts';
import { fixDirections, simultaneousUse } from './battery-directions.ts';
import { negotiatedClearing, type WarmStart } from '../admm/clear.ts';
import { InputError } from '../errors.ts';

/** Rounds of fixing the directions of batteries that charge and discharge at once. */
const MAX_DIRECTION_ROUNDS = 4;
import { environmentLimits, type Limits } from '../io/limits.ts';
import { checkModelSize } from '../problem/size.ts';
import { checkSolverNumerics, likelyCulprits } from '../problem/numerics.ts';

export type SolverName = (typeof SOLVER_NAMES)[number];

export interface ClearOptions {
  solver?: SolverName;
  timeLimitSeconds?: number;
  /**
   * Where the caller keeps a session of the same backend across clearings of markets of one
   * structure (the windows of a simulation, the points of a sweep): the session in it is
   * updated in place and re-solved warm; when there is none, or it does not fit, a fresh one is
   * opened and left in the slot. The caller disposes of it.
   */
  reuse?: SessionSlot;
  /**
   * Check whether the prices are unique, and pick the midpoints of their ranges where not
   * (prices.ts); default true. Without it prices are the solver's duals — one optimal set of them.
   * 'lp': check by linear programming alone, without the elimination shortcut (to test one
   * against the other).
   */
  checkPrices?: boolean | 'lp';
  /** Names the scenario in input errors (its file); `scenario "<name>"` by default. */
  file?: string;
  /**
   * The scenario was validated as it is (loaded and not changed since): `clearMarket` skips
   * checking it again (scenario/check.ts). Leave it out for a scenario built or changed in code.
   */
  checked?: boolean;
  /** Size limits (io/limits.ts); the environment's by default. */
  limits?: Limits;
  /**
   * 'auto' (the default): a market whose trades are interchangeable (every pair trades, no
   * delivery costs anything) is solved in injection space (problem/injection-space.ts), and the
   * tie-break stage is skipped when every optimum already shares the battery dispatch
   * (problem/optimal-face.ts). 'full': the full model with every trade and the tie-break stage
   * always, as releases before 0.2 did (kept to compare against: tests and the bench).
   * 'injections': injection space whenever the trades are interchangeable, however few agents.
   */
  formulation?: 'auto' | 'full' | 'injections';
  /**
   * With `reuse`: the market is the slot's last one moved on by this many steps (a rolling
   * window): its solution, shifted, tells the session where to refine first (SolverSession.hint).
   */
  shiftSteps?: number;
  /**
   * market.clearing "admm": where the caller keeps a negotiation's final state across clearings
   * (the windows of a simulation): read as the next negotiation's warm start, and overwritten.
   */
  negotiation?: NegotiationSlot;
}

export interface NegotiationSlot {
  warmStart?: WarmStart;
}

/**
 * Markets of fewer agents are solved in full even when their trades are interchangeable: with n
 * agents a step has n(n−1) deliveries against the 2n parts that replace them, and on the seed's
 * 4 agents the smaller model did not pay for building it and mapping its duals (3.5 ms against
 * 2.9 ms a clearing).
 */
export const INJECTION_SPACE_MIN_AGENTS = 9;

/** Above this worst stationarity residual the full model's duals derived from the injection space are not trusted. */
const DERIVED_DUAL_TOLERANCE = 1e-5;

export interface SessionSlot {
  session?: SolverSession;
  /** The first-stage solution of the slot's last clearing, in the columns its session solved (with their names). */
  last?: { x: Float64Array; names: readonly ColumnName[]; rowDual?: Float64Array; rowNames?: readonly RowName[] };
}

const adapters = new Map<SolverName, Promise<SolverAdapter>>();
export function solverAdapter(name: SolverName): Promise<SolverAdapter> {
  let adapter = adapters.get(name);
  if (!adapter) {
    // javascript-lp-solver is loaded only when asked for (it also loads child_process and fs).
    adapter = name === 'highs' ? createHighsAdapter() : import('../solver/lpsolver.ts').then((m) => m.createLpSolverAdapter());
    adapters.set(name, adapter);
  }
  return adapter;
}

/** Clears a scenario; one built or changed in code is checked first as a file is (an InputError naming the field). */
export async function clearMarket(scenario: Scenario, options: ClearOptions = {}): Promise<ClearingResult> {
  checkClearOptions(options, 'clearMarket options');
  const checked = options.checked ? scenario : checkScenario(scenario, options.file);
  const adapter = await solverAdapter(options.solver ?? 'highs');
  return clearWith(adapter, checked, options);
}

/**
 * Synchronous clearing with a loaded backend (for loops that clear many scenarios): central, or
 * negotiated by the agents (market.clearing "admm", src/admm/), which runs the central clearing
 * too, as its proof.
 */
export function clearWith(adapter: SolverAdapter, scenario: Scenario, options: ClearOptions = {}): ClearingResult {
  if (scenario.market.clearing !== 'admm') return clearCentrally(adapter, scenario, options);
  const file = options.file ?? `scenario "${scenario.name}"`;
  if (!adapter.quadratic) {
    throw new InputError(file, [{ path: 'market.clearing', message: `"admm" needs the HiGHS solver: the negotiation is proven against the central optimum, which ${adapter.name} cannot compute (its peers' problems are quadratic)` }]);
  }
  const slot = options.negotiation;
  const { warmStart, ...result } = negotiatedClearing(scenario, (central) => clearCentrally(adapter, central, options), { file, ...(slot?.warmStart ? { warmStart: slot.warmStart } : {}) });
  if (slot && warmStart) slot.warmStart = warmStart;
  return result;
}

function clearCentrally(adapter: SolverAdapter, scenario: Scenario, options: ClearOptions): ClearingResult {
  const started = performance.now();
  const feeder = new Feeder(scenario.network);
  const file = options.file ?? `scenario "${scenario.name}"`;
  // Too large for the machine, or numbers the solver cannot take: input errors, before any work.
  checkModelSize(scenario, feeder, file, options.limits ?? environmentLimits());
  let problem = buildMarketProblem(scenario, feeder);
  let { model } = problem;
  checkSolverNumerics(model, scenario, file);
  // Interchangeable trades: the solver sees the injection-space model (its columns and rows
  // mapped by `space`); everything reported is of the full model, checked against it.
  const full = options.formulation === 'full';
  const interchangeable = !full && tradesInterchangeable(scenario.market.tradeGraph, problem.index);
  const worthIt = options.formulation === 'injections' || problem.index.agents.length >= INJECTION_SPACE_MIN_AGENTS;
  let space: InjectionSpace | undefined = interchangeable && worthIt ? injectionSpace(model, problem.index) : undefined;
  let solved: MarketProblem = space ? { ...problem, model: space.model } : problem;
  const report: ClearingResult['solver'] = {
    backend: adapter.name,
    columns: model.numCols,
    rows: model.numRows,
    iterations: 0,
    maxViolation: 0,
    worstConstraint: '',
    tieBreak: scenario.market.tieBreak === 'quadratic' ? 'resolved' : 'off',
    ...(space ? { solved: { formulation: 'injection space', columns: space.model.numCols, rows: space.model.numRows } } : {}),
  };
  const failed = (status: ClearingResult['status'], diagnosis: Diagnosis): ClearingResult => ({
    scenario: scenario.name,
    status,
    objective: null,
    objectiveTerms: null,
    solveMs: performance.now() - started,
    solver: report,
    steps: [],
    diagnosis,
  });

  if (problem.fixedConflicts.length > 0) {
    return failed('infeasible', {
      message: 'the market cannot be cleared: a constraint is broken whatever the dispatch',
      conflicts: problem.fixedConflicts.map((c) => c.description),
    });
  }

  const timeLimitSeconds = options.timeLimitSeconds ?? DEFAULT_SOLVE_OPTIONS.timeLimitSeconds;
  const slot = options.reuse;
  let session = slot?.session;
  let reused = false;
  if (session) {
    try {
      session.update(solved.model);
      reused = true;
    } catch {
      session = undefined;
    }
  }
  const owned = slot === undefined;
  if (session && reused && !full && options.shiftSteps !== undefined && slot?.last && session.hint) {
    const { last } = slot;
    session.hint(
      shifted(last.x, last.names, solved.model.colNames, options.shiftSteps, scenario.steps),
      last.rowDual && last.rowNames ? shifted(last.rowDual, last.rowNames, solved.model.rowNames, options.shiftSteps, scenario.steps) : undefined,
    );
  }
  try {
    if (!session) {
      session = adapter.open(solved.model);
      if (slot) {
        slot.session?.dispose();
        slot.session = session;
      }
    }
  } catch (e) {
    if (e instanceof QuadraticNotSupportedError) throw e;
    const culprits = likelyCulprits(model, scenario);
    return failed('error', {
      message: `${adapter.name} could not take the model: ${(e as Error).message}${culprits.length > 0 ? `; the scenario fields most likely responsible: ${culprits.join(', ')}` : ''}`,
      conflicts: [],
    });
  }
  const tieBreakCols = problem.index.batteryPower.flat().filter((c) => c >= 0);
  const solvedTieBreakCols = space ? tieBreakCols.map((c) => space!.columnOf[c]!) : tieBreakCols;
  try {
    refuseTieBreak(adapter, scenario, tieBreakCols.length);
  } catch (e) {
    if (owned) session.dispose();
    throw e;
  }
  /** The full model's columns of a solution of the model the solver sees. */
  const expand = (xs: Float64Array): Float64Array => (space ? fromInjectionSpace(space, model.numCols, xs) : Float64Array.from(xs));
  let outcome: SolveOutcome;
  let x: Float64Array;
  let first: Float64Array;
  try {
    // Lossy batteries that would charge and discharge at once get their directions fixed, and
    // the market is cleared again (battery-directions.ts).
    for (let round = 0; ; round++) {
      if (round > 0) session.update(solved.model);
      outcome = session.solve({ timeLimitSeconds });
      if ((reused || round > 0) && outcome.status !== 'optimal' && outcome.status !== 'time_limit') {
        // A reused session's warm state can mislead HiGHS: ask a fresh one before believing it.
        outcome = solveOnce(adapter, solved.model, { timeLimitSeconds });
      }
      report.iterations += outcome.iterations;
      if (outcome.fromHint) report.fromPreviousWindow = (report.fromPreviousWindow ?? 0) + 1;
      // (In injection space an infeasible market's conflicts are those of that model: the same
      // constraints, its step balances standing for the trade balances.)
      if (outcome.status !== 'optimal' || !outcome.x) return failed(outcome.status, diagnose(solved.model, outcome));
      first = Float64Array.from(outcome.x);
      if (slot && !full) slot.last = { x: first, names: solved.model.colNames, ...(outcome.rowDual ? { rowDual: outcome.rowDual, rowNames: solved.model.rowNames } : {}) };
      let xs = first;

      if (scenario.market.tieBreak === 'quadratic' && tieBreakCols.length > 0) {
        const freeTrades = !space && scenario.market.tradeGraph === 'all' && problem.index.deliveryCostPerKwh === 0;
        const second = tieBreak(adapter, session, solved, first, solvedTieBreakCols, freeTrades, space !== undefined, !full, () =>
          Math.max(0.1, timeLimitSeconds - (performance.now() - started) / 1000),
        );
        report.iterations += second.iterations;
        report.tieBreak = second.status;
        xs = second.x;
      }
      x = expand(xs);
      const uses = simultaneousUse(problem, x);
      if (uses.length === 0) break;
      if (round === MAX_DIRECTION_ROUNDS) {
        return failed('error', { message: `batteries still charge and discharge at once after ${round} rounds of fixing their directions`, conflicts: uses.map((u) => `battery of ${u.agent}, step ${u.t}`) });
      }
      report.batteryDirectionsFixed = (report.batteryDirectionsFixed ?? 0) + uses.length;
      model = fixDirections(model, uses, x);
      problem = { ...problem, model };
      if (space) {
        const columnOf = space.columnOf;
        const mapped = uses.map((u) => ({ ...u, charge: columnOf[u.charge]!, discharge: columnOf[u.discharge]! }));
        space = { ...space, model: fixDirections(space.model, mapped, xs) };
        solved = { ...problem, model: space.model };
      } else {
        solved = problem;
      }
    }
  } finally {
    if (owned) session?.dispose();
  }

  routeTrades(scenario, problem, x);
  const violation = worstViolation(model, x);
  report.maxViolation = violation.amount;
  report.worstConstraint = violation.constraint;
  if (violation.amount > FEASIBILITY_TOLERANCE) {
    return failed('error', {
      message: `${adapter.name} returned a solution that breaks "${violation.constraint}" by ${violation.amount.toExponential(2)}`,
      conflicts: [violation.constraint],
    });
  }

  const terms = objectiveTerms(model, problem, scenario.stepHours, x);
  terms.tieBreak = scenario.market.tieBreak === 'quadratic' ? scenario.market.tieBreakWeight * tieBreakCols.reduce((s, c) => s + x[c]! ** 2, 0) : 0;
  const prices = outcome.rowDual ? clearingPrices(adapter, problem, solved, space, feeder, scenario.stepHours, first!, outcome.rowDual, options, Math.max(1, timeLimitSeconds - (performance.now() - started) / 1000)) : undefined;
  return {
    scenario: scenario.name,
    status: 'optimal',
    objective: terms.requestTracking + terms.tradeVolume + terms.costBids + terms.utilityEnergy + terms.preferences + terms.networkFees,
    objectiveTerms: terms,
    solveMs: performance.now() - started,
    solver: report,
    steps: assembleSteps(scenario, feeder, problem, x, prices),
    ...(prices ? { prices: prices.report } : {}),
  };
}

/**
 * The prices of a clearing (prices.ts), from the duals of the model the solver saw. From the
 * injection space they are checked to be optimal duals of the full model (their stationarity at
 * the first stage's optimum, routed), and its uniqueness is checked there — the sets of optimal
 * duals correspond one to one (problem/injection-space.ts).
 */
function clearingPrices(
  adapter: SolverAdapter,
  problem: MarketProblem,
  solved: MarketProblem,
  space: InjectionSpace | undefined,
  feeder: Feeder,
  dt: number,
  first: Float64Array,
  rowDual: Float64Array,
  options: ClearOptions,
  timeLimitSeconds: number,
): Prices {
  if (!space) {
    return options.checkPrices === false
      ? solverPrices(problem, feeder, dt, rowDual)
      : marketPrices(adapter, problem, feeder, dt, first, rowDual, timeLimitSeconds, options.checkPrices !== 'lp');
  }
  const { index } = problem;
  const fullDual = fullRowDuals(space, index, problem.model, rowDual);
  const routed = fromInjectionSpace(space, problem.model.numCols, first);
  routeTrades(undefined, problem, routed);
  const residual = dualResidual(problem.model, routed, fullDual);
  if (residual > DERIVED_DUAL_TOLERANCE) {
    const prices = solverPrices(problem, feeder, dt, fullDual);
    prices.report.uniqueness = `not checked (the duals derived from the injection space are not stationary in the full model: residual ${residual.toExponential(1)})`;
    return prices;
  }
  if (options.checkPrices === false) return solverPrices(problem, feeder, dt, fullDual);
  const networkRows = index.networkRows.map((rows) => rows.map((ref) => ({ ...ref, row: space.rowOf[ref.row]! })));
  const view: MarketProblem = { ...solved, index: { ...index, networkRows } };
  return marketPrices(adapter, view, feeder, dt, first, rowDual, timeLimitSeconds, options.checkPrices !== 'lp', agentDualForms(space, index));
}

/**
 * A solution (its columns, or its rows' duals) moved on by `shift` steps: each takes the value of
 * the one of the same name `shift` steps later in `names`. The window's last `shift` steps (and
 * the state at its end), which that would take from beyond the previous window's end, take the
 * previous window's values at the same place instead: the end of a horizon has its own pattern
 * (batteries drained in its last step), which moves with it. Names without a step keep their value.
 *
 * (Aligned by time, the end state took the previous window's end state while the new last step
 * took its last step's values: every battery empty at the new step's start and end, none
 * charging, the utility exchanging nothing, a guess the new step's balance cannot meet. Its
 * correction LP was infeasible and the window went on to LP rounds.)
 */
function shifted<Name extends ColumnName | RowName>(values: Float64Array, names: readonly Name[], next: readonly Name[], shift: number, steps: number): Float64Array {
  // A name's identity apart from its step, and the step: each name's fields in their order.
  const key = (name: Name, step: number) => {
    let text = `${step}`;
    for (const field in name) if (field !== 'step') text += `|${String(name[field as keyof Name])}`;
    return text;
  };
  const position = new Map<string, number>();
  names.forEach((name, j) => {
    if ('step' in name) position.set(key(name, name.step), j);
  });
  return Float64Array.from(next, (name, j) => {
    if (!('step' in name) || name.step + shift >= steps) return values[j] ?? 0;
    return values[position.get(key(name, name.step + shift)) ?? j] ?? 0;
  });
}

/** A linear-only backend cannot run the quadratic tie-break stage. */
function refuseTieBreak(adapter: SolverAdapter, scenario: Scenario, batteryColumns: number): void {
  if (!adapter.quadratic && scenario.market.tieBreak === 'quadratic' && batteryColumns > 0) {
    throw new QuadraticNotSupportedError(
      'javascript-lp-solver solves linear problems only, and the tie-break stage minimises the quadratic Σ b²: ' +
        'set market.tieBreak to "none" (the dispatch is then one optimal solution among many), or use the HiGHS solver.',
      'market.tieBreak',
    );
  }
}

/**
 * Throws QuadraticNotSupportedError, naming the field, when the backend cannot clear this
 * scenario at all — before anything is solved or written.
 */
export function assertBackendCanClear(adapter: SolverAdapter, scenario: Scenario): void {
  const problem = buildMarketProblem(scenario, new Feeder(scenario.network));
  adapter.open(problem.model).dispose();
  refuseTieBreak(adapter, scenario, problem.index.batteryPower.flat().filter((c) => c >= 0).length);
}

/**
 * The second, lexicographic stage (tiebreak.ts): none when every optimum already shares the
 * battery dispatch (optimal-face.ts); without its trades when every pair trades and there are
 * many of them (tiebreak-reduced.ts; the full formulation), else warm in the session that solved
 * the first.
 * Should it fail, once more in a fresh session; should that fail too, or move the market
 * objective by more than 1e-6 of itself, the first stage's (checked, optimal) solution stands
 * and the tie-break is reported as unresolved.
 */
function tieBreak(
  adapter: SolverAdapter,
  session: SolverSession,
  problem: MarketProblem,
  first: Float64Array,
  tieBreakCols: number[],
  everyPair: boolean,
  /** The model is in injection space: solve the stage afresh before trying the session. */
  injections: boolean,
  /** Skip the stage when every optimum shares the battery dispatch (optimal-face.ts). */
  skipWhenShared: boolean,
  remainingSeconds: () => number,
): { x: Float64Array; status: string; iterations: number } {
  const { model, index } = problem;
  if (skipWhenShared && everyOptimumShares(model, tieBreakCols)) return { x: first, status: 'resolved', iterations: 0 };
  const stage = tieBreakStage(model, first, tieBreakCols, worstViolation(model, first).amount);
  let second: SolveOutcome | undefined;
  let x: Float64Array | undefined;
  // With every pair trading, many trades: the same stage without them (tiebreak-reduced.ts).
  if (everyPair && index.trade.flat(2).length >= REDUCE_MIN_DELIVERIES) {
    const reduced = reducedTieBreakStage(stage, index);
    second = solveOnce(adapter, reduced.model, { timeLimitSeconds: remainingSeconds()}, reducePoint(reduced, first));
    if (second.status === 'optimal' && second.x) x = expandSolution(reduced, second.x, first);
  }
  if (!x && injections) {
    // In injection space: afresh, its first cuts at the first stage's solution (warm in the first
    // stage's session it was measured 10× slower on the 33-bus day: nearly parallel cuts of the
    // two stages stall the simplex).
    second = solveOnce(adapter, stage, { timeLimitSeconds: remainingSeconds()}, first);
    if (second.status === 'optimal' && second.x) x = Float64Array.from(second.x);
  }
  if (!x) {
    try {
      session.update(stage);
      second = session.solve({ timeLimitSeconds: remainingSeconds() });
    } catch {
      second = undefined;
    }
    if (second?.status !== 'optimal') second = solveOnce(adapter, stage, { timeLimitSeconds: remainingSeconds() });
    if (second.status === 'optimal' && second.x) x = Float64Array.from(second.x);
  }
  const optimum = objectiveValue(model, first);
  if (!x) {
    return { x: first, status: `unresolved (${second!.status}${second!.message ? `: ${second!.message}` : ''})`, iterations: second!.iterations };
  }
  if (objectiveValue(model, x) > optimum + 1e-6 * Math.max(1, Math.abs(optimum))) {
    return { x: first, status: 'unresolved (it moved the market objective)', iterations: second!.iterations };
  }
  return { x, status: 'resolved', iterations: second!.iterations };
}

function diagnose(model: LinearModel, outcome: SolveOutcome): Diagnosis {
  if (outcome.status === 'infeasible') {
    const conflicts = outcome.conflict
      ? [
          ...outcome.conflict.rows.map(({ index, side }) => describeRow(model.rowNames[index]!, side)),
          ...outcome.conflict.cols.map(({ index, side }) => describeColumn(model.colNames[index]!, side)),
        ]
      : [];
    return {
      message:
        'the market is infeasible: no dispatch satisfies every constraint' +
        (conflicts.length > 0 ? '; these constraints conflict' : ' (this solver cannot name the conflicting constraints)'),
      conflicts,
    };
  }
  if (outcome.status === 'time_limit') return { message: 'the solver reached its time limit before an optimum', conflicts: [] };
  return { message: outcome.message ?? 'the solver failed', conflicts: [] };
}

/** Replaces the solver's trades by the reported plan (routing.ts), and updates S = Σ deliveries. */
function routeTrades(scenario: Scenario | undefined, problem: MarketProblem, x: Float64Array): void {
  const { index } = problem;
  index.netInjection.forEach((cols, t) => {
    const injection = cols.map((c) => x[c]!);
    // The utility takes exactly what the prosumers inject (the pool injects nothing).
    injection[0] = -injection.slice(1).reduce((s, p) => s + p, 0);
    x[cols[0]!] = injection[0];
    const trades = index.trade[t]!;
    const solverKw = trades.map(([forward, backward]) => x[forward]! - x[backward]!);
    // When deliveries cost different amounts the solver's plan is the cheapest: keep it (netted).
    // (No scenario: the trades are interchangeable, every pair trading.)
    const graph = index.deliveryCostPerKwh !== undefined ? (scenario?.market.tradeGraph ?? 'all') : { maxHops: Infinity };
    routeStep(graph, index.pairs, injection, index.pool, solverKw).forEach((kw, k) => {
      const [forward, backward] = trades[k]!;
      x[forward] = Math.max(kw, 0);
      x[backward] = Math.max(-kw, 0);
    });
  });
  if (index.totalTradeVolume !== undefined) {
    x[index.totalTradeVolume] = index.trade.flat(2).reduce((s, col) => s + x[col]!, 0);
  }
}

/** Each column's objective contribution, summed by term (the tie-break is computed apart). */
function objectiveTerms(model: LinearModel, problem: MarketProblem, dt: number, x: Float64Array): ObjectiveTerms {
  const terms: ObjectiveTerms = { requestTracking: 0, tradeVolume: 0, costBids: 0, utilityEnergy: 0, preferences: 0, networkFees: 0, tieBreak: 0 };
  const termOf = { requestDeviation: 'requestTracking', totalTradeVolume: 'tradeVolume', netInjection: 'costBids', utilityEnergy: 'utilityEnergy' } as const;
  for (let j = 0; j < model.numCols; j++) {
    const value = model.colCost[j]! * x[j]! + 0.5 * model.colQuad[j]! * x[j]! ** 2;
    const kind = model.colNames[j]!.kind;
    if (value === 0 || kind === 'delivery') continue;
    if (!(kind in termOf)) throw new Error(`objective: unexpected cost on ${kind}`);
    terms[termOf[kind as keyof typeof termOf]] += value;
  }
  // Deliveries: the fee and the buyer's preference of each, per kWh over Δt hours; the rest of
  // a delivery's cost is the tariff billed per trade (graph "utility").
  const { index } = problem;
  for (const trades of index.trade) {
    trades.forEach(([forward, backward], k) => {
      const { preferencePerKwh, feePerKwh } = index.pairCosts[k]!;
      const fees = dt * feePerKwh * (x[forward]! + x[backward]!);
      const preferences = dt * (preferencePerKwh[0] * x[forward]! + preferencePerKwh[1] * x[backward]!);
      terms.networkFees += fees;
      terms.preferences += preferences;
      terms.utilityEnergy += model.colCost[forward]! * x[forward]! + model.colCost[backward]! * x[backward]! - fees - preferences;
    });
  }
  return terms;
}

function assembleSteps(
  scenario: Scenario,
  feeder: Feeder,
  problem: MarketProblem,
  x: Float64Array,
  prices: Prices | undefined,
): StepResult[] {
  const { index } = problem;
  const { steps: T, stepHours: dt, prosumers, utility } = scenario;
  const steps: StepResult[] = [];
  for (let t = 0; t < T; t++) {
    const P = index.netInjection[t]!.map((c) => x[c]!);
    const network = networkState(feeder, prosumers, P.slice(1, prosumers.length + 1), t);

    // The seller receives its own marginal price; the buyer pays it plus the fee (prices.ts).
    const rho = prices?.agent[t];
    const trades = index.pairs.flatMap(({ i, j }, k) => {
      const [forward, backward] = index.trade[t]![k]!;
      const kw = x[forward]! - x[backward]!;
      if (report(Math.abs(kw)) === 0) return [];
      const [from, to] = kw > 0 ? [i, j] : [j, i];
      const { feePerKwh, preferencePerKwh } = index.pairCosts[k]!;
      return [{
        from: index.agents[from]!,
        to: index.agents[to]!,
        kw: report(Math.abs(kw)),
        // Without peer trades (graph "utility" with a tariff) a trade with the utility is billed
        // at the tariff: that is what the graph means.
        price: index.tariffPerTrade && (from === 0 || to === 0)
          ? report(from === 0 ? utility.tariff!.sellPerKwh[t]! : utility.tariff!.buyPerKwh[t]!)
          : rho ? report(rho[from]!) : null,
        feePerKwh: report(feePerKwh),
        preferencePerKwh: report(preferencePerKwh[kw > 0 ? 0 : 1]),
      }];
    });

    steps.push({
      t,
      startHour: stepStartHour(scenario, t),
      hours: dt,
      utilityReceiptKw: report(-P[0]!),
      utilityTargetKw: utility.targetKw[t]!,
      utilityPriority: utility.priority[t]!,
      utilityPricePerKwh: rho ? report(rho[0]!) : null,
      agents: prosumers.map((p, k) => {
        const a = k + 1;
        const b = index.batteryPower[t]![a]!;
        return {
          id: p.id,
          bus: p.bus,
          scheduleKw: p.scheduleKw[t]!,
          netInjectionKw: report(P[a]!),
          batteryKw: b >= 0 ? report(x[b]!) : 0,
          socStartKwh: b >= 0 ? report(x[index.batteryEnergy[t]![a]!]!) : null,
          socEndKwh: b >= 0 ? report(x[index.batteryEnergy[t + 1]![a]!]!) : null,
          voltagePu: network.voltagePu[index.agentBus[a]!]!,
          marginalPricePerKwh: rho ? report(rho[a]!) : null,
        };
      }),
      trades,
      buses: network.buses.map((bus, b) => ({ ...bus, nodalPricePerKwh: prices ? report(prices.bus[t]![feeder.fileOrder[b]!]!) : null })),
      lines: network.lines,
    });
  }
  return steps;
}
