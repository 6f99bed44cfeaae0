/**
 * A MATPOWER case (format version 2, read by matpower-case.ts) as a p2pmarket scenario: the
 * radial feeder, its loads as fixed loads, one step of one hour.
 *
 * What MATPOWER's power flow does with a case, and what the scenario holds for it:
 * - buses keep their numbers (as ids); isolated buses (BUS_TYPE 4) and the branches and
 *   generators at them are left out, as MATPOWER's power flow leaves them out;
 * - branches out of service (BR_STATUS 0: normally-open tie lines) are dropped; the rest must
 *   be one tree holding every bus, fed by the one reference bus (BUS_TYPE 3), whose first
 *   in-service generator's VG is the slack's voltage. Each line runs parent → child;
 * - r, x (p.u. on baseMVA and the bus's BASE_KV) become Ω at the slack's BASE_KV:
 *   r_Ω = r_pu · BASE_KV² / baseMVA. The per-unit power flow is the same at every voltage
 *   level (a branch between levels is a nominal-ratio transformer), so buses on another level
 *   keep their per-unit voltages; the description says so;
 * - Pd, Qd (MW, MVAr after the file's own conversions) become fixed loads, injection positive:
 *   injectionKw = −Pd·1000; an in-service generator at a PQ bus is a fixed injection
 *   (+Pg·1000, as in MATPOWER, which holds its Pg and Qg); a generator holding the voltage of
 *   a PV bus (BUS_TYPE 2) would be a second source and is refused;
 * - RATE_A (MVA; 0 = no limit) becomes the line's active-power limit maxKw = RATE_A·1000;
 * - vMinPu, vMaxPu: the tightest VMIN, VMAX of the buses other than the slack.
 * What the feeder model cannot carry — line charging (BR_B), bus shunts (GS, BS),
 * off-nominal taps (TAP ∉ {0, 1}), phase shifts (SHIFT), DC lines, fields it does not know —
 * is refused with the field and its rows, or dropped with one warning per field
 * (`dropUnsupported`). Nothing that changes the power flow is ever left out silently.
 */
import { basename } from 'node:path';
import { InputError, type InputProblem } from '../errors.ts';
import type { ScenarioInput } from '../scenario/schema.ts';
import type { Scenario } from '../scenario/validate.ts';
import { largestPlausibleKw, scenarioWarnings, type ScenarioWarning, type WarningId } from '../scenario/warnings.ts';
import type { FieldValue, MatpowerCaseFile, NumericMatrix } from './matpower-case.ts';

export interface MatpowerImportOptions {
  /** Drop what the feeder model cannot carry (one warning per field) instead of refusing it. */
  dropUnsupported?: boolean;
  /** Give branches with r = 0 or x = 0 this resistance or reactance instead of refusing them, Ω. */
  zeroImpedanceOhm?: number;
  /** The scenario's name (default: the case's function name). */
  name?: string;
}

export interface MatpowerImport {
  scenario: ScenarioInput;
  /** One line per field dropped or changed (for stderr); they are in the description too. */
  warnings: string[];
  /** Normally-open branches dropped, as "from–to". */
  openBranches: string[];
}

/** Zero-based columns of MATPOWER's bus, gen and branch matrices (idx_bus, idx_gen, idx_brch). */
const BUS = { I: 0, TYPE: 1, PD: 2, QD: 3, GS: 4, BS: 5, VA: 8, BASE_KV: 9, VMAX: 11, VMIN: 12 } as const;
const GEN = { BUS: 0, PG: 1, QG: 2, VG: 5, STATUS: 7 } as const;
const BRANCH = { F: 0, T: 1, R: 2, X: 3, B: 4, RATE_A: 5, RATE_B: 6, RATE_C: 7, TAP: 8, SHIFT: 9, STATUS: 10, ANGMIN: 11, ANGMAX: 12 } as const;
const BUS_TYPE = { PQ: 1, PV: 2, REF: 3, ISOLATED: 4 } as const;

/** Fields whose content does not enter the power flow (costs, names, OPF data): noted, not imported. */
const NOT_PHYSICS = new Map<string, string>(Object.entries({
  version: '', baseMVA: '', bus: '', gen: '', branch: '',
  gencost: 'generator costs (mpc.gencost)', dclinecost: 'DC-line costs (mpc.dclinecost)', areas: 'areas (mpc.areas)',
  bus_name: 'bus names (mpc.bus_name)', gentype: 'generator types (mpc.gentype)', genfuel: 'generator fuels (mpc.genfuel)',
  A: 'OPF constraints (mpc.A, l, u)', l: '', u: '', N: 'OPF costs (mpc.N, fparm, H, Cw)', fparm: '', H: '', Cw: '',
  z0: 'OPF variables (mpc.z0, zl, zu)', zl: '', zu: '', userfcn: '',
}));

