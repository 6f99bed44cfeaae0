/**
 * The MATLAB a MATPOWER case file is written in, as tokens and expression trees: the part of
 * the language case files use (see matpower-case.ts), nothing more. Whitespace is significant
 * inside brackets, as in MATLAB: `[1 -2]` is two values, `[1 - 2]` one; a quote right after a
 * value is a transpose, elsewhere it opens a text. Operators case files never need (transpose,
 * comparisons, logic, function handles) are refused where they stand.
 */
import { clip } from '../io/limits.ts';
import { parseDecimal } from '../io/numbers.ts';

export type TokenKind = 'number' | 'name' | 'text' | 'op' | 'newline' | 'eof';

export interface Token {
  kind: TokenKind;
  text: string;
  /** The number of a 'number' token. */
  value: number;
  line: number;
  /** Whitespace (or a continuation) separates it from the token before (it splits matrix elements). */
  spaceBefore: boolean;
}

const OPERATORS = ['...', '.*', './', '.^', ".'", '.\\', '==', '~=', '<=', '>=', '&&', '||', '(', ')', '[', ']', '{', '}', ',', ';', '=', '.', ':', '+', '-', '*', '/', '\\', '^', "'", '<', '>', '&', '|', '~', '!', '@'];

/**
 * Thrown inside the reader; turned into an InputError naming the file and the line. A
 * `malformed` statement is one of the forms evaluated, written wrongly (a ragged matrix, an
 * unclosed bracket); any other is a form p2pmarket does not evaluate.
 */
