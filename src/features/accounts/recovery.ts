// Owns the account operations that work by mail: sign-up that tells nothing about known addresses,
// confirming an address, "forgot your password", and changing the address or password from the settings.
import { and, eq, ne, or } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { users } from '../../db/schema.ts';
import { AppError, conflict, invalid, tooManyRequests } from '../../lib/errors.ts';
import { enqueueMail } from '../mail/outbox.ts';
import type { Settings } from '../settings/definitions.ts';
import { hashPassword, verifyAgainstDummy, verifyPassword } from './passwords.ts';
import { clearAccountFailures } from './throttle.ts';
import { registerUser, validateEmail, validateNewPassword, validateRegistration, type PublicUser, type RegistrationInput } from './service.ts';
import { revokeAllSessions } from './sessions.ts';
import { findLiveToken, invalidLink, issueToken, mailsInLastHour, retireTokens, tokensInLastHour, useToken, userForMail, type TokenRow } from './tokens.ts';

/**
 * Sign-up that answers the same whether or not the address is known (issue 10, point 5): a new address gets
 * an account and a confirmation link; a known one gets no account, and its owner a mail saying someone tried
 * (at most a few per hour). A taken username is still a 409: usernames are public anyway.
 * Returns the new account, or null for a known address.
 */
export async function signUp(db: Db, input: RegistrationInput, settings: Settings, now = new Date()): Promise<PublicUser | null> {
  // Every refused field at once, as registerUser does; a known address is not one of them.
  const { username, email, password } = validateRegistration(db, input, { emailTakenIsAnError: false });
  const rows = db
    .select({ id: users.id, username: users.username, usernameKey: users.usernameKey })
    .from(users)
    .where(or(eq(users.emailKey, email.toLowerCase()), eq(users.usernameKey, username.toLowerCase())))
    .all();
  if (rows.some((row) => row.usernameKey === username.toLowerCase())) throw conflict('username_taken', 'error.usernameTaken', 'username');
  const known = rows[0];
  if (known) {
    // The same work as creating an account (hashing), so that the time taken tells nothing either.
    await hashPassword(password);
    db.transaction((tx) => {
      if (mailsInLastHour(tx, known.id, 'signup-existing', now) >= settings.verificationMailsPerHour) return;
      enqueueMail(tx, { to: { userId: known.id }, kind: 'security', security: true, template: 'signup-existing', data: { username: known.username } }, now);
    });
    return null;
  }
  try {
    return await registerUser(db, input);
  } catch (error) {
    // Taken between the check and the insert: the same answer as for a known address.
    if (error instanceof AppError && error.code === 'email_taken') return null;
    throw error;
  }
}

/** "Send the confirmation again", from the signed-in member's settings; a few per hour. */
export function resendVerification(db: Db, userId: number, settings: Settings, now = new Date()): 'sent' | 'already' {
  const user = userForMail(db, userId);
  if (!user?.email) throw invalidLink();
  if (user.emailVerifiedAt) return 'already';
  if (tokensInLastHour(db, userId, 'verify', now) >= settings.verificationMailsPerHour) throw tooManyRequests(3600);
  db.transaction((tx) => {
    issueToken(tx, user, 'verify', user.email!, now);
  });
  return 'sent';
}

/** Checks a confirmation link without using it (the page that asks to confirm). */
export function checkAddressLink(db: Db, raw: unknown, now = new Date()): TokenRow {
  const token = findLiveToken(db, raw, ['verify', 'change'], now);
  const user = userForMail(db, token.userId);
  // A confirmation of an address the account no longer has is stale.
  if (!user || (token.purpose === 'verify' && user.email?.toLowerCase() !== token.address?.toLowerCase())) throw invalidLink();
  return token;
}

/**
 * Confirms the address a link proves: for a new account, marks its address confirmed; for a change, makes the
 * new address the account's (confirmed) and tells the old address. Returns the account.
 */
export function confirmAddress(db: Db, raw: unknown, now = new Date()): { userId: number; purpose: 'verify' | 'change' } {
  return db.transaction((tx) => {
    const token = findLiveToken(tx, raw, ['verify', 'change'], now);
    const user = userForMail(tx, token.userId);
    if (!user || !token.address) throw invalidLink();
    if (token.purpose === 'verify') {
      if (user.email?.toLowerCase() !== token.address.toLowerCase()) throw invalidLink();
      if (!useToken(tx, token.id, now)) throw invalidLink();
      tx.update(users).set({ emailVerifiedAt: now }).where(eq(users.id, user.id)).run();
      return { userId: user.id, purpose: 'verify' as const };
    }
    const key = token.address.toLowerCase();
    const taken = tx.select({ id: users.id }).from(users).where(and(eq(users.emailKey, key), ne(users.id, user.id))).get();
    if (taken || !useToken(tx, token.id, now)) throw invalidLink();
    const oldAddress = user.email;
    tx.update(users).set({ email: token.address, emailKey: key, emailVerifiedAt: now }).where(eq(users.id, user.id)).run();
    retireTokens(tx, user.id, 'verify', now);
    retireTokens(tx, user.id, 'reset', now);
    if (oldAddress && oldAddress.toLowerCase() !== key) {
      const locale = user.locale === 'es' || user.locale === 'en' ? user.locale : 'en';
      enqueueMail(tx, { to: { address: oldAddress, locale, userId: user.id }, kind: 'security', security: true, template: 'address-changed', data: { username: user.username } }, now);
    }
    return { userId: user.id, purpose: 'change' as const };
  });
}

