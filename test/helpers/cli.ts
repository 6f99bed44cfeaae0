/**
 * Spawning the real `bin/p2pmarket.js` in a temporary working directory. Children are spawned
 * asynchronously (~0.5–1 s of tsx start-up each), so independent cases can run concurrently.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'p2pmarket.js');

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** No colours (they would split the words we match), no debug stack traces. */
const ENV: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
delete ENV.FORCE_COLOR;
delete ENV.P2PMARKET_DEBUG;

/** Runs `p2pmarket ...args` in `cwd` (with `env` instead of the default environment, if given). */
export function p2pmarket(args: string[], cwd: string, env: NodeJS.ProcessEnv = ENV): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env, timeout: 45_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** A temporary folder for this test file, removed after it; `workDir` makes fresh ones inside. */
export function temporaryFolder(prefix: string): { root: string; workDir: (label: string) => string } {
  const root = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  return { root, workDir: (label) => mkdtempSync(join(root, `${label}-`)) };
}

/**
 * Text as the command meant it before fitting it to 120 columns: src/output/fit-text.ts wraps a
 * longer line at its spaces, greedily, going on with the line's indent and two spaces more. A
 * line is joined back to the one before when it is such a continuation — indented two more than
 * the line it continues, and the previous line could not have taken its first word — so that a
 * message matches wherever it was wrapped, while lines the command wrote as lines stay lines.
 */
export function unwrap(text: string, maxColumns = 120): string {
  const out: string[] = [];
  let lead = -1; // the indent of the line being continued; -1 after an empty line
  let last = ''; // the previous line as printed
  for (const line of text.split('\n')) {
    const indent = /^ */.exec(line)![0].length;
    const word = line.slice(indent).split(' ')[0]!;
    if (lead >= 0 && word !== '' && indent === lead + 2 && [...last].length + 1 + [...word].length > maxColumns) {
      out[out.length - 1] += ` ${line.slice(indent)}`;
    } else {
      out.push(line);
      lead = line.trim() === '' ? -1 : indent;
    }
    last = line;
  }
  return out.join('\n');
}

/**
 * A stack trace's frame ("    at f (file.js:1:2)"): what no error message may hold. (A line of a
 * wrapped message may well begin with "at", so the frame's position is part of the pattern.)
 */
export const STACK_TRACE = /^\s+at .*:\d+:\d+\)?$/m;
