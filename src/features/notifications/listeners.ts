// Owns what the forum's events mean for notifications, inside the event's own transaction: askers and answerers
// follow their question, and each event that notifies anyone costs the request one notification_jobs row.
// The fan-out to followers happens later, in batches (worker.ts).
import type { Db } from '../../db/client.ts';
import { notificationJobs } from '../../db/schema.ts';
import { on, type ForumEvent, type Tx } from '../../lib/events.ts';
import { getSettings } from '../settings/service.ts';
import { PRIVILEGES, privilegeThreshold } from '../votes/rules.ts';
import { followQuestion } from './follows.ts';

export type JobData = Record<string, unknown> & { type: ForumEvent['type'] | 'privilege.gained' };

export function addJob(tx: Tx | Db, data: JobData, now: Date): void {
  tx.insert(notificationJobs)
    .values({ event: data.type, data: JSON.stringify({ ...data, at: now.getTime() }), createdAt: now })
    .run();
}

const asJob = (event: ForumEvent): JobData => ({ ...event, at: event.at.getTime() }) as unknown as JobData;

/** Registers the listeners (idempotent: the same functions each time). */
export function registerNotificationListeners(): void {
  on('question.asked', onQuestionAsked);
  on('answer.posted', onAnswerPosted);
  on('answer.accepted', onJob);
  on('answer.official', onJob);
  on('comment.posted', onJob);
  on('post.edited', onPostEdited);
  on('reputation.changed', onReputationChanged);
  on('post.moderated', onJob);
  on('flag.decided', onFlagDecided);
  on('member.moderated', onJob);
}

function onFlagDecided(tx: Tx | Db, event: Extract<ForumEvent, { type: 'flag.decided' }>) {
  if (event.flaggerIds.length > 0) addJob(tx, asJob(event), event.at);
}

function onQuestionAsked(tx: Tx | Db, event: Extract<ForumEvent, { type: 'question.asked' }>) {
  followQuestion(tx, event.authorId, event.questionId, event.at);
  if (event.tags.length > 0) addJob(tx, asJob(event), event.at);
}

function onAnswerPosted(tx: Tx | Db, event: Extract<ForumEvent, { type: 'answer.posted' }>) {
  followQuestion(tx, event.authorId, event.questionId, event.at);
  addJob(tx, asJob(event), event.at);
}

function onJob(tx: Tx | Db, event: ForumEvent) {
  addJob(tx, asJob(event), event.at);
}

function onPostEdited(tx: Tx | Db, event: Extract<ForumEvent, { type: 'post.edited' }>) {
  if (event.editorId !== event.authorId) addJob(tx, asJob(event), event.at);
}

function onReputationChanged(tx: Tx | Db, event: Extract<ForumEvent, { type: 'reputation.changed' }>) {
  if (event.after <= event.before) return;
  const settings = getSettings(tx as Db);
  for (const { privilege } of PRIVILEGES) {
    const threshold = privilegeThreshold(settings, privilege);
    if (event.before < threshold && event.after >= threshold) addJob(tx, { type: 'privilege.gained', userId: event.userId, privilege }, event.at);
  }
}
