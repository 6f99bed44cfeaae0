/**
 * `p2pmarket import matpower`: MATPOWER case files read without being run, and imported
 * feeders whose `powerflow` reproduces MATPOWER's own AC power flow.
 *
 * - the reader on small texts: matrices as MATLAB reads them, the files' unit conversions,
 *   and every statement it must refuse (with its line);
 * - through the real commands (`import matpower … --out`, then `powerflow --json`): the
 *   figures of MATPOWER's Newton power flow (tolerance 1e-10) for five feeders — losses to
 *   1e-3 kW, the named bus to 1e-6 p.u. — and every bus voltage against an independent
 *   full-Ybus Newton–Raphson (test/helpers/newton.ts) to 1e-6 p.u.; in process, a generator at
 *   a PQ bus and an isolated bus against the same reference;
 * - refused cases (exit 2, the file and the field or line named, nothing written): a loop,
 *   two sources, an island, shunts and line charging, a statement that is not a case's, a
 *   ragged matrix, a missing matrix, an existing output file.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scenarioPowerFlow, type PowerFlowReport } from '../src/analysis/powerflow.ts';
import { InputError } from '../src/errors.ts';
import { matpowerScenario } from '../src/import/matpower.ts';
import { readMatpowerCase, type MatpowerCaseFile, type NumericMatrix } from '../src/import/matpower-case.ts';
import { parseScenario } from '../src/scenario/load.ts';
import { scenarioWarnings } from '../src/scenario/warnings.ts';
import type { ScenarioInput } from '../src/scenario/schema.ts';
import { p2pmarket, ROOT, STACK_TRACE, temporaryFolder, unwrap, type Run } from './helpers/cli.ts';
import { newtonPowerFlow, type NewtonSolution } from './helpers/newton.ts';

const { workDir } = temporaryFolder('p2pmarket-matpower-');
/** Tests that spawn the command twice (and solve a 533-bus Newton) on a shared 2-core machine. */
const SLOW = 180_000;
const DATA = join(ROOT, 'data', 'matpower');
const caseFile = (name: string) => join(DATA, `${name}.m`);
const caseText = (name: string) => readFileSync(caseFile(name), 'utf8');
const readCase = (name: string) => readMatpowerCase(caseText(name), `${name}.m`);

/** A matrix field of a read case. */
function field(mpc: MatpowerCaseFile, name: string): NumericMatrix {
  const value = mpc.fields.get(name);
  if (value?.kind !== 'matrix') throw new Error(`mpc.${name} is not a matrix`);
  return value.matrix;
}
const row = (m: NumericMatrix, r: number) => m.data.slice(r * m.cols, (r + 1) * m.cols);

/** The InputError message reading `text` gives (the test fails if it reads). */
function refusal(text: string): string {
  try {
    readMatpowerCase(text, 'bad.m');
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as InputError).message;
  }
  throw new Error(`read without error:\n${text}`);
}

// ---------------------------------------------------------------------------------------
// The reader

