/** The disk as a file source (io/source.ts), under the size limits: what the command line and the library read by default. */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { environmentLimits, type Limits } from './limits.ts';
import { readTextFile } from './read.ts';
import type { FileSource } from './source.ts';

export function diskSource(limits: Pick<Limits, 'fileBytes'> = environmentLimits()): FileSource {
  return {
    text: (file) => readTextFile(file, limits),
    version: (file) => {
      try {
        const stat = statSync(file);
        return `${resolve(file)}:${stat.size}:${stat.mtimeMs}`;
      } catch {
        return undefined;
      }
    },
  };
}
