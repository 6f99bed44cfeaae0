/** What a sweep worker thread runs: one chunk of a sweep (run.ts). Bundled to plain JavaScript for the workers. */
import { runChunk, type ChunkTask } from './run.ts';

export default function task(chunk: ChunkTask) {
  return runChunk(chunk);
}
