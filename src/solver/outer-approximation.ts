/**
 * A HiGHS session: one persistent HiGHS model, re-solved warm (from the previous basis) after
 * bounds, costs or rows change.
 *
 * Linear models go to the dual simplex as they are. Quadratic models — whose quadratic part
 * is always separable, ½·q_j·x_j² — are solved by outer approximation: each square gets an
 * epigraph column z_j ≥ ½·q_j·x_j², held up by tangent cuts
 *     z_j ≥ q_j·x̂·x_j − ½·q_j·x̂²,
 * and the LP is re-solved with new cuts until no square lies above its epigraph by more than
 * the tolerances below. Each LP's objective is a lower bound of the QP's optimum and the true
 * objective at its solution an upper bound, so the result is the QP's optimum to within
 * that gap. (HiGHS's own active-set QP solver was tried first: on these models it reported
 * bounded problems as unbounded or ran to its time limit.)
 */
import type { Highs, Model } from 'highs';
import type { LinearModel } from '../problem/model.ts';
import type { SolveOptions, SolveOutcome, SolverSession } from './adapter.ts';
import { findConflict, finite, lpData, STATUS } from './highs-model.ts';
import { activeSet, activeSetAt, activeSetKey, correctedActiveSet, Finisher, finishOnActiveSet, type ActiveSet, type FinishPoint } from './kkt-finish.ts';

/**
 * A square is cut again while its epigraph lies below it by more than this share of its value
 * plus the LP's feasibility tolerance, unless the LP's point already lies this close to one of
 * its tangent points (relative to 1 + |x|): there the cuts are exact, and nearly parallel cuts
 * would only make the LP degenerate.
 */
export const CUT_RELATIVE_TOLERANCE = 1e-12;
export const CUT_POINT_TOLERANCE = 1e-8;
/** Below this many columns a model is solved without presolve, by the serial dual simplex. */
export const SMALL_MODEL_COLUMNS = 5000;
/** HiGHS's primal and dual feasibility tolerances (its default is 1e-7). */
export const LP_TOLERANCE = 1e-9;
/** While at most BRACKET_COLUMNS squares need cuts, each also gets BRACKET_CUTS cuts around its point. */
export const BRACKET_COLUMNS = 64;
export const BRACKET_CUTS = 7;
/**
 * …and while more need cuts, MANY_BRACKET_CUTS each. Measured with 3: a 300-bus, 100-battery
 * day went from 25 s to 20 s, but the 33-bus day from 2.3 s to 10 s (the nearly parallel cuts
 * make the simplex degenerate); so none.
 */
export const MANY_BRACKET_CUTS = 0;
/**
 * When a round fails to solve (after one retry from scratch), the previous round's solution is
 * accepted if its total gap is within this share of the objective.
 */
export const ACCEPT_GAP = 1e-9;
/**
 * A warm re-solve after new cuts normally takes a fraction of a full solve; near the optimum,
 * nearly parallel cuts can instead send the simplex into hundreds of thousands of degenerate
 * iterations (measured: 205,000 on the 33-bus day's tie-break stage, 50 s). So each later round
 * may take at most ROUND_ITERATION_GROWTH times the iterations of the first (at least
 * MIN_ROUND_ITERATIONS, and at least one per row of the model; with 1×, the 33-bus day clears in
 * 1.8–1.9 s, with 2× in 2.2 s). The floor of one iteration per row is for warm sessions, whose
 * first round takes few (a rolling window's: ~500 on the year's 1,873 rows): rounds of ~2,400
 * were cut short and extended again and again (0.5 s each); with the floor a year window takes
 * 0.47 s instead of 0.81 s, the day unchanged. A round that needs more stops: the previous round's solution is kept if
 * its gap is within ACCEPT_GAP, otherwise the round goes on with a 4× larger limit (up to
 * MAX_EXTENSIONS times, then unlimited).
 */
