/**
 * Small feeders for hand-solved tests: a chain 0–1–…–(n−1) at 1 kV with a 1 kVA base
 * (Z_base = 1,000 Ω), voltage limits 0.9–1.1 p.u., lines of 1 mΩ + j1 mΩ unless `line` says
 * otherwise; the utility at bus 0.
 */
import type { ScenarioInput } from '../../src/scenario/schema.ts';

export function chainNetwork(buses: number, line: { rOhm?: number; xOhm?: number; maxKw?: number } = {}): ScenarioInput['network'] {
  const ids = Array.from({ length: buses }, (_, k) => String(k));
  return {
    baseKv: 1,
    baseKva: 1,
    vMinPu: 0.9,
    vMaxPu: 1.1,
    slack: '0',
    buses: ids,
    lines: ids.slice(1).map((to, k) => ({ from: String(k), to, rOhm: 1e-3, xOhm: 1e-3, ...line })),
  };
}
