#!/usr/bin/env node
/**
 * The build (`npm run build`, and `prepare`, so `npm ci` leaves the package runnable):
 *
 * 1. tsc -p tsconfig.build.json: the library, dist/index.js and its modules with their type
 *    declarations (`import … from 'p2pmarket'`), incremental;
 * 2. esbuild: the command line as a few ES modules in dist/bin/ — an entry for the command
 *    (main.js) and for each worker-thread script (worker-task.js, chunk-thread.js), the
 *    commands' modules as chunks shared between them, loaded when a command runs. The
 *    packages that start threads or find files beside their own code (highs and its .wasm,
 *    piscina, bullmq, ioredis), and the figures' vega, stay outside, loaded from node_modules.
 *    A process then resolves and compiles a handful of files instead of a few hundred.
 *
 * The worker scripts sit beside the chunks, where `workerScript(import.meta.url, './worker-task')`
 * looks for them; dist/bin/ is two levels below the package, as dist/cli/ is, so paths the
 * sources build from import.meta.url (../../schema, ../../node_modules/.cache) still hold.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });

const { build } = await import('esbuild');
const outdir = `${root}dist/bin`;
rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { main: 'src/cli/main.ts', 'worker-task': 'src/sweep/worker-task.ts', 'chunk-thread': 'src/distributed/chunk-thread.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: '[name]-[hash]',
  // A package's ES modules where it names them ("module"): jsonc-parser's "main" is a UMD build
  // whose require() calls are made at run time, which a bundle cannot follow.
  mainFields: ['module', 'main'],
  external: ['highs', 'piscina', 'bullmq', 'ioredis', 'vega', 'vega-lite', 'esbuild', 'tsx', 'tsx/*'],
  // The CommonJS packages bundled in call require() for Node's own modules.
  banner: { js: "import { createRequire as __p2pCreateRequire } from 'node:module'; const require = __p2pCreateRequire(import.meta.url);" },
  // rxjs's ES modules (its "es2015" build), which esbuild can shake down to the Subject the
  // event loops use, instead of the CommonJS build (every operator) that the "node" condition names.
  plugins: [
    { name: 'rxjs-es2015', setup: (b) => b.onResolve({ filter: /^rxjs$/ }, () => ({ path: require.resolve('rxjs').replace(/dist[\\/]cjs[\\/]index\.js$/, 'dist/esm/index.js') })) },
    // zod's `z` namespace carries every locale's messages (`z.locales`, 64 modules, half of zod's
    // size); the sources use none but English, which zod configures itself (classic/external.js
    // imports locales/en.js directly). `z.locales` holds `en` alone in the command's bundle.
    { name: 'zod-english', setup: (b) => b.onLoad({ filter: /zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (args) => ({ contents: 'export { default as en } from "./en.js";', resolveDir: dirname(args.path) })) },
  ],
  legalComments: 'none',
  // Minified: V8 compiles half the bytes at every start (the seed's clear measured 50 ms faster,
  // about a tenth of it). The source maps beside the chunks give P2PMARKET_DEBUG=1's stack traces
  // the sources' names and lines (bin/p2pmarket.js turns them on only then).
  minify: !process.env.P2PMARKET_NO_MINIFY,
  sourcemap: 'linked',
  logLevel: 'warning',
});
