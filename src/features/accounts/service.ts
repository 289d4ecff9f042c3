// Owns accounts: registration, sign-in checks with throttling, profiles and roles. No request, no HTML.
import { count, eq, isNull, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { users, type Role } from '../../db/schema.ts';
import { AppError, checkFields, conflict, invalid, notFound } from '../../lib/errors.ts';
import { logSearchChange } from '../questions/service.ts';
import type { Settings } from '../settings/definitions.ts';
import { PASSWORD_MAX, PASSWORD_MIN, hashPassword, isCommonPassword, normalizePassword, verifyAgainstDummy, verifyPassword } from './passwords.ts';
import { usernameSkeleton } from './confusables.ts';
import { revokeAllSessions } from './sessions.ts';
import { checkThrottles, clearOwnFailures, recordFailures, throttleScopes, type SignInClient } from './throttle.ts';
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

/**
 * The rules for a new password, at sign-up, reset and change alike: NFC-normalized (NIST SP 800-63B), 8–256
 * characters, not only whitespace, not the account's username or e-mail address, not a common password.
 */
export function validateNewPassword(password: unknown, field = 'password', account: { username?: unknown; email?: unknown } = {}): string {
  if (typeof password !== 'string') throw invalid(field, 'error.passwordLength');
  const normalized = normalizePassword(password);
  if ([...normalized].length < PASSWORD_MIN || [...normalized].length > PASSWORD_MAX) throw invalid(field, 'error.passwordLength');
  if (/^\s*$/u.test(normalized)) throw invalid(field, 'error.passwordBlank');
  const folded = normalized.toLowerCase();
  const { username, email } = account;
  if ((typeof username === 'string' && folded === username.toLowerCase()) || (typeof email === 'string' && folded === email.trim().toLowerCase())) {
    throw invalid(field, 'error.passwordIsName');
  }
  if (isCommonPassword(normalized)) throw invalid(field, 'error.passwordCommon');
  return password;
}

/** A trimmed, valid address or a 400 on `field`. */
export function validateEmail(email: unknown, field = 'email'): string {
  if (typeof email !== 'string') throw invalid(field, 'error.emailInvalid');
  const trimmedEmail = email.trim();
  if (trimmedEmail.length > EMAIL_MAX || !EMAIL_PATTERN.test(trimmedEmail)) throw invalid(field, 'error.emailInvalid');
  return trimmedEmail;
}

/**
 * Checks every field of a registration and reports all the wrong ones together (one round trip for the
 * person filling the form). Each field's rules live in its own check: a new rule goes there. Public sign-up
 * passes `emailTakenIsAnError: false`: a known address is answered like a new one (recovery.ts, signUp).
 */
export function validateRegistration(
  db: Db,
  input: RegistrationInput,
  { emailTakenIsAnError = true }: { emailTakenIsAnError?: boolean } = {},
): { username: string; email: string; password: string } {
  const { username, email, password } = input;
  return checkFields({
    username: () => {
      if (typeof username !== 'string' || !USERNAME_PATTERN.test(username)) throw invalid('username', 'error.usernameFormat');
      if (usernameTaken(db, username.toLowerCase())) throw conflict('username_taken', 'error.usernameTaken', 'username');
      // A look-alike of an existing name (Iaura.ondara next to laura.ondara) is as taken as the name itself.
      if (skeletonTaken(db, usernameSkeleton(username))) throw conflict('username_taken', 'error.usernameConfusable', 'username');
      return username;
    },
    email: () => {
      const trimmedEmail = validateEmail(email);
      if (emailTakenIsAnError && emailTaken(db, trimmedEmail.toLowerCase())) throw conflict('email_taken', 'error.emailTaken', 'email');
      return trimmedEmail;
    },
    password: () => validateNewPassword(password, 'password', { username, email }),
  });
}

const usernameTaken = (db: Db, usernameKey: string) => !!db.select({ id: users.id }).from(users).where(eq(users.usernameKey, usernameKey)).get();
const emailTaken = (db: Db, emailKey: string) => !!db.select({ id: users.id }).from(users).where(eq(users.emailKey, emailKey)).get();
const skeletonTaken = (db: Db, skeleton: string) => !!db.select({ id: users.id }).from(users).where(eq(users.usernameSkeleton, skeleton)).get();

function ensureAvailable(db: Db, usernameKey: string, emailKey: string, skeleton: string): void {
  if (usernameTaken(db, usernameKey)) throw conflict('username_taken', 'error.usernameTaken', 'username');
  if (skeletonTaken(db, skeleton)) throw conflict('username_taken', 'error.usernameConfusable', 'username');
  if (emailTaken(db, emailKey)) throw conflict('email_taken', 'error.emailTaken', 'email');
}

function isUniqueViolation(error: unknown): error is Error & { code: string } {
  return error instanceof Error && (error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** Gives every user without one (accounts created before the column existed) their username skeleton; run once as the app starts. */
export function fillMissingSkeletons(db: Db): void {
  const missing = db.select({ id: users.id, username: users.username }).from(users).where(isNull(users.usernameSkeleton)).all();
  if (missing.length === 0) return;
  db.transaction((tx) => {
    for (const row of missing) tx.update(users).set({ usernameSkeleton: usernameSkeleton(row.username) }).where(eq(users.id, row.id)).run();
  });
}

/** Creates a member (or, for setup, an admin). 400 for bad input, 409 when the username or email is taken. */
export async function registerUser(db: Db, input: RegistrationInput, role: Role = 'member'): Promise<PublicUser> {
  const { username, email, password } = validateRegistration(db, input);
  const usernameKey = username.toLowerCase();
  const emailKey = email.toLowerCase();
  const skeleton = usernameSkeleton(username);
  const passwordHash = await hashPassword(password);
  try {
    // Checked again with the insert, in one transaction: another sign-up may have taken the name (or a
    // look-alike, which no unique index catches) while we were hashing. The account and the mail confirming
    // its address commit together (mail outbox).
    return db.transaction((tx) => {
      ensureAvailable(tx as unknown as Db, usernameKey, emailKey, skeleton);
      const user = tx
        .insert(users)
        .values({ username, usernameKey, usernameSkeleton: skeleton, email, emailKey, displayName: username, passwordHash, role, locale: input.locale ?? null })
        .returning(publicColumns)
        .get();
      issueToken(tx, { id: user.id, username: user.username, locale: input.locale ?? null }, 'verify', email);
      return user;
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      ensureAvailable(db, usernameKey, emailKey, skeleton);
      throw conflict('username_taken', 'error.usernameTaken', 'username');
    }
    throw error;
  }
}

export async function authenticate(
  db: Db,
  login: unknown,
  password: unknown,
  settings: Settings,
  client: SignInClient,
  now = new Date(),
): Promise<PublicUser> {
  if (typeof login !== 'string' || login.trim() === '' || login.length > EMAIL_MAX) throw invalid('login', 'error.badCredentials');
  if (typeof password !== 'string' || password.length === 0 || password.length > PASSWORD_MAX * 4) {
    throw invalid('password', 'error.badCredentials');
  }
  const loginKey = login.trim().toLowerCase();
  const user = db
    .select({ ...publicColumns, passwordHash: users.passwordHash, suspendedAt: users.suspendedAt })
    .from(users)
    .where(or(eq(users.usernameKey, loginKey), eq(users.emailKey, loginKey)))
    .get();
  const scopes = throttleScopes(loginKey, client, user !== undefined && client.device?.userId === user.id, settings);
  checkThrottles(db, scopes, now);
  const ok = user?.passwordHash ? await verifyPassword(user.passwordHash, password) : await verifyAgainstDummy(password);
  if (!user || !ok) {
    recordFailures(db, scopes, now, settings);
    throw new AppError(401, 'bad_credentials', 'error.badCredentials');
  }
  if (user.suspendedAt) throw new AppError(403, 'suspended', 'error.suspended');
  clearOwnFailures(db, scopes);
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
    // Their name carries a role badge on threads and lists, which signed-out visitors get from the page cache:
    // a change of the content version (one entry in the change log, for a thread they appear in) drops the
    // kept pages. Until the event bus exists, this is how a write outside questions says "pages changed".
    const shown = tx.get<{ questionId: number } | undefined>(sql`
      select id as questionId from questions where author_id = ${user.id}
      union all select question_id from answers where author_id = ${user.id}
      union all select case c.post_type when 'question' then c.post_id else a.question_id end
        from comments c left join answers a on c.post_type = 'answer' and a.id = c.post_id where c.author_id = ${user.id}
      limit 1`);
    if (shown?.questionId) logSearchChange(tx, shown.questionId, new Date());
    return { ...user, role };
  });
}

export function setPreferredLocale(db: Db, userId: number, locale: string): void {
  db.update(users).set({ locale }).where(eq(users.id, userId)).run();
}
