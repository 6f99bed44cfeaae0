/**
 * The agents of a simulation, each a subscriber of the event loop's streams:
 * - a prosumer holds its battery state and forecast; when the market clears a window it
 *   applies the first step — its battery absorbs what the realised injection differs from the
 *   forecast, within its limits — and reports its new state in a battery update;
 * - the utility issues its requests and records what it was delivered against them;
 * - the market operator clears, at every timestep, the window of the next `horizonSteps`
 *   steps from the agents' current states, forecasts and requests.
 */
import { InputError } from '../errors.ts';
import { batteryPowerBoundsKw, feasibleBatteryKw, nextSocKwh, snappedSocKwh } from '../network/battery.ts';
import { clearWith, type NegotiationSlot, type SessionSlot } from '../market/clear.ts';
import type { NegotiationReport } from '../admm/result.ts';
import type { ClearingResult } from '../market/result.ts';
import type { ProsumerData } from '../scenario/schema.ts';
import { stepStartHour, type Scenario } from '../scenario/validate.ts';
import { scenarioWindow } from '../scenario/window.ts';
import type { SolverAdapter } from '../solver/adapter.ts';
import type { BatteryUpdateEvent, MarketClearedEvent, RequestEvent, WindowRecord } from './events.ts';
import type { EventLoop } from './loop.ts';

/** What a prosumer did in one step, as it happened. */
export interface ProsumerStep {
  /** The forecast the market cleared on, kW. */
  forecastKw: number;
  realisedKw: number;
  plannedBatteryKw: number;
  batteryKw: number;
  socStartKwh: number | null;
  socEndKwh: number | null;
  /** Realised minus planned net injection, kW. */
  imbalanceKw: number;
}

export class ProsumerAgent {
  readonly id: string;
  /** Current forecast of every step's net injection before the battery, kW. */
  readonly forecastKw: number[];
  socKwh: number | null;
  readonly steps = new Map<number, ProsumerStep>();

  constructor(
    private readonly loop: EventLoop,
    private readonly data: ProsumerData,
    private readonly stepHours: number,
    /** Clock hour at which a step starts. */
    private readonly stepStart: (t: number) => number,
    /** Random error of each step's realisation against the forecast, kW (uncertainty.ts). */
    private readonly errorKw: readonly number[] = [],
  ) {
    this.id = data.id;
    this.forecastKw = [...data.scheduleKw];
    this.socKwh = data.battery?.initialKwh ?? null;
    loop.on('forecastUpdate', (e) => {
      if (e.agent === this.id) e.scheduleKw.forEach((v, k) => (this.forecastKw[e.fromStep + k] = v));
    });
    loop.on('marketCleared', (e) => this.apply(e));
    loop.on('batteryUpdate', (e) => {
      if (e.agent === this.id && this.socKwh !== null) this.socKwh = e.socEndKwh;
    });
  }

  /** Applies the cleared step: the battery covers the forecast error as far as its limits allow. */
  private apply(e: MarketClearedEvent): void {
    const t = e.step;
    const dt = this.stepHours;
    const forecastKw = this.forecastKw[t]!;
    const realisedKw = this.data.realisedKw?.[t] ?? forecastKw + (this.errorKw[t] ?? 0);
    const planned = e.plannedBatteryKw[this.id] ?? 0;
    const battery = this.data.battery;
    let batteryKw = 0;
    // Under the fallback (no cleared window) the battery stays idle, forecast errors or not.
    if (battery && this.socKwh !== null && e.result) {
      // Within its power and energy limits (losses included) and its inverter's.
      const [energyLo, energyHi] = feasibleBatteryKw(battery, this.socKwh, dt);
      const [powerLo, powerHi] = batteryPowerBoundsKw(this.data, t);
      batteryKw = Math.min(energyHi, powerHi, Math.max(energyLo, powerLo, planned + forecastKw - realisedKw));
    }
    const imbalanceKw = realisedKw + batteryKw - (forecastKw + planned);
    // (Snapped onto the battery's limits when within rounding of them: network/battery.ts.)
    const socEndKwh = this.socKwh === null || !battery ? null : snappedSocKwh(battery, nextSocKwh(battery, this.socKwh, batteryKw, dt));
    this.steps.set(t, { forecastKw, realisedKw, plannedBatteryKw: planned, batteryKw, socStartKwh: this.socKwh, socEndKwh, imbalanceKw });
    if (socEndKwh !== null) {
      const update: BatteryUpdateEvent = {
        type: 'batteryUpdate',
        simHour: this.stepStart(t + 1),
        agent: this.id,
        step: t,
        batteryKw,
        socStartKwh: this.socKwh!,
        socEndKwh,
        imbalanceKw,
      };
      this.loop.schedule(update);
    }
  }
}

