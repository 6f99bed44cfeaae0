/**
 * Writing one output file so that nothing is ever half-written or overwritten by surprise:
 * the text goes to a temporary file beside the target (`.<name>.tmp-<pid>-<n>`), which then
 * takes the target's name in one step — by a hard link that fails when the target exists
 * (no overwrite, even against a file created meanwhile), or by a rename with `overwrite`.
 * On any error the temporary file is removed and the target is untouched.
 */
import { existsSync, linkSync, mkdirSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../errors.ts';

let counter = 0;

export function writeNewFile(file: string, text: string, options: { overwrite?: boolean } = {}): void {
  if (existsSync(file)) {
    if (statSync(file).isDirectory()) throw new InputError(file, [{ path: '', message: 'is a folder: give a file name' }]);
    if (!options.overwrite) throw new InputError(file, [{ path: '', message: 'already exists: p2pmarket does not overwrite it (--force does)' }]);
  }
  const dir = dirname(file);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new InputError(file, [{ path: '', message: `its folder cannot be made (${(e as NodeJS.ErrnoException).code})` }]);
  }
  const temporary = join(dir, `.${basename(file)}.tmp-${process.pid}-${counter++}`);
  try {
    writeFileSync(temporary, text, { flag: 'wx' });
    if (options.overwrite) renameSync(temporary, file);
    else {
      try {
        linkSync(temporary, file);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') throw new InputError(file, [{ path: '', message: 'already exists: p2pmarket does not overwrite it (--force does)' }]);
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw e;
        // A file system without hard links: the check above is the last word.
        renameSync(temporary, file);
      }
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(file, [{ path: '', message: `cannot be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` }]);
  } finally {
    rmSync(temporary, { force: true });
  }
}

/** An --out that is the input, or (without --force) any existing file, is refused before any work. */
export function refuseExisting(out: string, force: boolean | undefined, input: string): void {
  if (sameFile(out, input)) throw new InputError(out, [{ path: '--out', message: 'is the input file: p2pmarket never overwrites its input' }]);
  if (existsSync(out) && !force) throw new InputError(out, [{ path: '--out', message: 'already exists: p2pmarket does not overwrite it (--force does)' }]);
}

function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}
