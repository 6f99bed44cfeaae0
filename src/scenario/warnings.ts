/**
 * Warnings about a valid scenario that looks like a habit from another tool or a unit slip:
 * values the simulator takes as written, but that are probably not what was meant. Each has an
 * id; a scenario silences the ones it means with `"ignoreWarnings": ["positive-load", …]`.
 */
import type { WarningId } from './schema.ts';
import { stepStartHour, type Scenario } from './validate.ts';

export { WARNING_IDS, type WarningId } from './schema.ts';

export interface ScenarioWarning {
  id: WarningId;
  path: string;
  message: string;
}

/** The scenario's warnings, but those it silences. */
export function scenarioWarnings(scenario: Scenario): ScenarioWarning[] {
  const found: ScenarioWarning[] = [];
  const add = (id: WarningId, path: string, message: string) => found.push({ id, path, message });
  const { network } = scenario;

  const positive = network.loads.map((load, k) => ({ load, k })).filter(({ load }) => load.injectionKw > 0);
  if (positive.length > 0) {
    const { load, k } = positive[0]!;
    add('positive-load', `network.loads[${k}].injectionKw`, `${load.injectionKw} kW is a generation here: injection is positive, so a load of ${load.injectionKw} kW is written ${-load.injectionKw}${positive.length > 1 ? ` (and ${positive.length - 1} more loads are positive)` : ''}`);
  }
  if (network.baseKv >= 100) {
    add('base-voltage', 'network.baseKv', `${network.baseKv} kV is a transmission voltage; a distribution feeder is 0.4 to 35 kV (volts typed as kV? 400 V is 0.4)`);
  }
  const limitKw = largestPlausibleKw(network.baseKv);
  const large = plausiblePowers(scenario).find((p) => p.amount > limitKw);
  if (large) {
    add('large-power', large.path, `${large.amount.toLocaleString('en-US')} ${large.unit} at one ${large.what} of a ${network.baseKv} kV feeder, above the ${limitKw.toLocaleString('en-US')} ${large.unit} it plausibly holds (watts typed as kW? 5,000 W is 5 kW)`);
  }
  const line = network.lines.findIndex((l) => l.rOhm > 100 || l.xOhm > 100);
  if (line >= 0) add('large-impedance', `network.lines[${line}]`, `${network.lines[line]!.rOhm} + j${network.lines[line]!.xOhm} Ω for one line (per-unit or mΩ typed as Ω?)`);
  if (network.vMinPu < 0.8 || network.vMaxPu > 1.2) {
    add('voltage-limits', network.vMinPu < 0.8 ? 'network.vMinPu' : 'network.vMaxPu', `limits of ${network.vMinPu}–${network.vMaxPu} p.u. are far from the usual 0.9–1.1 (kV typed as p.u.?)`);
  }
  const tariff = scenario.utility.tariff;
  const price = tariff ? Math.max(...tariff.sellPerKwh, ...tariff.buyPerKwh) : 0;
  if (price > 10) add('price-per-kwh', 'utility.tariff', `${price} per kWh (a price per MWh, or in cents, typed as per kWh?)`);
  if (scenario.stepHours > 24) add('step-hours', 'stepHours', `steps of ${scenario.stepHours} hours (minutes typed as hours? 15 minutes is 0.25)`);

  for (const late of lateEvents(scenario)) add('late-event', late.path, late.message);

  const ignored = new Set(scenario.ignoreWarnings);
  return found.filter((w) => !ignored.has(w.id));
}

/**
 * The most power one connection plausibly has at a feeder's voltage, kW: a low-voltage feeder's
 * whole transformer (up to ~1 MVA), a medium-voltage feeder's (up to some 50 MVA); more at one
 * prosumer or load is a unit slip far more often than a plant.
 */
export function largestPlausibleKw(baseKv: number): number {
  return baseKv <= 1 ? 1_000 : baseKv <= 35 ? 50_000 : 100_000;
}

/**
 * Every power (kW) and battery energy (kWh) a user writes, as a magnitude in `unit`, with the field
 * that holds it (a battery's kWh are held to the same number as kW: an hour at full power).
 */