describe('reading a MATPOWER case file', () => {
  it('reads matrices as MATLAB does: rows by ";" or line breaks, comments, continuations, expressions', () => {
    const mpc = readMatpowerCase(
      [
        '% a comment before the function line',
        'function mpc = tiny',
        '%TINY  A tiny case',
        '%   Data from a paper.',
        '%',
        '%   Modifications: none.',
        '',
        "mpc.version = '2';",
        'mpc.baseMVA = 50/3;   % MVA',
        'mpc.bus = [ %% (loads in kW here)',
        '\t1\t3\t0\t0',
        '\t2\t1\t1.5e3\t-2 ;  % a row with a comment',
        '',
        '\t3, 1, 2^-1, -2^2',
        '\t4 1 [1 -2]; 5 1 [1 - 2] 0',
        '\t6 1 sqrt(4) ...  the rest of this line is a comment',
        '\t   (1 + 2)*3',
        '];',
        "mpc.bus_name = { 'one'; 'two' };",
      ].join('\n'),
      'tiny.m',
    );
    expect(mpc.functionName).toBe('tiny');
    expect(mpc.header).toEqual(['TINY  A tiny case', 'Data from a paper.', '', 'Modifications: none.']);
    expect(mpc.fields.get('version')).toEqual({ kind: 'text', text: '2' });
    expect(field(mpc, 'baseMVA').data).toEqual([50 / 3]);
    const bus = field(mpc, 'bus');
    expect([bus.rows, bus.cols]).toEqual([6, 4]);
    expect(row(bus, 1)).toEqual([2, 1, 1500, -2]);
    expect(row(bus, 2)).toEqual([3, 1, 0.5, -4]); // 2^-1, and -2^2 = -(2^2)
    expect(row(bus, 3)).toEqual([4, 1, 1, -2]); // [1 -2] is two values
    expect(row(bus, 4)).toEqual([5, 1, -1, 0]); // [1 - 2] is one
    expect(row(bus, 5)).toEqual([6, 1, 2, 9]); // a continuation joins the lines
    expect(mpc.rowLines.get('bus')).toEqual([11, 12, 14, 15, 15, 16]);
    expect(mpc.fieldComments.get('bus')).toBe('loads in kW here');
    expect(mpc.fields.get('bus_name')).toEqual({ kind: 'cell', items: ['one', 'two'] });
  });

  it("evaluates the files' unit conversions: column names by position, indexing with :, lists, ranges and end", () => {
    const mpc = readMatpowerCase(
      [
        'function c = conv',
        'c.baseMVA = 10;',
        'c.bus = [1 3 100 60; 2 1 90 40; 3 1 120 80];',
        'c.branch = [1 2 2 4; 2 3 3 6];',
        '[PQ, PV, REF, NONE, BUS_I, BUS_TYPE, PD, QD] = idx_bus;',
        '[F_BUS, T_BUS, BR_R, BR_X] = idx_brch;',
        'Vbase = 10 * 1e3;  Sbase = c.baseMVA * 1e6;',
        'c.branch(:, [BR_R BR_X]) = c.branch(:, [BR_R BR_X]) / (Vbase^2 / Sbase);',
        'c.bus(:, [PD, QD]) = c.bus(:, [PD, QD]) / 1e3;',
        'pf = 0.8;',
        'c.bus(2:end, QD) = c.bus(2:end, PD) * sin(acos(pf)) / pf;',
        'c.bus(1, 3:4) = [7 8];',
        'c.bus(end, 1:2:3) = 0;',
        'define_constants;',
        'c.bus(1, VMAX - 10) = c.bus(1, GS - 3) .* 2;',
      ].join('\n'),
      'conv.m',
    );
    const branch = field(mpc, 'branch');
    expect(branch.data).toEqual([1, 2, 2 / 10, 4 / 10, 2, 3, 3 / 10, 6 / 10]);
    const bus = field(mpc, 'bus');
    expect(row(bus, 0)).toEqual([1, 6, 7, 8]); // (1, 3:4) = [7 8], then (1, VMAX − 10 = 2) = (1, GS − 3 = 2) .* 2
    expect(row(bus, 1)[3]).toBeCloseTo((0.09 * 0.6) / 0.8, 15);
    expect(row(bus, 2).slice(0, 3)).toEqual([0, 1, 0]);
    expect(row(bus, 2)[3]).toBeCloseTo((0.12 * 0.6) / 0.8, 15);
  });

  it('reads the bundled cases: loads in kVA at power factor 0.85 (case141), expressions and rows without ";" (case533mt_hi)', () => {
    // case141: "Pd in kVA for 0.85 power factor": PD = kVA·0.85/1000, QD = kVA·sin(acos(0.85))/1000.
    const c141 = field(readCase('case141'), 'bus');
    expect(caseText('case141')).toMatch(/^\t8\t1\t75\t0\t/m); // bus 8: 75 kVA
    expect(row(c141, 7)[2]).toBeCloseTo((75 * 0.85) / 1000, 15);
    expect(row(c141, 7)[3]).toBeCloseTo((75 * Math.sqrt(1 - 0.85 ** 2)) / 1000, 15);
    const c533 = readCase('case533mt_hi');
    expect(field(c533, 'baseMVA').data).toEqual([50 / 3]);
    const bus = field(c533, 'bus');
    expect([bus.rows, bus.cols]).toEqual([533, 13]);
    expect(row(bus, 0)[9]).toBe(135 / Math.sqrt(3));
    expect(row(bus, 1)[9]).toBe(12 / Math.sqrt(3));
    expect(row(bus, 6)[3]).toBe(1.33e-5);
    expect([field(c533, 'gen').cols, field(c533, 'branch').cols, field(c533, 'branch').rows]).toEqual([18, 14, 577]);
    // case33bw: loads divided by 1e3, impedances by Z_base = 12.66² / 10 Ω.
    const c33 = readCase('case33bw');
    expect(row(field(c33, 'bus'), 1).slice(2, 4)).toEqual([0.1, 0.06]);
    expect(row(field(c33, 'branch'), 0)[2]).toBeCloseTo(0.0922 / (12.66 ** 2 / 10), 17);
  });

  it.each([
    ['a shell call', "system('touch pwned')", 3, /line 3: not a MATPOWER case statement p2pmarket can evaluate: system\('touch pwned'\) \(system\(…\) calls a function, which p2pmarket does not run\)/],
    ['a call in a value', "x = system('ls');", 3, /line 3: .*x = system\('ls'\);.*system\(…\) is not a function p2pmarket evaluates/],
    ['eval', "eval('mpc.baseMVA = 1');", 3, /line 3: not a MATPOWER case statement p2pmarket can evaluate: eval/],
    ['a command', 'clear all', 3, /line 3: .*"clear" on its own is a command or a call/],
    ['a loop', 'for k = 1:3', 3, /line 3: .*"for" statements are not evaluated/],
    ['a condition', "if 1, mpc.baseMVA = 5; end", 3, /line 3: .*"if" statements are not evaluated/],
    ['a transpose', "mpc.bus = mpc.bus';", 3, /line 3: .*a transpose \("'"\) is not evaluated/],
    ['a comparison', 'mpc.baseMVA = mpc.baseMVA == 1;', 3, /line 3: .*a comparison \("=="\) is not evaluated/],
    ['a function handle', 'f = @sin;', 3, /line 3: .*a function handle/],
    ['a matrix product', 'mpc.bus = mpc.bus * mpc.bus;', 3, /line 3: .*a matrix product \(2×2 \* 2×2\) is not evaluated/],
    ['an unknown name', 'mpc.baseMVA = Sbase;', 3, /line 3: .*"Sbase" is not a variable the file has defined/],
    ['an index beyond the matrix', 'mpc.bus(3, 1) = 1;', 3, /line 3: .*mpc\.bus row 3 is beyond the 2 there are \(p2pmarket does not grow matrices\)/],
    ['a complex number', 'mpc.baseMVA = 1i;', 3, /line 3: "1i" is not a number p2pmarket reads/],
    ['assigning the struct', 'mpc = loadcase(1);', 3, /line 3: .*only the fields of mpc/],
    ["a name JavaScript's objects have", 'mpc.baseMVA = constructor(toString);', 3, /line 3: .*constructor\(…\) is not a function p2pmarket evaluates/],
  ])('refuses %s, naming its line', (_name, statement, line, says) => {
    const message = refusal(['function mpc = bad', 'mpc.bus = [1 3; 2 1];', statement, 'mpc.baseMVA = 10;'].join('\n'));
    expect(message).toMatch(new RegExp(`^bad\\.m: line ${line}: `));
    expect(message).toMatch(says);
  });

  it('refuses malformed files, naming the line (and the field)', () => {
    expect(refusal('function mpc = bad\nmpc.bus = [\n 1 3 0;\n 2 1 5;\n 3 1;\n];')).toBe(
      'bad.m: line 5: mpc.bus: row 3 of the matrix has 2 values, the rows before it (from line 3) 3: every row must have as many',
    );
    expect(refusal('function mpc = bad\nmpc.bus = [\n 1 3 0;\n')).toMatch(/^bad\.m: line 4: a matrix "\[" is never closed by "\]"/);
    expect(refusal("function mpc = bad\nmpc.version = '2;\n")).toMatch(/^bad\.m: line 2: a text in quotes is not closed/);
    expect(refusal('mpc.baseMVA = 10;')).toMatch(/^bad\.m: line 1: .*starts with "function mpc = <name>"/);
    expect(refusal('function [baseMVA, bus, gen, branch] = old\nbaseMVA = 100;')).toMatch(/line 1: .*format version 1: convert it to version 2/);
    expect(refusal('% only a comment\n')).toMatch(/^bad\.m: holds no statement/);
  });

  it('bounds what a file can ask of it: nesting, the length of an expression, the size of a matrix', () => {
    const header = 'function mpc = big\n';
    expect(refusal(`${header}mpc.baseMVA = ${'('.repeat(100_000)}1${')'.repeat(100_000)};`)).toBe('bad.m: line 2: an expression nested deeper than 200 levels');
    expect(refusal(`${header}mpc.baseMVA = ${'-'.repeat(100_000)}1;`)).toBe('bad.m: line 2: an expression nested deeper than 200 levels');
    expect(refusal(`${header}mpc.baseMVA = ${'1+'.repeat(100_000)}1;`)).toBe('bad.m: line 2: mpc.baseMVA: an expression of more than 1000 operations');
    // x grows fivefold to 5^9 = 1,953,125 values; six of it would be 11,718,750.
    expect(refusal(`${header}x = 1;\n${'x = [x x x x x];\n'.repeat(9)}x = [x x x x x x];\n`)).toBe('bad.m: line 12: a matrix of more than 10,000,000 values');
  });
});

