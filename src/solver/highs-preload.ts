/**
 * HiGHS's WebAssembly compiled ahead of its use (Node only). A command that will clear calls
 * `preloadHighs()` first: the 3.5 MB binary is read at once and compiled on V8's background
 * threads while the command loads its own modules and reads its input; `highsRuntime()`
 * (highs-runtime.ts) then instantiates the compiled module instead of reading and compiling it
 * when the first clearing needs it (about 60 ms of a seed-case `clear`, most of it waited for).
 *
 * This module imports nothing, so that the command line can load it before anything else.
 * Where there is no Node (a web page), or the binary cannot be found, nothing is preloaded and
 * the runtime loads as it would have.
 */
let compiled: Promise<WebAssembly.Module> | undefined;

/**
 * WebAssembly's `compile` and `instantiate`, which the project's type libraries (no DOM) declare
 * as types only (highs-runtime.ts instantiates with it too).
 */
export const wasm = (globalThis as unknown as { WebAssembly?: { compile(bytes: Uint8Array): Promise<WebAssembly.Module>; instantiate(module: WebAssembly.Module, imports: unknown): Promise<object> } }).WebAssembly;

export function preloadHighs(): void {
  if (compiled) return;
  const fs = globalThis.process?.getBuiltinModule?.('node:fs') as typeof import('node:fs') | undefined;
  if (!fs || !wasm || typeof import.meta.resolve !== 'function') return;
  try {
    const compiling = wasm.compile(fs.readFileSync(new URL(import.meta.resolve('highs/runtime'))));
    // A failure is the loader's to report, when it compiles the binary itself.
    compiling.catch(() => undefined);
    compiled = compiling;
  } catch {
    compiled = undefined;
  }
}

/** The module `preloadHighs()` compiled, or undefined (not preloaded, or it failed). */
export async function preloadedHighs(): Promise<WebAssembly.Module | undefined> {
  return compiled?.catch(() => undefined);
}
