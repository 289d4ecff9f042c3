// Owns what a deleted post does to reputation: its ledger rows are reversed (not forgotten) when a moderator
// deletes it, and given back when it is undeleted.
//
//   post state | ledger rows written, per (user, reason, post, vote)
//   live       | none (the moderation layer's rows of the key net to zero)
//   deleted    | `<reason>_deleted` = −(net of every row of the key)
//   undeleted  | `<reason>_restored` = −(net of the key's `_deleted`/`_restored` rows), so that layer nets to zero again
//
// A vote changed after an undelete is reversed by votes/reputation.ts reverse(), which negates every reason of the
// vote's rows (those above included), so the vote's total still goes to exactly zero.
import { and, eq, type SQL } from 'drizzle-orm';
import { reputationEvents, type PostType } from '../../db/schema.ts';
import { record, type LedgerEntry, type Tx } from '../votes/reputation.ts';

const LAYER = /_(deleted|restored)(_undone)*$/;
const rootOf = (reason: string) => reason.replace(/(_undone|_deleted|_restored)+$/, '');

function netByKey(tx: Tx, where: SQL, only?: (reason: string) => boolean): Map<string, LedgerEntry> {
  const net = new Map<string, LedgerEntry>();
  const rows = tx.select().from(reputationEvents).where(where).all();
  for (const row of rows) {
    if (only && !only(row.reason)) continue;
    const root = rootOf(row.reason);
    const key = `${row.userId}|${root}|${row.postType}|${row.postId}|${row.voteId}`;
    const entry = net.get(key) ?? { userId: row.userId, delta: 0, reason: root, postType: row.postType, postId: row.postId, voteId: row.voteId };
    entry.delta += row.delta;
    net.set(key, entry);
  }
  return net;
}

const postRows = (postType: PostType, postId: number) => and(eq(reputationEvents.postType, postType), eq(reputationEvents.postId, postId))!;

/** Takes back everything a post's ledger rows gave (its votes, acceptance), on a moderator's deletion. */
export function reverseForDeletion(tx: Tx, postType: PostType, postId: number, now: Date): void {
  const entries = [...netByKey(tx, postRows(postType, postId)).values()].map((e) => ({ ...e, delta: -e.delta, reason: `${e.reason}_deleted` }));
  record(tx, entries, now);
}

/** Gives back what reverseForDeletion took, on an undelete. */
export function restoreAfterUndeletion(tx: Tx, postType: PostType, postId: number, now: Date): void {
  const entries = [...netByKey(tx, postRows(postType, postId), (reason) => LAYER.test(reason)).values()].map((e) => ({
    ...e,
    delta: -e.delta,
    reason: `${e.reason}_restored`,
  }));
  record(tx, entries, now);
}
