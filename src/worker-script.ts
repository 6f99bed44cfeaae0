/**
 * The script a worker thread runs (a sweep's chunks, a distributed worker's chunks). From the
 * compiled package, the task's own module beside the caller: in the library (dist/sweep/,
 * dist/distributed/, built by tsc) its compiled module; in the command's bundle (dist/bin/, see
 * scripts/build.mjs) the entry of that name, which sits beside every chunk. From the TypeScript sources (tests, a
 * checkout before `npm run build`), compiling them with tsx in every thread costs about two
 * seconds a thread, so the task (and what it imports) is bundled once, with esbuild, into plain
 * JavaScript under node_modules/.cache/p2pmarket (where the packages it imports resolve), and
 * removed when the pool is done; should that fail, the threads compile the sources themselves
 * (`fallback`, an .mjs that registers tsx).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface WorkerScript {
  url: string;
  dispose: () => void;
}

/**
 * `caller` is the calling module's `import.meta.url`; `task` the task module's path beside it
 * without its extension (`./worker-task`); `fallback` the .mjs beside it for sources.
 */
export async function workerScript(caller: string, task: string, fallback: string): Promise<WorkerScript> {
  if (caller.endsWith('.js')) return { url: new URL(`${task}.js`, caller).href, dispose: () => undefined };
  const entry = fileURLToPath(new URL(`${task}.ts`, caller));
  const cacheDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', '.cache', 'p2pmarket');
  const file = join(cacheDir, `worker-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}.mjs`);
  try {
    const { buildSync } = await import('esbuild');
    mkdirSync(cacheDir, { recursive: true });
    buildSync({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outfile: file, logLevel: 'silent' });
    return { url: pathToFileURL(file).href, dispose: () => rmSync(file, { force: true }) };
  } catch {
    return { url: new URL(fallback, caller).href, dispose: () => undefined };
  }
}
