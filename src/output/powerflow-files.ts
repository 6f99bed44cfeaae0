/** Files and terminal tables of the AC power flow (`powerflow`) and of the AC check (`clear --ac-check`). */
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

/** Up to this many buses, a one-step power flow prints every bus by default (the 33-bus feeder fits one screen). */
export const SMALL_BUSES = 40;
/** Rows of the steps' table, buses of a large feeder and limits broken shown before "… and N more in <file>". */
const SUMMARY_ROWS = 24;
const SUMMARY_BUSES = 12;
const SUMMARY_VIOLATIONS = 12;

export interface PowerFlowRenderOptions {
  /** Every step, bus and broken limit, whatever the size (--verbose). */
  verbose?: boolean;
}

/**
 * What `powerflow` prints. A small feeder's one step in full, bus by bus; a larger feeder's as a
 * summary of one screen — the steps, the buses with the lowest voltages, the first limits broken
 * — naming the files that hold every value; `verbose` prints every table in full.
 */
export function renderPowerFlow(result: PowerFlowReport, options: PowerFlowRenderOptions = {}): string {
  const out: string[] = [];
  if (!result.converged) return `${pc.bold(result.scenario)}: ${pc.red('did not converge')}\n${result.failure?.message ?? ''}`;
  const verbose = options.verbose ?? false;
  const upTo = <T>(items: readonly T[], max: number, where: string) => (verbose ? { shown: items, more: undefined } : firstRows(items, max, where));
  out.push(`${pc.bold(result.scenario)}: AC power flow ${pc.green('converged')} (backward/forward sweep, tolerance ${result.tolerancePu} p.u., at most ${result.iterations} iterations)`);
  const { shown: stepsShown, more: stepsMore } = upTo(result.steps, SUMMARY_ROWS, 'result.json (--verbose prints every step)');
  out.push(fitTable(
    ['t', 'hour', 'loss kW', 'loss kvar', 'supply kW', 'supply kvar', 'lowest V p.u. (bus)', 'highest V p.u. (bus)', 'violations'],
    stepsShown.map((s) => [
      s.t, s.startHour, s.lossKw.toFixed(3), s.lossKvar.toFixed(3), s.slackKw.toFixed(3), s.slackKvar.toFixed(3),
      `${s.minVoltagePu.toFixed(5)} (${s.minVoltageBus})`, `${s.maxVoltagePu.toFixed(5)} (${s.maxVoltageBus})`,
      s.violations.length === 0 ? '0' : pc.yellow(String(s.violations.length)),
    ]),
  ), ...(stepsMore ? [stepsMore] : []), 'supply: what the substation delivers; violations: limits the AC state breaks');
  if (result.steps.length === 1) {
    const [step] = result.steps;
    const feeding = new Map(step!.lines.map((l) => [l.to, l]));
    const all = verbose || step!.buses.length <= SMALL_BUSES;
    // A large feeder: the buses a person looks for first, the lowest voltages.
    const buses = all ? step!.buses : [...step!.buses].sort((a, b) => a.vPu - b.vPu).slice(0, SUMMARY_BUSES);
    if (!all) {
      out.push(`${step!.buses.length} buses, the ${buses.length} with the lowest voltage (every bus and line: buses.csv and lines.csv; --verbose prints them)`);
    }
    out.push(fitTable(
      ['bus', 'V p.u.', 'angle °', 'line feeding it', 'P kW', 'Q kvar', 'loss kW'],
      buses.map((b) => {
        const line = feeding.get(b.id);
        return [
          b.id, b.vPu.toFixed(5), b.angleDeg.toFixed(4),
          line ? `${line.from}→${line.to}` : '', line ? line.pKw.toFixed(3) : '', line ? line.qKvar.toFixed(3) : '', line ? line.lossKw.toFixed(3) : '',
        ];
      }),
      { align: ['left', 'right', 'right', 'left'] },
    ));
  }
  const violations = result.steps.flatMap((s) => s.violations.map((v) => `  step ${s.t}: ${describeViolation(v)}`));
  const limited = upTo(violations, SUMMARY_VIOLATIONS, 'result.json (--verbose prints them)');
  if (violations.length > 0) out.push(pc.yellow(`Limits the AC state breaks (${violations.length}):`), ...limited.shown, ...(limited.more ? [`  ${limited.more}`] : []));
  return out.join('\n');
}

/** The AC check of `clear --ac-check` and `simulate --ac-check`: a row per step (the first ones of a long run, unless `verbose`). */
export function renderAcCheck(check: AcCheck, options: PowerFlowRenderOptions = {}): string {
  const upTo = <T>(items: readonly T[], max: number, where: string) => (options.verbose ? { shown: items, more: undefined } : firstRows(items, max, where));
  const out = [pc.bold('AC check') + ' of the cleared steps (LinDistFlow against the AC power flow)'];
  const steps = upTo(check.steps, SUMMARY_ROWS, 'ac-check.csv (--verbose prints every step)');
  out.push(fitTable(
    ['t', 'AC losses kW', 'AC lowest V (bus)', 'max |ΔV| p.u. (bus)', 'max |Δf| kW (line)', 'AC limits broken'],
    steps.shown.map((s) => s.converged
      ? [
          s.t, s.acLossKw.toFixed(3), `${s.acMinVoltagePu.toFixed(5)} (${s.acMinVoltageBus})`,
          `${s.maxVoltageErrorPu.toExponential(2)} (${s.maxVoltageErrorBus})`, `${s.maxFlowErrorKw.toFixed(3)} (${s.maxFlowErrorLine})`,
          s.violations.length === 0 ? '0' : pc.yellow(String(s.violations.length)),
        ]
      : [s.t, pc.red('no convergence'), '', '', '', '']),
  ), ...(steps.more ? [steps.more] : []));
  const violations = check.steps.flatMap((s) => s.violations.map((v) => `  step ${s.t}: ${describeViolation(v)}`));
  const { shown, more } = upTo(violations, SUMMARY_VIOLATIONS, 'ac-violations.csv (--verbose prints them)');
  if (violations.length > 0) out.push(pc.yellow(`AC limits the linear model let through (${violations.length}):`), ...shown, ...(more ? [`  ${more}`] : []));
  return out.join('\n');
}

function describeViolation(v: { kind: string; element: string; value: number; limit: number }): string {
  return v.kind === 'voltage'
    ? `voltage at bus ${v.element} ${v.value.toFixed(5)} p.u. (limit ${v.limit})`
    : `flow on line ${v.element} ${v.value.toFixed(3)} kW (limit ±${v.limit})`;
}
