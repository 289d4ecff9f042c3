// Owns the index on disk: shard files and the manifest naming them, under <data folder>/search/.
// Files are written to a temporary name and renamed, so a reader never sees half a file.
import fs from 'node:fs';
import path from 'node:path';
import { SHARD_FORMAT, type ShardFile } from './shard.ts';

export interface ManifestShard {
  file: string;
  fromId: number;
  toId: number;
  changeId: number;
  documents: number;
}

export interface Manifest {
  format: number;
  /** Increases with every full rebuild, so a running server notices `resuelto reindex`. */
  generation: number;
  shardSize: number;
  shards: ManifestShard[];
}

export function searchDirFor(databasePath: string): string {
  return path.join(path.dirname(databasePath), 'search');
}

function writeAtomically(file: string, text: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(temporary, text);
  fs.renameSync(temporary, file);
}

export function readManifest(dir: string): Manifest | undefined {
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;
    if (manifest.format !== SHARD_FORMAT || !Array.isArray(manifest.shards)) return undefined;
    return manifest;
  } catch {
    return undefined;
  }
}

export function writeManifest(dir: string, manifest: Manifest): void {
  writeAtomically(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 1));
}

export function shardFileName(generation: number, fromId: number, changeId: number): string {
  return `shard-g${generation}-${fromId}-c${changeId}.json`;
}

export function writeShardFile(dir: string, name: string, shard: ShardFile): void {
  writeAtomically(path.join(dir, name), JSON.stringify(shard));
}

export function readShardFile(dir: string, name: string): ShardFile {
  const shard = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as ShardFile;
  if (shard.format !== SHARD_FORMAT) throw new Error(`shard ${name} has format ${shard.format}, expected ${SHARD_FORMAT}`);
  return shard;
}

/** Removes shard files no manifest names any more (older generations, replaced ranges). */
export function removeUnusedShards(dir: string, manifest: Manifest): void {
  const used = new Set(manifest.shards.map((s) => s.file));
  for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    if (name.startsWith('shard-') && !used.has(name)) fs.rmSync(path.join(dir, name), { force: true });
  }
}
