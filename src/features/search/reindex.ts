// Owns a full rebuild of the index from the command line: a new generation, shard by shard, then the
// manifest; a running server notices the new generation and loads it.
import { DEFAULT_SHARD_SIZE, buildShard, maxQuestionId, openReadOnly, shardRanges } from './build.ts';
import { SHARD_FORMAT } from './shard.ts';
import { readManifest, removeUnusedShards, writeManifest, type Manifest } from './store.ts';

export function reindex(databasePath: string, dir: string, onProgress: (done: number, total: number) => void = () => undefined): Manifest {
  const sqlite = openReadOnly(databasePath);
  try {
    const generation = (readManifest(dir)?.generation ?? 0) + 1;
    const ranges = shardRanges(maxQuestionId(sqlite), DEFAULT_SHARD_SIZE);
    const manifest: Manifest = { format: SHARD_FORMAT, generation, shardSize: DEFAULT_SHARD_SIZE, shards: [] };
    ranges.forEach((range, i) => {
      manifest.shards.push(buildShard(sqlite, dir, generation, range.fromId, range.toId));
      onProgress(i + 1, ranges.length);
    });
    writeManifest(dir, manifest);
    removeUnusedShards(dir, manifest);
    return manifest;
  } finally {
    sqlite.close();
  }
}
