/** The discrete-event engine: event order, agents, rolling horizons, forecast errors, replay. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eventRecord, EVENT_PRIORITY, type SimEvent } from '../src/engine/events.ts';
import { EventLoop } from '../src/engine/loop.ts';
import { createSimulation, simulate, type SimulationResult } from '../src/engine/simulate.ts';
import { parseScenario } from '../src/scenario/load.ts';
import type { ScenarioInput } from '../src/scenario/schema.ts';

const seedHorizons = (): ScenarioInput => JSON.parse(readFileSync('scenarios/seed-time-horizons.json', 'utf8'));

describe('the event loop', () => {
  const timestep = (simHour: number, step: number): SimEvent => ({ type: 'timestep', simHour, step });
  const request = (simHour: number, step: number): SimEvent => ({ type: 'request', simHour, agent: 'utility', step, targetKw: 0, priority: 0 });
  const battery = (simHour: number, agent: string): SimEvent => ({
    type: 'batteryUpdate', simHour, agent, step: 0, batteryKw: 0, socStartKwh: 0, socEndKwh: 0, imbalanceKw: 0,
  });
  const forecast = (simHour: number, agent: string): SimEvent => ({ type: 'forecastUpdate', simHour, agent, fromStep: 0, scheduleKw: [1] });

  it('takes events by time, then by type priority, then in scheduling order', () => {
    const loop = new EventLoop();
    const seen: string[] = [];
    loop.events$.subscribe((e) => seen.push(`${e.simHour}:${e.type}:${'step' in e ? e.step : ''}${'agent' in e ? e.agent : ''}`));
    loop.schedule(timestep(4, 1));
    loop.schedule(request(4, 3));
    loop.schedule(battery(4, 'p2'));
    loop.schedule(timestep(0, 0));
    loop.schedule(battery(4, 'p1'));
    loop.schedule(forecast(4, 'p1'));
    loop.schedule(request(0, 1));
    loop.schedule(request(0, 0));
    loop.run();
    expect(seen).toEqual([
      '0:request:1utility', // same hour and type: scheduling order
      '0:request:0utility',
      '0:timestep:0',
      '4:batteryUpdate:0p2', // batteries first, so that the next clearing sees them
      '4:batteryUpdate:0p1',
      '4:forecastUpdate:p1',
      '4:request:3utility',
      '4:timestep:1',
    ]);
  });

  it('lets subscribers schedule at the current hour, and refuses the past', () => {
    const loop = new EventLoop();
    const seen: string[] = [];
    loop.timestep$.subscribe((e) => {
      seen.push(`timestep ${e.step}`);
      if (e.step === 0) loop.schedule(request(e.simHour, 9)); // same hour, higher priority: still taken next
    });
    loop.request$.subscribe((e) => seen.push(`request ${e.step}`));
    loop.schedule(timestep(0, 0));
    loop.schedule(timestep(1, 1));
    loop.run();
    expect(seen).toEqual(['timestep 0', 'request 9', 'timestep 1']);

    const late = new EventLoop();
    late.on('timestep', (e) => late.schedule(request(e.simHour - 1, 0)));
    late.schedule(timestep(2, 0));
    expect(() => late.run()).toThrow(/before the current hour 2/);
  });

  it('has a documented priority for every event type', () => {
    expect(Object.entries(EVENT_PRIORITY).sort((a, b) => a[1] - b[1]).map(([type]) => type)).toEqual([
      'batteryUpdate', 'forecastUpdate', 'request', 'timestep', 'marketCleared',
    ]);
  });
});

/** Every realised battery state within its limits, and the steps chained. */
function expectWithinLimits(input: ScenarioInput, result: SimulationResult) {
  for (const step of result.steps) {
    step.agents.forEach((a, k) => {
      const b = input.prosumers[k]!.battery!;
      expect(a.socStartKwh!).toBeGreaterThanOrEqual(b.minKwh - 1e-9);
      expect(a.socEndKwh!).toBeLessThanOrEqual(b.maxKwh + 1e-9);
      expect(a.socEndKwh!).toBeGreaterThanOrEqual(b.minKwh - 1e-9);
      expect(a.batteryKw).toBeLessThanOrEqual(b.maxDischargeKw + 1e-9);
      expect(a.batteryKw).toBeGreaterThanOrEqual(-b.maxChargeKw - 1e-9);
      expect(a.socEndKwh!).toBeCloseTo(a.socStartKwh! - input.stepHours * a.batteryKw, 6);
      if (step.t > 0) expect(a.socStartKwh).toBe(result.steps[step.t - 1]!.agents[k]!.socEndKwh);
    });
  }
}

