/**
 * Reading a MATPOWER case file (format version 2) without running it. A case file is a
 * MATLAB function; p2pmarket evaluates the small part of the language such files are written
 * in, and refuses everything else with the line it stands on — it never executes anything.
 *
 * What is evaluated, statement by statement:
 * - `function mpc = name` (the first statement; the output may have another name than `mpc`);
 * - `mpc.field = value;` with a number expression, a matrix `[ … ]` (rows separated by `;` or
 *   line breaks, elements by commas or spaces, `%` comments, `...` continuations), a text
 *   `'…'` (`mpc.version = '2'`), or a cell array of texts and numbers `{ … }` (bus names);
 * - `name = value;` (variables such as `Vbase`, `pf`);
 * - `mpc.field(rows, cols) = value;` and `name(rows, cols) = value;` (the files' own unit
 *   conversions), indices being `:`, numbers, lists `[a b]`, ranges `a:b`, `a:s:b` and `end`;
 * - `[PQ, PV, …] = idx_bus;` (also `idx_brch`, `idx_gen`, `idx_cost`) and `define_constants;`,
 *   which give MATPOWER's named column numbers.
 * Expressions: numbers, `+ - * / ^ .* ./ .^`, parentheses, variables, `pi`, `Inf`, `NaN`,
 * `mpc.field(rows, cols)`, and the elementwise functions in FUNCTIONS. A statement of any
 * other form (a call such as `system(…)` or `eval(…)`, a loop, a condition, a transpose, a
 * comparison, a matrix product) is refused as "not a MATPOWER case statement p2pmarket can
 * evaluate", naming its line.
 *
 * Invariants: every number of the result was either written in the file as a plain decimal
 * (read with parseDecimal) or computed from such numbers by the operations above; matrices are
 * rectangular; an indexed assignment never grows a matrix.
 */
import { InputError } from '../errors.ts';
import { clip } from '../io/limits.ts';
import { CaseSyntaxError, Parser, tokenize, type Expr, type Token } from './matlab-syntax.ts';

/** A real matrix, row-major; a number is 1 × 1. */
export interface NumericMatrix {
  rows: number;
  cols: number;
  data: number[];
}

/** The value of a field of the case struct. */
export type FieldValue =
  | { kind: 'matrix'; matrix: NumericMatrix }
  | { kind: 'text'; text: string }
  | { kind: 'cell'; items: (string | number)[] };

export interface MatpowerCaseFile {
  /** The function's name (`case33bw`). */
  functionName: string;
  /** The comment block that opens the file (after the `function` line), `%` removed, one entry per line; '' between paragraphs. */
  header: string[];
  /** The case struct's fields, in the order they were first assigned. */
  fields: Map<string, FieldValue>;
  /** For a matrix field assigned as a literal: the source line of each of its rows. */
  rowLines: Map<string, number[]>;
  /** The comment on the line that opens a field's matrix (`mpc.bus = [ %% (Pd … in kW here)`), without its parentheses. */
  fieldComments: Map<string, string>;
}

/** Elementwise functions a case file may call (the unit conversions use sqrt, sin, acos). */
const FUNCTIONS = new Map<string, (x: number) => number>(Object.entries({
  sqrt: Math.sqrt, sin: Math.sin, cos: Math.cos, tan: Math.tan, asin: Math.asin, acos: Math.acos,
  atan: Math.atan, exp: Math.exp, log: Math.log, log10: Math.log10, abs: Math.abs,
  round: (x: number) => Math.sign(x) * Math.round(Math.abs(x)), floor: Math.floor, ceil: Math.ceil,
}));

const CONSTANTS = new Map<string, number>(Object.entries({ pi: Math.PI, Inf: Infinity, inf: Infinity, NaN: NaN, nan: NaN, eps: Number.EPSILON }));

/**
 * The outputs of MATPOWER's idx_bus, idx_brch, idx_gen and idx_cost, in the order the
 * functions return them (a `[A, B, …] = idx_bus` assigns them by position).
 */