export const ROUND_ITERATION_GROWTH = 1;
export const MIN_ROUND_ITERATIONS = 500;
const ITERATION_LIMIT_STATUS = 14;
const MAX_EXTENSIONS = 3;
const NO_ITERATION_LIMIT = 2 ** 31 - 1;
const NO_FINISH = Boolean(globalThis.process?.env?.P2PMARKET_NO_FINISH);
/**
 * The exact finish (kkt-finish.ts) is tried on an LP round that still needs cuts, once per distinct
 * active set: once the active set looks settled — the same as the round before, or the round's gap
 * within FINISH_GAP of the objective — at most FINISH_ATTEMPTS times per solve; and besides, on
 * rounds from FINISH_FROM_ROUND on, at most EAGER_ATTEMPTS times while none has run out of its
 * iterations (on 1,000 buses each such attempt cost 1.5–2 s and found nothing before the round the
 * active set settled). Nothing here depends on time (only on iterations), so the same model gives
 * the same point whatever the machine's load. A guess proven wrong
 * (its LP infeasible, not merely cut off by its iteration limit) is corrected (a primal–dual
 * active-set step, kkt-finish.ts) up to CORRECTIONS times and tried again. A failed attempt costs about one round (its LPs start from the round's
 * basis); a successful one ends the solve exactly, where the cuts would take 2–10 times the
 * rounds. Measured with corrections against without (one process each, back to back): 24 year
 * windows at 0.52 s each instead of 1.25 s (refused guesses there differed from the optimum's in
 * 1–3 columns, then stalled the cuts for up to 13 rounds); the 33-bus day's market stage finishing
 * at round 5 instead of 15, its tie-break at round 2 instead of 10.
 * P2PMARKET_NO_FINISH=1 solves by cuts alone; P2PMARKET_NO_CORRECTION=1 finishes without
 * corrections and on settled sets only, as before them (for comparison).
 */
export const FINISH_ATTEMPTS = 4;
export const FINISH_FROM_ROUND = 2;
export const EAGER_ATTEMPTS = 3;
export const FINISH_GAP = 1e-5;
export const CORRECTIONS = 3;
const NO_CORRECTION = Boolean(globalThis.process?.env?.P2PMARKET_NO_CORRECTION);
/**
 * Corrections of a rolling window's guess from the previous window's optimum. Each costs a
 * correction and a finish LP (20–40 ms on the year's windows); a refused guess costs LP rounds from
 * a basis many windows old (0.3–1.2 s). Measured on four 12-window blocks of the year (hours 0,
 * 2000, 4400, 6500): 16.6 s with 20, 17.6 s with 6.
 */
export const GUESS_CORRECTIONS = Number(globalThis.process?.env?.P2PMARKET_GUESS_CORRECTIONS ?? 20);
const NO_GUESS = Boolean(globalThis.process?.env?.P2PMARKET_NO_GUESS);
/**
 * Models smaller than this skip the previous window's guess: their one or two LP rounds cost less
 * than its correction and finish (measured on 300 four-step windows of the seed's feeder: 2.9 s
 * with the guess, 2.2 s without; a year window of 1,790 columns gains).
 */
const GUESS_MIN_COLUMNS = 500;

/** Give up (status `error`) after this many LP rounds. */
export const MAX_ROUNDS = 500;

interface Epigraph {
  /** HiGHS column of z_j. */
  col: number;
  /** The q_j its cuts were made for. */
  q: number;
  tangents: number[];
}

interface Cut {
  /** Model column of the square. */
  j: number;
  /** HiGHS column of the epigraph it holds up. */
  epigraph: number;
  at: number;
}

/** Whether two models have the same columns and, in the rows both have, the same matrix. */
function sameSharedRows(a: LinearModel, b: LinearModel): boolean {
  if (a.numCols !== b.numCols) return false;
  const shared = Math.min(a.numRows, b.numRows);
  const end = a.rowStarts[shared]!;
  if (end !== b.rowStarts[shared]) return false;
  for (let i = 0; i <= shared; i++) if (a.rowStarts[i] !== b.rowStarts[i]) return false;
  for (let k = 0; k < end; k++) if (a.colIndex[k] !== b.colIndex[k] || a.values[k] !== b.values[k]) return false;
  return true;
}

/**
 * A session is rebuilt from scratch when HiGHS holds more than this many times the model's rows
 * or columns (plus 100): cuts and the rows of earlier models accumulate with every update.
 */
export const REBUILD_GROWTH = 4;

