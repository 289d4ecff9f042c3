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
  return `shard-g${generation}-${fromId}-c${changeId}.bin`;
}

// A shard file: "RSX" and a format byte, the length of a JSON header (ids, documents' facts, vocabulary,
// array lengths), the header, then the typed arrays as they are in memory (little-endian), each on a
// 4-byte boundary. Reading it is one JSON.parse and a few copies: no per-posting objects.
const MAGIC = 'RSX';
const ARRAYS = ['df', 'offsets', 'postings', 'lengths'] as const;

interface ShardHeader extends Omit<ShardFile, (typeof ARRAYS)[number]> {
  lengths: Record<(typeof ARRAYS)[number], number>;
}

const align4 = (n: number) => (n + 3) & ~3;

export function encodeShardFile(shard: ShardFile): Buffer {
  const { df, offsets, postings, lengths, ...rest } = shard;
  const arrays = { df, offsets, postings, lengths };
  const header: ShardHeader = { ...rest, lengths: { df: df.length, offsets: offsets.length, postings: postings.length, lengths: lengths.length } };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  let size = align4(8 + json.length);
  for (const name of ARRAYS) size += align4(arrays[name].byteLength);
  const out = Buffer.alloc(size);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt8(SHARD_FORMAT, 3);
  out.writeUInt32LE(json.length, 4);
  json.copy(out, 8);
  let at = align4(8 + json.length);
  for (const name of ARRAYS) {
    const array = arrays[name];
    Buffer.from(array.buffer, array.byteOffset, array.byteLength).copy(out, at);
    at += align4(array.byteLength);
  }
  return out;
}

export function decodeShardFile(data: Buffer, name = 'shard'): ShardFile {
  if (data.length < 8 || data.toString('latin1', 0, 3) !== MAGIC) throw new Error(`${name} is not a shard file`);
  const format = data.readUInt8(3);
  if (format !== SHARD_FORMAT) throw new Error(`shard ${name} has format ${format}, expected ${SHARD_FORMAT}`);
  const jsonLength = data.readUInt32LE(4);
  const header = JSON.parse(data.toString('utf8', 8, 8 + jsonLength)) as ShardHeader;
  let at = align4(8 + jsonLength);
  // Copied into fresh, aligned buffers: the file's buffer may be pooled or unaligned.
  const take = <T extends Int32Array | Uint16Array>(make: (n: number) => T, length: number): T => {
    const array = make(length);
    const bytes = array.byteLength;
    if (at + bytes > data.length) throw new Error(`shard ${name} is truncated`);
    Buffer.from(array.buffer, array.byteOffset, bytes).set(data.subarray(at, at + bytes));
    at += align4(bytes);
    return array;
  };
  const df = take((n) => new Int32Array(n), header.lengths.df);
  const offsets = take((n) => new Int32Array(n), header.lengths.offsets);
  const postings = take((n) => new Int32Array(n), header.lengths.postings);
  const lengths = take((n) => new Uint16Array(n), header.lengths.lengths);
  const { lengths: _counts, ...rest } = header;
  return { ...rest, format, df, offsets, postings, lengths };
}

export function writeShardFile(dir: string, name: string, shard: ShardFile): void {
  writeAtomically(path.join(dir, name), encodeShardFile(shard));
}

export function readShardFile(dir: string, name: string): ShardFile {
  return decodeShardFile(fs.readFileSync(path.join(dir, name)), name);
}

/** Removes shard files no manifest names any more (older generations, replaced ranges). */
export function removeUnusedShards(dir: string, manifest: Manifest): void {
  const used = new Set(manifest.shards.map((s) => s.file));
  for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    if (name.startsWith('shard-') && !used.has(name)) fs.rmSync(path.join(dir, name), { force: true });
  }
}
