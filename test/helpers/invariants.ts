/**
 * Checks every physical and market invariant on a clearing result, from the scenario and
 * the result alone — independently of the problem builder. Voltages and flows are
 * recomputed with ml-matrix from the branch–bus incidence matrix (a linear solve), not with
 * the feeder model's tree walks.
 */
import { nextSocKwh } from '../../src/network/battery.ts';
import { Matrix, solve } from 'ml-matrix';
import type { ClearingResult } from '../../src/market/result.ts';
import type { Scenario } from '../../src/scenario/validate.ts';

export const TOL = 1e-6;

export function checkInvariants(scenario: Scenario, result: ClearingResult): string[] {
  const problems: string[] = [];
  const fail = (what: string) => problems.push(what);
  const near = (a: number, b: number, tol = TOL) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));
  if (result.status !== 'optimal') return [`status ${result.status}`];
  if (result.steps.length !== scenario.steps) fail(`${result.steps.length} steps, expected ${scenario.steps}`);

  const { voltagePu: voltages, flowKw: flows } = independentPowerFlow(scenario, result);
  const dt = scenario.stepHours;
  const l2 = scenario.market.penaltyNorm === 'l2';
  let tracking = 0;
  let volume = 0;

  result.steps.forEach((step, t) => {
    const at = `step ${t}`;
    // Reciprocity: each unordered pair at most once, positive power.
    const seen = new Set<string>();
    const net = new Map<string, number>();
    for (const tr of step.trades) {
      const key = [tr.from, tr.to].sort().join('|');
      if (seen.has(key)) fail(`${at}: pair ${key} traded twice`);
      seen.add(key);
      if (!(tr.kw > 0)) fail(`${at}: trade ${tr.from}→${tr.to} has kw ${tr.kw}`);
      if (tr.from === tr.to) fail(`${at}: self-trade ${tr.from}`);
      net.set(tr.from, (net.get(tr.from) ?? 0) + tr.kw);
      net.set(tr.to, (net.get(tr.to) ?? 0) - tr.kw);
      volume += tr.kw;
    }
    // Balance: what each agent sells equals its net injection; the utility takes the rest.
    let receipt = 0;
    step.agents.forEach((a, k) => {
      const p = scenario.prosumers[k]!;
      if (a.id !== p.id) fail(`${at}: agent ${k} is ${a.id}, expected ${p.id}`);
      receipt += a.netInjectionKw;
      if (!near(net.get(a.id) ?? 0, a.netInjectionKw)) fail(`${at}: ${a.id} trades ${net.get(a.id) ?? 0} kW but injects ${a.netInjectionKw}`);
      if (!near(a.netInjectionKw, p.scheduleKw[t]! + a.batteryKw)) fail(`${at}: ${a.id} net ≠ schedule + battery`);
      if (p.minInjectionKw !== undefined && a.netInjectionKw < p.minInjectionKw - TOL) fail(`${at}: ${a.id} below its minimum injection`);
      if (p.maxInjectionKw !== undefined && a.netInjectionKw > p.maxInjectionKw + TOL) fail(`${at}: ${a.id} above its maximum injection`);
      const b = p.battery;
      if (!b) {
        if (a.batteryKw !== 0) fail(`${at}: ${a.id} has no battery but battery power ${a.batteryKw}`);
        return;
      }
      if (a.batteryKw < -b.maxChargeKw - TOL || a.batteryKw > b.maxDischargeKw + TOL) fail(`${at}: ${a.id} battery power ${a.batteryKw} outside its limits`);
      const start = a.socStartKwh!;
      const end = a.socEndKwh!;
      if (t === 0 && !near(start, b.initialKwh)) fail(`${a.id} starts at ${start} kWh, not ${b.initialKwh}`);
      if (t > 0 && !near(start, result.steps[t - 1]!.agents[k]!.socEndKwh!)) fail(`${at}: ${a.id} state of charge jumps`);
      if (!near(end, nextSocKwh(b, start, a.batteryKw, dt))) fail(`${at}: ${a.id} energy balance broken`);
      for (const soc of [start, end]) if (soc < b.minKwh - TOL || soc > b.maxKwh + TOL) fail(`${at}: ${a.id} state of charge ${soc} outside [${b.minKwh}, ${b.maxKwh}]`);
      if (t === scenario.steps - 1 && b.returnToInitial && !near(end, b.initialKwh)) fail(`${a.id} does not return to its initial state`);
    });
    if (!near(net.get('utility') ?? 0, -receipt)) fail(`${at}: the utility trades ${net.get('utility') ?? 0} kW, expected ${-receipt}`);
    // Only the pairs the trade graph allows.
    const graph = scenario.market.tradeGraph;
    if (graph === 'pool') {
      if (!near(net.get('pool') ?? 0, 0)) fail(`${at}: the pool keeps ${net.get('pool')} kW`);
      for (const tr of step.trades) if (tr.from !== 'pool' && tr.to !== 'pool') fail(`${at}: ${tr.from}→${tr.to} bypasses the pool`);
    } else if (typeof graph === 'object') {
      const busOf = new Map(scenario.prosumers.map((p) => [p.id, p.bus]));
      for (const tr of step.trades) {
        if (tr.from === 'utility' || tr.to === 'utility') continue;
        const hops = hopDistance(scenario, busOf.get(tr.from)!, busOf.get(tr.to)!);
        if (hops > graph.maxHops) fail(`${at}: ${tr.from}→${tr.to} spans ${hops} hops, more than ${graph.maxHops}`);
      }
    } else if (step.trades.some((tr) => tr.from === 'pool' || tr.to === 'pool')) fail(`${at}: a pool trade without a pool`);
    if (!near(step.utilityReceiptKw, receipt)) fail(`${at}: utility receipt ${step.utilityReceiptKw} ≠ Σ net injections ${receipt}`);

    // Network: recomputed voltages and flows, within limits and equal to the reported ones.
    const { vMinPu, vMaxPu } = scenario.network;
    step.buses.forEach((bus) => {
      const v = voltages[t]!.get(bus.id)!;
      if (!near(v, bus.voltagePu)) fail(`${at}: voltage at ${bus.id} reported ${bus.voltagePu}, recomputed ${v}`);
      if (v < vMinPu - TOL || v > vMaxPu + TOL) fail(`${at}: voltage at ${bus.id} = ${v} outside [${vMinPu}, ${vMaxPu}]`);
    });
    step.agents.forEach((a) => {
      if (!near(a.voltagePu, voltages[t]!.get(a.bus)!)) fail(`${at}: ${a.id} voltage ≠ its bus voltage`);
    });
    step.lines.forEach((line) => {
      const f = flows[t]!.get(line.to)!;
      if (!near(f, line.flowKw)) fail(`${at}: flow ${line.from}→${line.to} reported ${line.flowKw}, recomputed ${f}`);
      const limit = scenario.network.lines.find((l) => l.to === line.to)!.maxKw;
      if (limit !== undefined && Math.abs(f) > limit + TOL) fail(`${at}: flow ${line.from}→${line.to} = ${f} beyond ±${limit}`);
    });

    const w = scenario.utility.priority[t]!;
    const deviation = receipt - scenario.utility.targetKw[t]!;
    tracking += l2 ? (w * deviation) ** 2 : w * Math.abs(deviation);
  });

  // The objective and its terms, recomputed from the reported dispatch.
  const lambda = scenario.market.tradeVolumeWeight;
  const tradeVolume = l2 ? lambda * volume ** 2 : lambda * volume;
  let costBids = 0;
  result.steps.forEach((step) =>
    step.agents.forEach((a, k) => {
      const bid = scenario.prosumers[k]!.costBid;
      if (bid) costBids += dt * (0.5 * bid.quadraticPerKw2h * a.netInjectionKw ** 2 + bid.linearPerKwh * a.netInjectionKw);
    }),
  );
  const terms = result.objectiveTerms!;
  const tol = 1e-5;
  if (!near(terms.requestTracking, tracking, tol)) fail(`request tracking ${terms.requestTracking}, recomputed ${tracking}`);
  if (!near(terms.tradeVolume, tradeVolume, tol)) fail(`trade volume ${terms.tradeVolume}, recomputed ${tradeVolume}`);
  if (!near(terms.costBids, costBids, tol)) fail(`cost bids ${terms.costBids}, recomputed ${costBids}`);
  // The utility's tariff on its net injection −U, and each trade's fee and buyer's preference.
  const tariff = scenario.utility.tariff;
  let utilityEnergy = 0;
  let fees = 0;
  let preferences = 0;
  result.steps.forEach((step, t) => {
    const injection = -step.utilityReceiptKw;
    if (tariff && scenario.market.tradeGraph === 'utility') {
      // No peer trades: every prosumer is billed at the tariff on its own trade.
      for (const a of step.agents) utilityEnergy += dt * (a.netInjectionKw < 0 ? tariff.sellPerKwh[t]! : tariff.buyPerKwh[t]!) * -a.netInjectionKw;
    } else if (tariff) utilityEnergy += dt * (injection > 0 ? tariff.sellPerKwh[t]! : tariff.buyPerKwh[t]!) * injection;
    for (const tr of step.trades) {
      fees += dt * tr.feePerKwh * tr.kw;
      preferences += dt * tr.preferencePerKwh * tr.kw;
      const preference = scenario.market.pairPreferences.find((p) => p.from === tr.from && p.to === tr.to)?.costPerKwh ?? 0;
      if (tr.preferencePerKwh !== preference) fail(`step ${t}: ${tr.from}→${tr.to} carries preference ${tr.preferencePerKwh}, the scenario says ${preference}`);
    }
  });
  if (!near(terms.utilityEnergy, utilityEnergy, tol)) fail(`utility energy ${terms.utilityEnergy}, recomputed ${utilityEnergy}`);
  if (!near(terms.networkFees, fees, tol)) fail(`network fees ${terms.networkFees}, recomputed ${fees}`);
  if (!near(terms.preferences, preferences, tol)) fail(`preferences ${terms.preferences}, recomputed ${preferences}`);
  const total = tracking + tradeVolume + costBids + utilityEnergy + fees + preferences;
  if (!near(result.objective!, total, tol)) fail(`objective ${result.objective} ≠ sum of its terms ${total}`);
  if (result.solver.maxViolation > TOL) fail(`worst violation ${result.solver.maxViolation}`);
  return problems;
}

