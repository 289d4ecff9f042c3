// The search worker thread: holds the index, answers queries, follows the change log, and asks the build
// worker for shards. Queries never run on the request thread, and builds never run on this one.
import fs from 'node:fs';
import path from 'node:path';
import { parentPort, workerData, type Worker } from 'node:worker_threads';
import { startTypeScriptWorker } from '../../lib/workers.ts';
import { latestChangeId, maxQuestionId, openReadOnly, shardRanges } from './build.ts';
import type { BuildRequest } from './build-worker.ts';
import { settingDefinitions } from '../settings/definitions.ts';
import { loadDocuments, withOriginals } from './documents.ts';
import { collectGarbageAbove } from './memory.ts';
import { SearchIndex, type SearchOptions } from './engine.ts';
import { SHARD_FORMAT, Shard } from './shard.ts';
import { readManifest, readShardFile, removeUnusedShards, writeManifest, type Manifest, type ManifestShard } from './store.ts';

export interface WorkerConfig {
  databasePath: string;
  dir: string;
  shardSize: number;
  /** How often the change log is read, in milliseconds. */
  pollMs: number;
  /** Changed documents held in the small live index before their shard is rebuilt. */
  compactAt: number;
}

export type WorkerRequest =
  | { id: number; type: 'search'; options: SearchOptions }
  | { id: number; type: 'status' }
  | { id: number; type: 'sync' }
  | { id: number; type: 'stop' };

export interface WorkerStatus {
  ready: boolean;
  documents: number;
  shards: number;
  delta: number;
  appliedChangeId: number;
  generation: number;
  building: boolean;
  loadMs: number | null;
}

const config = workerData as WorkerConfig;
const sqlite = openReadOnly(config.databasePath);
let index = new SearchIndex();
/** Latest change-log id seen per question, to know when a rebuilt shard has caught up with it. */
const lastChange = new Map<number, number>();
let manifest: Manifest = { format: 0, generation: 0, shardSize: config.shardSize, shards: [] };
let appliedChangeId = 0;
let ready = false;
let loadMs: number | null = null;
let building = false;
let synonymsRaw = '';

// The build worker's heap is capped: a shard's build holds about 200 MiB at its peak (5,000 questions at
// 100,000, measured), but V8 lets garbage pile up in an uncapped heap (900 MiB over a full build, measured)
// while this worker holds the shards already built. A shard that does need more (posts at every term cap)
// is built again by an uncapped build worker rather than failing.
const BUILD_HEAP_MB = 320;
let builder: Worker | undefined;
let builderCapped = true;
let buildSeq = 0;
const builds = new Map<number, { request: BuildRequest; resolve: (s: ManifestShard) => void; reject: (e: Error) => void }>();

function buildWorker(): Worker {
  if (!builder) {
    const worker = startTypeScriptWorker(
      new URL('./build-worker.ts', import.meta.url),
      { databasePath: config.databasePath },
      builderCapped ? { maxOldGenerationSizeMb: BUILD_HEAP_MB } : undefined,
    );
    worker.on('message', (message: { id: number; shard?: ManifestShard; error?: string }) => {
      const pending = builds.get(message.id);
      builds.delete(message.id);
      if (message.error || !message.shard) pending?.reject(new Error(message.error ?? 'build failed'));
      else pending?.resolve(message.shard);
    });
    worker.on('error', (error: Error & { code?: string }) => {
      if (builder === worker) builder = undefined;
      const pending = [...builds.values()];
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY' && builderCapped) {
        builderCapped = false;
        for (const build of pending) buildWorker().postMessage(build.request);
        return;
      }
      builds.clear();
      for (const build of pending) build.reject(error);
    });
    worker.unref();
    builder = worker;
  }
  return builder;
}

/** Lets the build worker exit between builds: its heap is given back rather than kept for the next one. */
function stopBuildWorker(): void {
  if (builds.size > 0 || !builder) return;
  void builder.terminate();
  builder = undefined;
  builderCapped = true;
}

