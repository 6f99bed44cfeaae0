#!/usr/bin/env node
// Entry point of the `p2pmarket` command. The sources are TypeScript; tsx compiles them
// on the fly, so `npx p2pmarket` works right after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
