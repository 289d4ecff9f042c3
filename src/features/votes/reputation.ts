// Owns the reputation ledger: every change is a row; users.reputation is a cache recomputed from it.
import { and, desc, eq, gte, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { emit } from '../../lib/events.ts';
import { reputationEvents, users, type PostType } from '../../db/schema.ts';
import { reputationFromLedger } from './rules.ts';

/** Drizzle's transaction handle has the same query API as the database handle. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export interface LedgerEntry {
  userId: number;
  delta: number;
  reason: string;
  postType?: PostType | null;
  postId?: number | null;
  voteId?: number | null;
}

export const UNDONE = '_undone';

/** Recomputes one user's cached reputation from the ledger. */
export function refreshReputation(tx: Tx | Db, userId: number, now = new Date()): number {
  const before = tx.select({ reputation: users.reputation }).from(users).where(eq(users.id, userId)).get()?.reputation;
  const row = tx
    .select({ sum: sql<number>`coalesce(sum(${reputationEvents.delta}), 0)` })
    .from(reputationEvents)
    .where(eq(reputationEvents.userId, userId))
    .get();
  const reputation = reputationFromLedger(Number(row?.sum ?? 0));
  tx.update(users).set({ reputation }).where(eq(users.id, userId)).run();
  if (before !== undefined && before !== reputation) emit(tx, { type: 'reputation.changed', userId, before, after: reputation, at: now });
  return reputation;
}

/** Writes ledger rows (zero deltas are skipped) and refreshes the caches of the users they touch. */
export function record(tx: Tx, entries: LedgerEntry[], now: Date): void {
  const touched = new Set<number>();
  for (const entry of entries) {
    if (entry.delta === 0) continue;
    tx.insert(reputationEvents)
      .values({
        userId: entry.userId,
        delta: entry.delta,
        reason: entry.reason,
        postType: entry.postType ?? null,
        postId: entry.postId ?? null,
        voteId: entry.voteId ?? null,
        createdAt: now,
      })
      .run();
    touched.add(entry.userId);
  }
  for (const userId of touched) refreshReputation(tx, userId, now);
}

/**
 * Takes back exactly what matching rows gave: for each user and reason, the net of the rows (and of
 * earlier reversals) is negated in a new `<reason>_undone` row.
 */
export function reverse(tx: Tx, where: SQL, now: Date): void {
  const rows = tx
    .select({
      userId: reputationEvents.userId,
      reason: reputationEvents.reason,
      postType: reputationEvents.postType,
      postId: reputationEvents.postId,
      voteId: reputationEvents.voteId,
      delta: reputationEvents.delta,
    })
    .from(reputationEvents)
    .where(where)
    .all();
  const net = new Map<string, LedgerEntry>();
  for (const row of rows) {
    const base = row.reason.endsWith(UNDONE) ? row.reason.slice(0, -UNDONE.length) : row.reason;
    const key = `${row.userId}|${base}|${row.postType}|${row.postId}|${row.voteId}`;
    const entry = net.get(key) ?? { userId: row.userId, delta: 0, reason: base, postType: row.postType, postId: row.postId, voteId: row.voteId };
    entry.delta += row.delta;
    net.set(key, entry);
  }
  record(
    tx,
    [...net.values()].map((entry) => ({ ...entry, delta: -entry.delta, reason: entry.reason + UNDONE })),
    now,
  );
}

export function startOfUtcDay(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

/** Net reputation a user gained from upvotes since the start of the UTC day (for the daily cap). */
export function upvoteGainToday(tx: Tx, userId: number, now: Date): number {
  const row = tx
    .select({ sum: sql<number>`coalesce(sum(${reputationEvents.delta}), 0)` })
    .from(reputationEvents)
    .where(
      and(
        eq(reputationEvents.userId, userId),
        inArray(reputationEvents.reason, ['upvote', 'upvote' + UNDONE]),
        gte(reputationEvents.createdAt, startOfUtcDay(now)),
      ),
    )
    .get();
  return Number(row?.sum ?? 0);
}

export interface ReputationHistoryItem {
  delta: number;
  reason: string;
  postType: PostType | null;
  postId: number | null;
  createdAt: Date;
}

export function reputationHistory(db: Db, userId: number, limit = 30): ReputationHistoryItem[] {
  return db
    .select({
      delta: reputationEvents.delta,
      reason: reputationEvents.reason,
      postType: reputationEvents.postType,
      postId: reputationEvents.postId,
      createdAt: reputationEvents.createdAt,
    })
    .from(reputationEvents)
    .where(eq(reputationEvents.userId, userId))
    .orderBy(desc(reputationEvents.id))
    .limit(limit)
    .all();
}

export interface ReputationDifference {
  userId: number;
  username: string;
  cached: number;
  ledger: number;
}

/** Rebuilds every cache from the ledger and reports the users whose cache was wrong. */
export function recomputeReputation(db: Db): ReputationDifference[] {
  return db.transaction((tx) => {
    const sums = new Map(
      tx
        .select({ userId: reputationEvents.userId, sum: sql<number>`sum(${reputationEvents.delta})` })
        .from(reputationEvents)
        .groupBy(reputationEvents.userId)
        .all()
        .map((row) => [row.userId, Number(row.sum)]),
    );
    const differences: ReputationDifference[] = [];
    for (const user of tx.select({ id: users.id, username: users.username, reputation: users.reputation }).from(users).all()) {
      const ledger = reputationFromLedger(sums.get(user.id) ?? 0);
      if (ledger !== user.reputation) {
        differences.push({ userId: user.id, username: user.username, cached: user.reputation, ledger });
        tx.update(users).set({ reputation: ledger }).where(eq(users.id, user.id)).run();
      }
    }
    return differences;
  });
}
