// Owns the delays after failed sign-ins: per (login, client), per client, and per login for browsers it does not know.
//
// A throttle on the login name alone lets anyone lock an account out by typing its public username with
// wrong passwords. So failures count in three scopes (OWASP's "device cookies"; Discourse does the same):
//   - the login name from one client address: the owner's own typos, or one attacker on one address;
//   - the client address, whatever the login: one address spraying many accounts;
//   - the login name from anywhere, which stops a brute force spread over many addresses. A browser that
//     signed in to this account before carries a device cookie, and for it this scope is replaced by a count
//     of the failures of that device cookie alone: strangers' failures never block the owner's usual browser.
// The keys are stored as SHA-256 hashes: the table holds no login name or address in the clear.
import { createHash } from 'node:crypto';
import { and, eq, inArray, isNull, lt, or } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { loginThrottle } from '../../db/schema.ts';
import { tooManyRequests } from '../../lib/errors.ts';
import type { Settings } from '../settings/definitions.ts';

/** Who is trying to sign in: their address, and the device cookie their browser holds (if any). */
export interface SignInClient {
  ip: string;
  /** From a valid (signed) device cookie: the account it was issued to and its random id. */
  device?: { userId: number; id: string } | null;
}

interface Scope {
  key: string;
  allowance: number;
  /** Whether a successful sign-in forgets this scope's failures (they were the owner's). */
  ownersOnly: boolean;
}

const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

/** The scopes a sign-in attempt counts in; `knownDevice` when the browser's device cookie belongs to the account. */
export function throttleScopes(loginKey: string, client: SignInClient, knownDevice: boolean, settings: Settings): Scope[] {
  return [
    { key: hashKey(`login+client\u0000${loginKey}\u0000${client.ip}`), allowance: settings.failedSignInsBeforeDelay, ownersOnly: true },
    { key: hashKey(`client\u0000${client.ip}`), allowance: settings.failedSignInsPerClientBeforeDelay, ownersOnly: false },
    knownDevice && client.device
      ? { key: hashKey(`device\u0000${client.device.id}`), allowance: settings.failedSignInsBeforeDelay, ownersOnly: true }
      : { key: hashKey(`login\u0000${loginKey}`), allowance: settings.failedSignInsPerAccountBeforeDelay, ownersOnly: false },
  ];
}

/** 429 with the longest remaining wait when any scope is blocked. */
export function checkThrottles(db: Db, scopes: Scope[], now: Date): void {
  const rows = db
    .select({ blockedUntil: loginThrottle.blockedUntil })
    .from(loginThrottle)
    .where(inArray(loginThrottle.loginKey, scopes.map((scope) => scope.key)))
    .all();
  const until = Math.max(0, ...rows.map((row) => row.blockedUntil?.getTime() ?? 0));
  if (until > now.getTime()) throw tooManyRequests(Math.ceil((until - now.getTime()) / 1000));
}

/**
 * Counts a failure in every scope; past a scope's allowance each further failure doubles its wait (from
 * failedSignInDelaySeconds, capped at an hour). Rows whose window and block are over are dropped on the way.
 */
export function recordFailures(db: Db, scopes: Scope[], now: Date, settings: Settings): void {
  const windowMs = settings.failedSignInWindowMinutes * 60_000;
  db.transaction((tx) => {
    for (const { key, allowance } of scopes) {
      const row = tx.select().from(loginThrottle).where(eq(loginThrottle.loginKey, key)).get();
      const fresh = !row || now.getTime() - row.windowStartedAt.getTime() > windowMs;
      const failures = fresh ? 1 : row.failures + 1;
      const windowStartedAt = fresh ? now : row.windowStartedAt;
      const over = failures - allowance;
      const blockedUntil =
        over >= 0 ? new Date(now.getTime() + Math.min(3600, settings.failedSignInDelaySeconds * 2 ** Math.min(over, 12)) * 1000) : null;
      tx.insert(loginThrottle)
        .values({ loginKey: key, failures, windowStartedAt, blockedUntil })
        .onConflictDoUpdate({ target: loginThrottle.loginKey, set: { failures, windowStartedAt, blockedUntil } })
        .run();
    }
    const stale = new Date(now.getTime() - windowMs);
    tx.delete(loginThrottle)
      .where(and(lt(loginThrottle.windowStartedAt, stale), or(isNull(loginThrottle.blockedUntil), lt(loginThrottle.blockedUntil, now))))
      .run();
  });
}

/**
 * After a successful sign-in: forgets the failures of this login from this client (or this device), which
 * were the owner's. The client-wide and account-wide counts stay: one good password must not buy an
 * attacker fresh guesses at other accounts, or at this one from elsewhere.
 */
export function clearOwnFailures(db: Db, scopes: Scope[]): void {
  const own = scopes.filter((scope) => scope.ownersOnly).map((scope) => scope.key);
  db.delete(loginThrottle).where(inArray(loginThrottle.loginKey, own)).run();
}

/**
 * Forgets an account's failures counted from anywhere (by its username and by its address), after its owner
 * proved control of it another way (a password reset): they can sign in at once, even if someone had been
 * guessing. The per-client scopes stay: they describe the guessers, not the owner.
 */
export function clearAccountFailures(db: Db, loginKeys: string[]): void {
  const keys = loginKeys.filter((key) => key !== '').map((key) => hashKey(`login\u0000${key.toLowerCase()}`));
  if (keys.length > 0) db.delete(loginThrottle).where(inArray(loginThrottle.loginKey, keys)).run();
}
