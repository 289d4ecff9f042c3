// Owns flags: members (with the flag privilege, within a daily limit, one open flag per post) tell moderators
// about a post or comment; spam and rude flags from enough members, or one moderator, hide it pending review.
import { and, count, eq, gte, inArray, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { answers, comments, flags, MODERATED_POST_TYPES, questions, type ModeratedPostType } from '../../db/schema.ts';
import { AppError, forbidden, invalid, notFound } from '../../lib/errors.ts';
import { emit } from '../../lib/events.ts';
import { atLeast } from '../accounts/roles.ts';
import type { Settings } from '../settings/definitions.ts';
import { hasPrivilege } from '../votes/rules.ts';
import { startOfUtcDay, type Tx } from '../votes/reputation.ts';
import { requireActor } from './actors.ts';
import { logModeration } from './log.ts';

export const FLAG_REASONS = ['spam', 'rude', 'needs_improvement', 'duplicate', 'staff', 'other'] as const;
export type FlagReason = (typeof FLAG_REASONS)[number];
/** Flags that hide a post pending review once enough members (or one moderator) raise them. */
export const HIDING_REASONS: readonly FlagReason[] = ['spam', 'rude'];
export const FLAG_NOTE_MIN = 10;
export const FLAG_NOTE_MAX = 500;

export interface FlagInput {
  postType: unknown;
  postId: unknown;
  reason: unknown;
  note?: unknown;
  duplicateOfId?: unknown;
}

export interface ModeratedPost {
  postType: ModeratedPostType;
  id: number;
  authorId: number;
  questionId: number;
  hiddenReason: string | null;
}

/** A post or comment that exists and is not deleted (nor is the thread it is on), or a 404. */
export function requireModeratedPost(tx: Tx | Db, postType: ModeratedPostType, id: number, { deleted = false } = {}): ModeratedPost {
  if (postType === 'question') {
    const q = tx
      .select({ id: questions.id, authorId: questions.authorId, hiddenReason: questions.hiddenReason, deletedAt: questions.deletedAt })
      .from(questions)
      .where(eq(questions.id, id))
      .get();
    if (!q || (q.deletedAt !== null) !== deleted) throw notFound();
    return { postType, id, authorId: q.authorId, questionId: id, hiddenReason: q.hiddenReason };
  }
  if (postType === 'answer') {
    const a = tx
      .select({ authorId: answers.authorId, questionId: answers.questionId, hiddenReason: answers.hiddenReason, deletedAt: answers.deletedAt })
      .from(answers)
      .innerJoin(questions, eq(questions.id, answers.questionId))
      .where(and(eq(answers.id, id), isNull(questions.deletedAt)))
      .get();
    if (!a || (a.deletedAt !== null) !== deleted) throw notFound();
    return { postType, id, authorId: a.authorId, questionId: a.questionId, hiddenReason: a.hiddenReason };
  }
  const c = tx
    .select({ authorId: comments.authorId, postType: comments.postType, postId: comments.postId, hiddenReason: comments.hiddenReason, deletedAt: comments.deletedAt })
    .from(comments)
    .where(eq(comments.id, id))
    .get();
  if (!c || (c.deletedAt !== null) !== deleted) throw notFound();
  const parent = requireModeratedPost(tx, c.postType, c.postId);
  return { postType, id, authorId: c.authorId, questionId: parent.questionId, hiddenReason: c.hiddenReason };
}

const tableOf = (postType: ModeratedPostType) => (postType === 'question' ? questions : postType === 'answer' ? answers : comments);

/** Sets or clears a post's hidden reason (the caller logs why). */
export function setHidden(tx: Tx, postType: ModeratedPostType, id: number, reason: string | null): void {
  const table = tableOf(postType);
  tx.update(table).set({ hiddenReason: reason }).where(eq(table.id, id)).run();
}

function validInput(input: FlagInput) {
  if (typeof input.postType !== 'string' || !(MODERATED_POST_TYPES as readonly string[]).includes(input.postType)) throw invalid('postType', 'moderation.badPostType');
  if (typeof input.postId !== 'number' || !Number.isInteger(input.postId) || input.postId < 1) throw invalid('postId', 'error.postId');
  if (typeof input.reason !== 'string' || !(FLAG_REASONS as readonly string[]).includes(input.reason)) throw invalid('reason', 'moderation.badFlagReason');
  const reason = input.reason as FlagReason;
  let note: string | null = null;
  if (input.note !== undefined && input.note !== null && input.note !== '') {
    if (typeof input.note !== 'string') throw invalid('note', 'moderation.badFlagNote');
    note = input.note.normalize('NFC').trim();
    if ([...note].length > FLAG_NOTE_MAX) throw invalid('note', 'moderation.badFlagNote');
    if (note === '') note = null;
  }
  if (reason === 'other' && (note === null || [...note].length < FLAG_NOTE_MIN)) throw invalid('note', 'moderation.badFlagNote');
  let duplicateOfId: number | null = null;
  if (reason === 'duplicate') {
    const raw = typeof input.duplicateOfId === 'string' && /^\d{1,10}$/.test(input.duplicateOfId.trim()) ? Number(input.duplicateOfId.trim()) : input.duplicateOfId;
    if (input.postType !== 'question' || typeof raw !== 'number' || !Number.isInteger(raw) || raw < 1) throw invalid('duplicateOfId', 'moderation.badOriginal');
    duplicateOfId = raw;
  }
  return { postType: input.postType as ModeratedPostType, postId: input.postId, reason, note, duplicateOfId };
}

/** Whether this member may flag this post now (privilege, not their own, no open flag of theirs, daily limit). */
function checkFlagger(tx: Tx, actorId: number, postType: ModeratedPostType, postId: number, settings: Settings, now: Date) {
  const actor = requireActor(tx, actorId, now);
  const isModerator = atLeast(actor.role, 'moderator');
  if (!hasPrivilege(actor, 'flag', settings)) throw forbidden();
  const post = requireModeratedPost(tx, postType, postId);
  if (post.authorId === actor.id) throw new AppError(403, 'own_post', 'moderation.flagOwnPost');
  const open = tx
    .select({ n: count() })
    .from(flags)
    .where(and(eq(flags.postType, postType), eq(flags.postId, postId), eq(flags.flaggerId, actor.id), eq(flags.status, 'open')))
    .get();
  if ((open?.n ?? 0) > 0) throw new AppError(409, 'already_flagged', 'moderation.alreadyFlagged');
  if (!isModerator) {
    const today = startOfUtcDay(now);
    const used = tx.select({ n: count() }).from(flags).where(and(eq(flags.flaggerId, actor.id), gte(flags.createdAt, today))).get()?.n ?? 0;
    if (used >= settings.flagsPerDay) {
      const retryAfter = Math.max(1, Math.ceil((today.getTime() + 86_400_000 - now.getTime()) / 1000));
      throw new AppError(429, 'flag_limit', 'moderation.flagLimit', { retryAfter, params: { limit: settings.flagsPerDay } });
    }
  }
  return { actor, post, isModerator };
}

/** The checks of raiseFlag() that do not depend on the reason: the "choose the original" page runs them first. */
export function assertMayFlag(db: Db, actorId: number, postType: ModeratedPostType, postId: number, settings: Settings, now = new Date()): void {
  db.transaction((tx) => void checkFlagger(tx, actorId, postType, postId, settings, now));
}

/**
 * Raises a flag. Refused: below the flag privilege (403), on your own post (403), on a missing or deleted post
 * (404), a second open flag on the same post (409), past the daily limit (429), a duplicate of itself or of a
 * closed or missing question (400). A spam or rude flag that makes `flagsToHide` distinct members (or comes from
 * a moderator) hides the post pending review, logged in the same transaction.
 */
export function raiseFlag(db: Db, actorId: number, input: FlagInput, settings: Settings, now = new Date()): { id: number; hidden: boolean } {
  const flag = validInput(input);
  return db.transaction((tx) => {
    const { actor, post, isModerator } = checkFlagger(tx, actorId, flag.postType, flag.postId, settings, now);
    if (flag.duplicateOfId !== null) {
      if (flag.duplicateOfId === post.id) throw invalid('duplicateOfId', 'duplicates.notItself');
      const original = tx.select({ status: questions.status }).from(questions).where(and(eq(questions.id, flag.duplicateOfId), isNull(questions.deletedAt))).get();
      if (!original) throw invalid('duplicateOfId', 'duplicates.originalMissing');
      if (original.status === 'closed') throw invalid('duplicateOfId', 'moderation.originalClosed');
    }
    const { id } = tx
      .insert(flags)
      .values({ postType: flag.postType, postId: flag.postId, questionId: post.questionId, authorId: post.authorId, flaggerId: actor.id, reason: flag.reason, duplicateOfId: flag.duplicateOfId, note: flag.note, createdAt: now })
      .returning({ id: flags.id })
      .get();
    emit(tx, { type: 'flag.raised', questionId: post.questionId, postType: flag.postType, postId: flag.postId, reason: flag.reason, note: flag.note, at: now });
    let hidden = false;
    if (HIDING_REASONS.includes(flag.reason) && post.hiddenReason === null) {
      const flaggers =
        tx
          .select({ n: sql<number>`count(distinct ${flags.flaggerId})` })
          .from(flags)
          .where(and(eq(flags.postType, flag.postType), eq(flags.postId, flag.postId), eq(flags.status, 'open'), inArray(flags.reason, [...HIDING_REASONS])))
          .get()?.n ?? 0;
      if (isModerator || Number(flaggers) >= settings.flagsToHide) {
        setHidden(tx, flag.postType, flag.postId, flag.reason);
        logModeration(
          tx,
          { moderatorId: isModerator ? actor.id : null, action: 'hidden', targetType: flag.postType, targetId: flag.postId, questionId: post.questionId, userId: post.authorId, reason: flag.reason },
          now,
        );
        hidden = true;
      }
    }
    return { id, hidden };
  });
}

/** Decides every open flag of a post at once (the queue's actions do this); returns the flaggers to tell. */
export function decideFlags(tx: Tx, postType: ModeratedPostType, postId: number, status: 'helpful' | 'declined' | 'dismissed', moderatorId: number, now: Date): number[] {
  return tx
    .update(flags)
    .set({ status, resolvedAt: now, resolvedById: moderatorId })
    .where(and(eq(flags.postType, postType), eq(flags.postId, postId), eq(flags.status, 'open')))
    .returning({ flaggerId: flags.flaggerId })
    .all()
    .map((r) => r.flaggerId);
}

export interface MyFlag {
  id: number;
  postType: ModeratedPostType;
  postId: number;
  questionId: number;
  reason: FlagReason;
  status: 'open' | 'helpful' | 'declined' | 'dismissed';
  createdAt: Date;
  resolvedAt: Date | null;
}

/** A member's own flags and their fate, newest first (optionally those of one thread). */
export function myFlags(db: Db, userId: number, questionId?: number, limit = 50): MyFlag[] {
  return db
    .select({
      id: flags.id,
      postType: flags.postType,
      postId: flags.postId,
      questionId: flags.questionId,
      reason: sql<FlagReason>`${flags.reason}`,
      status: flags.status,
      createdAt: flags.createdAt,
      resolvedAt: flags.resolvedAt,
    })
    .from(flags)
    .where(questionId === undefined ? eq(flags.flaggerId, userId) : and(eq(flags.flaggerId, userId), eq(flags.questionId, questionId)))
    .orderBy(sql`${flags.id} desc`)
    .limit(limit)
    .all();
}
