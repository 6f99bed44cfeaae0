/**
 * Before any test: the compiled package (dist/) is built from the sources as they are, as
 * `npm run build` does (scripts/build.mjs: the library with tsc, the command line bundled into
 * dist/bin/), so that the tests that spawn the real command (bin/p2pmarket.js runs dist/bin/)
 * test this code, not an earlier build. Incremental: a build with nothing changed takes a few seconds.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/build.mjs', import.meta.url))], { cwd: root, stdio: 'inherit' });
}
