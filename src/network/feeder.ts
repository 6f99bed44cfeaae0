/**
 * The radial feeder model: buses ordered from the slack outwards, one line feeding each
 * non-slack bus, per-unit impedances, and the LinDistFlow expressions built from the tree
 * (no hard-coded sizes, no matrix inversion).
 *
 * LinDistFlow (formulation.md, 19c–19d), with bus injections P, Q in kW / kvar
 * (injection positive):
 * - the flow on the line feeding bus k, positive from parent to child, is
 *   f_k = −Σ_{m ∈ subtree(k)} P_m (and likewise for reactive power);
 * - the squared voltage magnitude is v_k = v_0 + 2·Σ_{m} (R_km·P_m + X_km·Q_m)/S_base with
 *   R_km (X_km) the per-unit resistance (reactance) of the path the root paths of k and m share.
 */
import type { Scenario } from '../scenario/validate.ts';

export interface FeederLine {
  /** Index of the line; line k feeds bus `to`. */
  index: number;
  from: number;
  to: number;
  fromId: string;
  toId: string;
  rPu: number;
  xPu: number;
  /** Active-power flow limit |f| ≤ maxKw, kW; undefined when unlimited. */
  maxKw: number | undefined;
}

export interface FeederBus {
  id: string;
  index: number;
  /** Index of the parent bus; -1 for the slack. */
  parent: number;
  /** Index of the line feeding this bus; -1 for the slack. */
  line: number;
  depth: number;
}

/** A bus's sensitivity of v to every bus injection: v_k = v_0 + Σ_m (dvdp[m]·P_m + dvdq[m]·Q_m), P in kW. */
export interface VoltageSensitivity {
  readonly buses: readonly number[];
  /** ∂v/∂P_m, p.u.² per kW. */
  readonly dvdpPerKw: readonly number[];
  /** ∂v/∂Q_m, p.u.² per kvar. */
  readonly dvdqPerKvar: readonly number[];
}

export class Feeder {
  /** Buses in breadth-first order from the slack (every parent before its children). */
  readonly buses: FeederBus[];
  readonly lines: FeederLine[];
  readonly slack: number;
  readonly zBaseOhm: number;
  readonly baseKva: number;
  readonly v0: number;
  readonly vMinSq: number;
  readonly vMaxSq: number;
  private readonly byId: Map<string, number>;
  private readonly subtrees: number[][];
  private readonly children: number[][];
  /** Bus indices in the order of the scenario file's `network.buses` (for reports). */
  readonly fileOrder: readonly number[];
  /** Line indices in the order of the scenario file's `network.lines` (for reports). */
  readonly lineFileOrder: readonly number[];
  private readonly sensitivities = new Map<number, VoltageSensitivity>();
  private readonly loads: { bus: number; pKw: number; qKvar: number; profile: readonly number[] | undefined }[];

  constructor(network: Scenario['network']) {
    this.baseKva = network.baseKva;
    // Z_base = V_base² / S_base with V in volts and S in volt-amperes.
    this.zBaseOhm = ((network.baseKv * 1000) ** 2) / (network.baseKva * 1000);
    this.v0 = network.slackVoltagePu ** 2;
    this.vMinSq = network.vMinPu ** 2;
    this.vMaxSq = network.vMaxPu ** 2;

    const childLines = new Map<string, Scenario['network']['lines']>();
    for (const line of network.lines) childLines.set(line.from, [...(childLines.get(line.from) ?? []), line]);

    this.buses = [];
    this.lines = [];
    this.byId = new Map();
    const addBus = (id: string, parent: number, line: number, depth: number) => {
      this.byId.set(id, this.buses.length);
      this.buses.push({ id, index: this.buses.length, parent, line, depth });
    };
    addBus(network.slack, -1, -1, 0);
    for (let i = 0; i < this.buses.length; i++) {
      const bus = this.buses[i]!;
      for (const line of childLines.get(bus.id) ?? []) {
        const lineIndex = this.lines.length;
        this.lines.push({
          index: lineIndex,
          from: i,
          to: this.buses.length,
          fromId: line.from,
          toId: line.to,
          rPu: line.rOhm / this.zBaseOhm,
          xPu: line.xOhm / this.zBaseOhm,
          maxKw: line.maxKw,
        });
        addBus(line.to, i, lineIndex, bus.depth + 1);
      }
    }
    if (this.buses.length !== network.buses.length) {
      throw new Error('feeder: the network is not a tree rooted at the slack (validate the scenario first)');
    }
    this.slack = 0;
    this.children = this.buses.map(() => []);
    for (const bus of this.buses) if (bus.parent >= 0) this.children[bus.parent]!.push(bus.index);
    this.fileOrder = network.buses.map((id) => this.busIndex(id));
    this.lineFileOrder = network.lines.map((line) => this.buses[this.busIndex(line.to)]!.line);
    this.loads = network.loads.map((load) => ({
      bus: this.busIndex(load.bus),
      pKw: load.injectionKw,
      qKvar: load.injectionKvar,
      profile: load.profile ?? network.loadProfile,
    }));

    // Subtrees, children after parents in BFS order: accumulate from the leaves up.
    this.subtrees = this.buses.map((b) => [b.index]);
    for (let i = this.buses.length - 1; i > 0; i--) {
      const parent = this.buses[i]!.parent;
      this.subtrees[parent]!.push(...this.subtrees[i]!);
    }
    for (const s of this.subtrees) s.sort((a, b) => a - b);
  }

