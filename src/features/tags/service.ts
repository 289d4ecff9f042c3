// Owns tag pages: a tag's description (written by staff) and who answers most under it.
import { and, count, desc, eq, isNull, max, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { answers, questionTags, questions, tags, users } from '../../db/schema.ts';
import { forbidden, invalid, notFound } from '../../lib/errors.ts';
import { renderMarkdown } from '../../lib/markdown.ts';
import { atLeast, type Role } from '../accounts/roles.ts';
import { logSearchChange } from '../questions/service.ts';
import { cleanText } from '../questions/validation.ts';

export const TAG_DESCRIPTION_MAX = 2000;

export interface TagDetails {
  id: number;
  name: string;
  questionCount: number;
  descriptionMd: string | null;
  descriptionHtml: string | null;
}

export function getTag(db: Db, name: string): TagDetails {
  const tag = db
    .select({ id: tags.id, name: tags.name, questionCount: tags.questionCount, descriptionMd: tags.descriptionMd, descriptionHtml: tags.descriptionHtml })
    .from(tags)
    .where(eq(tags.name, name.toLowerCase()))
    .get();
  if (!tag) throw notFound();
  return tag;
}

export interface TopAnswerer {
  username: string;
  displayName: string;
  answers: number;
  score: number;
}

/** Members whose live answers under the tag score highest in all (then answer most). */
export function topAnswerers(db: Db, tagId: number, limit = 5): TopAnswerer[] {
  const score = sql<number>`coalesce(sum(${answers.score}), 0)`;
  return db
    .select({ username: users.username, displayName: users.displayName, answers: count(answers.id), score })
    .from(answers)
    .innerJoin(questionTags, and(eq(questionTags.questionId, answers.questionId), eq(questionTags.tagId, tagId)))
    .innerJoin(questions, and(eq(questions.id, answers.questionId), isNull(questions.deletedAt)))
    .innerJoin(users, eq(users.id, answers.authorId))
    .where(isNull(answers.deletedAt))
    .groupBy(users.id)
    .orderBy(desc(score), desc(count(answers.id)), users.username)
    .limit(limit)
    .all();
}

/**
 * Marks the kept signed-out pages stale after a change they may show (a tag's description, a display name):
 * the content version is the change log's last id, so one entry for an existing question does it (that
 * question is re-indexed as it is, which changes nothing).
 */
export function markPagesChanged(db: Db, now = new Date()): void {
  const latest = db.select({ id: max(questions.id) }).from(questions).get()?.id;
  if (latest) logSearchChange(db, latest, now);
}

/** Staff write what a tag is for (Markdown, sanitized like posts); an empty text removes the description. */
export function setTagDescription(db: Db, editor: { role: Role }, name: string, raw: unknown): void {
  if (!atLeast(editor.role, 'staff')) throw forbidden();
  const tag = getTag(db, name);
  const text = typeof raw === 'string' ? cleanText(raw).trim() : '';
  if ([...text].length > TAG_DESCRIPTION_MAX) throw invalid('description', 'ux.tag.descriptionTooLong', { max: TAG_DESCRIPTION_MAX });
  db.transaction((tx) => {
    tx.update(tags)
      .set({ descriptionMd: text || null, descriptionHtml: text ? renderMarkdown(text) : null })
      .where(eq(tags.id, tag.id))
      .run();
    markPagesChanged(tx as unknown as Db);
  });
}
