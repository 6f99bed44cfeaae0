/**
 * Batteries with losses never charge and discharge at once. The clearing problem splits a lossy
 * battery's power into charge c and discharge d (b = d − c, problem/build.ts), a relaxation: with
 * η_c·η_d < 1, c and d both positive in one step burn energy (the store gains η_c·c − d/η_d
 * while the bus sees only d − c). Stationarity shows when an optimum may do that: c > 0 needs
 * ρ ≤ η_c·μ and d > 0 needs ρ ≥ μ/η_d (ρ the value of energy at the battery's bus, μ that of
 * stored energy), both only if μ ≤ 0 and ρ ≤ 0 — energy worth nothing or less: a request to
 * absorb more than the batteries can store, negative prices, an over-full battery that must end
 * lower (returnToInitial). So it is not ruled out; it is enforced:
 *
 * after each solve, every step where a battery does both (each above SIMULTANEOUS_KW) gets its
 * direction fixed — the smaller of c and d bounded to 0, so b keeps its sign — and the market is
 * cleared again. That is the optimum among dispatches that use those directions (a restriction of
 * the non-convex problem, whose prices are the duals of that restricted problem); the result says
 * at how many battery-steps it was needed (`solver.batteryDirectionsFixed`).
 */
import type { MarketProblem } from '../problem/build.ts';
import type { LinearModel } from '../problem/model.ts';

/** Charge and discharge both above this (kW) is simultaneous use. */
export const SIMULTANEOUS_KW = 1e-7;

export interface SimultaneousUse {
  agent: string;
  t: number;
  charge: number;
  discharge: number;
}

/** The battery-steps where a lossy battery both charges and discharges in `x`. */
export function simultaneousUse(problem: MarketProblem, x: ArrayLike<number>): SimultaneousUse[] {
  const uses: SimultaneousUse[] = [];
  problem.index.batteryFlow.forEach((flows, t) =>
    flows.forEach((flow, a) => {
      if (flow && x[flow.charge]! > SIMULTANEOUS_KW && x[flow.discharge]! > SIMULTANEOUS_KW) {
        uses.push({ agent: problem.index.agents[a]!, t, charge: flow.charge, discharge: flow.discharge });
      }
    }),
  );
  return uses;
}

/** The model with each use's direction fixed: the smaller of its charge and discharge held at 0. */
export function fixDirections(model: LinearModel, uses: readonly SimultaneousUse[], x: ArrayLike<number>): LinearModel {
  const colUpper = Float64Array.from(model.colUpper);
  for (const { charge, discharge } of uses) colUpper[x[charge]! >= x[discharge]! ? discharge : charge] = 0;
  return { ...model, colUpper };
}
