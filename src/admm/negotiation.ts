/**
 * The negotiation as agents exchanging messages on a virtual clock (docs/admm.md, "On the
 * engine"). One MessageLoop per negotiation; every message is an event delivered after its
 * latency (fixed, or uniform in a range drawn from the seed), lost with a probability and then
 * sent again after a timeout until acknowledged. The agents are subscribers:
 *
 * - a **peer** (the utility, each prosumer) solves its local problem (peer.ts) and sends its
 *   proposal for each pair to the pair's keeper, and its injection to the network operator when
 *   the operator meters it; as keeper of its pairs (those with a higher-index counterparty) it
 *   updates each pair from the two proposals (algorithm.ts) and sends the counterparty the
 *   consensus and its price, then reports its pairs' volume and residuals to the coordinator;
 * - the **network operator** projects the metered injections onto the feeder's limits
 *   (operator.ts) and sends each metered peer its injection and network charge;
 * - the **coordinator** sums the volumes into the volume price μ = 2λ·S, takes the residuals'
 *   maxima, balances ρ and says when to stop. It sees aggregates only.
 *
 * Synchronous mode: an agent computes iteration k + 1 once it holds every message of
 * iteration k it needs (a round). Asynchronous mode: agents compute on their own jittered clocks
 * with the latest messages they hold, never more than `maxStaleness` iterations ahead of any of
 * them. With `pairTermination`, a keeper freezes a pair once its residuals stayed within the
 * tolerances for SETTLE_ROUNDS updates: the pair's trade is then fixed for both sides and no
 * message is sent for it any more.
 *
 * Invariants: the loop is the only clock and the seeded generator the only randomness, drawn in
 * event order — the same inputs and seed give the same negotiation, message for message. A peer's
 * data never leaves its PeerProblem; messages carry proposals, prices, injections, charges and
 * aggregates only.
 */
import seedrandom from 'seedrandom';
import { balanceFactor, converged, proximalWeight, tolerances, updatePair, type PairState, type Residuals } from './algorithm.ts';
import { MessageLoop } from './message-loop.ts';
import type { NetworkOperator } from './operator.ts';
import type { AdmmSettings } from './options.ts';
import { PeerProblem } from './peer.ts';
import type { NegotiationSetup, PairSide } from './setup.ts';

/** A pair's updates with residuals within tolerance before it settles (pairTermination). */
export const SETTLE_ROUNDS = 5;
/** Residual balancing: every this many iterations, until half the iteration limit. */
export const BALANCE_EVERY = 25;

type Payload =
  | { kind: 'proposal'; pair: number; saleKw: Float64Array; buyerCostPerKwh: number }
  | { kind: 'price'; pair: number; consensusKw: Float64Array; price: Float64Array; settled: boolean }
  | { kind: 'injection'; injectionKw: Float64Array }
  | { kind: 'charge'; networkKw: Float64Array; charge: Float64Array }
  | { kind: 'report'; source: 'pairs' | 'network'; volumeKw: Float64Array | undefined; residuals: Residuals }
  | { kind: 'coordination'; volumePrice: number; rho: number; primalToleranceKw: number; dualTolerancePerKwh: number; stop: boolean };

export type MessageKind = Payload['kind'];

export interface Envelope {
  id: number;
  from: number;
  to: number;
  /** The sender's iteration the message belongs to. */
  round: number;
  payload: Payload;
}

export type NegotiationEvent =
  | { type: MessageKind; atMs: number; message: Envelope }
  | { type: 'ack'; atMs: number; id: number }
  | { type: 'timeout'; atMs: number; id: number }
  | { type: 'computed'; atMs: number; agent: number };

/** The starting point every agent agrees on: zeros, or the previous window's (warm start). */
export interface NegotiationStart {
  rho: number;
  /** Per pair: z, yI, yJ per step. */
  pairs: PairState[];
  /** Per metered peer (setup.metered order): the operator's Y and η per step. */
  networkKw: Float64Array[];
  networkCharge: Float64Array[];
}