function build(fromId: number, toId: number, generation: number): Promise<ManifestShard> {
  return new Promise((resolve, reject) => {
    const id = ++buildSeq;
    const request: BuildRequest = { id, dir: config.dir, generation, fromId, toId };
    builds.set(id, { request, resolve, reject });
    buildWorker().postMessage(request);
  });
}

// Garbage left by loading shards (each file's text and parsed objects) is collected once it reaches this.
const LOAD_GARBAGE_MIB = 192;

function loadShard(entry: ManifestShard): Shard {
  const shard = Shard.fromFile(readShardFile(config.dir, entry.file));
  collectGarbageAbove(LOAD_GARBAGE_MIB);
  return shard;
}

/** Loads the persisted index; when there is none (or it is of another format), builds it range by range. */
async function loadOrBuild(): Promise<void> {
  const started = performance.now();
  const persisted = readManifest(config.dir);
  let loaded = false;
  if (persisted && persisted.shardSize === config.shardSize) {
    try {
      index.setShards(persisted.shards.map(loadShard));
      manifest = persisted;
      loaded = true;
    } catch (error) {
      // A missing or damaged shard file: the index is a cache of the database, so it is built again.
      parentPort!.postMessage({ type: 'log', level: 'error', message: `search index unreadable, rebuilding: ${(error as Error).message}` });
    }
  }
  if (!loaded) {
    manifest = { format: SHARD_FORMAT, generation: (persisted?.generation ?? 0) + 1, shardSize: config.shardSize, shards: [] };
    building = true;
    const shards: Shard[] = [];
    for (const range of shardRanges(maxQuestionId(sqlite), config.shardSize)) {
      const entry = await build(range.fromId, range.toId, manifest.generation);
      manifest.shards.push(entry);
      shards.push(loadShard(entry));
      index.setShards(shards);
    }
    building = false;
    stopBuildWorker();
    writeManifest(config.dir, manifest);
    removeUnusedShards(config.dir, manifest);
  }
  appliedChangeId = earliestChangeId(manifest);
  loadMs = performance.now() - started;
}

/** Where to start following the change log: the oldest position any shard reflects (0 without shards). */
function earliestChangeId(of: Manifest): number {
  return of.shards.length ? Math.min(...of.shards.map((s) => s.changeId)) : 0;
}

function shardFor(questionId: number): ManifestShard | undefined {
  return manifest.shards.find((s) => questionId >= s.fromId && questionId <= s.toId);
}

/** Reads new change-log rows and puts the current version of each changed question in the live index. */
function followChanges(): void {
  const rows = sqlite.prepare('select id, question_id as questionId from search_changes where id > ? order by id limit 20000').all(appliedChangeId) as {
    id: number;
    questionId: number;
  }[];
  if (rows.length === 0) return;
  const ids = new Set<number>();
  for (const row of rows) {
    const shard = shardFor(row.questionId);
    if (shard && shard.changeId >= row.id) continue; // the shard already has this change
    lastChange.set(row.questionId, row.id);
    ids.add(row.questionId);
  }
  if (ids.size > 0) {
    // A duplicate's title is also indexed on its original (alternate titles): its change is the original's too.
    const touched = withOriginals(sqlite, [...ids]);
    for (const id of touched) if (!ids.has(id)) lastChange.set(id, Math.max(lastChange.get(id) ?? 0, rows[rows.length - 1].id));
    const docs = loadDocuments(sqlite, touched);
    const live = new Set(docs.map((d) => d.meta.id));
    index.applyChanges(docs, touched.filter((id) => !live.has(id)));
  }
  appliedChangeId = rows[rows.length - 1].id;
}

