// Owns coalescing: consecutive events on one thread for one member become one mail. The first event of a quiet
// thread is mailed at once; events in the next few minutes are gathered into one held mail sent when the
// window ends (a pending row that has not been claimed yet takes further items).
import { and, desc, eq, gt } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { mailOutbox } from '../../db/schema.ts';
import type { Tx } from '../../lib/events.ts';
import { enqueueMail, type MailData } from './outbox.ts';

/** Most lines one coalesced mail lists; later events still reach the inbox. */
const MAX_ITEMS = 20;

export type MailItem = Record<string, string | number | null>;

/**
 * Mails `item` to a member about the thread `groupKey`, joining a pending mail of the same thread when there is
 * one. Returns whether a mail carries it (false: unconfirmed address, kind switched off, or a full mail).
 */
export function mailCoalesced(
  tx: Tx | Db,
  userId: number,
  kind: string,
  groupKey: string,
  item: MailItem,
  base: { username: string; linkPath: string },
  windowMs: number,
  now = new Date(),
): boolean {
  const last = tx
    .select({ id: mailOutbox.id, status: mailOutbox.status, data: mailOutbox.data, createdAt: mailOutbox.createdAt, nextAttemptAt: mailOutbox.nextAttemptAt })
    .from(mailOutbox)
    .where(and(eq(mailOutbox.toUserId, userId), eq(mailOutbox.groupKey, groupKey), gt(mailOutbox.createdAt, new Date(now.getTime() - windowMs))))
    .orderBy(desc(mailOutbox.id))
    .limit(1)
    .get();
  if (last?.status === 'pending') {
    const data = JSON.parse(last.data) as { items: MailItem[] };
    if (data.items.length >= MAX_ITEMS) return true;
    data.items.push(item);
    // Only a row nobody has claimed yet takes the item (the claim changes the status in one statement).
    const changed = tx.update(mailOutbox).set({ data: JSON.stringify(data) }).where(and(eq(mailOutbox.id, last.id), eq(mailOutbox.status, 'pending'))).run().changes;
    if (changed === 1) return true;
  }
  const data: MailData = { username: base.username, linkPath: base.linkPath, items: [item] };
  // A thread mailed a moment ago: hold this one until the window since that mail has passed.
  const notBefore = last ? new Date(Math.max(last.createdAt.getTime(), last.nextAttemptAt.getTime()) + windowMs) : undefined;
  return enqueueMail(tx, { to: { userId }, kind, template: 'notification', data, groupKey, notBefore }, now) !== null;
}
