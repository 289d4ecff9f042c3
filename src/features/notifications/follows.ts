// Owns follows: who follows which question (askers and answerers automatically) and which tag.
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { questionFollows, questions, tagFollows, tags } from '../../db/schema.ts';
import { notFound } from '../../lib/errors.ts';
import type { Tx } from '../../lib/events.ts';

export function followQuestion(db: Db | Tx, userId: number, questionId: number, now = new Date()): void {
  db.insert(questionFollows).values({ questionId, userId, createdAt: now }).onConflictDoNothing().run();
}

/** Follows or unfollows a live question on a member's request; 404 for a missing or deleted one. */
export function setQuestionFollow(db: Db, userId: number, questionId: number, follow: boolean): void {
  const question = db.select({ id: questions.id }).from(questions).where(and(eq(questions.id, questionId), isNull(questions.deletedAt))).get();
  if (!question) throw notFound();
  if (follow) followQuestion(db, userId, questionId);
  else db.delete(questionFollows).where(and(eq(questionFollows.questionId, questionId), eq(questionFollows.userId, userId))).run();
}

export function isFollowingQuestion(db: Db, userId: number, questionId: number): boolean {
  return !!db.select({ q: questionFollows.questionId }).from(questionFollows).where(and(eq(questionFollows.questionId, questionId), eq(questionFollows.userId, userId))).get();
}

function tagId(db: Db, name: string): number {
  const tag = db.select({ id: tags.id }).from(tags).where(eq(tags.name, name.trim().toLowerCase())).get();
  if (!tag) throw notFound();
  return tag.id;
}

/** Follows or unfollows an existing tag; 404 for a tag nobody has used. */
export function setTagFollow(db: Db, userId: number, name: string, follow: boolean): void {
  const id = tagId(db, name);
  if (follow) db.insert(tagFollows).values({ tagId: id, userId }).onConflictDoNothing().run();
  else db.delete(tagFollows).where(and(eq(tagFollows.tagId, id), eq(tagFollows.userId, userId))).run();
}

export function isFollowingTag(db: Db, userId: number, name: string): boolean {
  const tag = db.select({ id: tags.id }).from(tags).where(eq(tags.name, name.trim().toLowerCase())).get();
  if (!tag) return false;
  return !!db.select({ t: tagFollows.tagId }).from(tagFollows).where(and(eq(tagFollows.tagId, tag.id), eq(tagFollows.userId, userId))).get();
}