/**
 * "Forgot your password?": whatever the input, the caller shows the same page; a known, active account with a
 * password gets a one-hour link, at most `passwordResetsPerAccountPerHour` per hour. The password hashing work
 * of a sign-in is not needed here, so timing differs only by the inserts of the outbox row and token.
 */
export function requestPasswordReset(db: Db, login: unknown, settings: Settings, now = new Date()): void {
  if (typeof login !== 'string') return;
  const key = login.trim().toLowerCase();
  if (key === '' || key.length > 254) return;
  db.transaction((tx) => {
    const user = tx
      .select({ id: users.id, username: users.username, email: users.email, locale: users.locale, passwordHash: users.passwordHash, suspendedAt: users.suspendedAt })
      .from(users)
      .where(or(eq(users.usernameKey, key), eq(users.emailKey, key)))
      .get();
    if (!user?.email || !user.passwordHash || user.suspendedAt) return;
    if (tokensInLastHour(tx, user.id, 'reset', now) >= settings.passwordResetsPerAccountPerHour) return;
    issueToken(tx, user, 'reset', user.email, now);
  });
}

export function checkResetLink(db: Db, raw: unknown, now = new Date()): TokenRow {
  return findLiveToken(db, raw, ['reset'], now);
}

/**
 * Sets a new password from a reset link (sign-up's rules), uses the link, retires the account's other reset
 * links and signs it out everywhere. A link is checked before the (slow) hashing and used after it, once.
 */
export async function resetPassword(db: Db, raw: unknown, password: unknown, now = new Date()): Promise<{ userId: number }> {
  const token = findLiveToken(db, raw, ['reset'], now);
  const user = userForMail(db, token.userId);
  if (!user) throw invalidLink();
  const newPassword = validateNewPassword(password, 'password', { username: user.username, email: user.email });
  const passwordHash = await hashPassword(newPassword);
  return db.transaction((tx) => {
    findLiveToken(tx, raw, ['reset'], now);
    if (!useToken(tx, token.id, now)) throw invalidLink();
    tx.update(users).set({ passwordHash }).where(eq(users.id, user.id)).run();
    retireTokens(tx, user.id, 'reset', now);
    revokeAllSessions(tx as unknown as Db, user.id, now);
    // The owner can sign in at once, even if someone had been guessing their password.
    clearAccountFailures(tx as unknown as Db, [user.username, user.email ?? '']);
    enqueueMail(tx, { to: { userId: user.id }, kind: 'security', security: true, template: 'password-changed', data: { username: user.username } }, now);
    return { userId: user.id };
  });
}

async function checkCurrentPassword(db: Db, userId: number, current: unknown) {
  const user = userForMail(db, userId);
  const ok =
    typeof current === 'string' && current.length > 0 && current.length <= 4096 && user?.passwordHash
      ? await verifyPassword(user.passwordHash, current)
      : await verifyAgainstDummy(typeof current === 'string' ? current.slice(0, 4096) : '');
  if (!user || !ok) throw invalid('currentPassword', 'error.wrongPassword');
  return user;
}

/** Changes the password from the settings (current password required); every session is revoked. */
export async function changePassword(db: Db, userId: number, input: { currentPassword: unknown; newPassword: unknown }, now = new Date()): Promise<void> {
  const user = await checkCurrentPassword(db, userId, input.currentPassword);
  const newPassword = validateNewPassword(input.newPassword, 'newPassword', { username: user.username, email: user.email });
  const passwordHash = await hashPassword(newPassword);
  db.transaction((tx) => {
    tx.update(users).set({ passwordHash }).where(eq(users.id, user.id)).run();
    retireTokens(tx, user.id, 'reset', now);
    revokeAllSessions(tx as unknown as Db, user.id, now);
    enqueueMail(tx, { to: { userId: user.id }, kind: 'security', security: true, template: 'password-changed', data: { username: user.username } }, now);
  });
}

/**
 * Asks to change the address (current password required): a link goes to the new address, and the account's
 * address changes only when it is followed. A new address that belongs to another account gets the same answer
 * and no mail (nothing tells whose it is).
 */
export async function requestEmailChange(db: Db, userId: number, input: { currentPassword: unknown; email: unknown }, settings: Settings, now = new Date()): Promise<string> {
  const user = await checkCurrentPassword(db, userId, input.currentPassword);
  const address = validateEmail(input.email);
  if (address.toLowerCase() === user.email?.toLowerCase()) throw invalid('email', 'error.sameEmail');
  if (tokensInLastHour(db, userId, 'change', now) >= settings.verificationMailsPerHour) throw tooManyRequests(3600);
  db.transaction((tx) => {
    const taken = tx.select({ id: users.id }).from(users).where(eq(users.emailKey, address.toLowerCase())).get();
    if (taken) return;
    issueToken(tx, user, 'change', address, now);
  });
  return address;
}

export function setMailLocale(db: Db, userId: number, locale: 'es' | 'en'): void {
  db.update(users).set({ locale }).where(eq(users.id, userId)).run();
}

export function accountSettingsView(db: Db, userId: number) {
  const user = userForMail(db, userId);
  if (!user) throw invalidLink();
  return { email: user.email, verified: user.emailVerifiedAt !== null, locale: user.locale };
}