export interface IterationRecord {
  iteration: number;
  timeMs: number;
  primalKw: number;
  dualPerKwh: number;
  primalToleranceKw: number;
  dualTolerancePerKwh: number;
  rho: number;
  volumePrice: number;
  /** Messages sent so far (retransmissions included, acknowledgements apart). */
  messages: number;
}

export interface NegotiationOutcome {
  converged: boolean;
  iterations: number;
  history: IterationRecord[];
  messages: { sent: number; retransmitted: number; lost: number; acknowledgements: number; byKind: Record<string, number> };
  timeMs: number;
  rho: number;
  volumePrice: number;
  /** Final consensus and prices per pair. */
  pairs: PairState[];
  /** Final proposals: per peer, its net injection per step. */
  injectionKw: Float64Array[];
  /** Final operator state per metered peer. */
  networkKw: Float64Array[];
  networkCharge: Float64Array[];
  /** Per step, per bus: the operator's last charges. */
  busCharge: Float64Array[];
  settledPairs: number;
  residuals: Residuals;
}

export class Negotiation {
  readonly loop = new MessageLoop<NegotiationEvent>();
  private readonly rng: seedrandom.PRNG;
  private nextId = 0;
  private readonly pending = new Map<number, Envelope>();
  private readonly seen = new Set<number>();
  private readonly counts = { sent: 0, retransmitted: 0, lost: 0, acknowledgements: 0, byKind: {} as Record<string, number> };
  readonly peers: PeerAgent[];
  readonly operator: OperatorAgent | undefined;
  readonly coordinator: CoordinatorAgent;
  readonly operatorId: number;
  readonly coordinatorId: number;
  private readonly retransmitMs: number;

  constructor(
    readonly setup: NegotiationSetup,
    readonly settings: AdmmSettings,
    network: NetworkOperator | undefined,
    start: NegotiationStart,
    /** Called after every iteration the coordinator closes (an observer: the run's records). */
    readonly observe?: (record: IterationRecord, negotiation: Negotiation) => void,
  ) {
    this.rng = seedrandom(`p2pmarket-admm-${settings.seed}`);
    const A = setup.agents.length;
    this.operatorId = A;
    this.coordinatorId = A + 1;
    const latency = settings.latencyMs;
    const maxLatency = typeof latency === 'number' ? latency : Math.max(latency.minMs, latency.maxMs);
    this.retransmitMs = settings.retransmitMs ?? 2 * maxLatency + 1;
    this.peers = setup.peers.map((data, a) => new PeerAgent(this, a, new PeerProblem(data, setup.steps, setup.stepHours), start));
    this.operator = network && setup.metered.length > 0 ? new OperatorAgent(this, network, start) : undefined;
    this.coordinator = new CoordinatorAgent(this, start.rho);

    const deliver = (event: { message: Envelope }) => {
      const m = event.message;
      if (this.settings.lossProbability > 0) this.acknowledge(m);
      if (this.seen.has(m.id)) return;
      this.seen.add(m.id);
      if (m.to < A) this.peers[m.to]!.receive(m);
      else if (m.to === this.operatorId) this.operator!.receive(m);
      else this.coordinator.receive(m);
    };
    for (const kind of ['proposal', 'price', 'injection', 'charge', 'report', 'coordination'] as const) this.loop.on(kind, deliver);
    this.loop.on('ack', (e) => this.pending.delete(e.id));
    this.loop.on('timeout', (e) => {
      const m = this.pending.get(e.id);
      if (!m) return;
      this.counts.retransmitted++;
      this.transmit(m);
    });
    this.loop.on('computed', (e) => {
      if (e.agent < A) this.peers[e.agent]!.computed();
      else if (e.agent === this.operatorId) this.operator!.computed();
      else this.coordinator.computed();
    });
  }

  get nowMs(): number {
    return this.loop.nowMs;
  }

