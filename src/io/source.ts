/**
 * Where input files come from. On the command line, the disk (io/disk-source.ts: io/read.ts's
 * rules: regular files, the size limit, UTF-8 without its byte-order mark); for a distributed
 * worker, which cannot read the submitter's disk, for a web page, which has no disk, and for
 * code that holds its inputs in memory, a map of texts by path (here). Every reader of inputs —
 * scenarios, sweeps, profiles — takes its files from a source, so that a sweep computed from
 * memory is the sweep computed from the disk. This module does no I/O.
 */
import { resolve } from 'node:path';
import { InputError } from '../errors.ts';

export interface FileSource {
  /** The text of a file, without its byte-order mark (an InputError naming the file otherwise). */
  text(file: string): string;
  /** A token that changes when the file does (for caches), or undefined when there is none. */
  version(file: string): string | undefined;
}

/** Texts held in memory, by path (resolved against the working folder, as the disk's paths are). */
export function memorySource(texts: Readonly<Record<string, string>>): FileSource {
  const byPath = new Map(Object.entries(texts).map(([path, text]) => [resolve(path), text.charCodeAt(0) === 0xfeff ? text.slice(1) : text]));
  return {
    text: (file) => {
      const text = byPath.get(resolve(file));
      if (text === undefined) throw new InputError(file, [{ path: '', message: 'file not found (not among the files given in memory)' }]);
      return text;
    },
    version: (file) => (byPath.has(resolve(file)) ? `memory:${resolve(file)}:${byPath.get(resolve(file))!.length}` : undefined),
  };
}