export interface UtilityStep {
  t: number;
  requestedKw: number;
  priority: number;
  /** What the cleared market planned to deliver, kW. */
  plannedKw: number;
  /** What the prosumers delivered, kW (planned plus their imbalances). */
  deliveredKw: number;
}

export class UtilityAgent {
  readonly targetKw: number[];
  readonly priority: number[];
  /** Every request, as issued (requests.csv). */
  readonly issued: RequestEvent[] = [];
  readonly steps = new Map<number, UtilityStep>();

  constructor(loop: EventLoop, steps: number, requests: RequestEvent[], prosumers: ProsumerAgent[]) {
    this.targetKw = new Array<number>(steps).fill(0);
    this.priority = new Array<number>(steps).fill(0);
    loop.on('request', (e) => {
      this.targetKw[e.step] = e.targetKw;
      this.priority[e.step] = e.priority;
      this.issued.push(e);
    });
    // The plan: every prosumer's forecast plus its planned battery power (`settle` adds the imbalances).
    loop.on('marketCleared', (e) => {
      const plannedKw = prosumers.reduce((s, p) => s + p.forecastKw[e.step]! + (e.plannedBatteryKw[p.id] ?? 0), 0);
      this.steps.set(e.step, { t: e.step, requestedKw: this.targetKw[e.step]!, priority: this.priority[e.step]!, plannedKw, deliveredKw: plannedKw });
    });
    for (const request of requests) loop.schedule(request);
  }

  /** Adds the prosumers' imbalances, once every agent has applied its step. */
  settle(prosumers: ProsumerAgent[]): void {
    for (const step of this.steps.values()) {
      step.deliveredKw = step.plannedKw + prosumers.reduce((s, p) => s + (p.steps.get(step.t)?.imbalanceKw ?? 0), 0);
    }
  }
}

export interface OperatorOptions {
  horizonSteps: number;
  timeLimitSeconds: number;
  /** Names the scenario in input errors (its file). */
  file?: string;
  formulation?: 'auto' | 'full' | 'injections';
}

/** Per-step fields of a window, whose index counts from the window's start. */
const STEP_FIELD = /^(utility\.(?:priority|targetKw)|prosumers\[\d+\]\.(?:scheduleKw|realisedKw))\[(\d+)\]/;

export class MarketOperator {
  readonly windows: WindowRecord[] = [];
  readonly results = new Map<number, ClearingResult>();
  solveMs = 0;
  /** market.clearing "admm": each window's negotiation trace, by its start. */
  readonly negotiations: (Pick<NegotiationReport, 'history' | 'pairTrace'> & { window: number })[] = [];
  /** One solver session per window length: windows of one length share the model's structure. */
  private readonly sessions = new Map<number, SessionSlot>();
  /** The start of the last window of each length. */
  private readonly lastStart = new Map<number, number>();
  /** A negotiation starts from the previous window's prices, shifted by one step. */
  private readonly negotiation: NegotiationSlot = {};

