// Owns closing and reopening questions (a moderator alone, or members with the close privilege by votes),
// locking threads and pinning them to the home page. Every action is logged in its own transaction.
import { and, count, desc, eq, isNotNull, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { closeVotes, questions, users } from '../../db/schema.ts';
import { AppError, forbidden, invalid, notFound } from '../../lib/errors.ts';
import { atLeast } from '../accounts/roles.ts';
import { closeAsDuplicate } from '../questions/duplicates.ts';
import { emit } from '../../lib/events.ts';
import { questionPath } from '../questions/service.ts';
import type { Settings } from '../settings/definitions.ts';
import { hasPrivilege } from '../votes/rules.ts';
import type { Tx } from '../votes/reputation.ts';
import { requireActor } from './actors.ts';
import { logModeration } from './log.ts';

export const CLOSE_REASONS = ['duplicate', 'needs_details', 'off_topic', 'resolved_elsewhere'] as const;
export type CloseReason = (typeof CLOSE_REASONS)[number];
export const LOCK_NOTE_MAX = 500;

export interface CloseInput {
  reason: unknown;
  /** For `duplicate`: the original question's id (a number, or digits as a form sends them). */
  duplicateOfId?: unknown;
}

export interface CloseOutcome {
  status: 'open' | 'closed';
  /** Open (unsettled) votes of this kind after the call, and how many close (or reopen) the question. */
  votes: number;
  needed: number;
}

function validReason(raw: unknown): CloseReason {
  if (typeof raw !== 'string' || !(CLOSE_REASONS as readonly string[]).includes(raw)) throw invalid('reason', 'moderation.badCloseReason');
  return raw as CloseReason;
}

function validOriginal(raw: unknown): number {
  const value = typeof raw === 'string' && /^\d{1,10}$/.test(raw.trim()) ? Number(raw.trim()) : raw;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 2 ** 31) throw invalid('duplicateOfId', 'moderation.badOriginal');
  return value;
}

function liveQuestion(tx: Tx, id: number) {
  const q = tx.select().from(questions).where(and(eq(questions.id, id), isNull(questions.deletedAt))).get();
  if (!q) throw notFound();
  return q;
}

/** The original a duplicate vote names must be a live, open question other than this one. */
function checkOriginal(tx: Tx, questionId: number, originalId: number): void {
  if (originalId === questionId) throw invalid('duplicateOfId', 'duplicates.notItself');
  const original = tx.select({ status: questions.status }).from(questions).where(and(eq(questions.id, originalId), isNull(questions.deletedAt))).get();
  if (!original) throw invalid('duplicateOfId', 'duplicates.originalMissing');
  if (original.status === 'closed') throw invalid('duplicateOfId', 'moderation.originalClosed');
}

const openVotes = (tx: Tx, questionId: number, kind: 'close' | 'reopen') =>
  tx
    .select()
    .from(closeVotes)
    .where(and(eq(closeVotes.questionId, questionId), eq(closeVotes.kind, kind), isNull(closeVotes.settledAt)))
    .orderBy(desc(closeVotes.id))
    .all();

function settleVotes(tx: Tx, questionId: number, now: Date): void {
  tx.update(closeVotes).set({ settledAt: now }).where(and(eq(closeVotes.questionId, questionId), isNull(closeVotes.settledAt))).run();
}

/** The most voted value, ties going to the latest vote (the list is newest first). */
function mostVoted<T>(values: T[]): T {
  const tally = new Map<T, number>();
  for (const v of values) tally.set(v, (tally.get(v) ?? 0) + 1);
  let best = values[0];
  for (const v of values) if (tally.get(v)! > tally.get(best)!) best = v;
  return best;
}

function applyClose(tx: Tx, questionId: number, reason: CloseReason, originalId: number | null, closerId: number, moderatorId: number | null, now: Date): void {
  if (reason === 'duplicate') closeAsDuplicate(tx, { questionId, originalId: originalId!, byUserId: moderatorId, now });
  tx.update(questions)
    .set({ status: 'closed', closedReason: reason, closedById: closerId, closedAt: now, ...(reason === 'duplicate' ? {} : { duplicateOfId: null }) })
    .where(eq(questions.id, questionId))
    .run();
  settleVotes(tx, questionId, now);
  logModeration(tx, { moderatorId, action: 'closed', targetType: 'question', targetId: questionId, questionId, reason }, now);
}

/**
 * Closes a question: a moderator (or above) closes it at once; a member with the close privilege casts a close
 * vote, and the vote that reaches `closeVotesNeeded` closes it (for the reason most voted). 409 when it is
 * already closed or the member already voted.
 */
