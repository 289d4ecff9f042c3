// Owns who may act in moderation, read from the database inside the action's transaction (never from the request).
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { users, type Role } from '../../db/schema.ts';
import { AppError, forbidden, notSignedIn } from '../../lib/errors.ts';
import { atLeast } from '../accounts/roles.ts';
import type { Tx } from '../votes/reputation.ts';

export interface Actor {
  id: number;
  role: Role;
  reputation: number;
  createdAt: Date;
}

/** Whether an account is under a moderator's suspension at `now` (an account shut out by `suspendedAt` never gets this far). */
export function isSuspended(user: { suspendedUntil: Date | null }, now: Date): boolean {
  return user.suspendedUntil !== null && user.suspendedUntil.getTime() > now.getTime();
}

export const suspendedError = () => new AppError(403, 'suspended', 'moderation.suspendedWrite');

/** The acting account as it is now (role, reputation), refusing a missing, shut-out or suspended one, and one below `minimum`. */
export function requireActor(tx: Tx | Db, userId: number, now: Date, minimum: Role = 'member'): Actor {
  const row = tx
    .select({ id: users.id, role: users.role, reputation: users.reputation, createdAt: users.createdAt, suspendedAt: users.suspendedAt, suspendedUntil: users.suspendedUntil })
    .from(users)
    .where(eq(users.id, userId))
    .get();
  if (!row || row.suspendedAt) throw notSignedIn();
  if (isSuspended(row, now)) throw suspendedError();
  if (!atLeast(row.role, minimum)) throw forbidden();
  return { id: row.id, role: row.role, reputation: row.reputation, createdAt: row.createdAt };
}
