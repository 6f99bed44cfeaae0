/**
 * `index.html` of a run folder: the scenario, the status, the objective and its terms, the
 * main tables, and every figure (inline SVG), in one self-contained page that opens from
 * file:// with no server and no network. Nothing in it depends on the clock, so the same run
 * gives the same bytes.
 */
import type { Figure } from './figures.ts';
import type { Row, RunFolder } from './run-dir.ts';

const escape = (s: unknown) =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const format = (v: unknown) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : Number(v.toPrecision(8)).toString()) : v === null || v === undefined ? '—' : String(v));

/** At most this many rows of a table are shown; the CSV has them all. */
const MAX_ROWS = 200;
/** A sweep's runs are listed when there are at most this many; otherwise summarised. */
const RUNS_SHOWN = 40;
/** Metrics in a sweep's tables (runs.csv and summary.csv have them all). */
const SUMMARY_METRICS = 6;

/** The metric columns of a sweep's runs.csv that hold numbers (after solveMs). */
function metricColumns(run: RunFolder): string[] {
  const header = Object.keys(run.runs[0] ?? {});
  return header.slice(header.indexOf('solveMs') + 1).filter((c) => run.runs.some((r) => typeof r[c] === 'number'));
}

function metricRanges(run: RunFolder, metrics: string[]): Record<string, unknown>[] {
  return metrics.map((metric) => {
    const values = run.runs.map((r) => r[metric]).filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);
    return { metric, runs: values.length, min: values[0], median: values[Math.floor((values.length - 1) / 2)], max: values.at(-1) };
  });
}

/** The run's files, linked: what the report summarises, in full. */
function filesList(run: RunFolder): string {
  const files: [string, string][] = [
    ['runs.csv', 'a row per run: its parameters, sample, status and every metric'],
    ['summary.csv', 'per point and metric: samples, mean, standard deviation and standard error, percentiles'],
    ['steps.csv', "every run's steps: schedules, battery, state of charge, injections, voltages, prices"],
    ['trades.csv', "every run's trades with their prices"],
    ['settlement.csv', "every run's settlement per agent and step"],
    ['nodal-prices.csv', "every run's nodal prices per bus and step"],
    ['result.json', "the sweep's summary"],
  ];
  const present = files.filter(([name]) => name !== 'summary.csv' || run.summary.length > 0);
  return `<h3>Files</h3><ul>${present.map(([name, what]) => `<li><a href="${name}">${name}</a>: ${escape(what)}</li>`).join('')}</ul>`;
}