export class HighsSession implements SolverSession {
  private handle!: Model;
  private model: LinearModel;
  /** HiGHS row of each model row (cuts, and rows of earlier models, are interleaved). */
  private rowOf: number[] = [];
  private numRows = 0;
  private numCols = 0;
  private readonly epigraphs = new Map<number, Epigraph>();
  /** Epigraphs of squares the current model does not have, by column and q: their cuts stay valid. */
  private readonly retired = new Map<string, Epigraph>();
  /** Every cut, with its HiGHS row. */
  private cuts: (Cut & { row: number })[] = [];
  private lastX: Float64Array | undefined;
  /** The exact finish's HiGHS instance (kkt-finish.ts), made at the first finish. */
  private finisher: Finisher | undefined;
  /** The point of the last hint, whose active set the next solve tries first. */
  private guess: { x: Float64Array; rowDual?: Float64Array } | undefined;

  /** `near`: where to put the first cuts (a previous stage's solution) instead of a grid. */
  constructor(
    private readonly highs: Highs,
    model: LinearModel,
    near?: ArrayLike<number>,
  ) {
    this.model = model;
    if (near) this.lastX = Float64Array.from(near);
    this.rebuild();
  }

  /** A fresh HiGHS model of the current model (first cuts at the last solution, if any). */
  private rebuild(): void {
    this.handle?.dispose();
    const { model } = this;
    this.handle = this.highs.createModel(lpData(this.highs, model));
    this.handle.options.set({
      output_flag: false,
      solver: 'simplex',
      // Small models: presolve and the parallel dual strategies cost more than they save
      // (measured: −28 % on the seed-sized windows of a simulation, +40 % on the 33-bus feeder).
      ...(model.numCols < SMALL_MODEL_COLUMNS ? { presolve: 'off', simplex_strategy: 1 } : {}),
      primal_feasibility_tolerance: LP_TOLERANCE,
      dual_feasibility_tolerance: LP_TOLERANCE,
    });
    this.rowOf = Array.from({ length: model.numRows }, (_, i) => i);
    this.numRows = model.numRows;
    this.numCols = model.numCols;
    this.epigraphs.clear();
    this.retired.clear();
    this.cuts = [];
    this.syncSquares();
  }

  update(next: LinearModel): void {
    const previous = this.model;
    if (!sameSharedRows(previous, next)) {
      throw new Error('HiGHS session: an update must keep the columns and the rows the models share');
    }
    this.model = next;
    if (this.numRows > REBUILD_GROWTH * next.numRows + 100 || this.numCols > REBUILD_GROWTH * next.numCols + 100) {
      this.rebuild();
      return;
    }
    const columns = { kind: 'range', from: 0, to: next.numCols - 1 } as const;
    this.handle.changeColsBounds(columns, next.colLower, next.colUpper);
    this.handle.changeColsCost(columns, next.colCost);
    this.handle.changeObjectiveOffset(next.objectiveOffset);
    const shared = Math.min(previous.numRows, next.numRows);
    if (shared > 0) {
      this.handle.changeRowsBounds(
        { kind: 'set', indices: this.rowOf.slice(0, shared) },
        finite(this.highs, next.rowLower.subarray(0, shared)),
        finite(this.highs, next.rowUpper.subarray(0, shared)),
      );
    }
    if (previous.numRows > next.numRows) {
      // Rows only the previous model had (a tie-break stage's) stay in HiGHS, free.
      const dead = this.rowOf.splice(next.numRows);
      this.handle.changeRowsBounds(
        { kind: 'set', indices: dead },
        new Float64Array(dead.length).fill(-this.highs.infinity),
        new Float64Array(dead.length).fill(this.highs.infinity),
      );
    }
    if (next.numRows > previous.numRows) {
      const from = previous.numRows;
      const base = next.rowStarts[from]!;
      const end = next.rowStarts[next.numRows]!;
      this.handle.addRows({
        lower: finite(this.highs, next.rowLower.slice(from)),
        upper: finite(this.highs, next.rowUpper.slice(from)),
        matrix: {
          format: 'csr',
          numRows: next.numRows - from,
          numCols: this.numCols,
          starts: next.rowStarts.slice(from).map((s) => s - base),
          indices: next.colIndex.slice(base, end),
          values: next.values.slice(base, end),
        },
      });
      for (let i = from; i < next.numRows; i++) this.rowOf.push(this.numRows++);
    }
    this.syncSquares();
  }

