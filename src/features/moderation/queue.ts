// Owns the review queues for moderators: flagged posts grouped per post (oldest first) with the flags and the
// author's history, and first posts of new members with links held until approved. Also the header's open counts.
import { and, count, desc, eq, isNull, min, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { answers, comments, flags, questions, users, type ModeratedPostType } from '../../db/schema.ts';
import { excerpt, htmlToText } from '../../lib/markdown.ts';
import { questionPath } from '../questions/service.ts';
import type { FlagReason } from './flags.ts';

export interface QueueFlag {
  id: number;
  reason: FlagReason;
  note: string | null;
  duplicateOfId: number | null;
  createdAt: Date;
  /** Moderators see who flagged; this never leaves the queue (page or API, moderators only). */
  flagger: string;
}

export interface AuthorHistory {
  id: number;
  username: string;
  displayName: string;
  reputation: number;
  createdAt: Date;
  suspendedUntil: Date | null;
  posts: number;
  deletedPosts: number;
  flagsOnPosts: number;
  recent: { title: string; url: string; createdAt: Date }[];
}

export interface QueueItem {
  postType: ModeratedPostType;
  postId: number;
  questionId: number;
  thread: { title: string; url: string; status: 'open' | 'closed'; locked: boolean };
  excerpt: string;
  hiddenReason: string | null;
  since: Date;
  flags: QueueFlag[];
  author: AuthorHistory;
}

function postOf(db: Db, postType: ModeratedPostType, postId: number): { authorId: number; questionId: number; text: string; hiddenReason: string | null; createdAt: Date } | undefined {
  if (postType === 'question') {
    const q = db.select().from(questions).where(and(eq(questions.id, postId), isNull(questions.deletedAt))).get();
    return q && { authorId: q.authorId, questionId: q.id, text: htmlToText(q.bodyHtml.slice(0, 4000)), hiddenReason: q.hiddenReason, createdAt: q.createdAt };
  }
  if (postType === 'answer') {
    const a = db.select().from(answers).where(and(eq(answers.id, postId), isNull(answers.deletedAt))).get();
    return a && { authorId: a.authorId, questionId: a.questionId, text: htmlToText(a.bodyHtml.slice(0, 4000)), hiddenReason: a.hiddenReason, createdAt: a.createdAt };
  }
  const c = db.select().from(comments).where(and(eq(comments.id, postId), isNull(comments.deletedAt))).get();
  if (!c) return undefined;
  const questionId = c.postType === 'question' ? c.postId : db.select({ q: answers.questionId }).from(answers).where(eq(answers.id, c.postId)).get()?.q;
  return questionId === undefined ? undefined : { authorId: c.authorId, questionId, text: c.body, hiddenReason: c.hiddenReason, createdAt: c.createdAt };
}

export function authorHistory(db: Db, userId: number): AuthorHistory | undefined {
  const user = db
    .select({ id: users.id, username: users.username, displayName: users.displayName, reputation: users.reputation, createdAt: users.createdAt, suspendedUntil: users.suspendedUntil })
    .from(users)
    .where(eq(users.id, userId))
    .get();
  if (!user) return undefined;
  const q = db.select({ live: sql<number>`sum(${questions.deletedAt} is null)`, all: count() }).from(questions).where(eq(questions.authorId, userId)).get();
  const a = db.select({ live: sql<number>`sum(${answers.deletedAt} is null)`, all: count() }).from(answers).where(eq(answers.authorId, userId)).get();
  const all = (q?.all ?? 0) + (a?.all ?? 0);
  const live = Number(q?.live ?? 0) + Number(a?.live ?? 0);
  const flagsOnPosts = db.select({ n: count() }).from(flags).where(eq(flags.authorId, userId)).get()?.n ?? 0;
  const recent = db
    .select({ id: questions.id, title: questions.title, slug: questions.slug, createdAt: questions.createdAt })
    .from(questions)
    .where(and(eq(questions.authorId, userId), isNull(questions.deletedAt)))
    .orderBy(desc(questions.createdAt))
    .limit(5)
    .all()
    .map((r) => ({ title: r.title, url: questionPath(r.id, r.slug), createdAt: r.createdAt }));
  return { ...user, posts: all, deletedPosts: all - live, flagsOnPosts, recent };
}

function item(db: Db, postType: ModeratedPostType, postId: number, since: Date, flagRows: QueueFlag[]): QueueItem | undefined {
  const post = postOf(db, postType, postId);
  if (!post) return undefined;
  const thread = db.select({ title: questions.title, slug: questions.slug, status: questions.status, lockedAt: questions.lockedAt }).from(questions).where(eq(questions.id, post.questionId)).get();
  const author = authorHistory(db, post.authorId);
  if (!thread || !author) return undefined;
  return {
    postType,
    postId,
    questionId: post.questionId,
    thread: { title: thread.title, url: questionPath(post.questionId, thread.slug), status: thread.status, locked: thread.lockedAt !== null },
    excerpt: excerpt(post.text, 400),
    hiddenReason: post.hiddenReason,
    since,
    flags: flagRows,
    author,
  };
}

/** Open flags grouped per post, the post flagged longest ago first. */
export function flaggedQueue(db: Db, limit = 30): QueueItem[] {
  const groups = db
    .select({ postType: flags.postType, postId: flags.postId, since: min(flags.createdAt) })
    .from(flags)
    .where(eq(flags.status, 'open'))
    .groupBy(flags.postType, flags.postId)
    .orderBy(min(flags.createdAt))
    .limit(limit)
    .all();
  const items: QueueItem[] = [];
  for (const g of groups) {
    const rows = db
      .select({ id: flags.id, reason: sql<FlagReason>`${flags.reason}`, note: flags.note, duplicateOfId: flags.duplicateOfId, createdAt: flags.createdAt, flagger: users.username })
      .from(flags)
      .innerJoin(users, eq(users.id, flags.flaggerId))
      .where(and(eq(flags.postType, g.postType), eq(flags.postId, g.postId), eq(flags.status, 'open')))
      .orderBy(flags.id)
      .all();
    const found = item(db, g.postType, g.postId, g.since ?? new Date(0), rows);
    if (found) items.push(found);
  }
  return items;
}

/** New members' first posts with links, held until approved, oldest first. */
export function heldQueue(db: Db, limit = 30): QueueItem[] {
  const held: { postType: ModeratedPostType; id: number; createdAt: Date }[] = [
    ...db.select({ id: questions.id, createdAt: questions.createdAt }).from(questions).where(and(eq(questions.hiddenReason, 'held'), isNull(questions.deletedAt))).limit(limit).all().map((r) => ({ ...r, postType: 'question' as const })),
    ...db.select({ id: answers.id, createdAt: answers.createdAt }).from(answers).where(and(eq(answers.hiddenReason, 'held'), isNull(answers.deletedAt))).limit(limit).all().map((r) => ({ ...r, postType: 'answer' as const })),
  ];
  held.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  return held
    .slice(0, limit)
    .map((h) => item(db, h.postType, h.id, h.createdAt, []))
    .filter((i): i is QueueItem => i !== undefined);
}

/** Open items for the header: posts with open flags, and held posts. */
export function openCounts(db: Db): { flagged: number; held: number; total: number } {
  const flagged = db.select({ n: sql<number>`count(distinct ${flags.postType} || ':' || ${flags.postId})` }).from(flags).where(eq(flags.status, 'open')).get()?.n ?? 0;
  const heldQ = db.select({ n: count() }).from(questions).where(and(eq(questions.hiddenReason, 'held'), isNull(questions.deletedAt))).get()?.n ?? 0;
  const heldA = db.select({ n: count() }).from(answers).where(and(eq(answers.hiddenReason, 'held'), isNull(answers.deletedAt))).get()?.n ?? 0;
  const held = heldQ + heldA;
  return { flagged: Number(flagged), held, total: Number(flagged) + held };
}