  get messagesSent(): number {
    return this.counts.sent;
  }

  get asynchronous(): boolean {
    return this.settings.mode === 'asynchronous';
  }

  /** Receivers of the coordinator's broadcast. */
  get participants(): number[] {
    return [...this.peers.map((p) => p.a), ...(this.operator ? [this.operatorId] : [])];
  }

  /** Keepers whose reports the coordinator waits for, and the operator. */
  get reporters(): number[] {
    return [...this.peers.filter((p) => p.kept.length > 0).map((p) => p.a), ...(this.operator ? [this.operatorId] : [])];
  }

  random(): number {
    return this.rng();
  }

  /** The time an agent takes to compute: fixed when synchronous, jittered ×[0.5, 1.5] when asynchronous. */
  computeDelay(): number {
    const base = this.settings.computeMs;
    return this.asynchronous ? base * (0.5 + this.random()) : base;
  }

  schedule(agent: number, delayMs: number): void {
    this.loop.schedule({ type: 'computed', atMs: this.nowMs + delayMs, agent });
  }

  send(from: number, to: number, round: number, payload: Payload): void {
    const message: Envelope = { id: this.nextId++, from, to, round, payload };
    this.counts.byKind[payload.kind] = (this.counts.byKind[payload.kind] ?? 0) + 1;
    if (this.settings.lossProbability > 0) {
      this.pending.set(message.id, message);
    }
    this.transmit(message);
  }

  private latency(): number {
    const l = this.settings.latencyMs;
    if (typeof l === 'number') return l;
    return l.minMs + (l.maxMs - l.minMs) * this.random();
  }

  private transmit(message: Envelope): void {
    this.counts.sent++;
    const loss = this.settings.lossProbability;
    if (loss > 0) this.loop.schedule({ type: 'timeout', atMs: this.nowMs + this.retransmitMs, id: message.id });
    if (loss > 0 && this.random() < loss) {
      this.counts.lost++;
      return;
    }
    this.loop.schedule({ type: message.payload.kind, atMs: this.nowMs + this.latency(), message });
  }

  private acknowledge(message: Envelope): void {
    this.counts.acknowledgements++;
    if (this.random() < this.settings.lossProbability) {
      this.counts.lost++;
      return;
    }
    this.loop.schedule({ type: 'ack', atMs: this.nowMs + this.latency(), id: message.id });
  }

  run(): NegotiationOutcome {
    for (const peer of this.peers) peer.start();
    this.loop.run();
    const c = this.coordinator;
    if (!c.finished) throw new Error(`negotiation: stalled at iteration ${c.round} (no message left to deliver)`);
    const T = this.setup.steps;
    const pairs = this.setup.pairs.map((_, k) => {
      const keeper = this.peers[this.setup.pairs[k]!.i]!;
      const state = keeper.pairState.get(k)!;
      return { z: Float64Array.from(state.z), yI: Float64Array.from(state.yI), yJ: Float64Array.from(state.yJ) };
    });
    return {
      converged: c.converged,
      iterations: c.round,
      history: c.history,
      messages: { ...this.counts, byKind: { ...this.counts.byKind } },
      timeMs: this.nowMs,
      rho: c.rho,
      volumePrice: c.volumePrice,
      pairs,
      injectionKw: this.peers.map((p) => Float64Array.from(p.injectionKw)),
      networkKw: this.operator?.Y.map((y) => Float64Array.from(y)) ?? [],
      networkCharge: this.operator?.eta.map((e) => Float64Array.from(e)) ?? [],
      busCharge: this.operator?.busCharge ?? Array.from({ length: T }, () => new Float64Array(this.setup.feeder.buses.length)),
      settledPairs: this.peers.reduce((s, p) => s + p.kept.filter((k) => p.settled.has(k)).length, 0),
      residuals: c.lastResiduals,
    };
  }
}

interface Coordination {
  round: number;
  volumePrice: number;
  rho: number;
  primalToleranceKw: number;
  dualTolerancePerKwh: number;
  stop: boolean;
}

