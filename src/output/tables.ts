/** Readable tables of a clearing for the terminal, like the seed printed them. */
import Table from 'cli-table3';
import { pc } from './colors.ts';
import type { SimulationResult } from '../engine/simulate.ts';
import type { ClearingResult, SettlementSummary, StepResult } from '../market/result.ts';

const fmt = (v: number | null, digits = 3) => (v === null ? '—' : v.toFixed(digits));

export function renderClearing(result: ClearingResult): string {
  const out: string[] = [];
  const status = result.status === 'optimal' ? pc.green(result.status) : pc.red(result.status);
  out.push(`${pc.bold(result.scenario)}: ${status}`);
  if (result.objective !== null && result.objectiveTerms) {
    const t = result.objectiveTerms;
    // The economic terms are shown when the scenario has them.
    const extra = [
      ['utility energy', t.utilityEnergy],
      ['preferences', t.preferences],
      ['network fees', t.networkFees],
    ].filter(([, v]) => v !== 0).map(([name, v]) => ` + ${name} ${(v as number).toFixed(6)}`).join('');
    out.push(
      `objective ${result.objective.toFixed(6)} = request tracking ${t.requestTracking.toFixed(6)}` +
        ` + trade volume ${t.tradeVolume.toFixed(6)} + cost bids ${t.costBids.toFixed(6)}${extra}` +
        `   (tie-break ${t.tieBreak.toExponential(3)}, not included)`,
    );
  }
  if (result.prices && result.prices.uniqueness !== 'unique') {
    out.push(pc.yellow(`prices ${result.prices.uniqueness}: ${result.prices.rule}`));
    for (const r of result.prices.nonUnique.slice(0, 10)) {
      out.push(`  - ${r.kind === 'agent' ? 'marginal price of' : 'nodal price at bus'} ${r.id}, step ${r.t}: anywhere in [${fmt(r.min, 4)}, ${fmt(r.max, 4)}]`);
    }
    if (result.prices.nonUnique.length > 10) out.push(`  … and ${result.prices.nonUnique.length - 10} more (result.json)`);
  }
  const s = result.solver;
  out.push(
    pc.dim(
      `${s.backend}: ${s.columns} columns, ${s.rows} rows, ${s.iterations} iterations, ${result.solveMs.toFixed(1)} ms; ` +
        `worst constraint violation ${s.maxViolation.toExponential(1)}`,
    ),
  );
  if (result.diagnosis) {
    out.push(pc.red(result.diagnosis.message));
    for (const c of result.diagnosis.conflicts) out.push(`  - ${c}`);
  }
  for (const step of result.steps) out.push('', renderStep(step));
  if (result.settlement) out.push('', renderSettlement(result.settlement));
  return out.join('\n');
}

/** Per agent over the run: energy, money, costs, and the gain over trading with the utility alone. */
export function renderSettlement(settlement: SettlementSummary): string {
  const withBaseline = settlement.agents.some((a) => a.gain !== null);
  const withImbalance = settlement.agents.some((a) => a.imbalanceCost !== 0);
  const table = new Table({
    head: ['agent', 'bought kWh', 'sold kWh', 'payments', 'revenues', 'fees', 'congestion', ...(withImbalance ? ['imbalance'] : []), 'preferences',
      'bid cost', 'total cost', ...(withBaseline ? ['without P2P', 'gain'] : [])],
    colAligns: ['left', ...Array<'right'>(9 + (withBaseline ? 2 : 0) + (withImbalance ? 1 : 0)).fill('right')],
    style: { head: [], border: [], compact: true },
  });
  for (const a of settlement.agents) {
    table.push([
      a.agent, fmt(a.boughtKwh), fmt(a.soldKwh), fmt(a.payments), fmt(a.revenues), fmt(a.fees), fmt(a.congestionCharge),
      ...(withImbalance ? [fmt(a.imbalanceCost)] : []), fmt(a.preferenceCost), fmt(a.bidCost),
      fmt(a.totalCost), ...(withBaseline ? [fmt(a.baselineCost), a.worseOff ? pc.red(`${fmt(a.gain)} worse off`) : fmt(a.gain)] : []),
    ]);
  }
  const b = settlement.baseline;
  const baselineLine =
    'reason' in b
      ? `no value-of-trading baseline: ${b.reason}`
      : `without peer trades (every prosumer with the utility at its tariff): ${b.status}` +
        (b.socialWelfare !== null ? `, social welfare ${fmt(b.socialWelfare)}` : '');
  const worse = settlement.agents.filter((a) => a.worseOff).map((a) => a.agent);
  return [
    pc.bold('Settlement') + ` (currency; total cost = bid cost + payments + fees + congestion${withImbalance ? ' + imbalance' : ''} − revenues + preferences)`,
    table.toString(),
    `social welfare ${fmt(settlement.socialWelfare)}; the network operator collects ${fmt(settlement.feesCollected)} in fees and ${fmt(settlement.congestionCollected)} in congestion charges`,
    baselineLine,
    ...(worse.length > 0 ? [pc.red(`worse off with peer trades: ${worse.join(', ')}`)] : []),
    ...(settlement.unpriced ? [pc.yellow('the solver gave no duals, so trades have no price and settle at 0: use HiGHS (--solver highs) for a settlement')] : []),
  ].join('\n');
}