export function closeQuestion(db: Db, actorId: number, questionId: number, input: CloseInput, settings: Settings, now = new Date()): CloseOutcome {
  const reason = validReason(input.reason);
  const originalId = reason === 'duplicate' ? validOriginal(input.duplicateOfId) : null;
  return db.transaction((tx) => {
    const actor = requireActor(tx, actorId, now);
    const question = liveQuestion(tx, questionId);
    if (question.status === 'closed') throw new AppError(409, 'already_closed', 'moderation.alreadyClosed');
    if (originalId !== null) checkOriginal(tx, questionId, originalId);
    const needed = settings.closeVotesNeeded;
    if (atLeast(actor.role, 'moderator')) {
      applyClose(tx, questionId, reason, originalId, actor.id, actor.id, now);
      return { status: 'closed', votes: 0, needed };
    }
    if (!hasPrivilege(actor, 'closeVote', settings)) throw forbidden();
    if (openVotes(tx, questionId, 'close').some((v) => v.userId === actor.id)) throw new AppError(409, 'already_voted', 'moderation.alreadyVoted');
    tx.insert(closeVotes).values({ questionId, userId: actor.id, kind: 'close', reason, duplicateOfId: originalId, createdAt: now }).run();
    const votes = openVotes(tx, questionId, 'close');
    if (votes.length < needed) {
      emit(tx, { type: 'thread.changed', questionId, at: now });
      return { status: 'open', votes: votes.length, needed };
    }
    const chosen = mostVoted(votes.map((v) => v.reason as CloseReason));
    const original = chosen === 'duplicate' ? mostVoted(votes.filter((v) => v.reason === 'duplicate').map((v) => v.duplicateOfId!)) : null;
    applyClose(tx, questionId, chosen, original, actor.id, null, now);
    return { status: 'closed', votes: 0, needed };
  });
}

/** The checks of closeQuestion() before the original is known: the "choose the original" page runs them first. */
export function assertMayClose(db: Db, actorId: number, questionId: number, settings: Settings, now = new Date()): void {
  db.transaction((tx) => {
    const actor = requireActor(tx, actorId, now);
    const question = liveQuestion(tx, questionId);
    if (question.status === 'closed') throw new AppError(409, 'already_closed', 'moderation.alreadyClosed');
    if (atLeast(actor.role, 'moderator')) return;
    if (!hasPrivilege(actor, 'closeVote', settings)) throw forbidden();
    if (openVotes(tx, questionId, 'close').some((v) => v.userId === actor.id)) throw new AppError(409, 'already_voted', 'moderation.alreadyVoted');
  });
}

function applyReopen(tx: Tx, question: typeof questions.$inferSelect, moderatorId: number | null, now: Date): void {
  tx.update(questions)
    .set({ status: 'open', closedReason: null, closedById: null, closedAt: null, duplicateOfId: null })
    .where(eq(questions.id, question.id))
    .run();
  // The original indexed this one's title as an alternate title: it must look again too.
  if (question.duplicateOfId !== null) emit(tx, { type: 'thread.changed', questionId: question.duplicateOfId, at: now });
  settleVotes(tx, question.id, now);
  logModeration(tx, { moderatorId, action: 'reopened', targetType: 'question', targetId: question.id, questionId: question.id }, now);
}

/** Reopens a closed question: a moderator at once, members with the close privilege by votes. */
export function reopenQuestion(db: Db, actorId: number, questionId: number, settings: Settings, now = new Date()): CloseOutcome {
  return db.transaction((tx) => {
    const actor = requireActor(tx, actorId, now);
    const question = liveQuestion(tx, questionId);
    if (question.status !== 'closed') throw new AppError(409, 'not_closed', 'moderation.notClosed');
    const needed = settings.closeVotesNeeded;
    if (atLeast(actor.role, 'moderator')) {
      applyReopen(tx, question, actor.id, now);
      return { status: 'open', votes: 0, needed };
    }
    if (!hasPrivilege(actor, 'closeVote', settings)) throw forbidden();
    if (openVotes(tx, questionId, 'reopen').some((v) => v.userId === actor.id)) throw new AppError(409, 'already_voted', 'moderation.alreadyVoted');
    tx.insert(closeVotes).values({ questionId, userId: actor.id, kind: 'reopen', createdAt: now }).run();
    const votes = openVotes(tx, questionId, 'reopen').length;
    if (votes < needed) {
      emit(tx, { type: 'thread.changed', questionId, at: now });
      return { status: 'closed', votes, needed };
    }
    applyReopen(tx, question, null, now);
    return { status: 'open', votes: 0, needed };
  });
}

/** Locks (no answers, comments or votes; the note is shown) or unlocks a thread. Moderators and above. */
export function setLocked(db: Db, actorId: number, questionId: number, locked: boolean, note: unknown, now = new Date()): void {
  let text: string | null = null;
  if (locked && note !== undefined && note !== null && note !== '') {
    if (typeof note !== 'string' || note.trim().length > LOCK_NOTE_MAX) throw invalid('note', 'moderation.badNote', { max: LOCK_NOTE_MAX });
    text = note.trim() || null;
  }
  db.transaction((tx) => {
    const actor = requireActor(tx, actorId, now, 'moderator');
    const question = liveQuestion(tx, questionId);
    if ((question.lockedAt !== null) === locked) throw new AppError(409, locked ? 'already_locked' : 'not_locked', locked ? 'moderation.alreadyLocked' : 'moderation.notLocked');
    tx.update(questions)
      .set(locked ? { lockedAt: now, lockedById: actor.id, lockNote: text } : { lockedAt: null, lockedById: null, lockNote: null })
      .where(eq(questions.id, questionId))
      .run();
    logModeration(tx, { moderatorId: actor.id, action: locked ? 'locked' : 'unlocked', targetType: 'question', targetId: questionId, questionId, reason: text }, now);
  });
}

