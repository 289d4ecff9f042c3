// Owns one-time account links (confirm an address, reset a password, confirm a change of address) and the
// security mail that carries them. A link carries `<id>.<secret>`; only SHA-256(secret) is stored and it is
// compared in constant time; a link works once and only until it expires.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, count, eq, gt, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { accountTokens, mailOutbox, users, type AccountTokenPurpose } from '../../db/schema.ts';
import { AppError } from '../../lib/errors.ts';
import type { Tx } from '../../lib/events.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { getSettings } from '../settings/service.ts';

export const TOKEN_LIFETIME_MS: Record<AccountTokenPurpose, number> = {
  verify: 48 * 3_600_000,
  change: 24 * 3_600_000,
  reset: 3_600_000,
};
export const TOKEN_PATHS: Record<AccountTokenPurpose, string> = { verify: '/verify', change: '/verify', reset: '/reset' };
const TEMPLATES: Record<AccountTokenPurpose, string> = { verify: 'verify-address', change: 'change-address', reset: 'reset-password' };

const hashSecret = (secret: string) => createHash('sha256').update(secret).digest();
const TOKEN_SHAPE = /^([1-9][0-9]{0,11})\.([A-Za-z0-9_-]{43})$/;

export const invalidLink = () => new AppError(400, 'invalid_link', 'verify.invalid');

/** Writes a token and puts the mail carrying its link in the outbox, in the caller's transaction. */
export function issueToken(
  tx: Tx | Db,
  user: { id: number; username: string; locale?: string | null },
  purpose: AccountTokenPurpose,
  address: string,
  now = new Date(),
): string {
  const secret = randomBytes(32).toString('base64url');
  const { id } = tx
    .insert(accountTokens)
    .values({ userId: user.id, purpose, secretHash: hashSecret(secret).toString('hex'), address, createdAt: now, expiresAt: new Date(now.getTime() + TOKEN_LIFETIME_MS[purpose]) })
    .returning({ id: accountTokens.id })
    .get();
  const token = `${id}.${secret}`;
  // The link goes to the address it proves (for a reset, the account's own), in the member's language.
  const locale = user.locale === 'es' || user.locale === 'en' ? user.locale : getSettings(tx as Db).defaultLocale;
  enqueueMail(
    tx,
    {
      to: { address, locale, userId: user.id },
      kind: 'security',
      security: true,
      template: TEMPLATES[purpose],
      data: { username: user.username, linkPath: `${TOKEN_PATHS[purpose]}/${token}`, hours: Math.round(TOKEN_LIFETIME_MS[purpose] / 3_600_000) },
    },
    now,
  );
  return token;
}

/** Tokens of a purpose issued to a user in the last hour (for rate limits). */
export function tokensInLastHour(db: Db | Tx, userId: number, purpose: AccountTokenPurpose, now = new Date()): number {
  return (
    db
      .select({ n: count() })
      .from(accountTokens)
      .where(and(eq(accountTokens.userId, userId), eq(accountTokens.purpose, purpose), gt(accountTokens.createdAt, new Date(now.getTime() - 3_600_000))))
      .get()?.n ?? 0
  );
}

/** Security mails of a template sent to a user in the last hour (for rate limits on mail without a token). */
export function mailsInLastHour(db: Db | Tx, userId: number, template: string, now = new Date()): number {
  return (
    db
      .select({ n: count() })
      .from(mailOutbox)
      .where(and(eq(mailOutbox.toUserId, userId), eq(mailOutbox.template, template), gt(mailOutbox.createdAt, new Date(now.getTime() - 3_600_000))))
      .get()?.n ?? 0
  );
}

export type TokenRow = typeof accountTokens.$inferSelect;

/**
 * The live token a link names, or a 400 `invalid_link` (malformed, forged, wrong purpose, used, expired):
 * one answer for all, so a link says nothing about why it failed.
 */
export function findLiveToken(db: Db | Tx, raw: unknown, purposes: AccountTokenPurpose[], now = new Date()): TokenRow {
  const match = typeof raw === 'string' ? TOKEN_SHAPE.exec(raw) : null;
  if (!match) throw invalidLink();
  const row = db.select().from(accountTokens).where(eq(accountTokens.id, Number(match[1]))).get();
  const given = hashSecret(match[2]);
  const expected = row ? Buffer.from(row.secretHash, 'hex') : Buffer.alloc(given.length);
  const same = expected.length === given.length && timingSafeEqual(expected, given);
  if (!row || !same || !purposes.includes(row.purpose) || row.usedAt || row.expiresAt <= now) throw invalidLink();
  return row;
}

/** Marks a token used; false when another request used it first (single use under concurrency). */
export function useToken(tx: Tx | Db, id: number, now = new Date()): boolean {
  return tx.update(accountTokens).set({ usedAt: now }).where(and(eq(accountTokens.id, id), isNull(accountTokens.usedAt))).run().changes === 1;
}

/** Every unused token of a purpose for a user stops working (a reset used, a password changed). */
export function retireTokens(tx: Tx | Db, userId: number, purpose: AccountTokenPurpose, now = new Date()): void {
  tx.update(accountTokens).set({ usedAt: now }).where(and(eq(accountTokens.userId, userId), eq(accountTokens.purpose, purpose), isNull(accountTokens.usedAt))).run();
}

export function userForMail(db: Db | Tx, userId: number) {
  return db
    .select({ id: users.id, username: users.username, email: users.email, locale: users.locale, emailVerifiedAt: users.emailVerifiedAt, passwordHash: users.passwordHash, suspendedAt: users.suspendedAt })
    .from(users)
    .where(eq(users.id, userId))
    .get();
}