export function matpowerScenario(mpc: MatpowerCaseFile, file: string, options: MatpowerImportOptions = {}): MatpowerImport {
  const fail = (path: string, message: string): never => {
    throw new InputError(file, [{ path, message }]);
  };
  const refuse = (problems: InputProblem[]) => {
    if (problems.length > 0) throw new InputError(file, problems);
  };

  // The struct's fields.
  const version = mpc.fields.get('version');
  if (!version) fail('mpc.version', "is missing: p2pmarket reads MATPOWER's case format version 2 (mpc.version = '2')");
  if (version!.kind !== 'text' || version!.text !== '2') fail('mpc.version', `is ${describeValue(version!)}: p2pmarket reads MATPOWER's case format version 2 only`);
  const baseMva = numberField(mpc.fields.get('baseMVA'), 'mpc.baseMVA', fail);
  if (!(baseMva > 0 && Number.isFinite(baseMva))) fail('mpc.baseMVA', `must be a positive number of MVA (found ${baseMva})`);
  const bus = matrixField(mpc, 'bus', 13, 'BUS_I … VMIN', fail);
  const gen = matrixField(mpc, 'gen', 8, 'GEN_BUS … GEN_STATUS', fail);
  const branch = matrixField(mpc, 'branch', 11, 'F_BUS … BR_STATUS', fail);
  if (bus.rows === 0) fail('mpc.bus', 'has no rows: a feeder needs buses');
  refuse([
    ...nonFinite(bus, 'bus', [BUS.I, BUS.TYPE, BUS.PD, BUS.QD, BUS.GS, BUS.BS, BUS.VA, BUS.BASE_KV, BUS.VMAX, BUS.VMIN], ['BUS_I', 'BUS_TYPE', 'PD', 'QD', 'GS', 'BS', 'VA', 'BASE_KV', 'VMAX', 'VMIN']),
    ...nonFinite(gen, 'gen', [GEN.BUS, GEN.PG, GEN.QG, GEN.VG, GEN.STATUS], ['GEN_BUS', 'PG', 'QG', 'VG', 'GEN_STATUS']),
    ...nonFinite(branch, 'branch', [BRANCH.F, BRANCH.T, BRANCH.R, BRANCH.X, BRANCH.B, BRANCH.RATE_A, BRANCH.TAP, BRANCH.SHIFT, BRANCH.STATUS], ['F_BUS', 'T_BUS', 'BR_R', 'BR_X', 'BR_B', 'RATE_A', 'TAP', 'SHIFT', 'BR_STATUS']),
  ]);
  const at = (m: NumericMatrix, row: number, col: number) => m.data[row * m.cols + col]!;

  // Buses.
  const rowOfBus = new Map<number, number>();
  const busNumbers: number[] = [];
  for (let r = 0; r < bus.rows; r++) {
    const n = at(bus, r, BUS.I);
    if (!Number.isInteger(n) || n < 1) fail('mpc.bus', `row ${r + 1}: bus number ${n} is not a positive whole number`);
    if (rowOfBus.has(n)) fail('mpc.bus', `rows ${rowOfBus.get(n)! + 1} and ${r + 1} are both bus ${n}`);
    const type = at(bus, r, BUS.TYPE);
    if (![1, 2, 3, 4].includes(type)) fail('mpc.bus', `bus ${n}: BUS_TYPE ${type} is none of 1 (PQ), 2 (PV), 3 (reference), 4 (isolated)`);
    rowOfBus.set(n, r);
    busNumbers.push(n);
  }
  const typeOf = (r: number) => at(bus, r, BUS.TYPE);
  const isolated = (r: number) => typeOf(r) === BUS_TYPE.ISOLATED;
  const busName = (r: number) => String(busNumbers[r]);
  const busRow = (n: number, where: string): number => {
    const r = rowOfBus.get(n);
    return r ?? fail(where, `bus ${n} is not in mpc.bus`);
  };
  const notes: string[] = [];
  const warnings: string[] = [];
  const dropped: string[] = [];
  const isolatedBuses = busNumbers.filter((_, r) => isolated(r));
  if (isolatedBuses.length > 0) {
    notes.push(`Isolated buses (BUS_TYPE 4) left out with their branches, generators and loads, as MATPOWER's power flow leaves them out: ${list(isolatedBuses.map(String))}.`);
  }

  // The source: one reference bus, fed by its in-service generators; any other generator is a fixed injection at a PQ bus, or refused.
  const references = busNumbers.map((_, r) => r).filter((r) => typeOf(r) === BUS_TYPE.REF);
  if (references.length === 0) fail('mpc.bus', 'no bus is the reference bus (BUS_TYPE 3): a feeder is fed by one source, its slack');
  if (references.length > 1) {
    fail('mpc.bus', `more than one source: buses ${list(references.map(busName))} are all reference buses (BUS_TYPE 3); a p2pmarket feeder has one source, its slack bus`);
  }
  const slackRow = references[0]!;
  const genRows = Array.from({ length: gen.rows }, (_, g) => g);
  const genBusRow = genRows.map((g) => busRow(at(gen, g, GEN.BUS), 'mpc.gen'));
  const inService = genRows.filter((g) => at(gen, g, GEN.STATUS) > 0 && !isolated(genBusRow[g]!));
  const slackGens = inService.filter((g) => genBusRow[g] === slackRow);
  if (slackGens.length === 0) fail('mpc.gen', `the reference bus ${busName(slackRow)} has no in-service generator (GEN_STATUS > 0): nothing sets its voltage`);
  const slackVoltagePu = at(gen, slackGens[0]!, GEN.VG);
  if (slackGens.some((g) => at(gen, g, GEN.VG) !== slackVoltagePu)) {
    fail('mpc.gen', `the generators at the reference bus ${busName(slackRow)} (rows ${list(slackGens.map((g) => String(g + 1)))}) hold different voltages VG: give them one`);
  }
  if (!(slackVoltagePu > 0)) fail('mpc.gen', `row ${slackGens[0]! + 1}: the slack's voltage VG ${slackVoltagePu} must be positive`);
  const pvSources = inService.filter((g) => genBusRow[g] !== slackRow && typeOf(genBusRow[g]!) === BUS_TYPE.PV);
  if (pvSources.length > 0) {
    fail(
      'mpc.gen',
      `more than one source: besides the reference bus ${busName(slackRow)} (gen row ${slackGens[0]! + 1}), ` +
        `${pvSources.map((g) => `gen row ${g + 1} holds the voltage of PV bus ${busName(genBusRow[g]!)}`).join(', ')}; ` +
        'a p2pmarket feeder has one source, its slack bus: take the generator out of service (GEN_STATUS 0), or make its bus a PQ bus (BUS_TYPE 1) to have it inject its PG and QG as fixed values',
    );
  }
  const fixedGens = inService.filter((g) => genBusRow[g] !== slackRow);
  if (fixedGens.length > 0) {
    notes.push(`Generators at PQ buses, fixed injections of their PG and QG as in MATPOWER: ${fixedGens.map((g) => `bus ${busName(genBusRow[g]!)} (gen row ${g + 1})`).join(', ')}.`);
  }
  const pvWithoutGen = busNumbers.map((_, r) => r).filter((r) => typeOf(r) === BUS_TYPE.PV);
  if (pvWithoutGen.length > 0) notes.push(`PV buses (BUS_TYPE 2) without an in-service generator are PQ buses, as in MATPOWER: ${list(pvWithoutGen.map(busName))}.`);
  const slackAngle = at(bus, slackRow, BUS.VA);
  if (slackAngle !== 0) notes.push(`The slack's voltage angle VA (${fmt(slackAngle)}°) is not kept: angles are relative to the slack.`);

  // Branches: the open ones dropped, the rest in service.
  const branchRows = Array.from({ length: branch.rows }, (_, e) => e);
  const ends = branchRows.map((e) => [busRow(at(branch, e, BRANCH.F), 'mpc.branch'), busRow(at(branch, e, BRANCH.T), 'mpc.branch')] as const);
  const branchName = (e: number) => `${busName(ends[e]![0])}–${busName(ends[e]![1])}`;
  for (const e of branchRows) {
    if (ends[e]![0] === ends[e]![1]) fail('mpc.branch', `row ${e + 1} connects bus ${busName(ends[e]![0])} to itself`);
  }
  const open = branchRows.filter((e) => at(branch, e, BRANCH.STATUS) === 0);
  const toIsolated = branchRows.filter((e) => at(branch, e, BRANCH.STATUS) !== 0 && (isolated(ends[e]![0]) || isolated(ends[e]![1])));
  const closed = branchRows.filter((e) => at(branch, e, BRANCH.STATUS) !== 0 && !toIsolated.includes(e));
  if (open.length > 0) notes.push(`Normally-open tie lines (BR_STATUS 0) dropped: ${list(open.map(branchName), 60)}.`);
  if (toIsolated.length > 0) notes.push(`Branches to isolated buses dropped: ${list(toIsolated.map(branchName))}.`);
  const activeBuses = busNumbers.map((_, r) => r).filter((r) => !isolated(r));

  // What the feeder model cannot carry.
  const unsupported: { path: string; what: string; why: string }[] = [];
  const nonZero = (m: NumericMatrix, rows: number[], col: number, keep: (v: number) => boolean = (v) => v === 0) => (m.cols > col ? rows.filter((r) => !keep(at(m, r, col))) : []);
  const noShunt = "p2pmarket's power flow and LinDistFlow have no shunt terms";
  for (const [col, label] of [[BUS.GS, 'bus shunt conductance (GS)'], [BUS.BS, 'bus shunt susceptance (BS)']] as const) {
    const rows = nonZero(bus, activeBuses, col);
    if (rows.length > 0) unsupported.push({ path: 'mpc.bus', what: `${label} at bus${rows.length > 1 ? 'es' : ''} ${list(rows.map(busName))}`, why: noShunt });
  }
  const rowsNamed = (rows: number[]) => `branch${rows.length > 1 ? 'es' : ''} ${list(rows.map(branchName))} (row${rows.length > 1 ? 's' : ''} ${list(rows.map((e) => String(e + 1)))})`;
  const charging = nonZero(branch, closed, BRANCH.B);
  if (charging.length > 0) unsupported.push({ path: 'mpc.branch', what: `line charging (BR_B) on ${rowsNamed(charging)}`, why: noShunt });
  const taps = nonZero(branch, closed, BRANCH.TAP, (v) => v === 0 || v === 1);
  if (taps.length > 0) unsupported.push({ path: 'mpc.branch', what: `off-nominal transformer ratios (TAP) on ${rowsNamed(taps)}`, why: "p2pmarket's lines have no transformer ratio" });
  const shifts = nonZero(branch, closed, BRANCH.SHIFT);
  if (shifts.length > 0) unsupported.push({ path: 'mpc.branch', what: `phase shifts (SHIFT) on ${rowsNamed(shifts)}`, why: "p2pmarket's lines have no phase shift" });
  for (const [name, value] of mpc.fields) {
    if (NOT_PHYSICS.has(name)) continue;
    const empty = value.kind === 'matrix' ? value.matrix.rows * value.matrix.cols === 0 : value.kind === 'cell' && value.items.length === 0;
    if (empty || value.kind === 'text') continue; // a text holds no physics
    const what = name === 'dcline' ? 'DC lines (mpc.dcline)' : `the field mpc.${name}`;
    const why = name === 'dcline' ? "p2pmarket's feeders have no DC lines" : 'p2pmarket does not know whether it changes the power flow';
    unsupported.push({ path: `mpc.${name}`, what, why });
  }
  if (unsupported.length > 0 && !options.dropUnsupported) {
    refuse(unsupported.map((u) => ({ path: u.path, message: `${u.what}: ${u.why}; --drop-unsupported drops it, with a warning (the power flow then differs from MATPOWER's)` })));
  }
  // Dropping is leaving them out: nothing below reads these columns or fields.
  for (const u of unsupported) {
    warnings.push(`${u.path}: ${u.what}: dropped (--drop-unsupported); the power flow now differs from MATPOWER's`);
    dropped.push(u.what);
  }
  if (dropped.length > 0) notes.push(`Dropped with --drop-unsupported (so the power flow differs from MATPOWER's): ${dropped.join('; ')}.`);
  const ignored = [...new Set([...mpc.fields].map(([k, v]) => (NOT_PHYSICS.has(k) ? NOT_PHYSICS.get(k) : v.kind === 'text' ? `the text mpc.${k}` : '')).filter((v): v is string => !!v))];
  if (ignored.length > 0) notes.push(`Not imported, as they do not enter the power flow: ${ignored.join(', ')}.`);

  // The tree, oriented from the slack.
  const tree = orientTree(busNumbers.length, slackRow, activeBuses, closed, ends);
  const topology: InputProblem[] = [];
  if (tree.loop) {
    const { buses, branches } = tree.loop;
    topology.push({
      path: 'mpc.branch',
      message:
        `the in-service branches form a loop: buses ${buses.map(busName).join(' → ')} (rows ${branches.map((e) => e + 1).join(', ')}); ` +
        'a p2pmarket feeder is radial: open one of these branches (BR_STATUS 0)',
    });
  }
  for (const island of tree.islands) {
    topology.push({
      path: 'mpc.branch',
      message:
        `bus${island.length > 1 ? 'es' : ''} ${list(island.map(busName))} ${island.length > 1 ? 'are' : 'is'} not connected to the slack bus ${busName(slackRow)} ` +
        '(an island: no in-service branch reaches it); a p2pmarket feeder is one tree: connect it, or mark its buses isolated (BUS_TYPE 4)',
    });
  }
  refuse(topology);

  // Impedances in Ω at the slack's base voltage.
  const baseKv = at(bus, slackRow, BUS.BASE_KV);
  if (!(baseKv > 0)) fail('mpc.bus', `the slack bus ${busName(slackRow)} has BASE_KV ${baseKv}: p2pmarket needs its base voltage to express impedances in Ω`);
  const zBaseOhm = (baseKv * baseKv) / baseMva;
  const otherLevels = new Map<number, number[]>();
  for (const r of activeBuses) {
    const kv = at(bus, r, BUS.BASE_KV);
    if (kv !== baseKv) otherLevels.set(kv, [...(otherLevels.get(kv) ?? []), r]);
  }
  if (otherLevels.size > 0) {
    const levels = [...otherLevels].map(([kv, rows]) => `${rows.length === 1 ? `bus ${busName(rows[0]!)}` : `${rows.length} buses (${rows.slice(0, 5).map(busName).join(', ')}${rows.length > 5 ? ', …' : ''})`} at ${fmt(kv)} kV`);
    notes.push(
      `Buses on another voltage level than the slack's ${fmt(baseKv)} kV: ${levels.join(', ')}. Their branches' per-unit impedances are given in Ω at ${fmt(baseKv)} kV ` +
        '(referred to the slack\'s level): the per-unit power flow is the same, their transformers having nominal ratio.',
    );
  }
  const impedance = (e: number, col: number, label: string): number => {
    const ohm = at(branch, e, col) * zBaseOhm;
    if (ohm > 0) return clean(ohm);
    if (ohm < 0 || options.zeroImpedanceOhm === undefined) {
      fail('mpc.branch', `branch ${branchName(e)} (row ${e + 1}) has ${label} = ${fmt(ohm)} Ω: p2pmarket's lines need r > 0 and x > 0${ohm === 0 ? '; --zero-impedance-ohm <Ω> gives such branches that much instead, with a warning' : ''}`);
    }
    const message = `branch ${branchName(e)} (row ${e + 1}) has ${label} = 0: given ${options.zeroImpedanceOhm} Ω instead (--zero-impedance-ohm)`;
    warnings.push(`mpc.branch: ${message}`);
    notes.push(`The ${message}.`);
    return options.zeroImpedanceOhm!;
  };
  const rated = closed.filter((e) => at(branch, e, BRANCH.RATE_A) !== 0);
  for (const e of rated) if (at(branch, e, BRANCH.RATE_A) < 0) fail('mpc.branch', `branch ${branchName(e)} (row ${e + 1}) has a negative RATE_A ${at(branch, e, BRANCH.RATE_A)}`);
  const lines = closed.map((e) => {
    const [from, to] = tree.parentFirst(e);
    const rateMva = at(branch, e, BRANCH.RATE_A);
    return {
      from: busName(from),
      to: busName(to),
      rOhm: impedance(e, BRANCH.R, 'r'),
      xOhm: impedance(e, BRANCH.X, 'x'),
      ...(rateMva > 0 ? { maxKw: clean(rateMva * 1000) } : {}),
    };
  });
  const reversed = closed.filter((e) => tree.parentFirst(e)[0] !== ends[e]![0]);
  if (reversed.length > 0) notes.push(`Lines run from the slack outwards; ${reversed.length} branch${reversed.length > 1 ? 'es' : ''} listed the other way round (${list(reversed.map(branchName), 8)}) turned.`);
  if (rated.length > 0) {
    notes.push(`RATE_A (an MVA rating, long term) of ${rated.length} line${rated.length > 1 ? 's' : ''} became the active-power limit maxKw = RATE_A·1000 (|P| ≤ maxKw; the reactive power does not count against it).`);
  }
  const otherRatings = closed.filter((e) => (branch.cols > BRANCH.RATE_B && at(branch, e, BRANCH.RATE_B) !== 0) || (branch.cols > BRANCH.RATE_C && at(branch, e, BRANCH.RATE_C) !== 0));
  if (otherRatings.length > 0) notes.push(`RATE_B and RATE_C (short-term and emergency ratings) of ${otherRatings.length} lines are not imported.`);
  const angleLimited = closed.filter((e) => {
    if (branch.cols <= BRANCH.ANGMAX) return false;
    const [lo, hi] = [at(branch, e, BRANCH.ANGMIN), at(branch, e, BRANCH.ANGMAX)];
    return !(lo === 0 && hi === 0) && (lo > -360 || hi < 360);
  });
  if (angleLimited.length > 0) notes.push(`Angle-difference limits (ANGMIN, ANGMAX: OPF constraints) of ${angleLimited.length} lines are not imported.`);
  if (branch.cols > 13) notes.push(`mpc.branch has ${branch.cols - 13} column${branch.cols > 14 ? 's' : ''} beyond the case format's 13 (where MATPOWER keeps a power flow's results), not imported.`);

  // Loads: consumption negative.
  const loads: { bus: string; injectionKw: number; injectionKvar: number }[] = [];
  for (const r of activeBuses) {
    const [pMw, qMvar] = [at(bus, r, BUS.PD), at(bus, r, BUS.QD)];
    if (pMw !== 0 || qMvar !== 0) loads.push({ bus: busName(r), injectionKw: clean(-pMw * 1000), injectionKvar: clean(-qMvar * 1000) });
  }
  for (const g of fixedGens) loads.push({ bus: busName(genBusRow[g]!), injectionKw: clean(at(gen, g, GEN.PG) * 1000), injectionKvar: clean(at(gen, g, GEN.QG) * 1000) });
  const generating = activeBuses.filter((r) => at(bus, r, BUS.PD) < 0);
  if (generating.length > 0) notes.push(`${generating.length} bus${generating.length > 1 ? 'es have' : ' has'} a negative Pd (net generation): a positive injection.`);

  // Voltage limits: the tightest that hold at every bus but the slack.
  const limited = activeBuses.filter((r) => r !== slackRow);
  const limitRows = limited.length > 0 ? limited : [slackRow];
  const vMinPu = Math.max(...limitRows.map((r) => at(bus, r, BUS.VMIN)));
  const vMaxPu = Math.min(...limitRows.map((r) => at(bus, r, BUS.VMAX)));
  if (!(vMinPu > 0 && vMinPu < vMaxPu)) {
    fail('mpc.bus', `VMIN, VMAX: no voltage range holds at every bus but the slack (the tightest is ${fmt(vMinPu)}–${fmt(vMaxPu)} p.u.); p2pmarket's feeder has one pair of limits`);
  }
  const spread = new Set(limitRows.map((r) => `${at(bus, r, BUS.VMIN)} ${at(bus, r, BUS.VMAX)}`));
  const limitsNote =
    spread.size === 1
      ? `voltage limits ${fmt(vMinPu)}–${fmt(vMaxPu)} p.u. (VMIN, VMAX of every bus but the slack)`
      : `voltage limits ${fmt(vMinPu)}–${fmt(vMaxPu)} p.u., the tightest that hold at every bus but the slack (the buses' own VMIN, VMAX differ: ${[...spread].slice(0, 6).map((s) => s.replace(' ', '–')).join(', ')}${spread.size > 6 ? ', …' : ''})`;

  const totalKw = loads.reduce((s, l) => s - l.injectionKw, 0);
  const totalKvar = loads.reduce((s, l) => s - l.injectionKvar, 0);
  const header = citation(mpc.header);
  const matrixNotes = ['bus', 'gen', 'branch'].filter((f) => mpc.fieldComments.has(f)).map((f) => `mpc.${f}: "${mpc.fieldComments.get(f)}"`);
  const description = [
    `MATPOWER case ${mpc.functionName} (${basename(file)}, case format version 2), imported by p2pmarket import matpower.`,
    header ? `From the file: ${header}` : '',
    matrixNotes.length > 0 ? `Its notes on the data: ${matrixNotes.join('; ')}.` : '',
    `Imported: the file's own statements evaluated (its unit conversions included); ${activeBuses.length} buses with their MATPOWER numbers; ` +
      `${lines.length} lines, r and x in Ω at the slack's base voltage ${fmt(baseKv)} kV on ${fmt(baseMva)} MVA (Z_base ${fmt(zBaseOhm)} Ω); ` +
      `${loads.length} fixed loads from Pd and Qd, consumption negative (${fmt(totalKw)} kW and ${fmt(totalKvar)} kvar in all); ` +
      `slack bus ${busName(slackRow)} held at ${fmt(slackVoltagePu)} p.u. (its generator's VG); ${limitsNote}; one step of one hour.`,
    ...notes,
  ]
    .filter((s) => s !== '')
    .join(' ');

  const scenario: ScenarioInput = {
    name: options.name ?? mpc.functionName,
    description,
    steps: 1,
    stepHours: 1,
    network: {
      baseKv: clean(baseKv),
      baseKva: clean(baseMva * 1000),
      vMinPu,
      vMaxPu,
      slackVoltagePu,
      slack: busName(slackRow),
      buses: activeBuses.map(busName),
      lines,
      loads,
    },
    utility: { bus: busName(slackRow) },
    prosumers: [],
  };
  return { scenario, warnings, openBranches: open.map(branchName) };
}

