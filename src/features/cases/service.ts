// Owns private support cases: opening one from a question, its conversation, status and assignee, and who may
// see it. A case is read only here and only for its asker or staff; nothing public ever joins these tables.
import { and, asc, desc, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { questions, SUPPORT_CASE_STATUSES, supportCaseMessages, supportCases, users, type Role, type SupportCaseStatus } from '../../db/schema.ts';
import { conflict, forbidden, invalid, notFound } from '../../lib/errors.ts';
import { emit, type Tx } from '../../lib/events.ts';
import { renderMarkdown } from '../../lib/markdown.ts';
import { atLeast } from '../accounts/roles.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { alertStaff } from '../desk/alerts.ts';
import { questionPath } from '../questions/service.ts';
import { cleanText, validBody } from '../questions/validation.ts';

export interface Actor {
  id: number;
  role: Role;
}

export const DETAILS_MAX = 2_000;
/** At most this many staff are mailed about a case nobody is assigned to (the rest see it on the desk). */
const STAFF_MAILED_MAX = 50;

export const casePath = (id: number) => `/support/cases/${id}`;
export const isCaseStatus = (value: unknown): value is SupportCaseStatus => SUPPORT_CASE_STATUSES.includes(value as SupportCaseStatus);

/** Staff and admins work cases; a moderator may open one for an asker but does not read it afterwards. */
export const isCaseStaff = (actor: Actor | undefined | null) => atLeast(actor?.role, 'staff');

/** Whether this viewer may open a case on this question: its asker, or a moderator, staff or admin for them. */
export function canEscalate(actor: Actor | undefined | null, askerId: number): boolean {
  return !!actor && (actor.id === askerId || atLeast(actor.role, 'moderator'));
}

/** Whether the question has a case that is not solved: the only thing the public thread learns about cases. */
export function hasUnsolvedCase(db: Db | Tx, questionId: number): boolean {
  return !!db
    .select({ id: supportCases.id })
    .from(supportCases)
    .where(and(eq(supportCases.questionId, questionId), ne(supportCases.status, 'solved')))
    .get();
}

/** The unsolved case of a question, for a viewer allowed to know of it (its asker or staff); else null. */
export function unsolvedCaseFor(db: Db, actor: Actor | undefined | null, questionId: number): { id: number; status: SupportCaseStatus } | null {
  if (!actor) return null;
  const row = db
    .select({ id: supportCases.id, status: supportCases.status, askerId: supportCases.askerId })
    .from(supportCases)
    .where(and(eq(supportCases.questionId, questionId), ne(supportCases.status, 'solved')))
    .get();
  if (!row || (row.askerId !== actor.id && !isCaseStaff(actor))) return null;
  return { id: row.id, status: row.status };
}

function liveQuestion(db: Db | Tx, questionId: number) {
  const question = db
    .select({ id: questions.id, title: questions.title, slug: questions.slug, authorId: questions.authorId })
    .from(questions)
    .where(and(eq(questions.id, questionId), isNull(questions.deletedAt)))
    .get();
  if (!question) throw notFound();
  return question;
}

/** The question an escalation form is about, when this viewer may escalate it (404 otherwise, like a missing one). */
export function escalationTarget(db: Db, actor: Actor, questionId: number) {
  const question = liveQuestion(db, questionId);
  if (!canEscalate(actor, question.authorId)) throw notFound();
  return { id: question.id, title: question.title, path: questionPath(question.id, question.slug), existing: unsolvedCaseFor(db, actor, questionId) };
}

function validDetails(raw: unknown): string | null {
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== 'string') throw invalid('details', 'cases.error.detailsLength', { max: DETAILS_MAX });
  const details = cleanText(raw).trim();
  if ([...details].length > DETAILS_MAX) throw invalid('details', 'cases.error.detailsLength', { max: DETAILS_MAX });
  return details || null;
}

function staffIds(tx: Tx | Db): number[] {
  return tx
    .select({ id: users.id })
    .from(users)
    .where(and(inArray(users.role, ['staff', 'admin']), isNull(users.suspendedAt)))
    .orderBy(asc(users.id))
    .limit(STAFF_MAILED_MAX)
    .all()
    .map((row) => row.id);
}

