// Owns every table of the forum. Invariants that the database cannot express are written beside the column.
import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** Roles in increasing order of trust; see src/features/accounts/roles.ts for what each may do. */
export const ROLES = ['member', 'moderator', 'staff', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const createdAt = () =>
  integer('created_at', { mode: 'timestamp_ms' })
    .notNull()
    .default(sql`(cast(unixepoch('subsec') * 1000 as integer))`);

export const users = sqliteTable(
  'users',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    username: text('username').notNull(),
    /** lower(username): usernames are unique ignoring case. */
    usernameKey: text('username_key').notNull(),
    /** Null only for placeholder authors created by an import; they can never sign in. */
    email: text('email'),
    emailKey: text('email_key'),
    displayName: text('display_name').notNull(),
    /** argon2id PHC string; null for placeholder authors. Never leaves the accounts service. */
    passwordHash: text('password_hash'),
    role: text('role', { enum: ROLES }).notNull().default('member'),
    /** Cache of sum(reputation_events.delta) floored at 1; recomputable from the ledger. */
    reputation: integer('reputation').notNull().default(1),
    /** Preferred interface language, when the user chose one. */
    locale: text('locale'),
    createdAt: createdAt(),
    /** Set when an account is suspended by an admin; its sessions are revoked at the same time. */
    suspendedAt: integer('suspended_at', { mode: 'timestamp_ms' }),
  },
  (t) => [uniqueIndex('users_username_key').on(t.usernameKey), uniqueIndex('users_email_key').on(t.emailKey)],
);

/**
 * Server-side sessions for browser cookies and API bearer tokens alike.
 * `id` is the SHA-256 of the secret the client holds: a database leak reveals no usable token.
 */
export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['cookie', 'api'] }).notNull(),
    createdAt: createdAt(),
    lastSeenAt: integer('last_seen_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    /** A revoked session is kept for the audit trail and never accepted again. */
    revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
    userAgent: text('user_agent'),
  },
  (t) => [index('sessions_user').on(t.userId)],
);

/** Failed sign-in attempts per login name (known or not, so that throttling reveals nothing). */
export const loginThrottle = sqliteTable('login_throttle', {
  loginKey: text('login_key').primaryKey(),
  failures: integer('failures').notNull(),
  windowStartedAt: integer('window_started_at', { mode: 'timestamp_ms' }).notNull(),
  blockedUntil: integer('blocked_until', { mode: 'timestamp_ms' }),
});

/** Operator settings, one JSON value per key; defaults live in src/features/settings/definitions.ts. */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
});
