/**
 * An AC power flow of a MATPOWER case, independent of p2pmarket's feeder model: the full bus
 * admittance matrix Ybus built from the case's matrices (line charging, bus shunts, taps and
 * phase shifts included), solved by Newton–Raphson in polar coordinates as MATPOWER's runpf
 * does (newtonpf), the Jacobian's linear systems by ml-matrix's LU decomposition.
 *
 * In per unit on baseMVA, with V = Vm·e^{jVa}:
 * - branch (r, x, b, tap τ = ratio·e^{j·shift}, ratio 0 meaning 1): y_s = 1/(r + jx),
 *   Y_tt = y_s + jb/2, Y_ff = Y_tt/|τ|², Y_ft = −y_s/conj(τ), Y_tf = −y_s/τ; a bus shunt adds
 *   (Gs + jBs)/baseMVA to its diagonal;
 * - S_bus = (Σ in-service generators' Pg + jQg − (Pd + jQd))/baseMVA; the mismatch
 *   F = V·conj(Ybus·V) − S_bus, its real part at PV and PQ buses and its imaginary part at PQ
 *   buses, is driven below the tolerance (max |F|, p.u.) by J·Δx = −F, Δx = (ΔVa at PV and PQ
 *   buses, ΔVm at PQ buses), J from ∂S/∂Va = j·diag(V)·conj(diag(I) − Ybus·diag(V)) and
 *   ∂S/∂Vm = diag(V)·conj(Ybus·diag(V/|V|)) + conj(diag(I))·diag(V/|V|);
 * - as MATPOWER's ext2int: isolated buses (type 4), out-of-service branches (status 0) and
 *   generators (status ≤ 0) and everything at an isolated bus are left out; a PV bus without
 *   an in-service generator is a PQ bus; the voltage of generator buses starts at VG.
 * Losses are MATPOWER's (get_losses): Σ baseMVA·|Vf/τ − Vt|²·r/|z|² over in-service branches.
 */
import { LuDecomposition, Matrix } from 'ml-matrix';
import type { MatpowerCaseFile, NumericMatrix } from '../../src/import/matpower-case.ts';

export interface NewtonSolution {
  converged: boolean;
  iterations: number;
  /** Largest |F| at the end, p.u. */
  mismatchPu: number;
  /** Voltage magnitude and angle by bus number (in-service buses). */
  vPu: Map<number, number>;
  angleDeg: Map<number, number>;
  lossKw: number;
}

/** Zero-based columns (MATPOWER's idx_bus, idx_gen, idx_brch). */
const B = { I: 0, TYPE: 1, PD: 2, QD: 3, GS: 4, BS: 5, VM: 7, VA: 8 };
const G = { BUS: 0, PG: 1, QG: 2, VG: 5, STATUS: 7 };
const L = { F: 0, T: 1, R: 2, X: 3, B: 4, TAP: 8, SHIFT: 9, STATUS: 10 };

