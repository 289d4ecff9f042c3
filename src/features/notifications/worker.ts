// Owns the fan-out: a background loop turns notification jobs into inbox rows and mail, a batch of recipients
// per transaction, and sends the daily digests. A batch's rows, its mail and the job's cursor (the last
// follower id done) commit together, so a crash repeats nothing and loses nothing: the next pass resumes at
// the cursor. One loop per process today; a second process would need a claim on jobs like the mail outbox's.
import { and, asc, eq, gt, inArray, isNull, lte, notInArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import {
  answers,
  notificationJobs,
  notificationPreferences,
  notifications,
  questionFollows,
  questions,
  tagFollows,
  tags,
  users,
  type Delivery,
  type NotificationKind,
} from '../../db/schema.ts';
import type { Tx } from '../../lib/events.ts';
import { mailCoalesced } from '../mail/coalesce.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { DEFAULT_DELIVERY } from '../mail/preferences.ts';
import { getSettings } from '../settings/service.ts';
import type { Settings } from '../settings/definitions.ts';
import type { JobData } from './listeners.ts';

/** Recipients per transaction. */
export const FAN_OUT_BATCH = 500;
const MENTION = /(?:^|[^\w@.-])@([A-Za-z0-9_.-]{3,30})/g;

interface Recipient {
  userId: number;
  kind: NotificationKind;
  /** Message key of the inbox line (notifications.text.*). */
  textKey: string;
}

interface Context {
  questionId: number | null;
  answerId: number | null;
  actorId: number | null;
  title: string;
  path: string;
  actor: string;
  titleKey?: string;
}

const textKey = (kind: NotificationKind) => `notifications.text.${kind}`;

function threadContext(tx: Tx | Db, data: JobData): Context | undefined {
  if (data.type === 'privilege.gained') {
    return { questionId: null, answerId: null, actorId: null, title: '', titleKey: `privilege.${String(data.privilege)}`, path: '/help/reputation', actor: '' };
  }
  if (data.type === 'member.moderated') {
    // A warning or suspension: the line leads to the page that shows the moderators' messages; nobody is named.
    return { questionId: null, answerId: null, actorId: null, title: '', path: '/account/suspended', actor: '' };
  }
  const questionId = Number(data.questionId);
  const question = tx.select({ id: questions.id, title: questions.title, slug: questions.slug, authorId: questions.authorId, deletedAt: questions.deletedAt }).from(questions).where(eq(questions.id, questionId)).get();
  if (data.type === 'flag.decided') {
    // A flag's fate is told even when the thread was deleted (a spammer's question): the title the flagger saw,
    // the inbox as the link then. No actor: the moderator and the other flaggers stay unnamed.
    if (!question) return undefined;
    const path = question.deletedAt ? '/notifications' : `/questions/${question.id}/${question.slug}#my-flag-${String(data.postType)}-${Number(data.postId)}`;
    return { questionId: question.id, answerId: null, actorId: null, title: question.title, path, actor: '' };
  }
  if (!question || question.deletedAt) return undefined;
  const actorId = Number(data.authorId ?? data.actorId ?? data.editorId) || null;
  const actor = actorId ? (tx.select({ name: users.displayName }).from(users).where(eq(users.id, actorId)).get()?.name ?? '') : '';
  const answerId = typeof data.answerId === 'number' ? data.answerId : null;
  const path = `/questions/${question.id}/${question.slug}${answerId ? `#answer-${answerId}` : ''}`;
  return { questionId: question.id, answerId, actorId, title: question.title, path, actor };
}

/** The people an event is about (not followers): computed once, in the job's first batch. */
function directRecipients(tx: Tx | Db, data: JobData, settings: Settings): Recipient[] {
  const out: Recipient[] = [];
  const add = (userId: number | undefined | null, kind: NotificationKind, key = textKey(kind)) => {
    if (userId && !out.some((r) => r.userId === userId)) out.push({ userId, kind, textKey: key });
  };
  switch (data.type) {
    case 'answer.posted': {
      const asker = tx.select({ authorId: questions.authorId }).from(questions).where(eq(questions.id, Number(data.questionId))).get();
      if (asker && asker.authorId !== data.authorId) add(asker.authorId, 'answer_on_your_question');
      break;
    }
    case 'answer.accepted': {
      const answer = tx.select({ authorId: answers.authorId }).from(answers).where(eq(answers.id, Number(data.answerId))).get();
      if (answer && answer.authorId !== data.actorId) add(answer.authorId, 'answer_accepted');
      break;
    }
    case 'comment.posted': {
      const table = data.postType === 'answer' ? answers : questions;
      const post = tx.select({ authorId: table.authorId }).from(table).where(eq(table.id, Number(data.postId))).get();
      // Mentions first (the more specific line), at most `mentionsPerComment` distinct names.
      const names = [...new Set([...String(data.body).matchAll(MENTION)].map((m) => m[1].replace(/\.+$/, '').toLowerCase()))].slice(0, settings.mentionsPerComment);
      if (names.length > 0) {
        const mentioned = tx.select({ id: users.id }).from(users).where(and(inArray(users.usernameKey, names), isNull(users.suspendedAt))).all();
        for (const user of mentioned) if (user.id !== data.authorId) add(user.id, 'mention');
      }
      if (post && post.authorId !== data.authorId) add(post.authorId, 'comment_on_your_post');
      break;
    }
    case 'post.edited':
      add(Number(data.authorId), 'post_edited');
      break;
    case 'privilege.gained':
      add(Number(data.userId), 'privilege_gained');
      break;
    case 'post.moderated':
      if (data.authorId !== data.actorId) add(Number(data.authorId), 'moderation_action');
      break;
    case 'member.moderated':
      add(Number(data.userId), 'moderation_action', `notifications.text.member_${data.kind === 'suspended' ? 'suspended' : 'warned'}`);
      break;
    case 'flag.decided':
      // Each flagger gets their own line (the mail preference of moderator actions); nobody learns who else flagged.
      for (const id of (data.flaggerIds as number[]) ?? []) add(Number(id), 'moderation_action', `notifications.text.flag_${data.outcome === 'helpful' ? 'helpful' : 'declined'}`);
      break;
    default:
      break;
  }
  return out;
}

/** Whether followers hear of this event, and as what. */
function followerKind(data: JobData): { kind: NotificationKind; key: string; source: 'question' | 'tags' } | undefined {
  switch (data.type) {
    case 'answer.posted':
      return data.official
        ? { kind: 'official_answer', key: textKey('official_answer'), source: 'question' }
        : { kind: 'followed_question_activity', key: textKey('followed_question_activity'), source: 'question' };
    case 'answer.accepted':
      return { kind: 'followed_question_activity', key: 'notifications.text.followed_question_accepted', source: 'question' };
    case 'answer.official':
      return { kind: 'official_answer', key: textKey('official_answer'), source: 'question' };
    case 'question.asked':
      return { kind: 'followed_tag_question', key: textKey('followed_tag_question'), source: 'tags' };
    default:
      return undefined;
  }
}

function followersAfter(tx: Tx | Db, data: JobData, source: 'question' | 'tags', cursor: number, exclude: number[]): number[] {
  if (source === 'question') {
    return tx
      .select({ userId: questionFollows.userId })
      .from(questionFollows)
      .where(and(eq(questionFollows.questionId, Number(data.questionId)), gt(questionFollows.userId, cursor), exclude.length ? notInArray(questionFollows.userId, exclude) : undefined))
      .orderBy(asc(questionFollows.userId))
      .limit(FAN_OUT_BATCH)
      .all()
      .map((r) => r.userId);
  }
  const names = (data.tags as string[]) ?? [];
  if (names.length === 0) return [];
  return tx
    .selectDistinct({ userId: tagFollows.userId })
    .from(tagFollows)
    .innerJoin(tags, eq(tags.id, tagFollows.tagId))
    .where(and(inArray(tags.name, names), gt(tagFollows.userId, cursor), exclude.length ? notInArray(tagFollows.userId, exclude) : undefined))
    .orderBy(asc(tagFollows.userId))
    .limit(FAN_OUT_BATCH)
    .all()
    .map((r) => r.userId);
}

function deliveries(tx: Tx | Db, userIds: number[], kind: NotificationKind): Map<number, Delivery> {
  const map = new Map<number, Delivery>();
  if (userIds.length === 0) return map;
  const rows = tx
    .select({ userId: notificationPreferences.userId, delivery: notificationPreferences.delivery })
    .from(notificationPreferences)
    .where(and(eq(notificationPreferences.kind, kind), inArray(notificationPreferences.userId, userIds)))
    .all();
  for (const row of rows) map.set(row.userId, row.delivery);
  return map;
}

/** Writes inbox rows for one group of recipients of one kind, and mails those who want it at once. */
function deliver(tx: Tx | Db, recipients: Recipient[], context: Context, settings: Settings, now: Date): void {
  const byKind = new Map<NotificationKind, Recipient[]>();
  for (const r of recipients) byKind.set(r.kind, [...(byKind.get(r.kind) ?? []), r]);
  for (const [kind, group] of byKind) {
    const chosen = deliveries(tx, group.map((r) => r.userId), kind);
    const rows = group.map((r) => {
      const delivery = chosen.get(r.userId) ?? DEFAULT_DELIVERY[kind];
      return { r, delivery };
    });
    const data = (r: Recipient) => JSON.stringify({ textKey: r.textKey, title: context.title, titleKey: context.titleKey, actor: context.actor, path: context.path });
    tx.insert(notifications)
      .values(
        rows.map(({ r, delivery }) => ({
          userId: r.userId,
          kind,
          actorId: context.actorId,
          questionId: context.questionId,
          answerId: context.answerId,
          data: data(r),
          createdAt: now,
          // Only rows waiting for the daily digest stay un-mailed.
          mailedAt: delivery === 'daily' ? null : now,
        })),
      )
      .run();
    for (const { r, delivery } of rows) {
      if (delivery !== 'immediately') continue;
      const user = tx.select({ username: users.displayName }).from(users).where(eq(users.id, r.userId)).get();
      if (!user) continue;
      mailCoalesced(
        tx,
        r.userId,
        kind,
        context.questionId ? `question:${context.questionId}` : `kind:${kind}`,
        { key: r.textKey, actor: context.actor, title: context.titleKey ? '' : context.title, path: context.path },
        { username: user.username, linkPath: context.path },
        settings.coalesceMinutes * 60_000,
        now,
      );
    }
  }
}

/** Runs one batch of one job; returns true when the job is finished. */
export function runJobBatch(db: Db, jobId: number, settings: Settings, now = new Date()): boolean {
  return db.transaction((tx) => {
    const job = tx.select().from(notificationJobs).where(eq(notificationJobs.id, jobId)).get();
    if (!job || job.doneAt) return true;
    const data = JSON.parse(job.data) as JobData;
    const context = threadContext(tx, data);
    const finish = () => {
      tx.update(notificationJobs).set({ doneAt: now }).where(eq(notificationJobs.id, jobId)).run();
      return true;
    };
    if (!context) return finish();
    const direct = directRecipients(tx, data, settings);
    if (job.cursor === 0 && direct.length > 0) deliver(tx, direct, context, settings, now);
    const followers = followerKind(data);
    if (!followers) return finish();
    const exclude = [...direct.map((r) => r.userId), ...(context.actorId ? [context.actorId] : [])];
    const ids = followersAfter(tx, data, followers.source, job.cursor, exclude);
    if (ids.length > 0) deliver(tx, ids.map((userId) => ({ userId, kind: followers.kind, textKey: followers.key })), context, settings, now);
    if (ids.length < FAN_OUT_BATCH) return finish();
    // The direct recipients were served in the first batch (cursor 0); later batches start after the last follower.
    tx.update(notificationJobs).set({ cursor: ids[ids.length - 1] }).where(eq(notificationJobs.id, jobId)).run();
    return false;
  });
}

/** The latest digest moment (the configured UTC hour) at or before `now`. */
export function lastDigestMoment(now: Date, hourUtc: number): Date {
  const moment = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), hourUtc));
  if (moment > now) moment.setUTCDate(moment.getUTCDate() - 1);
  return moment;
}

