/**
 * What `clear`, `simulate` and `replay` print: readable tables of a run, nothing wider than 120
 * columns (terminal.ts).
 *
 * - **Small runs** (at most `SMALL_AGENTS` agents and `SMALL_STEPS` steps, like the seed's) and
 *   `--verbose` get the full tables, step by step, as the seed printed them.
 * - **Larger runs** get a summary a person reads in one screen — one line per step with the
 *   utility's receipt, the peers' trades, the lowest voltage, the most loaded line and the
 *   range of prices — and the names of the files that hold every value.
 * - **Money is named for what it is** (market/money.ts): with bids or a tariff the objective
 *   and the settlement are in currency; without, the prices are shadow prices of the request
 *   and penalty terms in objective units per kWh, and no settlement in currency is printed;
 *   an objective that holds nothing is said to.
 */
import { pc } from './colors.ts';
import { firstRows, fitTable, wrap } from './terminal.ts';
import type { SimulationResult, SimulatedStep } from '../engine/simulate.ts';
import { objectiveUnits, type ObjectiveKind } from '../market/money.ts';
import type { ClearingResult, SettlementSummary, StepResult } from '../market/result.ts';

/** Up to these many agents (with the utility) and steps, a run is printed in full by default. */
export const SMALL_AGENTS = 8;
export const SMALL_STEPS = 8;
/** Rows of a per-step summary shown before "… and N more in <file>". */
const SUMMARY_ROWS = 24;
/** Agents of a settlement shown in a summary. */
const SUMMARY_AGENTS = 12;

export interface RenderOptions {
  /** What the scenario's objective holds (objectiveKind of market/money.ts); 'money' if not given. */
  objective?: ObjectiveKind;
  /** Every table in full (--verbose), whatever the size. */
  verbose?: boolean;
}

/** A value to `digits` decimals; a value that rounds to zero prints as 0, never −0.000. */
const fmt = (v: number | null, digits = 3) => (v === null ? '—' : (Math.abs(v) < 0.5 * 10 ** -digits ? 0 : v).toFixed(digits));
const isSmall = (agents: number, steps: number) => agents + 1 <= SMALL_AGENTS && steps <= SMALL_STEPS;

export function renderClearing(result: ClearingResult, options: RenderOptions = {}): string {
  const kind = options.objective ?? 'money';
  const units = objectiveUnits(kind);
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
      wrap(
        `objective ${result.objective.toFixed(6)} (${units.objective}) = request tracking ${t.requestTracking.toFixed(6)}` +
          ` + trade volume ${t.tradeVolume.toFixed(6)} + cost bids ${t.costBids.toFixed(6)}${extra}` +
          `   (tie-break ${t.tieBreak.toExponential(3)}, not included)`,
      ),
    );
  }
  if (kind === 'nothing' && result.status === 'optimal') out.push(wrap(pc.yellow(nothingNote)));
  if (result.prices && result.prices.uniqueness !== 'unique') {
    out.push(wrap(pc.yellow(`prices ${result.prices.uniqueness}: ${result.prices.rule}`)));
    for (const r of result.prices.nonUnique.slice(0, 10)) {
      out.push(`  - ${r.kind === 'agent' ? 'marginal price of' : 'nodal price at bus'} ${r.id}, step ${r.t}: anywhere in [${fmt(r.min, 4)}, ${fmt(r.max, 4)}]`);
    }
    if (result.prices.nonUnique.length > 10) out.push(`  … and ${result.prices.nonUnique.length - 10} more (result.json)`);
  }
  const s = result.solver;
  out.push(
    pc.dim(
      wrap(
        `${s.backend}: ${s.columns} columns, ${s.rows} rows, ${s.iterations} iterations, ${result.solveMs.toFixed(1)} ms; ` +
          `worst constraint violation ${s.maxViolation.toExponential(1)}`,
      ),
    ),
  );
  if (result.diagnosis) {
    out.push(wrap(pc.red(result.diagnosis.message)));
    for (const c of result.diagnosis.conflicts) out.push(wrap(`  - ${c}`, '    '));
  }
  const agents = result.steps[0]?.agents.length ?? 0;
  const full = options.verbose || isSmall(agents, result.steps.length);
  if (full) for (const step of result.steps) out.push('', renderStep(step, kind));
  else if (result.steps.length > 0) out.push('', renderStepSummary(result.steps, kind));
  if (result.settlement) out.push('', renderSettlement(result.settlement, { objective: kind, verbose: full }));
  return out.join('\n');
}

const nothingNote =
  'the objective holds nothing to optimise: no request, cost bid, tariff, fee, preference or trade-volume penalty. ' +
  'Every feasible dispatch is optimal and every price is 0.';

