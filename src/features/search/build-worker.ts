// The build worker thread: builds shards on request, so no large index is ever built on a thread that
// answers requests or queries.
import { parentPort, workerData } from 'node:worker_threads';
import { buildShard, openReadOnly } from './build.ts';

export interface BuildRequest {
  id: number;
  dir: string;
  generation: number;
  fromId: number;
  toId: number;
}

const { databasePath } = workerData as { databasePath: string };
const sqlite = openReadOnly(databasePath);

parentPort!.on('message', (request: BuildRequest) => {
  try {
    const shard = buildShard(sqlite, request.dir, request.generation, request.fromId, request.toId);
    parentPort!.postMessage({ id: request.id, shard });
  } catch (error) {
    parentPort!.postMessage({ id: request.id, error: (error as Error).message });
  }
});
