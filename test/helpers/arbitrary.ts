/** fast-check arbitraries of random markets (test/properties.test.ts, test/injection-space.test.ts). */
import fc from 'fast-check';
import type { ScenarioInput } from '../../src/scenario/schema.ts';

const kw = (lo: number, hi: number) => fc.double({ min: lo, max: hi, noNaN: true }).map((v) => Math.round(v * 1000) / 1000);

/** Batteries, a third of them with losses (efficiencies and self-discharge). */
const losses = fc.oneof(
  fc.constant({}),
  fc.constant({}),
  fc.record({ chargeEfficiency: fc.constantFrom(0.8, 0.9, 0.95), dischargeEfficiency: fc.constantFrom(0.85, 0.95, 1), selfDischargePerHour: fc.constantFrom(0, 0.01, 0.05) }),
);
const battery = fc
  .record({ maxKwh: kw(1, 30), minShare: fc.double({ min: 0, max: 0.5, noNaN: true }), initialShare: fc.double({ min: 0, max: 1, noNaN: true }), maxChargeKw: kw(0, 10), maxDischargeKw: kw(0, 10), returnToInitial: fc.boolean(), losses })
  .map(({ maxKwh, minShare, initialShare, losses, ...rest }) => {
    const minKwh = Math.round(maxKwh * minShare * 1000) / 1000;
    return { ...rest, ...losses, maxKwh, minKwh, initialKwh: Math.round((minKwh + (maxKwh - minKwh) * initialShare) * 1000) / 1000 };
  });

export const scenarioArbitrary: fc.Arbitrary<ScenarioInput> = fc
  .record({
    buses: fc.integer({ min: 2, max: 8 }),
    steps: fc.integer({ min: 1, max: 5 }),
    stepHours: fc.constantFrom(0.5, 1, 4),
    lowVoltage: fc.boolean(),
    prosumers: fc.integer({ min: 1, max: 6 }),
    seedOffsets: fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
  })
  .chain(({ buses, steps, stepHours, lowVoltage, prosumers }) =>
    fc.record({
      parents: fc.tuple(...Array.from({ length: buses - 1 }, (_, k) => fc.integer({ min: 0, max: k }))),
      lines: fc.array(fc.record({ rOhm: kw(0.01, 2), xOhm: kw(0.01, 2), maxKw: fc.option(kw(20, 200), { nil: undefined }) }), { minLength: buses - 1, maxLength: buses - 1 }),
      lineOrder: fc.shuffledSubarray(Array.from({ length: buses - 1 }, (_, k) => k), { minLength: buses - 1, maxLength: buses - 1 }),
      prosumers: fc.array(
        fc.record({
          bus: fc.integer({ min: 0, max: buses - 1 }),
          scheduleKw: fc.array(kw(-20, 20), { minLength: steps, maxLength: steps }),
          reactiveKvar: kw(-3, 3),
          limits: fc.option(fc.tuple(kw(-60, -15), kw(15, 60)), { nil: undefined }),
          battery: fc.option(battery, { nil: undefined }),
          costBid: fc.option(fc.record({ quadraticPerKw2h: fc.constantFrom(0, 0.05, 0.3), linearPerKwh: kw(-5, 10) }), { nil: undefined }),
        }),
        { minLength: prosumers, maxLength: prosumers },
      ),
      // Economics: a tariff, a network-use fee, and the buyers' preferences between the first prosumers.
      tariff: fc.option(fc.tuple(kw(0, 5), kw(0, 6)), { nil: undefined }),
      networkFee: fc.option(fc.record({ perKwh: kw(0, 0.5), perKwhPerOhm: kw(0, 1) }), { nil: undefined }),
      // Premiums (negative) too: a market whose trades could cycle at a profit must be refused.
      preferences: fc.array(fc.record({ from: fc.integer({ min: 0, max: 2 }), to: fc.integer({ min: 0, max: 2 }), costPerKwh: kw(-0.5, 1) }), { maxLength: 3 }),
      targetKw: fc.array(kw(-30, 30), { minLength: steps, maxLength: steps }),
      priority: fc.array(fc.constantFrom(0, 0.5, 1, 3), { minLength: steps, maxLength: steps }),
      market: fc.record({
        tradeVolumeWeight: fc.constantFrom(0, 0.01, 0.5),
        penaltyNorm: fc.constantFrom('l1' as const, 'l2' as const),
        tieBreak: fc.constantFrom('quadratic' as const, 'none' as const),
        tradeGraph: fc.constantFrom('all' as const, 'all' as const, 'pool' as const, 'utility' as const, { maxHops: 0 }, { maxHops: 2 }),
      }),
      loads: fc.array(
        fc.record({ bus: fc.integer({ min: 1, max: buses - 1 }), injectionKw: kw(-30, 5), injectionKvar: kw(-10, 2) }),
        { maxLength: buses - 1 },
      ),
      loadProfile: fc.option(fc.array(kw(0.2, 1.2), { minLength: steps, maxLength: steps }), { nil: undefined }),
      linearForm: fc.constantFrom('dense' as const, 'sparse' as const),
    }).map((r): ScenarioInput => ({
      name: 'property',
      steps,
      stepHours,
      network: {
        baseKv: lowVoltage ? 0.4 : 12.66,
        baseKva: lowVoltage ? 100 : 1000,
        vMinPu: 0.9,
        vMaxPu: 1.1,
        slack: 'b0',
        buses: Array.from({ length: buses }, (_, k) => `b${k}`),
        lines: r.lineOrder.map((k) => ({ from: `b${r.parents[k]}`, to: `b${k + 1}`, ...r.lines[k]! })),
        loads: r.loads.map((l) => ({ ...l, bus: `b${l.bus}` })),
        ...(r.loadProfile ? { loadProfile: r.loadProfile } : {}),
        linearForm: r.linearForm,
      },
      utility: {
        bus: 'b0',
        targetKw: r.targetKw,
        priority: r.priority,
        ...(r.tariff ? { tariff: { buyPerKwh: r.tariff[0], sellPerKwh: r.tariff[0] + r.tariff[1] } } : {}),
      },
      prosumers: r.prosumers.map((p, k) => ({
        id: `p${k + 1}`,
        bus: `b${p.bus}`,
        scheduleKw: p.scheduleKw,
        reactiveKvar: p.reactiveKvar,
        ...(p.limits ? { minInjectionKw: p.limits[0], maxInjectionKw: p.limits[1] } : {}),
        ...(p.battery ? { battery: p.battery } : {}),
        ...(p.costBid ? { costBid: p.costBid } : {}),
      })),
      market: {
        ...r.market,
        ...(r.networkFee ? { networkFee: r.networkFee } : {}),
        // Agent 0 is the utility; each directed pair once, between agents that exist.
        pairPreferences: r.preferences
          .map((p) => ({ from: p.from === 0 ? 'utility' : `p${p.from}`, to: p.to === 0 ? 'utility' : `p${p.to}`, costPerKwh: p.costPerKwh }))
          .filter((p, k, all) => p.from !== p.to && all.findIndex((q) => q.from === p.from && q.to === p.to) === k)
          .filter((p) => [p.from, p.to].every((id) => id === 'utility' || Number(id.slice(1)) <= r.prosumers.length)),
      },
    })),
  );
