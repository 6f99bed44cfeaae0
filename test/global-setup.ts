/**
 * Before any test: the compiled package (dist/) is built from the sources as they are, so that
 * the tests that spawn the real command (bin/p2pmarket.js runs dist/) test this code, not an
 * earlier build. Incremental: a build with nothing changed takes a second or two.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  execFileSync(process.execPath, [fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url)), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
}