export class CaseSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
    readonly malformed = false,
  ) {
    super(message);
  }
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let space = false;
  let depth = 0; // [ ] and { } nesting: there a quote after a space starts a text
  const push = (kind: TokenKind, tokenText: string, value = NaN) => {
    tokens.push({ kind, text: tokenText, value, line, spaceBefore: space });
    space = false;
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      space = true;
    } else if (c === '\n') {
      push('newline', '\n');
      i++;
      line++;
    } else if (c === '%' || c === '#') {
      // A block comment: "%{" alone on its line, up to "%}" alone on its line.
      const eol = text.indexOf('\n', i);
      const rest = text.slice(i, eol === -1 ? text.length : eol);
      if (/^[%#]\{\s*$/.test(rest) && /^\s*$/.test(lineBefore(text, i))) {
        const startLine = line;
        const end = /\n[ \t]*[%#]\}[ \t]*(?=\r?\n|$)/g;
        end.lastIndex = i;
        const found = end.exec(text);
        if (!found) throw new CaseSyntaxError(startLine, 'a block comment "%{" is never closed by "%}"', true);
        for (let k = i; k < found.index + found[0].length; k++) if (text[k] === '\n') line++;
        i = found.index + found[0].length;
      } else {
        while (i < text.length && text[i] !== '\n') i++;
      }
    } else if (text.startsWith('...', i)) {
      // Continuation: the rest of the line is a comment, and the line break is no break.
      while (i < text.length && text[i] !== '\n') i++;
      if (i < text.length) {
        i++;
        line++;
      }
      space = true;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const m = /^(?:\d+(?:\.(?![*/^\\'])\d*)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400))!;
      const after = text[i + m[0].length] ?? '';
      if (/[A-Za-z_0-9]/.test(after)) {
        throw new CaseSyntaxError(line, `"${clip(text.slice(i).split(/[\s,;\]]/)[0]!, 30)}" is not a number p2pmarket reads (complex, hexadecimal or malformed)`, true);
      }
      const value = parseDecimal(m[0]);
      if (value === undefined) throw new CaseSyntaxError(line, `"${clip(m[0], 30)}" is not a finite number`, true);
      push('number', m[0], value);
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i, i + 200))!;
      push('name', m[0]);
      i += m[0].length;
    } else if ((c === "'" || c === '"') && !(c === "'" && isTranspose(tokens, space, depth))) {
      let value = '';
      let k = i + 1;
      for (;;) {
        const d = text[k];
        if (d === undefined || d === '\n') throw new CaseSyntaxError(line, 'a text in quotes is not closed on its line', true);
        if (d === c) {
          if (text[k + 1] === c) {
            value += c;
            k += 2;
            continue;
          }
          break;
        }
        value += d;
        k++;
      }
      push('text', value);
      i = k + 1;
    } else {
      const op = OPERATORS.find((o) => text.startsWith(o, i));
      if (!op) throw new CaseSyntaxError(line, `unexpected character "${c}"`);
      if (op === '[' || op === '{') depth++;
      if (op === ']' || op === '}') depth = Math.max(0, depth - 1);
      push('op', op);
      i += op.length;
    }
  }
  push('eof', '');
  return tokens;
}

/** The text of the line before offset `at`, from its start. */
function lineBefore(text: string, at: number): string {
  return text.slice(text.lastIndexOf('\n', at - 1) + 1, at);
}

/** A quote right after a value (`a'`, `x)'`) is MATLAB's transpose; inside brackets a space before it makes it a text. */
function isTranspose(tokens: Token[], space: boolean, depth: number): boolean {
  const before = tokens[tokens.length - 1];
  if (!before) return false;
  const value = before.kind === 'number' || before.kind === 'name' || before.kind === 'text' || [')', ']', '}', "'", ".'"].includes(before.text);
  return value && !(space && depth > 0);
}

// ---------------------------------------------------------------------------------------
// Expressions

export type Expr =
  | { type: 'number'; value: number }
  | { type: 'text'; text: string }
  | { type: 'name'; name: string }
  | { type: 'field'; field: string }
  | { type: 'call'; target: Expr; args: Expr[] }
  | { type: 'unary'; op: string; operand: Expr }
  | { type: 'binary'; op: string; left: Expr; right: Expr }
  | { type: 'matrix'; rows: { line: number; elements: Expr[] }[] }
  | { type: 'colon' }
  | { type: 'range'; from: Expr; step: Expr | undefined; to: Expr }
  | { type: 'end' };

const REFUSED_OPERATORS: Record<string, string> = {
  "'": 'a transpose', ".'": 'a transpose', '\\': 'a left division', '.\\': 'a left division',
  '==': 'a comparison', '~=': 'a comparison', '<': 'a comparison', '<=': 'a comparison', '>': 'a comparison', '>=': 'a comparison',
  '&': 'a logical operator', '|': 'a logical operator', '&&': 'a logical operator', '||': 'a logical operator',
  '~': 'a logical operator', '!': 'a shell escape or logical operator', '@': 'a function handle',
};

/** Deepest nesting of parentheses, brackets and signs an expression may have (a bound on the reader's stack). */
export const MAX_NESTING = 200;

export class Parser {
  private pos = 0;
  private depth = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly output: () => string,
  ) {}

  get token(): Token {
    return this.tokens[this.pos]!;
  }
  peek(k = 1): Token {
    return this.tokens[Math.min(this.pos + k, this.tokens.length - 1)]!;
  }
  advance(): Token {
    const t = this.token;
    if (t.kind !== 'eof') this.pos++;
    return t;
  }
  /** A statement ends at ";", ",", a line break or the end of the file. */
  atStatementEnd(): boolean {
    const t = this.token;
    return t.kind === 'newline' || t.kind === 'eof' || this.isOp(';') || this.isOp(',');
  }
  isOp(text: string, t = this.token): boolean {
    return t.kind === 'op' && t.text === text;
  }
  expectOp(text: string): void {
    if (!this.isOp(text)) throw this.unexpected(`"${text}" expected`);
    this.advance();
  }
  unexpected(what: string): CaseSyntaxError {
    const t = this.token;
    const found = t.kind === 'eof' ? 'the end of the file' : t.kind === 'newline' ? 'the end of the line' : `"${t.text}"`;
    return new CaseSyntaxError(t.line, `${what}, found ${found}`);
  }
  /** The position, to come back to (a statement that turns out to be of another form). */
  get mark(): number {
    return this.pos;
  }
  reset(mark: number): void {
    this.pos = mark;
  }

  /** expr := range | additive; a range only where `allowRange` (index arguments). */
  expression(ctx: { matrix: boolean; index: boolean }): Expr {
    return this.nested(() => this.range(ctx));
  }

  /** Runs `parse` one level deeper, refusing an expression nested deeper than MAX_NESTING. */
  private nested<T>(parse: () => T): T {
    if (++this.depth > MAX_NESTING) {
      this.depth = 0;
      throw new CaseSyntaxError(this.token.line, `an expression nested deeper than ${MAX_NESTING} levels`, true);
    }
    try {
      return parse();
    } finally {
      this.depth = Math.max(0, this.depth - 1);
    }
  }

  private range(ctx: { matrix: boolean; index: boolean }): Expr {
    const first = this.additive(ctx);
    if (!ctx.index || !this.isOp(':')) return first;
    this.advance();
    const second = this.additive(ctx);
    if (!this.isOp(':')) return { type: 'range', from: first, step: undefined, to: second };
    this.advance();
    return { type: 'range', from: first, step: second, to: this.additive(ctx) };
  }

  private additive(ctx: { matrix: boolean; index: boolean }): Expr {
    let left = this.multiplicative(ctx);
    for (;;) {
      const t = this.token;
      if (!(this.isOp('+') || this.isOp('-'))) return left;
      // In a matrix "[1 -2]" is two elements, "[1 - 2]" and "[1-2]" one.
      if (ctx.matrix && t.spaceBefore && !this.peek().spaceBefore) return left;
      this.advance();
      left = { type: 'binary', op: t.text, left, right: this.multiplicative(ctx) };
    }
  }

  private multiplicative(ctx: { matrix: boolean; index: boolean }): Expr {
    let left = this.unary(ctx);
    while (['*', '/', '.*', './'].some((op) => this.isOp(op))) {
      const op = this.advance().text;
      left = { type: 'binary', op, left, right: this.unary(ctx) };
    }
    this.refuseOperator();
    return left;
  }

  private unary(ctx: { matrix: boolean; index: boolean }): Expr {
    if (this.isOp('-') || this.isOp('+')) {
      const op = this.advance().text;
      return { type: 'unary', op, operand: this.nested(() => this.unary(ctx)) };
    }
    return this.power(ctx);
  }

  /** MATLAB's ^ is left-associative, and binds tighter than a unary minus (-2^2 = -4; 2^-1 = 0.5). */
  private power(ctx: { matrix: boolean; index: boolean }): Expr {
    let left = this.postfix(ctx);
    while (this.isOp('^') || this.isOp('.^')) {
      const op = this.advance().text;
      let sign = '';
      while (this.isOp('-') || this.isOp('+')) sign = this.advance().text === '-' ? (sign === '-' ? '' : '-') : sign;
      const operand = this.postfix(ctx);
      left = { type: 'binary', op, left, right: sign === '-' ? { type: 'unary', op: '-', operand } : operand };
    }
    return left;
  }

  private postfix(ctx: { matrix: boolean; index: boolean }): Expr {
    let expr = this.primary(ctx);
    // "f(x)" or "A(i, j)": no space before the parenthesis inside a matrix ("[a (1)]" is two elements).
    while (this.isOp('(') && !(ctx.matrix && this.token.spaceBefore)) {
      this.advance();
      const args: Expr[] = [];
      if (!this.isOp(')')) {
        for (;;) {
          args.push(this.isOp(':') && (this.isOp(',', this.peek()) || this.isOp(')', this.peek())) ? (this.advance(), { type: 'colon' }) : this.expression({ matrix: false, index: true }));
          if (this.isOp(',')) this.advance();
          else break;
        }
      }
      this.expectOp(')');
      expr = { type: 'call', target: expr, args };
    }
    this.refuseOperator();
    return expr;
  }

  private primary(ctx: { matrix: boolean; index: boolean }): Expr {
    const t = this.token;
    if (t.kind === 'number') {
      this.advance();
      return { type: 'number', value: t.value };
    }
    if (t.kind === 'name') {
      this.advance();
      if (t.text === 'end' && ctx.index) return { type: 'end' };
      if (t.text === this.output() && this.isOp('.')) {
        this.advance();
        const field = this.token;
        if (field.kind !== 'name') throw this.unexpected(`a field name after "${t.text}."`);
        this.advance();
        if (this.isOp('.')) throw new CaseSyntaxError(field.line, `nested fields (${t.text}.${field.text}.…) are not part of a case p2pmarket evaluates`);
        return { type: 'field', field: field.text };
      }
      return { type: 'name', name: t.text };
    }
    if (this.isOp('(')) {
      this.advance();
      const inner = this.expression({ matrix: false, index: ctx.index });
      this.expectOp(')');
      return inner;
    }
    if (this.isOp('[')) return this.matrix();
    if (t.kind === 'text') {
      this.advance();
      return { type: 'text', text: t.text };
    }
    if (t.kind === 'op' && REFUSED_OPERATORS[t.text]) throw new CaseSyntaxError(t.line, `${REFUSED_OPERATORS[t.text]} ("${t.text}") is not evaluated`);
    throw this.unexpected('a number, a name or "(" expected');
  }

  /** `[ … ]`: rows separated by ";" or line breaks, elements by "," or spaces. */
  matrix(): Expr {
    this.expectOp('[');
    const rows: { line: number; elements: Expr[] }[] = [];
    let row: { line: number; elements: Expr[] } = { line: this.token.line, elements: [] };
    const endRow = () => {
      if (row.elements.length > 0) rows.push(row);
      row = { line: this.token.line, elements: [] };
    };
    for (;;) {
      const t = this.token;
      if (t.kind === 'eof') throw new CaseSyntaxError(t.line, 'a matrix "[" is never closed by "]"', true);
      if (this.isOp(']')) {
        this.advance();
        endRow();
        return { type: 'matrix', rows };
      }
      if (this.isOp(';') || t.kind === 'newline') {
        this.advance();
        endRow();
        continue;
      }
      if (this.isOp(',')) {
        if (row.elements.length === 0) throw this.unexpected('a value before ","');
        this.advance();
        continue;
      }
      if (row.elements.length === 0) row.line = t.line;
      row.elements.push(this.expression({ matrix: true, index: false }));
      const next = this.token;
      const separated = this.isOp(',') || this.isOp(';') || this.isOp(']') || next.kind === 'newline' || next.spaceBefore;
      if (!separated) throw this.unexpected('"," or a space between the values of a matrix');
    }
  }

  private refuseOperator(): void {
    const t = this.token;
    if (t.kind === 'op' && REFUSED_OPERATORS[t.text]) throw new CaseSyntaxError(t.line, `${REFUSED_OPERATORS[t.text]} ("${t.text}") is not evaluated`);
  }
}