interface Tree {
  /** One loop of the in-service branches, as its bus sequence (closed) and branch rows. */
  loop: { buses: number[]; branches: number[] } | undefined;
  /** Groups of buses the slack does not reach. */
  islands: number[][];
  /** A tree branch's ends, parent first. */
  parentFirst(e: number): [number, number];
}

/** Breadth-first from the slack over the in-service branches: the parent of every bus, a loop, the islands. */
function orientTree(busCount: number, slack: number, activeBuses: number[], branches: number[], ends: (readonly [number, number])[]): Tree {
  const adjacent: { bus: number; branch: number }[][] = Array.from({ length: busCount }, () => []);
  for (const e of branches) {
    const [f, t] = ends[e]!;
    adjacent[f]!.push({ bus: t, branch: e });
    adjacent[t]!.push({ bus: f, branch: e });
  }
  const parentBranch = new Array<number>(busCount).fill(-2); // -2: not reached; -1: a root
  const parent = new Array<number>(busCount).fill(-1);
  let loop: Tree['loop'];
  const search = (root: number): number[] => {
    const component = [root];
    parentBranch[root] = -1;
    for (let k = 0; k < component.length; k++) {
      const u = component[k]!;
      for (const { bus: v, branch: e } of adjacent[u]!) {
        if (e === parentBranch[u]) continue;
        if (parentBranch[v] === -2) {
          parentBranch[v] = e;
          parent[v] = u;
          component.push(v);
        } else if (!loop && parentBranch[v] !== e) {
          loop = closeLoop(u, v, e, parent, parentBranch);
        }
      }
    }
    return component;
  };
  search(slack);
  const islands: number[][] = [];
  for (const r of activeBuses) if (parentBranch[r] === -2) islands.push(search(r).sort((a, b) => a - b));
  return {
    loop,
    islands,
    parentFirst: (e) => {
      const [f, t] = ends[e]!;
      return parentBranch[t] === e ? [f, t] : [t, f];
    },
  };
}

