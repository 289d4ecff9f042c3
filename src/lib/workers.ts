// Owns starting worker threads that run TypeScript: each loads tsx first (see worker-entry.mjs).
import { Worker } from 'node:worker_threads';

const ENTRY = new URL('./worker-entry.mjs', import.meta.url);

export function startTypeScriptWorker(module: URL, workerData: object, resourceLimits?: { maxOldGenerationSizeMb?: number }): Worker {
  return new Worker(ENTRY, { workerData: { ...workerData, __module: module.href }, resourceLimits });
}
