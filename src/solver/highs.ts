/**
 * The HiGHS backend: the `highs` package (HiGHS compiled to WebAssembly), loaded once per
 * process, used through its structured persistent API. Its sessions solve linear models with
 * the dual simplex and quadratic ones by outer approximation (outer-approximation.ts).
 */
import type { SolverAdapter } from './adapter.ts';
import { highsRuntime } from './highs-runtime.ts';
import { HighsSession } from './outer-approximation.ts';

export { highsRuntime };

export async function createHighsAdapter(): Promise<SolverAdapter> {
  const highs = await highsRuntime();
  return { name: 'highs', quadratic: true, open: (model, near) => new HighsSession(highs, model, near) };
}

