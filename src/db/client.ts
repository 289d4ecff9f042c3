// Owns the database connection: opens SQLite with the forum's pragmas, wraps it in drizzle, applies migrations.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema.ts';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export const MIGRATIONS_FOLDER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

/** Opens (creating file and folder when missing) and migrates the database. */
export function openDatabase(file: string, options: { migrate?: boolean; onStatement?: (sql: string) => void } = {}): Db {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // onStatement sees every statement run (tests count the queries of a page with it).
  const sqlite = new Database(file, options.onStatement ? { verbose: (sql) => options.onStatement!(String(sql)) } : {});
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('synchronous = NORMAL');
  const db = drizzle(sqlite, { schema }) as Db;
  if (options.migrate !== false) migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  return db;
}

export function closeDatabase(db: Db): void {
  if (db.$client.open) db.$client.close();
}
