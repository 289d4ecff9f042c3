// Owns posting limits for members: new-member daily quotas, a minimum interval, and duplicate refusal.
import { and, count, eq, gte, max } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { answers, comments, questions } from '../../db/schema.ts';
import { AppError, conflict } from '../../lib/errors.ts';
import { atLeast, type Role } from '../accounts/roles.ts';
import type { Settings } from '../settings/definitions.ts';
import type { Tx } from '../votes/reputation.ts';
import { checkNewMemberLinks } from '../moderation/new-members.ts';

export interface Poster {
  id: number;
  role: Role;
  reputation: number;
  createdAt: Date;
}

export type PostKind = 'question' | 'answer' | 'comment';

const DAY_MS = 86_400_000;

function tooSoon(retryAfterMs: number): AppError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new AppError(429, 'rate_limited', 'error.postingTooFast', { retryAfter: seconds, params: { seconds } });
}

/** Throws 429 (with Retry-After) or 409 when this post would break a limit. Staff roles are exempt. */
export function checkPostingLimits(tx: Tx | Db, poster: Poster, kind: PostKind, body: string, settings: Settings, now: Date): void {
  if (atLeast(poster.role, 'moderator')) return;
  checkNewMemberLinks(poster, body, settings, now);
  const isNew = now.getTime() - poster.createdAt.getTime() < settings.newMemberHours * 3_600_000;

  const latest = [
    tx.select({ at: max(questions.createdAt) }).from(questions).where(eq(questions.authorId, poster.id)).get()?.at,
    tx.select({ at: max(answers.createdAt) }).from(answers).where(eq(answers.authorId, poster.id)).get()?.at,
    tx.select({ at: max(comments.createdAt) }).from(comments).where(eq(comments.authorId, poster.id)).get()?.at,
  ]
    .filter((at): at is Date => at instanceof Date)
    .reduce((a, b) => Math.max(a, b.getTime()), 0);
  const interval = (isNew ? settings.newMemberSecondsBetweenPosts : settings.secondsBetweenPosts) * 1000;
  if (latest && now.getTime() - latest < interval) throw tooSoon(latest + interval - now.getTime());

  const since = new Date(now.getTime() - settings.duplicateBodyMinutes * 60_000);
  const duplicate =
    kind === 'comment'
      ? tx.select({ n: count() }).from(comments).where(and(eq(comments.authorId, poster.id), eq(comments.body, body), gte(comments.createdAt, since))).get()
      : kind === 'question'
        ? tx.select({ n: count() }).from(questions).where(and(eq(questions.authorId, poster.id), eq(questions.bodyMd, body), gte(questions.createdAt, since))).get()
        : tx.select({ n: count() }).from(answers).where(and(eq(answers.authorId, poster.id), eq(answers.bodyMd, body), gte(answers.createdAt, since))).get();
  if ((duplicate?.n ?? 0) > 0) throw conflict('duplicate_post', 'error.duplicatePost', 'body');

  if (!isNew || kind === 'comment') return;
  const dayAgo = new Date(now.getTime() - DAY_MS);
  const table = kind === 'question' ? questions : answers;
  const quota = kind === 'question' ? settings.newMemberQuestionsPerDay : settings.newMemberAnswersPerDay;
  const recent = tx
    .select({ n: count() })
    .from(table)
    .where(and(eq(table.authorId, poster.id), gte(table.createdAt, dayAgo)))
    .get();
  if ((recent?.n ?? 0) >= quota) {
    const oldest = tx
      .select({ at: table.createdAt })
      .from(table)
      .where(and(eq(table.authorId, poster.id), gte(table.createdAt, dayAgo)))
      .orderBy(table.createdAt)
      .limit(1)
      .get();
    throw tooSoon((oldest?.at.getTime() ?? now.getTime()) + DAY_MS - now.getTime());
  }
}
