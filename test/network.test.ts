/**
 * Real feeders: the AC power flow against published and closed-form answers, the sparse
 * branch-flow form against the dense path form, a binding voltage limit solved by hand, the
 * trade graphs, and fixed loads through a simulation's windows.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { acCheck } from '../src/analysis/ac-check.ts';
import { scenarioPowerFlow } from '../src/analysis/powerflow.ts';
import { simulate } from '../src/engine/simulate.ts';
import { clearMarket } from '../src/market/clear.ts';
import type { ClearingResult } from '../src/market/result.ts';
import { Feeder } from '../src/network/feeder.ts';
import { acPowerFlow } from '../src/network/powerflow.ts';
import { buildMarketProblem } from '../src/problem/build.ts';
import { generateScenario } from '../src/scenario/generate.ts';
import { loadScenario, parseScenario } from '../src/scenario/load.ts';
import type { ScenarioInput } from '../src/scenario/schema.ts';
import { checkInvariants, independentPowerFlow } from './helpers/invariants.ts';

const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(1, Math.abs(a), Math.abs(b));

/** Bus 0 (slack) — line r + jx — bus 1, 1 kV and 1 kVA bases (Z_base = 1,000 Ω). */
function twoBus(opts: { rOhm: number; xOhm: number; loadKw: number; loadKvar: number; prosumers?: ScenarioInput['prosumers']; vMinPu?: number }): ScenarioInput {
  return {
    name: 'two-bus',
    steps: 1,
    stepHours: 1,
    network: {
      baseKv: 1,
      baseKva: 1,
      vMinPu: opts.vMinPu ?? 0.5,
      vMaxPu: 1.1,
      slack: '0',
      buses: ['0', '1'],
      lines: [{ from: '0', to: '1', rOhm: opts.rOhm, xOhm: opts.xOhm }],
      loads: [{ bus: '1', injectionKw: -opts.loadKw, injectionKvar: -opts.loadKvar }],
    },
    utility: { bus: '0' },
    prosumers: opts.prosumers ?? [],
  };
}

