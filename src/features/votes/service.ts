// Owns voting: one vote per user per post, never on your own, with privileges and the ledger in step.
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { answers, questions, reputationEvents, votes, type PostType } from '../../db/schema.ts';
import { AppError, forbidden, invalid } from '../../lib/errors.ts';
import type { Poster } from '../questions/limits.ts';
import { requireLivePost } from '../questions/posts.ts';
import { logSearchChange } from '../questions/service.ts';
import type { Settings } from '../settings/definitions.ts';
import { record, reverse, upvoteGainToday } from './reputation.ts';
import { hasPrivilege, voteEffects, type VoteValue } from './rules.ts';
import { assertNotLocked } from '../moderation/close.ts';

export interface VoteInput {
  postType: unknown;
  postId: unknown;
  value: unknown;
}

/**
 * Casts, changes or retracts (value 0) a vote. Each change first reverses what the previous vote
 * gave, then applies the new one (see the table in rules.ts).
 */
export function castVote(db: Db, voter: Poster, input: VoteInput, settings: Settings, now = new Date()): { score: number; myVote: VoteValue } {
  if (input.postType !== 'question' && input.postType !== 'answer') throw invalid('postType', 'error.postType');
  if (typeof input.postId !== 'number' || !Number.isInteger(input.postId)) throw invalid('postId', 'error.postId');
  if (input.value !== 1 && input.value !== -1 && input.value !== 0) throw invalid('value', 'error.voteValue');
  const postType: PostType = input.postType;
  const value: VoteValue = input.value;
  const postId = input.postId;

  return db.transaction((tx) => {
    const post = requireLivePost(tx, postType, postId);
    if (post.authorId === voter.id) throw new AppError(403, 'own_post', 'error.voteOwnPost');
    assertNotLocked(tx, post.questionId);
    if (value === 1 && !hasPrivilege(voter, 'voteUp', settings)) throw forbidden();
    if (value === -1 && !hasPrivilege(voter, 'voteDown', settings)) throw forbidden();

    const existing = tx
      .select()
      .from(votes)
      .where(and(eq(votes.userId, voter.id), eq(votes.postType, postType), eq(votes.postId, postId)))
      .get();
    const previous = (existing?.value ?? 0) as VoteValue;
    if (previous === value) return { score: post.score, myVote: value };

    if (existing) {
      reverse(tx, eq(reputationEvents.voteId, existing.id), now);
      tx.delete(votes).where(eq(votes.id, existing.id)).run();
    }
    if (value !== 0) {
      const { id: voteId } = tx.insert(votes).values({ userId: voter.id, postType, postId, value, createdAt: now }).returning({ id: votes.id }).get();
      const effects = voteEffects(value, postType, settings);
      let authorDelta: number = effects.author;
      if (authorDelta > 0) {
        const room = Math.max(0, settings.reputationDailyVoteCap - upvoteGainToday(tx, post.authorId, now));
        authorDelta = Math.min(authorDelta, room);
      }
      record(
        tx,
        [
          { userId: post.authorId, delta: authorDelta, reason: effects.authorReason, postType, postId, voteId },
          { userId: voter.id, delta: effects.voter, reason: 'downvote_given', postType, postId, voteId },
        ],
        now,
      );
    }
    const table = postType === 'question' ? questions : answers;
    const updated = tx
      .update(table)
      .set({ score: sql`${table.score} + ${value - previous}` })
      .where(eq(table.id, postId))
      .returning({ score: table.score })
      .get();
    logSearchChange(tx, post.questionId, now);
    return { score: updated!.score, myVote: value };
  });
}
