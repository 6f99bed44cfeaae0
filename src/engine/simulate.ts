/**
 * The rolling-horizon simulation: at every step the market operator clears the window of the
 * next `horizonSteps` steps, the prosumers apply its first step (their batteries absorbing
 * forecast errors as far as they can), their states carry into the next window, and the
 * window slides by one step. Near the end the window shrinks (`horizonEnd: "shrink"`, the
 * default) or the simulation stops once a full window no longer fits (`"stop"`, as the seed
 * did). A window that cannot be cleared is reported and its step runs with idle batteries.
 *
 * Build one with `createSimulation`, subscribe to `simulation.loop`'s streams (events$,
 * timestep$, request$, marketCleared$, batteryUpdate$, forecastUpdate$) and `run()` it.
 */
import { checkScenario } from '../scenario/check.ts';
import { checkClearOptions } from '../market/clear-options.ts';
import { solverAdapter, type SolverName } from '../market/clear.ts';
import type { ClearingStatus, SettlementSummary } from '../market/result.ts';
import type { AcCheck } from '../analysis/ac-check.ts';
import { networkState, report } from '../market/report.ts';
import type { AgentStep, StepResult, TradeRecord } from '../market/result.ts';
import type { NegotiationReport } from '../admm/result.ts';
import { Feeder } from '../network/feeder.ts';
import { stepStartHour, type Scenario } from '../scenario/validate.ts';
import { DEFAULT_SOLVE_OPTIONS, type SolverAdapter } from '../solver/adapter.ts';
import { MarketOperator, ProsumerAgent, UtilityAgent, type UtilityStep } from './agents.ts';
import type { RequestEvent, SimEvent, WindowRecord } from './events.ts';
import { EventLoop } from './loop.ts';
import { forecastErrors } from './uncertainty.ts';

export interface SimulationOptions {
  solver?: SolverName;
  timeLimitSeconds?: number;
  /** The utility's requests; by default those of the scenario (`scenarioRequests`). */
  requests?: RequestEvent[];
  /** Seed of the random forecast errors (`forecastErrorStdKw`); 1 by default. */
  seed?: number;
  /** Names the scenario in input errors (its file). */
  file?: string;
  /** The scenario was validated as it is: skip checking it again (scenario/check.ts; see ClearOptions.checked). */
  checked?: boolean;
  /** How each window is cleared (ClearOptions.formulation): 'auto' by default. */
  formulation?: 'auto' | 'full' | 'injections';
}

export interface SimulatedAgentStep extends AgentStep {
  /** The net injection before the battery as it turned out, kW. */
  realisedKw: number;
  /** What the market planned: forecast plus planned battery power, kW. */
  plannedNetInjectionKw: number;
  /** netInjectionKw − plannedNetInjectionKw: what the battery could not absorb, kW. */
  imbalanceKw: number;
}

/** A realised step. Trades are the contracts the window cleared; imbalances go to the utility. */
export interface SimulatedStep extends Omit<StepResult, 'agents'> {
  windowStart: number;
  agents: SimulatedAgentStep[];
  utilityImbalanceKw: number;
}

export interface SimulationResult {
  scenario: string;
  status: ClearingStatus;
  /** Seed of the random forecast errors. */
  seed: number;
  horizonSteps: number;
  horizonEnd: 'shrink' | 'stop';
  /** Solver time of all windows, ms. */
  solveMs: number;
  windows: WindowRecord[];
  steps: SimulatedStep[];
  utility: UtilityStep[];
  requests: RequestEvent[];
  events: SimEvent[];
  /** The AC power flow of every realised step against the linear model (simulate --ac-check). */
  acCheck?: AcCheck;
  /** Who paid whom over the realised steps (simulate; settlement.ts), without settlement.csv's rows. */
  settlement?: SettlementSummary;
  /** market.clearing "admm": each window's negotiation trace (negotiation.csv; not in result.json). */
  negotiations?: (Pick<NegotiationReport, 'history' | 'pairTrace'> & { window: number })[];
}

/** The requests a scenario makes: its schedule, issued at the start, then its request events. */
export function scenarioRequests(scenario: Scenario): RequestEvent[] {
  const { utility, startHour } = scenario;
  return [
    ...utility.targetKw.map((targetKw, step): RequestEvent => ({
      type: 'request',
      simHour: startHour,
      agent: 'utility',
      step,
      targetKw,
      priority: utility.priority[step]!,
    })),
    ...(utility.requestEvents ?? []).map((e): RequestEvent => ({
      type: 'request',
      simHour: e.atHour,
      agent: 'utility',
      step: e.step,
      targetKw: e.targetKw,
      priority: e.priority,
    })),
  ];
}

/** The last step a simulation of `scenario` realises: every step, or those from which a full window fits (horizonEnd "stop"). */
export function lastRealisedStep(scenario: Pick<Scenario, 'steps' | 'horizonSteps' | 'horizonEnd'>): number {
  return scenario.horizonEnd === 'stop' ? scenario.steps - (scenario.horizonSteps ?? scenario.steps) : scenario.steps - 1;
}

export class Simulation {
  readonly loop = new EventLoop();
  readonly prosumers: ProsumerAgent[];
  readonly utility: UtilityAgent;
  readonly operator: MarketOperator;
  readonly horizonSteps: number;
  /** The steps the simulation applies: all, or those from which a full window fits. */
  readonly lastStep: number;
  readonly seed: number;
  private readonly events: SimEvent[] = [];

