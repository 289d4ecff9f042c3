// Owns the review queue's actions on posts (dismiss, approve, delete, undelete) and on their authors (warn, suspend,
// lift, spammer). Each is one transaction with its log row; deletions reverse the post's reputation in the ledger.
//
// Flaggers hear their flag's fate through tellFlaggers() (an event the notifications feature turns into inbox
// lines and mail), members warned or suspended through tellAuthor() the same way.
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { answers, comments, moderatorMessages, questions, sessions, tags, users, type ModeratedPostType } from '../../db/schema.ts';
import { AppError, invalid, notFound } from '../../lib/errors.ts';
import { emit } from '../../lib/events.ts';
import { atLeast } from '../accounts/roles.ts';
import { deleteAnswer } from '../answers/service.ts';
import { tagsOf } from '../questions/service.ts';
import type { Settings } from '../settings/definitions.ts';
import type { Tx } from '../votes/reputation.ts';
import { requireActor, type Actor } from './actors.ts';
import { decideFlags, requireModeratedPost, setHidden } from './flags.ts';
import { restoreAfterUndeletion, reverseForDeletion } from './ledger.ts';
import { logModeration } from './log.ts';

export const REASON_MAX = 500;
export const MESSAGE_MIN = 10;
export const MESSAGE_MAX = 2000;
export const SUSPEND_DAYS_MAX = 3650;
/** A spammer's suspension, in days, when none is given. */
export const SPAMMER_DAYS = 3650;

/**
 * Tells these flaggers that a moderator decided their flag (`helpful` or `declined`): a `flag.decided` event in
 * the decision's transaction, which notifications turns into one inbox line (and mail, per the member's
 * preference for moderator actions) per flagger. The decision is on the flag row too (status, resolvedAt), seen
 * on the thread and in GET /api/v1/flags/mine.
 */
export function tellFlaggers(tx: Tx, flaggerIds: number[], outcome: 'helpful' | 'declined', post: { postType: ModeratedPostType; id: number; questionId: number }, actorId: number, now: Date): void {
  const unique = [...new Set(flaggerIds)].filter((id) => id !== actorId);
  if (unique.length === 0) return;
  emit(tx, { type: 'flag.decided', questionId: post.questionId, postType: post.postType, postId: post.id, flaggerIds: unique, outcome, actorId, at: now });
}

/**
 * Tells a member they were warned or suspended: a `member.moderated` event in the action's transaction, which
 * notifications turns into an inbox line (and mail, per their moderator-action preference) leading to
 * /account/suspended, where the private message (moderator_messages) and any suspension are shown.
 */
// A post-level action (delete, hide, close, lock) already reaches the author through the moderation log (log.ts emits
// post.moderated).
export function tellAuthor(tx: Tx, userId: number, kind: 'warned' | 'suspended', actorId: number, now: Date): void {
  emit(tx, { type: 'member.moderated', userId, kind, actorId, at: now });
}

function validReason(raw: unknown, required: boolean): string | null {
  if (raw === undefined || raw === null || raw === '') {
    if (required) throw invalid('reason', 'moderation.badReason');
    return null;
  }
  if (typeof raw !== 'string') throw invalid('reason', 'moderation.badReason');
  const text = raw.normalize('NFC').trim();
  if ([...text].length > REASON_MAX || (required && text === '')) throw invalid('reason', 'moderation.badReason');
  return text || null;
}

/** Dismisses a post's open flags (declined: the flaggers are told), and lets a hidden post be seen again. */
export function dismissFlags(db: Db, actorId: number, postType: ModeratedPostType, postId: number, now = new Date()): void {
  db.transaction((tx) => {
    const actor = requireActor(tx, actorId, now, 'moderator');
    const post = requireModeratedPost(tx, postType, postId);
    const flaggers = decideFlags(tx, postType, postId, 'declined', actor.id, now);
    if (flaggers.length === 0 && post.hiddenReason === null) throw new AppError(409, 'nothing_to_dismiss', 'moderation.queueEmpty');
    if (post.hiddenReason !== null) setHidden(tx, postType, postId, null);
    logModeration(tx, { moderatorId: actor.id, action: post.hiddenReason === 'held' ? 'approved' : 'flags_dismissed', targetType: postType, targetId: postId, questionId: post.questionId, userId: post.authorId }, now);
    tellFlaggers(tx, flaggers, 'declined', { postType, id: postId, questionId: post.questionId }, actor.id, now);
  });
}

