// Owns putting mail in the outbox: the one way any feature sends mail (see enqueueMail).
//
// How mail works (ARCHITECTURE.md, "Work that leaves the request path"):
//   1. A service calls enqueueMail(tx, …) inside the transaction of the event that causes the mail (an answer
//      posted, a reset requested, a staff alert). The row commits with the event or not at all.
//   2. The sender loop (sender.ts) claims due rows, renders them (views/mail/<template>.eta, in the
//      recipient's language), sends them over SMTP with a Message-ID fixed by the row, and marks them sent;
//      failures are retried after 1 min, 5 min, 30 min, then every 2 h, and marked failed after 24 h.
//   3. Without SMTP_URL, rows are rendered and kept instead, readable by admins at /admin/mail.
// A page request therefore never waits for an SMTP server, and a crash between commit and send loses nothing.
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { mailOutbox, users, type Language } from '../../db/schema.ts';
import { isValidAddress } from '../../lib/email-address.ts';
import type { Tx } from '../../lib/events.ts';
import { getSettings } from '../settings/service.ts';
import { deliveryFor } from './preferences.ts';

/** Template input: plain JSON values. Paths (`…Path`) are site paths; the renderer makes them absolute. */
export type MailData = Record<string, string | number | boolean | null | Array<Record<string, string | number | null>>>;

export interface MailRequest {
  /**
   * A member (their current address and language; non-security mail only when the address is confirmed
   * and the kind is not switched off), or a bare address (e.g. a new address being confirmed).
   */
  to: { userId: number } | { address: string; locale: Language; userId?: number };
  /** The kind of mail: a notification kind, `security`, or a feature's own (`desk_alert`, …); one-click unsubscribe switches off exactly this kind. */
  kind: string;
  /** views/mail/<template>.eta; its subject is the message `mail.<template>.subject`. */
  template: string;
  data: MailData;
  /** Security mail (confirm an address, reset a password): always sent, no unsubscribe headers. */
  security?: boolean;
  /** Groups mail about one thing for one member (see coalesce.ts); stored as is. */
  groupKey?: string;
  /** Not sent before this time (a mail held to gather the events that follow it). */
  notBefore?: Date;
}

/**
 * Puts one mail in the outbox inside the caller's transaction. Returns the outbox row id, or null when the
 * mail is not to be sent (unconfirmed address or kind switched off for non-security mail, no valid address).
 */
export function enqueueMail(tx: Tx | Db, mail: MailRequest, now = new Date()): number | null {
  let address: string;
  let locale: Language;
  let userId: number | null = null;
  if ('userId' in mail.to && !('address' in mail.to)) {
    const user = tx
      .select({ id: users.id, email: users.email, locale: users.locale, verifiedAt: users.emailVerifiedAt, suspendedAt: users.suspendedAt })
      .from(users)
      .where(eq(users.id, mail.to.userId))
      .get();
    if (!user?.email) return null;
    if (!mail.security && (!user.verifiedAt || user.suspendedAt)) return null;
    address = user.email;
    locale = user.locale === 'es' || user.locale === 'en' ? user.locale : getSettings(tx as Db).defaultLocale;
    userId = user.id;
  } else {
    const to = mail.to as { address: string; locale: Language; userId?: number };
    address = to.address;
    locale = to.locale;
    userId = to.userId ?? null;
  }
  if (!isValidAddress(address)) return null;
  if (!mail.security && userId !== null && deliveryFor(tx, userId, mail.kind) === 'never') return null;
  const row = tx
    .insert(mailOutbox)
    .values({
      messageToken: randomBytes(16).toString('hex'),
      toUserId: userId,
      toAddress: address,
      locale,
      kind: mail.kind,
      security: mail.security ?? false,
      template: mail.template,
      data: JSON.stringify(mail.data),
      groupKey: mail.groupKey ?? null,
      nextAttemptAt: mail.notBefore && mail.notBefore > now ? mail.notBefore : now,
      createdAt: now,
    })
    .returning({ id: mailOutbox.id })
    .get();
  return row.id;
}
