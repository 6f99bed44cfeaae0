/**
 * HiGHS compiled ahead (src/solver/highs-preload.ts), in real Node processes on the built
 * package: the runtime then instantiates the preloaded module and never reads highs.wasm itself,
 * solves as the loader's own runtime does, and falls back to the loader when nothing was
 * preloaded or the preload failed.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.ts';

const run = promisify(execFile);

/** A script that counts the reads of highs.wasm, preloads (or not), then solves a small LP. */
function script(preload: 'yes' | 'no' | 'broken'): string {
  return `
import fs from 'node:fs';
let wasmReads = 0;
const readFileSync = fs.readFileSync;
fs.readFileSync = (file, ...rest) => {
  if (String(file).endsWith('highs.wasm')) wasmReads++;
  return readFileSync(file, ...rest);
};
const { preloadHighs, preloadedHighs } = await import(${JSON.stringify(`${ROOT}dist/solver/highs-preload.js`)});
const { highsRuntime } = await import(${JSON.stringify(`${ROOT}dist/solver/highs-runtime.js`)});
${preload === 'broken' ? "const compile = WebAssembly.compile; WebAssembly.compile = () => Promise.reject(new Error('no'));" : ''}
${preload !== 'no' ? 'preloadHighs();' : ''}
const readsAfterPreload = wasmReads;
const preloaded = await preloadedHighs();
const highs = await highsRuntime();
const result = highs.solve('Maximize\\n obj: x + 2 y\\nSubject To\\n c: x + y <= 4\\nBounds\\n 0 <= x <= 3\\n 0 <= y <= 1\\nEnd');
console.log(JSON.stringify({ readsAfterPreload, reads: wasmReads, preloaded: preloaded instanceof WebAssembly.Module, status: result.Status, objective: result.ObjectiveValue }));
`;
}

async function probe(preload: 'yes' | 'no' | 'broken') {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script(preload)], { cwd: ROOT, timeout: 30_000 });
  return JSON.parse(stdout.trim()) as { readsAfterPreload: number; reads: number; preloaded: boolean; status: string; objective: number };
}

describe('HiGHS compiled ahead of its first use', () => {
  it('reads highs.wasm once, at the preload, and the runtime it makes solves', async () => {
    const out = await probe('yes');
    expect(out).toEqual({ readsAfterPreload: 1, reads: 1, preloaded: true, status: 'Optimal', objective: 5 });
  });

  it('without a preload, the loader reads the binary itself, with the same result', async () => {
    const out = await probe('no');
    expect(out).toEqual({ readsAfterPreload: 0, reads: 1, preloaded: false, status: 'Optimal', objective: 5 });
  });

  it('a preload that fails leaves the loader to compile it', async () => {
    const out = await probe('broken');
    expect(out).toEqual({ readsAfterPreload: 1, reads: 2, preloaded: false, status: 'Optimal', objective: 5 });
  });
});