describe('AC power flow (backward/forward sweep)', () => {
  it('reproduces the published base case of the IEEE 33-bus feeder', () => {
    // Baran & Wu, "Network reconfiguration in distribution systems for loss reduction and load
    // balancing", IEEE Trans. Power Delivery 4(2):1401–1407, 1989: 3,715 kW + 2,300 kvar of load,
    // 202.67 kW of losses, lowest voltage 0.9131 p.u. at bus 18 (the same figures recur in the
    // reconfiguration and P2P literature that uses the feeder).
    const result = scenarioPowerFlow(loadScenario('scenarios/ieee33-base.json'));
    expect(result.converged).toBe(true);
    expect(result.steps).toHaveLength(1);
    const [step] = result.steps;
    expect(step!.lossKw).toBeCloseTo(202.67, 1);
    expect(step!.minVoltagePu).toBeCloseTo(0.9131, 4);
    expect(step!.minVoltageBus).toBe('18');
    // The substation supplies the loads and the losses.
    expect(step!.slackKw).toBeCloseTo(3715 + step!.lossKw, 6);
    expect(step!.slackKvar).toBeCloseTo(2300 + step!.lossKvar, 6);
    // Losses line by line add up, and every sending-end flow is what leaves the line plus its loss.
    expect(step!.lines.reduce((s, l) => s + l.lossKw, 0)).toBeCloseTo(step!.lossKw, 5);
    expect(step!.buses.map((b) => b.id)).toEqual(Array.from({ length: 33 }, (_, k) => String(k + 1)));
    expect(result.iterations).toBeLessThan(20);
  });

  it('solves a single line exactly (closed form)', () => {
    // Load S = P + jQ (p.u.) at the end of a line r + jx from a 1 p.u. source:
    //   u² + (2(rP + xQ) − 1)·u + (r² + x²)(P² + Q²) = 0 with u = |V|²; loss = r·(P² + Q²)/u.
    const [r, x, P, Q] = [0.05, 0.08, 0.9, 0.4];
    const scenario = parseScenario(twoBus({ rOhm: r * 1000, xOhm: x * 1000, loadKw: P, loadKvar: Q }));
    const feeder = new Feeder(scenario.network);
    const injections = feeder.fixedInjections(0);
    const solution = acPowerFlow(feeder, injections.pKw, injections.qKvar, { tolerancePu: 1e-13 });
    const b = 2 * (r * P + x * Q) - 1;
    const u = (-b + Math.sqrt(b * b - 4 * (r * r + x * x) * (P * P + Q * Q))) / 2;
    expect(solution.converged).toBe(true);
    expect(solution.vPu[1]).toBeCloseTo(Math.sqrt(u), 11);
    expect(solution.lossKw).toBeCloseTo((r * (P * P + Q * Q)) / u, 9);
    expect(solution.lines[0]!.pKw).toBeCloseTo(P + solution.lossKw, 9);
  });

  it('reports non-convergence beyond the loadability limit instead of a result', () => {
    // A single line can carry at most 1/(4r) p.u. of resistive load: ask for three times that.
    const scenario = parseScenario(twoBus({ rOhm: 100, xOhm: 1, loadKw: 7.5, loadKvar: 0 }));
    const result = scenarioPowerFlow(scenario);
    expect(result.converged).toBe(false);
    expect(result.steps).toEqual([]);
    expect(result.failure?.message).toMatch(/did not converge/);
  });

  it('differs from LinDistFlow by a second-order term: twice the load, four times the error', () => {
    const errorAt = (scale: number) => {
      const scenario = parseScenario(twoBus({ rOhm: 20, xOhm: 30, loadKw: 0.02 * scale, loadKvar: 0.01 * scale }));
      const feeder = new Feeder(scenario.network);
      const injections = feeder.fixedInjections(0);
      const ac = acPowerFlow(feeder, injections.pKw, injections.qKvar);
      const linear = feeder.linearPowerFlow(injections.pKw, injections.qKvar);
      return Math.abs(ac.vPu[1]! - Math.sqrt(linear.vSq[1]!));
    };
    expect(errorAt(2) / errorAt(1)).toBeCloseTo(4, 1);
  });
});

describe('a binding linear voltage limit, solved by hand', () => {
  // Bus 1 draws a 30 kW load through r = 1 Ω (Z_base = 1,000 Ω, S_base = 1 kVA); the prosumer
  // there would rather stay idle (the utility asks for 0 kW), but the squared voltage
  // v1 = 1 + 2·r·(P − 30)/1000 must stay above 0.97²: so P = 30 − (1 − 0.97²)·1000/(2·1) kW.
  const minimumKw = 30 - ((1 - 0.97 ** 2) * 1000) / 2;
  const input = (linearForm: 'dense' | 'sparse'): ScenarioInput => {
    const base = twoBus({
      rOhm: 1,
      xOhm: 0.5,
      loadKw: 30,
      loadKvar: 0,
      vMinPu: 0.97,
      prosumers: [
        {
          id: 'p1',
          bus: '1',
          scheduleKw: [0],
          battery: { initialKwh: 50, minKwh: 0, maxKwh: 100, maxChargeKw: 40, maxDischargeKw: 40 },
        },
      ],
    });
    return { ...base, network: { ...base.network, linearForm }, utility: { bus: '0', targetKw: [0], priority: [1] } };
  };

  for (const form of ['dense', 'sparse'] as const) {
    it(`holds the voltage exactly at its limit (${form} form)`, async () => {
      const scenario = parseScenario(input(form));
      const result = await clearMarket(scenario);
      expect(result.status).toBe('optimal');
      expect(checkInvariants(scenario, result)).toEqual([]);
      const [step] = result.steps;
      expect(minimumKw).toBeGreaterThan(0);
      expect(step!.agents[0]!.netInjectionKw).toBeCloseTo(minimumKw, 6);
      expect(step!.agents[0]!.batteryKw).toBeCloseTo(minimumKw, 6);
      expect(step!.buses.find((b) => b.id === '1')!.voltagePu).toBeCloseTo(0.97, 9);
      expect(result.objectiveTerms!.requestTracking).toBeCloseTo(minimumKw ** 2, 4);
      // Whoever buys the prosumer's energy pays its marginal value: the request's 2·w²·(U − U*).
      expect(step!.trades).toHaveLength(1);
      expect(step!.trades[0]!.price).toBeCloseTo(-2 * minimumKw, 4);
    });
  }
});

