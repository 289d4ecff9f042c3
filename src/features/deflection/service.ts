// Owns the deflection events on disk: recording them (never for bots, staff or internal networks), linking
// a visitor to the user they sign in as, and assembling the report from events, rollups and question facts.
import { BlockList, isIP } from 'node:net';
import type { Db } from '../../db/client.ts';
import { deflectionEvents, visitorLinks, type DeflectionKind } from '../../db/schema.ts';
import { atLeast, type Role } from '../accounts/roles.ts';
import type { Settings } from '../settings/definitions.ts';
import {
  buildReport,
  dateOf,
  dayStart,
  daysBetween,
  estimateDay,
  isProvisional,
  type DayFigures,
  type DeflectionReport,
  type EstimatorEvent,
  type EstimatorSettings,
  type QuestionFacts,
  type ReportPeriod,
} from './estimator.ts';

const DAY_MS = 86_400_000;

export interface Visit {
  visitorId: string | null;
  userId: number | null;
  role: Role | null;
  isBot: boolean;
  ip: string;
}

export interface EventFields {
  questionId?: number | null;
  query?: string | null;
  resultCount?: number | null;
  rank?: number | null;
  variant?: string | null;
}

const blockLists = new Map<string, BlockList>();
/** Whether an address is in the "internal networks" setting (CIDR blocks). The address itself is never stored. */
export function isInternal(ip: string, networks: string): boolean {
  if (!networks.trim()) return false;
  let list = blockLists.get(networks);
  if (!list) {
    list = new BlockList();
    for (const entry of networks.split(/[\s,;]+/).filter(Boolean)) {
      const [address, bits] = entry.split('/');
      const family = isIP(address);
      if (family === 0) continue;
      const type = family === 4 ? 'ipv4' : 'ipv6';
      const prefix = bits === undefined ? (family === 4 ? 32 : 128) : Number(bits);
      if (Number.isInteger(prefix) && prefix >= 0 && prefix <= (family === 4 ? 32 : 128)) list.addSubnet(address, prefix, type);
    }
    if (blockLists.size > 20) blockLists.clear();
    blockLists.set(networks, list);
  }
  const plain = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  const family = isIP(plain);
  return family !== 0 && list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
}

export function isRecordable(visit: Visit, settings: Settings): boolean {
  if (visit.isBot || !visit.visitorId) return false;
  if (visit.role && atLeast(visit.role, 'moderator')) return false;
  return !isInternal(visit.ip, settings.internalNetworks);
}

/** Normalizes a search query for counting: lower case, single spaces, bounded. */
export function normalizeQuery(query: string): string {
  return query.normalize('NFC').toLowerCase().replace(/\s+/g, ' ').trim().slice(0, 200);
}

/** Records one event, or nothing when the visit is not recordable. Never throws into the page. */
export function recordEvent(db: Db, visit: Visit, settings: Settings, kind: DeflectionKind, fields: EventFields = {}, now = new Date()): boolean {
  if (!isRecordable(visit, settings)) return false;
  db.insert(deflectionEvents)
    .values({
      at: now,
      kind,
      visitorId: visit.visitorId!,
      userId: visit.userId,
      questionId: fields.questionId ?? null,
      query: fields.query == null ? null : normalizeQuery(fields.query),
      resultCount: fields.resultCount ?? null,
      rank: fields.rank ?? null,
      variant: fields.variant ?? null,
    })
    .run();
  if (visit.userId !== null) linkVisitor(db, visit.visitorId!, visit.userId, now);
  return true;
}

/** Remembers that a visitor id belongs to a user (first sign-in wins; a shared computer is not re-linked). */
export function linkVisitor(db: Db, visitorId: string, userId: number, now = new Date()): void {
  db.insert(visitorLinks).values({ visitorId, userId, linkedAt: now }).onConflictDoNothing().run();
}

export function estimatorSettings(settings: Settings): EstimatorSettings {
  return {
    windowHours: settings.deflectionWindowHours,
    potentialShare: settings.deflectionPotentialShare,
    costPerContact: settings.costPerContact,
    costPerCommunityContact: settings.costPerCommunityContact,
    currency: settings.currency,
    holdoutPercent: settings.holdoutPercent,
  };
}

/** Events in [from, to), each with the person it belongs to. */
function loadEvents(db: Db, from: number, to: number): EstimatorEvent[] {
  return db.$client
    .prepare(
      `select e.at, e.kind, coalesce('u' || coalesce(e.user_id, l.user_id), 'v' || e.visitor_id) as person,
              e.question_id as questionId, e.query, e.result_count as resultCount, e.variant
         from deflection_events e left join visitor_links l on l.visitor_id = e.visitor_id
        where e.at >= ? and e.at < ?`,
    )
    .all(from, to) as EstimatorEvent[];
}

const FACTS_SQL = `
  select q.id, q.created_at as createdAt, q.answer_count as answerCount, q.accepted_at as acceptedAt,
         (q.accepted_answer_id is not null or exists (select 1 from answers a where a.question_id = q.id and a.deleted_at is null and a.score > 0)) as hasGoodAnswer,
         coalesce((select u.role in ('staff', 'admin') from answers a join users u on u.id = a.author_id where a.id = q.accepted_answer_id), 0) as acceptedByStaff,
         (select min(a.created_at) from answers a where a.question_id = q.id and a.deleted_at is null) as firstAnswerAt,
         (select group_concat(t.name, ' ') from question_tags qt join tags t on t.id = qt.tag_id where qt.question_id = q.id) as tags
    from questions q`;