/** Mail to the other side of the conversation: the asker when staff write, else the assignee (or every staff member). */
function mailOtherSide(tx: Tx, kase: { id: number; askerId: number; assigneeId: number | null }, authorId: number, questionTitle: string, kind: 'support_case' | 'desk_escalation', now: Date) {
  const recipients = authorId === kase.askerId ? (kase.assigneeId !== null ? [kase.assigneeId] : staffIds(tx)) : [kase.askerId];
  // The mail says that something was written and where; the conversation itself stays on the site.
  const data = { caseId: kase.id, title: questionTitle, casePath: casePath(kase.id), fromStaff: authorId !== kase.askerId };
  if (kind === 'desk_escalation') {
    alertStaff(tx, { kind, template: 'support-escalated', data, groupKey: `case:${kase.id}`, recipients: recipients.filter((id) => id !== authorId) }, now);
    return;
  }
  for (const userId of recipients) {
    if (userId === authorId) continue;
    enqueueMail(tx, { to: { userId }, kind, template: 'support-message', data, groupKey: `case:${kase.id}` }, now);
  }
}

/**
 * Opens a private case on a question: the asker, or a moderator, staff member or admin on the asker's behalf.
 * One unsolved case per question (a second request is a 409 naming the first, for those who may see it).
 */
export function openCase(db: Db, actor: Actor, input: { questionId: number; summary: unknown; details?: unknown }, now = new Date()): { id: number; askerId: number } {
  const question = liveQuestion(db, input.questionId);
  if (!canEscalate(actor, question.authorId)) throw notFound();
  const summary = validBody(input.summary);
  const details = validDetails(input.details);
  const summaryHtml = renderMarkdown(summary);
  return db.transaction((tx) => {
    if (hasUnsolvedCase(tx, question.id)) throw conflict('case_already_open', 'cases.error.alreadyOpen');
    const row = tx
      .insert(supportCases)
      .values({ questionId: question.id, askerId: question.authorId, openedById: actor.id, status: 'open', privateDetails: details, createdAt: now, updatedAt: now })
      .returning({ id: supportCases.id })
      .get();
    tx.insert(supportCaseMessages).values({ caseId: row.id, authorId: actor.id, bodyMd: summary, bodyHtml: summaryHtml, createdAt: now }).run();
    // The public thread's banner changed: kept signed-out copies of the thread must go (search/listeners.ts).
    emit(tx, { type: 'case.banner', questionId: question.id, change: 'opened', at: now });
    const kase = { id: row.id, askerId: question.authorId, assigneeId: null };
    // Staff hear of a new escalation; an asker whose case someone else opened hears of it too.
    mailOtherSide(tx, kase, question.authorId, question.title, 'desk_escalation', now);
    if (actor.id !== question.authorId) mailOtherSide(tx, kase, actor.id, question.title, 'support_case', now);
    return { id: row.id, askerId: question.authorId };
  });
}

export interface CaseView {
  id: number;
  status: SupportCaseStatus;
  question: { id: number; title: string; path: string };
  asker: { id: number; username: string; displayName: string };
  assignee: { id: number; username: string; displayName: string } | null;
  privateDetails: string | null;
  createdAt: Date;
  updatedAt: Date;
  solvedAt: Date | null;
  messages: { id: number; bodyMd: string; bodyHtml: string; createdAt: Date; author: { id: number; username: string; displayName: string; staff: boolean } }[];
}

/**
 * The case for its asker or staff. Anyone else gets the same 404 as for a case that does not exist, so that
 * a case's existence is never revealed by its id.
 */
function caseRowFor(db: Db | Tx, actor: Actor | undefined | null, caseId: number) {
  if (!actor) throw notFound();
  const row = db.select().from(supportCases).where(eq(supportCases.id, caseId)).get();
  if (!row || (row.askerId !== actor.id && !isCaseStaff(actor))) throw notFound();
  return row;
}

const person = { id: users.id, username: users.username, displayName: users.displayName, role: users.role };

