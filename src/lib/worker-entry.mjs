// Entry point of every worker thread: registers tsx (as bin/resuelto.js does) and loads the TypeScript module
// named in workerData. Node 20 does not apply a parent's --import loader to worker threads.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.__module);
