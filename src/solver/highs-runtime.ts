/**
 * The HiGHS WebAssembly runtime, loaded once per process (or worker); from the module that
 * `preloadHighs()` compiled ahead (highs-preload.ts), if a command did.
 */
import * as highsPackage from 'highs';
import type { Highs, InitOptions } from 'highs';
import { preloadedHighs, wasm } from './highs-preload.ts';

let runtime: Promise<Highs> | undefined;

type Loader = (options?: InitOptions) => Promise<Highs>;
/**
 * The package's type declarations are read as CommonJS (its default export then sits one
 * level down), while Node loads its ES module, whose default export is the loader itself.
 */
function highsLoader(): Loader {
  const exported = highsPackage.default as unknown as Loader | { default: Loader };
  return typeof exported === 'function' ? exported : exported.default;
}

/**
 * The WebAssembly runtime, loaded once per process (or worker). `options` apply to the first
 * load only: a web page gives `locateFile`, the URL of the .wasm it serves (Node finds it itself).
 */
export function highsRuntime(options?: InitOptions): Promise<Highs> {
  runtime ??= options ? highsLoader()(options) : preloadedHighs().then((compiled) => (compiled ? fromCompiled(compiled) : highsLoader()()));
  return runtime;
}

type Instance = object;

/**
 * The runtime on an already compiled module, through Emscripten's `instantiateWasm` hook (which
 * the package's loader honours, though its types do not name it). The loader has no way to hear
 * that the instantiation failed, so the failure rejects the runtime's promise beside it.
 */
function fromCompiled(compiled: WebAssembly.Module): Promise<Highs> {
  let failed!: (reason: unknown) => void;
  const failure = new Promise<never>((_, reject) => (failed = reject));
  const hook = {
    instantiateWasm(imports: unknown, receive: (instance: Instance, module: WebAssembly.Module) => void) {
      // (A module was compiled, so this runtime has WebAssembly.)
      wasm!.instantiate(compiled, imports).then((instance) => receive(instance, compiled), failed);
      return {};
    },
  };
  return Promise.race([highsLoader()(hook as InitOptions), failure]);
}