  /**
   * Gives every square of the current model an epigraph column made for its q: the one it
   * has, a retired one made for the same q (its cuts still hold), or a new one. Squares that
   * change q retire theirs (cost 0, no upper bound). First cuts go at the last solution or,
   * before any, on a geometric grid ±4^m/4 over the column's range.
   */
  private syncSquares(): void {
    const { model, highs, handle } = this;
    const newCuts: Cut[] = [];
    const key = (j: number, q: number) => `${j}:${q}`;
    for (let j = 0; j < model.numCols; j++) {
      const q = model.colQuad[j]!;
      const lo = model.colLower[j]!;
      const hi = model.colUpper[j]!;
      const zMax = 0.5 * q * Math.max(lo * lo, hi * hi);
      const current = this.epigraphs.get(j);
      if (current && current.q === q) {
        handle.changeColBounds(current.col, 0, zMax);
        continue;
      }
      if (current) {
        handle.changeColCost(current.col, 0);
        handle.changeColBounds(current.col, 0, highs.infinity);
        this.epigraphs.delete(j);
        this.retired.set(key(j, current.q), current);
      }
      if (q === 0) continue;
      let epigraph = this.retired.get(key(j, q));
      if (epigraph) {
        this.retired.delete(key(j, q));
        handle.changeColCost(epigraph.col, 1);
        handle.changeColBounds(epigraph.col, 0, zMax);
      } else {
        handle.addCol(1, 0, zMax, { indices: [], values: [] });
        epigraph = { col: this.numCols++, q, tangents: [] };
        if (!this.lastX) {
          for (let at = 0.25; at <= Math.max(-lo, hi); at *= 4) {
            if (at <= hi) newCuts.push({ j, epigraph: epigraph.col, at });
            if (-at >= lo) newCuts.push({ j, epigraph: epigraph.col, at: -at });
          }
        }
      }
      this.epigraphs.set(j, epigraph);
      const at = this.lastX ? Math.min(hi, Math.max(lo, this.lastX[j]!)) : undefined;
      if (at !== undefined && !epigraph.tangents.some((t) => Math.abs(t - at) <= CUT_POINT_TOLERANCE * (1 + Math.abs(at)))) {
        newCuts.push({ j, epigraph: epigraph.col, at });
      }
    }
    this.addCuts(newCuts);
  }

  /**
   * Cuts at a point the next solution is expected near (a rolling window's last solution shifted
   * by a step), for every square not already cut there: with cuts close to the optimum, the
   * outer approximation needs fewer rounds.
   */
  hint(near: ArrayLike<number>, nearRowDual?: ArrayLike<number>): void {
    this.tangentsAt(near);
    this.guess = { x: Float64Array.from(near), ...(nearRowDual ? { rowDual: Float64Array.from(nearRowDual) } : {}) };
  }

  /** Tangent cuts at `near`, for every square not already cut there. */
  private tangentsAt(near: ArrayLike<number>): void {
    const cuts: Cut[] = [];
    for (const [j, epigraph] of this.epigraphs) {
      const at = Math.min(this.model.colUpper[j]!, Math.max(this.model.colLower[j]!, near[j]!));
      if (!Number.isFinite(at) || epigraph.tangents.some((t) => Math.abs(t - at) <= CUT_POINT_TOLERANCE * (1 + Math.abs(at)))) continue;
      cuts.push({ j, epigraph: epigraph.col, at });
    }
    this.addCuts(cuts);
  }

  /** Tangent cuts z − q·x̂·x_j ≥ −½·q·x̂². */
  private addCuts(cuts: Cut[]): void {
    if (cuts.length === 0) return;
    const n = cuts.length;
    const starts = new Int32Array(n + 1);
    const indices = new Int32Array(2 * n);
    const values = new Float64Array(2 * n);
    const lower = new Float64Array(n);
    cuts.forEach(({ j, epigraph, at }, r) => {
      const q = this.model.colQuad[j]!;
      starts[r + 1] = 2 * (r + 1);
      indices[2 * r] = j;
      values[2 * r] = -q * at;
      indices[2 * r + 1] = epigraph;
      values[2 * r + 1] = 1;
      lower[r] = -0.5 * q * at * at;
      this.epigraphs.get(j)!.tangents.push(at);
      this.cuts.push({ j, epigraph, at, row: this.numRows++ });
    });
    this.handle.addRows({
      lower,
      upper: new Float64Array(n).fill(this.highs.infinity),
      matrix: { format: 'csr', numRows: n, numCols: this.numCols, starts, indices, values },
    });
  }

