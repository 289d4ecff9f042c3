// Owns questions: asking, editing, deleting, reading a thread, listing, and tags. No request, no HTML.
import { and, asc, count, desc, eq, inArray, isNull, ne, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { emit } from '../../lib/events.ts';
import { contentChanged } from './content-version.ts';
import { answers, comments, questions, questionTags, revisions, searchChanges, tags, users, votes, type PostType } from '../../db/schema.ts';
import { checkFields, forbidden, notFound } from '../../lib/errors.ts';
import { detectLanguage } from '../../lib/language.ts';
import { htmlToText, renderMarkdown, sanitizedHtmlToText } from '../../lib/markdown.ts';
import { MAX_PAGE_SIZE, type Page } from '../../lib/pagination.ts';
import { slugify } from '../../lib/slug.ts';
import { atLeast } from '../accounts/roles.ts';
import type { Settings } from '../settings/definitions.ts';
import { hasPrivilege } from '../votes/rules.ts';
import type { Tx } from '../votes/reputation.ts';
import { checkPostingLimits, type Poster } from './limits.ts';
import { holdReasonFor } from '../moderation/new-members.ts';
import { validBody, validEditComment, validTags, validTitle } from './validation.ts';

export interface AuthorView {
  id: number;
  username: string;
  displayName: string;
  role: 'member' | 'moderator' | 'staff' | 'admin';
  reputation: number;
}

export interface CommentView {
  id: number;
  body: string;
  author: AuthorView;
  createdAt: Date;
  /** Hidden pending review (src/features/moderation/visibility.ts filters it for other viewers). */
  hiddenReason?: string | null;
}

export interface AnswerView {
  id: number;
  questionId: number;
  bodyMd: string;
  bodyHtml: string;
  score: number;
  author: AuthorView;
  createdAt: Date;
  editedAt: Date | null;
  accepted: boolean;
  official: boolean;
  comments: CommentView[];
  myVote: number;
  hiddenReason?: string | null;
}

export interface SourceView {
  site: string;
  id: number;
  url: string;
}

export interface QuestionView {
  id: number;
  title: string;
  slug: string;
  bodyMd: string;
  bodyHtml: string;
  language: 'es' | 'en';
  tags: string[];
  score: number;
  viewCount: number;
  answerCount: number;
  author: AuthorView;
  createdAt: Date;
  editedAt: Date | null;
  lastActivityAt: Date;
  status: 'open' | 'closed';
  acceptedAnswerId: number | null;
  /** Who accepted it, when not the asker (a moderator on the asker's behalf). */
  acceptedBy: AuthorView | null;
  duplicateOfId: number | null;
  source: SourceView | null;
  comments: CommentView[];
  myVote: number;
  answers: AnswerView[];
  hiddenReason?: string | null;
}

export interface QuestionSummary {
  id: number;
  title: string;
  slug: string;
  url: string;
  tags: string[];
  score: number;
  answerCount: number;
  hasAcceptedAnswer: boolean;
  viewCount: number;
  author: AuthorView;
  createdAt: Date;
  lastActivityAt: Date;
  excerpt: string;
  /** The question's language, so that lists can mark it (`lang`) when it differs from the page's. */
  language: 'es' | 'en';
}

export const SORTS = ['newest', 'active', 'votes', 'unanswered'] as const;
export type Sort = (typeof SORTS)[number];

const authorColumns = {
  id: users.id,
  username: users.username,
  displayName: users.displayName,
  role: users.role,
  reputation: users.reputation,
};

export const questionPath = (id: number, slug: string) => `/questions/${id}/${slug}`;

export function sourceOf(site: string | null, id: number | null): SourceView | null {
  if (!site || id === null) return null;
  return { site, id, url: `https://${site}/q/${id}` };
}

/** Records that search must look at this question again (same transaction as the change). */
export function logSearchChange(tx: Tx | Db, questionId: number, now: Date): void {
  tx.insert(searchChanges).values({ questionId, createdAt: now }).run();
  contentChanged();
}

/** Makes sure the tags exist and links them; adjusts the cached counts of tags added and removed. */
export function setQuestionTags(tx: Tx, questionId: number, names: string[], previous: string[], now: Date): void {
  const added = names.filter((name) => !previous.includes(name));
  const removed = previous.filter((name) => !names.includes(name));
  for (const name of added) {
    tx.insert(tags).values({ name, createdAt: now }).onConflictDoNothing().run();
    const tag = tx.select({ id: tags.id }).from(tags).where(eq(tags.name, name)).get()!;
    tx.insert(questionTags).values({ questionId, tagId: tag.id }).onConflictDoNothing().run();
    tx.update(tags).set({ questionCount: sql`${tags.questionCount} + 1` }).where(eq(tags.id, tag.id)).run();
  }
  for (const name of removed) {
    const tag = tx.select({ id: tags.id }).from(tags).where(eq(tags.name, name)).get();
    if (!tag) continue;
    tx.delete(questionTags).where(and(eq(questionTags.questionId, questionId), eq(questionTags.tagId, tag.id))).run();
    tx.update(tags).set({ questionCount: sql`max(0, ${tags.questionCount} - 1)` }).where(eq(tags.id, tag.id)).run();
  }
}

export function tagsOf(tx: Tx | Db, questionId: number): string[] {
  return tx
    .select({ name: tags.name })
    .from(questionTags)
    .innerJoin(tags, eq(tags.id, questionTags.tagId))
    .where(eq(questionTags.questionId, questionId))
    .orderBy(asc(tags.name))
    .all()
    .map((row) => row.name);
}

export function nextRevisionNumber(tx: Tx, postType: PostType, postId: number): number {
  const row = tx
    .select({ n: sql<number>`coalesce(max(${revisions.number}), 0)` })
    .from(revisions)
    .where(and(eq(revisions.postType, postType), eq(revisions.postId, postId)))
    .get();
  return Number(row?.n ?? 0) + 1;
}

export interface AskInput {
  title: unknown;
  body: unknown;
  tags: unknown;
}

/** Asks a question: validated, within posting limits, with its first revision, in one transaction. */
export function askQuestion(db: Db, author: Poster, input: AskInput, settings: Settings, now = new Date()): { id: number; slug: string; url: string } {
  const { title, body, tags: tagNames } = checkFields({ title: () => validTitle(input.title), body: () => validBody(input.body), tags: () => validTags(input.tags) });
  const bodyHtml = renderMarkdown(body);
  const slug = slugify(title);
  const language = detectLanguage(`${title} ${htmlToText(bodyHtml)}`);
  return db.transaction((tx) => {
    checkPostingLimits(tx, author, 'question', body, settings, now);
    const { id } = tx
      .insert(questions)
      .values({ authorId: author.id, title, slug, bodyMd: body, bodyHtml, language, createdAt: now, lastActivityAt: now, hiddenReason: holdReasonFor(author, body, settings, now) })
      .returning({ id: questions.id })
      .get();
    setQuestionTags(tx, id, tagNames, [], now);
    tx.insert(revisions).values({ postType: 'question', postId: id, number: 1, authorId: author.id, title, bodyMd: body, tags: JSON.stringify(tagNames), createdAt: now }).run();
    logSearchChange(tx, id, now);
    emit(tx, { type: 'question.asked', questionId: id, authorId: author.id, tags: tagNames, at: now });
    return { id, slug, url: questionPath(id, slug) };
  });
}

/** Whether `editor` may edit a post written by `authorId`. */
export function canEdit(editor: { id: number; role: Poster['role']; reputation: number }, authorId: number, settings: Settings): boolean {
  return editor.id === authorId || hasPrivilege(editor, 'editOthers', settings);
}

export interface QuestionEdit {
  title?: unknown;
  body?: unknown;
  tags?: unknown;
  comment?: unknown;
}

/** Edits a question (author, or anyone with the edit privilege); keeps a revision. */
export function editQuestion(db: Db, editor: Poster, questionId: number, input: QuestionEdit, settings: Settings, now = new Date()): void {
  const current = db.select().from(questions).where(and(eq(questions.id, questionId), isNull(questions.deletedAt))).get();
  if (!current) throw notFound();
  if (!canEdit(editor, current.authorId, settings)) throw forbidden();
  const previousTags = tagsOf(db, questionId);
  const { title, body, tags: tagNames, comment } = checkFields({
    title: () => (input.title === undefined ? current.title : validTitle(input.title)),
    body: () => (input.body === undefined ? current.bodyMd : validBody(input.body)),
    tags: () => (input.tags === undefined ? previousTags : validTags(input.tags)),
    comment: () => validEditComment(input.comment),
  });
  const changed = title !== current.title || body !== current.bodyMd || tagNames.join(' ') !== previousTags.join(' ');
  if (!changed) return;
  const bodyHtml = body === current.bodyMd ? current.bodyHtml : renderMarkdown(body);
  db.transaction((tx) => {
    tx.update(questions)
      .set({
        title,
        slug: slugify(title),
        bodyMd: body,
        bodyHtml,
        language: detectLanguage(`${title} ${htmlToText(bodyHtml)}`),
        editedAt: now,
        lastActivityAt: now,
      })
      .where(eq(questions.id, questionId))
      .run();
    setQuestionTags(tx, questionId, tagNames, previousTags, now);
    tx.insert(revisions)
      .values({
        postType: 'question',
        postId: questionId,
        number: nextRevisionNumber(tx, 'question', questionId),
        authorId: editor.id,
        title,
        bodyMd: body,
        tags: JSON.stringify(tagNames),
        comment,
        createdAt: now,
      })
      .run();
    logSearchChange(tx, questionId, now);
    emit(tx, { type: 'post.edited', questionId, postType: 'question', postId: questionId, editorId: editor.id, authorId: current.authorId, at: now });
  });
}

/** Deletes a question (its author while it has no answers, or a moderator). Soft: it can be restored. */
export function deleteQuestion(db: Db, actor: Poster, questionId: number, now = new Date()): void {
  db.transaction((tx) => {
    const current = tx.select().from(questions).where(and(eq(questions.id, questionId), isNull(questions.deletedAt))).get();
    if (!current) throw notFound();
    const isModerator = atLeast(actor.role, 'moderator');
    if (!isModerator && (actor.id !== current.authorId || current.answerCount > 0)) throw forbidden();
    tx.update(questions).set({ deletedAt: now }).where(eq(questions.id, questionId)).run();
    const names = tagsOf(tx, questionId);
    for (const name of names) tx.update(tags).set({ questionCount: sql`max(0, ${tags.questionCount} - 1)` }).where(eq(tags.name, name)).run();
    logSearchChange(tx, questionId, now);
  });
}

/**
 * The thread page's statements, built and prepared once per database (drizzle `.prepare()` with placeholders):
 * building the SQL of each call was a fifth of a signed-in thread view (profile on the beer dump). A fixed
 * number of statements whatever the number of answers and comments (test/integration/thread-queries.test.ts).
 */
function prepareThreadStatements(db: Db) {
  const id = sql.placeholder('id');
  const viewer = sql.placeholder('viewer');
  const commentColumns = { id: comments.id, postId: comments.postId, body: comments.body, createdAt: comments.createdAt, hiddenReason: comments.hiddenReason, author: authorColumns };
  return {
    question: db
      .select({ question: questions, author: authorColumns })
      .from(questions)
      .innerJoin(users, eq(users.id, questions.authorId))
      .where(and(eq(questions.id, id), isNull(questions.deletedAt)))
      .prepare(),
    answers: db
      .select({ answer: answers, author: authorColumns })
      .from(answers)
      .innerJoin(users, eq(users.id, answers.authorId))
      .where(and(eq(answers.questionId, id), isNull(answers.deletedAt)))
      .prepare(),
    questionComments: db
      .select(commentColumns)
      .from(comments)
      .innerJoin(users, eq(users.id, comments.authorId))
      .where(and(eq(comments.postType, 'question'), eq(comments.postId, id), isNull(comments.deletedAt)))
      .orderBy(asc(comments.id))
      .prepare(),
    // The comments of the question's live answers, in one statement.
    answerComments: db
      .select(commentColumns)
      .from(comments)
      .innerJoin(answers, eq(answers.id, comments.postId))
      .innerJoin(users, eq(users.id, comments.authorId))
      .where(and(eq(comments.postType, 'answer'), eq(answers.questionId, id), isNull(answers.deletedAt), isNull(comments.deletedAt)))
      .orderBy(asc(comments.id))
      .prepare(),
    tags: db
      .select({ name: tags.name })
      .from(questionTags)
      .innerJoin(tags, eq(tags.id, questionTags.tagId))
      .where(eq(questionTags.questionId, id))
      .orderBy(asc(tags.name))
      .prepare(),
    // The viewer's votes on the question and its answers, in one statement.
    myVotes: db
      .select({ postType: votes.postType, postId: votes.postId, value: votes.value })
      .from(votes)
      .where(
        and(
          eq(votes.userId, viewer),
          sql`((${votes.postType} = 'question' and ${votes.postId} = ${id}) or (${votes.postType} = 'answer' and ${votes.postId} in (select ${answers.id} from ${answers} where ${answers.questionId} = ${id})))`,
        ),
      )
      .prepare(),
    slug: db
      .select({ slug: questions.slug })
      .from(questions)
      .where(and(eq(questions.id, id), isNull(questions.deletedAt)))
      .prepare(),
  };
}

const threadStatements = new WeakMap<Db, ReturnType<typeof prepareThreadStatements>>();

function statementsOf(db: Db): ReturnType<typeof prepareThreadStatements> {
  let prepared = threadStatements.get(db);
  if (!prepared) threadStatements.set(db, (prepared = prepareThreadStatements(db)));
  return prepared;
}

function byPost(rows: (CommentView & { postId: number })[]): Map<number, CommentView[]> {
  const grouped = new Map<number, CommentView[]>();
  for (const { postId, ...comment } of rows) {
    const list = grouped.get(postId) ?? [];
    list.push(comment);
    grouped.set(postId, list);
  }
  return grouped;
}

/** The whole thread: answers accepted first, then by score, then oldest. 404 for a deleted question. */
export function getThread(db: Db, questionId: number, viewerId?: number): QuestionView {
  const prepared = statementsOf(db);
  const row = prepared.question.get({ id: questionId });
  if (!row) throw notFound();
  const q = row.question;
  const answerRows = prepared.answers.all({ id: questionId });
  const answerComments = answerRows.length > 0 ? byPost(prepared.answerComments.all({ id: questionId })) : new Map<number, CommentView[]>();
  const mine = new Map<string, number>();
  if (viewerId) for (const vote of prepared.myVotes.all({ id: questionId, viewer: viewerId })) mine.set(`${vote.postType}:${vote.postId}`, vote.value);
  const answerViews: AnswerView[] = answerRows.map(({ answer, author }) => ({
    id: answer.id,
    questionId,
    bodyMd: answer.bodyMd,
    bodyHtml: answer.bodyHtml,
    score: answer.score,
    author,
    createdAt: answer.createdAt,
    editedAt: answer.editedAt,
    accepted: answer.id === q.acceptedAnswerId,
    official: answer.official,
    comments: answerComments.get(answer.id) ?? [],
    myVote: mine.get(`answer:${answer.id}`) ?? 0,
    hiddenReason: answer.hiddenReason,
  }));
  answerViews.sort((a, b) => Number(b.accepted) - Number(a.accepted) || b.score - a.score || a.createdAt.getTime() - b.createdAt.getTime() || a.id - b.id);
  return {
    id: q.id,
    title: q.title,
    slug: q.slug,
    bodyMd: q.bodyMd,
    bodyHtml: q.bodyHtml,
    language: q.language,
    tags: prepared.tags.all({ id: q.id }).map((tag) => tag.name),
    score: q.score,
    viewCount: q.viewCount,
    answerCount: q.answerCount,
    author: row.author,
    createdAt: q.createdAt,
    editedAt: q.editedAt,
    lastActivityAt: q.lastActivityAt,
    status: q.status,
    acceptedAnswerId: q.acceptedAnswerId,
    acceptedBy:
      q.acceptedAnswerId !== null && q.acceptedById !== null && q.acceptedById !== q.authorId
        ? (db.select(authorColumns).from(users).where(eq(users.id, q.acceptedById)).get() ?? null)
        : null,
    duplicateOfId: q.duplicateOfId,
    source: sourceOf(q.sourceSite, q.sourceId),
    comments: prepared.questionComments.all({ id: q.id }),
    myVote: mine.get(`question:${q.id}`) ?? 0,
    answers: answerViews,
    hiddenReason: q.hiddenReason,
  };
}

export interface ListOptions {
  sort?: Sort;
  tag?: string;
  page?: number;
  pageSize?: number;
  authorId?: number;
  /** Lists that show no total (the home page) skip counting. */
  withTotal?: boolean;
  /** Lists that show no excerpt skip making one. */
  withExcerpt?: boolean;
  /** Only questions written in this language (the language filter of lists). */
  language?: 'es' | 'en';
  /** Questions in every language but this one. */
  notLanguage?: 'es' | 'en';
  /**
   * Questions in this language first, then the others (the home page, for the visitor's language). Two
   * index-friendly queries rather than one ORDER BY on an expression; meant for a first page without total.
   */
  languageFirst?: 'es' | 'en';
}

/** The columns every list of questions shows (lists, search results). */
export const summaryColumns = {
  id: questions.id,
  title: questions.title,
  slug: questions.slug,
  bodyHtml: questions.bodyHtml,
  score: questions.score,
  answerCount: questions.answerCount,
  acceptedAnswerId: questions.acceptedAnswerId,
};

/** A page of question summaries, for lists, the home page, profiles and the API. */
export function listQuestions(db: Db, options: ListOptions = {}): Page<QuestionSummary> {
  if (options.languageFirst) {
    const { languageFirst, ...rest } = options;
    const own = listQuestions(db, { ...rest, language: languageFirst, withTotal: false });
    if (own.items.length >= own.pageSize) return own;
    const others = listQuestions(db, { ...rest, notLanguage: languageFirst, withTotal: false, pageSize: own.pageSize - own.items.length });
    const items = [...own.items, ...others.items];
    return { items, page: own.page, pageSize: own.pageSize, total: items.length };
  }
  const sort = options.sort ?? 'newest';
  const page = options.page ?? 1;
  const pageSize = Math.min(Math.max(options.pageSize ?? 20, 1), MAX_PAGE_SIZE);
  const conditions: SQL[] = [isNull(questions.deletedAt), isNull(questions.hiddenReason)];
  if (sort === 'unanswered') conditions.push(eq(questions.answerCount, 0));
  if (options.authorId !== undefined) conditions.push(eq(questions.authorId, options.authorId));
  if (options.language !== undefined) conditions.push(eq(questions.language, options.language));
  if (options.notLanguage !== undefined) conditions.push(ne(questions.language, options.notLanguage));
  if (options.tag !== undefined) {
    const tag = db.select({ id: tags.id }).from(tags).where(eq(tags.name, options.tag.toLowerCase())).get();
    if (!tag) return { items: [], page, pageSize, total: 0 };
    conditions.push(inArray(questions.id, db.select({ id: questionTags.questionId }).from(questionTags).where(eq(questionTags.tagId, tag.id))));
  }
  const where = and(...conditions);
  const order =
    sort === 'active'
      ? [desc(questions.lastActivityAt), desc(questions.id)]
      : sort === 'votes'
        ? [desc(questions.score), desc(questions.id)]
        : [desc(questions.createdAt), desc(questions.id)];
  const total = options.withTotal === false ? -1 : (db.select({ n: count() }).from(questions).where(where).get()?.n ?? 0);
  const rows = db
    .select({
      ...summaryColumns,
      viewCount: questions.viewCount,
      createdAt: questions.createdAt,
      lastActivityAt: questions.lastActivityAt,
      language: questions.language,
      author: authorColumns,
    })
    .from(questions)
    .innerJoin(users, eq(users.id, questions.authorId))
    .where(where)
    .orderBy(...order)
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .all();
  const tagMap = tagsForQuestions(db, rows.map((r) => r.id));
  const items = rows.map(({ bodyHtml, acceptedAnswerId, ...r }) => ({
    ...r,
    url: questionPath(r.id, r.slug),
    tags: tagMap.get(r.id) ?? [],
    hasAcceptedAnswer: acceptedAnswerId !== null,
    excerpt: options.withExcerpt === false ? '' : excerptOf(bodyHtml),
  }));
  return { items, page, pageSize, total: total < 0 ? items.length : total };
}

function excerptOf(html: string): string {
  const text = sanitizedHtmlToText(html.slice(0, 2000));
  return text.length > 180 ? text.slice(0, 180).replace(/\s+\S*$/, '') + '…' : text;
}

export function tagsForQuestions(db: Db, ids: number[]): Map<number, string[]> {
  const map = new Map<number, string[]>();
  if (ids.length === 0) return map;
  const rows = db
    .select({ questionId: questionTags.questionId, name: tags.name })
    .from(questionTags)
    .innerJoin(tags, eq(tags.id, questionTags.tagId))
    .where(inArray(questionTags.questionId, ids))
    .orderBy(asc(tags.name))
    .all();
  for (const row of rows) {
    const list = map.get(row.questionId) ?? [];
    list.push(row.name);
    map.set(row.questionId, list);
  }
  return map;
}

export interface TagSummary {
  name: string;
  questionCount: number;
}

export function listTags(db: Db, options: { page?: number; pageSize?: number; sort?: 'popular' | 'name' } = {}): Page<TagSummary> {
  const page = options.page ?? 1;
  const pageSize = Math.min(options.pageSize ?? 60, 100);
  const where = sql`${tags.questionCount} > 0`;
  const total = db.select({ n: count() }).from(tags).where(where).get()?.n ?? 0;
  const items = db
    .select({ name: tags.name, questionCount: tags.questionCount })
    .from(tags)
    .where(where)
    .orderBy(...(options.sort === 'name' ? [asc(tags.name)] : [desc(tags.questionCount), asc(tags.name)]))
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .all();
  return { items, page, pageSize, total };
}

/** Whether a question existed and was deleted (its page answers 410 Gone, so that crawlers forget it). */
export function questionGone(db: Db, questionId: number): boolean {
  const row = db.select({ deletedAt: questions.deletedAt }).from(questions).where(eq(questions.id, questionId)).get();
  return !!row?.deletedAt;
}

/** The slug a question's canonical URL uses, or undefined when it does not exist (or is deleted). */
export function canonicalSlug(db: Db, questionId: number): string | undefined {
  return statementsOf(db).slug.get({ id: questionId })?.slug;
}
