// Owns the content version: the last id of the search change log, which every write that changes what
// pages show appends to (questions, answers, edits, votes, accepts, comments, deletions), in any process.
import type Database from 'better-sqlite3';
import type { Db } from '../../db/client.ts';

const statements = new WeakMap<Db, Database.Statement>();

export function contentVersion(db: Db): number {
  let statement = statements.get(db);
  if (!statement) {
    statement = db.$client.prepare('select coalesce(max(id), 0) as v from search_changes').pluck();
    statements.set(db, statement);
  }
  return statement.get() as number;
}