const INDEX_FUNCTIONS = new Map<string, [string, number][]>(Object.entries({
  idx_bus: [
    ['PQ', 1], ['PV', 2], ['REF', 3], ['NONE', 4], ['BUS_I', 1], ['BUS_TYPE', 2], ['PD', 3], ['QD', 4],
    ['GS', 5], ['BS', 6], ['BUS_AREA', 7], ['VM', 8], ['VA', 9], ['BASE_KV', 10], ['ZONE', 11],
    ['VMAX', 12], ['VMIN', 13], ['LAM_P', 14], ['LAM_Q', 15], ['MU_VMAX', 16], ['MU_VMIN', 17],
  ],
  idx_brch: [
    ['F_BUS', 1], ['T_BUS', 2], ['BR_R', 3], ['BR_X', 4], ['BR_B', 5], ['RATE_A', 6], ['RATE_B', 7],
    ['RATE_C', 8], ['TAP', 9], ['SHIFT', 10], ['BR_STATUS', 11], ['PF', 14], ['QF', 15], ['PT', 16],
    ['QT', 17], ['MU_SF', 18], ['MU_ST', 19], ['ANGMIN', 12], ['ANGMAX', 13], ['MU_ANGMIN', 20], ['MU_ANGMAX', 21],
  ],
  idx_gen: [
    ['GEN_BUS', 1], ['PG', 2], ['QG', 3], ['QMAX', 4], ['QMIN', 5], ['VG', 6], ['MBASE', 7], ['GEN_STATUS', 8],
    ['PMAX', 9], ['PMIN', 10], ['MU_PMAX', 22], ['MU_PMIN', 23], ['MU_QMAX', 24], ['MU_QMIN', 25], ['PC1', 11],
    ['PC2', 12], ['QC1MIN', 13], ['QC1MAX', 14], ['QC2MIN', 15], ['QC2MAX', 16], ['RAMP_AGC', 17],
    ['RAMP_10', 18], ['RAMP_30', 19], ['RAMP_Q', 20], ['APF', 21],
  ],
  idx_cost: [['PW_LINEAR', 1], ['POLYNOMIAL', 2], ['MODEL', 1], ['STARTUP', 2], ['SHUTDOWN', 3], ['NCOST', 4], ['COST', 5]],
} satisfies Record<string, [string, number][]>));

/** Longest range `a:b` an index may hold, and most values a matrix may hold (bounds on the work and memory a file can ask for). */
const MAX_RANGE = 10_000_000;
const MAX_VALUES = 10_000_000;
/** Deepest expression tree evaluated (a chain `1+1+…` is as deep as it is long). */
const MAX_DEPTH = 1000;

// ---------------------------------------------------------------------------------------
// Values

/** A value being assigned; a literal matrix keeps the source line of each row. */
type Value = { kind: 'matrix'; matrix: NumericMatrix; rowLines?: number[] | undefined } | { kind: 'text'; text: string } | { kind: 'cell'; items: (string | number)[] };

const scalar = (value: number): NumericMatrix => ({ rows: 1, cols: 1, data: [value] });
const isScalar = (m: NumericMatrix) => m.rows === 1 && m.cols === 1;
const size = (m: NumericMatrix) => `${m.rows}×${m.cols}`;

function elementwise(a: NumericMatrix, b: NumericMatrix, f: (x: number, y: number) => number, what: string, line: number): NumericMatrix {
  if (isScalar(a)) return { rows: b.rows, cols: b.cols, data: b.data.map((y) => f(a.data[0]!, y)) };
  if (isScalar(b)) return { rows: a.rows, cols: a.cols, data: a.data.map((x) => f(x, b.data[0]!)) };
  if (a.rows !== b.rows || a.cols !== b.cols) throw new CaseSyntaxError(line, `${what} of a ${size(a)} and a ${size(b)} matrix: their sizes differ`);
  return { rows: a.rows, cols: a.cols, data: a.data.map((x, k) => f(x, b.data[k]!)) };
}

/** Evaluates statements against the case being built. */
class Evaluator {
  readonly variables = new Map<string, NumericMatrix>();
  readonly fields = new Map<string, FieldValue>();
  readonly rowLines = new Map<string, number[]>();

  constructor(readonly output: string) {}

  private depth = 0;

  matrixOf(e: Expr, line: number, end?: number): NumericMatrix {
    if (++this.depth > MAX_DEPTH) {
      this.depth = 0;
      throw new CaseSyntaxError(line, `an expression of more than ${MAX_DEPTH} operations`, true);
    }
    try {
      return this.evaluate(e, line, end);
    } finally {
      this.depth = Math.max(0, this.depth - 1);
    }
  }