class PeerAgent {
  readonly sides: readonly PairSide[];
  /** Pairs this peer keeps. */
  readonly kept: number[];
  readonly pairState = new Map<number, PairState>();
  /** Per side: σz and this peer's price y, per step. */
  private readonly consensus: Float64Array[];
  private readonly price: Float64Array[];
  /** Per side: the round of the last price received (non-kept sides). */
  private readonly priceRound: number[];
  private readonly proposals: Float64Array[];
  injectionKw: Float64Array;
  /** Kept pairs: the counterparty's latest proposal, its round and buyer cost. */
  private readonly counterparty = new Map<number, { round: number; saleKw: Float64Array; buyerCostPerKwh: number }>();
  private readonly updatedRound = new Map<number, number>();
  /** Kept pairs: the round of this peer's own proposal their last update used. */
  private readonly mineUsed = new Map<number, number>();
  private readonly calm = new Map<number, number>();
  readonly settled = new Set<number>();
  /** Kept pairs' largest residuals since the last report. */
  private pending: Residuals = { primalKw: 0, dualPerKwh: 0, scaleKw: 0, scalePerKwh: 0 };
  private reportedRound = 0;
  round = 0;
  private computing = false;
  private dirty = false;
  private stopped = false;
  private network: { round: number; Y: Float64Array; eta: Float64Array } | undefined;
  private coordination: Coordination;
  private readonly sideOf = new Map<number, number>();

  constructor(
    private readonly n: Negotiation,
    readonly a: number,
    private readonly problem: PeerProblem,
    start: NegotiationStart,
  ) {
    const { setup } = n;
    const T = setup.steps;
    this.sides = setup.sides[a]!;
    this.kept = this.sides.filter((s) => s.keeper).map((s) => s.pair);
    this.sides.forEach((side, s) => this.sideOf.set(side.pair, s));
    this.consensus = this.sides.map((side) => Float64Array.from(start.pairs[side.pair]!.z, (z) => side.sign * z));
    this.price = this.sides.map((side) => Float64Array.from(side.keeper ? start.pairs[side.pair]!.yI : start.pairs[side.pair]!.yJ));
    this.priceRound = this.sides.map(() => 0);
    this.proposals = this.consensus.map((c) => Float64Array.from(c));
    this.injectionKw = new Float64Array(T);
    for (const side of this.sides) {
      if (!side.keeper) continue;
      const s = start.pairs[side.pair]!;
      this.pairState.set(side.pair, { z: Float64Array.from(s.z), yI: Float64Array.from(s.yI), yJ: Float64Array.from(s.yJ) });
      this.updatedRound.set(side.pair, 0);
    }
    const m = setup.metered.indexOf(a);
    if (m >= 0) this.network = { round: 0, Y: Float64Array.from(start.networkKw[m]!), eta: Float64Array.from(start.networkCharge[m]!) };
    this.coordination = { round: 0, volumePrice: 0, rho: start.rho, primalToleranceKw: 0, dualTolerancePerKwh: 0, stop: false };
  }

  start(): void {
    this.tryCompute();
  }

  private ready(): boolean {
    if (this.stopped || this.computing) return false;
    const r = this.round;
    const s = this.n.settings.maxStaleness;
    if (!this.n.asynchronous) {
      if (this.coordination.round < r) return false;
      if (this.network && this.network.round < r) return false;
      return this.sides.every((side, k) => side.keeper || this.settled.has(side.pair) || this.priceRound[k]! >= r);
    }
    if (r > 0 && !this.dirty) return false;
    if (this.network && this.network.round < r + 1 - s) return false;
    return this.sides.every((side, k) => side.keeper || this.settled.has(side.pair) || this.priceRound[k]! >= r + 1 - s);
  }

  private tryCompute(): void {
    if (!this.ready()) return;
    this.computing = true;
    this.dirty = false;
    this.n.schedule(this.a, this.n.computeDelay());
  }

