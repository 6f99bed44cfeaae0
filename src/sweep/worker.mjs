// Entry of a sweep worker thread: compile the TypeScript sources on the fly (as bin/p2pmarket.js
// does), then run chunks of a sweep (run.ts, runChunk).
import { register } from 'tsx/esm/api';

register();
const { runChunk } = await import('./run.ts');

export default (task) => runChunk(task);
