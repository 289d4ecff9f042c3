// Owns duplicates and related links between questions: closing a question as a duplicate of another (the one
// place that does it: moderation and the Stack Exchange import both call closeAsDuplicate), and what a thread
// shows of them (the banner leading to the original, the related links).
import { and, desc, eq, inArray, isNull, or } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { answers, questionLinks, questions, users } from '../../db/schema.ts';
import { AppError, forbidden, notFound } from '../../lib/errors.ts';
import { excerpt, htmlToText } from '../../lib/markdown.ts';
import { atLeast } from '../accounts/roles.ts';
import type { Tx } from '../votes/reputation.ts';
import { logSearchChange, questionPath } from './service.ts';

export interface CloseAsDuplicate {
  questionId: number;
  originalId: number;
  /** Who closes it (must be a moderator or above); null for the system (an import). */
  byUserId: number | null;
  now?: Date;
}

export interface ClosedAsDuplicate {
  /** The original it now points to: the end of the original's own duplicate chain. */
  originalId: number;
  /** False when it already was a duplicate of that original (nothing written). */
  changed: boolean;
}

// A chain longer than this is a corrupted database, not a forum: stop rather than loop.
const MAX_CHAIN = 100;

const liveQuestion = (tx: Tx | Db, id: number) =>
  tx
    .select({ id: questions.id, status: questions.status, duplicateOfId: questions.duplicateOfId })
    .from(questions)
    .where(and(eq(questions.id, id), isNull(questions.deletedAt)))
    .get();

/**
 * Closes a question as a duplicate of another, in the caller's transaction: status `closed`, `duplicate_of`
 * set to the end of the original's chain (a duplicate of a duplicate points to the first original, so there
 * are never chains), the question's own duplicates re-pointed there too, and every question whose search
 * document changes (the duplicate, its new and previous original, re-pointed duplicates) written to the search
 * change log. Refuses a question that is its own original (directly or through the chain), a missing or
 * deleted question or original, and a closer below moderator.
 */
export function closeAsDuplicate(tx: Tx, input: CloseAsDuplicate): ClosedAsDuplicate {
  const now = input.now ?? new Date();
  if (input.byUserId !== null) {
    const closer = tx.select({ role: users.role, suspendedAt: users.suspendedAt }).from(users).where(eq(users.id, input.byUserId)).get();
    if (!closer || closer.suspendedAt || !atLeast(closer.role, 'moderator')) throw forbidden();
  }
  const question = liveQuestion(tx, input.questionId);
  if (!question) throw notFound();
  let original = liveQuestion(tx, input.originalId);
  if (!original) throw new AppError(400, 'invalid_input', 'duplicates.originalMissing', { field: 'originalId', params: { field: 'originalId' } });
  for (let hops = 0; original.duplicateOfId !== null; hops++) {
    if (original.id === question.id || hops >= MAX_CHAIN) break;
    const next = liveQuestion(tx, original.duplicateOfId);
    if (!next) break; // its original was deleted: the chain ends here
    original = next;
  }
  if (original.id === question.id) {
    throw new AppError(400, 'invalid_input', 'duplicates.notItself', { field: 'originalId', params: { field: 'originalId' } });
  }
  if (question.status === 'closed' && question.duplicateOfId === original.id) return { originalId: original.id, changed: false };

  tx.update(questions).set({ status: 'closed', duplicateOfId: original.id }).where(eq(questions.id, question.id)).run();
  const repointed = tx
    .update(questions)
    .set({ duplicateOfId: original.id })
    .where(eq(questions.duplicateOfId, question.id))
    .returning({ id: questions.id })
    .all()
    .map((row) => row.id);
  const changed = new Set([question.id, original.id, ...repointed]);
  if (question.duplicateOfId !== null) changed.add(question.duplicateOfId);
  for (const id of changed) logSearchChange(tx, id, now);
  return { originalId: original.id, changed: true };
}

/** Adds a related link between two live questions (idempotent); false when either is missing or they are the same. */
export function linkRelated(tx: Tx, questionId: number, relatedId: number, now = new Date()): boolean {
  if (questionId === relatedId || !liveQuestion(tx, questionId) || !liveQuestion(tx, relatedId)) return false;
  return tx.insert(questionLinks).values({ questionId, relatedId, createdAt: now }).onConflictDoNothing().run().changes > 0;
}

export interface DuplicateNotice {
  original: { id: number; title: string; url: string };
  /** First lines of the original's accepted answer, else of its official answer. */
  answerExcerpt: string | null;
  answerKind: 'accepted' | 'official' | null;
}

/** What a duplicate's thread shows about its original; null for a question that is not a duplicate (or whose original is gone). */
export function duplicateNotice(db: Db, thread: { duplicateOfId: number | null; status: string }): DuplicateNotice | null {
  if (thread.duplicateOfId === null || thread.status !== 'closed') return null;
  const original = db
    .select({ id: questions.id, title: questions.title, slug: questions.slug, acceptedAnswerId: questions.acceptedAnswerId })
    .from(questions)
    .where(and(eq(questions.id, thread.duplicateOfId), isNull(questions.deletedAt)))
    .get();
  if (!original) return null;
  const accepted = original.acceptedAnswerId
    ? db.select({ bodyHtml: answers.bodyHtml }).from(answers).where(and(eq(answers.id, original.acceptedAnswerId), isNull(answers.deletedAt))).get()
    : undefined;
  const official = accepted
    ? undefined
    : db
        .select({ bodyHtml: answers.bodyHtml })
        .from(answers)
        .where(and(eq(answers.questionId, original.id), eq(answers.official, true), isNull(answers.deletedAt)))
        .orderBy(desc(answers.score), answers.id)
        .get();
  const answer = accepted ?? official;
  return {
    original: { id: original.id, title: original.title, url: questionPath(original.id, original.slug) },
    answerExcerpt: answer ? excerpt(htmlToText(answer.bodyHtml.slice(0, 4000)), 280) : null,
    answerKind: accepted ? 'accepted' : official ? 'official' : null,
  };
}

export interface LinkedQuestion {
  id: number;
  title: string;
  url: string;
}

/** The live questions linked to this one as related, in either direction, oldest link first. */
export function linkedQuestions(db: Db, questionId: number, limit = 10): LinkedQuestion[] {
  const links = db
    .select({ questionId: questionLinks.questionId, relatedId: questionLinks.relatedId })
    .from(questionLinks)
    .where(or(eq(questionLinks.questionId, questionId), eq(questionLinks.relatedId, questionId)))
    .orderBy(questionLinks.id)
    .limit(limit * 2)
    .all();
  const ids = [...new Set(links.map((l) => (l.questionId === questionId ? l.relatedId : l.questionId)))];
  if (ids.length === 0) return [];
  const rows = new Map(
    db
      .select({ id: questions.id, title: questions.title, slug: questions.slug })
      .from(questions)
      .where(and(inArray(questions.id, ids), isNull(questions.deletedAt)))
      .all()
      .map((r) => [r.id, r]),
  );
  return ids
    .map((id) => rows.get(id))
    .filter((r) => r !== undefined)
    .slice(0, limit)
    .map((r) => ({ id: r.id, title: r.title, url: questionPath(r.id, r.slug) }));
}