  computed(): void {
    this.computing = false;
    if (this.stopped) return;
    const rho = this.coordination.rho;
    const free = this.sides.map((side, k) => k).filter((k) => !this.settled.has(this.sides[k]!.pair));
    const fixed = new Float64Array(this.n.setup.steps);
    for (let k = 0; k < this.sides.length; k++) {
      if (!this.settled.has(this.sides[k]!.pair)) continue;
      for (let t = 0; t < fixed.length; t++) fixed[t]! += this.consensus[k]![t]!;
    }
    const proposal = this.problem.solve({
      rho,
      consensusKw: free.map((k) => this.consensus[k]!),
      price: free.map((k) => this.price[k]!),
      fixedKw: fixed,
      ...(this.network ? { networkKw: this.network.Y, networkCharge: this.network.eta } : {}),
    });
    this.round++;
    const r = this.round;
    this.injectionKw = proposal.injectionKw;
    free.forEach((k, f) => (this.proposals[k] = proposal.saleKw[f]!));
    for (const k of free) {
      const side = this.sides[k]!;
      if (side.keeper) continue;
      this.n.send(this.a, side.counterparty, r, { kind: 'proposal', pair: side.pair, saleKw: this.proposals[k]!, buyerCostPerKwh: side.buyerCostPerKwh });
    }
    if (this.network) this.n.send(this.a, this.n.operatorId, r, { kind: 'injection', injectionKw: proposal.injectionKw });
    this.updateKeptPairs();
    if (this.n.asynchronous) {
      this.report(r);
      this.tryCompute();
    }
  }

  receive(m: Envelope): void {
    const p = m.payload;
    switch (p.kind) {
      case 'proposal': {
        const known = this.counterparty.get(p.pair);
        if (!known || m.round > known.round) this.counterparty.set(p.pair, { round: m.round, saleKw: p.saleKw, buyerCostPerKwh: p.buyerCostPerKwh });
        this.dirty = true;
        this.updateKeptPairs();
        break;
      }
      case 'price': {
        const k = this.sideOf.get(p.pair)!;
        if (m.round < this.priceRound[k]!) break;
        this.priceRound[k] = m.round;
        this.consensus[k] = p.consensusKw.map((z) => -z);
        this.price[k] = p.price;
        if (p.settled) this.settled.add(p.pair);
        this.dirty = true;
        break;
      }
      case 'charge': {
        if (!this.network || m.round < this.network.round) break;
        this.network = { round: m.round, Y: p.networkKw, eta: p.charge };
        this.dirty = true;
        break;
      }
      case 'coordination': {
        if (m.round < this.coordination.round) break;
        this.coordination = { round: m.round, volumePrice: p.volumePrice, rho: p.rho, primalToleranceKw: p.primalToleranceKw, dualTolerancePerKwh: p.dualTolerancePerKwh, stop: p.stop };
        if (p.stop) this.stopped = true;
        break;
      }
      default:
        throw new Error(`peer ${this.a}: unexpected ${p.kind}`);
    }
    this.tryCompute();
  }