/** Lines between two buses (breadth-first search over the lines, both directions). */
export function hopDistance(scenario: Scenario, a: string, b: string): number {
  const neighbours = new Map<string, string[]>();
  for (const line of scenario.network.lines) {
    neighbours.set(line.from, [...(neighbours.get(line.from) ?? []), line.to]);
    neighbours.set(line.to, [...(neighbours.get(line.to) ?? []), line.from]);
  }
  const distance = new Map([[a, 0]]);
  const queue = [a];
  while (queue.length > 0) {
    const bus = queue.shift()!;
    if (bus === b) return distance.get(bus)!;
    for (const next of neighbours.get(bus) ?? []) {
      if (!distance.has(next)) {
        distance.set(next, distance.get(bus)! + 1);
        queue.push(next);
      }
    }
  }
  return Infinity;
}

/**
 * LinDistFlow by linear algebra: with the reduced incidence matrix M (one row per line, +1 at
 * its child bus, −1 at its parent unless that is the slack), the flows solve Mᵀ·f = −P and the
 * squared voltages solve M·v = v0·e − 2·(r∘f + x∘g)/S_base.
 */
export function independentPowerFlow(scenario: Scenario, result: ClearingResult) {
  const { network } = scenario;
  const buses = network.buses.filter((b) => b !== network.slack);
  const col = new Map(buses.map((b, k) => [b, k]));
  const n = buses.length;
  const M = Matrix.zeros(n, n);
  const slackFed = Matrix.zeros(n, 1);
  network.lines.forEach((line, l) => {
    M.set(l, col.get(line.to)!, 1);
    if (line.from === network.slack) slackFed.set(l, 0, 1);
    else M.set(l, col.get(line.from)!, -1);
  });
  const zBase = (network.baseKv * 1000) ** 2 / (network.baseKva * 1000);
  const v0 = network.slackVoltagePu ** 2;
  const voltagePu: Map<string, number>[] = [];
  const flowKw: Map<string, number>[] = [];
  for (const step of result.steps) {
    const P = Matrix.zeros(n, 1);
    const Q = Matrix.zeros(n, 1);
    for (const load of network.loads) {
      if (load.bus === network.slack) continue;
      const factor = (load.profile ?? network.loadProfile)?.[step.t] ?? 1;
      const i = col.get(load.bus)!;
      P.set(i, 0, P.get(i, 0) + factor * load.injectionKw);
      Q.set(i, 0, Q.get(i, 0) + factor * load.injectionKvar);
    }
    step.agents.forEach((a, k) => {
      if (a.bus === network.slack) return;
      const i = col.get(a.bus)!;
      P.set(i, 0, P.get(i, 0) + a.netInjectionKw);
      Q.set(i, 0, Q.get(i, 0) + scenario.prosumers[k]!.reactiveKvar);
    });
    const f = solve(M.transpose(), P.mul(-1));
    const g = solve(M.transpose(), Q.mul(-1));
    const rhs = Matrix.zeros(n, 1);
    network.lines.forEach((line, l) => {
      const drop = (2 * ((line.rOhm / zBase) * f.get(l, 0) + (line.xOhm / zBase) * g.get(l, 0))) / network.baseKva;
      rhs.set(l, 0, v0 * slackFed.get(l, 0) - drop);
    });
    const v = solve(M, rhs);
    voltagePu.push(new Map([[network.slack, Math.sqrt(v0)], ...buses.map((b, k): [string, number] => [b, Math.sqrt(v.get(k, 0))])]));
    flowKw.push(new Map(network.lines.map((line, l): [string, number] => [line.to, f.get(l, 0)])));
  }
  return { voltagePu, flowKw };
}