describe("the seed's rolling horizon (scenarios/seed-time-horizons.json)", async () => {
  const input = seedHorizons();
  const result = await simulate(parseScenario(input));

  it('clears every window optimally; the first at the exact optimum 84.240', () => {
    expect(result.status).toBe('optimal');
    expect(result.windows.map((w) => w.status)).toEqual(['optimal', 'optimal', 'optimal']);
    expect(result.windows[0]!.objective).toBeCloseTo(84.24, 2);
    expect(result.windows[0]!.socStartKwh).toEqual({ p1: 6, p2: 12, p3: 11 });
  });

  it('stops when a full window no longer fits (horizonEnd "stop", as the seed did)', () => {
    expect(result.windows.map((w) => [w.start, w.steps])).toEqual([[0, 4], [1, 4], [2, 4]]);
    expect(result.steps.map((s) => s.t)).toEqual([0, 1, 2]);
  });

  it('keeps every realised state of charge within its limits (the seed broke them)', () => {
    expectWithinLimits(input, result);
  });

  it('starts each window from the states the previous one left', () => {
    result.windows.slice(1).forEach((w, k) => {
      for (const [id, kwh] of Object.entries(w.socStartKwh)) {
        const agent = result.steps[k]!.agents.find((a) => a.id === id)!;
        expect(kwh).toBeCloseTo(agent.socEndKwh!, 6);
      }
    });
  });

  it('shrinks the window near the end by default', async () => {
    const shrinking = await simulate(parseScenario({ ...input, horizonEnd: 'shrink' }));
    expect(shrinking.windows.map((w) => w.steps)).toEqual([4, 4, 4, 3, 2, 1]);
    expect(shrinking.status).toBe('optimal');
    expect(shrinking.steps).toHaveLength(6);
    expectWithinLimits(input, shrinking);
  });

  it('is deterministic: two runs give the same events and steps', async () => {
    const again = await simulate(parseScenario(input));
    expect(again.events.map(eventRecord)).toEqual(result.events.map(eventRecord));
    expect(again.steps).toEqual(result.steps);
  });

  it('replays its own requests into the same realised steps', async () => {
    const replayed = await simulate(parseScenario(input), { requests: result.requests });
    expect(replayed.steps).toEqual(result.steps);
    expect(replayed.requests).toEqual(result.requests);
  });
});

describe('a custom subscriber through the library API', () => {
  it('sees every event, in order, and each market result', async () => {
    const simulation = await createSimulation(parseScenario(seedHorizons()));
    const seen: SimEvent[] = [];
    const cleared: number[] = [];
    simulation.loop.events$.subscribe((e) => seen.push(e));
    simulation.loop.marketCleared$.subscribe((e) => cleared.push(e.window.objective!));
    const result = simulation.run();
    expect(seen).toEqual(result.events);
    for (let k = 1; k < seen.length; k++) {
      const [a, b] = [seen[k - 1]!, seen[k]!];
      expect(a.simHour < b.simHour || (a.simHour === b.simHour && EVENT_PRIORITY[a.type] <= EVENT_PRIORITY[b.type])).toBe(true);
    }
    expect(cleared).toEqual(result.windows.map((w) => w.objective));
    // 6 requests, 3 timesteps, 3 clearings, 3 × 3 battery updates.
    expect(seen.filter((e) => e.type === 'batteryUpdate')).toHaveLength(9);
    expect(seen).toHaveLength(6 + 3 + 3 + 9);
  });
});

describe('forecast and realisation', () => {
  it('lets the battery absorb a forecast error within its limits, and hands the rest to the utility', async () => {
    const input = seedHorizons();
    // Step 0: p3 turns out 0.4 kW below its forecast (its battery, planned at 1.26 kW, may
    // give up to 1.75 kW: (11 − 4) kWh over 4 h); step 1: p3 turns out 20 kW above, far beyond
    // what its battery can absorb.
    input.prosumers[2]!.realisedKw = input.prosumers[2]!.scheduleKw.map((v, t) => (t === 0 ? v - 0.4 : t === 1 ? v + 20 : v));
    const result = await simulate(parseScenario(input));
    const baseline = await simulate(parseScenario(seedHorizons()));
    expect(result.status).toBe('optimal');
    expectWithinLimits(input, result);

    const early = result.steps[0]!.agents[2]!;
    expect(early.realisedKw).toBeCloseTo(-5.4, 9);
    expect(early.imbalanceKw).toBeCloseTo(0, 9);
    expect(early.batteryKw).toBeCloseTo(baseline.steps[0]!.agents[2]!.batteryKw + 0.4, 6);
    expect(early.netInjectionKw).toBeCloseTo(early.plannedNetInjectionKw, 6);

    const p3 = result.steps[1]!.agents[2]!;
    const b3 = input.prosumers[2]!.battery!;
    // The battery charges as hard as it can (power limit, or the room left below its maximum).
    const room = Math.min(b3.maxChargeKw, (b3.maxKwh - p3.socStartKwh!) / input.stepHours);
    expect(p3.batteryKw).toBeCloseTo(-room, 6);
    expect(p3.imbalanceKw).toBeCloseTo(p3.realisedKw + p3.batteryKw - p3.plannedNetInjectionKw, 6);
    expect(p3.imbalanceKw).toBeGreaterThan(10);
    expect(result.steps[1]!.utilityImbalanceKw).toBeCloseTo(p3.imbalanceKw, 6);
    const utility = result.utility.find((u) => u.t === 1)!;
    expect(utility.deliveredKw - utility.plannedKw).toBeCloseTo(p3.imbalanceKw, 6);
  });

  it('clears later windows on a revised forecast (forecastUpdate$)', async () => {
    const input = seedHorizons();
    input.prosumers[1]!.forecastUpdates = [{ atHour: 4, fromStep: 2, scheduleKw: [5, 5] }];
    const simulation = await createSimulation(parseScenario(input));
    const updates: string[] = [];
    simulation.loop.forecastUpdate$.subscribe((e) => updates.push(`${e.simHour} ${e.agent} ${e.fromStep}`));
    const result = simulation.run();
    expect(updates).toEqual(['4 p2 2']);
    expect(result.steps[0]!.agents[1]!.scheduleKw).toBe(-5);
    expect(result.steps[2]!.agents[1]!.scheduleKw).toBe(5);
  });
});