  /** Updates every kept pair whose two proposals of a new round are in (sync), or whose counterparty sent a new one (async). */
  private updateKeptPairs(): void {
    const n = this.n;
    const { setup } = n;
    for (const pair of this.kept) {
      if (this.settled.has(pair)) continue;
      const theirs = this.counterparty.get(pair);
      if (!theirs) continue;
      const last = this.updatedRound.get(pair)!;
      // Synchronously both proposals of this round; asynchronously a new one from each side since the last update.
      if (n.asynchronous ? theirs.round <= last || this.round <= (this.mineUsed.get(pair) ?? 0) : theirs.round !== this.round || last >= this.round) continue;
      this.mineUsed.set(pair, this.round);
      const k = this.sideOf.get(pair)!;
      const side = this.sides[k]!;
      const state = this.pairState.get(pair)!;
      const c = this.coordination;
      const residuals = updatePair(state, {
        xI: this.proposals[k]!,
        xJ: theirs.saleKw,
        rho: c.rho,
        proximal: proximalWeight(setup.volumeWeight, setup.volumeWeight > 0 ? c.volumePrice / (2 * setup.volumeWeight) : 0, setup.pairs.length * setup.steps),
        volumePrice: c.volumePrice,
        stepHours: setup.stepHours,
        buyerCostJ: theirs.buyerCostPerKwh,
        buyerCostI: side.buyerCostPerKwh,
      });
      this.updatedRound.set(pair, theirs.round);
      this.consensus[k] = Float64Array.from(state.z);
      this.price[k] = Float64Array.from(state.yI);
      this.dirty = true;
      const dt = setup.stepHours;
      let scaleKw = 0;
      let scalePerKwh = 0;
      for (let t = 0; t < state.z.length; t++) {
        scaleKw = Math.max(scaleKw, Math.abs(state.z[t]!));
        scalePerKwh = Math.max(scalePerKwh, Math.abs(state.yI[t]!) / dt, Math.abs(state.yJ[t]!) / dt);
      }
      this.pending = {
        primalKw: Math.max(this.pending.primalKw, residuals.primalKw),
        dualPerKwh: Math.max(this.pending.dualPerKwh, residuals.dualPerKwh),
        scaleKw: Math.max(this.pending.scaleKw, scaleKw),
        scalePerKwh: Math.max(this.pending.scalePerKwh, scalePerKwh),
      };
      let settles = false;
      if (n.settings.pairTermination && c.primalToleranceKw > 0) {
        const calm = residuals.primalKw <= c.primalToleranceKw && residuals.dualPerKwh <= c.dualTolerancePerKwh ? (this.calm.get(pair) ?? 0) + 1 : 0;
        this.calm.set(pair, calm);
        settles = calm >= SETTLE_ROUNDS;
      }
      if (settles) this.settled.add(pair);
      n.send(this.a, side.counterparty, theirs.round, { kind: 'price', pair, consensusKw: Float64Array.from(state.z), price: Float64Array.from(state.yJ), settled: settles });
    }
    if (!n.asynchronous && this.kept.length > 0 && this.reportedRound < this.round && this.kept.every((pair) => this.settled.has(pair) || this.updatedRound.get(pair)! >= this.round)) {
      this.report(this.round);
    }
  }

  private report(round: number): void {
    if (this.kept.length === 0) return;
    this.reportedRound = round;
    const T = this.n.setup.steps;
    const volumeKw = new Float64Array(T);
    for (const pair of this.kept) {
      const z = this.pairState.get(pair)!.z;
      for (let t = 0; t < T; t++) volumeKw[t]! += Math.abs(z[t]!);
    }
    this.n.send(this.a, this.n.coordinatorId, round, { kind: 'report', source: 'pairs', volumeKw, residuals: this.pending });
    this.pending = { primalKw: 0, dualPerKwh: 0, scaleKw: 0, scalePerKwh: 0 };
  }
}

class OperatorAgent {
  readonly Y: Float64Array[];
  readonly eta: Float64Array[];
  busCharge: Float64Array[];
  private readonly latest: { round: number; injectionKw: Float64Array }[];
  /** Per metered peer: the round of the injection the last projection used. */
  private readonly used: number[];
  round = 0;
  private computing = false;
  private dirty = false;
  private stopped = false;
  private coordination = { round: 0, rho: 0 };

  constructor(
    private readonly n: Negotiation,
    private readonly network: NetworkOperator,
    start: NegotiationStart,
  ) {
    const { setup } = n;
    this.Y = start.networkKw.map((y) => Float64Array.from(y));
    this.eta = start.networkCharge.map((e) => Float64Array.from(e));
    this.latest = setup.metered.map(() => ({ round: 0, injectionKw: new Float64Array(setup.steps) }));
    this.used = setup.metered.map(() => 0);
    this.busCharge = Array.from({ length: setup.steps }, () => new Float64Array(setup.feeder.buses.length));
    this.coordination.rho = start.rho;
  }