/** The loop a branch e between two reached buses u and v closes: up from both to their common ancestor. */
function closeLoop(u: number, v: number, e: number, parent: number[], parentBranch: number[]): { buses: number[]; branches: number[] } {
  const up = (b: number) => {
    const path = [b];
    while (parent[path[path.length - 1]!]! >= 0) path.push(parent[path[path.length - 1]!]!);
    return path;
  };
  const fromU = up(u);
  const fromV = up(v);
  const onU = new Set(fromU);
  const meet = fromV.find((b) => onU.has(b))!;
  const pathU = fromU.slice(0, fromU.indexOf(meet) + 1); // u … meet
  const pathV = fromV.slice(0, fromV.indexOf(meet)).reverse(); // (below meet) … v
  const buses = [...pathU, ...pathV, u];
  const branches = [...pathU.slice(0, -1).map((b) => parentBranch[b]!), ...pathV.map((b) => parentBranch[b]!), e];
  return { buses, branches };
}

/**
 * The file's header as one text: its title and every paragraph but the modification history
 * (the paper the data comes from, notes, a licence of its own).
 */
function citation(header: string[]): string {
  const paragraphs: string[][] = [[]];
  for (const line of header) {
    if (line === '') paragraphs.push([]);
    else paragraphs[paragraphs.length - 1]!.push(line);
  }
  return paragraphs
    .filter((p) => p.length > 0 && !/^Modifications\b/i.test(p[0]!))
    .map((p, k) => {
      const text = p.join(' ').replace(/\s+/g, ' ').trim();
      const body = k === 0 ? text.replace(/^CASE[A-Z0-9_]*\s+/, '') : text;
      return /[.!?]$/.test(body) ? body : `${body}.`;
    })
    .join(' ');
}

