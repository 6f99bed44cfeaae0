/**
 * Random forecast errors, reproducible from a seed: with `forecastErrorStdKw` = σ > 0, every
 * prosumer without an explicit `realisedKw` realises its forecast plus σ·z, z drawn from a
 * standard normal (Box–Muller over seedrandom's generator), prosumer by prosumer, step by step.
 * The same scenario and seed always give the same errors.
 */
import seedrandom from 'seedrandom';
import type { Scenario } from '../scenario/validate.ts';

export function forecastErrors(scenario: Scenario, seed: number): number[][] {
  const sigma = scenario.forecastErrorStdKw;
  const rng = seedrandom(`p2pmarket-forecast-errors-${seed}`);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  return scenario.prosumers.map((p) =>
    Array.from({ length: scenario.steps }, () => (sigma > 0 && !p.realisedKw ? Math.round(sigma * normal() * 1e6) / 1e6 : 0)),
  );
}
