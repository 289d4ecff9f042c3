// Owns delivering the outbox: a loop in the server process claims due rows, renders and sends them over SMTP
// (nodemailer), and records the outcome. Without SMTP_URL the rows are rendered and kept for /admin/mail.
//
// Never twice: a row is claimed (status `sending`, `claimedUntil` set, attempts + 1) in one UPDATE before
// anything is sent, so two loops (or two processes) never take the same row. If the process dies while a row
// is claimed, the claim runs out and the row is sent again with the same Message-ID (the row's
// `messageToken`), which receivers use to drop a copy that did get through. Never lost: the row was committed
// with its event, and only an SMTP server's acceptance marks it sent.
import { and, eq, inArray, lt, lte, or, sql } from 'drizzle-orm';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/client.ts';
import { mailOutbox } from '../../db/schema.ts';
import { getSettings } from '../settings/service.ts';
import { renderMail } from './render.ts';
import type { UnsubscribeLinks } from './unsubscribe.ts';

/** Wait before the 1st, 2nd, 3rd and every later retry; a row still failing 24 h after it was written fails for good. */
export const RETRY_DELAYS_MS = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000];
export const GIVE_UP_AFTER_MS = 24 * 3_600_000;
/** Finished rows (sent, failed, kept) are deleted this long after they were written. */
export const KEEP_FINISHED_MS = 30 * 86_400_000;
const BATCH = 50;

export interface MailSenderOptions {
  db: Db;
  config: Config;
  links: UnsubscribeLinks;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
  pollMs?: number;
}

type Row = typeof mailOutbox.$inferSelect;

export function smtpTransportOptions(smtpUrl: string) {
  const url = new URL(smtpUrl);
  const secure = url.protocol === 'smtps:';
  return {
    host: url.hostname,
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    // smtp:// upgrades with STARTTLS whenever the server offers it (nodemailer's default); smtps:// is TLS from the start.
    secure,
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    pool: true,
    maxConnections: 5,
    maxMessages: 500,
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
  } as const;
}

export class MailSender {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private transport: Transporter | undefined;
  private toldWhereMailIs = false;
  private stopped = false;

