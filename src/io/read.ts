/**
 * Reading a user's input files. Every input goes through here, so that each is held to the
 * same rules: only regular files are read (a FIFO or a device would block or never end), no
 * file larger than the `fileBytes` limit, UTF-8 text with or without a byte-order mark (the
 * mark is dropped, so it never shows in a message or a value). Their JSON is parsed by
 * io/json-text.ts (which needs no disk: a web page parses its texts there too).
 */
import { readFileSync, statSync } from 'node:fs';
import { InputError } from '../errors.ts';
import { parseJsonText } from './json-text.ts';
import { environmentLimits, raiseHint, type Limits } from './limits.ts';

export { lineAndColumn, parseJsonText } from './json-text.ts';

const fail = (file: string, message: string, path = ''): never => {
  throw new InputError(file, [{ path, message }]);
};

/** The text of a regular file, without its byte-order mark; an InputError that names the file otherwise. */
export function readTextFile(file: string, limits: Pick<Limits, 'fileBytes'> = environmentLimits()): string {
  let size: number;
  try {
    const stat = statSync(file);
    if (stat.isDirectory()) fail(file, 'is a folder, not a file');
    if (!stat.isFile()) fail(file, 'is not a regular file (a FIFO, socket or device): p2pmarket reads regular files only');
    size = stat.size;
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    return fail(file, code === 'ENOENT' ? 'file not found' : code === 'ENOTDIR' ? 'file not found (a part of its path is a file, not a folder)' : code === 'EACCES' ? 'cannot be read (permission denied)' : `cannot be read (${code})`);
  }
  if (size > limits.fileBytes) {
    fail(file, `is ${mib(size)} MiB, more than the limit of ${mib(limits.fileBytes)} MiB for an input file; ${raiseHint('fileBytes')}`);
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    return fail(file, `cannot be read (${(e as NodeJS.ErrnoException).code})`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail(file, `is not UTF-8 text (${firstInvalidUtf8(bytes)}): save it as UTF-8`);
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Reads and parses a JSON file (readTextFile, then parseJsonText). */
export function readJsonFile(file: string, limits: Pick<Limits, 'fileBytes' | 'jsonDepth'> = environmentLimits()): unknown {
  return parseJsonText(readTextFile(file, limits), file, limits);
}

const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(bytes < 1024 * 1024 ? 2 : 0);

/** Where a byte sequence first breaks UTF-8 (for the message). */
function firstInvalidUtf8(bytes: Buffer): string {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    const extra = b < 0x80 ? 0 : b >= 0xc2 && b < 0xe0 ? 1 : b >= 0xe0 && b < 0xf0 ? 2 : b >= 0xf0 && b < 0xf5 ? 3 : -1;
    if (extra < 0) return `byte ${i} (0x${b.toString(16)}) cannot start a UTF-8 character`;
    for (let k = 1; k <= extra; k++) {
      if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) return `the character at byte ${i} is cut short or malformed`;
    }
    i += extra + 1;
  }
  return 'an overlong or out-of-range UTF-8 sequence';
}