  private evaluate(e: Expr, line: number, end?: number): NumericMatrix {
    switch (e.type) {
      case 'number':
        return scalar(e.value);
      case 'text':
        throw new CaseSyntaxError(line, `a text ('${clip(e.text, 20)}') where a number is expected`);
      case 'end':
        if (end === undefined) throw new CaseSyntaxError(line, '"end" outside an index');
        return scalar(end);
      case 'name': {
        const variable = this.variables.get(e.name);
        if (variable) return variable;
        const constant = CONSTANTS.get(e.name);
        if (constant !== undefined) return scalar(constant);
        throw new CaseSyntaxError(line, unknownName(e.name));
      }
      case 'field':
        return this.fieldMatrix(e.field, line);
      case 'unary': {
        const m = this.matrixOf(e.operand, line, end);
        return e.op === '-' ? { ...m, data: m.data.map((x) => -x) } : m;
      }
      case 'binary':
        return this.binary(e.op, this.matrixOf(e.left, line, end), this.matrixOf(e.right, line, end), line);
      case 'call':
        return this.call(e, line);
      case 'matrix':
        return this.concatenate(e);
      case 'colon':
      case 'range':
        throw new CaseSyntaxError(line, 'a range ":" outside an index');
    }
  }

  private fieldMatrix(field: string, line: number): NumericMatrix {
    const value = this.fields.get(field);
    if (!value) throw new CaseSyntaxError(line, `${this.output}.${field} is used before it is given a value`);
    if (value.kind !== 'matrix') throw new CaseSyntaxError(line, `${this.output}.${field} is not numeric`);
    return value.matrix;
  }

  private binary(op: string, a: NumericMatrix, b: NumericMatrix, line: number): NumericMatrix {
    switch (op) {
      case '+':
        return elementwise(a, b, (x, y) => x + y, 'a sum', line);
      case '-':
        return elementwise(a, b, (x, y) => x - y, 'a difference', line);
      case '.*':
        return elementwise(a, b, (x, y) => x * y, 'an elementwise product', line);
      case './':
        return elementwise(a, b, (x, y) => x / y, 'an elementwise division', line);
      case '.^':
        return elementwise(a, b, (x, y) => realPower(x, y, line), 'an elementwise power', line);
      case '*':
        if (!isScalar(a) && !isScalar(b)) throw new CaseSyntaxError(line, `a matrix product (${size(a)} * ${size(b)}) is not evaluated; only products with a number`);
        return elementwise(a, b, (x, y) => x * y, 'a product', line);
      case '/':
        if (!isScalar(b)) throw new CaseSyntaxError(line, `a division by a ${size(b)} matrix is not evaluated; only division by a number`);
        return elementwise(a, b, (x, y) => x / y, 'a division', line);
      case '^':
        if (!isScalar(a) || !isScalar(b)) throw new CaseSyntaxError(line, 'a matrix power is not evaluated; only powers of numbers');
        return scalar(realPower(a.data[0]!, b.data[0]!, line));
      default:
        throw new CaseSyntaxError(line, `the operator "${op}" is not evaluated`);
    }
  }

  private call(e: Extract<Expr, { type: 'call' }>, line: number): NumericMatrix {
    const target = e.target;
    if (target.type === 'field' || (target.type === 'name' && this.variables.has(target.name))) {
      const m = target.type === 'field' ? this.fieldMatrix(target.field, line) : this.variables.get(target.name)!;
      const { rows, cols } = this.indices(m, e.args, line, describeTarget(target, this.output));
      const data: number[] = [];
      for (const r of rows) for (const c of cols) data.push(m.data[r * m.cols + c]!);
      return { rows: rows.length, cols: cols.length, data };
    }
    if (target.type === 'name' && FUNCTIONS.has(target.name)) {
      if (e.args.length !== 1) throw new CaseSyntaxError(line, `${target.name} takes one argument`);
      const f = FUNCTIONS.get(target.name)!;
      const x = this.matrixOf(e.args[0]!, line);
      const data = x.data.map((v) => {
        const y = f(v);
        if (Number.isNaN(y) && !Number.isNaN(v)) throw new CaseSyntaxError(line, `${target.name}(${v}) is not a real number`);
        return y;
      });
      return { ...x, data };
    }
    if (target.type === 'name') throw new CaseSyntaxError(line, `${target.name}(…) is not a function p2pmarket evaluates (only ${[...FUNCTIONS.keys()].join(', ')})`);
    throw new CaseSyntaxError(line, 'only a variable, a field or a function can be followed by "(…)"');
  }

