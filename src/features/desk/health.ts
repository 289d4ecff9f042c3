// Owns the desk's response health per week: the share of questions answered within the first-response target,
// the median time to a first answer by members and by staff, and the questions still open past the target.
import type { Db } from '../../db/client.ts';
import type { Settings } from '../settings/definitions.ts';
import { clockMillis, parseBusinessHours } from './clock.ts';

const WEEK_MS = 7 * 24 * 3_600_000;

export interface HealthWeek {
  /** Start of the 7-day bucket (buckets end at `now`). */
  from: Date;
  asked: number;
  /** Share of the questions asked that week whose first answer came within the target (null when none asked). */
  withinTarget: number | null;
  medianMinutesMembers: number | null;
  medianMinutesStaff: number | null;
  /** Questions asked that week with no answer yet and already past the target. */
  openBreaches: number;
}

const median = (values: number[]) => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return Math.round(sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2);
};

/** The last `weeks` 7-day buckets ending at `now`, newest first (the desk). */
export function responseHealth(db: Db, settings: Settings, now = new Date(), weeks = 8): HealthWeek[] {
  const starts = Array.from({ length: weeks }, (_, i) => new Date(now.getTime() - (i + 1) * WEEK_MS));
  return healthBuckets(db, settings, starts, now, now);
}

/**
 * Weeks of a report period (the deflection report): 7-day buckets from the first day (UTC midnight) on, the
 * last one cut at the end of the period; oldest first.
 */
export function responseHealthPeriod(db: Db, settings: Settings, from: Date, to: Date, now = new Date()): HealthWeek[] {
  const starts: Date[] = [];
  for (let at = from.getTime(); at < to.getTime(); at += WEEK_MS) starts.push(new Date(at));
  return healthBuckets(db, settings, starts, to, now).reverse();
}

/**
 * The one computation behind both: questions asked from the earliest start to `end`, each in the bucket of the
 * latest start at or before its creation; `starts` newest first. Open breaches are counted at `now`. Reads only
 * the questions asked in the range (index on created_at).
 */
function healthBuckets(db: Db, settings: Settings, startsNewestFirst: Date[], end: Date, now: Date): HealthWeek[] {
  const starts = [...startsNewestFirst].sort((a, b) => b.getTime() - a.getTime());
  if (starts.length === 0) return [];
  const since = starts[starts.length - 1].getTime();
  const rows = db.$client
    .prepare(
      `select q.created_at as createdAt,
              min(case when u.role in ('staff', 'admin') then a.created_at end) as firstStaff,
              min(case when u.role not in ('staff', 'admin') then a.created_at end) as firstMember
         from questions q
         left join answers a on a.question_id = q.id and a.deleted_at is null and a.created_at <= ?
         left join users u on u.id = a.author_id
        where q.created_at >= ? and q.created_at < ? and q.deleted_at is null
        group by q.id`,
    )
    .all(now.getTime(), since, end.getTime()) as { createdAt: number; firstStaff: number | null; firstMember: number | null }[];
  const hours = parseBusinessHours(settings.deskBusinessHours);
  const target = settings.firstResponseTargetHours * 3_600_000;
  const buckets = starts.map((from) => ({ from, asked: 0, within: 0, members: [] as number[], staff: [] as number[], openBreaches: 0 }));
  for (const row of rows) {
    const bucket = buckets.find((b) => b.from.getTime() <= row.createdAt) ?? buckets[buckets.length - 1];
    bucket.asked++;
    const asked = new Date(row.createdAt);
    const first = Math.min(row.firstStaff ?? Infinity, row.firstMember ?? Infinity);
    if (first !== Infinity) {
      if (clockMillis(asked, new Date(first), hours) <= target) bucket.within++;
    } else if (clockMillis(asked, now, hours) > target) bucket.openBreaches++;
    if (row.firstMember !== null) bucket.members.push((row.firstMember - row.createdAt) / 60_000);
    if (row.firstStaff !== null) bucket.staff.push((row.firstStaff - row.createdAt) / 60_000);
  }
  return buckets.map((b) => ({
    from: b.from,
    asked: b.asked,
    withinTarget: b.asked ? b.within / b.asked : null,
    medianMinutesMembers: median(b.members),
    medianMinutesStaff: median(b.staff),
    openBreaches: b.openBreaches,
  }));
}
