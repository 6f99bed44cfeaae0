/**
 * The HiGHS backend: the `highs` package (HiGHS compiled to WebAssembly), loaded once per
 * process, used through its structured persistent API. Its sessions solve linear models with
 * the dual simplex and quadratic ones by outer approximation (outer-approximation.ts).
 */
import * as highsPackage from 'highs';
import type { Highs, InitOptions } from 'highs';
import type { SolverAdapter } from './adapter.ts';
import { HighsSession } from './outer-approximation.ts';

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
  runtime ??= highsLoader()(options);
  return runtime;
}

export async function createHighsAdapter(): Promise<SolverAdapter> {
  const highs = await highsRuntime();
  return { name: 'highs', quadratic: true, open: (model, near) => new HighsSession(highs, model, near) };
}

