// The build worker thread: builds shards on request, so no large index is ever built on a thread that
// answers requests or queries.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { buildShard, openReadOnly } from './build.ts';
import { collectGarbageAbove } from './memory.ts';

export interface BuildRequest {
  id: number;
  dir: string;
  generation: number;
  fromId: number;
  toId: number;
}

const { databasePath } = workerData as { databasePath: string };

// A build is background work: on Linux this thread alone (a thread id names one thread to the
// scheduler) gets the lowest CPU priority — nice 19, and the SCHED_IDLE policy where `chrt` is there —
// so that on a small machine a full build takes only the CPU that the request thread and the search
// worker leave idle, and gives the core back as soon as a request arrives. Elsewhere: normal priority.
try {
  const threadId = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
  if (Number.isInteger(threadId) && threadId > 0) {
    os.setPriority(threadId, 19);
    try {
      execFileSync('chrt', ['--idle', '-p', '0', String(threadId)], { stdio: 'ignore', timeout: 5_000 });
    } catch {
      // no chrt: nice 19 alone
    }
  }
} catch {
  // not Linux, or not allowed: normal priority
}
const sqlite = openReadOnly(databasePath);

parentPort!.on('message', (request: BuildRequest) => {
  try {
    const shard = buildShard(sqlite, request.dir, request.generation, request.fromId, request.toId);
    parentPort!.postMessage({ id: request.id, shard });
  } catch (error) {
    parentPort!.postMessage({ id: request.id, error: (error as Error).message });
  }
  // What a build allocates is garbage once its shard is written: collected now, not during the next build.
  collectGarbageAbove(0);
});
