// Owns the inbox: a member's notifications, newest first, their unread count, and marking them read.
import { and, count, desc, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { notifications, type NotificationKind } from '../../db/schema.ts';
import type { I18n, MessageKey } from '../../lib/i18n.ts';

export interface NotificationView {
  id: number;
  kind: NotificationKind;
  text: string;
  url: string;
  read: boolean;
  createdAt: Date;
}

export function unreadCount(db: Db, userId: number): number {
  return db.select({ n: count() }).from(notifications).where(and(eq(notifications.userId, userId), isNull(notifications.readAt))).get()?.n ?? 0;
}

export function listNotifications(db: Db, i18n: I18n, userId: number, options: { page?: number; pageSize?: number; unread?: boolean } = {}) {
  const pageSize = Math.min(100, Math.max(1, options.pageSize ?? 30));
  const page = Math.max(1, options.page ?? 1);
  const where = and(eq(notifications.userId, userId), options.unread ? isNull(notifications.readAt) : undefined);
  const total = db.select({ n: count() }).from(notifications).where(where).get()?.n ?? 0;
  const rows = db
    .select()
    .from(notifications)
    .where(where)
    .orderBy(desc(notifications.id))
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .all();
  const items: NotificationView[] = rows.map((row) => {
    const data = JSON.parse(row.data) as { textKey?: string; title?: string; titleKey?: string; actor?: string; path?: string };
    const title = data.titleKey ? i18n.t(data.titleKey as MessageKey) : (data.title ?? '');
    return {
      id: row.id,
      kind: row.kind,
      text: i18n.t((data.textKey ?? `notifications.text.${row.kind}`) as MessageKey, { actor: data.actor ?? '', title }),
      url: data.path ?? '/notifications',
      read: row.readAt !== null,
      createdAt: row.createdAt,
    };
  });
  return { items, page, pageSize, total };
}

/** Marks some (or, without ids, all) of a member's notifications read; only their own. Returns the unread count left. */
export function markRead(db: Db, userId: number, ids?: number[], now = new Date()): number {
  if (ids && ids.length === 0) return unreadCount(db, userId);
  db.update(notifications)
    .set({ readAt: now })
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt), ids ? inArray(notifications.id, ids.slice(0, 1000)) : undefined))
    .run();
  return unreadCount(db, userId);
}