  constructor(
    loop: EventLoop,
    private readonly scenario: Scenario,
    private readonly adapter: SolverAdapter,
    private readonly prosumers: ProsumerAgent[],
    private readonly utility: UtilityAgent,
    private readonly options: OperatorOptions,
  ) {
    loop.on('timestep', ({ simHour, step }) => {
      const window = this.windowScenario(step);
      const result = this.clear(window, step);
      this.solveMs += result.solveMs;
      const cleared = result.status === 'optimal';
      const record: WindowRecord = {
        start: step,
        steps: window.steps,
        status: result.status,
        objective: result.objective,
        socStartKwh: Object.fromEntries(prosumers.filter((p) => p.socKwh !== null).map((p) => [p.id, p.socKwh!])),
        ...(cleared ? {} : { fallback: 'batteries idle', diagnosis: describeDiagnosis(result, step) }),
        ...(result.negotiation
          ? {
              negotiation: {
                converged: result.negotiation.converged,
                iterations: result.negotiation.iterations,
                messages: result.negotiation.messages.sent,
                warmStart: result.negotiation.warmStart,
                objectiveGap: result.negotiation.gaps?.objectiveRelative ?? null,
                maxTradePriceGapPerKwh: result.negotiation.gaps?.maxTradePricePerKwh ?? null,
              },
            }
          : {}),
      };
      if (result.negotiation) this.negotiations.push({ window: step, history: result.negotiation.history, pairTrace: result.negotiation.pairTrace });
      this.windows.push(record);
      if (cleared) this.results.set(step, result);
      const plannedBatteryKw = Object.fromEntries(
        prosumers.map((p, k) => [p.id, cleared ? result.steps[0]!.agents[k]!.batteryKw : 0]),
      );
      loop.schedule({ type: 'marketCleared', simHour, step, window: record, result: cleared ? result : undefined, plannedBatteryKw });
    });
  }

  /** Clears a window; an input error names the scenario's own steps, not the window's. */
  private clear(window: Scenario, start: number): ClearingResult {
    try {
      // The window moves on by one step from the last one of its length (cleared at start − 1).
      const shiftSteps = this.lastStart.get(window.steps) === start - 1 ? 1 : undefined;
      this.lastStart.set(window.steps, start);
      return clearWith(this.adapter, window, { timeLimitSeconds: this.options.timeLimitSeconds, reuse: this.slot(window.steps), negotiation: this.negotiation, ...(shiftSteps ? { shiftSteps } : {}), ...(this.options.formulation ? { formulation: this.options.formulation } : {}), ...(this.options.file ? { file: this.options.file } : {}) });
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      const shift = (path: string) => path.split(', ').map((p) => p.replace(STEP_FIELD, (_m, field: string, k: string) => `${field}[${Number(k) + start}]`)).join(', ');
      throw new InputError(e.file, e.problems.map((q) => ({ path: shift(q.path), message: q.message.replace(/, step (\d+)/g, (_m, k: string) => `, step ${Number(k) + start}`) })));
    }
  }

  /** The session slot of windows of this length. */
  private slot(steps: number): SessionSlot {
    let slot = this.sessions.get(steps);
    if (!slot) this.sessions.set(steps, (slot = {}));
    return slot;
  }

  dispose(): void {
    for (const slot of this.sessions.values()) slot.session?.dispose();
    this.sessions.clear();
  }

  /** The window from `start`: current forecasts, battery states and requests. */
  private windowScenario(start: number): Scenario {
    const { scenario, prosumers, utility } = this;
    const steps = Math.min(this.options.horizonSteps, scenario.steps - start);
    return scenarioWindow(scenario, start, steps, {
      scheduleKw: (k) => prosumers[k]!.forecastKw,
      socKwh: (k) => prosumers[k]!.socKwh,
      targetKw: utility.targetKw,
      priority: utility.priority,
    });
  }
}

/**
 * A window's diagnosis in one line: the message and the first conflicting constraints, their
 * steps told as the simulation's (the window from step 13 calls its first step 0).
 */
function describeDiagnosis(result: ClearingResult, start: number): string {
  const diagnosis = result.diagnosis;
  if (!diagnosis) return result.status;
  const conflicts = diagnosis.conflicts.map((c) => c.replace(/\bstep (\d+)/g, (_, n: string) => `step ${Number(n) + start}`));
  if (conflicts.length === 0) return diagnosis.message;
  const more = conflicts.length > 3 ? ` and ${conflicts.length - 3} more` : '';
  return `${diagnosis.message}: ${conflicts.slice(0, 3).join('; ')}${more}`;
}
