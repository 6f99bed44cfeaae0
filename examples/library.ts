/**
 * p2pmarket from code: load a scenario, clear it, check it against the AC power flow, settle a
 * market with bids, simulate, run a sweep, and draw a run's figures. Run: npx tsx examples/library.ts [out-dir]
 */
import { join } from 'node:path';
import {
  acCheck, baselineScenario, clearingFiles, clearMarket, loadScenario, loadSweep, plotRun, runSweep, scenarioJson, settle, simulate,
  statistics, writeRunFiles, type ClearingResult, type Scenario,
} from 'p2pmarket';

const out = process.argv[2] ?? join('outputs', 'library-example');

// 1. One clearing of the 33-bus day: the result is typed, and checked against every constraint.
const scenario: Scenario = loadScenario('scenarios/ieee33-day.json');
const result: ClearingResult = await clearMarket(scenario, { timeLimitSeconds: 60 });
console.log(`${result.scenario}: ${result.status}, objective ${result.objective?.toFixed(3)}`);
const evening = result.steps[19]!;
console.log(`19:00 — the utility receives ${evening.utilityReceiptKw} kW; lowest voltage ${Math.min(...evening.buses.map((b) => b.voltagePu))} p.u.`);

// 2. The AC power flow of every cleared step against LinDistFlow.
const check = acCheck(scenario, result);
console.log(`AC check: largest voltage error ${check.maxVoltageErrorPu} p.u., ${check.violations} AC limit violations, losses ${check.lossKwh} kWh`);

// 3. Write the run's files and draw its figures and index.html.
writeRunFiles(out, { ...clearingFiles(result), 'scenario.json': scenarioJson(scenario) });
const plotted = await plotRun(out);
console.log(`${plotted.figures.length} figures; report ${plotted.report}`);

// 4. Economics: the seed's bids with a tariff and fees — prices, who pays whom, and the value of
//    trading against the same market without peer trades.
const bids = loadScenario('scenarios/seed-bids.json');
const market = await clearMarket(bids);
const settlement = settle(bids, market, await clearMarket(baselineScenario(bids)));
console.log(`prices ${market.prices?.uniqueness}; step 2: ${market.steps[2]!.trades.map((t) => `${t.from}→${t.to} ${t.price}`).join(', ')}`);
for (const a of settlement.agents) console.log(`  ${a.agent}: total cost ${a.totalCost.toFixed(2)}, gain ${a.gain?.toFixed(2)}${a.worseOff ? ' (worse off)' : ''}`);
console.log(`social welfare ${settlement.socialWelfare.toFixed(3)} against ${'socialWelfare' in settlement.baseline ? settlement.baseline.socialWelfare : '—'} without peer trades`);

// 5. A rolling-horizon simulation of the seed's case 2.
const simulation = await simulate(loadScenario('scenarios/seed-time-horizons.json'));
console.log(`simulation: ${simulation.status}, ${simulation.windows.length} windows`);

// 6. A sweep: the seed's constraint study, in this process.
const plan = loadSweep('scenarios/constraint-sweep.json');
const points = await runSweep(plan, { workers: 1 });
const objectives = points.map((p) => p.clearing!.objective!);
const stats = statistics(objectives);
console.log(`sweep: ${points.length} points, objective from ${Math.min(...objectives).toFixed(3)} to ${Math.max(...objectives).toFixed(3)} (mean ${stats.mean.toFixed(3)})`);
