/**
 * Bus injections of a step (kW and kvar, injection positive): the fixed loads (times their
 * profile) plus the prosumers' net injections and their constant reactive power. The one place
 * that sums them, for the clearing problem's constants, the reported network state, and the
 * AC power flow.
 */
import type { ProsumerData } from '../scenario/schema.ts';
import type { Feeder } from './feeder.ts';

/** `netInjectionKw[k]` is prosumer k's active net injection; zeros give the constant part alone. */
export function busInjections(
  feeder: Feeder,
  prosumers: readonly ProsumerData[],
  netInjectionKw: readonly number[] | undefined,
  t: number,
): { pKw: number[]; qKvar: number[] } {
  const { pKw, qKvar } = feeder.fixedInjections(t);
  prosumers.forEach((p, k) => {
    const bus = feeder.busIndex(p.bus);
    pKw[bus]! += netInjectionKw?.[k] ?? 0;
    qKvar[bus]! += p.reactiveKvar;
  });
  return { pKw, qKvar };
}
