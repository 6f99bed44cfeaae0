/**
 * A solver session reused across markets of one structure (as a simulation's windows, or a
 * sweep's points, use it) gives the answers fresh clearings give.
 */
import { describe, expect, it } from 'vitest';
import { createSimulation } from '../src/engine/simulate.ts';
import { clearWith, solverAdapter, type SessionSlot } from '../src/market/clear.ts';
import { generateScenario } from '../src/scenario/generate.ts';
import { loadScenario, parseScenario } from '../src/scenario/load.ts';
import { scenarioWindow } from '../src/scenario/window.ts';
import { checkInvariants } from './helpers/invariants.ts';

describe('a reused solver session', async () => {
  const highs = await solverAdapter('highs');

  it('clears a sequence of markets of one structure like fresh clearings do', () => {
    // One feeder; schedules, requests, priorities and battery states vary from market to market.
    const base = generateScenario({ buses: 6, seed: 'session', steps: 4, batteryShare: 0.8 });
    const markets = Array.from({ length: 12 }, (_, k) => {
      const input = structuredClone(base);
      input.prosumers.forEach((p, i) => {
        p.scheduleKw = p.scheduleKw.map((v, t) => Math.round((v + Math.sin(k + i + t) * 2) * 1000) / 1000);
        if (p.battery) p.battery.initialKwh = p.battery.minKwh + ((p.battery.maxKwh - p.battery.minKwh) * ((k + i) % 5)) / 4;
      });
      input.utility.targetKw = input.utility.targetKw!.map((v, t) => v + k - t);
      input.utility.priority = input.utility.priority!.map((w, t) => ((k + t) % 3 === 0 ? 0 : w + 1));
      return parseScenario(input);
    });
    const slot: SessionSlot = {};
    try {
      for (const [k, scenario] of markets.entries()) {
        const fresh = clearWith(highs, scenario);
        const opened = slot.session;
        const reused = clearWith(highs, scenario, { reuse: slot });
        // The first clearing opens the slot's session; the others keep using it.
        if (k > 0) expect(slot.session, `market ${k}`).toBe(opened);
        expect(reused.status, `market ${k}`).toBe(fresh.status);
        if (fresh.status !== 'optimal') continue;
        expect(checkInvariants(scenario, reused), `market ${k}`).toEqual([]);
        expect(Math.abs(reused.objective! - fresh.objective!), `market ${k}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(fresh.objective!)));
        reused.steps.forEach((step, t) =>
          step.agents.forEach((a, i) => expect(a.batteryKw, `market ${k}, step ${t}, ${a.id}`).toBeCloseTo(fresh.steps[t]!.agents[i]!.batteryKw, 3)),
        );
      }
    } finally {
      slot.session?.dispose();
    }
  });

  // Issue 10's year on the 33-bus feeder: 24-hour windows moved on by one hour. Most windows'
  // first stages are found from the previous optimum's active set, shifted, without an LP round;
  // each must be the optimum a fresh clearing finds (objective 1e-9, the same unique dispatch).
  // From hour 0 the right guesses finish in 0–30 simplex iterations; from hour 250 they need
  // 47–106, which a limit of 50 cut off (the windows then took 5–17 LP rounds).
  it.each([0, 250])('starts a rolling window from the previous window\'s optimum and ends at the optimum a fresh clearing finds (from hour %i)', (first) => {
    const year = loadScenario('scenarios/ieee33-year.json');
    const hours = year.horizonSteps!;
    const slot: SessionSlot = {};
    let warm = 0;
    try {
      for (let start = first; start < first + 6; start++) {
        const window = scenarioWindow(year, start, hours);
        const rolled = clearWith(highs, window, { reuse: slot, ...(start > first ? { shiftSteps: 1 } : {}) });
        const fresh = clearWith(highs, window);
        expect(rolled.status, `window ${start}`).toBe('optimal');
        expect(fresh.status, `window ${start}`).toBe('optimal');
        warm += rolled.solver.fromPreviousWindow ?? 0;
        if (start === first) expect(rolled.solver.fromPreviousWindow, 'the first window has no previous one').toBeUndefined();
        expect(fresh.solver.fromPreviousWindow, `window ${start}`).toBeUndefined();
        expect(checkInvariants(window, rolled), `window ${start}`).toEqual([]);
        expect(Math.abs(rolled.objective! - fresh.objective!), `window ${start}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(fresh.objective!)));
        rolled.steps.forEach((step, t) =>
          step.agents.forEach((a, i) => expect(a.batteryKw, `window ${start}, step ${t}, ${a.id}`).toBeCloseTo(fresh.steps[t]!.agents[i]!.batteryKw, 5)),
        );
      }
    } finally {
      slot.session?.dispose();
    }
    // Five windows follow a previous one; at least four start from it (measured: all five).
    expect(warm).toBeGreaterThanOrEqual(4);
  });

  it("guesses a simulated day's windows from the previous ones, the end of each horizon aligned with the last", async () => {
    // A day of the year simulated (24 hourly windows from hour 2190): the realised states carry the
    // end of each horizon (batteries drained in its last step) into the next window's guess. Aligned
    // by time alone, the new last step's guess was the old last step's with the old end state
    // before it (every battery idle, a balance it cannot meet): 14 of 23 windows started from the
    // previous one. With the horizon's end aligned with the previous one's: 22 of 23.
    const year = loadScenario('scenarios/ieee33-year.json');
    const day = { ...scenarioWindow(year, 2190, 24 + 23), name: 'ieee33-year-2190', horizonSteps: 24, horizonEnd: 'stop' as const };
    const simulation = await createSimulation(day, {});
    let warm = 0;
    let windows = 0;
    simulation.loop.on('marketCleared', (e) => {
      windows++;
      expect(e.result?.status, `window ${e.step}`).toBe('optimal');
      warm += e.result?.solver.fromPreviousWindow ?? 0;
    });
    const result = await simulation.run();
    expect(result.status).toBe('optimal');
    expect(windows).toBe(24);
    expect(warm).toBeGreaterThanOrEqual(20);
  });
});