  /** Zero-based row and column indices of `(rows, cols)` into m. */
  indices(m: NumericMatrix, args: Expr[], line: number, what: string): { rows: number[]; cols: number[] } {
    if (args.length !== 2) throw new CaseSyntaxError(line, `${what}(…) must be indexed by (rows, columns)`);
    return { rows: this.index(args[0]!, m.rows, line, `${what} row`), cols: this.index(args[1]!, m.cols, line, `${what} column`) };
  }

  private index(e: Expr, count: number, line: number, what: string): number[] {
    if (e.type === 'colon') return Array.from({ length: count }, (_, k) => k);
    let values: number[];
    if (e.type === 'range') {
      const from = this.scalarOf(e.from, line, count);
      const step = e.step ? this.scalarOf(e.step, line, count) : 1;
      const to = this.scalarOf(e.to, line, count);
      const n = step === 0 ? 0 : Math.floor((to - from) / step + 1e-10) + 1;
      if (!Number.isFinite(n) || n > MAX_RANGE) throw new CaseSyntaxError(line, `the range ${from}:${step}:${to} is too long`);
      values = Array.from({ length: Math.max(0, n) }, (_, k) => from + k * step);
    } else {
      const m = this.matrixOf(e, line, count);
      if (m.rows > 1 && m.cols > 1) throw new CaseSyntaxError(line, `a ${size(m)} matrix as an index: use a list of numbers`);
      values = m.data;
    }
    return values.map((v) => {
      if (!Number.isInteger(v) || v < 1) throw new CaseSyntaxError(line, `${what} index ${v} is not a positive whole number`);
      if (v > count) throw new CaseSyntaxError(line, `${what} ${v} is beyond the ${count} there are (p2pmarket does not grow matrices)`);
      return v - 1;
    });
  }

  private scalarOf(e: Expr, line: number, end?: number): number {
    const m = this.matrixOf(e, line, end);
    if (!isScalar(m)) throw new CaseSyntaxError(line, `a ${size(m)} matrix where a number is expected`);
    return m.data[0]!;
  }

  private concatenate(e: Extract<Expr, { type: 'matrix' }>): NumericMatrix {
    const blocks: NumericMatrix[] = [];
    let expectedCols: number | undefined;
    let firstRowLine = 0;
    let values = 0;
    for (const row of e.rows) {
      const parts = row.elements.map((el) => this.matrixOf(el, row.line)).filter((m) => m.rows * m.cols > 0);
      if (parts.length === 0) continue;
      const rows = parts[0]!.rows;
      if (parts.some((p) => p.rows !== rows)) throw new CaseSyntaxError(row.line, 'the values of this row of the matrix have different heights', true);
      const cols = parts.reduce((s, p) => s + p.cols, 0);
      values += rows * cols;
      if (values > MAX_VALUES) throw new CaseSyntaxError(row.line, `a matrix of more than ${MAX_VALUES.toLocaleString('en')} values`, true);
      if (expectedCols === undefined) {
        expectedCols = cols;
        firstRowLine = row.line;
      } else if (cols !== expectedCols) {
        throw new CaseSyntaxError(row.line, `row ${blocks.length + 1} of the matrix has ${cols} values, the row${blocks.length > 1 ? 's' : ''} before it (from line ${firstRowLine}) ${expectedCols}: every row must have as many`, true);
      }
      const data: number[] = [];
      for (let r = 0; r < rows; r++) for (const p of parts) for (let c = 0; c < p.cols; c++) data.push(p.data[r * p.cols + c]!);
      blocks.push({ rows, cols, data });
    }
    if (blocks.length === 0) return { rows: 0, cols: 0, data: [] };
    return { rows: blocks.reduce((s, b) => s + b.rows, 0), cols: expectedCols!, data: blocks.flatMap((b) => b.data) };
  }
}

function realPower(x: number, y: number, line: number): number {
  const v = x ** y;
  if (Number.isNaN(v) && !Number.isNaN(x) && !Number.isNaN(y)) throw new CaseSyntaxError(line, `${x}^${y} is not a real number`);
  return v;
}

function describeTarget(target: Expr, output: string): string {
  return target.type === 'field' ? `${output}.${target.field}` : target.type === 'name' ? target.name : 'the value';
}

function unknownName(name: string): string {
  if (FUNCTIONS.has(name)) return `${name} needs an argument in parentheses`;
  if (name === 'end') return '"end" outside an index';
  return `"${name}" is not a variable the file has defined, nor a constant p2pmarket knows`;
}