/**
 * Sends the daily digests due: every member with inbox rows waiting for a digest from before the last digest
 * moment gets one mail listing them (newest 30), and those rows are marked mailed. Idempotent.
 */
export function sendDigests(db: Db, settings: Settings, now = new Date()): number {
  const moment = lastDigestMoment(now, settings.digestHourUtc);
  let sent = 0;
  for (;;) {
    const due = db
      .selectDistinct({ userId: notifications.userId })
      .from(notifications)
      .where(and(isNull(notifications.mailedAt), lte(notifications.createdAt, moment)))
      .limit(100)
      .all();
    if (due.length === 0) return sent;
    for (const { userId } of due) {
      db.transaction((tx) => {
        const rows = tx
          .select({ id: notifications.id, data: notifications.data })
          .from(notifications)
          .where(and(eq(notifications.userId, userId), isNull(notifications.mailedAt), lte(notifications.createdAt, moment)))
          .orderBy(sql`${notifications.id} desc`)
          .all();
        const user = tx.select({ name: users.displayName }).from(users).where(eq(users.id, userId)).get();
        if (user && rows.length > 0) {
          const items = rows.slice(0, 30).map((row) => {
            const d = JSON.parse(row.data) as { textKey: string; actor: string; title: string; path: string };
            return { key: d.textKey, actor: d.actor ?? '', title: d.title ?? '', path: d.path ?? '/notifications' };
          });
          if (enqueueMail(tx, { to: { userId }, kind: 'digest', template: 'digest', data: { username: user.name, count: rows.length, items } }, now) !== null) sent++;
        }
        tx.update(notifications)
          .set({ mailedAt: now })
          .where(and(eq(notifications.userId, userId), isNull(notifications.mailedAt), lte(notifications.createdAt, moment)))
          .run();
      });
    }
  }
}

export class NotificationWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly log: (level: 'error', message: string) => void,
    private readonly pollMs = 1000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flush().catch((error: unknown) => this.log('error', `notifications: ${(error as Error).message}`)), this.pollMs);
    this.timer.unref();
  }

  /** Stops the timer only: `flush()` still runs (tests drive the loop themselves). */
  pause(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Runs every open job to the end, then the digests due. Yields between batches so requests keep flowing. */
  flush(now?: () => Date): Promise<void> {
    if (this.running) return this.running.then(() => this.flush(now));
    this.running = this.drain(now ?? (() => new Date())).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async drain(now: () => Date): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const job = this.db.select({ id: notificationJobs.id }).from(notificationJobs).where(isNull(notificationJobs.doneAt)).orderBy(asc(notificationJobs.id)).limit(1).get();
      if (!job) break;
      const settings = getSettings(this.db);
      while (!runJobBatch(this.db, job.id, settings, now())) {
        if (this.stopped) return;
        await new Promise((resolve) => setImmediate(resolve));
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    sendDigests(this.db, getSettings(this.db), now());
  }
}