function numberField(value: FieldValue | undefined, path: string, fail: (path: string, message: string) => never): number {
  if (!value) return fail(path, 'is missing');
  if (value.kind !== 'matrix' || value.matrix.rows !== 1 || value.matrix.cols !== 1) return fail(path, `must be a number (found ${describeValue(value)})`);
  return value.matrix.data[0]!;
}

/** A matrix field, with at least `minCols` columns. */
function matrixField(mpc: MatpowerCaseFile, name: string, minCols: number, columns: string, fail: (path: string, message: string) => never): NumericMatrix {
  const value = mpc.fields.get(name);
  if (!value) return fail(`mpc.${name}`, 'is missing: a MATPOWER case needs mpc.baseMVA, mpc.bus, mpc.gen and mpc.branch');
  if (value.kind !== 'matrix') return fail(`mpc.${name}`, `must be a matrix (found ${describeValue(value)})`);
  const m = value.matrix;
  if (m.rows > 0 && m.cols < minCols) return fail(`mpc.${name}`, `has ${m.cols} columns; p2pmarket needs at least the first ${minCols} (${columns})`);
  return m;
}

function nonFinite(m: NumericMatrix, name: string, cols: number[], labels: string[]): InputProblem[] {
  const problems: InputProblem[] = [];
  for (let r = 0; r < m.rows && problems.length < 5; r++) {
    cols.forEach((c, k) => {
      const v = m.data[r * m.cols + c];
      if (c < m.cols && !Number.isFinite(v)) problems.push({ path: `mpc.${name}`, message: `row ${r + 1}: ${labels[k]} is ${v}, not a finite number` });
    });
  }
  return problems;
}