/** When the live index grows, rebuilds the range with most changes in the build worker and swaps it in. */
async function compact(): Promise<void> {
  if (building || index.deltaSize < config.compactAt) return;
  building = true;
  try {
    const perRange = new Map<number, number>();
    for (const id of lastChange.keys()) {
      const fromId = Math.floor((id - 1) / config.shardSize) * config.shardSize + 1;
      perRange.set(fromId, (perRange.get(fromId) ?? 0) + 1);
    }
    const [fromId] = [...perRange].sort((a, b) => b[1] - a[1])[0] ?? [];
    if (fromId === undefined) return;
    const entry = await build(fromId, fromId + config.shardSize - 1, manifest.generation);
    const shard = loadShard(entry);
    index.replaceShard(shard, (id) => (lastChange.get(id) ?? 0) <= entry.changeId);
    for (const [id, change] of lastChange) if (id >= entry.fromId && id <= entry.toId && change <= entry.changeId) lastChange.delete(id);
    manifest = { ...manifest, shards: [...manifest.shards.filter((s) => s.fromId !== entry.fromId), entry].sort((a, b) => a.fromId - b.fromId) };
    writeManifest(config.dir, manifest);
    removeUnusedShards(config.dir, manifest);
  } finally {
    building = false;
    stopBuildWorker();
  }
}

/** A `resuelto reindex` in another process writes a new generation: load it. */
function followReindex(): void {
  const persisted = readManifest(config.dir);
  if (!persisted || persisted.generation <= manifest.generation || building) return;
  const fresh = new SearchIndex();
  fresh.setShards(persisted.shards.map(loadShard));
  manifest = persisted;
  index = fresh;
  synonymsRaw = '\u0000'; // forces the synonyms onto the new index
  lastChange.clear();
  appliedChangeId = earliestChangeId(manifest);
}

function followSynonyms(): void {
  const row = sqlite.prepare("select value from settings where key = 'searchSynonyms'").get() as { value: string } | undefined;
  const raw = row ? (JSON.parse(row.value) as string) : settingDefinitions.searchSynonyms.default;
  if (raw === synonymsRaw) return;
  synonymsRaw = raw;
  index.setSynonyms(raw.split('\n').map((line) => line.split(/[,=;]/).map((w) => w.trim()).filter(Boolean)).filter((g) => g.length > 1));
}

function status(): WorkerStatus {
  return {
    ready,
    documents: index.documentCount,
    shards: index.shardList.length,
    delta: index.deltaSize,
    appliedChangeId,
    generation: manifest.generation,
    building,
    loadMs,
  };
}

let timer: NodeJS.Timeout | undefined;
function tick(): void {
  try {
    followReindex();
    followSynonyms();
    followChanges();
    void compact().catch((error: Error) => parentPort!.postMessage({ type: 'log', level: 'error', message: `shard rebuild failed: ${error.message}` }));
  } catch (error) {
    parentPort!.postMessage({ type: 'log', level: 'error', message: `search follow failed: ${(error as Error).message}` });
  }
}

parentPort!.on('message', (request: WorkerRequest) => {
  switch (request.type) {
    case 'search': {
      try {
        parentPort!.postMessage({ id: request.id, result: index.search(request.options) });
      } catch (error) {
        parentPort!.postMessage({ id: request.id, error: (error as Error).message });
      }
      return;
    }
    case 'status':
      parentPort!.postMessage({ id: request.id, result: status() });
      return;
    case 'sync':
      // Catch up with the change log now (tests and the CLI use it to wait for freshness).
      if (ready) {
        followReindex();
        followSynonyms();
        followChanges();
      }
      parentPort!.postMessage({ id: request.id, result: { ...status(), latestChangeId: latestChangeId(sqlite) } });
      return;
    case 'stop':
      if (timer) clearInterval(timer);
      void builder?.terminate();
      sqlite.close();
      parentPort!.postMessage({ id: request.id, result: null });
      return;
  }
});

fs.mkdirSync(path.resolve(config.dir), { recursive: true });
loadOrBuild()
  .then(() => {
    followSynonyms();
    followChanges();
    ready = true;
    parentPort!.postMessage({ type: 'ready', status: status() });
    timer = setInterval(tick, config.pollMs);
  })
  .catch((error: Error) => parentPort!.postMessage({ type: 'log', level: 'error', message: `search index could not start: ${error.stack ?? error.message}` }));