export function getCase(db: Db, actor: Actor | undefined | null, caseId: number): CaseView {
  const row = caseRowFor(db, actor, caseId);
  const question = db.select({ id: questions.id, title: questions.title, slug: questions.slug }).from(questions).where(eq(questions.id, row.questionId)).get()!;
  const asker = db.select(person).from(users).where(eq(users.id, row.askerId)).get()!;
  const assignee = row.assigneeId === null ? null : (db.select(person).from(users).where(eq(users.id, row.assigneeId)).get() ?? null);
  const messages = db
    .select({ id: supportCaseMessages.id, bodyMd: supportCaseMessages.bodyMd, bodyHtml: supportCaseMessages.bodyHtml, createdAt: supportCaseMessages.createdAt, author: person })
    .from(supportCaseMessages)
    .innerJoin(users, eq(users.id, supportCaseMessages.authorId))
    .where(eq(supportCaseMessages.caseId, row.id))
    .orderBy(asc(supportCaseMessages.id))
    .all();
  const plain = (p: { id: number; username: string; displayName: string }) => ({ id: p.id, username: p.username, displayName: p.displayName });
  return {
    id: row.id,
    status: row.status,
    question: { id: question.id, title: question.title, path: questionPath(question.id, question.slug) },
    asker: plain(asker),
    assignee: assignee && plain(assignee),
    privateDetails: row.privateDetails,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    solvedAt: row.solvedAt,
    messages: messages.map((m) => ({ ...m, author: { ...plain(m.author), staff: atLeast(m.author.role, 'staff') } })),
  };
}