export function newtonPowerFlow(mpc: MatpowerCaseFile, options: { tolerancePu?: number; maxIterations?: number } = {}): NewtonSolution {
  const tolerance = options.tolerancePu ?? 1e-10;
  const maxIterations = options.maxIterations ?? 20;
  const baseMva = matrix(mpc, 'baseMVA').data[0]!;
  const bus = matrix(mpc, 'bus');
  const gen = matrix(mpc, 'gen');
  const branch = matrix(mpc, 'branch');
  const at = (m: NumericMatrix, r: number, c: number) => m.data[r * m.cols + c]!;

  // In-service buses, renumbered 0…n−1.
  const busRows = Array.from({ length: bus.rows }, (_, r) => r).filter((r) => at(bus, r, B.TYPE) !== 4);
  const index = new Map(busRows.map((r, i) => [at(bus, r, B.I), i]));
  const n = busRows.length;
  const genOn = Array.from({ length: gen.rows }, (_, g) => g).filter((g) => at(gen, g, G.STATUS) > 0 && index.has(at(gen, g, G.BUS)));
  const branchOn = Array.from({ length: branch.rows }, (_, e) => e).filter((e) => at(branch, e, L.STATUS) !== 0 && index.has(at(branch, e, L.F)) && index.has(at(branch, e, L.T)));

  // Ybus (dense), G + jB.
  const yRe = new Float64Array(n * n);
  const yIm = new Float64Array(n * n);
  const add = (i: number, j: number, re: number, im: number) => {
    yRe[i * n + j]! += re;
    yIm[i * n + j]! += im;
  };
  const tapOf = (e: number): [number, number] => {
    const ratio = at(branch, e, L.TAP) === 0 ? 1 : at(branch, e, L.TAP);
    const shift = (at(branch, e, L.SHIFT) * Math.PI) / 180;
    return [ratio * Math.cos(shift), ratio * Math.sin(shift)];
  };
  for (const e of branchOn) {
    const f = index.get(at(branch, e, L.F))!;
    const t = index.get(at(branch, e, L.T))!;
    const [r, x, b] = [at(branch, e, L.R), at(branch, e, L.X), at(branch, e, L.B)];
    const z2 = r * r + x * x;
    const [ysRe, ysIm] = [r / z2, -x / z2];
    const [tRe, tIm] = tapOf(e);
    const t2 = tRe * tRe + tIm * tIm;
    // Y_tt = ys + jb/2; Y_ff = Y_tt/|τ|²; Y_ft = −ys/conj(τ); Y_tf = −ys/τ.
    add(t, t, ysRe, ysIm + b / 2);
    add(f, f, ysRe / t2, (ysIm + b / 2) / t2);
    const [ftRe, ftIm] = divide(-ysRe, -ysIm, tRe, -tIm);
    const [tfRe, tfIm] = divide(-ysRe, -ysIm, tRe, tIm);
    add(f, t, ftRe, ftIm);
    add(t, f, tfRe, tfIm);
  }
  busRows.forEach((r, i) => add(i, i, at(bus, r, B.GS) / baseMva, at(bus, r, B.BS) / baseMva));

  // Bus types, injections, the starting point.
  const hasGen = new Set(genOn.map((g) => index.get(at(gen, g, G.BUS))!));
  const type = busRows.map((r, i) => {
    const t = at(bus, r, B.TYPE);
    return t === 3 && hasGen.has(i) ? 3 : t === 2 && hasGen.has(i) ? 2 : 1;
  });
  const pvpq = type.map((t, i) => (t !== 3 ? i : -1)).filter((i) => i >= 0);
  const pq = type.map((t, i) => (t === 1 ? i : -1)).filter((i) => i >= 0);
  const sRe = busRows.map((r) => -at(bus, r, B.PD) / baseMva);
  const sIm = busRows.map((r) => -at(bus, r, B.QD) / baseMva);
  for (const g of genOn) {
    const i = index.get(at(gen, g, G.BUS))!;
    sRe[i]! += at(gen, g, G.PG) / baseMva;
    sIm[i]! += at(gen, g, G.QG) / baseMva;
  }
  const vm = busRows.map((r) => at(bus, r, B.VM));
  const va = busRows.map((r) => (at(bus, r, B.VA) * Math.PI) / 180);
  for (const g of genOn) {
    const i = index.get(at(gen, g, G.BUS))!;
    if (type[i] !== 1) vm[i] = at(gen, g, G.VG);
  }

  const vRe = new Float64Array(n);
  const vIm = new Float64Array(n);
  const iRe = new Float64Array(n);
  const iIm = new Float64Array(n);
  const mismatch = (): number[] => {
    for (let i = 0; i < n; i++) {
      vRe[i] = vm[i]! * Math.cos(va[i]!);
      vIm[i] = vm[i]! * Math.sin(va[i]!);
    }
    for (let i = 0; i < n; i++) {
      let re = 0;
      let im = 0;
      for (let j = 0; j < n; j++) {
        const [g, b] = [yRe[i * n + j]!, yIm[i * n + j]!];
        re += g * vRe[j]! - b * vIm[j]!;
        im += g * vIm[j]! + b * vRe[j]!;
      }
      iRe[i] = re;
      iIm[i] = im;
    }
    // V·conj(I) − S
    const misRe = (i: number) => vRe[i]! * iRe[i]! + vIm[i]! * iIm[i]! - sRe[i]!;
    const misIm = (i: number) => vIm[i]! * iRe[i]! - vRe[i]! * iIm[i]! - sIm[i]!;
    return [...pvpq.map(misRe), ...pq.map(misIm)];
  };

  let f = mismatch();
  let norm = Math.max(0, ...f.map(Math.abs));
  let iterations = 0;
  while (norm >= tolerance && iterations < maxIterations) {
    iterations++;
    const j = jacobian(n, yRe, yIm, vRe, vIm, iRe, iIm, pvpq, pq);
    const dx = new LuDecomposition(j).solve(Matrix.columnVector(f.map((v) => -v))).to1DArray();
    pvpq.forEach((i, k) => (va[i]! += dx[k]!));
    pq.forEach((i, k) => (vm[i]! += dx[pvpq.length + k]!));
    f = mismatch();
    norm = Math.max(0, ...f.map(Math.abs));
  }

  let lossMw = 0;
  for (const e of branchOn) {
    const fi = index.get(at(branch, e, L.F))!;
    const ti = index.get(at(branch, e, L.T))!;
    const [tRe, tIm] = tapOf(e);
    const [aRe, aIm] = divide(vRe[fi]!, vIm[fi]!, tRe, tIm);
    const [dRe, dIm] = [aRe - vRe[ti]!, aIm - vIm[ti]!];
    const [r, x] = [at(branch, e, L.R), at(branch, e, L.X)];
    lossMw += (baseMva * (dRe * dRe + dIm * dIm) * r) / (r * r + x * x);
  }
  const busNumbers = busRows.map((r) => at(bus, r, B.I));
  return {
    converged: norm < tolerance,
    iterations,
    mismatchPu: norm,
    vPu: new Map(busNumbers.map((b, i) => [b, vm[i]!])),
    angleDeg: new Map(busNumbers.map((b, i) => [b, (va[i]! * 180) / Math.PI])),
    lossKw: lossMw * 1000,
  };
}

