/** The README's library example (examples/library.ts) runs as written, importing 'p2pmarket'. */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT, temporaryFolder } from './helpers/cli.ts';

const { workDir } = temporaryFolder('p2pmarket-library-');

it('runs the library example: clear, AC check, files and figures, simulate, sweep', async () => {
  const out = join(workDir('example'), 'run');
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'examples', 'library.ts'), out], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (c) => resolve({ code: c, stdout, stderr }));
  });
  expect(code, stderr).toBe(0);
  expect(stdout).toMatch(/ieee33-day: optimal, objective 297457\.22/);
  expect(stdout).toMatch(/AC check: largest voltage error 0\.001\d+ p\.u\./);
  expect(stdout).toMatch(/prices unique; step 2: p0→utility 3\.95/);
  expect(stdout).toMatch(/utility: total cost 0\.00, gain -1338\.00 \(worse off\)/);
  expect(stdout).toMatch(/social welfare -958\.3\d+ against -958\.3\d+ without peer trades/);
  expect(stdout).toMatch(/simulation: optimal, 3 windows/);
  expect(stdout).toMatch(/sweep: 9 points/);
  expect(existsSync(join(out, 'index.html'))).toBe(true);
  expect(readdirSync(join(out, 'figures'))).toHaveLength(7); // with the nodal prices
}, 60_000);
