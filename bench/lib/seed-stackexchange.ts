// Bench helper: fills the forum's database from a Stack Exchange dump (Posts.xml) before it listens.
// Used by serve-forum.ts when BENCH_FORUM_SEED points here; the dump is BENCH_SEED_FILE.
import path from 'node:path';
import type { Db } from '../../src/db/client.ts';
import { importStackExchange } from '../../src/features/import/stackexchange.ts';

export default async function seed(db: Db): Promise<void> {
  const file = process.env.BENCH_SEED_FILE;
  if (!file) throw new Error('seed-stackexchange: set BENCH_SEED_FILE to a Stack Exchange Posts.xml');
  await importStackExchange(db, path.resolve(file));
}
