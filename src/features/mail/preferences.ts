// Owns mail delivery preferences per kind of mail (immediately, in the daily digest, never) and their defaults.
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { DELIVERIES, NOTIFICATION_KINDS, notificationPreferences, type Delivery, type NotificationKind } from '../../db/schema.ts';
import type { Tx } from '../../lib/events.ts';

/**
 * What a member gets by mail until they choose: straight away for what is about them (an answer to their
 * question, a mention, an accepted answer, a moderator's action), once a day for what they follow.
 * Security mail (address confirmation, password reset) is not a preference: it is always sent.
 */
export const DEFAULT_DELIVERY: Record<NotificationKind, Delivery> = {
  answer_on_your_question: 'immediately',
  comment_on_your_post: 'daily',
  mention: 'immediately',
  answer_accepted: 'immediately',
  official_answer: 'daily',
  followed_question_activity: 'daily',
  followed_tag_question: 'daily',
  post_edited: 'daily',
  moderation_action: 'immediately',
  privilege_gained: 'daily',
};

export const isNotificationKind = (kind: unknown): kind is NotificationKind => NOTIFICATION_KINDS.includes(kind as NotificationKind);
export const isDelivery = (value: unknown): value is Delivery => DELIVERIES.includes(value as Delivery);

/** Kinds other features mail (staff alerts, …) default to immediately and can be unsubscribed from like the rest. */
export function deliveryFor(db: Db | Tx, userId: number, kind: string): Delivery {
  const row = db
    .select({ delivery: notificationPreferences.delivery })
    .from(notificationPreferences)
    .where(and(eq(notificationPreferences.userId, userId), eq(notificationPreferences.kind, kind)))
    .get();
  if (row) return row.delivery;
  return isNotificationKind(kind) ? DEFAULT_DELIVERY[kind] : 'immediately';
}

export function allDeliveries(db: Db | Tx, userId: number): Record<NotificationKind, Delivery> {
  const chosen = db.select().from(notificationPreferences).where(eq(notificationPreferences.userId, userId)).all();
  const result = { ...DEFAULT_DELIVERY };
  for (const row of chosen) if (isNotificationKind(row.kind)) result[row.kind] = row.delivery;
  return result;
}

export function setDelivery(db: Db | Tx, userId: number, kind: string, delivery: Delivery): void {
  db.insert(notificationPreferences)
    .values({ userId, kind, delivery })
    .onConflictDoUpdate({ target: [notificationPreferences.userId, notificationPreferences.kind], set: { delivery } })
    .run();
}

/**
 * Staff alerts (the desk): a question escalated to a support case, a question past (or close to) the
 * first-response target, a post flagged for staff attention. Only staff and admins are offered them; the
 * default is immediately. `daily` puts the alert in one summary mail a day (see src/features/desk/alerts.ts).
 */
export const STAFF_ALERT_KINDS = ['desk_escalation', 'desk_breach', 'desk_flagged'] as const;
export type StaffAlertKind = (typeof STAFF_ALERT_KINDS)[number];