  solve(options: SolveOptions): SolveOutcome {
    const started = performance.now();
    const { model, handle } = this;
    let iterations = 0;
    const finish = (outcome: Omit<SolveOutcome, 'iterations' | 'solveMs'>): SolveOutcome => ({
      ...outcome,
      iterations,
      solveMs: performance.now() - started,
    });
    try {
      // The last LP solution, should a later round stall (nearly parallel cuts can leave HiGHS
      // undecided): it is kept when its gap is already within ACCEPT_GAP of the objective.
      let last: { x: Float64Array; rowDual: Float64Array; objective: number; gap: number } | undefined;
      let retried = false;
      let firstRoundIterations = 0;
      let extensions = 0;
      // Active sets the exact finish was tried on, and how many times.
      const tried = new Set<string>();
      let finishes = 0;
      let eagerFinishes = 0;
      // An attempt whose LP ran out of iterations: the guesses are far off, no more eager ones.
      let farOff = false;
      let previousKey: string | undefined;
      // HiGHS measures its time limit over all runs since its clock was zeroed: once per solve.
      handle.zeroAllClocks();
      handle.options.set({ time_limit: options.timeLimitSeconds });
      if (globalThis.process?.env.P2PMARKET_TRACE_CUTS) console.error(`solve: ${model.numCols} columns and ${model.numRows} rows; HiGHS holds ${this.numRows} rows (${this.cuts.length} cuts), ${this.numCols} columns`);
      // A rolling window: the previous window's optimum, shifted, proposes the active set before
      // any LP round (its rows and columns at a bound there), corrected as a round's would be.
      const guessed = this.guess;
      this.guess = undefined;
      if (guessed && model.numCols >= GUESS_MIN_COLUMNS && options.exactFinish !== false && !NO_FINISH && !NO_CORRECTION && !NO_GUESS) {
        const active = activeSetAt(model, guessed.x, guessed.rowDual);
        tried.add(activeSetKey(active));
        const { point, corrections } = this.finishFrom(active, tried, started, options.timeLimitSeconds, GUESS_CORRECTIONS, true);
        if (globalThis.process?.env.P2PMARKET_TRACE_CUTS) console.error(`guess: exact finish ${point ? 'done' : 'refused'} after ${corrections} corrections`);
        if (point) {
          iterations += point.iterations;
          const corrected = corrections > 0 ? ` (corrected ${corrections === 1 ? 'once' : `${corrections} times`})` : '';
          return finish({ status: 'optimal', x: point.x, rowDual: point.rowDual, objective: point.objective, message: `the exact finish on the previous window's active set${corrected}, no LP round`, fromHint: true });
        }
      }
      for (let round = 1; ; round++) {
        if (performance.now() - started > 1000 * options.timeLimitSeconds) {
          return finish({ status: 'time_limit', message: `time limit after ${round - 1} rounds` });
        }
        const limited = round > 1 && extensions < MAX_EXTENSIONS;
        handle.options.set({
          simplex_iteration_limit: limited
            ? Math.max(MIN_ROUND_ITERATIONS, ROUND_ITERATION_GROWTH * firstRoundIterations, model.numRows) * 4 ** extensions
            : NO_ITERATION_LIMIT,
        });
        const { modelStatus } = handle.run();
        const roundIterations = Number(handle.info.get('simplex_iteration_count'));
        iterations += roundIterations;
        if (modelStatus === ITERATION_LIMIT_STATUS && limited) {
          if (last && last.gap <= ACCEPT_GAP * Math.max(1, Math.abs(last.objective))) {
            return finish({ status: 'optimal', ...this.keep(last), message: `${round - 1} LP rounds; stopped at gap ${last.gap.toExponential(1)}` });
          }
          // Go on from where it stopped, with a 4× larger limit (a restart from scratch was
          // measured to cost more than the degenerate stretch itself); in the end, unlimited.
          extensions++;
          round--;
          continue;
        }
        extensions = 0;
        if (round === 1) firstRoundIterations = roundIterations;
        const status = STATUS[modelStatus] ?? 'error';
        if (status !== 'optimal' && status !== 'time_limit' && !retried) {
          // Once more from scratch (no basis) before believing it.
          retried = true;
          handle.clearSolver();
          round--;
          continue;
        }
        if (status !== 'optimal' && last && last.gap <= ACCEPT_GAP * Math.max(1, Math.abs(last.objective))) {
          return finish({ status: 'optimal', ...this.keep(last), message: `${round - 1} LP rounds; stopped at gap ${last.gap.toExponential(1)}` });
        }
        if (status === 'infeasible') return finish({ status, conflict: findConflict(this.highs, model) });
        if (status !== 'optimal') return finish({ status, message: `HiGHS ended with model status ${modelStatus}` });

        const solution = handle.getSolution();
        const x = solution.colValue;
        let gap = 0;
        const needCut: number[] = [];
        for (const [j, epigraph] of this.epigraphs) {
          const square = 0.5 * epigraph.q * x[j]! ** 2;
          const below = square - x[epigraph.col]!;
          if (below > 0) gap += below;
          const atTangent = epigraph.tangents.some((at) => Math.abs(at - x[j]!) <= CUT_POINT_TOLERANCE * (1 + Math.abs(x[j]!)));
          if (below > CUT_RELATIVE_TOLERANCE * square + LP_TOLERANCE && !atTangent) needCut.push(j);
        }
        if (globalThis.process?.env.P2PMARKET_TRACE_CUTS) console.error(`round ${round}: gap ${gap} (objective ${(handle.getObjectiveValue() + gap).toPrecision(8)}), ${needCut.length} cuts, ${roundIterations} iterations, ${(performance.now() - started).toFixed(0)} ms`);
        last = { x, rowDual: solution.rowDual, objective: handle.getObjectiveValue() + gap, gap };
        if (needCut.length === 0) return finish({ status: 'optimal', ...this.keep(last), message: `${round} LP round${round > 1 ? 's' : ''}` });
        if (finishes < FINISH_ATTEMPTS && options.exactFinish !== false && !NO_FINISH) {
          const active = activeSet(model, handle.getBasis(), this.rowOf, solution);
          const key = activeSetKey(active);
          const settled = key === previousKey || gap <= FINISH_GAP * Math.max(1, Math.abs(last.objective));
          const eager = !settled && !NO_CORRECTION && round >= FINISH_FROM_ROUND && eagerFinishes < EAGER_ATTEMPTS && !farOff;
          previousKey = key;
          if (globalThis.process?.env.P2PMARKET_TRACE_CUTS && !((settled || eager) && !tried.has(key))) console.error(`round ${round}: no finish (settled ${settled}, eager ${eager}, tried ${tried.has(key)}, finishes ${finishes}, eager finishes ${eagerFinishes}, far off ${farOff})`);
          if ((settled || eager) && !tried.has(key)) {
            tried.add(key);
            if (eager) eagerFinishes++;
            else finishes++;
            // Patient (a longer iteration limit, kkt-finish.ts) on a settled active set only.
            const { point, corrections, unsettled } = this.finishFrom(active, tried, started, options.timeLimitSeconds, CORRECTIONS, false, !eager);
            farOff ||= unsettled;
            if (globalThis.process?.env.P2PMARKET_TRACE_CUTS) console.error(`round ${round}: exact finish ${point ? 'done' : 'refused (the active set is not the optimum\'s)'}`);
            if (point) {
              iterations += point.iterations;
              const corrected = corrections > 0 ? ` (its guess corrected ${corrections === 1 ? 'once' : `${corrections} times`})` : '';
              return finish({ status: 'optimal', x: point.x, rowDual: point.rowDual, objective: point.objective, message: `${round} LP round${round > 1 ? 's' : ''} and the exact finish${corrected}` });
            }
          }
        }
        if (round >= MAX_ROUNDS) return finish({ status: 'error', message: `no convergence after ${MAX_ROUNDS} rounds (gap ${gap})` });
        this.addCuts(this.nextCuts(needCut, x, solution.rowDual));
      }
    } catch (e) {
      return finish({ status: 'error', message: `HiGHS: ${(e as Error).message}` });
    }
  }

