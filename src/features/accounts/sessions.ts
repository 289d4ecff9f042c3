// Owns server-side sessions and API tokens: the client holds a random secret, the database only its SHA-256.
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, isNull } from 'drizzle-orm';
import type Database from 'better-sqlite3';
import type { Db } from '../../db/client.ts';
import { sessions, users, type Role } from '../../db/schema.ts';
import type { Settings } from '../settings/definitions.ts';

export type SessionKind = 'cookie' | 'api';

export interface SessionUser {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  reputation: number;
  locale: string | null;
  createdAt: Date;
  /** A moderator's suspension (src/features/moderation/suspensions.ts): until then every write is refused. */
  suspendedUntil?: Date | null;
}

const DAY_MS = 86_400_000;
// A page view refreshes a session's idle expiry at most this often, so reads do not write on every request.
const TOUCH_EVERY_MS = 3_600_000;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function createSession(
  db: Db,
  userId: number,
  kind: SessionKind,
  settings: Settings,
  userAgent?: string,
  now = new Date(),
): { token: string; expiresAt: Date } {
  const token = randomBytes(32).toString('base64url');
  const lifetimeDays = kind === 'cookie' ? settings.sessionIdleDays : settings.apiTokenDays;
  const expiresAt = new Date(now.getTime() + lifetimeDays * DAY_MS);
  db.insert(sessions)
    .values({ id: hashToken(token), userId, kind, createdAt: now, lastSeenAt: now, expiresAt, userAgent: userAgent?.slice(0, 300) })
    .run();
  return { token, expiresAt };
}

/** The user behind a live (unrevoked, unexpired) session of the given kind, or undefined. */
/** The session lookup of every signed-in request, prepared once per database (it was a fifth of a member's page). */
const sessionLookups = new WeakMap<Db, Database.Statement>();

function sessionLookup(db: Db): Database.Statement {
  let statement = sessionLookups.get(db);
  if (!statement) {
    statement = db.$client.prepare(
      `select s.last_seen_at as lastSeenAt, u.id, u.username, u.display_name as displayName, u.role, u.reputation, u.locale,
              u.created_at as createdAt, u.suspended_until as suspendedUntil
       from sessions s inner join users u on u.id = s.user_id
       where s.id = ? and s.kind = ? and s.revoked_at is null and s.expires_at > ? and u.suspended_at is null`,
    );
    sessionLookups.set(db, statement);
  }
  return statement;
}

export function findSessionUser(db: Db, token: string, kind: SessionKind, settings: Settings, now = new Date()): SessionUser | undefined {
  if (token.length < 20 || token.length > 100) return undefined;
  const id = hashToken(token);
  const row = sessionLookup(db).get(id, kind, now.getTime()) as
    | { lastSeenAt: number; id: number; username: string; displayName: string; role: Role; reputation: number; locale: string | null; createdAt: number; suspendedUntil: number | null }
    | undefined;
  if (!row) return undefined;
  if (kind === 'cookie' && now.getTime() - row.lastSeenAt > TOUCH_EVERY_MS) {
    db.update(sessions)
      .set({ lastSeenAt: now, expiresAt: new Date(now.getTime() + settings.sessionIdleDays * DAY_MS) })
      .where(eq(sessions.id, id))
      .run();
  }
  return {
    id: row.id,
    username: row.username,
    displayName: row.displayName,
    role: row.role,
    reputation: row.reputation,
    locale: row.locale,
    createdAt: new Date(row.createdAt),
    suspendedUntil: row.suspendedUntil === null ? null : new Date(row.suspendedUntil),
  };
}

export function revokeSession(db: Db, token: string, now = new Date()): void {
  db.update(sessions).set({ revokedAt: now }).where(and(eq(sessions.id, hashToken(token)), isNull(sessions.revokedAt))).run();
}

export function revokeAllSessions(db: Db, userId: number, now = new Date()): void {
  db.update(sessions).set({ revokedAt: now }).where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt))).run();
}
