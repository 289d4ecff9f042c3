// Bench helper: the real forum (buildApp) in production mode with silent logs, on a database path given
// by DATABASE_PATH (the bench passes a fresh temp file). Run as a child process by bench/lib/servers.ts;
// prints {"port":N} on stdout once it listens.
//
// Optional BENCH_FORUM_SEED: path to a module whose default export `(db: Db) => void | Promise<void>`
// fills the database before the server listens (for benchmarks of thread pages and the like).
import fs from 'node:fs';
import os from 'node:os';
import v8 from 'node:v8';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { openDatabase, type Db } from '../../src/db/client.ts';

if (!process.env.DATABASE_PATH) {
  console.error('serve-forum: set DATABASE_PATH (a throwaway database file)');
  process.exit(2);
}

const config = loadConfig({
  ...process.env,
  NODE_ENV: 'production',
  LOG_LEVEL: process.env.LOG_LEVEL || 'silent',
  HOST: '127.0.0.1',
  PORT: '0',
});

const db = openDatabase(config.databasePath);
if (process.env.BENCH_FORUM_SEED) {
  const mod = (await import(pathToFileURL(path.resolve(process.env.BENCH_FORUM_SEED)).href)) as {
    default: (db: Db) => void | Promise<void>;
  };
  await mod.default(db);
}

const app = await buildApp(config, { db });
await app.ready();
// Let the search worker finish loading or building its index first, so that it does not compete with
// the requests being measured.
const search = (app as unknown as { searchIndex?: { sync?: (timeoutMs?: number) => Promise<unknown> } }).searchIndex;
if (typeof search?.sync === 'function') await search.sync(300_000);

let closing = false;
async function shutdown(orphaned = false): Promise<void> {
  if (closing) return;
  closing = true;
  await app.close().catch(() => {});
  if (db.$client.open) db.$client.close();
  // The bench process died without stopping us: remove the throwaway folder it made (only that one).
  const tempDir = process.env.BENCH_TEMP_DIR;
  if (orphaned && tempDir && path.basename(tempDir).startsWith('resuelto-bench-forum-') && path.dirname(config.databasePath) === tempDir) {
    fs.rmSync(tempDir, { recursive: true, force: true });
  }
  process.exit(0); // a clean exit, so that --cpu-prof can write its profile
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
process.on('disconnect', () => void shutdown(true)); // the bench process went away
// The bench asks for memory figures (soak) and heap snapshots (what holds memory after a load run).
process.on('message', async (message: { id: number; ask: 'memory' | 'heap-snapshot' | 'gc'; dir?: string }) => {
  const answer = (value: unknown) => process.send?.({ id: message.id, value });
  if (message.ask === 'memory') {
    const search = await app.searchIndex.status().catch(() => undefined);
    answer({ ...process.memoryUsage(), pageCache: app.pageCache.stats, searchHeapUsed: search?.heapUsed ?? 0, searchHeapTotal: search?.heapTotal ?? 0, searchDelta: search?.delta ?? 0 });
  } else if (message.ask === 'gc') {
    (globalThis as { gc?: () => void }).gc?.();
    answer(process.memoryUsage());
  } else if (message.ask === 'heap-snapshot') {
    answer(v8.writeHeapSnapshot(path.join(message.dir ?? os.tmpdir(), `forum-${process.pid}-${Date.now()}.heapsnapshot`)));
  }
});

await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
if (address === null || typeof address === 'string') throw new Error('unexpected server address');
process.stdout.write(JSON.stringify({ port: address.port }) + '\n');
