/**
 * The library's entry points given scenarios and options built in code (src/entry-points.ts,
 * scenario/check.ts, market/clear-options.ts): a raw object that a file could hold clears and
 * simulates as the file does (defaults filled in, numeric bus ids read as strings); bad values
 * and bad options are an InputError naming the field — never a TypeError or a solver's status.
 */
import { describe, expect, it } from 'vitest';
import { acCheck, baselineScenario, clearMarket, clearWith, InputError, parseScenario, scenarioPowerFlow, settle, simulate, solverAdapter, type Scenario } from '../src/index.ts';

/** A scenario as a user types it in code: no defaults, numeric bus ids (a pandapower habit). */
function rawScenario(): Record<string, unknown> {
  return {
    name: 'in-code',
    steps: 2,
    stepHours: 1,
    network: {
      baseKv: 0.4,
      baseKva: 100,
      slack: 0,
      buses: [0, 1, 2],
      lines: [
        { from: 0, to: 1, rOhm: 0.05, xOhm: 0.02 },
        { from: 1, to: 2, rOhm: 0.04, xOhm: 0.015 },
      ],
    },
    utility: { bus: 0, tariff: { buyPerKwh: 0.08, sellPerKwh: 0.3 } },
    prosumers: [
      { id: 'a', bus: 1, scheduleKw: [2, -1], battery: { initialKwh: 2, minKwh: 0.5, maxKwh: 5, maxChargeKw: 2, maxDischargeKw: 2 } },
      { id: 'b', bus: 2, scheduleKw: [-1.5, 1] },
    ],
  };
}

/** The error's problems as "path: message" lines. */
async function problemsOf(run: () => unknown): Promise<string[]> {
  try {
    await run();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as InputError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error('expected an InputError');
}

describe('entry points given what code builds', () => {
  it('clears and simulates a raw scenario as the same data parsed from a file', async () => {
    const raw = rawScenario();
    const parsed = parseScenario(JSON.parse(JSON.stringify(raw)));
    const fromCode = await clearMarket(raw as unknown as Scenario);
    const fromFile = await clearMarket(parsed);
    expect(fromCode.status).toBe('optimal');
    expect(fromCode.steps).toEqual(fromFile.steps);
    expect(fromCode.objective).toBe(fromFile.objective);
    expect(fromCode.steps[0]!.agents.map((a) => a.bus)).toEqual(['1', '2']);

    const simulated = await simulate(raw as unknown as Scenario);
    expect(simulated.status).toBe('optimal');
    expect(simulated.steps).toHaveLength(2);
    expect(scenarioPowerFlow(raw as unknown as Scenario).steps).toHaveLength(2);
    expect(baselineScenario(raw as unknown as Scenario).market.tradeGraph).toBe('utility');
    expect(settle(raw as unknown as Scenario, fromCode).rows.length).toBeGreaterThan(0);
  });

  it('names the field of a bad value, in every entry point', async () => {
    const bad = rawScenario();
    (bad.network as { lines: { rOhm: number }[] }).lines[0]!.rOhm = -1;
    const scenario = bad as unknown as Scenario;
    const highs = await solverAdapter('highs');
    for (const run of [() => clearMarket(scenario), () => clearWith(highs, scenario), () => simulate(scenario), () => scenarioPowerFlow(scenario), () => baselineScenario(scenario)]) {
      expect((await problemsOf(run)).join('\n')).toMatch(/^network\.lines\.0\.rOhm: |^network\.lines\[0\]\.rOhm: /m);
    }
  });

  it('refuses bad options and results, naming them', async () => {
    const scenario = parseScenario(rawScenario());
    expect(await problemsOf(() => clearMarket(scenario, { solver: 'gurobi' as never }))).toEqual(['solver: "gurobi" is not a solver: use "highs" or "lp-solver"']);
    expect(await problemsOf(() => clearMarket(scenario, { timeLimitSeconds: -1 }))).toEqual(['timeLimitSeconds: -1 is not a time limit: give a positive number of seconds']);
    expect(await problemsOf(() => simulate(scenario, { timeLimitSeconds: Number.NaN }))).toHaveLength(1);
    expect(await problemsOf(() => acCheck(scenario, {} as never))).toEqual(['steps: a result of clearMarket or simulate must have its steps (an array)']);
    expect(await problemsOf(() => settle(scenario, { steps: 'none' } as never))).toHaveLength(1);
  });
});
