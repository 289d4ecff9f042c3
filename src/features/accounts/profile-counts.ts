// Owns how many questions and answers a profile shows. Until the questions feature exists, there are none.
import type { Db } from '../../db/client.ts';

export function profileCounts(_db: Db, _userId: number): { questionCount: number; answerCount: number } {
  return { questionCount: 0, answerCount: 0 };
}
