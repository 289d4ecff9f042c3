// Owns how many live questions and answers a profile shows.
import { and, count, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { answers, questions } from '../../db/schema.ts';

export function profileCounts(db: Db, userId: number): { questionCount: number; answerCount: number } {
  const questionCount = db.select({ n: count() }).from(questions).where(and(eq(questions.authorId, userId), isNull(questions.deletedAt))).get()?.n ?? 0;
  const answerCount = db.select({ n: count() }).from(answers).where(and(eq(answers.authorId, userId), isNull(answers.deletedAt))).get()?.n ?? 0;
  return { questionCount, answerCount };
}