function plausiblePowers(scenario: Scenario): { path: string; amount: number; unit: 'kW' | 'kWh'; what: string }[] {
  const largest = (values: readonly number[], path: string) => {
    let t = 0;
    values.forEach((v, k) => {
      if (Math.abs(v) > Math.abs(values[t]!)) t = k;
    });
    return { path: `${path}[${t}]`, amount: Math.abs(values[t] ?? 0) };
  };
  return [
    ...scenario.network.loads.map((l, k) => ({ path: `network.loads[${k}].injectionKw`, amount: Math.abs(l.injectionKw), unit: 'kW' as const, what: 'load' })),
    ...scenario.prosumers.flatMap((p, k) => {
      const at = `prosumers[${k}]`;
      // Where PV and load are given, the net schedule is derived from them: name what was written.
      const series = p.pvKw || p.loadKw ? [p.pvKw && largest(p.pvKw, `${at}.pvKw`), p.loadKw && largest(p.loadKw, `${at}.loadKw`)] : [largest(p.scheduleKw, `${at}.scheduleKw`)];
      const battery = p.battery
        ? [
            { path: `${at}.battery.maxChargeKw`, amount: p.battery.maxChargeKw, unit: 'kW' as const },
            { path: `${at}.battery.maxDischargeKw`, amount: p.battery.maxDischargeKw, unit: 'kW' as const },
            { path: `${at}.battery.maxKwh`, amount: p.battery.maxKwh, unit: 'kWh' as const },
          ]
        : [];
      return [...series.filter((v) => v !== undefined).map((v) => ({ ...v, unit: 'kW' as const })), ...battery].map((v) => ({ ...v, what: 'prosumer' }));
    }),
  ];
}

/**
 * A request issued after its step has started, or a forecast update issued after the steps it
 * revises have started, changes nothing: the simulation has dispatched those steps (a request at
 * the step's start hour still counts: requests come before the step's clearing). The first such
 * event of each kind, and how many more.
 */
export function lateEvents(scenario: Scenario): { path: string; message: string }[] {
  const found: { path: string; message: string }[] = [];
  const requests = (scenario.utility.requestEvents ?? []).flatMap((e, i) => {
    const why = lateRequest(scenario, e.atHour, e.step);
    return why ? [{ why, i }] : [];
  });
  if (requests.length > 0) {
    const { why, i } = requests[0]!;
    found.push({ path: `utility.requestEvents[${i}].atHour`, message: `${why}${more(requests.length)}` });
  }
  const updates = scenario.prosumers.flatMap((p, k) =>
    (p.forecastUpdates ?? []).map((u, j) => ({ u, path: `prosumers[${k}].forecastUpdates[${j}].atHour` })).filter(({ u }) => u.atHour > stepStartHour(scenario, u.fromStep)),
  );
  if (updates.length > 0) {
    const { u, path } = updates[0]!;
    const last = u.fromStep + u.scheduleKw.length - 1;
    const started = Math.min(last, Math.ceil((u.atHour - scenario.startHour) / scenario.stepHours - 1e-9) - 1);
    const what = started >= last ? 'every step it revises has' : `steps ${u.fromStep}–${started} of the ${u.fromStep}–${last} it revises have`;
    found.push({ path, message: `a forecast update at hour ${u.atHour}, when ${what} started: their forecast stays as it was${more(updates.length)}` });
  }
  return found;
}

/** Why a request issued at `atHour` for `step` changes nothing (for a warning); undefined when it is in time. */
export function lateRequest(scenario: Pick<Scenario, 'startHour' | 'stepHours'>, atHour: number, step: number): string | undefined {
  if (atHour <= stepStartHour(scenario, step)) return undefined;
  return `a request for step ${step} issued at hour ${atHour}, after the step started (hour ${stepStartHour(scenario, step)}): it cannot change that step`;
}

const more = (n: number) => (n > 1 ? ` (and ${n - 1} more such event${n > 2 ? 's' : ''})` : '');

/** A warning as one line: what, where, and how to silence it. */
export function formatWarning(file: string, w: ScenarioWarning): string {
  return `warning: ${file}: ${w.path}: ${w.message}. If it is meant, silence this with "ignoreWarnings": ["${w.id}"]`;
}
