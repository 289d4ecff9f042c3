// Owns the public moderation log: one row per moderator (or community) action, written in the action's own
// transaction, and the public page's view of it (moderator named or not per a setting; no private details).
import { count, desc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { answers, comments, moderationLog, questions, users } from '../../db/schema.ts';
import { MAX_PAGE_SIZE, type Page } from '../../lib/pagination.ts';
import { questionPath } from '../questions/service.ts';
import type { Settings } from '../settings/definitions.ts';
import type { Tx } from '../votes/reputation.ts';
import { emit } from '../../lib/events.ts';

export const MODERATION_ACTIONS = [
  'closed',
  'reopened',
  'close_voted',
  'locked',
  'unlocked',
  'pinned',
  'unpinned',
  'deleted',
  'undeleted',
  'hidden',
  'approved',
  'flags_dismissed',
  'warned',
  'suspended',
  'unsuspended',
  'spammer',
] as const;
export type ModerationAction = (typeof MODERATION_ACTIONS)[number];

export interface ModerationEntry {
  /** Null for the community (votes and flags reaching a threshold) or the system. */
  moderatorId: number | null;
  action: ModerationAction;
  targetType: 'question' | 'answer' | 'comment' | 'user';
  targetId: number;
  questionId?: number | null;
  userId?: number | null;
  /** Public words only: never a warning's text or a flagger's name. */
  reason?: string | null;
}

/**
 * Writes one log row in the caller's transaction, and (for a post) the search change log row that drops kept
 * pages of its thread, so no action is ever done without its trace or traced without being done.
 */
export function logModeration(tx: Tx, entry: ModerationEntry, now: Date): void {
  tx.insert(moderationLog)
    .values({
      at: now,
      moderatorId: entry.moderatorId,
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId,
      questionId: entry.questionId ?? null,
      userId: entry.userId ?? null,
      reason: entry.reason ?? null,
    })
    .run();
  if (entry.questionId) emit(tx, { type: 'thread.changed', questionId: entry.questionId, at: now });
  // The post's author hears of it (notifications: "a moderator acted on your post"), in the same transaction.
  if ((entry.targetType === 'question' || entry.targetType === 'answer') && entry.questionId) {
    const table = entry.targetType === 'question' ? questions : answers;
    const post = tx.select({ authorId: table.authorId }).from(table).where(eq(table.id, entry.targetId)).get();
    if (post && post.authorId !== entry.moderatorId) {
      emit(tx, { type: 'post.moderated', questionId: entry.questionId, postType: entry.targetType, postId: entry.targetId, authorId: post.authorId, actorId: entry.moderatorId ?? 0, action: entry.action, at: now });
    }
  }
}

export interface LogItem {
  id: number;
  at: Date;
  /** The moderator's display name, or null: "a moderator" (names hidden by the setting) or the community. */
  moderator: string | null;
  byCommunity: boolean;
  action: ModerationAction;
  targetType: 'question' | 'answer' | 'comment' | 'user';
  targetId: number;
  /** The thread's title and link (no link when the thread is deleted or hidden); null for accounts. */
  thread: { title: string; url: string | null } | null;
  /** The account concerned, for account actions. */
  username: string | null;
  reason: string | null;
}

/** A page of the public log, newest first. */
export function moderationLogPage(db: Db, settings: Settings, page = 1, pageSize = 25): Page<LogItem> {
  const size = Math.min(Math.max(pageSize, 1), MAX_PAGE_SIZE);
  const total = db.select({ n: count() }).from(moderationLog).get()?.n ?? 0;
  const rows = db
    .select()
    .from(moderationLog)
    .orderBy(desc(moderationLog.at), desc(moderationLog.id))
    .limit(size)
    .offset((page - 1) * size)
    .all();
  const questionIds = [...new Set(rows.map((r) => r.questionId).filter((id): id is number => id !== null))];
  const threads = new Map(
    questionIds.length === 0
      ? []
      : db
          .select({ id: questions.id, title: questions.title, slug: questions.slug, deletedAt: questions.deletedAt, hiddenReason: questions.hiddenReason })
          .from(questions)
          .where(inArray(questions.id, questionIds))
          .all()
          .map((q) => [q.id, q]),
  );
  const userIds = [...new Set(rows.flatMap((r) => [r.moderatorId, r.userId]).filter((id): id is number => id !== null))];
  const people = new Map(
    userIds.length === 0
      ? []
      : db
          .select({ id: users.id, username: users.username, displayName: users.displayName })
          .from(users)
          .where(inArray(users.id, userIds))
          .all()
          .map((u) => [u.id, u]),
  );
  const items = rows.map((row): LogItem => {
    const thread = row.questionId === null ? undefined : threads.get(row.questionId);
    return {
      id: row.id,
      at: row.at,
      moderator: row.moderatorId !== null && settings.moderationLogNames === 'shown' ? (people.get(row.moderatorId)?.displayName ?? null) : null,
      byCommunity: row.moderatorId === null,
      action: row.action as ModerationAction,
      targetType: row.targetType,
      targetId: row.targetId,
      // A hidden (spam) thread's title is not repeated here: the log must not carry what moderation removed.
      thread: thread
        ? thread.hiddenReason
          ? null
          : { title: thread.title, url: thread.deletedAt ? null : questionPath(thread.id, thread.slug) }
        : null,
      username: row.targetType === 'user' && row.userId !== null ? (people.get(row.userId)?.username ?? null) : null,
      reason: row.reason,
    };
  });
  return { items, page, pageSize: size, total };
}

/** The thread a post belongs to (for comments: the thread of the post they are on). */
export function threadOfPost(tx: Tx | Db, postType: 'question' | 'answer' | 'comment', postId: number): number | null {
  if (postType === 'question') return postId;
  if (postType === 'answer') return tx.select({ q: answers.questionId }).from(answers).where(eq(answers.id, postId)).get()?.q ?? null;
  const comment = tx.select({ postType: comments.postType, postId: comments.postId }).from(comments).where(eq(comments.id, postId)).get();
  return comment ? threadOfPost(tx, comment.postType, comment.postId) : null;
}
