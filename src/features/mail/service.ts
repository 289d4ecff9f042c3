// Owns reading the outbox for admins (/admin/mail) and the one-click unsubscribe operation.
import { desc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { mailOutbox, users, type MailStatus } from '../../db/schema.ts';
import { setDelivery } from './preferences.ts';

export interface OutboxItem {
  id: number;
  toAddress: string;
  subject: string | null;
  status: MailStatus;
  kind: string;
  attempts: number;
  createdAt: Date;
  sentAt: Date | null;
  lastError: string | null;
}

export function recentMail(db: Db, limit = 50): OutboxItem[] {
  return db
    .select({
      id: mailOutbox.id,
      toAddress: mailOutbox.toAddress,
      subject: mailOutbox.subject,
      status: mailOutbox.status,
      kind: mailOutbox.kind,
      attempts: mailOutbox.attempts,
      createdAt: mailOutbox.createdAt,
      sentAt: mailOutbox.sentAt,
      lastError: mailOutbox.lastError,
    })
    .from(mailOutbox)
    .orderBy(desc(mailOutbox.id))
    .limit(limit)
    .all();
}

export function mailById(db: Db, id: number) {
  return db.select().from(mailOutbox).where(eq(mailOutbox.id, id)).get();
}

/** Switches one kind of mail off for one member (the signed link was checked by the caller). */
export function unsubscribe(db: Db, userId: number, kind: string): { username: string } | undefined {
  const user = db.select({ username: users.username }).from(users).where(eq(users.id, userId)).get();
  if (!user) return undefined;
  setDelivery(db, userId, kind, 'never');
  return user;
}

export function unsubscribeTarget(db: Db, userId: number): { username: string } | undefined {
  return db.select({ username: users.username }).from(users).where(eq(users.id, userId)).get();
}