function describeValue(value: FieldValue): string {
  if (value.kind === 'text') return `'${value.text}'`;
  if (value.kind === 'cell') return 'a cell array';
  const m = value.matrix;
  return m.rows === 1 && m.cols === 1 ? String(m.data[0]) : `a ${m.rows}×${m.cols} matrix`;
}

/** A list for a message, cut after `max` items. */
function list(items: string[], max = 20): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')}, … (${items.length} in all)`;
}

/** A number for a message: 6 significant digits. */
function fmt(value: number): string {
  return String(Number.parseFloat(value.toPrecision(6)));
}

/** A converted value without the last bits of conversion noise (12 significant digits). */
function clean(value: number): number {
  const v = Number.parseFloat(value.toPrecision(12));
  return v === 0 ? 0 : v;
}

/**
 * The unit-slip warnings (scenario/warnings.ts) an imported case raises by its own values: the
 * import converted the file's units and signs itself, so they are no slip. A transmission-level
 * case raises `base-voltage` (138 kV), `large-impedance` (a long line's Ω at that voltage) and
 * `large-power` (loads above 100 MW); a negative Pd, which is generation in MATPOWER, raises
 * `positive-load`. (The voltage limits are copied from VMIN and VMAX as they are: odd ones still
 * warn.)
 */
