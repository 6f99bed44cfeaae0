/**
 * Prices from the clearing's duals, in currency per kWh (objective units per kWh when the
 * objective is not money).
 *
 * - **Marginal price of an agent**, ρ[a,t] = −y[a,t]/Δt, y being the dual of its trade balance
 *   (Σ_j p[a,j,t] − P[a,t] = 0): what one more kWh delivered to the agent in step t is worth to
 *   the market. A delivery a→b that is used satisfies ρ[b] = ρ[a] + (fee + b's preference for a)
 *   + μ/Δt, μ the marginal trade-volume penalty (stationarity of the delivery).
 * - **Trade price**: the reciprocity multiplier of the pair, recovered from the two sides'
 *   stationarity with every cost of a delivery borne by its buyer — the seller receives its own
 *   marginal price, price = ρ[seller]; the buyer pays price + fee per kWh, and its preference and
 *   the volume penalty are its own (non-monetary) costs.
 * - **Nodal price** of a bus, λ[k,t] = ρ[utility,t] + Σ_r y_r·e_{r,k}/Δt: the value of one more
 *   kWh injected at bus k and sold to the utility — the energy price at the substation plus what
 *   the injection does to every binding voltage and flow limit (e_{r,k} is row r's coefficient of
 *   a 1-kW injection at k; see NetworkRow). At the slack λ = ρ[utility]; a prosumer that trades
 *   freely with the utility has a marginal cost (net of its battery's value) equal to its bus's λ.
 *
 * Duals are not unique when the problem is degenerate (a kink of a piecewise-linear term exactly
 * at the optimum, a battery at a limit with a linear cost, …). The set of all optimal duals is a
 * polytope (`dualFace`); a random direction over every price tells, with probability one, whether
 * the prices are unique on it. When they are not, each price's range over the polytope is found
 * by linear programming and the **midpoint of its range** is reported (a documented, solver-
 * independent rule; the midpoints keep every equality between prices, such as ρ[b] = ρ[a] + fee of
 * a used delivery). Ranges are computed for up to MAX_RANGED_PRICES prices.
 */
import seedrandom from 'seedrandom';
import type { Feeder } from '../network/feeder.ts';
import type { MarketProblem } from '../problem/build.ts';
import { ModelBuilder, rowActivities, type Entry, type LinearModel } from '../problem/model.ts';
import type { SolveOutcome, SolverAdapter, SolverSession } from '../solver/adapter.ts';

/** Up to this many free duals the face's equalities are checked by elimination before any LP. */
export const MAX_ELIMINATION_DUALS = 150;
/** Beyond this many prices (agents and buses × steps) the ranges of non-unique ones are not computed. */
export const MAX_RANGED_PRICES = 2000;
/** Prices closer than this (relative to 1 + |price|) count as equal. */
export const PRICE_TOLERANCE = 1e-6;

export interface PriceRange {
  t: number;
  /** 'agent' (a marginal price, and the trade prices of its sales) or 'bus' (a nodal price). */
  kind: 'agent' | 'bus';
  id: string;
  min: number;
  max: number;
}

export interface PriceReport {
  /** 'unique', 'not unique' (see `nonUnique`), or 'not checked (…)'. */
  uniqueness: string;
  /** The rule by which a reported price was picked where it is not unique. */
  rule: string;
  /** The prices that are not unique, with their ranges. */
  nonUnique: PriceRange[];
}

export interface Prices {
  /** agent[t][a], currency per kWh (index as MarketIndex.agents). */
  agent: number[][];
  /** bus[t][k], currency per kWh (index as the feeder's buses). */
  bus: number[][];
  report: PriceReport;
}

export const PRICE_RULE = 'where a price is not unique, the midpoint of its range over all optimal duals';

/** A price as a linear function of the duals y: Σ coefficient·y[row]. */
type PriceForm = Entry[];

/**
 * Each agent's trade-balance dual as a linear form in the model's row duals, per step and agent:
 * by default its own trade-balance row; a model without those rows (problem/injection-space.ts)
 * says how it is made up.
 */
export type AgentDualForms = Entry[][][];