// ---------------------------------------------------------------------------------------
// Statements

const NOT_EVALUATED = 'not a MATPOWER case statement p2pmarket can evaluate';

/** MATLAB's control words: statements built on them are never evaluated. */
const KEYWORDS = new Set(['for', 'parfor', 'while', 'if', 'elseif', 'else', 'switch', 'case', 'otherwise', 'try', 'catch', 'function', 'return', 'break', 'continue', 'global', 'persistent', 'spmd', 'classdef', 'import']);

/**
 * Reads a MATPOWER case file's text. Throws an InputError naming `file` and the line of the
 * first statement it cannot read or evaluate.
 */
export function readMatpowerCase(text: string, file: string): MatpowerCaseFile {
  const lines = text.split('\n');
  const sourceLine = (n: number) => clip((lines[n - 1] ?? '').trim(), 100);
  const fail = (e: CaseSyntaxError, field?: string): never => {
    const message = e.malformed ? `${field ? `${field}: ` : ''}${e.message}` : `${NOT_EVALUATED}: ${sourceLine(e.line)} (${e.message})`;
    throw new InputError(file, [{ path: `line ${e.line}`, message }]);
  };
  let tokens: Token[] = [];
  try {
    tokens = tokenize(text);
  } catch (e) {
    if (e instanceof CaseSyntaxError) fail(e);
    throw e;
  }

  let ev: Evaluator | undefined;
  const parser = new Parser(tokens, () => ev?.output ?? '');
  let functionName = '';
  let headerEnd = 0;
  for (;;) {
    while (parser.token.kind === 'newline' || parser.isOp(';') || parser.isOp(',')) parser.advance();
    const start = parser.token;
    if (start.kind === 'eof') break;
    try {
      if (!ev) {
        const header = functionLine(parser);
        functionName = header.functionName;
        headerEnd = start.line;
        ev = new Evaluator(header.output);
      } else {
        statement(parser, ev);
      }
      if (!parser.atStatementEnd()) throw parser.unexpected('the end of the statement expected');
    } catch (e) {
      if (e instanceof FieldError) fail(e.error, e.field);
      if (e instanceof CaseSyntaxError) fail(e);
      throw e;
    }
  }
  if (!ev) throw new InputError(file, [{ path: '', message: 'holds no statement: a MATPOWER case file starts with "function mpc = <name>"' }]);
  const fieldComments = new Map<string, string>();
  for (const text of lines) {
    const m = /^\s*([A-Za-z_]\w*)\.([A-Za-z_]\w*)\s*=\s*[[{]\s*%+\s*(.*?)\s*$/.exec(text);
    if (m && m[1] === ev.output && m[3] && ev.fields.has(m[2]!)) fieldComments.set(m[2]!, m[3].replace(/^\((.*)\)$/, '$1'));
  }
  return { functionName, header: headerComment(lines, headerEnd), fields: ev.fields, rowLines: ev.rowLines, fieldComments };
}

/** A malformed value assigned to a field: the message names the field. */
class FieldError extends Error {
  constructor(
    readonly field: string,
    readonly error: CaseSyntaxError,
  ) {
    super(error.message);
  }
}

function functionLine(parser: Parser): { output: string; functionName: string } {
  const t = parser.token;
  if (!(t.kind === 'name' && t.text === 'function')) {
    throw new CaseSyntaxError(t.line, 'a MATPOWER case file starts with "function mpc = <name>" (comments may come before it)');
  }
  parser.advance();
  let output: string;
  if (parser.isOp('[')) {
    parser.advance();
    const names: string[] = [];
    while (parser.token.kind === 'name') {
      names.push(parser.advance().text);
      if (parser.isOp(',')) parser.advance();
    }
    parser.expectOp(']');
    if (names.length !== 1) {
      throw new CaseSyntaxError(t.line, "a case returning several matrices is MATPOWER's format version 1: convert it to version 2 (in MATPOWER: savecase('new.m', loadcase('old')))");
    }
    output = names[0]!;
  } else {
    if (parser.token.kind !== 'name') throw parser.unexpected('the output name after "function"');
    output = parser.advance().text;
  }
  parser.expectOp('=');
  if (parser.token.kind !== 'name') throw parser.unexpected('the case\'s name after "="');
  return { output, functionName: parser.advance().text };
}

/** Evaluates one statement. */
function statement(parser: Parser, ev: Evaluator): void {
  const start = parser.token;
  const startMark = parser.mark;
  const line = start.line;
  // [A, B, …] = idx_bus
  if (parser.isOp('[')) {
    indexNames(parser, ev);
    return;
  }
  if (start.kind !== 'name') throw parser.unexpected('an assignment');
  if (KEYWORDS.has(start.text)) throw new CaseSyntaxError(line, `"${start.text}" statements are not evaluated`);
  if (start.text === 'end') {
    // A function file may close with "end".
    parser.advance();
    while (parser.token.kind === 'newline' || parser.isOp(';') || parser.isOp(',')) parser.advance();
    if (parser.token.kind !== 'eof') throw new CaseSyntaxError(line, '"end" before the end of the file');
    return;
  }
  // define_constants (a script defining every column name)
  if (start.text === 'define_constants' && !['=', '.', '('].some((op) => parser.isOp(op, parser.peek()))) {
    parser.advance();
    for (const outputs of INDEX_FUNCTIONS.values()) for (const [name, value] of outputs) ev.variables.set(name, scalar(value));
    return;
  }
  // The assigned place: name, name(i, j), mpc.field, mpc.field(i, j).
  parser.advance();
  let field: string | undefined;
  if (start.text === ev.output) {
    if (!parser.isOp('.')) throw new CaseSyntaxError(line, `only the fields of ${ev.output} (${ev.output}.bus, …) are assigned, not ${ev.output} itself`);
    parser.advance();
    if (parser.token.kind !== 'name') throw parser.unexpected(`a field name after "${ev.output}."`);
    field = parser.advance().text;
    if (parser.isOp('.')) throw new CaseSyntaxError(line, `nested fields (${ev.output}.${field}.…) are not part of a case p2pmarket evaluates`);
  }
  let indexArgs: Expr[] | undefined;
  if (parser.isOp('(')) {
    if (!field && !ev.variables.has(start.text)) throw new CaseSyntaxError(line, `${start.text}(…) calls a function, which p2pmarket does not run`);
    parser.reset(startMark);
    const place = parser.expression({ matrix: false, index: false });
    if (place.type !== 'call' || place.args.length === 0) throw new CaseSyntaxError(line, 'an assignment to an indexed place expected');
    indexArgs = place.args;
  }
  if (!parser.isOp('=')) {
    if (!field && !indexArgs) throw new CaseSyntaxError(line, `"${start.text}" on its own is a command or a call, which p2pmarket does not run`);
    throw parser.unexpected(`"=" expected after ${field ? `${ev.output}.${field}` : start.text}${indexArgs ? '(…)' : ''}`);
  }
  parser.advance();
  if (!field && (FUNCTIONS.has(start.text) || INDEX_FUNCTIONS.has(start.text))) throw new CaseSyntaxError(line, `"${start.text}" is a function's name; give the variable another`);

  const value = assignedValue(parser, ev, field, line);
  const what = field ? `${ev.output}.${field}` : start.text;
  if (indexArgs) {
    if (value.kind !== 'matrix') throw new CaseSyntaxError(line, 'only numbers are assigned into a matrix');
    const target = field ? ev.fields.get(field) : { kind: 'matrix' as const, matrix: ev.variables.get(start.text)! };
    if (!target) throw new CaseSyntaxError(line, `${what} is assigned into before it is given a value`);
    if (target.kind !== 'matrix') throw new CaseSyntaxError(line, `${what} is not numeric`);
    const m = target.matrix;
    const { rows, cols } = ev.indices(m, indexArgs, line, what);
    const v = value.matrix;
    if (!isScalar(v) && (v.rows !== rows.length || v.cols !== cols.length)) {
      throw new CaseSyntaxError(line, `a ${size(v)} value assigned to ${rows.length}×${cols.length} places of ${what}`);
    }
    const data = [...m.data];
    rows.forEach((r, i) => cols.forEach((c, j) => (data[r * m.cols + c] = isScalar(v) ? v.data[0]! : v.data[i * v.cols + j]!)));
    const updated = { rows: m.rows, cols: m.cols, data };
    if (field) ev.fields.set(field, { kind: 'matrix', matrix: updated });
    else ev.variables.set(start.text, updated);
    return;
  }
  if (field) {
    ev.fields.set(field, value.kind === 'matrix' ? { kind: 'matrix', matrix: value.matrix } : value);
    if (value.kind === 'matrix' && value.rowLines) ev.rowLines.set(field, value.rowLines);
    else ev.rowLines.delete(field);
    return;
  }
  if (value.kind !== 'matrix') throw new CaseSyntaxError(line, `only numbers are assigned to variables such as ${start.text}`);
  ev.variables.set(start.text, value.matrix);
}

/** `[PQ, PV, …] = idx_bus`: MATPOWER's column numbers, by position. */
function indexNames(parser: Parser, ev: Evaluator): void {
  const line = parser.token.line;
  const names: string[] = [];
  parser.advance();
  while (parser.token.kind === 'name') {
    names.push(parser.advance().text);
    if (parser.isOp(',')) parser.advance();
  }
  if (!parser.isOp(']') || !parser.isOp('=', parser.peek())) throw new CaseSyntaxError(line, 'only "[NAMES] = idx_bus" (or idx_brch, idx_gen, idx_cost) assigns several names');
  parser.advance();
  parser.advance();
  const fn = parser.token;
  const outputs = fn.kind === 'name' ? INDEX_FUNCTIONS.get(fn.text) : undefined;
  if (!outputs) throw new CaseSyntaxError(line, 'only idx_bus, idx_brch, idx_gen and idx_cost may give several names');
  parser.advance();
  if (parser.isOp('(')) {
    parser.advance();
    parser.expectOp(')');
  }
  if (names.length > outputs.length) throw new CaseSyntaxError(line, `${fn.text} gives ${outputs.length} values, not ${names.length}`);
  names.forEach((name, k) => ev.variables.set(name, scalar(outputs[k]![1])));
}

/** The right-hand side of an assignment: a text, a cell array or a number expression. */
function assignedValue(parser: Parser, ev: Evaluator, field: string | undefined, line: number): Value {
  const t = parser.token;
  if (t.kind === 'text' && !parser.isOp('(', parser.peek())) {
    parser.advance();
    return { kind: 'text', text: t.text };
  }
  if (parser.isOp('{')) return { kind: 'cell', items: cell(parser) };
  const expr = parser.expression({ matrix: false, index: false });
  let matrix: NumericMatrix;
  try {
    matrix = ev.matrixOf(expr, line);
  } catch (e) {
    if (e instanceof CaseSyntaxError && e.malformed && field) throw new FieldError(`${ev.output}.${field}`, e);
    throw e;
  }
  const rowLines = expr.type === 'matrix' ? expr.rows.map((r) => r.line) : undefined;
  return { kind: 'matrix', matrix, rowLines: rowLines && rowLines.length === matrix.rows ? rowLines : undefined };
}

/** `{ 'a'; 'b' }` or `{ 'a', 1 }`: texts and numbers (bus names, generator types). */
function cell(parser: Parser): (string | number)[] {
  const open = parser.token;
  parser.expectOp('{');
  const items: (string | number)[] = [];
  for (;;) {
    const t = parser.token;
    if (t.kind === 'eof') throw new CaseSyntaxError(open.line, 'a cell array "{" is never closed by "}"');
    if (parser.isOp('}')) {
      parser.advance();
      return items;
    }
    if (t.kind === 'newline' || parser.isOp(';') || parser.isOp(',')) {
      parser.advance();
      continue;
    }
    if (t.kind === 'text') items.push(parser.advance().text);
    else if (t.kind === 'number') items.push(parser.advance().value);
    else if (parser.isOp('-') && parser.peek().kind === 'number') {
      parser.advance();
      items.push(-parser.advance().value);
    } else throw parser.unexpected('a text or a number in a cell array');
  }
}

/**
 * The comment block right after the `function` line, up to the first statement: the case's
 * title, the paper its data comes from, its history. An empty comment line (a paragraph
 * break) is kept as ''; section markers (`%%`) and MATPOWER's "Please see CASEFORMAT" line are
 * left out.
 */
function headerComment(lines: string[], functionLine: number): string[] {
  const header: string[] = [];
  for (let n = functionLine; n < lines.length; n++) {
    const text = lines[n]!.trim();
    if (text !== '' && !text.startsWith('%')) break;
    if (text.startsWith('%%') || /^%\s*Please see CASEFORMAT/i.test(text)) continue;
    const comment = text.replace(/^%+/, '').trim();
    if (comment !== '' || (header.length > 0 && header[header.length - 1] !== '')) header.push(comment);
  }
  while (header[header.length - 1] === '') header.pop();
  return header;
}
