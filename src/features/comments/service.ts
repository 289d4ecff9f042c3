// Owns comments on questions and answers: who may comment where, and the 15–600 character rule.
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { emit } from '../../lib/events.ts';
import { comments, questions, type PostType } from '../../db/schema.ts';
import { forbidden, invalid } from '../../lib/errors.ts';
import { checkPostingLimits, type Poster } from '../questions/limits.ts';
import { requireLivePost, type PostRef } from '../questions/posts.ts';
import type { Tx } from '../votes/reputation.ts';
import { logSearchChange } from '../questions/service.ts';
import type { Settings } from '../settings/definitions.ts';
import { hasPrivilege } from '../votes/rules.ts';
import { validComment } from '../questions/validation.ts';
import { assertNotLocked } from '../moderation/close.ts';

/**
 * Comments need the comment privilege, except on your own posts and on answers to your own question,
 * where you may always comment.
 */
export function canComment(db: Db, user: Poster, postType: PostType, postId: number, settings: Settings): boolean {
  return hasPrivilege(user, 'commentEverywhere', settings) || mayCommentOn(db, user, requireLivePost(db, postType, postId));
}

/**
 * The same rule from what a page already knows (a thread page asks it for every post: no query per post).
 * `askerId` is the question's author.
 */
export function mayComment(user: Poster, settings: Settings, post: { authorId: number; postType: PostType }, askerId: number): boolean {
  if (hasPrivilege(user, 'commentEverywhere', settings) || post.authorId === user.id) return true;
  return post.postType === 'answer' && askerId === user.id;
}

/** The rule without the privilege: your own post, or an answer to your own question. */
function mayCommentOn(db: Db | Tx, user: Poster, post: PostRef): boolean {
  if (post.authorId === user.id) return true;
  if (post.postType === 'answer') {
    const asker = db.select({ authorId: questions.authorId }).from(questions).where(eq(questions.id, post.questionId)).get();
    return asker?.authorId === user.id;
  }
  return false;
}

export function addComment(db: Db, author: Poster, input: { postType: unknown; postId: unknown; body: unknown }, settings: Settings, now = new Date()): { id: number; questionId: number } {
  if (input.postType !== 'question' && input.postType !== 'answer') throw invalid('postType', 'error.postType');
  if (typeof input.postId !== 'number' || !Number.isInteger(input.postId)) throw invalid('postId', 'error.postId');
  const postType: PostType = input.postType;
  const postId = input.postId;
  const body = validComment(input.body);
  return db.transaction((tx) => {
    const post = requireLivePost(tx, postType, postId);
    if (!hasPrivilege(author, 'commentEverywhere', settings) && !mayCommentOn(tx, author, post)) throw forbidden();
    assertNotLocked(tx, post.questionId);
    checkPostingLimits(tx, author, 'comment', body, settings, now);
    const { id } = tx.insert(comments).values({ postType, postId, authorId: author.id, body, createdAt: now }).returning({ id: comments.id }).get();
    tx.update(questions).set({ lastActivityAt: now }).where(eq(questions.id, post.questionId)).run();
    // Comments are not searched, but the change log is also the content version cached pages follow.
    logSearchChange(tx, post.questionId, now);
    emit(tx, { type: 'comment.posted', questionId: post.questionId, commentId: id, postType, postId, authorId: author.id, body, at: now });
    return { id, questionId: post.questionId };
  });
}