/** The prices of the solver's own duals, without the uniqueness check (ClearOptions.checkPrices false). */
export function solverPrices(problem: MarketProblem, feeder: Feeder, stepHours: number, rowDual: Float64Array): Prices {
  return split(evaluate(priceForms(problem, feeder, stepHours), rowDual), problem, feeder, { uniqueness: 'not checked (checkPrices off): the solver\'s duals', rule: PRICE_RULE, nonUnique: [] });
}

/** Every price's value at the duals y. */
function evaluate(forms: readonly PriceForm[], y: ArrayLike<number>): number[] {
  return forms.map((form) => form.reduce((sum, [row, c]) => sum + c * y[row]!, 0));
}

/** Per step: the agents' prices, then the buses'. */
function split(values: number[], problem: MarketProblem, feeder: Feeder, report: PriceReport): Prices {
  const A = problem.index.agents.length;
  const B = feeder.buses.length;
  const agent: number[][] = [];
  const bus: number[][] = [];
  for (let t = 0; t < problem.index.tradeBalance.length; t++) {
    agent.push(values.slice(t * (A + B), t * (A + B) + A));
    bus.push(values.slice(t * (A + B) + A, (t + 1) * (A + B)));
  }
  return { agent, bus, report };
}

export function marketPrices(
  adapter: SolverAdapter,
  problem: MarketProblem,
  feeder: Feeder,
  stepHours: number,
  optimum: Float64Array,
  rowDual: Float64Array,
  timeLimitSeconds: number,
  /** Try the elimination shortcut (equalitiesPinEveryDual) before the LPs. */
  eliminate = true,
  agentDual?: AgentDualForms,
): Prices {
  const forms = priceForms(problem, feeder, stepHours, agentDual);
  const values = evaluate(forms, rowDual);
  const { index } = problem;
  const A = index.agents.length;
  const B = feeder.buses.length;
  const reportOf = (report: PriceReport): Prices => split(values, problem, feeder, report);

  let face: LinearModel;
  try {
    face = dualFace(problem.model, optimum, rowDual);
  } catch (e) {
    return reportOf({ uniqueness: `not checked (${(e as Error).message})`, rule: PRICE_RULE, nonUnique: [] });
  }
  // The LPs run over the duals that peeling leaves free (with `eliminate`), the others at their
  // values on the face: measured on the year's windows, 60–200 columns instead of some 1,850, and
  // 1 ms instead of 30. Their solutions are given back as whole duals.
  const lpFace = eliminate ? restOfFace(face, rowDual) : { model: face, columns: undefined };
  // One session, re-solved warm as only the objective changes.
  let session: SolverSession | undefined;
  const solveFace = (weights: Float64Array): SolveOutcome => {
    const cost = new Float64Array(face.numCols);
    forms.forEach((form, p) => {
      for (const [row, c] of form) cost[row]! += weights[p]! * c;
    });
    const { columns } = lpFace;
    const model = { ...lpFace.model, colCost: columns ? Float64Array.from(columns, (j) => cost[j]!) : cost };
    try {
      if (session) session.update(model);
      else session = adapter.open(model);
      const outcome = session.solve({ timeLimitSeconds });
      if (!columns || !outcome.x) return outcome;
      const y = Float64Array.from(rowDual);
      columns.forEach((j, c) => (y[j] = outcome.x![c]!));
      return { ...outcome, x: y };
    } catch (e) {
      return { status: 'error', iterations: 0, solveMs: 0, message: (e as Error).message };
    }
  };
  try {
    return rangePrices();
  } finally {
    session?.dispose();
  }

  function rangePrices(): Prices {
    // First without LPs: if the face's equalities pin every free dual, the prices are unique.
    if (eliminate && equalitiesPinEveryDual(face)) return reportOf({ uniqueness: 'unique', rule: PRICE_RULE, nonUnique: [] });
    // A fixed random direction (the same on every run): max and min of w·prices over the face.
    const random = seedrandom('p2pmarket prices');
    const w = Float64Array.from(forms, () => random() - 0.5);
    const low = solveFace(w);
    const high = solveFace(w.map((v) => -v));
    if (low.status !== 'optimal' || high.status !== 'optimal' || !low.x || !high.x) {
      return reportOf({ uniqueness: `not checked (the set of optimal duals: ${low.status}/${high.status})`, rule: PRICE_RULE, nonUnique: [] });
    }
    const lowValues = evaluate(forms, low.x);
    const highValues = evaluate(forms, high.x);
    const differs = lowValues.map((v, p) => Math.abs(v - highValues[p]!) > PRICE_TOLERANCE * (1 + Math.abs(v)));
    if (!differs.some(Boolean)) return reportOf({ uniqueness: 'unique', rule: PRICE_RULE, nonUnique: [] });

    const describe = (p: number) => {
      const t = Math.floor(p / (A + B));
      const k = p % (A + B);
      return k < A ? { t, kind: 'agent' as const, id: index.agents[k]! } : { t, kind: 'bus' as const, id: feeder.buses[k - A]!.id };
    };
    const nonUnique: PriceRange[] = [];
    const ranged = forms.length <= MAX_RANGED_PRICES;
    // Prices of the same form over the face's free duals (the duals of inactive rows are 0 on
    // it) share their range: each distinct form is ranged once. (In a step where every pair
    // trades freely all agents share one price, and buses behind no binding limit the utility's.)
    const ranges = new Map<string, { min: number; max: number }>();
    const evaluateOne = (form: PriceForm, y: ArrayLike<number>) => form.reduce((sum, [row, c]) => sum + c * y[row]!, 0);
    forms.forEach((form, p) => {
      let min = Math.min(lowValues[p]!, highValues[p]!);
      let max = Math.max(lowValues[p]!, highValues[p]!);
      if (ranged) {
        const key = formKey(form, face);
        let range = ranges.get(key);
        if (!range) {
          range = { min, max };
          if (key !== '') {
            const unit = new Float64Array(forms.length);
            unit[p] = 1;
            const down = solveFace(unit);
            unit[p] = -1;
            const up = solveFace(unit);
            if (down.x) range.min = Math.min(range.min, evaluateOne(form, down.x));
            if (up.x) range.max = Math.max(range.max, evaluateOne(form, up.x));
          }
          ranges.set(key, range);
        }
        min = Math.min(min, range.min);
        max = Math.max(max, range.max);
      } else if (!differs[p]) return;
      if (max - min > PRICE_TOLERANCE * (1 + Math.abs(min))) {
        nonUnique.push({ ...describe(p), min, max });
        values[p] = (min + max) / 2;
      }
    });
    return reportOf({
      uniqueness: ranged ? 'not unique' : `not unique (ranges not computed beyond ${MAX_RANGED_PRICES} prices: those shown are at least this wide)`,
      rule: PRICE_RULE,
      nonUnique,
    });
  }
}