function renderStep(step: StepResult): string {
  const head =
    pc.bold(`Step ${step.t}`) +
    ` (hours ${step.startHour}–${step.startHour + step.hours}): utility receives ${fmt(step.utilityReceiptKw)} kW` +
    (step.utilityPriority > 0 ? `, requested ${fmt(step.utilityTargetKw)} kW with priority ${step.utilityPriority}` : '');
  const agents = new Table({
    head: ['agent', 'bus', 'schedule kW', 'battery kW', 'SoC start kWh', 'SoC end kWh', 'net injection kW', 'voltage p.u.'],
    style: { head: [], border: [], compact: true },
  });
  for (const a of step.agents) {
    agents.push([a.id, a.bus, fmt(a.scheduleKw), fmt(a.batteryKw), fmt(a.socStartKwh), fmt(a.socEndKwh), fmt(a.netInjectionKw), fmt(a.voltagePu, 5)]);
  }
  // Trade matrix: row agent delivers to column agent (kW).
  const ids = ['utility', ...step.agents.map((a) => a.id)];
  const matrix = new Table({ head: ['from \\ to (kW)', ...ids], style: { head: [], border: [], compact: true } });
  for (const from of ids) {
    matrix.push([
      from,
      ...ids.map((to) => {
        if (to === from) return '·';
        const trade = step.trades.find((tr) => tr.from === from && tr.to === to);
        return trade ? fmt(trade.kw) : '0';
      }),
    ]);
  }
  const prices = step.trades.filter((tr) => tr.price !== null);
  const priceLine =
    prices.length > 0
      ? `prices (per kWh, to the seller): ${prices.map((tr) => `${tr.from}→${tr.to} ${fmt(tr.price, 4)}${tr.feePerKwh !== 0 ? ` + fee ${fmt(tr.feePerKwh, 4)}` : ''}`).join(', ')}`
      : '';
  return [head, agents.toString(), matrix.toString(), priceLine].filter(Boolean).join('\n');
}

/** Readable tables of a simulation: its windows, then the realised steps. */
export function renderSimulation(result: SimulationResult): string {
  const out: string[] = [];
  const status = result.status === 'optimal' ? pc.green(result.status) : pc.red(result.status);
  out.push(
    `${pc.bold(result.scenario)}: ${status} — ${result.windows.length} windows of up to ${result.horizonSteps} steps ` +
      `(horizon end: ${result.horizonEnd}), solver ${result.solveMs.toFixed(1)} ms`,
  );
  const windows = new Table({ head: ['window', 'steps', 'status', 'objective', 'battery states at start (kWh)', 'fallback'], style: { head: [], border: [], compact: true } });
  for (const w of result.windows) {
    windows.push([
      w.start,
      w.steps,
      w.status,
      w.objective === null ? '—' : w.objective.toFixed(6),
      Object.entries(w.socStartKwh).map(([id, kwh]) => `${id} ${kwh.toFixed(3)}`).join(', '),
      w.fallback ?? '',
    ]);
  }
  out.push(windows.toString());
  const steps = new Table({
    head: ['t', 'agent', 'forecast kW', 'realised kW', 'battery kW', 'SoC start→end kWh', 'net injection kW', 'imbalance kW', 'voltage p.u.'],
    style: { head: [], border: [], compact: true },
  });
  for (const step of result.steps) {
    for (const a of step.agents) {
      steps.push([
        step.t, a.id, fmt(a.scheduleKw), fmt(a.realisedKw), fmt(a.batteryKw),
        a.socStartKwh === null ? '—' : `${fmt(a.socStartKwh)}→${fmt(a.socEndKwh)}`,
        fmt(a.netInjectionKw), fmt(a.imbalanceKw), fmt(a.voltagePu, 5),
      ]);
    }
  }
  out.push('', pc.bold('Realised steps'), steps.toString());
  const utility = new Table({ head: ['t', 'requested kW', 'priority', 'delivered kW', 'imbalance kW'], style: { head: [], border: [], compact: true } });
  for (const step of result.steps) {
    utility.push([step.t, fmt(step.utilityTargetKw), step.utilityPriority, fmt(step.utilityReceiptKw), fmt(step.utilityImbalanceKw)]);
  }
  out.push('', pc.bold('Utility'), utility.toString());
  if (result.settlement) out.push('', renderSettlement(result.settlement));
  return out.join('\n');
}
