#!/usr/bin/env node
// Entry point of the `p2pmarket` command. The sources are TypeScript; tsx compiles them
// on the fly, so `npx p2pmarket` works right after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
// A reader that stops early (`p2pmarket … | head`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
