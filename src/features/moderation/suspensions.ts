// Owns what a suspended member may do: sign in and read the page explaining the suspension and its end. Every
// write, by page or API, is refused with 403 and a clear message; other pages lead to that explanation.
import { desc, eq } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../db/client.ts';
import { moderatorMessages, users } from '../../db/schema.ts';
import { isApiRequest } from '../../lib/http.ts';
import { isSuspended, suspendedError } from './actors.ts';

export const SUSPENDED_PAGE = '/account/suspended';
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
// Signing out (page or API) and choosing a language stay possible; everything else that writes is refused.
const ALWAYS_ALLOWED = new Set(['POST /signout', 'DELETE /api/v1/session', 'POST /language']);

/** A hook for the whole app (registered in app.ts after the session is known). */
export async function refuseSuspendedMembers(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | void> {
  const user = request.user;
  if (!user || !isSuspended({ suspendedUntil: user.suspendedUntil ?? null }, new Date())) return;
  const path = request.url.split('?')[0];
  if (WRITE_METHODS.has(request.method)) {
    if (ALWAYS_ALLOWED.has(`${request.method} ${path}`)) return;
    throw suspendedError();
  }
  // Pages other than the explanation lead to it; the API's reads and static files stay as they are.
  if (isApiRequest(request) || path.startsWith('/static/') || path === SUSPENDED_PAGE || path === '/healthz') return;
  return reply.redirect(SUSPENDED_PAGE, 303);
}

export interface SuspensionView {
  until: Date;
  reason: string | null;
  messages: { body: string; createdAt: Date }[];
}

/** What the suspended member reads: until when, why, and the moderators' private messages to them. */
export function suspensionOf(db: Db, userId: number, now = new Date()): SuspensionView | null {
  const user = db.select({ suspendedUntil: users.suspendedUntil, reason: users.suspensionReason }).from(users).where(eq(users.id, userId)).get();
  if (!user || !isSuspended(user, now)) return null;
  return { until: user.suspendedUntil!, reason: user.reason, messages: messagesFor(db, userId) };
}

/** A member's private messages from moderators (warnings), newest first. */
export function messagesFor(db: Db, userId: number, limit = 20): { body: string; createdAt: Date }[] {
  return db
    .select({ body: moderatorMessages.body, createdAt: moderatorMessages.createdAt })
    .from(moderatorMessages)
    .where(eq(moderatorMessages.userId, userId))
    .orderBy(desc(moderatorMessages.id))
    .limit(limit)
    .all();
}
