#!/usr/bin/env node
// Entry point of the `p2pmarket` command: the compiled package's command line (dist/bin/, built
// by `npm ci` or `npm run build`: a few bundled ES modules, see scripts/build.mjs). In a checkout
// without it, the TypeScript sources through tsx (a development dependency), so that the command
// still runs — slower to start.
import { existsSync } from 'node:fs';

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
