/**
 * Random forecast errors, reproducible from a seed: what each prosumer's net injection before
 * the battery turns out to differ from its forecast, kW per step (injection positive). Prosumers
 * with an explicit `realisedKw` get none (their realisation is given).
 *
 * Three kinds of error, each an AR(1) process per prosumer (scenario field `forecastError`):
 *
 * - **net** (σ = `stdKw`, kW): added to the net injection of every prosumer, not clipped. It is
 *   the only kind a prosumer given by `scheduleKw` alone can have.
 * - **PV** (σ = `pvStdKw`, kW), for prosumers with `pvKw`: realised PV = min(max(pv_t + ε_t, 0), S_P)
 *   — never negative, never above the inverter's active rating S_P = √(S² − Q²) (`inverterKva`;
 *   no upper bound without one) — and 0 where the forecast pv_t is 0 (no sun, no error).
 * - **load** (σ = `loadStdKw`, kW), for prosumers with `loadKw`: realised load = max(load_t + ε_t, 0).
 *
 * The net error of step t is then ε_net + (realised PV − pv_t) − (realised load − load_t),
 * rounded to 1e-6 kW. The clipping refers to the scenario's pvKw and loadKw; the engine adds the
 * error to the forecast current at that step (a forecast update moves the forecast, not the error).
 *
 * Each kind's errors, for prosumer i and step t = 0 … T − 1 (φ = `autocorrelation`,
 * c = `commonShare`, z and ξ standard normal draws):
 *
 *     z_t^i = √c · z_t^common + √(1 − c) · ξ_t^i          (one common factor per kind and step)
 *     ε_0^i = σ · z_0^i                                   (started stationary)
 *     ε_t^i = φ · ε_{t−1}^i + σ · √(1 − φ²) · z_t^i       (t ≥ 1)
 *
 * so that every ε_t^i has standard deviation σ (kW), corr(ε_t^i, ε_{t−1}^i) = φ (lag k: φ^k), and
 * corr(ε_t^i, ε_t^j) = c for two prosumers i ≠ j at every step (the recursion keeps the stationary
 * covariance σ²·c). φ is per step: its meaning in hours depends on `stepHours`.
 *
 * Draws: normals by Box–Muller over seedrandom's generator, one generator per kind and role
 * (individual ξ, common z^common), so that adding a kind never moves another kind's numbers. The
 * individual generator draws prosumer by prosumer (skipping those the kind does not apply to),
 * each its steps in order; the common one draws step by step, only when c > 0. The net kind's
 * individual generator is the one `forecastErrorStdKw` always used: with φ = 0 and c = 0,
 * `forecastError: { stdKw: σ }` and `forecastErrorStdKw: σ` give exactly the errors they gave
 * before these fields existed, byte for byte. The same scenario and seed always give the same errors.
 */
import seedrandom from 'seedrandom';
import { inverterActiveKw } from '../network/battery.ts';
import type { ForecastErrorData, ProsumerData } from '../scenario/schema.ts';
import type { Scenario } from '../scenario/validate.ts';

/** The forecast-error model of a scenario: `forecastError`, or `forecastErrorStdKw` as its net σ. */
export function forecastErrorModel(scenario: Pick<Scenario, 'forecastErrorStdKw' | 'forecastError'>): ForecastErrorData {
  return scenario.forecastError ?? { stdKw: scenario.forecastErrorStdKw, pvStdKw: 0, loadStdKw: 0, autocorrelation: 0, commonShare: 0 };
}

/** A prosumer's errors by kind, kW per step: the net error, and the PV and load errors as applied (after clipping). */
export interface ForecastErrorParts {
  netKw: number[];
  pvKw: number[];
  loadKw: number[];
}

/** A standard normal draw from `rng` (Box–Muller, cosine branch: two uniforms per draw). */
function normalFrom(rng: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/**
 * The AR(1) errors of one kind (module comment), kW: one array of `steps` per prosumer for which
 * `applies` holds, else undefined. `generator` names the kind's generators.
 */
export function ar1Errors(
  count: number,
  steps: number,
  applies: (i: number) => boolean,
  model: { stdKw: number; autocorrelation: number; commonShare: number },
  generator: string,
  seed: number,
): (number[] | undefined)[] {
  const { stdKw: sigma, autocorrelation: phi, commonShare: c } = model;
  if (!(sigma > 0)) return Array.from({ length: count }, () => undefined);
  const individual = normalFrom(seedrandom(`${generator}-${seed}`));
  const commonNormal = normalFrom(seedrandom(`${generator}-common-${seed}`));
  const common = c > 0 ? Array.from({ length: steps }, () => commonNormal()) : undefined;
  const wCommon = Math.sqrt(c);
  const wOwn = Math.sqrt(1 - c);
  const innovationKw = sigma * Math.sqrt(1 - phi * phi);
  return Array.from({ length: count }, (_, i) => {
    if (!applies(i)) return undefined;
    const errors = new Array<number>(steps);
    let previous = 0;
    for (let t = 0; t < steps; t++) {
      const xi = individual();
      const z = common ? wCommon * common[t]! + wOwn * xi : xi;
      previous = t === 0 ? sigma * z : phi * previous + innovationKw * z;
      errors[t] = previous;
    }
    return errors;
  });
}

/** Every prosumer's errors by kind (module comment), kW per step; zeros where a kind does not apply. */
export function forecastErrorParts(scenario: Pick<Scenario, 'steps' | 'forecastErrorStdKw' | 'forecastError'> & { prosumers: readonly ProsumerData[] }, seed: number): ForecastErrorParts[] {
  const model = forecastErrorModel(scenario);
  const { prosumers, steps } = scenario;
  const drawn = (p: ProsumerData) => !p.realisedKw;
  const kind = (stdKw: number, applies: (p: ProsumerData) => boolean, generator: string) =>
    ar1Errors(prosumers.length, steps, (i) => applies(prosumers[i]!), { ...model, stdKw }, generator, seed);
  // The net kind's generator is the one forecastErrorStdKw has always used.
  const net = kind(model.stdKw, drawn, 'p2pmarket-forecast-errors');
  const pv = kind(model.pvStdKw, (p) => drawn(p) && p.pvKw !== undefined, 'p2pmarket-forecast-errors-pv');
  const load = kind(model.loadStdKw, (p) => drawn(p) && p.loadKw !== undefined, 'p2pmarket-forecast-errors-load');
  const zeros = () => new Array<number>(steps).fill(0);
  return prosumers.map((p, i) => {
    const capKw = inverterActiveKw(p);
    return {
      netKw: net[i] ?? zeros(),
      pvKw: pv[i]?.map((e, t) => {
        const forecastKw = p.pvKw![t]!;
        return forecastKw > 0 ? Math.min(Math.max(forecastKw + e, 0), capKw) - forecastKw : 0;
      }) ?? zeros(),
      loadKw: load[i]?.map((e, t) => Math.max(p.loadKw![t]! + e, 0) - p.loadKw![t]!) ?? zeros(),
    };
  });
}

/** Each prosumer's error of the net injection before the battery, kW per step (module comment), rounded to 1e-6 kW. */
export function forecastErrors(scenario: Scenario, seed: number): number[][] {
  return forecastErrorParts(scenario, seed).map(({ netKw, pvKw, loadKw }) =>
    netKw.map((net, t) => Math.round((net + pvKw[t]! - loadKw[t]!) * 1e6) / 1e6),
  );
}
