// Owns server-side sessions and API tokens: the client holds a random secret, the database only its SHA-256.
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, isNull } from 'drizzle-orm';
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
export function findSessionUser(db: Db, token: string, kind: SessionKind, settings: Settings, now = new Date()): SessionUser | undefined {
  if (token.length < 20 || token.length > 100) return undefined;
  const id = hashToken(token);
  const row = db
    .select({
      lastSeenAt: sessions.lastSeenAt,
      user: {
        id: users.id,
        username: users.username,
        displayName: users.displayName,
        role: users.role,
        reputation: users.reputation,
        locale: users.locale,
        createdAt: users.createdAt,
        suspendedUntil: users.suspendedUntil,
      },
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, id), eq(sessions.kind, kind), isNull(sessions.revokedAt), gt(sessions.expiresAt, now), isNull(users.suspendedAt)))
    .get();
  if (!row) return undefined;
  if (kind === 'cookie' && now.getTime() - row.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    db.update(sessions)
      .set({ lastSeenAt: now, expiresAt: new Date(now.getTime() + settings.sessionIdleDays * DAY_MS) })
      .where(eq(sessions.id, id))
      .run();
  }
  return row.user;
}

export function revokeSession(db: Db, token: string, now = new Date()): void {
  db.update(sessions).set({ revokedAt: now }).where(and(eq(sessions.id, hashToken(token)), isNull(sessions.revokedAt))).run();
}

export function revokeAllSessions(db: Db, userId: number, now = new Date()): void {
  db.update(sessions).set({ revokedAt: now }).where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt))).run();
}