/** Pins a thread to the top of the home page, or unpins it. Staff and admins. */
export function setPinned(db: Db, actorId: number, questionId: number, pinned: boolean, now = new Date()): void {
  db.transaction((tx) => {
    const actor = requireActor(tx, actorId, now, 'staff');
    const question = liveQuestion(tx, questionId);
    if ((question.pinnedAt !== null) === pinned) return;
    tx.update(questions).set({ pinnedAt: pinned ? now : null }).where(eq(questions.id, questionId)).run();
    logModeration(tx, { moderatorId: actor.id, action: pinned ? 'pinned' : 'unpinned', targetType: 'question', targetId: questionId, questionId }, now);
  });
}

/** Whether a thread takes new answers; throws the clear 409 the page and the API show when it does not. */
export function assertAcceptsAnswers(tx: Tx | Db, questionId: number): void {
  const q = tx.select({ status: questions.status, lockedAt: questions.lockedAt }).from(questions).where(eq(questions.id, questionId)).get();
  if (q?.lockedAt) throw new AppError(409, 'thread_locked', 'moderation.lockedNoWrites');
  if (q?.status === 'closed') throw new AppError(409, 'question_closed', 'moderation.closedNoAnswers');
}

/** Whether a thread takes comments and votes (a locked one does not). */
export function assertNotLocked(tx: Tx | Db, questionId: number): void {
  const q = tx.select({ lockedAt: questions.lockedAt }).from(questions).where(eq(questions.id, questionId)).get();
  if (q?.lockedAt) throw new AppError(409, 'thread_locked', 'moderation.lockedNoWrites');
}

export interface ThreadModeration {
  status: 'open' | 'closed';
  closedReason: CloseReason | null;
  closedBy: { username: string; displayName: string } | null;
  byCommunity: boolean;
  closedAt: Date | null;
  locked: boolean;
  lockNote: string | null;
  pinned: boolean;
  /** Open close (or reopen) votes, and whether this viewer cast one. */
  closeVotes: number;
  reopenVotes: number;
  votedClose: boolean;
  votedReopen: boolean;
  needed: number;
}

/** What the thread page shows about moderation (closed by whom and why, lock note), for one viewer. */
export function threadModeration(db: Db, questionId: number, viewerId: number | undefined, settings: Settings): ThreadModeration {
  const q = db
    .select({
      status: questions.status,
      closedReason: questions.closedReason,
      closedById: questions.closedById,
      closedAt: questions.closedAt,
      lockedAt: questions.lockedAt,
      lockNote: questions.lockNote,
      pinnedAt: questions.pinnedAt,
    })
    .from(questions)
    .where(eq(questions.id, questionId))
    .get();
  if (!q) throw notFound();
  const closer = q.closedById === null ? undefined : db.select({ username: users.username, displayName: users.displayName, role: users.role }).from(users).where(eq(users.id, q.closedById)).get();
  const votes = db
    .select({ kind: closeVotes.kind, userId: closeVotes.userId })
    .from(closeVotes)
    .where(and(eq(closeVotes.questionId, questionId), isNull(closeVotes.settledAt)))
    .all();
  const lastLog = q.status === 'closed' ? closer : undefined;
  return {
    status: q.status,
    closedReason: (q.closedReason as CloseReason | null) ?? null,
    closedBy: lastLog ? { username: lastLog.username, displayName: lastLog.displayName } : null,
    byCommunity: !!closer && !atLeast(closer.role, 'moderator'),
    closedAt: q.closedAt,
    locked: q.lockedAt !== null,
    lockNote: q.lockNote,
    pinned: q.pinnedAt !== null,
    closeVotes: votes.filter((v) => v.kind === 'close').length,
    reopenVotes: votes.filter((v) => v.kind === 'reopen').length,
    votedClose: votes.some((v) => v.kind === 'close' && v.userId === viewerId),
    votedReopen: votes.some((v) => v.kind === 'reopen' && v.userId === viewerId),
    needed: settings.closeVotesNeeded,
  };
}

export const countOpenCloseVotes = (db: Db) => db.select({ n: count() }).from(closeVotes).where(isNull(closeVotes.settledAt)).get()?.n ?? 0;

/** The questions staff pinned to the home page, most recently pinned first. */
export function pinnedQuestions(db: Db, limit = 5): { id: number; title: string; url: string }[] {
  return db
    .select({ id: questions.id, title: questions.title, slug: questions.slug })
    .from(questions)
    .where(and(isNotNull(questions.pinnedAt), isNull(questions.deletedAt), isNull(questions.hiddenReason)))
    .orderBy(desc(questions.pinnedAt))
    .limit(limit)
    .all()
    .map((q) => ({ id: q.id, title: q.title, url: questionPath(q.id, q.slug) }));
}
