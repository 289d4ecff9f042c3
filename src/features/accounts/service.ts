// Owns accounts: registration, sign-in checks with throttling, profiles and roles. No request, no HTML.
import { count, eq, or } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { loginThrottle, users, type Role } from '../../db/schema.ts';
import { AppError, conflict, invalid, notFound, tooManyRequests } from '../../lib/errors.ts';
import type { Settings } from '../settings/definitions.ts';
import { PASSWORD_MAX, PASSWORD_MIN, hashPassword, isCommonPassword, verifyAgainstDummy, verifyPassword } from './passwords.ts';
import { revokeAllSessions } from './sessions.ts';
import { issueToken } from './tokens.ts';

export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]{3,30}$/;
// Deliberately simple: one @, no spaces or control characters, a dot in the domain. Delivery proves the rest.
const EMAIL_PATTERN = /^[^\s@\p{Cc}<>,;"]{1,64}@[^\s@\p{Cc}<>,;"]+\.[^\s@\p{Cc}<>,;"]+$/u;
const EMAIL_MAX = 254;

/** What other parts of the forum may know about a user: never the hash, never the email. */
export interface PublicUser {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  reputation: number;
  createdAt: Date;
}

export interface RegistrationInput {
  username: unknown;
  email: unknown;
  password: unknown;
  /** The language the account was created in: its mail's language until the member chooses another. */
  locale?: 'es' | 'en';
}

const publicColumns = {
  id: users.id,
  username: users.username,
  displayName: users.displayName,
  role: users.role,
  reputation: users.reputation,
  createdAt: users.createdAt,
};

/** The rules for a new password, at sign-up, reset and change alike. */
export function validateNewPassword(password: unknown, field = 'password'): string {
  if (typeof password !== 'string' || [...password].length < PASSWORD_MIN || [...password].length > PASSWORD_MAX) {
    throw invalid(field, 'error.passwordLength');
  }
  if (isCommonPassword(password)) throw invalid(field, 'error.passwordCommon');
  return password;
}

/** A trimmed, valid address or a 400 on `field`. */
export function validateEmail(email: unknown, field = 'email'): string {
  if (typeof email !== 'string') throw invalid(field, 'error.emailInvalid');
  const trimmedEmail = email.trim();
  if (trimmedEmail.length > EMAIL_MAX || !EMAIL_PATTERN.test(trimmedEmail)) throw invalid(field, 'error.emailInvalid');
  return trimmedEmail;
}

export function validateRegistration(input: RegistrationInput): { username: string; email: string; password: string } {
  const { username, email, password } = input;
  if (typeof username !== 'string' || !USERNAME_PATTERN.test(username)) throw invalid('username', 'error.usernameFormat');
  const trimmedEmail = validateEmail(email);
  return { username, email: trimmedEmail, password: validateNewPassword(password) };
}

function ensureAvailable(db: Db, usernameKey: string, emailKey: string): void {
  const taken = db
    .select({ usernameKey: users.usernameKey, emailKey: users.emailKey })
    .from(users)
    .where(or(eq(users.usernameKey, usernameKey), eq(users.emailKey, emailKey)))
    .all();
  if (taken.some((row) => row.usernameKey === usernameKey)) throw conflict('username_taken', 'error.usernameTaken', 'username');
  if (taken.some((row) => row.emailKey === emailKey)) throw conflict('email_taken', 'error.emailTaken', 'email');
}

function isUniqueViolation(error: unknown): error is Error & { code: string } {
  return error instanceof Error && (error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** Creates a member (or, for setup, an admin). 400 for bad input, 409 when the username or email is taken. */
export async function registerUser(db: Db, input: RegistrationInput, role: Role = 'member'): Promise<PublicUser> {
  const { username, email, password } = validateRegistration(input);
  const usernameKey = username.toLowerCase();
  const emailKey = email.toLowerCase();
  ensureAvailable(db, usernameKey, emailKey);
  const passwordHash = await hashPassword(password);
  try {
    // The account and the mail confirming its address commit together (mail outbox).
    return db.transaction((tx) => {
      const user = tx
        .insert(users)
        .values({ username, usernameKey, email, emailKey, displayName: username, passwordHash, role, locale: input.locale ?? null })
        .returning(publicColumns)
        .get();
      issueToken(tx, { id: user.id, username: user.username, locale: input.locale ?? null }, 'verify', email);
      return user;
    });
  } catch (error) {
    // Another request took the name while we were hashing.
    if (isUniqueViolation(error)) {
      ensureAvailable(db, usernameKey, emailKey);
      throw conflict('username_taken', 'error.usernameTaken', 'username');
    }
    throw error;
  }
}

function checkThrottle(db: Db, loginKey: string, now: Date): void {
  const row = db.select().from(loginThrottle).where(eq(loginThrottle.loginKey, loginKey)).get();
  if (row?.blockedUntil && row.blockedUntil > now) {
    throw tooManyRequests(Math.ceil((row.blockedUntil.getTime() - now.getTime()) / 1000));
  }
}

/** Counts a failure; past the allowance each further failure doubles the wait (capped at an hour). */
function recordFailure(db: Db, loginKey: string, now: Date, settings: Settings): void {
  const windowMs = settings.failedSignInWindowMinutes * 60_000;
  db.transaction((tx) => {
    const row = tx.select().from(loginThrottle).where(eq(loginThrottle.loginKey, loginKey)).get();
    const fresh = !row || now.getTime() - row.windowStartedAt.getTime() > windowMs;
    const failures = fresh ? 1 : row.failures + 1;
    const windowStartedAt = fresh ? now : row.windowStartedAt;
    const over = failures - settings.failedSignInsBeforeDelay;
    const blockedUntil =
      over >= 0 ? new Date(now.getTime() + Math.min(3600, settings.failedSignInDelaySeconds * 2 ** Math.min(over, 12)) * 1000) : null;
    tx.insert(loginThrottle)
      .values({ loginKey, failures, windowStartedAt, blockedUntil })
      .onConflictDoUpdate({ target: loginThrottle.loginKey, set: { failures, windowStartedAt, blockedUntil } })
      .run();
  });
}

/**
 * Checks a login (username or email) and password. Unknown users and wrong passwords take the same
 * time and get the same 401; repeated failures for one login name are delayed (429).
 */
export async function authenticate(db: Db, login: unknown, password: unknown, settings: Settings, now = new Date()): Promise<PublicUser> {
  if (typeof login !== 'string' || login.trim() === '' || login.length > EMAIL_MAX) throw invalid('login', 'error.badCredentials');
  if (typeof password !== 'string' || password.length === 0 || password.length > PASSWORD_MAX * 4) {
    throw invalid('password', 'error.badCredentials');
  }
  const loginKey = login.trim().toLowerCase();
  checkThrottle(db, loginKey, now);
  const user = db
    .select({ ...publicColumns, passwordHash: users.passwordHash, suspendedAt: users.suspendedAt })
    .from(users)
    .where(or(eq(users.usernameKey, loginKey), eq(users.emailKey, loginKey)))
    .get();
  const ok = user?.passwordHash ? await verifyPassword(user.passwordHash, password) : await verifyAgainstDummy(password);
  if (!user || !ok) {
    recordFailure(db, loginKey, now, settings);
    throw new AppError(401, 'bad_credentials', 'error.badCredentials');
  }
  if (user.suspendedAt) throw new AppError(403, 'suspended', 'error.suspended');
  db.delete(loginThrottle).where(eq(loginThrottle.loginKey, loginKey)).run();
  const { passwordHash: _hash, suspendedAt: _suspended, ...publicUser } = user;
  return publicUser;
}

export function findUserByUsername(db: Db, username: string): PublicUser | undefined {
  return db.select(publicColumns).from(users).where(eq(users.usernameKey, username.toLowerCase())).get();
}

export function findUserById(db: Db, id: number): PublicUser | undefined {
  return db.select(publicColumns).from(users).where(eq(users.id, id)).get();
}

export function requireUserByUsername(db: Db, username: string): PublicUser {
  const user = findUserByUsername(db, username);
  if (!user) throw notFound();
  return user;
}

export function hasAdmin(db: Db): boolean {
  return (db.select({ n: count() }).from(users).where(eq(users.role, 'admin')).get()?.n ?? 0) > 0;
}

/** Changes a role; a demotion or promotion revokes the user's sessions so every page sees the new role. */
export function setRole(db: Db, username: string, role: Role): PublicUser {
  return db.transaction((tx) => {
    const user = tx.select(publicColumns).from(users).where(eq(users.usernameKey, username.toLowerCase())).get();
    if (!user) throw notFound();
    tx.update(users).set({ role }).where(eq(users.id, user.id)).run();
    revokeAllSessions(tx as unknown as Db, user.id);
    return { ...user, role };
  });
}

export function setPreferredLocale(db: Db, userId: number, locale: string): void {
  db.update(users).set({ locale }).where(eq(users.id, userId)).run();
}