const EXPECTED_WARNINGS: ReadonlyMap<WarningId, (scenario: Scenario) => string> = new Map([
  ['base-voltage', (s: Scenario) => `${s.network.baseKv} kV`],
  ['large-impedance', () => 'lines of more than 100 Ω'],
  ['large-power', (s: Scenario) => `loads above ${largestPlausibleKw(s.network.baseKv).toLocaleString('en-US')} kW`],
  ['positive-load', () => 'loads with a negative Pd (generation)'],
]);

/**
 * The imported scenario with the warnings its case raises by its own values silenced
 * (`"ignoreWarnings"`, after the description), so that later commands do not repeat them; and
 * a note saying so (undefined when nothing was silenced). `checked` is the scenario validated.
 */
export function silenceExpectedWarnings<T extends ScenarioInput>(scenario: T, checked: Scenario): { scenario: T; note: string | undefined } {
  const expected = scenarioWarnings(checked).filter((w: ScenarioWarning) => EXPECTED_WARNINGS.has(w.id));
  if (expected.length === 0) return { scenario, note: undefined };
  const ids = expected.map((w) => w.id);
  const withIgnored = {} as Record<string, unknown>;
  for (const [key, value] of Object.entries(scenario)) {
    if (key === 'ignoreWarnings') continue;
    withIgnored[key] = value;
    if (key === 'description') withIgnored.ignoreWarnings = [...new Set([...(scenario.ignoreWarnings ?? []), ...ids])];
  }
  const reasons = expected.map((w) => EXPECTED_WARNINGS.get(w.id)!(checked));
  const listed = reasons.length === 1 ? reasons[0]! : `${reasons.slice(0, -1).join(', ')} and ${reasons.at(-1)!}`;
  return {
    scenario: withIgnored as T,
    note: `wrote "ignoreWarnings": [${ids.map((id) => `"${id}"`).join(', ')}]: its ${listed} are the case's own values, not unit slips`,
  };
}