/** Deletes one post in the caller's transaction (no checks): soft delete, counters, and the ledger reversal. */
function deletePostIn(db: Db, tx: Tx, actor: Actor, postType: ModeratedPostType, postId: number, settings: Settings, now: Date): void {
  if (postType === 'question') {
    tx.update(questions).set({ deletedAt: now }).where(eq(questions.id, postId)).run();
    for (const name of tagsOf(tx, postId)) tx.update(tags).set({ questionCount: sql`max(0, ${tags.questionCount} - 1)` }).where(eq(tags.name, name)).run();
    reverseForDeletion(tx, 'question', postId, now);
    // A deleted question takes its answers' reputation with it (Stack Exchange's rule); undeleting gives it back.
    for (const a of tx.select({ id: answers.id }).from(answers).where(and(eq(answers.questionId, postId), isNull(answers.deletedAt))).all()) {
      reverseForDeletion(tx, 'answer', a.id, now);
    }
  } else if (postType === 'answer') {
    // The answers service un-accepts (moving the accept reputation back) and keeps the counters; nested savepoint.
    deleteAnswer(db, { ...actor, role: 'moderator' }, postId, settings, now);
    reverseForDeletion(tx, 'answer', postId, now);
  } else {
    tx.update(comments).set({ deletedAt: now }).where(eq(comments.id, postId)).run();
  }
}

/** A moderator deletes a post (question, answer or comment): its open flags are helpful, its reputation reversed. */
export function deletePost(db: Db, actorId: number, postType: ModeratedPostType, postId: number, reason: unknown, settings: Settings, now = new Date()): void {
  const text = validReason(reason, false);
  db.transaction((tx) => {
    const actor = requireActor(tx, actorId, now, 'moderator');
    const post = requireModeratedPost(tx, postType, postId);
    deletePostIn(db, tx, actor, postType, postId, settings, now);
    const flaggers = decideFlags(tx, postType, postId, 'helpful', actor.id, now);
    logModeration(tx, { moderatorId: actor.id, action: 'deleted', targetType: postType, targetId: postId, questionId: post.questionId, userId: post.authorId, reason: text }, now);
    tellFlaggers(tx, flaggers, 'helpful', { postType, id: postId, questionId: post.questionId }, actor.id, now);
  });
}

/** A moderator undeletes a post: counters back, and the reputation its deletion reversed given back. */
export function undeletePost(db: Db, actorId: number, postType: ModeratedPostType, postId: number, now = new Date()): void {
  db.transaction((tx) => {
    const actor = requireActor(tx, actorId, now, 'moderator');
    const post = requireModeratedPost(tx, postType, postId, { deleted: true });
    if (postType === 'question') {
      tx.update(questions).set({ deletedAt: null }).where(eq(questions.id, postId)).run();
      for (const name of tagsOf(tx, postId)) tx.update(tags).set({ questionCount: sql`${tags.questionCount} + 1` }).where(eq(tags.name, name)).run();
      restoreAfterUndeletion(tx, 'question', postId, now);
      for (const a of tx.select({ id: answers.id }).from(answers).where(and(eq(answers.questionId, postId), isNull(answers.deletedAt))).all()) {
        restoreAfterUndeletion(tx, 'answer', a.id, now);
      }
    } else if (postType === 'answer') {
      tx.update(answers).set({ deletedAt: null }).where(eq(answers.id, postId)).run();
      tx.update(questions).set({ answerCount: sql`${questions.answerCount} + 1` }).where(eq(questions.id, post.questionId)).run();
      restoreAfterUndeletion(tx, 'answer', postId, now);
    } else {
      tx.update(comments).set({ deletedAt: null }).where(eq(comments.id, postId)).run();
    }
    logModeration(tx, { moderatorId: actor.id, action: 'undeleted', targetType: postType, targetId: postId, questionId: post.questionId, userId: post.authorId }, now);
  });
}

function requireMemberTarget(tx: Tx, userId: number) {
  const target = tx.select({ id: users.id, role: users.role, suspendedUntil: users.suspendedUntil }).from(users).where(eq(users.id, userId)).get();
  if (!target) throw notFound();
  // Moderators and above are dealt with by an administrator changing their role, not from the queue.
  if (atLeast(target.role, 'moderator')) throw new AppError(403, 'not_a_member', 'moderation.notOnStaff');
  return target;
}

/** Sends a member a private warning (never in the public log's text). */
export function warnMember(db: Db, actorId: number, userId: number, message: unknown, now = new Date()): void {
  if (typeof message !== 'string' || [...message.trim()].length < MESSAGE_MIN || [...message.trim()].length > MESSAGE_MAX) throw invalid('message', 'moderation.badMessage');
  const body = message.normalize('NFC').trim();
  db.transaction((tx) => {
    const actor = requireActor(tx, actorId, now, 'moderator');
    requireMemberTarget(tx, userId);
    tx.insert(moderatorMessages).values({ userId, moderatorId: actor.id, body, createdAt: now }).run();
    logModeration(tx, { moderatorId: actor.id, action: 'warned', targetType: 'user', targetId: userId, userId }, now);
    tellAuthor(tx, userId, 'warned', actor.id, now);
  });
}

