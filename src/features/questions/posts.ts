// Owns what questions and answers have in common as "posts": finding a live one, its author and its thread.
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { answers, questions, type PostType } from '../../db/schema.ts';
import { notFound } from '../../lib/errors.ts';
import type { Tx } from '../votes/reputation.ts';

export interface PostRef {
  postType: PostType;
  id: number;
  authorId: number;
  /** The thread: the question itself, or the question an answer belongs to. */
  questionId: number;
  score: number;
}

/** A post that exists and is not deleted, or a 404. */
export function requireLivePost(tx: Tx | Db, postType: PostType, id: number): PostRef {
  if (postType === 'question') {
    const q = tx
      .select({ id: questions.id, authorId: questions.authorId, score: questions.score })
      .from(questions)
      .where(and(eq(questions.id, id), isNull(questions.deletedAt)))
      .get();
    if (!q) throw notFound();
    return { postType, id: q.id, authorId: q.authorId, questionId: q.id, score: q.score };
  }
  const a = tx
    .select({ id: answers.id, authorId: answers.authorId, score: answers.score, questionId: answers.questionId })
    .from(answers)
    .innerJoin(questions, eq(questions.id, answers.questionId))
    .where(and(eq(answers.id, id), isNull(answers.deletedAt), isNull(questions.deletedAt)))
    .get();
  if (!a) throw notFound();
  return { postType, id: a.id, authorId: a.authorId, questionId: a.questionId, score: a.score };
}