  receive(m: Envelope): void {
    const p = m.payload;
    if (p.kind === 'injection') {
      const k = this.n.setup.metered.indexOf(m.from);
      if (m.round > this.latest[k]!.round) this.latest[k] = { round: m.round, injectionKw: p.injectionKw };
      this.dirty = true;
    } else if (p.kind === 'coordination') {
      if (m.round >= this.coordination.round) this.coordination = { round: m.round, rho: p.rho };
      if (p.stop) this.stopped = true;
    }
    this.tryCompute();
  }

  private tryCompute(): void {
    if (this.stopped || this.computing) return;
    // Every metered peer's new injection (a projection couples them all), and synchronously ρ of the round before.
    if (!this.dirty || this.latest.some((l, k) => l.round <= this.used[k]!)) return;
    if (!this.n.asynchronous && this.coordination.round < this.round) return;
    this.computing = true;
    this.dirty = false;
    this.n.schedule(this.n.operatorId, this.n.computeDelay());
  }

  computed(): void {
    this.computing = false;
    if (this.stopped) return;
    const { setup } = this.n;
    const rho = this.coordination.rho;
    const T = setup.steps;
    const dt = setup.stepHours;
    const M = setup.metered.length;
    let primal = 0;
    let dual = 0;
    let scaleKw = 0;
    let scalePerKwh = 0;
    for (let t = 0; t < T; t++) {
      const target = Float64Array.from({ length: M }, (_, k) => this.latest[k]!.injectionKw[t]! + this.eta[k]![t]! / rho);
      const projection = this.network.project(t, target, rho);
      this.busCharge[t] = projection.busCharge;
      for (let k = 0; k < M; k++) {
        const P = this.latest[k]!.injectionKw[t]!;
        const Y = projection.injectionKw[k]!;
        dual = Math.max(dual, (rho * Math.abs(Y - this.Y[k]![t]!)) / dt);
        primal = Math.max(primal, Math.abs(P - Y));
        this.Y[k]![t] = Y;
        this.eta[k]![t]! += rho * (P - Y);
        scaleKw = Math.max(scaleKw, Math.abs(Y));
        scalePerKwh = Math.max(scalePerKwh, Math.abs(this.eta[k]![t]!) / dt);
      }
    }
    this.round++;
    this.latest.forEach((l, k) => (this.used[k] = l.round));
    // Each charge carries the round of the injection it answers.
    setup.metered.forEach((a, k) => this.n.send(this.n.operatorId, a, this.latest[k]!.round, { kind: 'charge', networkKw: Float64Array.from(this.Y[k]!), charge: Float64Array.from(this.eta[k]!) }));
    this.n.send(this.n.operatorId, this.n.coordinatorId, this.round, { kind: 'report', source: 'network', volumeKw: undefined, residuals: { primalKw: primal, dualPerKwh: dual, scaleKw, scalePerKwh } });
    if (this.n.asynchronous) this.tryCompute();
  }
}

class CoordinatorAgent {
  readonly history: IterationRecord[] = [];
  round = 0;
  rho: number;
  volumePrice = 0;
  finished = false;
  converged = false;
  lastResiduals: Residuals = { primalKw: Infinity, dualPerKwh: Infinity, scaleKw: 0, scalePerKwh: 0 };
  private readonly reports = new Map<number, { round: number; volumeKw: Float64Array | undefined; residuals: Residuals }>();
  private computing = false;
  private dirty = false;
  private calmTicks = 0;
  private balancedAt = 0;
  private readonly reportedSince = new Set<number>();

  constructor(
    private readonly n: Negotiation,
    rho: number,
  ) {
    this.rho = rho;
  }