  constructor(
    private readonly scenario: Scenario,
    adapter: SolverAdapter,
    options: SimulationOptions = {},
  ) {
    const { steps, stepHours } = scenario;
    this.horizonSteps = scenario.horizonSteps ?? steps;
    this.lastStep = lastRealisedStep(scenario);
    const loop = this.loop;
    loop.events$.subscribe((e) => this.events.push(e));
    this.seed = options.seed ?? 1;
    const errors = forecastErrors(scenario, this.seed);
    this.prosumers = scenario.prosumers.map(
      (p, k) => new ProsumerAgent(loop, p, stepHours, (t) => stepStartHour(scenario, t), errors[k]),
    );
    this.utility = new UtilityAgent(loop, steps, options.requests ?? scenarioRequests(scenario), this.prosumers);
    this.operator = new MarketOperator(loop, scenario, adapter, this.prosumers, this.utility, {
      horizonSteps: this.horizonSteps,
      timeLimitSeconds: options.timeLimitSeconds ?? DEFAULT_SOLVE_OPTIONS.timeLimitSeconds,
      ...(options.file ? { file: options.file } : {}),
      ...(options.formulation ? { formulation: options.formulation } : {}),
    });
    scenario.prosumers.forEach((p) =>
      (p.forecastUpdates ?? []).forEach((u) =>
        loop.schedule({ type: 'forecastUpdate', simHour: u.atHour, agent: p.id, fromStep: u.fromStep, scheduleKw: u.scheduleKw }),
      ),
    );
    for (let t = 0; t <= this.lastStep; t++) loop.schedule({ type: 'timestep', simHour: stepStartHour(scenario, t), step: t });
  }

  run(): SimulationResult {
    try {
      this.loop.run();
    } finally {
      this.operator.dispose();
    }
    this.utility.settle(this.prosumers);
    const windows = this.operator.windows;
    const failed = windows.find((w) => w.status !== 'optimal');
    return {
      scenario: this.scenario.name,
      status: failed?.status ?? 'optimal',
      seed: this.seed,
      horizonSteps: this.horizonSteps,
      horizonEnd: this.scenario.horizonEnd,
      solveMs: this.operator.solveMs,
      windows,
      steps: this.realisedSteps(),
      utility: [...this.utility.steps.values()],
      requests: this.utility.issued,
      events: this.events,
      ...(this.operator.negotiations.length > 0 ? { negotiations: this.operator.negotiations } : {}),
    };
  }

  private realisedSteps(): SimulatedStep[] {
    const { scenario } = this;
    const feeder = new Feeder(scenario.network);
    const steps: SimulatedStep[] = [];
    for (let t = 0; t <= this.lastStep; t++) {
      const applied = this.prosumers.map((agent) => agent.steps.get(t)!);
      const network = networkState(feeder, scenario.prosumers, applied.map((a) => a.realisedKw + a.batteryKw), t);
      const cleared = this.operator.results.get(t)?.steps[0];
      const trades: TradeRecord[] = cleared?.trades ?? [];
      const agents = scenario.prosumers.map((p, k): SimulatedAgentStep => {
        const a = applied[k]!;
        return {
          id: p.id,
          bus: p.bus,
          scheduleKw: a.forecastKw,
          netInjectionKw: report(a.realisedKw + a.batteryKw),
          batteryKw: report(a.batteryKw),
          socStartKwh: a.socStartKwh === null ? null : report(a.socStartKwh),
          socEndKwh: a.socEndKwh === null ? null : report(a.socEndKwh),
          voltagePu: network.voltagePu[feeder.busIndex(p.bus)]!,
          // The price of the window's clearing that settled this step.
          marginalPricePerKwh: cleared?.agents[k]?.marginalPricePerKwh ?? null,
          realisedKw: report(a.realisedKw),
          plannedNetInjectionKw: report(a.forecastKw + a.plannedBatteryKw),
          imbalanceKw: report(a.imbalanceKw),
        };
      });
      const utility = this.utility.steps.get(t)!;
      steps.push({
        t,
        startHour: stepStartHour(scenario, t),
        hours: scenario.stepHours,
        windowStart: t,
        utilityReceiptKw: report(utility.deliveredKw),
        utilityTargetKw: utility.requestedKw,
        utilityPriority: utility.priority,
        utilityImbalanceKw: report(utility.deliveredKw - utility.plannedKw),
        utilityPricePerKwh: cleared?.utilityPricePerKwh ?? null,
        agents,
        trades,
        // The nodal prices of the window's clearing that settled this step.
        buses: network.buses.map((bus) => ({ ...bus, nodalPricePerKwh: cleared?.buses.find((b) => b.id === bus.id)?.nodalPricePerKwh ?? null })),
        lines: network.lines,
      });
    }
    return steps;
  }
}

/** A simulation ready to run; a scenario built or changed in code is checked first as a file is. */
export async function createSimulation(scenario: Scenario, options: SimulationOptions = {}): Promise<Simulation> {
  checkClearOptions(options, 'simulate options');
  const checked = options.checked ? scenario : checkScenario(scenario, options.file);
  return new Simulation(checked, await solverAdapter(options.solver ?? 'highs'), options);
}

export async function simulate(scenario: Scenario, options: SimulationOptions = {}): Promise<SimulationResult> {
  return (await createSimulation(scenario, options)).run();
}