/** A price form over the face's free duals only (merged, sorted), as a key: '' for a constant 0. */
function formKey(form: PriceForm, face: LinearModel): string {
  const merged = new Map<number, number>();
  for (const [row, c] of form) {
    if (face.colLower[row] === 0 && face.colUpper[row] === 0) continue;
    merged.set(row, (merged.get(row) ?? 0) + c);
  }
  return [...merged].filter(([, c]) => c !== 0).sort((a, b) => a[0] - b[0]).map(([row, c]) => `${row}:${c}`).join(' ');
}

/**
 * Every price as a linear form in the duals, step by step: the agents' marginal prices, then the
 * buses' nodal prices (see the module's comment).
 */
function priceForms(problem: MarketProblem, feeder: Feeder, dt: number, agentDual?: AgentDualForms): PriceForm[] {
  const { index } = problem;
  const forms: PriceForm[] = [];
  index.tradeBalance.forEach((balance, t) => {
    const dual = agentDual?.[t] ?? balance.map((row): Entry[] => [[row, 1]]);
    const agentForm = (a: number): PriceForm => dual[a]!.map(([row, c]): Entry => [row, -c / dt]);
    balance.forEach((_, a) => forms.push(agentForm(a)));
    const congestion = feeder.buses.map(() => [] as Entry[]);
    for (const ref of index.networkRows[t]!) {
      if (ref.kind === 'busBalance') congestion[ref.bus]!.push([ref.row, 1]);
      else if (ref.kind === 'lineFlow') {
        for (const m of feeder.subtree(feeder.lines[ref.line]!.to)) congestion[m]!.push([ref.row, -1]);
      } else {
        const sens = feeder.voltageSensitivity(ref.bus);
        sens.buses.forEach((m, k) => congestion[m]!.push([ref.row, sens.dvdpPerKw[k]! / ref.scale]));
      }
    }
    for (const bus of feeder.buses) {
      forms.push([...agentForm(0), ...congestion[bus.index]!.map(([row, c]): Entry => [row, c / dt])]);
    }
  });
  return forms;
}

