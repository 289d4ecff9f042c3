// Owns mailing staff alerts (escalations now; breaches and flags are hook points for the loops and the
// moderation feature that raise them): each staff member or admin per their preference — immediately, held to
// the daily digest hour, or never. Called inside the transaction of the event.
import { and, asc, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { users } from '../../db/schema.ts';
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

/** Mails one alert to the given staff (default: every staff member), each per their delivery preference for the kind. */
export function alertStaff(tx: Tx | Db, alert: { kind: StaffAlertKind; template: string; data: MailData; groupKey: string; recipients?: number[] }, now = new Date()): void {
  const digestAt = nextDigestAt(now, getSettings(tx as Db).digestHourUtc);
  for (const userId of alert.recipients ?? staffMembers(tx)) {
    const delivery = deliveryFor(tx, userId, alert.kind);
    if (delivery === 'never') continue;
    enqueueMail(tx, { to: { userId }, kind: alert.kind, template: alert.template, data: alert.data, groupKey: alert.groupKey, notBefore: delivery === 'daily' ? digestAt : undefined }, now);
  }
}