  busIndex(id: string): number {
    const i = this.byId.get(id);
    if (i === undefined) throw new Error(`feeder: unknown bus "${id}"`);
    return i;
  }

  /** Buses fed through bus k, k included. */
  subtree(k: number): readonly number[] {
    return this.subtrees[k]!;
  }

  /** Buses fed directly from bus k. */
  childrenOf(k: number): readonly number[] {
    return this.children[k]!;
  }

  /** Whether the network has fixed loads. */
  get hasLoads(): boolean {
    return this.loads.length > 0;
  }

  /**
   * The fixed (non-market) injections at every bus in step t (kW, kvar; loads negative): each
   * load's peak injection times its profile's entry for t.
   */
  fixedInjections(t: number): { pKw: number[]; qKvar: number[] } {
    const pKw = this.buses.map(() => 0);
    const qKvar = this.buses.map(() => 0);
    for (const load of this.loads) {
      const factor = load.profile ? load.profile[t]! : 1;
      pKw[load.bus]! += factor * load.pKw;
      qKvar[load.bus]! += factor * load.qKvar;
    }
    return { pKw, qKvar };
  }

  /** Buses within `maxHops` lines of bus k (k included), in increasing index order. */
  busesWithin(k: number, maxHops: number): number[] {
    const found = new Set([k]);
    let frontier = [k];
    for (let hop = 0; hop < maxHops && frontier.length > 0; hop++) {
      const next: number[] = [];
      for (const b of frontier) {
        const bus = this.buses[b]!;
        for (const n of bus.parent >= 0 ? [bus.parent, ...this.children[b]!] : this.children[b]!) {
          if (!found.has(n)) {
            found.add(n);
            next.push(n);
          }
        }
      }
      frontier = next;
    }
    return [...found].sort((a, b) => a - b);
  }

  /** Lines on the path from the slack to bus k. */
  pathLines(k: number): number[] {
    const path: number[] = [];
    for (let b = k; b !== this.slack; b = this.buses[b]!.parent) path.push(this.buses[b]!.line);
    return path.reverse();
  }

  /**
   * Electrical distance between buses a and b: Σ|z| (Ω) of the lines on the path between them
   * (the lines on one root path and not on the other).
   */
  electricalDistanceOhm(a: number, b: number): number {
    const onA = new Set(this.pathLines(a));
    const onB = new Set(this.pathLines(b));
    let ohm = 0;
    for (const line of [...onA].filter((l) => !onB.has(l)).concat([...onB].filter((l) => !onA.has(l)))) {
      const { rPu, xPu } = this.lines[line]!;
      ohm += Math.hypot(rPu, xPu) * this.zBaseOhm;
    }
    return ohm;
  }

  /**
   * Dense (path-matrix) LinDistFlow sensitivities of bus k: for every line on its root path,
   * the line's impedance counts for every bus downstream of that line.
   */
  voltageSensitivity(k: number): VoltageSensitivity {
    // The same for every step and every use (the model's voltage rows, the prices): computed once a bus.
    let known = this.sensitivities.get(k);
    if (!known) this.sensitivities.set(k, (known = this.computeVoltageSensitivity(k)));
    return known;
  }

  private computeVoltageSensitivity(k: number): VoltageSensitivity {
    const r = new Map<number, number>();
    const x = new Map<number, number>();
    for (const l of this.pathLines(k)) {
      const line = this.lines[l]!;
      for (const m of this.subtree(line.to)) {
        r.set(m, (r.get(m) ?? 0) + line.rPu);
        x.set(m, (x.get(m) ?? 0) + line.xPu);
      }
    }
    const buses = [...r.keys()].sort((a, b) => a - b);
    return {
      buses,
      dvdpPerKw: buses.map((m) => (2 * r.get(m)!) / this.baseKva),
      dvdqPerKvar: buses.map((m) => (2 * x.get(m)!) / this.baseKva),
    };
  }

  /**
   * Line flows (kW and kvar, positive from parent to child) and squared voltages (p.u.²) of the
   * LinDistFlow model for given bus injections — a sweep from the leaves to the slack and back.
   */
  linearPowerFlow(pKw: readonly number[], qKvar: readonly number[]): { flowKw: number[]; flowKvar: number[]; vSq: number[] } {
    const n = this.buses.length;
    const downP = Array.from(pKw);
    const downQ = Array.from(qKvar);
    for (let i = n - 1; i > 0; i--) {
      const parent = this.buses[i]!.parent;
      downP[parent]! += downP[i]!;
      downQ[parent]! += downQ[i]!;
    }
    const flowKw = this.lines.map((l) => -downP[l.to]!);
    const flowKvar = this.lines.map((l) => -downQ[l.to]!);
    const vSq = new Array<number>(n).fill(this.v0);
    for (let i = 1; i < n; i++) {
      const bus = this.buses[i]!;
      const line = this.lines[bus.line]!;
      vSq[i] = vSq[bus.parent]! - (2 * (line.rPu * flowKw[line.index]! + line.xPu * flowKvar[line.index]!)) / this.baseKva;
    }
    return { flowKw, flowKvar, vSq };
  }
}
