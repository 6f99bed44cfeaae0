/**
 * PV power from irradiance: a PVWatts-style model (after NREL's PVWatts v5, simplified).
 *
 *   cell temperature  T_cell = T_air + G · (NOCT − 20 °C) / 800 W/m²
 *   DC power          P_dc   = P_dc0 · (G / 1000 W/m²) · (1 + γ · (T_cell − 25 °C)),   at least 0
 *   AC power          P_ac   = min(η_inv · derate · P_dc,  P_ac0)
 *
 * with G the irradiance on the modules (W/m²), P_dc0 the array's DC rating at 1000 W/m² and
 * 25 °C (the reference's `peakKw`), γ the power temperature coefficient (default −0.0037 per
 * °C), NOCT the nominal operating cell temperature (default 45 °C), `derate` the system losses
 * other than the inverter's (soiling, wiring, mismatch…; default 0.86, PVWatts' 14 % losses),
 * η_inv a constant inverter efficiency (default 0.96, PVWatts' nominal one; no part-load curve)
 * and P_ac0 the inverter's AC limit (default P_dc0 / 1.2, a DC/AC ratio of 1.2).
 *
 * No transposition is done: G is whatever the profile's column holds. A GHI column
 * (horizontal irradiance, as TMY3's) models modules lying flat; for tilted modules give a
 * plane-of-array column computed elsewhere (e.g. with pvlib). Without a temperature column the
 * air temperature is the constant `airTemperatureC` (default 20 °C).
 */

export interface PvModel {
  /** γ, power temperature coefficient, per °C (negative: power falls as the cells warm). */
  temperatureCoefficientPerC: number;
  /** Nominal operating cell temperature (800 W/m², 20 °C air), °C. */
  noctC: number;
  /** Share of DC power left after the losses other than the inverter's, 0–1. */
  derate: number;
  /** Inverter efficiency, 0–1. */
  inverterEfficiency: number;
  /** Inverter AC limit, kW (default: the DC rating / 1.2). */
  inverterKw?: number;
  /** Air temperature when the profile has no temperature column, °C. */
  airTemperatureC: number;
}

export const DEFAULT_PV_MODEL: Readonly<PvModel> = Object.freeze({
  temperatureCoefficientPerC: -0.0037,
  noctC: 45,
  derate: 0.86,
  inverterEfficiency: 0.96,
  airTemperatureC: 20,
});

/** The default DC/AC ratio: the inverter's AC limit is the DC rating divided by it. */
export const DEFAULT_DC_AC_RATIO = 1.2;

/** Cell temperature, °C, from the air temperature (°C) and the irradiance (W/m²). */
export function cellTemperatureC(irradianceWm2: number, airTemperatureC: number, noctC: number): number {
  return airTemperatureC + (irradianceWm2 * (noctC - 20)) / 800;
}

/** AC power, kW, of an array of DC rating `dcKw` (kW at 1000 W/m², 25 °C) under the irradiance (W/m²) and air temperature (°C). */
export function pvAcKw(irradianceWm2: number, airTemperatureC: number, dcKw: number, model: PvModel): number {
  const cellC = cellTemperatureC(irradianceWm2, airTemperatureC, model.noctC);
  const dc = Math.max(0, dcKw * (irradianceWm2 / 1000) * (1 + model.temperatureCoefficientPerC * (cellC - 25)));
  const limit = model.inverterKw ?? dcKw / DEFAULT_DC_AC_RATIO;
  return Math.min(model.inverterEfficiency * model.derate * dc, limit);
}
