/**
 * A window of a scenario: steps `start` … `start + steps − 1` as a scenario of their own, every
 * per-step series sliced (schedules, PV and load, realisations, requests, tariff, load profiles)
 * and step 0 starting at the window's clock hour. The rolling-horizon engine clears such windows
 * with the agents' current states (`state`); `validate` describes the first one.
 */
import { stepStartHour, type Scenario } from './validate.ts';

/** What the agents know when a window is cleared: their forecasts, batteries and the utility's requests. */
export interface WindowState {
  /** Each prosumer's forecast of the whole horizon (kW), by prosumer index. */
  scheduleKw?: (k: number) => readonly number[];
  /** Each prosumer's state of charge at the window's start (kWh), by prosumer index. */
  socKwh?: (k: number) => number | null;
  /** The utility's requests of the whole horizon. */
  targetKw?: readonly number[];
  priority?: readonly number[];
}

/** The network seen by a window of `steps` steps from `start` (load profiles sliced). */
export function networkWindow(network: Scenario['network'], start: number, steps: number): Scenario['network'] {
  const slice = (values: number[] | undefined) => values?.slice(start, start + steps);
  return {
    ...network,
    loadProfile: slice(network.loadProfile),
    loads: network.loads.map((load) => ({ ...load, profile: slice(load.profile) })),
  };
}

export function scenarioWindow(scenario: Scenario, start: number, steps: number, state: WindowState = {}): Scenario {
  const slice = (values: readonly number[]) => values.slice(start, start + steps);
  const sliceSome = (values: readonly number[] | undefined) => (values ? slice(values) : undefined);
  const { utility } = scenario;
  return {
    ...scenario,
    name: `${scenario.name}@${start}`,
    steps,
    startHour: stepStartHour(scenario, start),
    network: networkWindow(scenario.network, start, steps),
    utility: {
      bus: utility.bus,
      targetKw: slice(state.targetKw ?? utility.targetKw),
      priority: slice(state.priority ?? utility.priority),
      ...(utility.tariff ? { tariff: { buyPerKwh: slice(utility.tariff.buyPerKwh), sellPerKwh: slice(utility.tariff.sellPerKwh) } } : {}),
    },
    prosumers: scenario.prosumers.map((p, k) => {
      const soc = state.socKwh?.(k);
      return {
        ...p,
        scheduleKw: slice(state.scheduleKw?.(k) ?? p.scheduleKw),
        pvKw: sliceSome(p.pvKw),
        loadKw: sliceSome(p.loadKw),
        realisedKw: undefined,
        forecastUpdates: undefined,
        ...(p.battery && soc !== undefined && soc !== null ? { battery: { ...p.battery, initialKwh: soc } } : {}),
      };
    }),
  };
}
