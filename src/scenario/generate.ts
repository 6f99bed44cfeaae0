/**
 * Synthetic radial feeders with prosumers, for tests and benchmarks: the same size and
 * seed always give the same scenario. Buses are numbered "0" (slack) to "N-1"; each new bus
 * hangs off the previous one most of the time (long feeders) and off a random earlier bus
 * otherwise (laterals). Schedules are a PV bell over the day minus a load with morning and
 * evening peaks.
 */
import seedrandom from 'seedrandom';
import type { ScenarioInput } from './schema.ts';

export interface GeneratorOptions {
  buses: number;
  seed: number | string;
  steps?: number;
  stepHours?: number;
  /** Prosumers, one per bus from bus 1 on (default: one on every non-slack bus). */
  prosumers?: number;
  /** Put the prosumers on every k-th bus (1, 1+k, 1+2k, …) instead of buses 1, 2, 3, … (default 1). */
  prosumerSpacing?: number;
  /** A fixed load on every non-slack bus, drawn in [lo, hi] kW (0.6 kvar per kW), following a daily profile. */
  loadKw?: [number, number];
  tradeGraph?: 'all' | 'pool' | 'utility' | { maxHops: number };
  linearForm?: 'auto' | 'dense' | 'sparse';
  /** Voltage limits, p.u. (default 0.9–1.1). */
  vMinPu?: number;
  vMaxPu?: number;
  /** Share of prosumers with a battery (default 1). */
  batteryShare?: number;
  /** Line flow limit, kW (default: none). */
  lineMaxKw?: number;
  tradeVolumeWeight?: number;
  penaltyNorm?: 'l2' | 'l1';
  tieBreak?: 'quadratic' | 'none';
  returnToInitial?: boolean;
}

export function generateScenario(options: GeneratorOptions): ScenarioInput {
  const rng = seedrandom(String(options.seed));
  const uniform = (lo: number, hi: number) => lo + (hi - lo) * rng();
  const round = (v: number, digits = 3) => Math.round(v * 10 ** digits) / 10 ** digits;
  const N = options.buses;
  const steps = options.steps ?? 24;
  const stepHours = options.stepHours ?? 24 / steps;
  const spacing = options.prosumerSpacing ?? 1;
  const prosumerCount = Math.min(options.prosumers ?? Math.ceil((N - 1) / spacing), Math.ceil((N - 1) / spacing));

  const buses = Array.from({ length: N }, (_, k) => String(k));
  // With fixed loads, segments shorten as the feeder grows, so that any size spans about the
  // electrical length of a 33-bus feeder and stays within its voltage limits.
  const segment = options.loadKw ? Math.min(1, 32 / (N - 1)) : 1;
  const lines = buses.slice(1).map((bus, k) => {
    const child = k + 1;
    const parent = child === 1 || rng() < 0.75 ? child - 1 : Math.floor(rng() * child);
    return {
      from: String(parent),
      to: bus,
      rOhm: round(segment * uniform(0.05, 0.6), 5),
      xOhm: round(segment * uniform(0.03, 0.4), 5),
      ...(options.lineMaxKw !== undefined ? { maxKw: options.lineMaxKw } : {}),
    };
  });

  const prosumers = Array.from({ length: prosumerCount }, (_, k) => {
    const pvPeakKw = uniform(0, 12);
    const loadKw = uniform(1, 6);
    const scheduleKw = Array.from({ length: steps }, (_, t) => {
      const hour = (t + 0.5) * stepHours;
      const pv = hour > 6 && hour < 18 ? pvPeakKw * Math.sin((Math.PI * (hour - 6)) / 12) : 0;
      const load = loadKw * (0.6 + 0.5 * Math.exp(-((hour - 8) ** 2) / 4) + 0.8 * Math.exp(-((hour - 19) ** 2) / 6));
      return round(pv - load * uniform(0.9, 1.1));
    });
    const hasBattery = rng() < (options.batteryShare ?? 1);
    const capacityKwh = round(uniform(5, 20), 1);
    const minKwh = round(capacityKwh * 0.1, 2);
    return {
      id: `p${k + 1}`,
      bus: String(1 + k * spacing),
      scheduleKw,
      reactiveKvar: round(uniform(-1, 1)),
      ...(hasBattery
        ? {
            battery: {
              initialKwh: round(uniform(minKwh, capacityKwh), 2),
              minKwh,
              maxKwh: capacityKwh,
              maxChargeKw: round(uniform(2, 6), 2),
              maxDischargeKw: round(uniform(2, 6), 2),
              returnToInitial: options.returnToInitial ?? false,
            },
          }
        : {}),
    };
  });

  const loads = options.loadKw
    ? buses.slice(1).map((bus) => {
        const kw = uniform(options.loadKw![0], options.loadKw![1]);
        return { bus, injectionKw: -round(kw), injectionKvar: -round(0.6 * kw) };
      })
    : [];
  const loadProfile = options.loadKw
    ? Array.from({ length: steps }, (_, t) => {
        const hour = (t + 0.5) * stepHours;
        return round(0.5 + 0.2 * Math.exp(-((hour - 8) ** 2) / 4) + 0.5 * Math.exp(-((hour - 19) ** 2) / 6), 4);
      })
    : undefined;

  return {
    name: `synthetic-${N}bus-${options.seed}`,
    steps,
    stepHours,
    network: {
      baseKv: 12.66,
      baseKva: 1000,
      vMinPu: options.vMinPu ?? 0.9,
      vMaxPu: options.vMaxPu ?? 1.1,
      slack: '0',
      buses,
      lines,
      ...(loads.length > 0 ? { loads, loadProfile } : {}),
      ...(options.linearForm ? { linearForm: options.linearForm } : {}),
    },
    utility: {
      bus: '0',
      targetKw: Array.from({ length: steps }, () => round(uniform(-20, 20))),
      priority: Array.from({ length: steps }, () => round(uniform(0, 2), 2)),
    },
    prosumers,
    market: {
      tradeVolumeWeight: options.tradeVolumeWeight ?? 0.01,
      penaltyNorm: options.penaltyNorm ?? 'l2',
      tieBreak: options.tieBreak ?? 'quadratic',
      ...(options.tradeGraph !== undefined ? { tradeGraph: options.tradeGraph } : {}),
    },
  };
}
