// Owns view counts: a visitor counts once an hour per question, bots never, and the database is written
// in batches (every 250 ms or 500 questions, one transaction; and on shutdown) rather than once per page view.
// One process keeps its own counter (see ARCHITECTURE "Scale").
import { hash } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { isBotAgent } from '../../plugins/visitor.ts';
import type { Db } from '../../db/client.ts';
import { questions } from '../../db/schema.ts';

const HOUR_MS = 3_600_000;

export class ViewCounter {
  private readonly seen = new Map<string, number>();
  private readonly pending = new Map<number, number>();
  private readonly counted = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
    private readonly flushEveryMs = 250,
    private readonly flushAtPending = 500,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => this.flush(), this.flushEveryMs);
    this.timer.unref();
  }

  /**
   * Counts a view unless it is a bot or the same visitor saw this question within the hour.
   * `visitorKey` identifies the visitor without storing who they are (it is hashed, kept in memory only).
   */
  count(questionId: number, visitorKey: string, userAgent: string | undefined, now = Date.now()): boolean {
    if (isBotAgent(userAgent)) return false;
    const key = hash('sha256', `${questionId}|${visitorKey}`, 'base64url').slice(0, 22);
    const last = this.seen.get(key);
    if (last !== undefined && now - last < HOUR_MS) return false;
    this.seen.set(key, now);
    this.pending.set(questionId, (this.pending.get(questionId) ?? 0) + 1);
    this.counted.set(questionId, (this.counted.get(questionId) ?? 0) + 1);
    if (this.pending.size >= this.flushAtPending) this.flush();
    if (this.seen.size > 200_000) this.forgetOlderThan(now - HOUR_MS);
    return true;
  }

  /** Views this process has counted for a question since it started (a version of the page that shows it). */
  countedFor(questionId: number): number {
    return this.counted.get(questionId) ?? 0;
  }

  /** Views counted but not yet written, for a page shown right after its own view. */
  pendingFor(questionId: number): number {
    return this.pending.get(questionId) ?? 0;
  }

  flush(): void {
    if (this.pending.size === 0 || !this.db.$client.open) return;
    const batch = [...this.pending];
    this.pending.clear();
    this.db.transaction((tx) => {
      for (const [id, n] of batch) tx.update(questions).set({ viewCount: sql`${questions.viewCount} + ${n}` }).where(eq(questions.id, id)).run();
    });
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.flush();
  }

  private forgetOlderThan(cutoff: number): void {
    for (const [key, at] of this.seen) if (at < cutoff) this.seen.delete(key);
  }
}