  constructor(private readonly options: MailSenderOptions) {}

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => void this.flush().catch((error: unknown) => this.options.log('error', `mail sender: ${(error as Error).message}`)), this.options.pollMs ?? 1000);
    this.timer.unref();
  }

  /** Stops the timer only: `flush()` still runs (tests drive the loop themselves). */
  pause(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => 0);
    this.transport?.close();
    this.transport = undefined;
  }

  /** Sends (or keeps) everything due now; resolves with how many rows were handled. One pass at a time. */
  flush(now?: () => Date): Promise<number> {
    if (this.running) return this.running.then(() => this.flush(now));
    this.running = this.drain(now ?? (() => new Date())).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private lastPruned = 0;

  /** Deletes finished rows older than KEEP_FINISHED_MS, at most once an hour. */
  private prune(now: Date): void {
    if (now.getTime() - this.lastPruned < 3_600_000) return;
    this.lastPruned = now.getTime();
    this.options.db
      .delete(mailOutbox)
      .where(and(inArray(mailOutbox.status, ['sent', 'failed', 'kept']), lt(mailOutbox.createdAt, new Date(now.getTime() - KEEP_FINISHED_MS))))
      .run();
  }

  private async drain(now: () => Date): Promise<number> {
    let handled = 0;
    this.prune(now());
    for (;;) {
      if (this.stopped) return handled;
      const rows = this.claim(now());
      if (rows.length === 0) return handled;
      await Promise.all(rows.map((row) => this.deliver(row, now)));
      handled += rows.length;
    }
  }

  /** Takes up to BATCH due rows in one statement: pending ones whose time has come, and claims that ran out. */
  private claim(now: Date): Row[] {
    const { db } = this.options;
    const lease = getSettings(db).mailClaimSeconds * 1000;
    const due = db
      .select({ id: mailOutbox.id })
      .from(mailOutbox)
      .where(or(and(eq(mailOutbox.status, 'pending'), lte(mailOutbox.nextAttemptAt, now)), and(eq(mailOutbox.status, 'sending'), lt(mailOutbox.claimedUntil, now))))
      .orderBy(mailOutbox.id)
      .limit(BATCH);
    return db
      .update(mailOutbox)
      .set({ status: 'sending', claimedUntil: new Date(now.getTime() + lease), attempts: sql`${mailOutbox.attempts} + 1` })
      .where(
        and(
          inArray(mailOutbox.id, due),
          or(and(eq(mailOutbox.status, 'pending'), lte(mailOutbox.nextAttemptAt, now)), and(eq(mailOutbox.status, 'sending'), lt(mailOutbox.claimedUntil, now))),
        ),
      )
      .returning()
      .all();
  }

  private render(row: Row) {
    const { config, links } = this.options;
    const personal = !row.security && row.toUserId !== null;
    return renderMail(row.template, row.locale, JSON.parse(row.data) as Record<string, unknown>, {
      baseUrl: config.baseUrl,
      unsubscribeUrl: personal ? config.baseUrl + links.path(row.toUserId!, row.kind) : undefined,
      preferencesUrl: personal ? `${config.baseUrl}/settings/notifications` : undefined,
    });
  }

  private async deliver(row: Row, now: () => Date): Promise<void> {
    const { db, config } = this.options;
    let mail;
    try {
      mail = this.render(row);
    } catch (error) {
      // A template that cannot render will not render on a retry either.
      db.update(mailOutbox).set({ status: 'failed', lastError: `render: ${(error as Error).message}`.slice(0, 500), claimedUntil: null }).where(eq(mailOutbox.id, row.id)).run();
      return;
    }
    const rendered = { subject: mail.subject, textBody: mail.text, htmlBody: mail.html };
    if (!config.smtpUrl) {
      if (!this.toldWhereMailIs) {
        this.toldWhereMailIs = true;
        this.options.log('info', `SMTP_URL is not set: mail is kept, not sent. Admins read it at ${config.baseUrl}/admin/mail`);
      }
      db.update(mailOutbox).set({ ...rendered, status: 'kept', claimedUntil: null, sentAt: now() }).where(eq(mailOutbox.id, row.id)).run();
      return;
    }
    this.transport ??= nodemailer.createTransport(smtpTransportOptions(config.smtpUrl));
    const host = new URL(config.baseUrl).hostname || 'resuelto.invalid';
    const headers: Record<string, string> = { 'Auto-Submitted': 'auto-generated' };
    if (!row.security && row.toUserId !== null) {
      headers['List-Unsubscribe'] = `<${config.baseUrl}${this.options.links.path(row.toUserId, row.kind)}>`;
      headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
    }
    try {
      await this.transport.sendMail({
        from: config.mailFrom,
        to: row.toAddress,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: `<${row.messageToken}@${host}>`,
        headers,
      });
      // A security mail's link is a live secret: once the server has it, the outbox keeps only the subject.
      const kept = row.security ? { subject: mail.subject, textBody: null, htmlBody: null, data: '{}' } : rendered;
      db.update(mailOutbox).set({ ...kept, status: 'sent', sentAt: now(), claimedUntil: null, lastError: null }).where(eq(mailOutbox.id, row.id)).run();
    } catch (error) {
      const at = now();
      const code = (error as { responseCode?: number }).responseCode;
      const delay = RETRY_DELAYS_MS[Math.min(row.attempts - 1, RETRY_DELAYS_MS.length - 1)];
      const permanent = typeof code === 'number' && code >= 500;
      const giveUp = permanent || at.getTime() + delay - row.createdAt.getTime() > GIVE_UP_AFTER_MS;
      const lastError = String((error as Error).message ?? error).replace(/[\r\n]+/g, ' ').slice(0, 500);
      db.update(mailOutbox)
        .set({ ...(row.security ? { subject: mail.subject } : rendered), status: giveUp ? 'failed' : 'pending', nextAttemptAt: new Date(at.getTime() + delay), claimedUntil: null, lastError })
        .where(eq(mailOutbox.id, row.id))
        .run();
      this.options.log(giveUp ? 'error' : 'warn', `mail ${row.id} ${giveUp ? 'failed for good' : `will be retried in ${delay / 60_000} min`}: ${lastError}`);
    }
  }
}
