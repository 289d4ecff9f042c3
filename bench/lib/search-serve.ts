// Bench helper: the real forum (buildApp, production mode, silent logs) on an existing database given by
// DATABASE_PATH, listening on 127.0.0.1 at a free port as soon as it can, without waiting for its search
// index (bench/lib/serve-forum.ts waits for it; the search benchmark measures requests while it builds).
// Run as a child process by bench/lib/search-server.ts; prints {"port":N} on stdout once it listens.
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { openDatabase } from '../../src/db/client.ts';

if (!process.env.DATABASE_PATH) {
  console.error('search-serve: set DATABASE_PATH');
  process.exit(2);
}

const config = loadConfig({ ...process.env, NODE_ENV: 'production', LOG_LEVEL: process.env.LOG_LEVEL || 'silent', HOST: '127.0.0.1', PORT: '0' });
const db = openDatabase(config.databasePath);
const app = await buildApp(config, { db });

let closing = false;
async function shutdown(): Promise<void> {
  if (closing) return;
  closing = true;
  await app.close().catch(() => {});
  if (db.$client.open) db.$client.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
process.on('disconnect', () => void shutdown()); // the bench process went away

await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
if (address === null || typeof address === 'string') throw new Error('unexpected server address');
process.stdout.write(JSON.stringify({ port: address.port }) + '\n');