// ---------------------------------------------------------------------------------------
// Through the commands: MATPOWER's figures

interface Imported {
  run: Run;
  scenario: ScenarioInput;
  powerflow: PowerFlowReport;
}

/** `import matpower <file> --out <dir>/<name>.json [...args]`, then `powerflow --json` of it. */
async function importAndSolve(file: string, dir: string, args: string[] = []): Promise<Imported> {
  const out = join(dir, 'feeder.json');
  const run = await p2pmarket(['import', 'matpower', file, '--out', out, ...args], dir);
  expect(run.code, run.stderr).toBe(0);
  const solved = await p2pmarket(['powerflow', out, '--json', '--out', join(dir, 'pf')], dir);
  expect(solved.code, solved.stderr).toBe(0);
  return { run, scenario: JSON.parse(readFileSync(out, 'utf8')) as ScenarioInput, powerflow: JSON.parse(solved.stdout) as PowerFlowReport };
}

/** The largest |V| difference, p.u., between the power flow's buses and the Newton reference (which must have every bus). */
function worstVoltageDifference(powerflow: PowerFlowReport, newton: NewtonSolution): number {
  const buses = powerflow.steps[0]!.buses;
  expect(buses.map((b) => Number(b.id)).sort((a, b) => a - b)).toEqual([...newton.vPu.keys()].sort((a, b) => a - b));
  return Math.max(...buses.map((b) => Math.abs(b.vPu - newton.vPu.get(Number(b.id))!)));
}

