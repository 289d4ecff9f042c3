// Owns the desk's clock: how much of the first-response target a waiting question has used, counting only
// business hours when the site sets them (`deskBusinessHours`, UTC), and what colour that is.

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

export interface BusinessHours {
  /** Days of the week (0 = Sunday) the clock runs. */
  days: Set<number>;
  /** Minutes after UTC midnight the clock starts and stops each of those days. */
  start: number;
  end: number;
}

/** `mon-fri 09:00-17:00` → the days and minutes; empty or malformed → null (the clock runs all the time). */
export function parseBusinessHours(spec: string): BusinessHours | null {
  const match = /^(\w{3})-(\w{3}) (\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(spec.trim());
  if (!match) return null;
  const from = DAYS.indexOf(match[1] as (typeof DAYS)[number]);
  const to = DAYS.indexOf(match[2] as (typeof DAYS)[number]);
  const start = Number(match[3]) * 60 + Number(match[4]);
  const end = Number(match[5]) * 60 + Number(match[6]);
  if (from < 0 || to < 0 || end <= start) return null;
  const days = new Set<number>();
  for (let day = from; ; day = (day + 1) % 7) {
    days.add(day);
    if (day === to) break;
  }
  return { days, start, end };
}

/** Milliseconds of clock time between two instants: all of it, or only the business hours inside it. */
export function clockMillis(from: Date, to: Date, hours: BusinessHours | null): number {
  const start = from.getTime();
  const end = to.getTime();
  if (end <= start) return 0;
  if (!hours) return end - start;
  let total = 0;
  // Day by day (UTC): a question waits days, not years, and the desk shows at most a page of them.
  for (let midnight = Math.floor(start / DAY) * DAY; midnight < end; midnight += DAY) {
    if (!hours.days.has(new Date(midnight).getUTCDay())) continue;
    const open = Math.max(start, midnight + hours.start * MINUTE);
    const close = Math.min(end, midnight + hours.end * MINUTE);
    if (close > open) total += close - open;
  }
  return total;
}

export type ClockState = 'ok' | 'amber' | 'red';

export interface Clock {
  elapsedMinutes: number;
  targetMinutes: number;
  /** Share of the target used (1 = breached now). */
  share: number;
  state: ClockState;
}

/** The clock of a question waiting since `since`: amber from 75 % of the target, red once it is breached. */
export function firstResponseClock(since: Date, now: Date, targetHours: number, hours: BusinessHours | null): Clock {
  const elapsed = clockMillis(since, now, hours);
  const target = targetHours * 60 * MINUTE;
  const share = elapsed / target;
  return { elapsedMinutes: Math.floor(elapsed / MINUTE), targetMinutes: targetHours * 60, share, state: share >= 1 ? 'red' : share >= 0.75 ? 'amber' : 'ok' };
}
