// Owns building shards from the database: one id range at a time, so memory stays bounded by the shard
// size whatever the size of the forum. Runs in a worker thread (build-worker.ts) or in the CLI.
import Database from 'better-sqlite3';
import { loadDocumentsInRange } from './documents.ts';
import { shardFile } from './shard.ts';
import { shardFileName, writeShardFile, type ManifestShard } from './store.ts';

export const DEFAULT_SHARD_SIZE = 5_000;

export function openReadOnly(databasePath: string): Database.Database {
  const sqlite = new Database(databasePath, { readonly: true, fileMustExist: true });
  sqlite.pragma('busy_timeout = 5000');
  return sqlite;
}

export function latestChangeId(sqlite: Database.Database): number {
  return (sqlite.prepare('select coalesce(max(id), 0) as id from search_changes').get() as { id: number }).id;
}

export function maxQuestionId(sqlite: Database.Database): number {
  return (sqlite.prepare('select coalesce(max(id), 0) as id from questions').get() as { id: number }).id;
}

/** The id ranges that cover every question: [1, size], [size + 1, 2 size], ... */
export function shardRanges(maxId: number, size: number): { fromId: number; toId: number }[] {
  const ranges = [];
  for (let fromId = 1; fromId <= Math.max(maxId, 1); fromId += size) ranges.push({ fromId, toId: fromId + size - 1 });
  return ranges;
}

/**
 * Builds the shard of one id range and writes it. The change-log position is read before the
 * documents, so a change that lands while building is replayed afterwards rather than lost.
 */
export function buildShard(sqlite: Database.Database, dir: string, generation: number, fromId: number, toId: number): ManifestShard {
  const changeId = latestChangeId(sqlite);
  const docs = loadDocumentsInRange(sqlite, fromId, toId);
  const file = shardFileName(generation, fromId, changeId);
  writeShardFile(dir, file, shardFile(docs, fromId, toId, changeId));
  return { file, fromId, toId, changeId, documents: docs.length };
}
