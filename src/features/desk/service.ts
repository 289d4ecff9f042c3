// Owns the staff desk: questions waiting for a first answer and answered ones with nothing accepted for a
// while, oldest first, each on the first-response clock; filters; and who of the staff has taken which.
import { and, asc, eq, gt, isNull, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { answers, deskAssignments, questions, questionTags, supportCases, tags, users, type Language, type Role } from '../../db/schema.ts';
import { forbidden, invalid, notFound } from '../../lib/errors.ts';
import { atLeast } from '../accounts/roles.ts';
import type { Settings } from '../settings/definitions.ts';
import { questionPath } from '../questions/service.ts';
import { firstResponseClock, parseBusinessHours, type Clock } from './clock.ts';

export interface DeskViewer {
  id: number;
  role: Role;
}

export interface DeskFilters {
  language?: Language;
  tag?: string;
  /** Only questions with no answer yet. */
  noAnswer?: boolean;
  /** Only answered questions none of whose answers is by staff. */
  membersOnly?: boolean;
  /** Only questions with an unsolved support case. */
  escalated?: boolean;
  /** Only questions assigned to the viewer. */
  mine?: boolean;
  page?: number;
  pageSize?: number;
}

export interface DeskItem {
  id: number;
  title: string;
  path: string;
  language: Language;
  createdAt: Date;
  answerCount: number;
  /** The first-response clock, for questions still waiting for a first answer; null once answered. */
  clock: Clock | null;
  escalated: boolean;
  assignee: { id: number; displayName: string } | null;
}

const DAY_MS = 24 * 3600 * 1000;

function requireStaff(viewer: DeskViewer | undefined | null): DeskViewer {
  if (!viewer || !atLeast(viewer.role, 'staff')) throw forbidden();
  return viewer;
}

const staffAnswered = sql`exists (select 1 from ${answers} a join ${users} u on u.id = a.author_id where a.question_id = ${questions.id} and a.deleted_at is null and u.role in ('staff', 'admin'))`;
const escalatedNow = sql`exists (select 1 from ${supportCases} c where c.question_id = ${questions.id} and c.status <> 'solved')`;

/** The desk's list for staff, oldest first. */
export function deskList(db: Db, viewer: DeskViewer, settings: Settings, filters: DeskFilters = {}, now = new Date()): { items: DeskItem[]; page: number; pageSize: number; total: number } {
  requireStaff(viewer);
  const pageSize = Math.min(Math.max(filters.pageSize ?? 50, 1), 100);
  const page = Math.max(filters.page ?? 1, 1);
  const staleBefore = new Date(now.getTime() - settings.deskStaleAnsweredDays * DAY_MS);
  const conditions: SQL[] = [
    isNull(questions.deletedAt),
    eq(questions.status, 'open'),
    or(eq(questions.answerCount, 0), and(gt(questions.answerCount, 0), isNull(questions.acceptedAnswerId), lte(questions.createdAt, staleBefore)))!,
  ];
  if (filters.language) conditions.push(eq(questions.language, filters.language));
  if (filters.tag) conditions.push(sql`exists (select 1 from ${questionTags} qt join ${tags} t on t.id = qt.tag_id where qt.question_id = ${questions.id} and t.name = ${filters.tag})`);
  if (filters.noAnswer) conditions.push(eq(questions.answerCount, 0));
  if (filters.membersOnly) conditions.push(gt(questions.answerCount, 0), sql`not ${staffAnswered}`);
  if (filters.escalated) conditions.push(escalatedNow);
  if (filters.mine) conditions.push(sql`exists (select 1 from ${deskAssignments} d where d.question_id = ${questions.id} and d.staff_id = ${viewer.id})`);
  const where = and(...conditions);
  const total = db.select({ n: sql<number>`count(*)` }).from(questions).where(where).get()!.n;
  const rows = db
    .select({
      id: questions.id,
      title: questions.title,
      slug: questions.slug,
      language: questions.language,
      createdAt: questions.createdAt,
      answerCount: questions.answerCount,
      escalated: sql<number>`${escalatedNow}`,
      assigneeId: deskAssignments.staffId,
      assigneeName: users.displayName,
    })
    .from(questions)
    .leftJoin(deskAssignments, eq(deskAssignments.questionId, questions.id))
    .leftJoin(users, eq(users.id, deskAssignments.staffId))
    .where(where)
    .orderBy(asc(questions.createdAt), asc(questions.id))
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .all();
  const hours = parseBusinessHours(settings.deskBusinessHours);
  return {
    page,
    pageSize,
    total,
    items: rows.map((row) => ({
      id: row.id,
      title: row.title,
      path: questionPath(row.id, row.slug),
      language: row.language,
      createdAt: row.createdAt,
      answerCount: row.answerCount,
      clock: row.answerCount === 0 ? firstResponseClock(row.createdAt, now, settings.firstResponseTargetHours, hours) : null,
      escalated: !!row.escalated,
      assignee: row.assigneeId === null ? null : { id: row.assigneeId, displayName: row.assigneeName ?? '' },
    })),
  };
}

/** Who of the staff has taken the question, for staff only (null for anyone else, and when nobody has). */
export function assigneeOf(db: Db, viewer: DeskViewer | undefined | null, questionId: number): { id: number; displayName: string } | null {
  if (!viewer || !atLeast(viewer.role, 'staff')) return null;
  return (
    db
      .select({ id: users.id, displayName: users.displayName })
      .from(deskAssignments)
      .innerJoin(users, eq(users.id, deskAssignments.staffId))
      .where(eq(deskAssignments.questionId, questionId))
      .get() ?? null
  );
}

/** Takes a question (replacing whoever had it) or lets it go; staff and admins only. */
export function setAssignment(db: Db, viewer: DeskViewer, questionId: number, assign: boolean, now = new Date()): { assigneeId: number | null } {
  requireStaff(viewer);
  const question = db.select({ id: questions.id }).from(questions).where(and(eq(questions.id, questionId), isNull(questions.deletedAt))).get();
  if (!question) throw notFound();
  if (!assign) {
    db.delete(deskAssignments).where(eq(deskAssignments.questionId, questionId)).run();
    return { assigneeId: null };
  }
  db.insert(deskAssignments)
    .values({ questionId, staffId: viewer.id, assignedAt: now })
    .onConflictDoUpdate({ target: deskAssignments.questionId, set: { staffId: viewer.id, assignedAt: now } })
    .run();
  return { assigneeId: viewer.id };
}

/** The desk's filters from a query string; unknown values are ignored (an old link is not an error), a bad tag is. */
export function deskFilters(query: Record<string, unknown>): DeskFilters {
  const on = (value: unknown) => value === '1' || value === 'true' || value === true;
  const tag = typeof query.tag === 'string' ? query.tag.trim().toLowerCase() : '';
  if (tag.length > 100) throw invalid('tag', 'error.tagFormat');
  return {
    language: query.lang === 'es' || query.lang === 'en' ? query.lang : undefined,
    tag: tag || undefined,
    noAnswer: on(query.noAnswer),
    membersOnly: on(query.membersOnly),
    escalated: on(query.escalated),
    mine: on(query.mine),
    page: typeof query.page === 'string' && /^\d{1,6}$/.test(query.page) ? Number(query.page) : typeof query.page === 'number' ? query.page : 1,
  };
}

