/**
 * JSON text as p2pmarket reads it, wherever the text came from (a file, memory, a web page):
 * refused, with its line and column, when it is malformed, nested deeper than the `jsonDepth`
 * limit, or repeats a key in one object (JSON.parse would silently keep the last). No I/O:
 * io/read.ts reads files and hands their text here.
 */
import { parse as parseJsonc, printParseErrorCode, visit, type ParseError } from 'jsonc-parser';
import { InputError } from '../errors.ts';
import { environmentLimits, raiseHint, type Limits } from './limits.ts';

const fail = (file: string, message: string, path = ''): never => {
  throw new InputError(file, [{ path, message }]);
};

/** Parses JSON text, naming `file` and the line and column of any problem. */
export function parseJsonText(text: string, file: string, limits: Pick<Limits, 'jsonDepth'> = environmentLimits()): unknown {
  const deep = tooDeep(text, limits.jsonDepth);
  if (deep !== undefined) {
    fail(file, `malformed JSON at ${lineAndColumn(text, deep)}: nested deeper than ${limits.jsonDepth} levels (no scenario or sweep needs that many); ${raiseHint('jsonDepth')}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const errors: ParseError[] = [];
    parseJsonc(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    const first = errors[0];
    if (text.trim() === '') fail(file, 'is empty: expected a JSON object');
    const where = first ? lineAndColumn(text, first.offset) : lineAndColumn(text, text.length);
    fail(file, `malformed JSON at ${where}: ${first ? describeJsonError(printParseErrorCode(first.error), text, first.offset, first.length) : 'the text is not JSON'}`);
  }
  const duplicate = firstDuplicateKey(text);
  if (duplicate) fail(file, `the key "${clipKey(duplicate.key)}" appears twice in one object (at ${lineAndColumn(text, duplicate.offset)}); JSON would keep only the last: remove one`, duplicate.path);
  return value;
}

/** "line L, column C" of a character offset (columns count characters, from 1). */
export function lineAndColumn(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return `line ${line}, column ${offset - lineStart + 1}`;
}

/** The offset at which the nesting of arrays and objects first exceeds `max`, outside strings. */
function tooDeep(text: string, max: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return i;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return undefined;
}

function firstDuplicateKey(text: string): { key: string; offset: number; path: string } | undefined {
  const stack: Set<string>[] = [];
  let found: { key: string; offset: number; path: string } | undefined;
  visit(
    text,
    {
      onObjectBegin: () => void stack.push(new Set()),
      onObjectEnd: () => void stack.pop(),
      onObjectProperty: (key, offset, _length, _line, _column, pathSupplier) => {
        const keys = stack[stack.length - 1];
        if (!keys || found) return;
        if (keys.has(key)) found = { key, offset, path: formatJsonPath([...pathSupplier(), key]) };
        keys.add(key);
      },
    },
    { disallowComments: true },
  );
  return found;
}

function formatJsonPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${key}` : key;
  return out;
}

const JSON_ERROR_WORDS: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'not a number JSON allows (no leading +, no hex, no leading zeros, no NaN or Infinity)',
  PropertyNameExpected: 'a field name in double quotes expected',
  ValueExpected: 'a value expected',
  ColonExpected: 'a colon expected',
  CommaExpected: 'a comma expected',
  CloseBraceExpected: 'a closing } expected',
  CloseBracketExpected: 'a closing ] expected',
  EndOfFileExpected: 'the file should end here (more than one JSON value?)',
  InvalidCommentToken: 'comments are not JSON',
  UnexpectedEndOfComment: 'comments are not JSON',
  UnexpectedEndOfString: 'a string is not closed',
  UnexpectedEndOfNumber: 'a number ends early',
  InvalidUnicode: 'a bad \\u escape',
  InvalidEscapeCharacter: 'a bad escape character in a string',
  InvalidCharacter: 'a control character inside a string',
};

function describeJsonError(code: string, text: string, offset: number, length: number): string {
  const words = JSON_ERROR_WORDS[code] ?? code;
  const near = text.slice(offset, offset + 12).split('\n')[0]!;
  if ((code === 'ValueExpected' || code === 'PropertyNameExpected') && /^\s*[}\]]/.test(near)) return `${words} (a trailing comma?)`;
  if (offset + length >= text.trimEnd().length) return `${words} (the file ends early)`;
  return `${words}, found ${JSON.stringify(near.length === 12 ? `${near}…` : near)}`;
}

function clipKey(key: string): string {
  return key.length > 60 ? `${key.slice(0, 59)}…` : key;
}