/** MATPOWER 8's runpf (Newton, tolerance 1e-10) on the bundled cases: total losses, and the voltage at the lowest bus. */
const FIGURES: [name: string, lossKw: number, bus: string, vPu: number][] = [
  ['case33bw', 202.677, '18', 0.91309],
  ['case69', 224.992, '65', 0.909188],
  ['case85', 299.307, '54', 0.87389],
  ['case10ba', 783.778, '10', 0.837504],
  ['case533mt_hi', 175.124, '295', 0.958748],
];

describe('import matpower, then powerflow: MATPOWER\'s own power flow', () => {
  it.concurrent.each(FIGURES)('%s: %f kW of losses, bus %s at %f p.u., every bus as the Newton reference', async (name, lossKw, bus, vPu) => {
    const { scenario, powerflow } = await importAndSolve(caseFile(name), workDir(name));
    expect(powerflow.converged).toBe(true);
    const [step] = powerflow.steps;
    expect(Math.abs(step!.lossKw - lossKw)).toBeLessThanOrEqual(1e-3);
    expect(step!.minVoltageBus).toBe(bus);
    expect(Math.abs(step!.buses.find((b) => b.id === bus)!.vPu - vPu)).toBeLessThanOrEqual(1e-6);
    // The independent reference agrees with MATPOWER's figures and with every bus.
    const newton = newtonPowerFlow(readCase(name));
    expect(newton.converged).toBe(true);
    expect(Math.abs(newton.lossKw - lossKw)).toBeLessThanOrEqual(1e-3);
    expect(Math.abs(newton.vPu.get(Number(bus))! - vPu)).toBeLessThanOrEqual(1e-6);
    expect(worstVoltageDifference(powerflow, newton)).toBeLessThanOrEqual(1e-6);
    expect(Math.abs(step!.lossKw - newton.lossKw)).toBeLessThanOrEqual(1e-3);
    expect(scenario.name).toBe(name);
    expect(scenario.$schema).toBeUndefined();
  }, SLOW);

  it.concurrent('case33bw: the scenario as documented — buses, Ω, loads negative, limits, the tie lines in the description', async () => {
    const dir = workDir('case33bw-fields');
    const { run, scenario } = await importAndSolve(caseFile('case33bw'), dir);
    expect(unwrap(run.stdout)).toMatch(/wrote .*feeder\.json: "case33bw", 33 buses, 32 lines, 32 fixed loads \(3715 kW\), slack bus 1 at 1 p\.u\., 12\.66 kV; normally-open branches dropped: 21–8, 9–15, 12–22, 18–33, 25–29/);
    expect(run.stderr).toBe('');
    const { network } = scenario;
    expect(network).toMatchObject({ baseKv: 12.66, baseKva: 10000, vMinPu: 0.9, vMaxPu: 1.1, slackVoltagePu: 1, slack: '1' });
    expect(network.buses).toEqual(Array.from({ length: 33 }, (_, k) => String(k + 1)));
    expect(network.lines[0]).toEqual({ from: '1', to: '2', rOhm: 0.0922, xOhm: 0.047 });
    expect(network.lines.find((l) => l.to === '33')).toEqual({ from: '32', to: '33', rOhm: 0.341, xOhm: 0.5302 });
    expect(network.loads).toHaveLength(32);
    expect(network.loads![0]).toEqual({ bus: '2', injectionKw: -100, injectionKvar: -60 });
    expect(scenario.utility).toEqual({ bus: '1' });
    expect(scenario.prosumers).toEqual([]);
    expect(scenario.description).toMatch(/Normally-open tie lines \(BR_STATUS 0\) dropped: 21–8, 9–15, 12–22, 18–33, 25–29\./);
    expect(scenario.description).toMatch(/Baran and F\. F\. Wu, "Network reconfiguration in distribution systems/);
    // The bundled scenario is this import, with its "$schema".
    const bundled = JSON.parse(readFileSync(join(ROOT, 'scenarios', 'case33bw.json'), 'utf8'));
    expect(bundled).toEqual({ $schema: '../schema/scenario.schema.json', ...scenario });
  }, SLOW);

  it.concurrent('case533mt_hi: two voltage levels, RATE_A as maxKw, 45 open branches, lines turned to run from the slack', async () => {
    const { scenario } = await importAndSolve(caseFile('case533mt_hi'), workDir('case533'));
    const { network } = scenario;
    expect(network.baseKv).toBeCloseTo(135 / Math.sqrt(3), 9);
    expect(network.baseKva).toBeCloseTo((50 / 3) * 1000, 6);
    expect(network.buses).toHaveLength(533);
    expect(network.lines).toHaveLength(577 - 45);
    // Branch "4 1" of the file runs 1 → 4; RATE_A 50.66248612 MVA becomes 50,662.48612 kW.
    expect(network.lines.find((l) => l.to === '4')).toMatchObject({ from: '1', maxKw: 50662.48612 });
    expect(network.lines.every((l) => l.maxKw !== undefined)).toBe(true);
    expect(scenario.description).toMatch(/531 buses \(2, 3, 5, 6, 7, …\) at 6\.9282 kV/);
    expect(scenario.description).toMatch(/mpc\.bus: "Pd and Qd are given in single-phase MW & MVAr here"/);
    expect(scenario.description).toMatch(/RATE_A \(an MVA rating, long term\) of 532 lines became the active-power limit/);
    expect(scenario.description).toMatch(/Creative Commons Attribution 4\.0/);
  }, SLOW);

  it.concurrent('case141: its r = 0 branch refused, or given --zero-impedance-ohm with a warning; then every bus as the Newton reference', async () => {
    const dir = workDir('case141');
    const refused = await p2pmarket(['import', 'matpower', caseFile('case141'), '--out', join(dir, 'refused.json')], dir);
    expect(refused.code).toBe(2);
    expect(unwrap(refused.stderr)).toMatch(/case141\.m: mpc\.branch: branch 86–87 \(row 51\) has r = 0 Ω: p2pmarket's lines need r > 0 and x > 0; --zero-impedance-ohm/);
    expect(existsSync(join(dir, 'refused.json'))).toBe(false);
    const { run, scenario, powerflow } = await importAndSolve(caseFile('case141'), dir, ['--zero-impedance-ohm', '1e-6']);
    expect(unwrap(run.stderr)).toMatch(/warning: .*case141\.m: mpc\.branch: branch 86–87 \(row 51\) has r = 0: given 0\.000001 Ω instead/);
    expect(scenario.network.lines.find((l) => l.to === '87')).toMatchObject({ from: '86', rOhm: 1e-6, xOhm: 1e-5 });
    // The branch's admittance (1.6e6 p.u.) puts the Newton mismatch's rounding floor near 2e-10 p.u.
    const newton = newtonPowerFlow(readCase('case141'), { tolerancePu: 1e-9 });
    expect(newton.converged).toBe(true);
    expect(worstVoltageDifference(powerflow, newton)).toBeLessThanOrEqual(1e-6);
    expect(Math.abs(powerflow.steps[0]!.lossKw - newton.lossKw)).toBeLessThanOrEqual(1e-3);
  }, SLOW);

  it.concurrent("case18 with --drop-unsupported: one warning per field, a scenario written, the power flow of the case without them", async () => {
    const dir = workDir('case18-drop');
    const { run, scenario, powerflow } = await importAndSolve(caseFile('case18'), dir, ['--drop-unsupported']);
    // One warning per field, and a note: the 138 kV and the lines' Ω are the case's own, silenced in the scenario.
    const said = unwrap(run.stderr).trim().split('\n');
    const warnings = said.filter((line) => line.startsWith('warning: '));
    expect(warnings).toHaveLength(2);
    expect(said.filter((line) => !line.startsWith('warning: '))).toEqual([expect.stringMatching(/^note: .*case18\.m: wrote "ignoreWarnings": \["base-voltage", "large-impedance"\]: its 138 kV and lines of more than 100 Ω are the case's own values, not unit slips$/)]);
    expect(warnings[0]).toMatch(/^warning: .*case18\.m: mpc\.bus: bus shunt susceptance \(BS\) at buses 2, 3, 4, 5, 7, 20, 21, 24, 25, 50: dropped \(--drop-unsupported\)/);
    expect(warnings[1]).toMatch(/^warning: .*case18\.m: mpc\.branch: line charging \(BR_B\) on branches 1–2, 2–3, .*25–26 \(rows 1, 2, .*, 15\): dropped/);
    expect(scenario.network).toMatchObject({ slack: '51', slackVoltagePu: 1.05, baseKv: 138 });
    expect(scenario.description).toMatch(/Dropped with --drop-unsupported \(so the power flow differs from MATPOWER's\): bus shunt susceptance \(BS\) at buses 2, .*; line charging \(BR_B\)/);
    // What was dropped, and nothing else: the Newton reference of the case with BS and BR_B set to 0.
    const mpc = readCase('case18');
    const bus = field(mpc, 'bus');
    const branch = field(mpc, 'branch');
    for (let r = 0; r < bus.rows; r++) bus.data[r * bus.cols + 5] = 0;
    for (let e = 0; e < branch.rows; e++) branch.data[e * branch.cols + 4] = 0;
    const newton = newtonPowerFlow(mpc);
    expect(worstVoltageDifference(powerflow, newton)).toBeLessThanOrEqual(1e-6);
    expect(Math.abs(powerflow.steps[0]!.lossKw - newton.lossKw)).toBeLessThanOrEqual(1e-3);
    // … which is not MATPOWER's power flow of the case as written.
    expect(Math.abs(newtonPowerFlow(readCase('case18')).lossKw - newton.lossKw)).toBeGreaterThan(1);
  }, SLOW);

  it.concurrent('case18 (138 kV): --quiet prints no warning and no note, errors still; the scenario silences what the case raises, so later commands do not warn', async () => {
    const dir = workDir('case18-quiet');
    const out = join(dir, 'case18.json');
    const quiet = await p2pmarket(['import', 'matpower', caseFile('case18'), '--drop-unsupported', '--out', out, '-q'], dir);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stdout).toBe('');
    expect(quiet.stderr).toBe('');
    const scenario = JSON.parse(readFileSync(out, 'utf8')) as ScenarioInput;
    expect(Object.keys(scenario).slice(0, 3)).toEqual(['name', 'description', 'ignoreWarnings']);
    expect(scenario.ignoreWarnings).toEqual(['base-voltage', 'large-impedance']);
    for (const args of [['validate', out], ['powerflow', out, '--out', join(dir, 'pf')]]) {
      const later = await p2pmarket(args, dir);
      expect(later.code, later.stderr).toBe(0);
      expect(later.stderr).toBe('');
    }
    // Without it, the same scenario would warn of both, as the case's own values.
    const { ignoreWarnings: _, ...unsilenced } = scenario;
    expect(scenarioWarnings(parseScenario(unsilenced, 'case18.json')).map((w) => w.id)).toEqual(['base-voltage', 'large-impedance']);
    const refusedQuietly = await p2pmarket(['import', 'matpower', caseFile('case18'), '--out', join(dir, 'refused.json'), '--quiet'], dir);
    expect(refusedQuietly.code).toBe(2);
    expect(unwrap(refusedQuietly.stderr)).toMatch(/^error: .*case18\.m: mpc\.bus: bus shunt susceptance/);
  }, SLOW);
});

describe('the conversion, in process', () => {
  /** Imports `text`, solves the scenario's power flow, and compares every bus with the Newton reference. */
  function againstNewton(text: string) {
    const mpc = readMatpowerCase(text, 'edited.m');
    const { scenario, warnings } = matpowerScenario(mpc, 'edited.m');
    const report = scenarioPowerFlow(parseScenario(scenario, 'edited.json'));
    const newton = newtonPowerFlow(mpc);
    expect(newton.converged).toBe(true);
    expect(worstVoltageDifference(report, newton)).toBeLessThanOrEqual(1e-6);
    expect(Math.abs(report.steps[0]!.lossKw - newton.lossKw)).toBeLessThanOrEqual(1e-3);
    return { scenario, warnings, report };
  }

  it('a generator at a PQ bus is a fixed injection of its PG and QG, as in MATPOWER', () => {
    const text = caseText('case10ba').replace(/(mpc\.gen = \[\n[^\n]*\n)/, '$1\t5\t1.2\t0.3\t1\t-1\t1\t100\t1\t2\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0;\n');
    const { scenario, warnings, report } = againstNewton(text);
    expect(warnings).toEqual([]);
    expect(scenario.network.loads).toContainEqual({ bus: '5', injectionKw: 1200, injectionKvar: 300 });
    expect(scenario.network.loads).toContainEqual({ bus: '5', injectionKw: -1598, injectionKvar: -1840 });
    expect(scenario.description).toMatch(/Generators at PQ buses, fixed injections of their PG and QG as in MATPOWER: bus 5 \(gen row 2\)/);
    expect(report.steps[0]!.lossKw).toBeLessThan(783.778); // the local generation relieves the feeder
  });

  it('an isolated bus (type 4) is left out with its branch and load, as MATPOWER leaves it out', () => {
    const { scenario } = againstNewton(editRow(caseText('case33bw'), 'bus', [33], 2, '4'));
    expect(scenario.network.buses).toHaveLength(32);
    expect(scenario.network.buses).not.toContain('33');
    expect(scenario.network.lines.some((l) => l.to === '33' || l.from === '33')).toBe(false);
    expect(scenario.network.loads!.some((l) => l.bus === '33')).toBe(false);
    expect(scenario.description).toMatch(/Isolated buses \(BUS_TYPE 4\) left out with their branches, generators and loads.*: 33\./);
    expect(scenario.description).toMatch(/Branches to isolated buses dropped: 32–33\./);
  });
});

// ---------------------------------------------------------------------------------------
// Refused cases

/** Sets column `col` (1-based) of the first row of matrix `name` whose leading values are `lead`. */
function editRow(text: string, name: string, lead: number[], col: number, value: string): string {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trimStart().startsWith(`mpc.${name} = [`));
  const k = lines.findIndex((l, i) => i > start && l.trim().split(/\s+/).slice(0, lead.length).join(' ') === lead.join(' '));
  expect(k, `mpc.${name} row ${lead.join(' ')}`).toBeGreaterThan(start);
  const values = lines[k]!.trim().replace(/;$/, '').split(/\s+/);
  values[col - 1] = value;
  lines[k] = `\t${values.join('\t')};`;
  return lines.join('\n');
}

/** The line number (from 1) of the first line holding `needle`. */
function lineOf(text: string, needle: string): number {
  const k = text.split('\n').findIndex((l) => l.includes(needle));
  expect(k, needle).toBeGreaterThanOrEqual(0);
  return k + 1;
}

/** Writes `text` as `<dir>/<name>.m`, runs `import matpower` on it with --out, and checks it refused (exit 2, nothing written, no stack trace). */
async function refused(label: string, text: string, args: string[] = []): Promise<Run> {
  const dir = workDir(label);
  const file = join(dir, `${label}.m`);
  writeFileSync(file, text);
  const out = join(dir, 'out.json');
  const run = await p2pmarket(['import', 'matpower', file, '--out', out, ...args], dir);
  expect(run.code, run.stderr).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr).not.toMatch(STACK_TRACE);
  expect(existsSync(out)).toBe(false);
  expect(unwrap(run.stderr)).toMatch(new RegExp(`^error: .*${label}\\.m: `));
  return run;
}

describe('import matpower refuses', () => {
  it.concurrent('a meshed in-service network, naming the loop', async () => {
    const run = await refused('meshed', editRow(caseText('case33bw'), 'branch', [21, 8], 11, '1'));
    expect(unwrap(run.stderr)).toMatch(/meshed\.m: mpc\.branch: the in-service branches form a loop: buses 8 → 21 → 20 → 19 → 2 → 3 → 4 → 5 → 6 → 7 → 8 \(rows 33, 20, 19, 18, 2, 3, 4, 5, 6, 7\); a p2pmarket feeder is radial/);
  }, SLOW);

  it.concurrent('two in-service sources, naming the generator and its bus', async () => {
    let text = editRow(caseText('case33bw'), 'bus', [18], 2, '2');
    text = text.replace(/(mpc\.gen = \[\n[^\n]*\n)/, '$1\t18\t0.5\t0\t1\t-1\t1\t100\t1\t1\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0;\n');
    const run = await refused('two-sources', text);
    expect(unwrap(run.stderr)).toMatch(/two-sources\.m: mpc\.gen: more than one source: besides the reference bus 1 \(gen row 1\), gen row 2 holds the voltage of PV bus 18; a p2pmarket feeder has one source/);
    const twoReferences = await refused('two-references', editRow(caseText('case33bw'), 'bus', [25], 2, '3'));
    expect(unwrap(twoReferences.stderr)).toMatch(/two-references\.m: mpc\.bus: more than one source: buses 1, 25 are all reference buses \(BUS_TYPE 3\)/);
  }, SLOW);

  it.concurrent('an island, naming its buses', async () => {
    const run = await refused('island', editRow(caseText('case33bw'), 'branch', [16, 17], 11, '0'));
    expect(unwrap(run.stderr)).toMatch(/island\.m: mpc\.branch: buses 17, 18 are not connected to the slack bus 1 \(an island: no in-service branch reaches it\)/);
  }, SLOW);

  it.concurrent("case18's shunts and line charging, naming the fields and the rows", async () => {
    const run = await refused('case18', caseText('case18'));
    expect(unwrap(run.stderr)).toMatch(/case18\.m: mpc\.bus: bus shunt susceptance \(BS\) at buses 2, 3, 4, 5, 7, 20, 21, 24, 25, 50: p2pmarket's power flow and LinDistFlow have no shunt terms; --drop-unsupported drops it/);
    expect(unwrap(run.stderr)).toMatch(/case18\.m: mpc\.branch: line charging \(BR_B\) on branches 1–2, 2–3, .* \(rows 1, 2, .*\): p2pmarket's power flow and LinDistFlow have no shunt terms/);
  }, SLOW);

  it.concurrent('an off-nominal tap and a phase shift', async () => {
    const text = editRow(editRow(caseText('case33bw'), 'branch', [1, 2], 9, '0.95'), 'branch', [2, 3], 10, '5');
    const run = await refused('transformer', text);
    expect(unwrap(run.stderr)).toMatch(/mpc\.branch: off-nominal transformer ratios \(TAP\) on branch 1–2 \(row 1\): p2pmarket's lines have no transformer ratio/);
    expect(unwrap(run.stderr)).toMatch(/mpc\.branch: phase shifts \(SHIFT\) on branch 2–3 \(row 2\)/);
  }, SLOW);

  it.concurrent('a statement that is not a case\'s, running nothing', async () => {
    const text = caseText('case10ba').replace("mpc.version = '2';", "mpc.version = '2';\nsystem('touch pwned');");
    const run = await refused('malicious', text);
    expect(unwrap(run.stderr)).toMatch(new RegExp(`malicious\\.m: line ${lineOf(text, 'system(')}: not a MATPOWER case statement p2pmarket can evaluate: system\\('touch pwned'\\);`));
    expect(existsSync(join(ROOT, 'pwned'))).toBe(false);
    expect(unwrap(run.stderr).split('\n').filter((l) => l !== '')).toHaveLength(1);
  }, SLOW);

  it.concurrent('a ragged matrix, naming its line', async () => {
    const text = caseText('case10ba').replace('\t4\t1\t1790\t446\t0\t0\t1\t1\t0\t23\t1\t1.1\t0.9;', '\t4\t1\t1790\t446\t0\t0\t1\t1\t0\t23\t1\t1.1;');
    const run = await refused('ragged', text);
    const [bad, first] = [lineOf(text, '\t4\t1\t1790'), lineOf(text, '\t1\t3\t0')];
    expect(unwrap(run.stderr)).toMatch(new RegExp(`ragged\\.m: line ${bad}: mpc\\.bus: row 4 of the matrix has 12 values, the rows before it \\(from line ${first}\\) 13`));
  }, SLOW);

  it.concurrent('a missing mpc.bus', async () => {
    const text = caseText('case18').replace(/mpc\.bus = \[[^\]]*\];/, '');
    const run = await refused('no-bus', text);
    expect(unwrap(run.stderr)).toMatch(/no-bus\.m: mpc\.bus: is missing: a MATPOWER case needs mpc\.baseMVA, mpc\.bus, mpc\.gen and mpc\.branch/);
    const used = await refused('bus-used', caseText('case33bw').replace(/mpc\.bus = \[[^\]]*\];/, ''));
    expect(unwrap(used.stderr)).toMatch(/bus-used\.m: line \d+: .*mpc\.bus is used before it is given a value/);
  }, SLOW);

  it.concurrent('another format version', async () => {
    const run = await refused('version', caseText('case10ba').replace("mpc.version = '2';", "mpc.version = '1';"));
    expect(unwrap(run.stderr)).toMatch(/version\.m: mpc\.version: is '1': p2pmarket reads MATPOWER's case format version 2 only/);
  }, SLOW);

  it.concurrent('an existing --out file without --force, and the input as --out', async () => {
    const dir = workDir('exists');
    const out = join(dir, 'feeder.json');
    writeFileSync(out, 'keep me');
    const run = await p2pmarket(['import', 'matpower', caseFile('case10ba'), '--out', out], dir);
    expect(run.code).toBe(2);
    expect(unwrap(run.stderr)).toMatch(/feeder\.json: --out: already exists: p2pmarket does not overwrite it \(--force does\)/);
    expect(readFileSync(out, 'utf8')).toBe('keep me');
    const forced = await p2pmarket(['import', 'matpower', caseFile('case10ba'), '--out', out, '--force'], dir);
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).name).toBe('case10ba');
    const input = join(dir, 'case10ba.m');
    writeFileSync(input, caseText('case10ba'));
    const self = await p2pmarket(['import', 'matpower', input, '--out', input, '--force'], dir);
    expect(self.code).toBe(2);
    expect(unwrap(self.stderr)).toMatch(/case10ba\.m: --out: is the input file: p2pmarket never overwrites its input/);
    expect(readFileSync(input, 'utf8')).toBe(caseText('case10ba'));
  }, SLOW);
});

describe('import matpower output', () => {
  it.concurrent('prints the scenario on stdout without --out; names the JSON Schema under a scenarios/ folder', async () => {
    const dir = workDir('stdout');
    const printed = await p2pmarket(['import', 'matpower', caseFile('case10ba'), '--name', 'ten-bus'], dir);
    expect(printed.code, printed.stderr).toBe(0);
    const scenario = JSON.parse(printed.stdout) as ScenarioInput;
    expect(scenario.name).toBe('ten-bus');
    expect(scenario.network.loads![0]).toEqual({ bus: '2', injectionKw: -1840, injectionKvar: -460 });
    mkdirSync(join(dir, 'scenarios'));
    mkdirSync(join(dir, 'schema'));
    writeFileSync(join(dir, 'schema', 'scenario.schema.json'), '{}');
    const written = await p2pmarket(['import', 'matpower', caseFile('case10ba'), '--name', 'ten-bus', '--out', join(dir, 'scenarios', 'ten.json'), '--quiet'], dir);
    expect(written.code, written.stderr).toBe(0);
    expect(written.stdout).toBe('');
    expect(JSON.parse(readFileSync(join(dir, 'scenarios', 'ten.json'), 'utf8'))).toEqual({ $schema: '../schema/scenario.schema.json', ...scenario });
    const validated = await p2pmarket(['validate', join(dir, 'scenarios', 'ten.json'), '--quiet'], dir);
    expect(validated.code, validated.stderr).toBe(0);
  }, SLOW);
});