/** Per agent over the run: energy, money, costs, and the gain over trading with the utility alone. */
export function renderSettlement(settlement: SettlementSummary, options: RenderOptions = {}): string {
  const kind = options.objective ?? 'money';
  if (kind !== 'money') {
    return wrap(
      kind === 'nothing'
        ? 'No settlement: the objective holds no money (settlement.csv holds its zero rows).'
        : 'No settlement in currency: the scenario has no cost bid and no tariff, so its prices are shadow prices of the ' +
            'request and penalty terms (objective units per kWh), not money. settlement.csv holds their accounting in those units.',
    );
  }
  const withBaseline = settlement.agents.some((a) => a.gain !== null);
  const withImbalance = settlement.agents.some((a) => a.imbalanceCost !== 0);
  // Columns that are 0 for every agent say nothing: they are left out (settlement.csv has them all).
  const optional = (values: number[]) => values.some((v) => v !== 0);
  const withFees = optional(settlement.agents.map((a) => a.fees));
  const withCongestion = optional(settlement.agents.map((a) => a.congestionCharge));
  const withPreferences = optional(settlement.agents.map((a) => a.preferenceCost));
  const head = [
    'agent', 'bought kWh', 'sold kWh', 'payments', 'revenues', ...(withFees ? ['fees'] : []), ...(withCongestion ? ['congestion'] : []),
    ...(withImbalance ? ['imbalance'] : []), ...(withPreferences ? ['preferences'] : []), 'bid cost', 'total cost', ...(withBaseline ? ['without P2P', 'gain'] : []),
  ];
  const rows = settlement.agents.map((a) => [
    a.agent, fmt(a.boughtKwh), fmt(a.soldKwh), fmt(a.payments), fmt(a.revenues), ...(withFees ? [fmt(a.fees)] : []),
    ...(withCongestion ? [fmt(a.congestionCharge)] : []), ...(withImbalance ? [fmt(a.imbalanceCost)] : []),
    ...(withPreferences ? [fmt(a.preferenceCost)] : []), fmt(a.bidCost), fmt(a.totalCost),
    ...(withBaseline ? [fmt(a.baselineCost), a.worseOff ? pc.red(`${fmt(a.gain)} worse off`) : fmt(a.gain)] : []),
  ]);
  const { shown, more } = options.verbose ? { shown: rows, more: undefined } : firstRows(rows, SUMMARY_AGENTS, 'settlement.csv (--verbose prints them)');
  const b = settlement.baseline;
  const baselineLine =
    'reason' in b
      ? `no value-of-trading baseline: ${b.reason}`
      : `without peer trades (every prosumer with the utility at its tariff): ${b.status}` +
        (b.socialWelfare !== null ? `, social welfare ${fmt(b.socialWelfare)}` : '');
  const worse = settlement.agents.filter((a) => a.worseOff).map((a) => a.agent);
  return [
    wrap(
      pc.bold('Settlement') +
        ` (currency; total cost = bid cost + payments${withFees ? ' + fees' : ''}${withCongestion ? ' + congestion' : ''}${withImbalance ? ' + imbalance' : ''} − revenues${withPreferences ? ' + preferences' : ''})`,
    ),
    fitTable(head, shown),
    ...(more ? [more] : []),
    wrap(`social welfare ${fmt(settlement.socialWelfare)}; the network operator collects ${fmt(settlement.feesCollected)} in fees and ${fmt(settlement.congestionCollected)} in congestion charges`),
    wrap(baselineLine),
    ...(worse.length > 0 ? [wrap(pc.red(`worse off with peer trades: ${worse.join(', ')}`))] : []),
    ...(settlement.unpriced ? [wrap(pc.yellow('the solver gave no duals, so trades have no price and settle at 0: use HiGHS (--solver highs) for a settlement'))] : []),
  ].join('\n');
}

/** The price label of a kind of objective: money, or shadow prices in objective units. */
const priceLabel = (kind: ObjectiveKind) => (kind === 'money' ? 'prices per kWh, to the seller' : 'shadow prices, objective units per kWh, to the seller');