/** J = [Re ∂S/∂Va (pvpq, pvpq), Re ∂S/∂Vm (pvpq, pq); Im ∂S/∂Va (pq, pvpq), Im ∂S/∂Vm (pq, pq)]. */
function jacobian(n: number, yRe: Float64Array, yIm: Float64Array, vRe: Float64Array, vIm: Float64Array, iRe: Float64Array, iIm: Float64Array, pvpq: number[], pq: number[]): Matrix {
  const vAbs = Array.from(vRe, (re, i) => Math.hypot(re, vIm[i]!));
  // ∂S_i/∂Va_j and ∂S_i/∂Vm_j as [re, im].
  const dVa = (i: number, j: number): [number, number] => {
    // j·V_i·conj(δ_ij·I_i − Y_ij·V_j)
    let [cRe, cIm] = [-(yRe[i * n + j]! * vRe[j]! - yIm[i * n + j]! * vIm[j]!), -(yRe[i * n + j]! * vIm[j]! + yIm[i * n + j]! * vRe[j]!)];
    if (i === j) [cRe, cIm] = [cRe + iRe[i]!, cIm + iIm[i]!];
    // V_i·conj(c) = (vr + j vi)(cr − j ci); times j: (re, im) → (−im, re)
    const re = vRe[i]! * cRe + vIm[i]! * cIm;
    const im = vIm[i]! * cRe - vRe[i]! * cIm;
    return [-im, re];
  };
  const dVm = (i: number, j: number): [number, number] => {
    // V_i·conj(Y_ij·V_j/|V_j|) + δ_ij·conj(I_i)·V_i/|V_i|
    const [nRe, nIm] = [vRe[j]! / vAbs[j]!, vIm[j]! / vAbs[j]!];
    const [pRe, pIm] = [yRe[i * n + j]! * nRe - yIm[i * n + j]! * nIm, yRe[i * n + j]! * nIm + yIm[i * n + j]! * nRe];
    let re = vRe[i]! * pRe + vIm[i]! * pIm;
    let im = vIm[i]! * pRe - vRe[i]! * pIm;
    if (i === j) {
      const [uRe, uIm] = [vRe[i]! / vAbs[i]!, vIm[i]! / vAbs[i]!];
      re += iRe[i]! * uRe + iIm[i]! * uIm;
      im += iRe[i]! * uIm - iIm[i]! * uRe;
    }
    return [re, im];
  };
  const size = pvpq.length + pq.length;
  const j = Matrix.zeros(size, size);
  pvpq.forEach((bi, r) => {
    pvpq.forEach((bj, c) => j.set(r, c, dVa(bi, bj)[0]));
    pq.forEach((bj, c) => j.set(r, pvpq.length + c, dVm(bi, bj)[0]));
  });
  pq.forEach((bi, r) => {
    pvpq.forEach((bj, c) => j.set(pvpq.length + r, c, dVa(bi, bj)[1]));
    pq.forEach((bj, c) => j.set(pvpq.length + r, pvpq.length + c, dVm(bi, bj)[1]));
  });
  return j;
}

function divide(aRe: number, aIm: number, bRe: number, bIm: number): [number, number] {
  const d = bRe * bRe + bIm * bIm;
  return [(aRe * bRe + aIm * bIm) / d, (aIm * bRe - aRe * bIm) / d];
}

function matrix(mpc: MatpowerCaseFile, name: string): NumericMatrix {
  const value = mpc.fields.get(name);
  if (value?.kind !== 'matrix') throw new Error(`newton: mpc.${name} is not a matrix`);
  return value.matrix;
}
