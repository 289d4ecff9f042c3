// Owns the deflection events on disk: recording them (never for bots, staff or internal networks), linking
// a visitor to the user they sign in as, and assembling the report from events, rollups and question facts.
import { BlockList, isIP } from 'node:net';
import type Database from 'better-sqlite3';
import type { Db } from '../../db/client.ts';
import type { DeflectionKind } from '../../db/schema.ts';
import { atLeast, type Role } from '../accounts/roles.ts';
import type { Settings } from '../settings/definitions.ts';
import {
  buildReport,
  dayStart,
  daysBetween,
  estimateDay,
  isProvisional,
  SEARCH_CLICK_WINDOW_MS,
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
  insertEvent(db, visit, kind, fields, now);
  return true;
}

/** Writes one event of a recordable visit (see isRecordable; events.ts writes them in batches). */
/**
 * The event insert, prepared once per database with placeholders: the buffer writes up to 500 events in one go
 * (events.ts), and building each insert through drizzle made that a 20 ms pause of the request thread, the tail
 * of the suggestions API's latency.
 */
// The one hot insert of analytics (a row per page view, written in batches): a plain prepared statement with
// positional values, which costs a third of building drizzle's parameters for each row.
const eventInserts = new WeakMap<Db, Database.Statement>();

function prepareEventInsert(db: Db): Database.Statement {
  return db.$client.prepare(
    'insert into deflection_events (at, kind, visitor_id, user_id, question_id, query, result_count, rank, variant) values (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
}

export function insertEvent(db: Db, visit: Visit, kind: DeflectionKind, fields: EventFields, now: Date): void {
  let insert = eventInserts.get(db);
  if (!insert) eventInserts.set(db, (insert = prepareEventInsert(db)));
  insert.run(
    now.getTime(),
    kind,
    visit.visitorId!,
    visit.userId,
    fields.questionId ?? null,
    fields.query == null ? null : normalizeQuery(fields.query),
    fields.resultCount ?? null,
    fields.rank ?? null,
    fields.variant ?? null,
  );
  if (visit.userId !== null && !linkedVisitors(db).has(visit.visitorId!)) linkVisitor(db, visit.visitorId!, visit.userId, now);
}

// Visitor ids this process knows to be linked already: a signed-in member's events then add no second statement
// each. (A sign-in always writes its link: linkVisitor.)
const linked = new WeakMap<Db, Set<string>>();
function linkedVisitors(db: Db): Set<string> {
  let known = linked.get(db);
  if (!known) linked.set(db, (known = new Set()));
  return known;
}
const linkInserts = new WeakMap<Db, Database.Statement>();

/** Remembers that a visitor id belongs to a user (first sign-in wins; a shared computer is not re-linked). */
export function linkVisitor(db: Db, visitorId: string, userId: number, now = new Date()): void {
  let insert = linkInserts.get(db);
  if (!insert) linkInserts.set(db, (insert = db.$client.prepare('insert into visitor_links (visitor_id, user_id, linked_at) values (?, ?, ?) on conflict do nothing')));
  insert.run(visitorId, userId, now.getTime());
  const known = linkedVisitors(db);
  if (known.size >= 50_000) known.clear();
  known.add(visitorId);
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

type EventRow = [at: number, kind: EstimatorEvent['kind'], person: string, questionId: number | null, query: string | null, resultCount: number | null, variant: string | null, staff: number];

/**
 * What estimateDay reads of the events after its day (its window W): questions and support contacts (they
 * cancel credits, make failures, count as asked in the holdout) and result clicks in the first half hour
 * (on a search just before midnight). Nothing else, so a day is given only these from after it: far fewer
 * events when W is long. The unit test comparing the service with the estimator on all events guards this.
 */
const LOOK_AHEAD = `(e.kind in ('question_posted', 'contact_support') or (e.kind in ('result_click', 'thread_view') and e.at < :tail + ${SEARCH_CLICK_WINDOW_MS}))`;
const readLater = (event: EstimatorEvent, dayStartMs: number) =>
  event.kind === 'question_posted' ||
  event.kind === 'contact_support' ||
  ((event.kind === 'result_click' || event.kind === 'thread_view') && event.at <= dayStartMs + SEARCH_CLICK_WINDOW_MS);

/**
 * Events in [from, to), each with the person it belongs to; from `tail` on (the windows after the last day
 * wanted), only those a day before can read. Rows come as arrays: half the cost of row objects.
 */
function loadEvents(db: Db, from: number, to: number, tail: number): EstimatorEvent[] {
  const rows = db.$client
    .prepare(
      `select e.at, e.kind, coalesce('u' || coalesce(e.user_id, l.user_id), 'v' || e.visitor_id) as person,
              e.question_id as questionId, e.query, e.result_count as resultCount, e.variant,
              coalesce(u.role in ('moderator', 'staff', 'admin'), 0) as staff
         from deflection_events e left join visitor_links l on l.visitor_id = e.visitor_id
         left join users u on u.id = coalesce(e.user_id, l.user_id)
        where e.at >= :from and e.at < :to and (e.at < :tail or ${LOOK_AHEAD})`,
    )
    .raw(true)
    .all({ from, to, tail }) as EventRow[];
  // A staff member browsing signed out on a browser later linked to their account is still staff.
  return rows.map(([at, kind, person, questionId, query, resultCount, variant, staff]) => ({ at, kind, person, questionId, query, resultCount, variant, staff: staff === 1 }));
}

/**
 * What estimateDay reads of a question: whether it has answers, a good answer, and its tags. (The other
 * fields are the question's own columns; the answer-based ones buildReport needs come from PERIOD_SQL.)
 * The ids come as one JSON array, so one prepared statement serves any number of them.
 */
const DAY_FACTS_SQL = `
  select q.id, q.created_at as createdAt, q.answer_count as answerCount, q.accepted_at as acceptedAt,
         (q.accepted_answer_id is not null or exists (select 1 from answers a where a.question_id = q.id and a.deleted_at is null and a.score > 0)) as hasGoodAnswer,
         0 as acceptedByStaff, null as firstAnswerAt,
         (select group_concat(t.name, ' ') from question_tags qt join tags t on t.id = qt.tag_id where qt.question_id = q.id) as tags
    from questions q
   where q.id in (select value from json_each(?)) and q.deleted_at is null`;

/**
 * Questions asked or resolved in [from, to) with what buildReport reads: response health for those asked
 * in the period, peer or staff for those resolved in it (each subquery runs only where it is needed).
 * Two ranges, each read from its covering index (questions_report_created, questions_report_accepted), rather
 * than a scan of every question with its body; the answers come from answers_question_live.
 */
const PERIOD_COLUMNS = `
  q.id, q.created_at as createdAt, q.answer_count as answerCount, q.accepted_at as acceptedAt, 0 as hasGoodAnswer,
  case when q.accepted_answer_id is not null and q.accepted_at >= :from and q.accepted_at < :to
       then coalesce((select u.role in ('staff', 'admin') from answers a join users u on u.id = a.author_id where a.id = q.accepted_answer_id), 0)
       else 0 end as acceptedByStaff,
  case when q.answer_count > 0 and q.created_at >= :from and q.created_at < :to
       then (select min(a.created_at) from answers a where a.question_id = q.id and a.deleted_at is null) end as firstAnswerAt,
  null as tags`;
const PERIOD_SQL = `
  select ${PERIOD_COLUMNS} from questions q where q.created_at >= :from and q.created_at < :to and q.deleted_at is null
  union all
  select ${PERIOD_COLUMNS} from questions q
   where q.accepted_at >= :from and q.accepted_at < :to and not (q.created_at >= :from and q.created_at < :to) and q.deleted_at is null`;

/** Columns of DAY_FACTS_SQL and PERIOD_SQL, in order. */
type FactsRow = [id: number, createdAt: number, answerCount: number, acceptedAt: number | null, hasGoodAnswer: number, acceptedByStaff: number, firstAnswerAt: number | null, tags: string | null];
const toFacts = ([id, createdAt, answerCount, acceptedAt, hasGoodAnswer, acceptedByStaff, firstAnswerAt, tags]: FactsRow): QuestionFacts => ({
  id,
  createdAt,
  answerCount,
  hasGoodAnswer: hasGoodAnswer === 1,
  acceptedAt,
  acceptedByStaff: acceptedByStaff === 1,
  firstAnswerAt,
  tags: tags ? tags.split(' ') : [],
});

/** Adds to `known` the day facts of the questions in `ids` it does not hold yet. */
function loadDayFacts(db: Db, ids: Iterable<number>, known: Map<number, QuestionFacts>): void {
  const wanted = [...ids].filter((id) => !known.has(id));
  if (wanted.length === 0) return;
  for (const row of db.$client.prepare(DAY_FACTS_SQL).raw(true).all(JSON.stringify(wanted)) as FactsRow[]) known.set(row[0], toFacts(row));
}

/** Questions asked or resolved in [from, to): response health and peer/staff resolutions. */
function questionsInPeriod(db: Db, from: number, to: number): QuestionFacts[] {
  return (db.$client.prepare(PERIOD_SQL).raw(true).all({ from, to }) as FactsRow[]).map(toFacts);
}

function settingsKey(settings: EstimatorSettings): string {
  return `w${settings.windowHours}`;
}

/** Days computed from raw events per batch: bounds memory on a first report over months. */
const BATCH_DAYS = 14;

/**
 * Stored days already parsed, per database: parsing the JSON of every day was the largest part of a report
 * read from rollups. A row is parsed again when its computed_at or settings key changes (another process
 * may rewrite it). The figures are shared, so nothing may modify them (buildReport only reads).
 */
const parsedRollups = new WeakMap<Db, Map<string, { settingsKey: string; computedAt: number; figures: DayFigures }>>();
const MAX_PARSED_DAYS = 2_000;

/**
 * The report for a period of UTC days. Finished days (their window has passed) are computed once and kept
 * as rollups; only provisional days and days never computed read raw events, a batch of days at a time.
 */
export function deflectionReport(db: Db, period: ReportPeriod, settings: Settings, now = Date.now()): DeflectionReport {
  const estimator = estimatorSettings(settings);
  const windowMs = estimator.windowHours * 3_600_000;
  const key = settingsKey(estimator);
  const days = daysBetween(period.from, period.to);
  const figures = new Map<string, DayFigures>();
  let parsed = parsedRollups.get(db);
  if (!parsed) parsedRollups.set(db, (parsed = new Map()));
  const readData = db.$client.prepare('select data from deflection_rollups where day = ?').pluck();
  for (const row of db.$client.prepare('select day, settings_key as settingsKey, computed_at as computedAt from deflection_rollups where day >= ? and day <= ?').all(period.from, period.to) as {
    day: string;
    settingsKey: string;
    computedAt: number;
  }[]) {
    if (row.settingsKey !== key || isProvisional(row.day, estimator.windowHours, now)) continue;
    let cached = parsed.get(row.day);
    if (!cached || cached.settingsKey !== row.settingsKey || cached.computedAt !== row.computedAt) {
      cached = { settingsKey: row.settingsKey, computedAt: row.computedAt, figures: JSON.parse(readData.get(row.day) as string) as DayFigures };
      parsed.set(row.day, cached);
    }
    figures.set(row.day, cached.figures);
  }
  if (parsed.size > MAX_PARSED_DAYS) parsed.clear();
  const missing = days.filter((day) => !figures.has(day));
  const store = db.$client.prepare(
    'insert into deflection_rollups (day, settings_key, data, computed_at) values (?, ?, ?, ?) on conflict(day) do update set settings_key = excluded.settings_key, data = excluded.data, computed_at = excluded.computed_at',
  );
  const facts = new Map<number, QuestionFacts>();
  for (let i = 0; i < missing.length; ) {
    // A batch: up to BATCH_DAYS missing days, read with the window after the last of them.
    const batch = [missing[i++]];
    while (i < missing.length && batch.length < BATCH_DAYS && dayStart(missing[i]) - dayStart(batch[0]) < BATCH_DAYS * DAY_MS) batch.push(missing[i++]);
    const from = dayStart(batch[0]);
    const to = dayStart(batch[batch.length - 1]) + DAY_MS + windowMs;
    const events = loadEvents(db, from, to, dayStart(batch[batch.length - 1]) + DAY_MS);
    loadDayFacts(db, new Set(events.map((e) => e.questionId).filter((id): id is number => id != null)), facts);
    // Each event belongs to its own day, and if a day before it can still read it (see LOOK_AHEAD), to that
    // day's window too.
    const byDay = new Map<number, EstimatorEvent[]>(batch.map((day) => [dayStart(day), []]));
    for (const event of events) {
      const own = event.at - (event.at % DAY_MS);
      byDay.get(own)?.push(event);
      if (!readLater(event, own)) continue;
      for (let t = own - DAY_MS; t > event.at - windowMs - DAY_MS && t >= from; t -= DAY_MS) byDay.get(t)?.push(event);
    }
    db.$client.transaction(() => {
      for (const day of batch) {
        const result = estimateDay(day, byDay.get(dayStart(day))!, facts, estimator);
        figures.set(day, result);
        if (isProvisional(day, estimator.windowHours, now)) continue;
        store.run(day, key, JSON.stringify(result), now);
        parsed.set(day, { settingsKey: key, computedAt: now, figures: result });
      }
    })();
  }
  const questions = questionsInPeriod(db, dayStart(period.from), dayStart(period.to) + DAY_MS);
  return buildReport(period, days.map((day) => figures.get(day)!), questions, estimator, now);
}

/** Titles for the report's lists of questions. */
export function questionTitles(db: Db, ids: number[]): Map<number, { title: string; slug: string }> {
  if (ids.length === 0) return new Map();
  const rows = db.$client.prepare(`select id, title, slug from questions where deleted_at is null and id in (${ids.map(() => '?').join(',')})`).all(...ids) as { id: number; title: string; slug: string }[];
  return new Map(rows.map((r) => [r.id, { title: r.title, slug: r.slug }]));
}

/** Unanswered questions, oldest first, for the report's "waiting" list. */
export function oldestUnanswered(db: Db, limit = 10): { id: number; title: string; slug: string; createdAt: number }[] {
  return db.$client
    .prepare('select id, title, slug, created_at as createdAt from questions where deleted_at is null and answer_count = 0 order by created_at asc limit ?')
    .all(limit) as { id: number; title: string; slug: string; createdAt: number }[];
}