  /**
   * The exact finish on `active`, corrected (a primal–dual active-set step, kkt-finish.ts) up to
   * `corrections` times while its LP proves the guess wrong. Each guess tried is added to `tried`.
   * A point found becomes the session's last solution, with tangents at it: the next solve of this
   * session (a rolling window's) starts from an approximation that is exact there. `patient`: the
   * longer iteration limit (kkt-finish.ts, finishIterationLimit), for a guess or a settled set.
   */
  private finishFrom(active: ActiveSet, tried: Set<string>, started: number, timeLimitSeconds: number, corrections: number, fromGuess = false, patient = fromGuess): { point: FinishPoint | undefined; corrections: number; unsettled: boolean } {
    const { model } = this;
    const finisher = (this.finisher ??= new Finisher(this.highs, LP_TOLERANCE));
    const left = () => timeLimitSeconds - (performance.now() - started) / 1000;
    let guess = active;
    if (fromGuess) {
      // A shifted window's active set is usually off in a few places: one correction first costs
      // one LP where a refused finish would cost two (measured on the year's windows: 273–292 ms a
      // window against 296–328 ms).
      const corrected = correctedActiveSet(this.highs, finisher, model, guess, left(), patient);
      if (corrected) {
        guess = corrected;
        tried.add(activeSetKey(guess));
      }
    }
    let point = finishOnActiveSet(this.highs, finisher, model, guess, left(), patient);
    let made = 0;
    for (; !point && finisher.lastOutcome === 'infeasible' && made < corrections && !NO_CORRECTION; made++) {
      const corrected = left() > 0 ? correctedActiveSet(this.highs, finisher, model, guess, left(), patient) : undefined;
      if (!corrected || tried.has(activeSetKey(corrected))) break;
      guess = corrected;
      tried.add(activeSetKey(guess));
      point = finishOnActiveSet(this.highs, finisher, model, guess, left(), patient);
    }
    if (model.numCols >= SMALL_MODEL_COLUMNS) finisher.release();
    if (point) {
      this.lastX = point.x;
      this.tangentsAt(point.x);
    }
    return { point, corrections: made, unsettled: finisher.lastOutcome === 'unsettled' };
  }

