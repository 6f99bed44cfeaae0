/** The library API: load and validate scenarios, generate feeders, clear markets. */
export { ExitCode, InputError, type InputProblem } from './errors.ts';
export { ScenarioSchema, type ScenarioInput, type ScenarioData } from './scenario/schema.ts';
export { validateScenario, UTILITY_ID, type Scenario } from './scenario/validate.ts';
export { loadScenario, parseScenario, readJsonFile } from './scenario/load.ts';
export { generateScenario, type GeneratorOptions } from './scenario/generate.ts';
export { Feeder } from './network/feeder.ts';
export { buildMarketProblem, type MarketProblem } from './problem/build.ts';
export { clearMarket, clearWith, solverAdapter, type ClearOptions, type SolverName } from './market/clear.ts';
export type * from './market/result.ts';
export type { SolverAdapter, SolverSession, SolveOutcome, SolveStatus } from './solver/adapter.ts';
export { EventLoop } from './engine/loop.ts';
export { EVENT_PRIORITY, type SimEvent, type EventType, type WindowRecord } from './engine/events.ts';
export { createSimulation, simulate, scenarioRequests, Simulation, type SimulationResult, type SimulationOptions } from './engine/simulate.ts';
export { clearingFiles } from './output/csv.ts';
export { simulationFiles } from './output/simulation-csv.ts';
export { writeRunFiles } from './output/write.ts';