describe('a window that cannot be cleared', () => {
  it('is reported, and its step runs with idle batteries', async () => {
    const input = seedHorizons();
    input.horizonEnd = 'shrink';
    // From hour 8 on, p2 expects 100 kW in step 5: no window containing it can respect p2's
    // 38.4 kW injection limit (its battery charges at most 7.5 kW).
    input.prosumers[1]!.forecastUpdates = [{ atHour: 8, fromStep: 5, scheduleKw: [100] }];
    const result = await simulate(parseScenario(input));
    expect(result.status).toBe('infeasible');
    expect(result.windows.map((w) => w.status)).toEqual(['optimal', 'optimal', 'infeasible', 'infeasible', 'infeasible', 'infeasible']);
    const failed = result.windows[2]!;
    expect(failed.fallback).toBe('batteries idle');
    expect(failed.diagnosis).toMatch(/infeasible/);
    for (const t of [2, 3, 4, 5]) {
      for (const a of result.steps[t]!.agents) expect(a.batteryKw).toBe(0);
      expect(result.steps[t]!.trades).toEqual([]);
    }
    expect(result.events.filter((e) => e.type === 'marketCleared' && e.window.fallback)).toHaveLength(4);
  });
});

describe('requests issued during the run', () => {
  it('takes a request event from the scenario at its hour, for the windows cleared after it', async () => {
    const input = seedHorizons();
    input.horizonEnd = 'shrink';
    // At hour 8 (the start of step 2) the utility asks for −30 kW in step 3 with priority 5.
    input.utility.requestEvents = [{ atHour: 8, step: 3, targetKw: -30, priority: 5 }];
    const result = await simulate(parseScenario(input));
    expect(result.requests.at(-1)).toMatchObject({ simHour: 8, step: 3, targetKw: -30, priority: 5 });
    const order = result.events.filter((e) => e.simHour === 8).map((e) => e.type);
    expect(order.indexOf('request')).toBeLessThan(order.indexOf('timestep'));
    expect(result.steps[3]!.utilityTargetKw).toBe(-30);
    expect(result.steps[3]!.utilityPriority).toBe(5);
    const baseline = await simulate(parseScenario({ ...seedHorizons(), horizonEnd: 'shrink' }));
    expect(result.windows[1]!.objective).toBeCloseTo(baseline.windows[1]!.objective!, 9); // cleared before hour 8
    expect(result.windows[2]!.objective).not.toBeCloseTo(baseline.windows[2]!.objective!, 3);
  });
});

describe('random forecast errors (forecastErrorStdKw, --seed)', () => {
  const noisy = () => ({ ...seedHorizons(), forecastErrorStdKw: 0.8 });

  it('draws the same errors from the same seed, others from another', async () => {
    const a = await simulate(parseScenario(noisy()), { seed: 7 });
    const b = await simulate(parseScenario(noisy()), { seed: 7 });
    const c = await simulate(parseScenario(noisy()), { seed: 8 });
    const realised = (r: SimulationResult) => r.steps.flatMap((s) => s.agents.map((x) => x.realisedKw));
    expect(realised(b)).toEqual(realised(a));
    expect(realised(c)).not.toEqual(realised(a));
    expect(a.seed).toBe(7);
    const errors = a.steps.flatMap((s) => s.agents.map((x) => x.realisedKw - x.scheduleKw));
    expect(errors.every((e) => Math.abs(e) < 5 * 0.8)).toBe(true);
    expect(errors.some((e) => Math.abs(e) > 0.05)).toBe(true);
    expectWithinLimits(noisy(), a);
  });

  it('leaves a scenario without them untouched, whatever the seed', async () => {
    const a = await simulate(parseScenario(seedHorizons()), { seed: 1 });
    const b = await simulate(parseScenario(seedHorizons()), { seed: 99 });
    expect(b.steps).toEqual(a.steps);
    expect(a.steps.every((s) => s.agents.every((x) => x.realisedKw === x.scheduleKw))).toBe(true);
  });
});
