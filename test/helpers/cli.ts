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
