// Owns writing deflection events off the request path: a page view only adds its event to a buffer, written in
// one transaction every 250 ms or every 500 events, and on shutdown. At most once: a crash (kill -9, power loss)
// loses the events of the last quarter second at most; never a post, a vote or an account change, which are
// written by their own requests. One process keeps its own buffer (see ARCHITECTURE "Scale").
import type { Db } from '../../db/client.ts';
import type { DeflectionKind } from '../../db/schema.ts';
import type { Settings } from '../settings/definitions.ts';
import { insertEvent, isRecordable, type EventFields, type Visit } from './service.ts';

interface Pending {
  visit: Visit;
  kind: DeflectionKind;
  fields: EventFields;
  at: Date;
}

export class EventBuffer {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
    private readonly log: (error: unknown, count: number) => void = () => undefined,
    private readonly flushEveryMs = 250,
    private readonly flushAtPending = 500,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => this.flush(), this.flushEveryMs);
    this.timer.unref();
  }

  /** Adds an event of this visit, unless the visit is not recorded (bots, staff, internal networks). */
  add(visit: Visit, settings: Settings, kind: DeflectionKind, fields: EventFields = {}, now = new Date()): boolean {
    if (!isRecordable(visit, settings)) return false;
    this.pending.push({ visit, kind, fields, at: now });
    if (this.pending.length >= this.flushAtPending) this.flush();
    return true;
  }

  /** Writes the events added so far, in one transaction (tests call it before reading events). */
  flush(): void {
    if (this.pending.length === 0 || !this.db.$client.open) return;
    const batch = this.pending;
    this.pending = [];
    try {
      // better-sqlite3 is synchronous: the statements below run inside this transaction, on its connection.
      this.db.transaction(() => {
        for (const event of batch) insertEvent(this.db, event.visit, event.kind, event.fields, event.at);
      });
    } catch (error) {
      this.log(error, batch.length);
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.flush();
  }
}