function table(columns: string[], rows: readonly (Row | Record<string, unknown>)[], caption: string): string {
  if (rows.length === 0) return '';
  const shown = rows.slice(0, MAX_ROWS);
  const more = rows.length > MAX_ROWS ? `<p class="note">First ${MAX_ROWS} of ${rows.length} rows; the CSV file has them all.</p>` : '';
  return `<table><caption>${escape(caption)}</caption><thead><tr>${columns.map((c) => `<th>${escape(c)}</th>`).join('')}</tr></thead><tbody>${shown
    .map((r) => `<tr>${columns.map((c) => `<td>${escape(format(r[c]))}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>${more}`;
}

function keyValues(entries: [string, unknown][]): string {
  return `<dl>${entries.filter(([, v]) => v !== undefined).map(([k, v]) => `<dt>${escape(k)}</dt><dd>${escape(format(v))}</dd>`).join('')}</dl>`;
}

export function reportHtml(run: RunFolder, figures: { figure: Figure; svg: string }[]): string {
  const r = run.result as Record<string, unknown>;
  const name = String(r.scenario && run.kind !== 'sweep' ? r.scenario : (r.sweep ?? r.scenario ?? 'run'));
  const status = String(r.status ?? (run.kind === 'sweep' ? Object.keys((r.statuses as object) ?? {}).join(', ') : ''));
  const description = (run.scenario?.description as string | undefined) ?? '';
  const sections: string[] = [];

  const summary: [string, unknown][] = [['kind', run.kind], ['status', status]];
  if (run.kind !== 'sweep') {
    summary.push(['objective', r.objective]);
    const terms = (r.objectiveTerms ?? {}) as Record<string, number>;
    for (const [term, value] of Object.entries(terms)) summary.push([`  ${term}`, value]);
    const solver = (r.solver ?? {}) as Record<string, unknown>;
    if (solver.backend) {
      summary.push(['solver', `${solver.backend}: ${solver.columns} columns × ${solver.rows} rows, ${solver.iterations} iterations, worst violation ${format(solver.maxViolation)}, tie-break ${solver.tieBreak}`]);
    }
  } else {
    summary.push(['mode', r.mode], ['points', r.points], ['samples', r.samples], ['parameters', ((r.parameters ?? []) as { name: string; values: number }[]).map((p) => `${p.name} (${p.values} values)`).join('; ')]);
  }
  sections.push(`<section><h2>Summary</h2>${keyValues(summary)}</section>`);

  const diagnosis = r.diagnosis as { message: string; conflicts: string[] } | undefined;
  if (diagnosis) sections.push(`<section class="diagnosis"><h2>Diagnosis</h2><p>${escape(diagnosis.message)}</p><ul>${diagnosis.conflicts.map((c) => `<li>${escape(c)}</li>`).join('')}</ul></section>`);

  if (figures.length > 0) {
    sections.push(
      `<section><h2>Figures</h2>${figures
        .map(({ figure, svg }) => `<figure id="fig-${escape(figure.id)}" data-figure="${escape(figure.id)}"><h3>${escape(figure.title)}</h3>${svg}<figcaption>${escape(figure.caption)} <a href="figures/${escape(figure.id)}.svg">SVG</a></figcaption></figure>`)
        .join('\n')}</section>`,
    );
  }

  // Who pays whom, and the value of trading (clear with a settlement).
  const settlement = r.settlement as
    | { agents: Record<string, unknown>[]; socialWelfare: number; feesCollected: number; congestionCollected: number; baseline: Record<string, unknown> }
    | undefined;
  if (settlement) {
    const baseline = settlement.baseline;
    const worse = settlement.agents.filter((a) => a.worseOff).map((a) => String(a.agent));
    const prices = r.prices as { uniqueness: string; rule: string; nonUnique: unknown[] } | undefined;
    sections.push(
      `<section id="settlement"><h2>Settlement and value of trading</h2>${keyValues([
        ['social welfare', settlement.socialWelfare],
        ['network fees collected', settlement.feesCollected],
        ['congestion charges collected', settlement.congestionCollected],
        ['without peer trades', 'reason' in baseline ? `not computed: ${baseline.reason}` : `${baseline.status}, social welfare ${format(baseline.socialWelfare)}`],
        ['worse off with peer trades', worse.length > 0 ? worse.join(', ') : 'nobody'],
        ...((settlement as { unpriced?: boolean }).unpriced ? [['unpriced', 'the solver gave no duals: trades settle at 0 (use HiGHS)'] as [string, unknown]] : []),
        ['prices', prices ? `${prices.uniqueness}${prices.nonUnique.length > 0 ? ` (${prices.nonUnique.length}; ${prices.rule})` : ''}` : 'no duals'],
      ])}${table(
        ['agent', 'boughtKwh', 'soldKwh', 'payments', 'revenues', 'fees', 'congestionCharge', 'imbalanceCost', 'preferenceCost', 'bidCost', 'totalCost', 'baselineCost', 'gain', 'worseOff'],
        settlement.agents,
        'Per agent over the run (settlement.csv has every step): total cost = bid cost + payments + fees + congestion charge + imbalance cost − revenues + preferences; gain = cost without peer trades − total cost',
      )}</section>`,
    );
  }

  const negotiation = negotiationSection(run);
  if (negotiation) sections.push(negotiation);

  const tables: string[] = [];
  if (run.kind === 'simulate') {
    tables.push(table(['start', 'steps', 'status', 'objective', 'fallback'], (r.windows ?? []) as Record<string, unknown>[], 'Windows'));
  }
  const acCheck = r.acCheck as { steps: Record<string, unknown>[] } | undefined;
  if (acCheck) {
    tables.push(table(['t', 'acLossKw', 'acMinVoltagePu', 'acMinVoltageBus', 'maxVoltageErrorPu', 'maxFlowErrorKw'], acCheck.steps, 'AC check: the AC power flow of every step against the linear model'));
  }
  if (run.kind === 'sweep') {
    const metrics = metricColumns(run);
    if (run.summary.length > 0) {
      // A stochastic sweep: the statistics of its main metrics per point, not its thousand runs.
      const shown = new Set(metrics.slice(0, SUMMARY_METRICS));
      const columns = Object.keys(run.summary[0]!).filter((c) => c !== 'std');
      tables.push(table(columns, run.summary.filter((row) => shown.has(String(row.metric))), `Statistics of the main metrics over the samples of each point (summary.csv has every metric)`));
    } else if (run.runs.length <= RUNS_SHOWN) {
      tables.push(table(['run', ...run.parameterColumns, 'status', ...metrics.slice(0, SUMMARY_METRICS)], run.runs, 'Runs (runs.csv has every metric)'));
    } else {
      tables.push(table(['metric', 'runs', 'min', 'median', 'max'], metricRanges(run, metrics), `The metrics over the ${run.runs.length} runs (runs.csv has every run)`));
    }
    tables.push(filesList(run));
  } else {
    tables.push(table(['t', 'agent', 'scheduleKw', 'batteryKw', 'socStartKwh', 'socEndKwh', 'netInjectionKw', 'voltagePu'], run.steps, 'Prosumers per step (steps.csv)'));
    tables.push(table(['t', 'from', 'to', 'kw', 'pricePerKwh', 'feePerKwh', 'preferencePerKwh'], run.trades, 'Trades (trades.csv): price per kWh to the seller; the buyer pays it plus the fee'));
  }
  sections.push(`<section><h2>Tables</h2>${tables.join('\n')}</section>`);

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(name)} — p2pmarket</title>
<style>
body { font: 14px/1.45 Helvetica, Arial, sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; color: #222; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; } h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; margin-top: 2rem; }
h3 { font-size: 1rem; margin: 0.5rem 0; } .status { font-weight: bold; color: ${status === 'optimal' ? '#1a7f37' : '#b42318'}; }
dl { display: grid; grid-template-columns: max-content auto; gap: 0.2rem 1rem; } dt { color: #555; white-space: pre; } dd { margin: 0; }
figure { margin: 1.5rem 0; overflow-x: auto; } figcaption { color: #555; font-size: 0.9rem; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.85rem; } caption { text-align: left; font-weight: bold; padding: 0.3rem 0; }
th, td { border: 1px solid #ddd; padding: 0.15rem 0.5rem; text-align: right; } th { background: #f5f5f5; }
.note { color: #555; font-size: 0.85rem; } .diagnosis { color: #b42318; }
</style>
</head>
<body>
<h1>${escape(name)}</h1>
<p>${escape(description)}</p>
<p>Status: <span class="status">${escape(status)}</span></p>
${sections.join('\n')}
<p class="note">Written by p2pmarket plot from the files of this folder.</p>
</body>
</html>
`;
}

/**
 * A negotiated clearing (market.clearing "admm") beside the central optimum it is proven
 * against: objective, welfare, iterations, messages, residuals and the price gaps; then every
 * agent's price per step, negotiated and central, side by side. A simulation lists its windows'
 * negotiations.
 */
function negotiationSection(run: RunFolder): string | undefined {
  const r = run.result as Record<string, unknown>;
  if (run.kind === 'simulate') {
    const windows = ((r.windows ?? []) as Record<string, unknown>[]).filter((w) => w.negotiation);
    if (windows.length === 0) return undefined;
    const rows = windows.map((w) => ({ start: w.start, objective: w.objective, ...(w.negotiation as Record<string, unknown>) }));
    return `<section id="negotiation"><h2>Negotiated clearing</h2><p>Every window negotiated by the agents (market.clearing "admm"), from the previous window's prices; negotiation.csv has every iteration.</p>${table(
      ['start', 'objective', 'converged', 'iterations', 'messages', 'warmStart', 'objectiveGap', 'maxTradePriceGapPerKwh'],
      rows,
      'Windows: the negotiation of each, and its gaps to the central optimum of the same window',
    )}</section>`;
  }
  const n = r.negotiation as
    | {
        mode: string; converged: boolean; iterations: number; messages: { sent: number; retransmitted: number; lost: number }; virtualTimeMs: number; wallMs: number;
        residuals: Record<string, number>; rho: { initial: number; final: number };
        restoration: { maxAdjustmentKw: number; flowViolationKw: number; voltageViolationPu: number };
        central: { status: string; objective: number | null; welfare: number | null; solveMs: number; uniqueness: string | null; agentPricePerKwh: (number | null)[][]; nodalPricePerKwh: (number | null)[][] };
        gaps: Record<string, number> | null;
      }
    | undefined;
  if (!n) return undefined;
  const terms = (r.objectiveTerms ?? {}) as Record<string, number>;
  const welfare = terms.costBids === undefined ? null : -(terms.costBids + terms.utilityEnergy! + terms.preferences!);
  const g = n.gaps ?? {};
  const side = [
    { quantity: 'status', negotiated: r.status, central: n.central.status, gap: '' },
    { quantity: 'objective', negotiated: r.objective, central: n.central.objective, gap: g.objectiveRelative === undefined ? '' : `${format(g.objectiveRelative)} relative` },
    { quantity: 'social welfare −(bids + tariff + preferences)', negotiated: welfare, central: n.central.welfare, gap: g.welfareRelative === undefined ? '' : `${format(g.welfareRelative)} relative` },
    { quantity: 'trade prices (largest gap, per kWh)', negotiated: 'each seller\'s price', central: 'its seller\'s marginal price', gap: g.maxTradePricePerKwh },
    { quantity: 'agents\' prices (largest gap, per kWh)', negotiated: 'mean of its sides\' prices', central: `duals (${n.central.uniqueness ?? 'no duals'})`, gap: g.maxAgentPricePerKwh },
    { quantity: 'nodal prices (largest gap, per kWh)', negotiated: 'utility price − operator\'s charge', central: 'duals', gap: g.maxNodalPricePerKwh },
    { quantity: 'method', negotiated: `${n.mode}: ${n.iterations} iterations, ${n.messages.sent} messages (${n.messages.retransmitted} resent, ${n.messages.lost} lost), ${format(n.virtualTimeMs / 1000)} s virtual`, central: 'HiGHS, one solver with every bid', gap: '' },
    { quantity: 'time here, ms', negotiated: Math.round(n.wallMs), central: Math.round(n.central.solveMs), gap: '' },
    { quantity: 'residuals', negotiated: `primal ${format(n.residuals.primalKw)} kW (≤ ${format(n.residuals.primalToleranceKw)}), dual ${format(n.residuals.dualPerKwh)} per kWh (≤ ${format(n.residuals.dualTolerancePerKwh)}); ρ ${n.rho.initial} → ${n.rho.final}`, central: '', gap: '' },
    { quantity: 'restoration', negotiated: `injections moved ≤ ${format(n.restoration.maxAdjustmentKw)} kW; limits broken by ${format(n.restoration.flowViolationKw)} kW, ${format(n.restoration.voltageViolationPu)} p.u.`, central: '', gap: '' },
  ];
  const steps = (r.steps ?? []) as { t: number; utilityPricePerKwh: number | null; agents: { id: string; marginalPricePerKwh: number | null }[] }[];
  const prices = steps.flatMap((step, t) => [
    { t, agent: 'utility', negotiated: step.utilityPricePerKwh, central: n.central.agentPricePerKwh[t]?.[0] ?? null },
    ...step.agents.map((a, k) => ({ t, agent: a.id, negotiated: a.marginalPricePerKwh, central: n.central.agentPricePerKwh[t]?.[k + 1] ?? null })),
  ]).map((p) => ({ ...p, difference: p.negotiated === null || p.central === null ? null : Number((p.negotiated - p.central).toPrecision(3)) }));
  return `<section id="negotiation"><h2>Negotiated and central clearing</h2><p>The agents negotiated this clearing (consensus ADMM, market.clearing "admm"); the central optimum, computed too, is its proof.</p>${table(
    ['quantity', 'negotiated', 'central', 'gap'],
    side,
    'Side by side',
  )}${table(['t', 'agent', 'negotiated', 'central', 'difference'], prices, 'Every agent\'s price per step, per kWh: negotiated and central')}</section>`;
}