function validDays(raw: unknown): number {
  const days = typeof raw === 'string' && /^\d{1,5}$/.test(raw.trim()) ? Number(raw.trim()) : raw;
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > SUSPEND_DAYS_MAX) throw invalid('days', 'moderation.badDays');
  return days;
}

function suspendIn(tx: Tx, userId: number, days: number, reason: string, now: Date): void {
  tx.update(users).set({ suspendedUntil: new Date(now.getTime() + days * 86_400_000), suspensionReason: reason }).where(eq(users.id, userId)).run();
}

/** Suspends a member for N days with a public reason: they may sign in only to read why; every write is refused. */
export function suspendMember(db: Db, actorId: number, userId: number, input: { days: unknown; reason: unknown }, now = new Date()): void {
  const days = validDays(input.days);
  const reason = validReason(input.reason, true)!;
  db.transaction((tx) => {
    const actor = requireActor(tx, actorId, now, 'moderator');
    requireMemberTarget(tx, userId);
    suspendIn(tx, userId, days, reason, now);
    logModeration(tx, { moderatorId: actor.id, action: 'suspended', targetType: 'user', targetId: userId, userId, reason: `${reason} (${days} d)` }, now);
    tellAuthor(tx, userId, 'suspended', actor.id, now);
  });
}

/** Lifts a suspension before its end. */
export function liftSuspension(db: Db, actorId: number, userId: number, now = new Date()): void {
  db.transaction((tx) => {
    const actor = requireActor(tx, actorId, now, 'moderator');
    const target = requireMemberTarget(tx, userId);
    if (!target.suspendedUntil || target.suspendedUntil.getTime() <= now.getTime()) throw new AppError(409, 'not_suspended', 'moderation.notSuspended');
    tx.update(users).set({ suspendedUntil: null, suspensionReason: null }).where(eq(users.id, userId)).run();
    logModeration(tx, { moderatorId: actor.id, action: 'unsuspended', targetType: 'user', targetId: userId, userId }, now);
  });
}

/**
 * "Spammer": in one transaction, every live post and comment of the member is deleted (reputation reversed,
 * flags on them helpful), the member is suspended, and every session and API token of theirs is revoked.
 */
export function markSpammer(db: Db, actorId: number, userId: number, reason: unknown, settings: Settings, now = new Date()): { deleted: number } {
  const text = validReason(reason, false) ?? 'spam';
  return db.transaction((tx) => {
    const actor = requireActor(tx, actorId, now, 'moderator');
    requireMemberTarget(tx, userId);
    let deleted = 0;
    // Each post's flaggers are told about that post (its thread's title), once the account is dealt with.
    const decided: { post: { postType: ModeratedPostType; id: number; questionId: number }; flaggers: number[] }[] = [];
    const doDelete = (postType: ModeratedPostType, id: number, questionId: number) => {
      deletePostIn(db, tx, actor, postType, id, settings, now);
      decided.push({ post: { postType, id, questionId }, flaggers: decideFlags(tx, postType, id, 'helpful', actor.id, now) });
      logModeration(tx, { moderatorId: actor.id, action: 'deleted', targetType: postType, targetId: id, questionId, userId, reason: 'spam' }, now);
      deleted++;
    };
    for (const c of tx.select({ id: comments.id }).from(comments).where(and(eq(comments.authorId, userId), isNull(comments.deletedAt))).all()) {
      let questionId: number;
      try {
        questionId = requireModeratedPost(tx, 'comment', c.id).questionId;
      } catch {
        continue; // on a post already deleted: nobody sees it
      }
      doDelete('comment', c.id, questionId);
    }
    for (const a of tx
      .select({ id: answers.id, questionId: answers.questionId })
      .from(answers)
      .innerJoin(questions, eq(questions.id, answers.questionId))
      .where(and(eq(answers.authorId, userId), isNull(answers.deletedAt), isNull(questions.deletedAt)))
      .all()) {
      doDelete('answer', a.id, a.questionId);
    }
    for (const q of tx.select({ id: questions.id }).from(questions).where(and(eq(questions.authorId, userId), isNull(questions.deletedAt))).all()) doDelete('question', q.id, q.id);
    suspendIn(tx, userId, SPAMMER_DAYS, text, now);
    tx.update(sessions).set({ revokedAt: now }).where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt))).run();
    logModeration(tx, { moderatorId: actor.id, action: 'spammer', targetType: 'user', targetId: userId, userId, reason: text }, now);
    for (const { post, flaggers } of decided) tellFlaggers(tx, flaggers, 'helpful', post, actor.id, now);
    return { deleted };
  });
}
