/**
 * The simulation's events. Every event happens at a simulated hour (`simHour`, the scenario's
 * clock: step t starts at startHour + t·stepHours). Events at the same hour are taken in the
 * order of EVENT_PRIORITY, then in the order they were scheduled:
 *
 *   batteryUpdate   — a prosumer's battery state at the end of a step (so the next clearing sees it)
 *   forecastUpdate  — a prosumer revises its forecast
 *   request         — the utility issues its request for a step
 *   timestep        — a step starts: the market operator clears the window from it
 *   marketCleared   — the window's result; prosumers apply its first step
 */
import type { ClearingResult } from '../market/result.ts';

export interface WindowRecord {
  /** First step of the window. */
  start: number;
  steps: number;
  status: ClearingResult['status'];
  objective: number | null;
  /** Battery states the window started from, kWh. */
  socStartKwh: Record<string, number>;
  /** What happened when the window could not be cleared. */
  fallback?: string;
  diagnosis?: string;
  /** market.clearing "admm": how the window's negotiation went (its per-iteration trace is in the simulation's `negotiations`). */
  negotiation?: {
    converged: boolean;
    iterations: number;
    messages: number;
    warmStart: boolean;
    objectiveGap: number | null;
    maxTradePriceGapPerKwh: number | null;
  };
}

export interface ForecastUpdateEvent {
  type: 'forecastUpdate';
  simHour: number;
  agent: string;
  fromStep: number;
  scheduleKw: number[];
}

export interface RequestEvent {
  type: 'request';
  simHour: number;
  agent: 'utility';
  step: number;
  targetKw: number;
  priority: number;
}

export interface TimestepEvent {
  type: 'timestep';
  simHour: number;
  step: number;
}

export interface MarketClearedEvent {
  type: 'marketCleared';
  simHour: number;
  step: number;
  window: WindowRecord;
  /** The window's clearing (undefined when it failed). */
  result: ClearingResult | undefined;
  /** Planned battery power of each prosumer in this step, kW (0 under the fallback). */
  plannedBatteryKw: Record<string, number>;
}

export interface BatteryUpdateEvent {
  type: 'batteryUpdate';
  simHour: number;
  agent: string;
  step: number;
  /** Realised battery power, kW (positive = discharging). */
  batteryKw: number;
  socStartKwh: number;
  socEndKwh: number;
  /** Realised minus planned net injection that the battery could not absorb, kW. */
  imbalanceKw: number;
}

export type SimEvent = ForecastUpdateEvent | RequestEvent | TimestepEvent | MarketClearedEvent | BatteryUpdateEvent;
export type EventType = SimEvent['type'];
export type EventOf<T extends EventType> = Extract<SimEvent, { type: T }>;

/** Order of simultaneous events (lower first). */
export const EVENT_PRIORITY: Record<EventType, number> = {
  batteryUpdate: 0,
  forecastUpdate: 1,
  request: 2,
  timestep: 3,
  marketCleared: 4,
};

/** A short `key=value` description of an event, for events.csv. */
export function describeEvent(event: SimEvent): { agent: string; detail: string } {
  const n = (v: number) => String(Math.round(v * 1e7) / 1e7);
  switch (event.type) {
    case 'forecastUpdate':
      return { agent: event.agent, detail: `fromStep=${event.fromStep} scheduleKw=${event.scheduleKw.map(n).join(';')}` };
    case 'request':
      return { agent: 'utility', detail: `step=${event.step} targetKw=${n(event.targetKw)} priority=${n(event.priority)}` };
    case 'timestep':
      return { agent: 'market', detail: `step=${event.step}` };
    case 'marketCleared': {
      const w = event.window;
      return {
        agent: 'market',
        detail:
          `step=${event.step} window=${w.start}-${w.start + w.steps - 1} status=${w.status}` +
          (w.objective !== null ? ` objective=${n(w.objective)}` : '') +
          (w.fallback ? ` fallback=${w.fallback}` : ''),
      };
    }
    case 'batteryUpdate':
      return {
        agent: event.agent,
        detail: `step=${event.step} batteryKw=${n(event.batteryKw)} socEndKwh=${n(event.socEndKwh)} imbalanceKw=${n(event.imbalanceKw)}`,
      };
  }
}