function renderStep(step: StepResult, kind: ObjectiveKind): string {
  const head =
    pc.bold(`Step ${step.t}`) +
    ` (hours ${step.startHour}–${step.startHour + step.hours}): utility receives ${fmt(step.utilityReceiptKw)} kW` +
    (step.utilityPriority > 0 ? `, requested ${fmt(step.utilityTargetKw)} kW with priority ${step.utilityPriority}` : '');
  const agents = fitTable(
    ['agent', 'bus', 'schedule kW', 'battery kW', 'SoC start kWh', 'SoC end kWh', 'net injection kW', 'voltage p.u.'],
    step.agents.map((a) => [a.id, a.bus, fmt(a.scheduleKw), fmt(a.batteryKw), fmt(a.socStartKwh), fmt(a.socEndKwh), fmt(a.netInjectionKw), fmt(a.voltagePu, 5)]),
    { align: ['left', 'left'] },
  );
  const ids = ['utility', ...step.agents.map((a) => a.id)];
  if (ids.length <= SMALL_AGENTS) {
    // Trade matrix: row agent delivers to column agent (kW); then the prices, one line.
    const matrix = fitTable(
      ['from \\ to (kW)', ...ids],
      ids.map((from) => [from, ...ids.map((to) => (to === from ? '·' : fmt(step.trades.find((tr) => tr.from === from && tr.to === to)?.kw ?? 0)))]),
    );
    const prices = step.trades.filter((tr) => tr.price !== null);
    const priceLine =
      prices.length > 0
        ? wrap(`${priceLabel(kind)}: ${prices.map((tr) => `${tr.from}→${tr.to} ${fmt(tr.price, 4)}${tr.feePerKwh !== 0 ? ` + fee ${fmt(tr.feePerKwh, 4)}` : ''}`).join(', ')}`)
        : '';
    return [head, agents, matrix, priceLine].filter(Boolean).join('\n');
  }
  // Many agents: the trades that carry energy, one per row (a matrix would be too wide).
  const flowing = step.trades.filter((tr) => Math.abs(tr.kw) > 5e-7);
  const withFees = flowing.some((tr) => tr.feePerKwh !== 0);
  const trades =
    flowing.length === 0
      ? 'no trade carries energy'
      : fitTable(
          ['from', 'to', 'kW', kind === 'money' ? 'price per kWh' : 'shadow price per kWh', ...(withFees ? ['fee per kWh'] : [])],
          flowing.map((tr) => [tr.from, tr.to, fmt(tr.kw), fmt(tr.price, 4), ...(withFees ? [fmt(tr.feePerKwh, 4)] : [])]),
          { align: ['left', 'left'], keys: 2 },
        );
  return [head, agents, trades].join('\n');
}

/** One line per step: what a person reads of a large clearing. */
function renderStepSummary(steps: readonly StepResult[], kind: ObjectiveKind): string {
  const { shown, more } = firstRows(steps, SUMMARY_ROWS, 'steps.csv, trades.csv, buses.csv and lines.csv (--verbose prints every table)');
  const anyRequest = steps.some((s) => s.utilityPriority > 0);
  const rows = shown.map((step) => {
    const peers = step.trades.filter((tr) => tr.from !== 'utility' && tr.to !== 'utility').reduce((sum, tr) => sum + tr.kw, 0);
    const lowest = step.buses.reduce((low, b) => (b.voltagePu < low.voltagePu ? b : low), step.buses[0] ?? { id: '—', voltagePu: NaN });
    const limited = step.lines.filter((l) => l.maxKw !== null && l.maxKw > 0);
    const loaded = limited.reduce<{ pct: number; name: string } | undefined>((top, l) => {
      const pct = (100 * Math.abs(l.flowKw)) / l.maxKw!;
      return top === undefined || pct > top.pct ? { pct, name: `${l.from}→${l.to}` } : top;
    }, undefined);
    const prices = step.trades.map((tr) => tr.price).filter((p): p is number => p !== null);
    const [low, high] = [Math.min(...prices).toFixed(4), Math.max(...prices).toFixed(4)];
    const range = prices.length === 0 ? '—' : low === high ? low : `${low}–${high}`;
    return [
      step.t, step.startHour, fmt(step.utilityReceiptKw), ...(anyRequest ? [step.utilityPriority > 0 ? fmt(step.utilityTargetKw) : '—'] : []), fmt(peers),
      Number.isNaN(lowest.voltagePu) ? '—' : `${lowest.voltagePu.toFixed(5)} (${lowest.id})`, loaded ? `${loaded.pct.toFixed(1)} (${loaded.name})` : '—', range,
    ];
  });
  const agents = steps[0]?.agents.length ?? 0;
  return [
    `${steps.length} steps, ${agents} prosumers and the utility: one line per step (every table: --verbose)`,
    fitTable(
      ['t', 'hour', 'utility kW', ...(anyRequest ? ['requested kW'] : []), 'peer trades kW', 'lowest V (bus)', 'max loading % (line)',
        kind === 'money' ? 'prices /kWh' : 'shadow prices /kWh'],
      rows,
    ),
    ...(more ? [more] : []),
  ].join('\n');
}

