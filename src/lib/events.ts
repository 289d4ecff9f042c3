// Owns the in-process event bus: services emit typed events inside their transaction; listeners registered in
// app.ts write their own rows (notification jobs, outbox, …) in that same transaction, so the effect is
// committed with the event or not at all. Listeners must be synchronous and fast: the request pays for them.
import type { Db } from '../db/client.ts';

/** Drizzle's transaction handle has the same query API as the database handle. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export type ForumEvent =
  | { type: 'question.asked'; questionId: number; authorId: number; tags: string[]; at: Date }
  | { type: 'answer.posted'; questionId: number; answerId: number; authorId: number; official: boolean; at: Date }
  | { type: 'answer.accepted'; questionId: number; answerId: number; actorId: number; at: Date }
  | { type: 'answer.official'; questionId: number; answerId: number; actorId: number; at: Date }
  | { type: 'comment.posted'; questionId: number; commentId: number; postType: 'question' | 'answer'; postId: number; authorId: number; body: string; at: Date }
  | { type: 'post.edited'; questionId: number; postType: 'question' | 'answer'; postId: number; editorId: number; authorId: number; at: Date }
  | { type: 'reputation.changed'; userId: number; before: number; after: number; at: Date }
  /** A moderator closed, deleted, locked… a post; its author is told. */
  | { type: 'post.moderated'; questionId: number; postType: 'question' | 'answer'; postId: number; authorId: number; actorId: number; action: string; at: Date }
  /**
   * A private support case on a question was opened, solved or reopened: the public thread's banner changed.
   * Nothing of the case itself travels (no text, no people): listeners only learn which thread to refresh.
   */
  | { type: 'case.banner'; questionId: number; change: 'opened' | 'solved' | 'reopened'; at: Date }
  /** A thread's public state changed without a post being written (moderation: closed, hidden, locked, voted on…): search re-reads it and its kept pages drop. */
  | { type: 'thread.changed'; questionId: number; at: Date }
  /** A moderator warned or suspended a member: they are told where to read it (never the text itself in the event). */
  | { type: 'member.moderated'; userId: number; kind: 'warned' | 'suspended'; actorId: number; at: Date }
  /** A member flagged a post (the desk alerts staff of "needs staff attention" flags; never who flagged). */
  | { type: 'flag.raised'; questionId: number; postType: 'question' | 'answer' | 'comment'; postId: number; reason: string; note: string | null; at: Date }
  /** A moderator decided the open flags on a post: each flagger hears their own flag's fate (never who else flagged). */
  | { type: 'flag.decided'; questionId: number; postType: 'question' | 'answer' | 'comment'; postId: number; flaggerIds: number[]; outcome: 'helpful' | 'declined'; actorId: number; at: Date };

export type ForumEventType = ForumEvent['type'];
type Listener<T extends ForumEventType> = (tx: Tx | Db, event: Extract<ForumEvent, { type: T }>) => void;

// Module-wide: a listener is a plain function of (transaction, event), the same for every app in the process,
// so registering it twice (several apps in one test file) keeps one copy.
const listeners = new Map<ForumEventType, Set<Listener<ForumEventType>>>();

export function on<T extends ForumEventType>(type: T, listener: Listener<T>): void {
  let set = listeners.get(type);
  if (!set) listeners.set(type, (set = new Set()));
  set.add(listener as unknown as Listener<ForumEventType>);
}

/** Runs the listeners of the event inside the caller's transaction; a listener that throws rolls the event back. */
export function emit(tx: Tx | Db, event: ForumEvent): void {
  const set = listeners.get(event.type);
  if (!set) return;
  for (const listener of set) listener(tx, event as never);
}