/**
 * The polytope of all optimal duals y of `model` (minimise f(x) = c·x + ½·Σ q·x², convex), given
 * an optimal x and the solver's duals (which lie on it): stationarity g − Aᵀy = z with
 * g = c + q·x, z ≥ 0 on columns at their lower bound, ≤ 0 at their upper, 0 in between; y ≥ 0 on
 * rows at their lower bound, ≤ 0 at their upper, 0 when inactive, free on equalities. It is an
 * LP feasibility region over y: the columns of the returned model are the duals, boxed (every
 * column bounded) at BOX times the largest solver dual.
 */
function dualFace(model: LinearModel, x: Float64Array, rowDual: Float64Array): LinearModel {
  const activity = rowActivities(model, x);
  const near = (a: number, b: number) => Number.isFinite(b) && Math.abs(a - b) <= 1e-7 * Math.max(1, Math.abs(b));
  const box = 1e3 * (1 + rowDual.reduce((m, y) => Math.max(m, Math.abs(y)), 0));
  // The face's columns are the market's rows (their duals), its rows the market's columns: each
  // keeps the other's name (hence the casts), for diagnostics only.
  const mb = new ModelBuilder();
  for (let r = 0; r < model.numRows; r++) {
    const lo = model.rowLower[r]!;
    const hi = model.rowUpper[r]!;
    const name = model.rowNames[r]!;
    if (lo === hi) mb.addCol(name as never, -box, box);
    else if (near(activity[r]!, lo) || rowDual[r]! > 1e-9) mb.addCol(name as never, 0, box);
    else if (near(activity[r]!, hi) || rowDual[r]! < -1e-9) mb.addCol(name as never, -box, 0);
    else mb.addCol(name as never, 0, 0);
  }
  // Aᵀ: the rows of each column.
  const byCol: Entry[][] = Array.from({ length: model.numCols }, () => []);
  for (let r = 0; r < model.numRows; r++) {
    for (let k = model.rowStarts[r]!; k < model.rowStarts[r + 1]!; k++) byCol[model.colIndex[k]!]!.push([r, model.values[k]!]);
  }
  // The solver's own duals must lie on it. They satisfy stationarity to its tolerances only, so
  // each row is centred on them — the polytope is moved by that residual, not reshaped — after
  // checking the residual is small.
  let worst = 0;
  for (let j = 0; j < model.numCols; j++) {
    const lo = model.colLower[j]!;
    const hi = model.colUpper[j]!;
    if (lo === hi || byCol[j]!.length === 0) continue;
    const g = model.colCost[j]! + model.colQuad[j]! * x[j]!;
    const atLo = near(x[j]!, lo);
    const atHi = near(x[j]!, hi);
    if (atLo && atHi) continue;
    const s = byCol[j]!.reduce((sum, [r, a]) => sum + a * rowDual[r]!, 0);
    // (Aᵀy)_j = g − z, z ≥ 0 at the lower bound, ≤ 0 at the upper, 0 in between.
    const residual = atLo ? s - g : atHi ? g - s : Math.abs(s - g);
    worst = Math.max(worst, residual / Math.max(1, Math.abs(g)));
    const eps = 1e-12 * Math.max(1, Math.abs(g));
    if (atLo) mb.addRow(model.colNames[j] as never, -Infinity, Math.max(g, s) + eps, byCol[j]!);
    else if (atHi) mb.addRow(model.colNames[j] as never, Math.min(g, s) - eps, Infinity, byCol[j]!);
    else mb.addRow(model.colNames[j] as never, s - eps, s + eps, byCol[j]!);
  }
  if (worst > 1e-5) throw new Error(`the solver's duals are not stationary at its solution (residual ${worst.toExponential(1)})`);
  const face = mb.build();
  return face;
}

