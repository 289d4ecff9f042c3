// Owns mailing staff alerts (escalations from cases, first-response breaches from breaches.ts, staff flags from
// moderation): each staff member or admin per their preference — immediately (one mail per alert), in one
// daily summary per staff member (every alert of the day held in one pending outbox row, sent at the digest
// hour), or never. Called inside the transaction of the event.
import { and, asc, desc, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { mailOutbox, users } from '../../db/schema.ts';
import type { Tx } from '../../lib/events.ts';
import { enqueueMail, type MailData } from '../mail/outbox.ts';
import { deliveryFor, type StaffAlertKind } from '../mail/preferences.ts';
import { getSettings } from '../settings/service.ts';

/** At most this many staff are mailed one alert (the rest see it on the desk and in their feed). */
const STAFF_MAILED_MAX = 50;

/** The next digest moment (the `digestHourUtc` setting) after `now`. */
export function nextDigestAt(now: Date, hourUtc: number): Date {
  const at = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), hourUtc));
  if (at <= now) at.setUTCDate(at.getUTCDate() + 1);
  return at;
}

export function staffMembers(tx: Tx | Db, except?: number): number[] {
  return tx
    .select({ id: users.id })
    .from(users)
    .where(and(inArray(users.role, ['staff', 'admin']), isNull(users.suspendedAt)))
    .orderBy(asc(users.id))
    .limit(STAFF_MAILED_MAX)
    .all()
    .map((row) => row.id)
    .filter((id) => id !== except);
}

/** One line of the daily summary: a message key (desk.summary.*) with the title, and where to look. */
export interface SummaryLine {
  key: string;
  title: string;
  path: string;
}

/** The kind of the daily summary mail (its one-click unsubscribe switches off the summary only). */
export const SUMMARY_KIND = 'desk_summary';
/** Most lines one summary lists; it still counts every alert of the day. */
const SUMMARY_MAX_ITEMS = 50;

const str = (value: unknown) => (typeof value === 'string' ? value : '');

/** The summary line of an alert that names none: its kind's message, the title and the first path the data gives. */
export function defaultLine(kind: StaffAlertKind, data: MailData): SummaryLine {
  const path = [data.casePath, data.questionPath, data.postPath, data.path, data.linkPath].map(str).find((p) => p.startsWith('/') && !p.startsWith('//'));
  return { key: `desk.summary.${kind}`, title: str(data.title), path: path ?? '/staff/desk' };
}

/**
 * Adds a line to the staff member's summary for the digest moment `digestAt`: the pending outbox row of that day
 * (found by its groupKey, as coalesce.ts joins a thread's mails) takes it while the sender has not claimed it;
 * otherwise a new held row starts. Every summary is the `desk-summary` template (the notifications digest's
 * layout), rendered in the staff member's language when it is sent.
 */
export function holdForSummary(tx: Tx | Db, userId: number, line: SummaryLine, digestAt: Date, now = new Date()): boolean {
  const groupKey = `desk-summary:${digestAt.toISOString().slice(0, 13)}`;
  const pending = tx
    .select({ id: mailOutbox.id, data: mailOutbox.data })
    .from(mailOutbox)
    .where(and(eq(mailOutbox.toUserId, userId), eq(mailOutbox.groupKey, groupKey), eq(mailOutbox.status, 'pending')))
    .orderBy(desc(mailOutbox.id))
    .limit(1)
    .get();
  if (pending) {
    const data = JSON.parse(pending.data) as { count: number; items: SummaryLine[] };
    data.count++;
    if (data.items.length < SUMMARY_MAX_ITEMS) data.items.push(line);
    // Only a row nobody has claimed yet takes the line (the claim changes the status in one statement).
    if (tx.update(mailOutbox).set({ data: JSON.stringify(data) }).where(and(eq(mailOutbox.id, pending.id), eq(mailOutbox.status, 'pending'))).run().changes === 1) return true;
  }
  const user = tx.select({ name: users.displayName }).from(users).where(eq(users.id, userId)).get();
  if (!user) return false;
  const data: MailData = { username: user.name, count: 1, items: [{ ...line }], actionPath: '/staff/desk', actionKey: 'desk.summary.action' };
  return enqueueMail(tx, { to: { userId }, kind: SUMMARY_KIND, template: 'desk-summary', data, groupKey, notBefore: digestAt }, now) !== null;
}

/**
 * Mails one alert to the given staff (default: every staff member), each per their delivery preference for the
 * kind: at once (`template` with `data`), as a line of their daily summary (`line`, or one made from the data),
 * or not at all.
 */
export function alertStaff(
  tx: Tx | Db,
  alert: { kind: StaffAlertKind; template: string; data: MailData; groupKey: string; recipients?: number[]; line?: SummaryLine },
  now = new Date(),
): void {
  const digestAt = nextDigestAt(now, getSettings(tx as Db).digestHourUtc);
  for (const userId of alert.recipients ?? staffMembers(tx)) {
    const delivery = deliveryFor(tx, userId, alert.kind);
    if (delivery === 'never') continue;
    if (delivery === 'daily') holdForSummary(tx, userId, alert.line ?? defaultLine(alert.kind, alert.data), digestAt, now);
    else enqueueMail(tx, { to: { userId }, kind: alert.kind, template: alert.template, data: alert.data, groupKey: alert.groupKey }, now);
  }
}
