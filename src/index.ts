/**
 * The library API (`import … from 'p2pmarket'`: ESM with type declarations, compiled to dist/;
 * from CommonJS, `const p2p = await import('p2pmarket')`): load and validate
 * scenarios, generate feeders, clear markets, settle them and measure the value of trading,
 * simulate, sweep, check against AC power flow, draw figures — with the types of every result.
 */
export { ExitCode, InputError, type InputProblem } from './errors.ts';
export { ScenarioSchema, ScenarioFileSchema, type ScenarioInput, type ScenarioData, type ScenarioFileInput } from './scenario/schema.ts';
export { validateScenario, UTILITY_ID, type Scenario } from './scenario/validate.ts';
export { loadScenario, loadScenarioWithInputs, parseScenario, parseScenarioWithInputs, readJsonFile, type ScenarioWithInputs } from './scenario/load.ts';
export { pvAcKw, DEFAULT_PV_MODEL, type PvModel } from './profiles/pv.ts';
export { resampleMeans, type IntervalSeries } from './profiles/resample.ts';
export { parseBdewTable, bdewYearKw, bdewDayType, type BdewTable } from './profiles/bdew.ts';
export { generateScenario, type GeneratorOptions } from './scenario/generate.ts';
export { Feeder } from './network/feeder.ts';
export { acPowerFlow, type PowerFlowOptions, type PowerFlowSolution } from './network/powerflow.ts';
export { type PowerFlowReport, type PowerFlowStep, type LimitViolation } from './analysis/powerflow.ts';
export { type AcCheck, type AcCheckStep } from './analysis/ac-check.ts';
export { acCheck, baselineScenario, clearWith, scenarioPowerFlow, settle, settleSteps } from './entry-points.ts';
export { buildMarketProblem, type MarketProblem } from './problem/build.ts';
export { clearMarket, solverAdapter, type ClearOptions, type SolverName } from './market/clear.ts';
export type * from './market/result.ts';
export type { NegotiationReport, NegotiationGaps, NegotiationIteration, PairTrace } from './admm/result.ts';
export { AdmmSchema, type AdmmSettings, type ClearingMethod } from './admm/options.ts';
export { settlementSummary, type Settlement, type SettlementRow, type AgentTotals } from './market/settlement.ts';
export { PRICE_RULE, type PriceRange } from './market/prices.ts';
export type { SolverAdapter, SolverSession, SolveOutcome, SolveStatus } from './solver/adapter.ts';
export { EventLoop } from './engine/loop.ts';
export { EVENT_PRIORITY, type SimEvent, type EventType, type WindowRecord } from './engine/events.ts';
export { createSimulation, simulate, scenarioRequests, Simulation, type SimulationResult, type SimulationOptions } from './engine/simulate.ts';
export { clearingFiles, scenarioJson } from './output/csv.ts';
export { simulationFiles } from './output/simulation-csv.ts';
export { writeRunFiles } from './output/write.ts';
export { loadSweep, loadSweepFromTexts, type SweepPlan, type SweepPoint } from './sweep/points.ts';
export { planSweep } from './sweep/in-memory.ts';
export { checkScenario } from './scenario/check.ts';
export { objectiveKind, objectiveUnits, type ObjectiveKind } from './market/money.ts';
export { runSweep, type SweepOptions, type SweepPointResult } from './sweep/run.ts';
export { sweepFiles } from './output/sweep-csv.ts';
export { statistics, type Statistics } from './sweep/summary.ts';
export { plotRun, type PlotResult } from './plot/plot.ts';
export { figuresFor, type Figure } from './plot/figures.ts';
export { renderSvg } from './plot/render.ts';
export { readRunFolder, type RunFolder } from './plot/run-dir.ts';
export { scenarioJsonSchema } from './scenario/json-schema.ts';