type FactsRow = Omit<QuestionFacts, 'tags' | 'hasGoodAnswer' | 'acceptedByStaff'> & { tags: string | null; hasGoodAnswer: number; acceptedByStaff: number };
const toFacts = (row: FactsRow): QuestionFacts => ({
  ...row,
  hasGoodAnswer: row.hasGoodAnswer === 1,
  acceptedByStaff: row.acceptedByStaff === 1,
  tags: row.tags ? row.tags.split(' ') : [],
});

function factsFor(db: Db, ids: number[]): Map<number, QuestionFacts> {
  const map = new Map<number, QuestionFacts>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const rows = db.$client.prepare(`${FACTS_SQL} where q.id in (${chunk.map(() => '?').join(',')}) and q.deleted_at is null`).all(...chunk) as FactsRow[];
    for (const row of rows) map.set(row.id, toFacts(row));
  }
  return map;
}

/** Questions asked or resolved in [from, to): response health and peer/staff resolutions. */
function questionsInPeriod(db: Db, from: number, to: number): QuestionFacts[] {
  return (
    db.$client
      .prepare(`${FACTS_SQL} where q.deleted_at is null and ((q.created_at >= ? and q.created_at < ?) or (q.accepted_at >= ? and q.accepted_at < ?))`)
      .all(from, to, from, to) as FactsRow[]
  ).map(toFacts);
}

function settingsKey(settings: EstimatorSettings): string {
  return `w${settings.windowHours}`;
}

/**
 * The report for a period of UTC days. Finished days (their window has passed) are computed once and kept
 * as rollups; only provisional days and days never computed read raw events.
 */
export function deflectionReport(db: Db, period: ReportPeriod, settings: Settings, now = Date.now()): DeflectionReport {
  const estimator = estimatorSettings(settings);
  const windowMs = estimator.windowHours * 3_600_000;
  const key = settingsKey(estimator);
  const days = daysBetween(period.from, period.to);
  const rollups = new Map(
    (db.$client.prepare('select day, settings_key as settingsKey, data from deflection_rollups where day >= ? and day <= ?').all(period.from, period.to) as {
      day: string;
      settingsKey: string;
      data: string;
    }[])
      .filter((row) => row.settingsKey === key)
      .map((row) => [row.day, JSON.parse(row.data) as DayFigures]),
  );
  const missing = days.filter((day) => !rollups.has(day) || isProvisional(day, estimator.windowHours, now));
  const figures = new Map<string, DayFigures>(rollups);
  if (missing.length > 0) {
    const from = dayStart(missing[0]);
    const to = dayStart(missing[missing.length - 1]) + DAY_MS + windowMs;
    const events = loadEvents(db, from, to);
    const facts = factsFor(db, [...new Set(events.map((e) => e.questionId).filter((id): id is number => id != null))]);
    const byDay = new Map<string, EstimatorEvent[]>();
    // Each event belongs to its own day and to the look-ahead windows of the days before it.
    for (const event of events) {
      for (let t = dayStart(dateOf(event.at)); t > event.at - windowMs - DAY_MS && t >= from; t -= DAY_MS) {
        const day = dateOf(t);
        const list = byDay.get(day);
        if (list) list.push(event);
        else byDay.set(day, [event]);
      }
    }
    const store = db.$client.prepare(
      'insert into deflection_rollups (day, settings_key, data, computed_at) values (?, ?, ?, ?) on conflict(day) do update set settings_key = excluded.settings_key, data = excluded.data, computed_at = excluded.computed_at',
    );
    db.$client.transaction(() => {
      for (const day of missing) {
        const result = estimateDay(day, byDay.get(day) ?? [], facts, estimator);
        figures.set(day, result);
        if (!isProvisional(day, estimator.windowHours, now)) store.run(day, key, JSON.stringify(result), now);
      }
    })();
  }
  const questions = questionsInPeriod(db, dayStart(period.from), dayStart(period.to) + DAY_MS);
  return buildReport(period, days.map((day) => figures.get(day)!), questions, estimator, now);
}

/** Titles for the report's lists of questions. */
export function questionTitles(db: Db, ids: number[]): Map<number, { title: string; slug: string }> {
  if (ids.length === 0) return new Map();
  const rows = db.$client.prepare(`select id, title, slug from questions where id in (${ids.map(() => '?').join(',')})`).all(...ids) as { id: number; title: string; slug: string }[];
  return new Map(rows.map((r) => [r.id, { title: r.title, slug: r.slug }]));
}

/** Unanswered questions, oldest first, for the report's "waiting" list. */
export function oldestUnanswered(db: Db, limit = 10): { id: number; title: string; slug: string; createdAt: number }[] {
  return db.$client
    .prepare('select id, title, slug, created_at as createdAt from questions where deleted_at is null and answer_count = 0 order by created_at asc limit ?')
    .all(limit) as { id: number; title: string; slug: string; createdAt: number }[];
}