  receive(m: Envelope): void {
    const p = m.payload;
    if (p.kind !== 'report') throw new Error(`coordinator: unexpected ${p.kind}`);
    const known = this.reports.get(m.from);
    if (!known || m.round >= known.round) this.reports.set(m.from, { round: m.round, volumeKw: p.volumeKw, residuals: p.residuals });
    this.reportedSince.add(m.from);
    this.dirty = true;
    this.tryCompute();
  }

  private tryCompute(): void {
    if (this.finished || this.computing || !this.dirty) return;
    const reporters = this.n.reporters;
    if (this.n.asynchronous) {
      if (reporters.some((r) => !this.reports.has(r))) return;
    } else if (reporters.some((r) => (this.reports.get(r)?.round ?? 0) < this.round + 1)) return;
    this.computing = true;
    this.dirty = false;
    this.n.schedule(this.n.coordinatorId, this.n.computeDelay());
  }

  computed(): void {
    this.computing = false;
    const { setup, settings } = this.n;
    const reports = this.n.reporters.map((r) => this.reports.get(r)!);
    // Asynchronously: the peers' furthest iteration (the operator counts its own).
    this.round = this.n.asynchronous ? Math.max(this.round, ...this.n.reporters.filter((r) => r !== this.n.operatorId).map((r) => this.reports.get(r)!.round)) : this.round + 1;
    // The volume S = Σ_t Σ_pairs |z| and its price μ = 2λ·S.
    let volume = 0;
    for (const r of reports) if (r.volumeKw) for (const v of r.volumeKw) volume += v;
    const previousPrice = this.volumePrice;
    this.volumePrice = 2 * setup.volumeWeight * volume;
    const residuals: Residuals = {
      primalKw: Math.max(0, ...reports.map((r) => r.residuals.primalKw)),
      dualPerKwh: Math.max(0, ...reports.map((r) => r.residuals.dualPerKwh), Math.abs(this.volumePrice - previousPrice) / setup.stepHours),
      scaleKw: Math.max(0, ...reports.map((r) => r.residuals.scaleKw)),
      scalePerKwh: Math.max(0, ...reports.map((r) => r.residuals.scalePerKwh)),
    };
    this.lastResiduals = residuals;
    const eps = tolerances(residuals, settings.tolerance);
    // Asynchronously, residuals count once every reporter has reported again since they last counted.
    const fresh = !this.n.asynchronous || this.n.reporters.every((r) => this.reportedSince.has(r));
    if (fresh) {
      this.calmTicks = converged(residuals, settings.tolerance) ? this.calmTicks + 1 : 0;
      this.reportedSince.clear();
    }
    // Asynchronously the latest reports may come from different iterations: twice in a row.
    this.converged = this.calmTicks >= (this.n.asynchronous ? 2 : 1);
    const stop = this.converged || this.round >= settings.maxIterations;
    const rhoUsed = this.rho;
    if (!stop && settings.residualBalancing && this.round >= this.balancedAt + BALANCE_EVERY && this.round <= settings.maxIterations / 2) {
      this.rho *= balanceFactor(residuals, settings.tolerance);
      this.balancedAt = this.round;
    }
    const record: IterationRecord = {
      iteration: this.round,
      timeMs: this.n.nowMs,
      primalKw: residuals.primalKw,
      dualPerKwh: residuals.dualPerKwh,
      primalToleranceKw: eps.primalKw,
      dualTolerancePerKwh: eps.dualPerKwh,
      rho: rhoUsed,
      volumePrice: this.volumePrice,
      messages: 0,
    };
    for (const to of this.n.participants) {
      this.n.send(this.n.coordinatorId, to, this.round, { kind: 'coordination', volumePrice: this.volumePrice, rho: this.rho, primalToleranceKw: eps.primalKw, dualTolerancePerKwh: eps.dualPerKwh, stop });
    }
    record.messages = this.n.messagesSent;
    this.history.push(record);
    this.n.observe?.(record, this.n);
    if (stop) {
      this.finished = true;
      this.n.loop.stop();
    }
    this.tryCompute();
  }
}

