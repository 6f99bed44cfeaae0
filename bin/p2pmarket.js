#!/usr/bin/env node
// Entry point of the `p2pmarket` command: the compiled package's command line (dist/bin/, built
// by `npm ci` or `npm run build`: a few bundled ES modules, see scripts/build.mjs). In a checkout
// without it, the TypeScript sources through tsx (a development dependency), so that the command
// still runs — slower to start.
import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

// HiGHS is WebAssembly: V8 runs it first as quickly compiled (Liftoff) code and recompiles the
// functions that grow hot with its optimising compiler. A run of the command is short for that
// trade: the recompilation, on another thread, costs more CPU than it saves (measured on the
// seed's clear, study B's 201 clearings and the 33-bus day: 15–25 % less CPU with this budget).
// A larger tiering budget recompiles only what stays hot for longer. Set before any WebAssembly is
// compiled (highs loads when a command first solves); it changes speed, never results.
setFlagsFromString('--wasm-tiering-budget=50000000');

// The bundle is minified (scripts/build.mjs); a debugging run's stack traces name the sources.
if (process.env.P2PMARKET_DEBUG) process.setSourceMapsEnabled(true);

// A reader that stops early (`p2pmarket … | head`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}
const compiled = new URL('../dist/bin/main.js', import.meta.url);
let main;
if (existsSync(compiled)) {
  ({ main } = await import(compiled.href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv);
