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
/**
 * The database holds password hashes, e-mail addresses and session hashes: only the forum's own user may read
 * it. SQLite creates the -wal, -shm and -journal files with the database file's mode, so creating that file
 * 0600 (and taking group and other bits off an older one) covers them too. The server and the CLI also set a
 * 077 umask at start, for everything else they create.
 */
export const PRIVATE_FILE_MODE = 0o600;

/** Takes group and other permissions off a file, if it exists and this process owns it. */
export function restrictToOwner(file: string): void {
  try {
    const { mode } = fs.statSync(file);
    if ((mode & 0o077) !== 0) fs.chmodSync(file, mode & 0o700);
  } catch {
    // Missing (no WAL yet) or not ours to change: nothing to do.
  }
}

export function openDatabase(file: string, options: { migrate?: boolean; onStatement?: (sql: string) => void } = {}): Db {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  if (file !== ':memory:') {
    fs.closeSync(fs.openSync(file, 'a', PRIVATE_FILE_MODE));
    for (const suffix of ['', '-wal', '-shm']) restrictToOwner(file + suffix);
  }
  // onStatement sees every statement run (tests count the queries of a page with it).
  const sqlite = new Database(file, options.onStatement ? { verbose: (sql) => options.onStatement!(String(sql)) } : {});
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('synchronous = NORMAL');
  const db = drizzle(statementCache(sqlite), { schema }) as Db;
  // Code that prepares its own statements (and sets modes on them: pluck, iterate) gets the connection itself.
  (db as { $client: Database.Database }).$client = sqlite;
  if (options.migrate !== false) migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  return db;
}

/** SQL texts whose compiled statements are kept (drizzle's `inArray` makes a text per list length: bounded). */
const MAX_STATEMENTS = 1_000;

/**
 * The connection as drizzle sees it, with its statements compiled once per SQL text. Drizzle builds the SQL of a
 * query on each call and asks better-sqlite3 to prepare it, which compiles it again: under the mixed load that
 * compiling (better-sqlite3's prepare) was the largest single cost of the request thread (7 %), on every write and
 * every page. A kept statement is handed back out of raw mode (drizzle turns raw mode on for rows it maps itself
 * and expects it off otherwise). Safe because drizzle runs a statement to completion at once (all, get, run,
 * values): nothing in this code base iterates a drizzle statement.
 */
function statementCache(sqlite: Database.Database): Database.Database {
  const kept = new Map<string, Database.Statement>();
  const prepare = (source: string) => {
    let statement = kept.get(source);
    if (statement) {
      if (statement.reader) statement.raw(false);
      return statement;
    }
    statement = sqlite.prepare(source);
    if (kept.size >= MAX_STATEMENTS) kept.delete(kept.keys().next().value!);
    kept.set(source, statement);
    return statement;
  };
  return new Proxy(sqlite, {
    get(target, property) {
      if (property === 'prepare') return prepare;
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * Writes an online, consistent copy of the database to `file` (SQLite's backup API), mode 0600 whatever
 * the umask: it holds everything the database does. An existing file is replaced.
 */
export async function writeBackup(db: Db, file: string): Promise<void> {
  fs.closeSync(fs.openSync(file, 'a', PRIVATE_FILE_MODE));
  fs.chmodSync(file, PRIVATE_FILE_MODE);
  await db.$client.backup(file);
  fs.chmodSync(file, PRIVATE_FILE_MODE);
}

export function closeDatabase(db: Db): void {
  if (db.$client.open) db.$client.close();
}
