/**
 * The engine's benchmark: a long rolling-horizon simulation of the seed feeder (the seed's
 * six-step rolling-horizon pattern repeated), a 4-step window cleared at every step. Reports
 * the wall time, the solver's part (every window's clearing, tie-break stage included) and the
 * engine's own part (everything else: events, agents, window building, realised steps).
 */
import { readFileSync } from 'node:fs';
import { simulate } from '../src/engine/simulate.ts';
import { parseScenario } from '../src/scenario/load.ts';
import type { ScenarioInput } from '../src/scenario/schema.ts';

export interface SimulationBench {
  steps: number;
  horizonSteps: number;
  windows: number;
  status: string;
  totalMs: number;
  solverMs: number;
  engineMs: number;
  engineShareOfSolver: number;
  events: number;
}

/** The seed's rolling-horizon scenario stretched to `steps` steps by repeating its pattern. */
export function longSeedScenario(file: string, steps: number): ScenarioInput {
  const base = JSON.parse(readFileSync(file, 'utf8')) as ScenarioInput;
  const repeat = (values: readonly number[]) => Array.from({ length: steps }, (_, t) => values[t % values.length]!);
  return {
    ...base,
    name: `${base.name}-${steps}`,
    steps,
    horizonSteps: 4,
    horizonEnd: 'shrink',
    utility: { ...base.utility, targetKw: repeat(base.utility.targetKw!), priority: repeat(base.utility.priority!) },
    prosumers: base.prosumers.map((p) => ({ ...p, scheduleKw: repeat(p.scheduleKw) })),
  };
}

export async function benchSimulation(file: string, steps: number, formulation: 'auto' | 'full' | 'injections' = 'auto'): Promise<SimulationBench> {
  const scenario = parseScenario(longSeedScenario(file, steps));
  await simulate(parseScenario(longSeedScenario(file, 12)), { formulation }); // warm-up
  const started = performance.now();
  const result = await simulate(scenario, { formulation });
  const totalMs = performance.now() - started;
  return {
    steps,
    horizonSteps: result.horizonSteps,
    windows: result.windows.length,
    status: result.status,
    totalMs,
    solverMs: result.solveMs,
    engineMs: totalMs - result.solveMs,
    engineShareOfSolver: (totalMs - result.solveMs) / result.solveMs,
    events: result.events.length,
  };
}