/** The face's equality rows (both sides finite and equal to 1e-9). */
function isEquality(face: LinearModel, i: number): boolean {
  const lo = face.rowLower[i]!;
  const hi = face.rowUpper[i]!;
  return Number.isFinite(lo) && Number.isFinite(hi) && hi - lo <= 1e-9 * Math.max(1, Math.abs(lo));
}

/**
 * Peeling: an equality with a single dual not yet determined determines it; repeat. Linear in the
 * entries, it settles most of a market — end-of-horizon energies pin the battery duals, those the
 * schedules', those the trade balances', … — at any size. Returns which free duals it pinned.
 */
function peel(face: LinearModel, position: Int32Array, n: number): Uint8Array {
  const open = new Int32Array(face.numRows); // undetermined free duals in each equality
  const rowsOf: number[][] = Array.from({ length: n }, () => []);
  const queue: number[] = [];
  for (let i = 0; i < face.numRows; i++) {
    if (!isEquality(face, i)) continue;
    for (let k = face.rowStarts[i]!; k < face.rowStarts[i + 1]!; k++) {
      const at = position[face.colIndex[k]!]!;
      if (at < 0 || face.values[k] === 0) continue;
      open[i]!++;
      rowsOf[at]!.push(i);
    }
    if (open[i] === 1) queue.push(i);
  }
  const pinned = new Uint8Array(n);
  while (queue.length > 0) {
    const i = queue.pop()!;
    if (open[i] !== 1) continue;
    for (let k = face.rowStarts[i]!; k < face.rowStarts[i + 1]!; k++) {
      const at = position[face.colIndex[k]!]!;
      if (at < 0 || face.values[k] === 0 || pinned[at]) continue;
      pinned[at] = 1;
      for (const r of rowsOf[at]!) if (--open[r]! === 1) queue.push(r);
    }
  }
  return pinned;
}

/** The face's duals not fixed to 0 (`free`, and each column's place among them or −1), and those peeling pins. */
function peeled(face: LinearModel): { free: number[]; position: Int32Array; pinned: Uint8Array } {
  const free: number[] = [];
  const position = new Int32Array(face.numCols).fill(-1);
  for (let j = 0; j < face.numCols; j++) {
    if (face.colLower[j] === 0 && face.colUpper[j] === 0) continue;
    position[j] = free.length;
    free.push(j);
  }
  return { free, position, pinned: peel(face, position, free.length) };
}

/**
 * The face over the duals peeling leaves free, the others at their only values on it — `y`'s, a
 * point of the face (the solver's duals): a row loses their terms to its bounds, and a row left
 * with none holds already. `columns`: the face column of each of its columns.
 */
function restOfFace(face: LinearModel, y: ArrayLike<number>): { model: LinearModel; columns: Int32Array } {
  const { free, position, pinned } = peeled(face);
  const place = new Int32Array(face.numCols).fill(-1);
  const columns: number[] = [];
  const mb = new ModelBuilder();
  free.forEach((j, at) => {
    if (pinned[at]) return;
    place[j] = columns.length;
    columns.push(j);
    mb.addCol(face.colNames[j]!, face.colLower[j]!, face.colUpper[j]!);
  });
  for (let i = 0; i < face.numRows; i++) {
    const entries: Entry[] = [];
    let known = 0;
    for (let k = face.rowStarts[i]!; k < face.rowStarts[i + 1]!; k++) {
      const j = face.colIndex[k]!;
      if (place[j]! >= 0) entries.push([place[j]!, face.values[k]!]);
      else known += face.values[k]! * y[j]!;
    }
    if (entries.length > 0) mb.addRow(face.rowNames[i]!, face.rowLower[i]! - known, face.rowUpper[i]! - known, entries);
  }
  return { model: mb.build(), columns: Int32Array.from(columns) };
}

/**
 * Whether the face's equality rows alone fix every dual that is not fixed to 0 — their rank
 * equals the number of those duals — so that the face is one point and every price is unique.
 * Peeling, then Gaussian elimination with partial pivoting on a dense copy of what peeling left,
 * up to MAX_ELIMINATION_DUALS of them (microseconds to milliseconds, where the two LPs it saves
 * cost milliseconds on the seed's case and 0.1 s on the 33-bus day); false when more are left or
 * they are not of full rank (the LPs then decide).
 */
