// Owns the content version: the last id of the search change log, which every write that changes what
// pages show appends to (questions, answers, edits, votes, accepts, comments, deletions), in any process.
//
// Asked on every signed-out page view (page-cache.ts), so it is read from the database at most every
// RECHECK_MS: a write of this process marks it stale at once (logSearchChange calls contentChanged), a write
// of another process (the CLI importer) is seen within RECHECK_MS.
import type Database from 'better-sqlite3';
import type { Db } from '../../db/client.ts';

const RECHECK_MS = 100;

interface Known {
  statement: Database.Statement;
  value: number;
  at: number;
  writes: number;
}

const known = new WeakMap<Db, Known>();
/** Writes made by this process, of any database. */
let localWrites = 0;

/** Called by every write of the change log, inside its transaction. */
export function contentChanged(): void {
  localWrites++;
}

export function contentVersion(db: Db, now = Date.now()): number {
  let state = known.get(db);
  if (!state) {
    state = { statement: db.$client.prepare('select coalesce(max(id), 0) as v from search_changes').pluck(), value: 0, at: -Infinity, writes: -1 };
    known.set(db, state);
  }
  if (state.writes !== localWrites || now - state.at >= RECHECK_MS) {
    state.writes = localWrites;
    state.at = now;
    state.value = state.statement.get() as number;
  }
  return state.value;
}

/** What the change log says changed between two content versions: the questions, and the tags they carry now. */
export interface ContentChanges {
  questionIds: Set<number>;
  tags: Set<string>;
}

const changeReaders = new WeakMap<Db, { questions: Database.Statement; tags: Database.Statement }>();

/** The changes after version `from` up to `to`; undefined when there are more than `max` questions (drop everything). */
export function changesSince(db: Db, from: number, to: number, max = 500): ContentChanges | undefined {
  let readers = changeReaders.get(db);
  if (!readers) {
    readers = {
      questions: db.$client.prepare('select distinct question_id from search_changes where id > ? and id <= ? limit ?').pluck(),
      tags: db.$client.prepare('select t.name from question_tags qt join tags t on t.id = qt.tag_id where qt.question_id = ?').pluck(),
    };
    changeReaders.set(db, readers);
  }
  const ids = readers.questions.all(from, to, max + 1) as number[];
  if (ids.length > max) return undefined;
  const tags = new Set<string>();
  for (const id of ids) for (const name of readers.tags.all(id) as string[]) tags.add(name);
  return { questionIds: new Set(ids), tags };
}