  /** The model's part of an LP solution (and the start of the next update's cuts). */
  private keep(solution: { x: Float64Array; rowDual: Float64Array; objective: number }) {
    this.lastX = solution.x.slice(0, this.model.numCols);
    return { x: this.lastX, rowDual: Float64Array.from(this.rowOf, (r) => solution.rowDual[r]!), objective: solution.objective };
  }

  /**
   * Where to cut next: at the LP's point x_j (Kelley's cut, which cuts it off); at the point
   * where the square's slope equals the marginal price the rest of the problem puts on x_j —
   * the dual-weighted mean of the tangent points of the cuts holding z_j up, a Newton-like
   * step; and, while few squares need cuts, at BRACKET_CUTS points spread between the nearest
   * tangent points around x_j. The last matter where the model is flat around the optimum
   * (the LP is then indifferent within the bracket, and Kelley's cuts alone only halve it).
   */
  private nextCuts(needCut: number[], x: Float64Array, rowDual: Float64Array): Cut[] {
    const weight = new Map<number, number>();
    const weighted = new Map<number, number>();
    for (const cut of this.cuts) {
      if (this.epigraphs.get(cut.j)?.col !== cut.epigraph) continue;
      const dual = Math.abs(rowDual[cut.row]!);
      weight.set(cut.j, (weight.get(cut.j) ?? 0) + dual);
      weighted.set(cut.j, (weighted.get(cut.j) ?? 0) + dual * cut.at);
    }
    const bracketCuts = needCut.length <= BRACKET_COLUMNS ? BRACKET_CUTS : MANY_BRACKET_CUTS;
    return needCut.flatMap((j) => {
      const { col: epigraph, tangents } = this.epigraphs.get(j)!;
      const lo = this.model.colLower[j]!;
      const hi = this.model.colUpper[j]!;
      const at = x[j]!;
      const points = [at];
      const w = weight.get(j) ?? 0;
      if (w > 0) points.push(Math.min(hi, Math.max(lo, weighted.get(j)! / w)));
      if (bracketCuts > 0) {
        const left = Math.max(lo, ...tangents.filter((t) => t < at));
        const right = Math.min(hi, ...tangents.filter((t) => t > at));
        for (let k = 1; k <= bracketCuts; k++) points.push(left + ((right - left) * k) / (bracketCuts + 1));
        // The model is often flat around an optimum at 0 (a request met exactly, an idle battery):
        // close in on 0 geometrically too.
        if (left < 0 && right > 0) for (let k = 1; k <= bracketCuts; k++) points.push(at / 4 ** k);
      }
      const distinct = points.filter((p, k) => points.findIndex((o) => Math.abs(o - p) <= 1e-12 * (1 + Math.abs(p))) === k);
      return distinct.map((point): Cut => ({ j, epigraph, at: point }));
    });
  }

  dispose(): void {
    this.finisher?.dispose();
    this.handle.dispose();
  }
}

