/**
 * How results are reported: rounding, and the network's state for given injections.
 *
 * Powers, energies and prices are rounded to 1e-7 (kW, kWh, per kWh) and voltages to 1e-9 p.u.
 * (and −0 to 0): the solver's feasibility tolerance is 1e-9, and its noise should not reach
 * the files.
 */
import type { Feeder } from '../network/feeder.ts';
import { busInjections } from '../network/injections.ts';
import type { ProsumerData } from '../scenario/schema.ts';
import type { BusState, LineState } from './result.ts';

const rounder = (digits: number) => {
  const scale = 10 ** digits;
  return (v: number) => {
    const r = Math.round(v * scale) / scale;
    return r === 0 ? 0 : r;
  };
};
export const report = rounder(7);
export const reportPu = rounder(9);

/** LinDistFlow voltages (per bus index, reported) and line flows in step t for the prosumers' net injections. */
export function networkState(
  feeder: Feeder,
  prosumers: readonly ProsumerData[],
  netInjectionKw: readonly number[],
  t: number,
): { voltagePu: number[]; buses: BusState[]; lines: LineState[] } {
  const injections = busInjections(feeder, prosumers, netInjectionKw, t);
  const flow = feeder.linearPowerFlow(injections.pKw, injections.qKvar);
  const voltagePu = flow.vSq.map((v) => reportPu(Math.sqrt(v)));
  return {
    voltagePu,
    buses: feeder.fileOrder.map((k) => ({ id: feeder.buses[k]!.id, voltagePu: voltagePu[k]! })),
    lines: feeder.lineFileOrder.map((l) => feeder.lines[l]!).map((line) => ({
      from: line.fromId,
      to: line.toId,
      flowKw: report(flow.flowKw[line.index]!),
      maxKw: line.maxKw ?? null,
    })),
  };
}