describe('the sparse branch-flow form gives the dense form\'s answers', () => {
  it('on random feeders with fixed loads and binding voltages', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const base = generateScenario({ buses: 12, seed, steps: 4, loadKw: [20, 60], vMinPu: 0.97, vMaxPu: 1.03, returnToInitial: true });
      const results: ClearingResult[] = [];
      for (const linearForm of ['dense', 'sparse'] as const) {
        const scenario = parseScenario({ ...base, network: { ...base.network, linearForm } });
        const result = await clearMarket(scenario);
        expect(checkInvariants(scenario, result), `seed ${seed}, ${linearForm}`).toEqual([]);
        results.push(result);
      }
      const [dense, sparse] = results;
      expect(relative(dense!.objective!, sparse!.objective!), `seed ${seed}`).toBeLessThan(1e-6);
    }
  });

  it('builds O(buses) entries where the dense form builds O(buses²)', () => {
    const entries = (buses: number, linearForm: 'dense' | 'sparse') => {
      const input = generateScenario({ buses, seed: 7, steps: 1, loadKw: [5, 10], tradeGraph: 'pool' });
      const scenario = parseScenario({ ...input, network: { ...input.network, linearForm } });
      return buildMarketProblem(scenario, new Feeder(scenario.network)).model.values.length;
    };
    // Network entries only, roughly: the difference between 80 and 40 buses.
    const sparseGrowth = entries(80, 'sparse') / entries(40, 'sparse');
    const denseGrowth = entries(80, 'dense') / entries(40, 'dense');
    expect(sparseGrowth).toBeLessThan(2.5);
    expect(denseGrowth).toBeGreaterThan(3);
  });
});

describe('limits no agent can move', () => {
  // Bus 2 hangs off the slack on a branch of its own, with a 150 kW load on a 100 kW line and
  // no prosumer: whatever the market does, that line is overloaded, and bus 2's squared voltage
  // is 1 − 2·(1 Ω / 1,000 Ω)·150 = 0.7 (0.8367 p.u., below 0.9).
  const input = (linearForm: 'dense' | 'sparse'): ScenarioInput => ({
    ...twoBus({ rOhm: 1, xOhm: 1, loadKw: 5, loadKvar: 0, prosumers: [{ id: 'p1', bus: '1', scheduleKw: [1] }] }),
    network: {
      baseKv: 1, baseKva: 1, vMinPu: 0.9, vMaxPu: 1.1, slack: '0', buses: ['0', '1', '2'], linearForm,
      lines: [{ from: '0', to: '1', rOhm: 1, xOhm: 1 }, { from: '0', to: '2', rOhm: 1, xOhm: 1, maxKw: 100 }],
      loads: [{ bus: '2', injectionKw: -150 }],
    },
  });
  for (const form of ['dense', 'sparse'] as const) {
    it(`are reported before solving, in the ${form} form too`, async () => {
      const scenario = parseScenario(input(form));
      const { fixedConflicts } = buildMarketProblem(scenario, new Feeder(scenario.network));
      expect(fixedConflicts.map((c) => c.description)).toEqual([
        'voltage at bus 2, step 0: 0.8367 p.u. with no controllable injection, outside its limits',
        'line 0→2, step 0: 150.000 kW of fixed load flow beyond its 100 kW limit',
      ]);
      const result = await clearMarket(scenario);
      expect(result.status).toBe('infeasible');
      expect(result.diagnosis!.conflicts).toEqual(fixedConflicts.map((c) => c.description));
    });
  }
});

