/** The negotiation's summary as `clear` prints it (market.clearing "admm"). */
import type { NegotiationReport } from '../admm/result.ts';
import { wrap } from './terminal.ts';

const e = (v: number) => v.toExponential(1);

export function renderNegotiation(n: NegotiationReport): string {
  const head = `Negotiated clearing (ADMM, ${n.mode}): ${n.converged ? 'converged' : 'NOT converged'} in ${n.iterations.toLocaleString('en-US')} iterations, ` +
    `${n.messages.sent.toLocaleString('en-US')} messages (${n.messages.retransmitted} sent again, ${n.messages.lost} lost), ` +
    `${(n.virtualTimeMs / 1000).toFixed(2)} s of virtual time (${(n.wallMs / 1000).toFixed(2)} s here)`;
  const lines = [
    head,
    `  residuals: primal ${e(n.residuals.primalKw)} kW (tolerance ${e(n.residuals.primalToleranceKw)}), dual ${e(n.residuals.dualPerKwh)} per kWh (tolerance ${e(n.residuals.dualTolerancePerKwh)}); ρ ${n.rho.initial} → ${n.rho.final}`,
  ];
  if (n.gaps && n.central.objective !== null) {
    lines.push(
      `  central optimum: objective ${n.central.objective.toFixed(4)} — gap ${e(n.gaps.objectiveRelative)} (relative), welfare gap ${e(n.gaps.welfareRelative)}; ` +
        `largest price gaps per kWh: trades ${e(n.gaps.maxTradePricePerKwh)}, agents ${e(n.gaps.maxAgentPricePerKwh)}, nodal ${e(n.gaps.maxNodalPricePerKwh)}`,
    );
  }
  lines.push(
    `  restoration: injections moved by at most ${e(n.restoration.maxAdjustmentKw)} kW in ${n.restoration.rounds} round(s); ` +
      (n.restoration.flowViolationKw > 0 || n.restoration.voltageViolationPu > 0
        ? `network limits broken by ${e(n.restoration.flowViolationKw)} kW, ${e(n.restoration.voltageViolationPu)} p.u.`
        : 'every network limit holds'),
  );
  if (n.settledPairs > 0) lines.push(`  ${n.settledPairs} of ${n.pairs} pairs stopped negotiating early (pairTermination)`);
  return lines.map((line) => wrap(line, '    ')).join('\n');
}
