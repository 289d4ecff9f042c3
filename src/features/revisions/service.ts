// Owns revision history: every version of a post, with a word-level diff against the version before it.
import { diffLines, diffWords, type Change } from 'diff';
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { answers, questions, revisions, users, type PostType, type Role } from '../../db/schema.ts';
import { notFound } from '../../lib/errors.ts';

export interface DiffPart {
  kind: 'same' | 'added' | 'removed';
  text: string;
}

export interface RevisionView {
  number: number;
  author: { username: string; displayName: string; role: Role };
  createdAt: Date;
  comment: string | null;
  title: string | null;
  tags: string[] | null;
  titleDiff: DiffPart[] | null;
  bodyDiff: DiffPart[];
  tagsAdded: string[];
  tagsRemoved: string[];
}

export interface RevisionHistory {
  postType: PostType;
  postId: number;
  question: { id: number; title: string; slug: string };
  revisions: RevisionView[];
}

const toParts = (changes: Change[]): DiffPart[] =>
  changes.map((change) => ({ kind: change.added ? 'added' : change.removed ? 'removed' : 'same', text: change.value }));

/** Word diff, falling back to a line diff when the texts are too different for a word diff to stay cheap. */
export function textDiff(before: string, after: string): DiffPart[] {
  const words = diffWords(before, after, { maxEditLength: 2_000 });
  return toParts(words ?? diffLines(before, after));
}

export function revisionHistory(db: Db, postType: PostType, postId: number): RevisionHistory {
  const question =
    postType === 'question'
      ? db.select({ id: questions.id, title: questions.title, slug: questions.slug, deletedAt: questions.deletedAt }).from(questions).where(eq(questions.id, postId)).get()
      : db
          .select({ id: questions.id, title: questions.title, slug: questions.slug, deletedAt: answers.deletedAt })
          .from(answers)
          .innerJoin(questions, eq(questions.id, answers.questionId))
          .where(eq(answers.id, postId))
          .get();
  if (!question || question.deletedAt) throw notFound();
  const rows = db
    .select({ revision: revisions, author: { username: users.username, displayName: users.displayName, role: users.role } })
    .from(revisions)
    .innerJoin(users, eq(users.id, revisions.authorId))
    .where(and(eq(revisions.postType, postType), eq(revisions.postId, postId)))
    .orderBy(asc(revisions.number))
    .all();
  const views: RevisionView[] = [];
  let previous: { title: string | null; bodyMd: string; tags: string[] | null } | undefined;
  for (const { revision, author } of rows) {
    const tags = revision.tags ? (JSON.parse(revision.tags) as string[]) : null;
    views.push({
      number: revision.number,
      author,
      createdAt: revision.createdAt,
      comment: revision.comment,
      title: revision.title,
      tags,
      titleDiff: previous && revision.title !== null && previous.title !== revision.title ? textDiff(previous.title ?? '', revision.title) : null,
      bodyDiff: previous ? textDiff(previous.bodyMd, revision.bodyMd) : [{ kind: 'same', text: revision.bodyMd }],
      tagsAdded: previous && tags ? tags.filter((t) => !(previous!.tags ?? []).includes(t)) : [],
      tagsRemoved: previous && tags ? (previous.tags ?? []).filter((t) => !tags.includes(t)) : [],
    });
    previous = { title: revision.title, bodyMd: revision.bodyMd, tags };
  }
  const { deletedAt: _deleted, ...questionRef } = question;
  return { postType, postId, question: questionRef, revisions: views.reverse() };
}