describe('the IEEE 33-bus day', () => {
  let dense: ClearingResult;
  const scenario = loadScenario('scenarios/ieee33-day.json');
  beforeAll(async () => {
    dense = await clearMarket(scenario);
  }, 60_000);

  it('clears with its network limits binding', () => {
    expect(dense.status).toBe('optimal');
    expect(checkInvariants(scenario, dense)).toEqual([]);
    const lowest = dense.steps.map((s) => Math.min(...s.buses.map((b) => b.voltagePu)));
    // The evening peak holds the far end at exactly 0.95 p.u.; at noon line 2→19 carries its
    // full 220 kW back towards the substation.
    expect(lowest.filter((v) => Math.abs(v - 0.95) < 1e-7).length).toBeGreaterThanOrEqual(2);
    const lateral = dense.steps.map((s) => s.lines.find((l) => l.from === '2' && l.to === '19')!.flowKw);
    expect(Math.min(...lateral)).toBeCloseTo(-220, 6);
  });

  it('gives the same optimum in the sparse form', async () => {
    const sparse = await clearMarket({ ...scenario, network: { ...scenario.network, linearForm: 'sparse' } });
    expect(sparse.status).toBe('optimal');
    expect(relative(dense.objective!, sparse.objective!)).toBeLessThan(1e-7);
  }, 60_000);

  it('reports the linearisation error of every step in the AC check', () => {
    const check = acCheck(scenario, dense);
    expect(check.converged).toBe(true);
    expect(check.steps).toHaveLength(24);
    for (const step of check.steps) {
      expect(step.maxVoltageErrorPu).toBeGreaterThan(0);
      expect(step.maxVoltageErrorPu).toBeLessThan(0.01);
      expect(step.acLossKw).toBeGreaterThan(0);
    }
    // LinDistFlow ignores the losses, so where it holds a voltage exactly at 0.95 p.u., the AC
    // voltage is lower: the check must name those buses.
    const bindingSteps = dense.steps.filter((s) => s.buses.some((b) => Math.abs(b.voltagePu - 0.95) < 1e-7)).map((s) => s.t);
    for (const t of bindingSteps) {
      const missed = check.steps[t]!.violations.filter((v) => v.kind === 'voltage');
      expect(missed.length, `step ${t}`).toBeGreaterThan(0);
      for (const v of missed) expect(v.value).toBeLessThan(0.95);
    }
  });
});

describe('trade graphs', () => {
  const base = (tradeVolumeWeight: number) => generateScenario({ buses: 10, seed: 3, steps: 3, tradeVolumeWeight, loadKw: [2, 8] });
  const clearWithGraph = async (input: ScenarioInput, tradeGraph: 'all' | 'pool' | { maxHops: number }) => {
    const scenario = parseScenario({ ...input, market: { ...input.market, tradeGraph } });
    const result = await clearMarket(scenario);
    expect(checkInvariants(scenario, result), JSON.stringify(tradeGraph)).toEqual([]);
    return result;
  };

  it('change nothing but the trades when trading is free', async () => {
    const input = base(0);
    const all = await clearWithGraph(input, 'all');
    for (const graph of ['pool', { maxHops: 1 }, { maxHops: 0 }] as const) {
      const other = await clearWithGraph(input, graph);
      expect(relative(other.objective!, all.objective!)).toBeLessThan(1e-7);
    }
  });

  it('cost more trade volume the fewer pairs they allow', async () => {
    const input = base(0.01);
    const all = (await clearWithGraph(input, 'all')).objective!;
    const three = (await clearWithGraph(input, { maxHops: 3 })).objective!;
    const one = (await clearWithGraph(input, { maxHops: 1 })).objective!;
    const pool = (await clearWithGraph(input, 'pool')).objective!;
    const slack = 1e-6 * all;
    expect(all).toBeLessThanOrEqual(three + slack);
    expect(three).toBeLessThanOrEqual(one + slack);
    expect(all).toBeLessThanOrEqual(pool + slack);
  });

  it('pair the agents as documented', () => {
    // A path 0–1–2–3–4 with a prosumer on each of buses 1..4.
    const input = generateScenario({ buses: 5, seed: 1, steps: 1, tradeGraph: { maxHops: 1 } });
    const path = { ...input, network: { ...input.network, lines: input.network.lines.map((l, k) => ({ ...l, from: String(k), to: String(k + 1) })) } };
    const pairs = (tradeGraph: 'all' | 'pool' | { maxHops: number }) => {
      const scenario = parseScenario({ ...path, market: { ...path.market, tradeGraph } });
      const { index } = buildMarketProblem(scenario, new Feeder(scenario.network));
      return index.pairs.map(({ i, j }) => `${index.agents[i]}-${index.agents[j]}`);
    };
    expect(pairs({ maxHops: 1 })).toEqual(['utility-p1', 'utility-p2', 'utility-p3', 'utility-p4', 'p1-p2', 'p2-p3', 'p3-p4']);
    expect(pairs({ maxHops: 2 })).toHaveLength(4 + 5);
    expect(pairs('pool')).toEqual(['utility-pool', 'p1-pool', 'p2-pool', 'p3-pool', 'p4-pool']);
    expect(pairs('all')).toHaveLength(10);
  });
});