export function equalitiesPinEveryDual(face: LinearModel): boolean {
  // Peel first; what peeling leaves (the duals of binding network limits, typically) is
  // eliminated densely, the pinned duals being known constants.
  const { free, position, pinned } = peeled(face);
  if (free.length === 0) return true;
  const rest = new Int32Array(free.length).fill(-1);
  let n = 0;
  for (let at = 0; at < free.length; at++) if (!pinned[at]) rest[at] = n++;
  if (n === 0) return true;
  if (n > MAX_ELIMINATION_DUALS) return false;
  const rows: Float64Array[] = [];
  for (let i = 0; i < face.numRows; i++) {
    if (!isEquality(face, i)) continue;
    const row = new Float64Array(n);
    let scale = 0;
    for (let k = face.rowStarts[i]!; k < face.rowStarts[i + 1]!; k++) {
      const at = position[face.colIndex[k]!]!;
      if (at < 0 || rest[at]! < 0) continue;
      row[rest[at]!] = face.values[k]!;
      scale = Math.max(scale, Math.abs(face.values[k]!));
    }
    if (scale > 0) rows.push(row.map((v) => v / scale));
  }
  if (rows.length < n) return false;
  let rank = 0;
  for (let c = 0; c < n && rank < rows.length; c++) {
    let pivot = rank;
    for (let r = rank + 1; r < rows.length; r++) if (Math.abs(rows[r]![c]!) > Math.abs(rows[pivot]![c]!)) pivot = r;
    if (Math.abs(rows[pivot]![c]!) <= 1e-9) continue;
    [rows[rank], rows[pivot]] = [rows[pivot]!, rows[rank]!];
    const top = rows[rank]!;
    for (let r = rank + 1; r < rows.length; r++) {
      const row = rows[r]!;
      const factor = row[c]! / top[c]!;
      if (factor === 0) continue;
      for (let k = c; k < n; k++) row[k]! -= factor * top[k]!;
    }
    rank++;
  }
  return rank === n;
}

/**
 * How far duals y are from being optimal duals of `model` at its optimal x: the worst residual
 * of stationarity g − Aᵀy = z (g = c + q·x; z ≥ 0 on a column at its lower bound, ≤ 0 at its
 * upper, 0 in between), relative to 1 + |g|, and of the rows' signs (y ≥ 0 on a row at its lower
 * side, ≤ 0 at its upper, 0 when inactive), relative to 1 + the largest |y|. dualFace asks the
 * same of the solver's own duals; the clearing asks it of the full model's duals when they were
 * derived from the injection-space model's (problem/injection-space.ts).
 */
export function dualResidual(model: LinearModel, x: ArrayLike<number>, rowDual: ArrayLike<number>): number {
  const activity = rowActivities(model, x);
  const near = (a: number, b: number) => Number.isFinite(b) && Math.abs(a - b) <= 1e-7 * Math.max(1, Math.abs(b));
  const aty = new Float64Array(model.numCols);
  let largest = 0;
  for (let r = 0; r < model.numRows; r++) largest = Math.max(largest, Math.abs(rowDual[r]!));
  let worst = 0;
  for (let r = 0; r < model.numRows; r++) {
    const y = rowDual[r]!;
    for (let k = model.rowStarts[r]!; k < model.rowStarts[r + 1]!; k++) aty[model.colIndex[k]!]! += model.values[k]! * y;
    const lo = model.rowLower[r]!;
    const hi = model.rowUpper[r]!;
    if (lo === hi) continue;
    const wrong = (near(activity[r]!, lo) ? 0 : Math.max(y, 0)) + (near(activity[r]!, hi) ? 0 : Math.max(-y, 0));
    worst = Math.max(worst, wrong / (1 + largest));
  }
  for (let j = 0; j < model.numCols; j++) {
    const lo = model.colLower[j]!;
    const hi = model.colUpper[j]!;
    if (lo === hi) continue;
    const g = model.colCost[j]! + model.colQuad[j]! * x[j]!;
    const z = g - aty[j]!;
    const wrong = (near(x[j]!, lo) ? 0 : Math.max(z, 0)) + (near(x[j]!, hi) ? 0 : Math.max(-z, 0));
    worst = Math.max(worst, wrong / (1 + Math.abs(g)));
  }
  return worst;
}
