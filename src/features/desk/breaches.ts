// Owns the first-response alerts: a loop in the server process looks at the questions still waiting for a first
// answer and raises "about to breach" (75 % of the target used, business hours honoured: clock.ts) and
// "breached" alerts through alertStaff (outbox, per-staff preference). Each stage is raised at most once per
// question: the desk_alerts row and the mail commit in one transaction, and the row's unique index makes a
// second pass (or a second process, or a restart) skip it. When the question gets an answer, its rows are
// deleted (the alert is cleared) and it leaves the private staff feed.
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { deskAlerts, deskAssignments, questions, type DeskAlertStage } from '../../db/schema.ts';
import type { Settings } from '../settings/definitions.ts';
import { getSettings } from '../settings/service.ts';
import { questionPath } from '../questions/service.ts';
import { alertStaff } from './alerts.ts';
import { firstResponseClock, parseBusinessHours } from './clock.ts';

/** How often the loop looks (the clock moves in minutes; the desk page shows the live state anyway). */
export const BREACH_POLL_MS = 60_000;
/** Questions alerted (mailed) per pass at most; the rest wait for the next pass. */
const ALERTS_PER_PASS = 200;
/**
 * A question asked this long ago that was never alerted (the forum existed before the loop, or the server was
 * down for days) is recorded without a mail: it is on the desk and in the feed, and a first run on an old
 * forum does not flood the staff with thousands of mails.
 */
export const ALERT_TOO_LATE_MS = 7 * 86_400_000;

export interface BreachPass {
  close: number;
  breached: number;
  /** Recorded without a mail (ALERT_TOO_LATE_MS). */
  silent: number;
  /** Questions whose alerts were cleared because they have an answer now (or are closed or deleted). */
  cleared: number;
}

/** One pass at `now`: clears answered questions' alerts, then raises the stages due. Idempotent. */
export function raiseBreachAlerts(db: Db, settings: Settings, now = new Date()): BreachPass {
  const pass: BreachPass = { close: 0, breached: 0, silent: 0, cleared: 0 };
  pass.cleared = db.$client
    .prepare(
      `delete from desk_alerts where question_id in (
         select d.question_id from desk_alerts d join questions q on q.id = d.question_id
          where q.answer_count > 0 or q.deleted_at is not null or q.status <> 'open')`,
    )
    .run().changes;
  const hours = parseBusinessHours(settings.deskBusinessHours);
  const targetMs = settings.firstResponseTargetHours * 3_600_000;
  // Clock time never exceeds wall time: a question younger than 75 % of the target (wall) cannot be amber yet.
  const youngest = now.getTime() - Math.floor(targetMs * 0.75);
  const rows = db
    .select({
      id: questions.id,
      title: questions.title,
      slug: questions.slug,
      createdAt: questions.createdAt,
      alerted: sql<string | null>`(select group_concat(d.stage) from ${deskAlerts} d where d.question_id = ${questions.id})`,
    })
    .from(questions)
    .where(
      and(
        sql`${questions.deletedAt} is null`,
        eq(questions.status, 'open'),
        eq(questions.answerCount, 0),
        sql`${questions.createdAt} <= ${youngest}`,
        sql`not exists (select 1 from ${deskAlerts} d where d.question_id = ${questions.id} and d.stage = 'breached')`,
      ),
    )
    .orderBy(questions.createdAt, questions.id)
    .all();
  let raised = 0;
  const silent: { questionId: number; stage: DeskAlertStage; alertedAt: Date }[] = [];
  for (const row of rows) {
    if (raised >= ALERTS_PER_PASS) break;
    const clock = firstResponseClock(row.createdAt, now, settings.firstResponseTargetHours, hours);
    if (clock.state === 'ok') continue;
    const stage: DeskAlertStage = clock.state === 'red' ? 'breached' : 'close';
    if (row.alerted?.split(',').includes(stage)) continue;
    if (now.getTime() - row.createdAt.getTime() > ALERT_TOO_LATE_MS) {
      silent.push({ questionId: row.id, stage, alertedAt: now });
      continue;
    }
    const done = db.transaction((tx) => {
      const inserted = tx.insert(deskAlerts).values({ questionId: row.id, stage, alertedAt: now }).onConflictDoNothing().run().changes;
      if (inserted !== 1) return false;
      const path = questionPath(row.id, row.slug);
      // A question someone of the staff has taken is their business: only they are alerted.
      const assignee = tx.select({ staffId: deskAssignments.staffId }).from(deskAssignments).where(eq(deskAssignments.questionId, row.id)).get();
      alertStaff(
        tx,
        {
          kind: 'desk_breach',
          template: stage === 'close' ? 'desk-close' : 'desk-breach',
          data: { title: row.title, questionPath: path, stage, targetHours: settings.firstResponseTargetHours, elapsedHours: Math.floor(clock.elapsedMinutes / 60) },
          groupKey: `question:${row.id}:${stage}`,
          recipients: assignee ? [assignee.staffId] : undefined,
          line: { key: `desk.summary.${stage}`, title: row.title, path },
        },
        now,
      );
      return true;
    });
    if (!done) continue;
    raised++;
    pass[stage]++;
  }
  // Silent records in one transaction (a first start on an old forum may have thousands), in chunks of 500 rows.
  if (silent.length > 0) {
    db.transaction((tx) => {
      for (let i = 0; i < silent.length; i += 500) pass.silent += tx.insert(deskAlerts).values(silent.slice(i, i + 500)).onConflictDoNothing().run().changes;
    });
  }
  return pass;
}

/** The loop, started and stopped with the app like the mail sender; tests pause it and call `run(now)`. */
export class BreachAlertLoop {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly log: (level: 'error', message: string) => void,
    private readonly pollMs = BREACH_POLL_MS,
  ) {}

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => {
      try {
        this.run();
      } catch (error) {
        this.log('error', `desk alerts: ${(error as Error).message}`);
      }
    }, this.pollMs);
    this.timer.unref();
  }

  /** Stops the timer only: `run()` still works (tests drive the loop themselves). */
  pause(): void {
    if (this.timer) clearInterval(this.timer);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }

  run(now = new Date()): BreachPass {
    if (this.stopped) return { close: 0, breached: 0, silent: 0, cleared: 0 };
    return raiseBreachAlerts(this.db, getSettings(this.db), now);
  }
}