describe('fixed loads in a simulation', () => {
  it('follow their profile through every window', async () => {
    const input = generateScenario({ buses: 6, seed: 9, steps: 6, loadKw: [10, 40] });
    const scenario = parseScenario({ ...input, horizonSteps: 3 });
    const result = await simulate(scenario);
    expect(result.status).toBe('optimal');
    const recomputed = independentPowerFlow(scenario, result as unknown as ClearingResult);
    result.steps.forEach((step, t) => {
      for (const bus of step.buses) expect(bus.voltagePu, `step ${t}, bus ${bus.id}`).toBeCloseTo(recomputed.voltagePu[t]!.get(bus.id)!, 8);
    });
  });

  it('reach each window at its own steps: a load that grows binds a line only when it has grown', async () => {
    // The seed's feeder with 30 kW lines and a load at bus 3 of 20 kW × [0.2, 0.2, 1.5, 1.5]:
    // the window from step 2 must see 30 kW of load (the batteries then hold the lines at
    // their limit); were it given the profile's first entries instead, it would see 4 kW.
    const seed = JSON.parse(readFileSync('scenarios/seed-4node.json', 'utf8')) as ScenarioInput;
    const input: ScenarioInput = {
      ...seed,
      horizonSteps: 2,
      network: {
        ...seed.network,
        lines: seed.network.lines.map((l) => ({ ...l, maxKw: 30 })),
        loads: [{ bus: '3', injectionKw: -20 }],
        loadProfile: [0.2, 0.2, 1.5, 1.5],
      },
      prosumers: seed.prosumers.map((p) => ({ ...p, battery: { ...p.battery!, returnToInitial: false } })),
    };
    const scenario = parseScenario(input);
    const result = await simulate(scenario);
    expect(result.windows.map((w) => w.status)).toEqual(['optimal', 'optimal', 'optimal', 'optimal']);
    const flows = independentPowerFlow(scenario, result as unknown as ClearingResult).flowKw;
    result.steps.forEach((step, t) => {
      for (const line of step.lines) {
        expect(Math.abs(flows[t]!.get(line.to)!), `step ${t}, line ${line.from}→${line.to}`).toBeLessThanOrEqual(30 + 1e-6);
        expect(line.flowKw).toBeCloseTo(flows[t]!.get(line.to)!, 6);
      }
    });
    // The window from step 2 clears the same steps as a clearing of those steps alone does.
    const alone = await clearMarket(
      parseScenario({
        ...input,
        steps: 2,
        horizonSteps: undefined,
        utility: { ...input.utility, targetKw: input.utility.targetKw!.slice(2), priority: input.utility.priority!.slice(2) },
        network: { ...input.network, loadProfile: [1.5, 1.5] },
        prosumers: input.prosumers.map((p, k) => ({
          ...p,
          scheduleKw: p.scheduleKw.slice(2),
          battery: { ...p.battery!, initialKwh: result.steps[2]!.agents[k]!.socStartKwh! },
        })),
      }),
    );
    expect(alone.status).toBe('optimal');
    expect(result.windows[2]!.objective!).toBeCloseTo(alone.objective!, 6);
  });
});