export interface CaseSummary {
  id: number;
  status: SupportCaseStatus;
  questionId: number;
  title: string;
  askerId: number;
  asker: string;
  assigneeId: number | null;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * Cases a viewer may see, latest activity first: staff see every case (optionally by status or assigned to
 * them), anyone else only the cases where they are the asker.
 */
export function listCases(
  db: Db,
  actor: Actor,
  options: { status?: SupportCaseStatus | 'unsolved'; mine?: boolean; page?: number; pageSize?: number } = {},
): { items: CaseSummary[]; page: number; pageSize: number; total: number } {
  const pageSize = Math.min(Math.max(options.pageSize ?? 20, 1), 100);
  const page = Math.max(options.page ?? 1, 1);
  const conditions = [];
  if (!isCaseStaff(actor)) conditions.push(eq(supportCases.askerId, actor.id));
  else if (options.mine) conditions.push(eq(supportCases.assigneeId, actor.id));
  if (options.status === 'unsolved') conditions.push(ne(supportCases.status, 'solved'));
  else if (options.status) conditions.push(eq(supportCases.status, options.status));
  const where = conditions.length ? and(...conditions) : undefined;
  const total = db.select({ n: sql<number>`count(*)` }).from(supportCases).where(where).get()!.n;
  const items = db
    .select({
      id: supportCases.id,
      status: supportCases.status,
      questionId: supportCases.questionId,
      title: questions.title,
      askerId: supportCases.askerId,
      asker: users.displayName,
      assigneeId: supportCases.assigneeId,
      createdAt: supportCases.createdAt,
      updatedAt: supportCases.updatedAt,
    })
    .from(supportCases)
    .innerJoin(questions, eq(questions.id, supportCases.questionId))
    .innerJoin(users, eq(users.id, supportCases.askerId))
    .where(where)
    .orderBy(desc(supportCases.updatedAt), desc(supportCases.id))
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .all();
  return { items, page, pageSize, total };
}

/**
 * A message on a case, by its asker or staff. Staff writing puts the case in "waiting for the customer"; the
 * asker writing puts it back to "open" (and opens a solved case again). The other side is mailed.
 */
export function postCaseMessage(db: Db, actor: Actor, caseId: number, input: { body: unknown }, now = new Date()): { id: number; status: SupportCaseStatus } {
  // Who may write comes before what is written: a stranger learns nothing from a validation message.
  caseRowFor(db, actor, caseId);
  const body = validBody(input.body);
  const bodyHtml = renderMarkdown(body);
  return db.transaction((tx) => {
    const kase = caseRowFor(tx, actor, caseId);
    const fromAsker = actor.id === kase.askerId;
    const status: SupportCaseStatus = fromAsker ? 'open' : 'waiting';
    const { id } = tx.insert(supportCaseMessages).values({ caseId, authorId: actor.id, bodyMd: body, bodyHtml, createdAt: now }).returning({ id: supportCaseMessages.id }).get();
    tx.update(supportCases).set({ status, updatedAt: now, solvedAt: null }).where(eq(supportCases.id, caseId)).run();
    if (kase.status === 'solved') emit(tx, { type: 'case.banner', questionId: kase.questionId, change: 'reopened', at: now });
    const question = tx.select({ title: questions.title }).from(questions).where(eq(questions.id, kase.questionId)).get()!;
    mailOtherSide(tx, kase, actor.id, question.title, 'support_case', now);
    return { id, status };
  });
}

/**
 * Staff change a case's status or assignee (`assigneeId` null to unassign; only staff or admins can be
 * assigned). Solving and reopening change the public thread's banner, so they go to the change log.
 */
export function updateCase(db: Db, actor: Actor, caseId: number, input: { status?: unknown; assigneeId?: unknown }, now = new Date()): { status: SupportCaseStatus; assigneeId: number | null } {
  return db.transaction((tx) => {
    const kase = caseRowFor(tx, actor, caseId);
    if (!isCaseStaff(actor)) throw forbidden();
    let status = kase.status;
    if (input.status !== undefined) {
      if (!isCaseStatus(input.status)) throw invalid('status', 'cases.error.status');
      status = input.status;
    }
    let assigneeId = kase.assigneeId;
    if (input.assigneeId !== undefined) {
      if (input.assigneeId === null) assigneeId = null;
      else {
        if (typeof input.assigneeId !== 'number' || !Number.isInteger(input.assigneeId)) throw invalid('assigneeId', 'cases.error.assignee');
        const assignee = tx.select({ role: users.role }).from(users).where(eq(users.id, input.assigneeId)).get();
        if (!assignee || !atLeast(assignee.role, 'staff')) throw invalid('assigneeId', 'cases.error.assignee');
        assigneeId = input.assigneeId;
      }
    }
    if (status === kase.status && assigneeId === kase.assigneeId) return { status, assigneeId };
    const solvedAt = status === 'solved' ? (kase.status === 'solved' ? kase.solvedAt : now) : null;
    tx.update(supportCases).set({ status, assigneeId, solvedAt, updatedAt: now }).where(eq(supportCases.id, caseId)).run();
    if ((status === 'solved') !== (kase.status === 'solved')) emit(tx, { type: 'case.banner', questionId: kase.questionId, change: status === 'solved' ? 'solved' : 'reopened', at: now });
    return { status, assigneeId };
  });
}

/** The question a solved case's public summary is posted on, for staff (the summary is an ordinary official answer). */
export function summaryTarget(db: Db, actor: Actor, caseId: number): { questionId: number } {
  const kase = caseRowFor(db, actor, caseId);
  if (!isCaseStaff(actor)) throw forbidden();
  if (kase.status !== 'solved') throw conflict('case_not_solved', 'cases.error.notSolved');
  return { questionId: kase.questionId };
}

/** Cases opened and solved in [from, to), and the median minutes from opening to solving of those solved. */
export function caseFigures(db: Db, from: Date, to: Date): { opened: number; solved: number; medianMinutesToSolve: number | null } {
  const opened = db.select({ n: sql<number>`count(*)` }).from(supportCases).where(sql`${supportCases.createdAt} >= ${from.getTime()} and ${supportCases.createdAt} < ${to.getTime()}`).get()!.n;
  const durations = db
    .select({ ms: sql<number>`${supportCases.solvedAt} - ${supportCases.createdAt}` })
    .from(supportCases)
    .where(sql`${supportCases.solvedAt} >= ${from.getTime()} and ${supportCases.solvedAt} < ${to.getTime()}`)
    .all()
    .map((row) => row.ms)
    .sort((a, b) => a - b);
  const median = durations.length === 0 ? null : durations.length % 2 ? durations[(durations.length - 1) / 2] : (durations[durations.length / 2 - 1] + durations[durations.length / 2]) / 2;
  return { opened, solved: durations.length, medianMinutesToSolve: median === null ? null : Math.round(median / 60_000) };
}