/** Readable tables of a simulation: its windows, then the realised steps. */
export function renderSimulation(result: SimulationResult, options: RenderOptions = {}): string {
  const kind = options.objective ?? 'money';
  const agents = result.steps[0]?.agents.length ?? 0;
  const full = options.verbose || (isSmall(agents, result.steps.length) && result.windows.length <= SMALL_STEPS);
  const out: string[] = [];
  const status = result.status === 'optimal' ? pc.green(result.status) : pc.red(result.status);
  out.push(
    wrap(
      `${pc.bold(result.scenario)}: ${status} — ${result.windows.length} windows of up to ${result.horizonSteps} steps ` +
        `(horizon end: ${result.horizonEnd}), solver ${result.solveMs.toFixed(1)} ms`,
    ),
  );
  if (kind === 'nothing') out.push(wrap(pc.yellow(nothingNote)));
  out.push(renderWindows(result, full));

  if (full) {
    const steps = fitTable(
      ['t', 'agent', 'forecast kW', 'realised kW', 'battery kW', 'SoC start→end kWh', 'net injection kW', 'imbalance kW', 'voltage p.u.'],
      result.steps.flatMap((step) =>
        step.agents.map((a) => [
          step.t, a.id, fmt(a.scheduleKw), fmt(a.realisedKw), fmt(a.batteryKw),
          a.socStartKwh === null ? '—' : `${fmt(a.socStartKwh)}→${fmt(a.socEndKwh)}`,
          fmt(a.netInjectionKw), fmt(a.imbalanceKw), fmt(a.voltagePu, 5),
        ]),
      ),
      { align: ['right', 'left'], keys: 2 },
    );
    out.push('', pc.bold('Realised steps'), steps);
  } else out.push('', pc.bold('Realised steps') + ', summed over the prosumers', renderSimulatedSummary(result.steps));

  const { shown, more } = full ? { shown: result.steps, more: undefined } : firstRows(result.steps, SUMMARY_ROWS, 'utility.csv');
  const utility = fitTable(
    ['t', 'requested kW', 'priority', 'delivered kW', 'imbalance kW'],
    shown.map((step) => [step.t, fmt(step.utilityTargetKw), step.utilityPriority, fmt(step.utilityReceiptKw), fmt(step.utilityImbalanceKw)]),
    { align: ['right'] },
  );
  out.push('', pc.bold('Utility'), utility, ...(more ? [more] : []));
  if (result.settlement) out.push('', renderSettlement(result.settlement, { objective: kind, verbose: full }));
  return out.join('\n');
}

function renderWindows(result: SimulationResult, full: boolean): string {
  const failed = result.windows.filter((w) => w.status !== 'optimal');
  if (!full && result.windows.length > SMALL_STEPS) {
    const line = failed.length === 0
      ? `all ${result.windows.length} windows optimal (windows.csv has each one's objective and battery states)`
      : `${failed.length} of ${result.windows.length} windows not optimal, from steps ${failed.slice(0, 10).map((w) => w.start).join(', ')}${failed.length > 10 ? ', …' : ''} (windows.csv)`;
    return wrap(line);
  }
  const windows = fitTable(
    ['window', 'steps', 'status', 'objective', 'fallback'],
    result.windows.map((w) => [w.start, w.steps, w.status, w.objective === null ? '—' : w.objective.toFixed(6), w.fallback ?? '']),
    { align: ['right', 'right', 'left', 'right', 'left'] },
  );
  // Battery states at each window's start: one column per battery (split into parts if many).
  const batteries = Object.keys(result.windows[0]?.socStartKwh ?? {});
  const states = batteries.length === 0
    ? ''
    : '\n' + fitTable(['window', ...batteries.map((id) => `${id} kWh`)], result.windows.map((w) => [w.start, ...batteries.map((id) => fmt(w.socStartKwh[id] ?? null))]));
  return windows + (states ? `\nbattery states at the windows' start:${states}` : '');
}

function renderSimulatedSummary(steps: readonly SimulatedStep[]): string {
  const { shown, more } = firstRows(steps, SUMMARY_ROWS, 'steps.csv and imbalance.csv (--verbose prints every agent)');
  const sum = (step: SimulatedStep, f: (a: SimulatedStep['agents'][number]) => number) => step.agents.reduce((s, a) => s + f(a), 0);
  return [
    fitTable(
      ['t', 'forecast kW', 'realised kW', 'battery kW', 'net injection kW', 'imbalance kW', 'lowest voltage p.u. (agent)'],
      shown.map((step) => {
        const lowest = step.agents.reduce((low, a) => (a.voltagePu < low.voltagePu ? a : low), step.agents[0]!);
        return [
          step.t, fmt(sum(step, (a) => a.scheduleKw)), fmt(sum(step, (a) => a.realisedKw)), fmt(sum(step, (a) => a.batteryKw)),
          fmt(sum(step, (a) => a.netInjectionKw)), fmt(sum(step, (a) => a.imbalanceKw)), lowest ? `${lowest.voltagePu.toFixed(5)} (${lowest.id})` : '—',
        ];
      }),
    ),
    ...(more ? [more] : []),
  ].join('\n');
}
