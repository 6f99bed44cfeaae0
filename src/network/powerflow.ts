/**
 * AC power flow of a radial feeder by the backward/forward sweep (the standard method for
 * radial distribution networks: Shirmohammadi et al. 1988; Baran & Wu 1989 use the same
 * branch equations).
 *
 * In per unit on the feeder's bases, with complex bus voltages V and bus injections
 * S = P + jQ (injection positive):
 * 1. injected currents I_k = conj(S_k / V_k);
 * 2. backward: the current of the line feeding bus k, parent → child, is
 *    J_k = −I_k + Σ_{children c} J_c (leaves first);
 * 3. forward: V_k = V_parent − Z_k·J_k (slack first, held at its set voltage);
 * until no voltage moves by more than the tolerance. The sweep converges in a handful of
 * iterations on feeders with realistic loading; near voltage collapse it diverges, and we
 * say so instead of printing a result.
 */
import type { Feeder } from './feeder.ts';

export interface PowerFlowOptions {
  /** Largest change of any complex bus voltage between two iterations at convergence, p.u. */
  tolerancePu?: number;
  maxIterations?: number;
}

export const DEFAULT_POWER_FLOW = { tolerancePu: 1e-10, maxIterations: 100 } as const;

export interface LineFlowAc {
  /** Active and reactive power entering the line at its sending (parent) end. */
  pKw: number;
  qKvar: number;
  /** I²·r and I²·x of the line. */
  lossKw: number;
  lossKvar: number;
  currentPu: number;
}

export interface PowerFlowSolution {
  converged: boolean;
  iterations: number;
  /** Largest voltage change in the last iteration, p.u. */
  mismatchPu: number;
  /** Voltage magnitude and angle of every bus, by feeder bus index. */
  vPu: number[];
  angleDeg: number[];
  /** By feeder line index. */
  lines: LineFlowAc[];
  lossKw: number;
  lossKvar: number;
  /** What the slack supplies: Σ losses − Σ injections. */
  slackKw: number;
  slackKvar: number;
}

/** Voltages below this (p.u.) mean the sweep is collapsing: stop and report non-convergence. */
const COLLAPSE_PU = 0.2;

export function acPowerFlow(
  feeder: Feeder,
  pKw: readonly number[],
  qKvar: readonly number[],
  options: PowerFlowOptions = {},
): PowerFlowSolution {
  const tolerance = options.tolerancePu ?? DEFAULT_POWER_FLOW.tolerancePu;
  const maxIterations = options.maxIterations ?? DEFAULT_POWER_FLOW.maxIterations;
  const n = feeder.buses.length;
  const sBase = feeder.baseKva;
  const vSlack = Math.sqrt(feeder.v0);
  const vRe = new Float64Array(n).fill(vSlack);
  const vIm = new Float64Array(n);
  const jRe = new Float64Array(n); // current of the line feeding bus k (index by bus)
  const jIm = new Float64Array(n);
  const sRe = pKw.map((p) => p / sBase);
  const sIm = qKvar.map((q) => q / sBase);

  let iterations = 0;
  let mismatch = Infinity;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    // Backward sweep: J_k = −conj(S_k/V_k) + Σ children, leaves first (reverse BFS order).
    for (let k = n - 1; k >= 1; k--) {
      const d = vRe[k]! * vRe[k]! + vIm[k]! * vIm[k]!;
      // conj(S/V) = conj(S)·V/|V|²
      const iRe = (sRe[k]! * vRe[k]! + sIm[k]! * vIm[k]!) / d;
      const iIm = (sRe[k]! * vIm[k]! - sIm[k]! * vRe[k]!) / d;
      jRe[k] = jRe[k]! - iRe;
      jIm[k] = jIm[k]! - iIm;
      const parent = feeder.buses[k]!.parent;
      if (parent > 0) {
        jRe[parent] = jRe[parent]! + jRe[k]!;
        jIm[parent] = jIm[parent]! + jIm[k]!;
      }
    }
    // Forward sweep.
    mismatch = 0;
    let collapsed = false;
    for (let k = 1; k < n; k++) {
      const bus = feeder.buses[k]!;
      const line = feeder.lines[bus.line]!;
      const re = vRe[bus.parent]! - (line.rPu * jRe[k]! - line.xPu * jIm[k]!);
      const im = vIm[bus.parent]! - (line.rPu * jIm[k]! + line.xPu * jRe[k]!);
      mismatch = Math.max(mismatch, Math.hypot(re - vRe[k]!, im - vIm[k]!));
      vRe[k] = re;
      vIm[k] = im;
      if (!(Math.hypot(re, im) > COLLAPSE_PU)) collapsed = true;
    }
    if (collapsed || !Number.isFinite(mismatch)) break;
    if (mismatch < tolerance) {
      converged = true;
      break;
    }
    if (iterations < maxIterations) {
      jRe.fill(0);
      jIm.fill(0);
    }
  }

  const lines = feeder.lines.map((line): LineFlowAc => {
    const k = line.to;
    const from = line.from;
    // S_send = V_from · conj(J)
    const pPu = vRe[from]! * jRe[k]! + vIm[from]! * jIm[k]!;
    const qPu = vIm[from]! * jRe[k]! - vRe[from]! * jIm[k]!;
    const i2 = jRe[k]! ** 2 + jIm[k]! ** 2;
    return { pKw: pPu * sBase, qKvar: qPu * sBase, lossKw: i2 * line.rPu * sBase, lossKvar: i2 * line.xPu * sBase, currentPu: Math.sqrt(i2) };
  });
  const lossKw = lines.reduce((s, l) => s + l.lossKw, 0);
  const lossKvar = lines.reduce((s, l) => s + l.lossKvar, 0);
  return {
    converged,
    iterations,
    mismatchPu: mismatch,
    vPu: Array.from(vRe, (re, k) => Math.hypot(re, vIm[k]!)),
    angleDeg: Array.from(vRe, (re, k) => (Math.atan2(vIm[k]!, re) * 180) / Math.PI),
    lines,
    lossKw,
    lossKvar,
    slackKw: lossKw - pKw.reduce((s, p) => s + p, 0),
    slackKvar: lossKvar - qKvar.reduce((s, q) => s + q, 0),
  };
}
