// Entry of a distributed worker's thread when chunk-thread.ts could not be bundled: compile the
// TypeScript sources on the fly (as bin/p2pmarket.js does).
import { register } from 'tsx/esm/api';

register();
const { computeChunk } = await import('./chunk-thread.ts');

export default (task) => computeChunk(task);
