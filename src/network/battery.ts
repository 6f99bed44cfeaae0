/**
 * A battery's energy over one step of Δt hours, with losses (formulation.md, "Battery with
 * losses"): with battery power b = d − c (discharge d ≥ 0 and charge c ≥ 0, kW, injection
 * positive — never both at once), charge efficiency η_c, discharge efficiency η_d and
 * self-discharge σ per hour,
 *
 *     e[t+1] = (1 − σ·Δt)·e[t] + η_c·Δt·c − Δt·d / η_d.
 *
 * The defaults η_c = η_d = 1, σ = 0 give the lossless e[t+1] = e[t] − Δt·b, which the clearing
 * problem keeps in its one-column form (problem/build.ts).
 */
import type { BatteryData, ProsumerData } from '../scenario/schema.ts';

export type BatteryLosses = Pick<BatteryData, 'chargeEfficiency' | 'dischargeEfficiency' | 'selfDischargePerHour'>;

export function isLossless(battery: Partial<BatteryLosses>): boolean {
  return (battery.chargeEfficiency ?? 1) === 1 && (battery.dischargeEfficiency ?? 1) === 1 && (battery.selfDischargePerHour ?? 0) === 0;
}

/** The state of charge after a step of `stepHours` at battery power `batteryKw` (charging if negative), kWh. */
export function nextSocKwh(battery: Partial<BatteryLosses>, socKwh: number, batteryKw: number, stepHours: number): number {
  const kept = 1 - (battery.selfDischargePerHour ?? 0) * stepHours;
  const charge = Math.max(-batteryKw, 0);
  const discharge = Math.max(batteryKw, 0);
  return kept * socKwh + (battery.chargeEfficiency ?? 1) * stepHours * charge - (stepHours * discharge) / (battery.dischargeEfficiency ?? 1);
}

/**
 * A state of charge within this share of the capacity (plus 1e-7 kWh) of its minimum or maximum
 * is put onto it. A realised state carries the solver's tolerance (1e-9) and floating-point
 * rounding: 35.0000000479 kWh where the minimum is 35. The next window's clearing then holds its
 * battery at a bound it is 5e-8 kWh away from, which its exact finish cannot (measured on issue
 * 10's year: from hour 58 to 80, 15–33 LP rounds a window and up to 3.4 s instead of 2 rounds).
 * 1e-7 of a 350 kWh battery is 35 Wh.
 */
export const SOC_SNAP_SHARE = 1e-7;

/** `socKwh` put onto the battery's minimum or maximum when it lies within SOC_SNAP_SHARE of it. */
export function snappedSocKwh(battery: Pick<BatteryData, 'minKwh' | 'maxKwh'>, socKwh: number): number {
  const tolerance = SOC_SNAP_SHARE * (1 + battery.maxKwh);
  if (Math.abs(socKwh - battery.minKwh) <= tolerance) return battery.minKwh;
  if (Math.abs(socKwh - battery.maxKwh) <= tolerance) return battery.maxKwh;
  return socKwh;
}

/**
 * The battery powers a step can take from `socKwh` within the power and energy limits: charging
 * until maxKwh, discharging until minKwh, after the step's self-discharge (kW; negative charges).
 */
export function feasibleBatteryKw(battery: BatteryData, socKwh: number, stepHours: number): [lowKw: number, highKw: number] {
  const kept = (1 - battery.selfDischargePerHour * stepHours) * socKwh;
  const chargeKw = Math.max(0, Math.min(battery.maxChargeKw, (battery.maxKwh - kept) / (battery.chargeEfficiency * stepHours)));
  const dischargeKw = Math.max(0, Math.min(battery.maxDischargeKw, ((kept - battery.minKwh) * battery.dischargeEfficiency) / stepHours));
  return [-chargeKw, dischargeKw];
}

/**
 * The active power an inverter of apparent power S (`inverterKva`) delivers beside the
 * prosumer's constant reactive power Q: √(S² − Q²), kW. Q being fixed, the circle P² + Q² ≤ S²
 * is this interval of P exactly (no polygon needed).
 */
export function inverterActiveKw(p: { inverterKva?: number | undefined; reactiveKvar: number }): number {
  return p.inverterKva === undefined ? Infinity : Math.sqrt(Math.max(0, p.inverterKva ** 2 - p.reactiveKvar ** 2));
}

/**
 * The battery power of step t within the battery's power limits and the inverter's: with PV
 * given (pvKw), the inverter delivers PV + battery power, within ±√(S² − Q²) (kW).
 */
export function batteryPowerBoundsKw(prosumer: Pick<ProsumerData, 'battery' | 'pvKw' | 'inverterKva' | 'reactiveKvar'>, t: number): [lowKw: number, highKw: number] {
  const battery = prosumer.battery;
  if (!battery) return [0, 0];
  const pv = prosumer.pvKw?.[t];
  const limitKw = inverterActiveKw(prosumer);
  if (pv === undefined || limitKw === Infinity) return [-battery.maxChargeKw, battery.maxDischargeKw];
  return [Math.max(-battery.maxChargeKw, -limitKw - pv), Math.min(battery.maxDischargeKw, limitKw - pv)];
}

/** The net injection of step t within the prosumer's limits and, when PV is not given, its inverter's (kW). */
export function injectionBoundsKw(prosumer: Pick<ProsumerData, 'minInjectionKw' | 'maxInjectionKw' | 'pvKw' | 'inverterKva' | 'reactiveKvar'>): [lowKw: number | undefined, highKw: number | undefined] {
  const limitKw = prosumer.pvKw === undefined ? inverterActiveKw(prosumer) : Infinity;
  const lo = limitKw === Infinity ? prosumer.minInjectionKw : Math.max(prosumer.minInjectionKw ?? -Infinity, -limitKw);
  const hi = limitKw === Infinity ? prosumer.maxInjectionKw : Math.min(prosumer.maxInjectionKw ?? Infinity, limitKw);
  return [lo, hi];
}
