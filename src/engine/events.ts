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

/** The columns of events.csv: every event's own fields, empty where an event has none. */
export const EVENT_FIELDS = [
  'step', 'fromStep', 'scheduleKw', 'targetKw', 'priority', 'windowStart', 'windowSteps', 'status', 'objective', 'fallback',
  'batteryKw', 'socStartKwh', 'socEndKwh', 'imbalanceKw',
] as const;
export type EventField = (typeof EVENT_FIELDS)[number];

/** An event as one tidy row (events.csv): who, and its fields; a forecast revision's values joined by spaces. */
export function eventRecord(event: SimEvent): { agent: string } & Partial<Record<EventField, string | number>> {
  const n = (v: number) => Math.round(v * 1e7) / 1e7;
  switch (event.type) {
    case 'forecastUpdate':
      return { agent: event.agent, fromStep: event.fromStep, scheduleKw: event.scheduleKw.map(n).join(' ') };
    case 'request':
      return { agent: 'utility', step: event.step, targetKw: n(event.targetKw), priority: n(event.priority) };
    case 'timestep':
      return { agent: 'market', step: event.step };
    case 'marketCleared': {
      const w = event.window;
      return {
        agent: 'market',
        step: event.step,
        windowStart: w.start,
        windowSteps: w.steps,
        status: w.status,
        ...(w.objective !== null ? { objective: n(w.objective) } : {}),
        ...(w.fallback ? { fallback: w.fallback } : {}),
      };
    }
    case 'batteryUpdate':
      return { agent: event.agent, step: event.step, batteryKw: n(event.batteryKw), socStartKwh: n(event.socStartKwh), socEndKwh: n(event.socEndKwh), imbalanceKw: n(event.imbalanceKw) };
  }
}
