// Owns what the forum's events mean for the staff desk: a "needs staff attention" flag alerts staff and admins
// (each per their `desk_flagged` preference), in the flag's own transaction.
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { questions } from '../../db/schema.ts';
import { on, type ForumEvent, type Tx } from '../../lib/events.ts';
import { alertStaff } from './alerts.ts';

/** Registers the listeners (idempotent: the same function each time). */
export function registerDeskListeners(): void {
  on('flag.raised', onFlagRaised);
}

/**
 * The mail says the thread's title, the kind of post, the flagger's note (never the flagger's name) and links to the
 * review queue. The group key (`flag:<type>:<id>`) names the post the mail is about.
 */
function onFlagRaised(tx: Tx | Db, event: Extract<ForumEvent, { type: 'flag.raised' }>): void {
  if (event.reason !== 'staff') return;
  const thread = tx.select({ title: questions.title }).from(questions).where(eq(questions.id, event.questionId)).get();
  alertStaff(
    tx,
    {
      kind: 'desk_flagged',
      template: 'flag-staff',
      data: { title: thread?.title ?? '', postType: event.postType, note: event.note ?? '', queuePath: '/moderation' },
      groupKey: `flag:${event.postType}:${event.postId}`,
    },
    event.at,
  );
}
