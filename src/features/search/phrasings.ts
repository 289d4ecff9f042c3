// Owns learned search phrasings: when a visitor searches, opens a thread and confirms it solved their problem,
// their query becomes a candidate phrasing of that thread; two distinct visitors make it indexed (search's
// `learned` field, weighted below the title), at most 20 per thread, most confirmed first. Staff see them on
// the thread and can remove one (a poisoning defence): removed, it is never indexed or learned again.
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { searchPhrasingConfirmations, searchPhrasings, users } from '../../db/schema.ts';
import { forbidden, notFound } from '../../lib/errors.ts';
import { atLeast } from '../accounts/roles.ts';
import { logSearchChange } from '../questions/service.ts';
import { PHRASING_CONFIRMATIONS, PHRASINGS_PER_THREAD } from './documents.ts';
import { isStopWord, tokenize } from './text.ts';

const PHRASE_MAX = 120;
// A search counts for the thread opened within this long after it, and the "solved" within this long after it.
const CLICK_WINDOW_MS = 30 * 60_000;
const SOLVED_WINDOW_MS = 2 * 60 * 60_000;

const EMAIL = /[^\s@]+@[^\s@]+/;
const URL_LIKE = /(?:[a-z][a-z0-9+.-]*:\/\/|www\.|\b[a-z0-9-]+\.(?:com|net|org|io|es|mx|ar|co|info|biz|dev|app)\b)/i;
// Phone, card, order and account numbers: five digits or more, even with spaces, dots or dashes between them.
const LONG_DIGITS = /\d(?:[\s.-]?\d){4,}/;

/** The phrase a query may be learned as, or null when it must never be (private data, too short or long, only stop words). */
export function learnablePhrase(query: string): string | null {
  const phrase = query.normalize('NFC').toLowerCase().replace(/\s+/g, ' ').trim();
  if (phrase.length < 3 || phrase.length > PHRASE_MAX) return null;
  if (EMAIL.test(phrase) || URL_LIKE.test(phrase) || LONG_DIGITS.test(phrase)) return null;
  if (!tokenize(phrase).some((word) => !isStopWord(word))) return null;
  return phrase;
}

/**
 * Called for every recorded "solved" of a visitor on a thread: the visitor's latest search that led to that
 * thread (opened within 30 minutes of the search, solved within 2 hours) is a confirmation of its phrasing.
 * Returns the phrasing's confirmations after this one, or null when nothing was learned.
 */
export function learnFromSolved(db: Db, visitorId: string, questionId: number, now = new Date()): number | null {
  const at = now.getTime();
  const search = db.$client
    .prepare(
      `select s.query from deflection_events s
       where s.visitor_id = ? and s.kind = 'search' and s.query is not null and s.at between ? and ?
         and exists (select 1 from deflection_events c where c.visitor_id = s.visitor_id and c.question_id = ?
                     and c.kind in ('result_click', 'thread_view') and c.at between s.at and s.at + ?)
       order by s.at desc limit 1`,
    )
    .get(visitorId, at - SOLVED_WINDOW_MS, at, questionId, CLICK_WINDOW_MS) as { query: string } | undefined;
  const phrase = search ? learnablePhrase(search.query) : null;
  if (!phrase) return null;
  return db.transaction((tx) => {
    tx.insert(searchPhrasings).values({ questionId, phrase, createdAt: now }).onConflictDoNothing().run();
    const phrasing = tx.select().from(searchPhrasings).where(and(eq(searchPhrasings.questionId, questionId), eq(searchPhrasings.phrase, phrase))).get()!;
    if (phrasing.removedAt) return null;
    const added = tx.insert(searchPhrasingConfirmations).values({ phrasingId: phrasing.id, visitorId, at: now }).onConflictDoNothing().run().changes;
    if (added === 0) return phrasing.confirmations;
    const confirmations = phrasing.confirmations + 1;
    tx.update(searchPhrasings).set({ confirmations }).where(eq(searchPhrasings.id, phrasing.id)).run();
    // What search indexes changes when a phrasing reaches the threshold, or may enter a full thread's top 20.
    if (confirmations >= PHRASING_CONFIRMATIONS) {
      const indexed = tx
        .select({ n: sql<number>`count(*)` })
        .from(searchPhrasings)
        .where(and(eq(searchPhrasings.questionId, questionId), isNull(searchPhrasings.removedAt), sql`${searchPhrasings.confirmations} >= ${PHRASING_CONFIRMATIONS}`))
        .get()!.n;
      if (confirmations === PHRASING_CONFIRMATIONS || indexed > PHRASINGS_PER_THREAD) logSearchChange(tx, questionId, now);
    }
    return confirmations;
  });
}

export interface PhrasingView {
  id: number;
  phrase: string;
  confirmations: number;
  indexed: boolean;
}

/** Every live phrasing of a thread for staff, most confirmed first, saying which are indexed. */
export function phrasingsOf(db: Db, questionId: number): PhrasingView[] {
  const rows = db
    .select({ id: searchPhrasings.id, phrase: searchPhrasings.phrase, confirmations: searchPhrasings.confirmations })
    .from(searchPhrasings)
    .where(and(eq(searchPhrasings.questionId, questionId), isNull(searchPhrasings.removedAt)))
    .orderBy(desc(searchPhrasings.confirmations), searchPhrasings.id)
    .limit(100)
    .all();
  let indexed = 0;
  return rows.map((row) => {
    const isIndexed = row.confirmations >= PHRASING_CONFIRMATIONS && indexed < PHRASINGS_PER_THREAD;
    if (isIndexed) indexed += 1;
    return { ...row, indexed: isIndexed };
  });
}

/** Staff remove a learned phrasing of a thread: it leaves the index (through the change log) and is never learned again. */
export function removePhrasing(db: Db, actorId: number, questionId: number, phrasingId: number, now = new Date()): void {
  db.transaction((tx) => {
    const actor = tx.select({ role: users.role, suspendedAt: users.suspendedAt }).from(users).where(eq(users.id, actorId)).get();
    if (!actor || actor.suspendedAt || !atLeast(actor.role, 'staff')) throw forbidden();
    const phrasing = tx
      .select({ id: searchPhrasings.id, removedAt: searchPhrasings.removedAt })
      .from(searchPhrasings)
      .where(and(eq(searchPhrasings.id, phrasingId), eq(searchPhrasings.questionId, questionId)))
      .get();
    if (!phrasing) throw notFound();
    if (phrasing.removedAt) return;
    tx.update(searchPhrasings).set({ removedAt: now, removedById: actorId }).where(eq(searchPhrasings.id, phrasingId)).run();
    logSearchChange(tx, questionId, now);
  });
}
