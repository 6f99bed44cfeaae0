/** Files and terminal tables of the AC power flow (`powerflow`) and of the AC check (`clear --ac-check`). */
import Table from 'cli-table3';
import { firstRows, fitTable } from './terminal.ts';
import { pc } from './colors.ts';
import type { AcCheck } from '../analysis/ac-check.ts';
import type { PowerFlowReport } from '../analysis/powerflow.ts';
import { toCsv } from './csv.ts';

export const POWERFLOW_BUS_COLUMNS = ['t', 'bus', 'vPu', 'angleDeg'] as const;
export const POWERFLOW_LINE_COLUMNS = ['t', 'from', 'to', 'pKw', 'qKvar', 'lossKw', 'maxKw'] as const;
export const AC_CHECK_COLUMNS = [
  'run', 't', 'converged', 'iterations', 'acLossKw', 'acMinVoltagePu', 'acMinVoltageBus',
  'maxVoltageErrorPu', 'maxVoltageErrorBus', 'maxFlowErrorKw', 'maxFlowErrorLine', 'violations',
] as const;
export const AC_VIOLATION_COLUMNS = ['run', 't', 'kind', 'element', 'value', 'limit'] as const;

/** buses.csv, lines.csv and result.json of a converged power flow. */
export function powerFlowFiles(result: PowerFlowReport): Record<string, string> {
  return {
    'buses.csv': toCsv(POWERFLOW_BUS_COLUMNS, result.steps.flatMap((s) => s.buses.map((b) => [s.t, b.id, b.vPu, b.angleDeg]))),
    'lines.csv': toCsv(
      POWERFLOW_LINE_COLUMNS,
      result.steps.flatMap((s) => s.lines.map((l) => [s.t, l.from, l.to, l.pKw, l.qKvar, l.lossKw, l.maxKw])),
    ),
    'result.json': JSON.stringify(result, null, 2) + '\n',
  };
}

export function acCheckFiles(check: AcCheck, run = 0): Record<string, string> {
  const num = (v: number) => (Number.isFinite(v) ? v : null);
  return {
    'ac-check.csv': toCsv(
      AC_CHECK_COLUMNS,
      check.steps.map((s) => [
        run, s.t, s.converged ? 'true' : 'false', s.iterations, num(s.acLossKw), num(s.acMinVoltagePu), s.acMinVoltageBus,
        num(s.maxVoltageErrorPu), s.maxVoltageErrorBus, num(s.maxFlowErrorKw), s.maxFlowErrorLine, s.violations.length,
      ]),
    ),
    'ac-violations.csv': toCsv(
      AC_VIOLATION_COLUMNS,
      check.steps.flatMap((s) => s.violations.map((v) => [run, s.t, v.kind, v.element, v.value, v.limit])),
    ),
  };
}

const compact = { head: [], border: [], compact: true };

export function renderPowerFlow(result: PowerFlowReport): string {
  const out: string[] = [];
  if (!result.converged) return `${pc.bold(result.scenario)}: ${pc.red('did not converge')}\n${result.failure?.message ?? ''}`;
  out.push(`${pc.bold(result.scenario)}: AC power flow ${pc.green('converged')} (backward/forward sweep, tolerance ${result.tolerancePu} p.u., at most ${result.iterations} iterations)`);
  const { shown: stepsShown, more: stepsMore } = firstRows(result.steps, 48, 'the output folder\'s CSV files');
  out.push(fitTable(
    ['t', 'hour', 'losses kW', 'losses kvar', 'substation kW', 'substation kvar', 'lowest V p.u. (bus)', 'highest V p.u. (bus)', 'limits broken'],
    stepsShown.map((s) => [
      s.t, s.startHour, s.lossKw.toFixed(3), s.lossKvar.toFixed(3), s.slackKw.toFixed(3), s.slackKvar.toFixed(3),
      `${s.minVoltagePu.toFixed(5)} (${s.minVoltageBus})`, `${s.maxVoltagePu.toFixed(5)} (${s.maxVoltageBus})`,
      s.violations.length === 0 ? '0' : pc.yellow(String(s.violations.length)),
    ]),
  ), ...(stepsMore ? [stepsMore] : []));
  if (result.steps.length === 1) {
    const [step] = result.steps;
    const buses = new Table({ head: ['bus', 'V p.u.', 'angle °', '', 'line feeding it', 'P kW', 'Q kvar', 'loss kW'], style: compact });
    const feeding = new Map(step!.lines.map((l) => [l.to, l]));
    step!.buses.forEach((b) => {
      const line = feeding.get(b.id);
      buses.push([
        b.id, b.vPu.toFixed(5), b.angleDeg.toFixed(4), '',
        line ? `${line.from}→${line.to}` : '', line ? line.pKw.toFixed(3) : '', line ? line.qKvar.toFixed(3) : '', line ? line.lossKw.toFixed(3) : '',
      ]);
    });
    out.push(buses.toString());
  }
  const violations = result.steps.flatMap((s) => s.violations.map((v) => `  step ${s.t}: ${describeViolation(v)}`));
  const limited = firstRows(violations, 12, 'the output folder\'s CSV files');
  if (violations.length > 0) out.push(pc.yellow(`Limits the AC state breaks (${violations.length}):`), ...limited.shown, ...(limited.more ? [`  ${limited.more}`] : []));
  return out.join('\n');
}

export function renderAcCheck(check: AcCheck): string {
  const out = [pc.bold('AC check') + ' of the cleared steps (LinDistFlow against the AC power flow)'];
  const table = new Table({ head: ['t', 'AC losses kW', 'AC lowest V (bus)', 'max |ΔV| p.u. (bus)', 'max |Δf| kW (line)', 'AC limits broken'], style: compact });
  for (const s of check.steps) {
    if (!s.converged) {
      table.push([s.t, pc.red('no convergence'), '', '', '', '']);
      continue;
    }
    table.push([
      s.t, s.acLossKw.toFixed(3), `${s.acMinVoltagePu.toFixed(5)} (${s.acMinVoltageBus})`,
      `${s.maxVoltageErrorPu.toExponential(2)} (${s.maxVoltageErrorBus})`, `${s.maxFlowErrorKw.toFixed(3)} (${s.maxFlowErrorLine})`,
      s.violations.length === 0 ? '0' : pc.yellow(String(s.violations.length)),
    ]);
  }
  out.push(table.toString());
  const violations = check.steps.flatMap((s) => s.violations.map((v) => `  step ${s.t}: ${describeViolation(v)}`));
  const { shown, more } = firstRows(violations, 12, 'ac-check.csv');
  if (violations.length > 0) out.push(pc.yellow(`AC limits the linear model let through (${violations.length}):`), ...shown, ...(more ? [`  ${more}`] : []));
  return out.join('\n');
}

function describeViolation(v: { kind: string; element: string; value: number; limit: number }): string {
  return v.kind === 'voltage'
    ? `voltage at bus ${v.element} ${v.value.toFixed(5)} p.u. (limit ${v.limit})`
    : `flow on line ${v.element} ${v.value.toFixed(3)} kW (limit ±${v.limit})`;
}
