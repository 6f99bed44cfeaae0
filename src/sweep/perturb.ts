/**
 * A stochastic sweep's random draws for one sample, reproducible from the sweep's seed: every
 * sample has its own generators (one per kind of draw, so that adding a kind never moves the
 * others' numbers), and sample k draws the same numbers at every parameter point (common random
 * numbers, so that differences between points are not noise).
 *
 * Today: a normal error on every requested power (`requestStdKw`), battery initial states
 * uniform within their limits (`randomInitialSoc`), and the level of the forecast errors the
 * engine draws (`forecastErrorStdKw`, mode "simulate").
 */
import seedrandom from 'seedrandom';
import type { ScenarioInput } from '../scenario/schema.ts';
import type { SweepData } from './schema.ts';

/**
 * Applies a sample's random draws to a scenario (as plain JSON): requests, initial states, and
 * the forecast-error level the engine draws with; returns the seed of those engine draws.
 */
export function perturb(input: ScenarioInput, perturbations: SweepData['perturbations'], seed: number, sample: number): number {
  const rng = seedrandom(`p2pmarket-sweep-${seed}-${sample}`);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const simulationSeed = Math.floor(rng() * 2 ** 31);
  if (!perturbations) return simulationSeed;
  if (perturbations.requestStdKw > 0) {
    const noisy = (v: number) => Math.round((v + perturbations.requestStdKw * normal()) * 1e6) / 1e6;
    if (input.utility.targetKw) input.utility.targetKw = input.utility.targetKw.map(noisy);
    for (const e of input.utility.requestEvents ?? []) e.targetKw = noisy(e.targetKw);
  }
  if (perturbations.randomInitialSoc) {
    for (const p of input.prosumers) {
      if (p.battery) p.battery.initialKwh = Math.round((p.battery.minKwh + rng() * (p.battery.maxKwh - p.battery.minKwh)) * 1e6) / 1e6;
    }
  }
  if (perturbations.forecastErrorStdKw > 0) input.forecastErrorStdKw = perturbations.forecastErrorStdKw;
  return simulationSeed;
}
