// Owns questions: asking, editing, deleting, reading a thread, listing, and tags. No request, no HTML.
import { and, asc, count, desc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { contentChanged } from './content-version.ts';
import { answers, comments, questions, questionTags, revisions, searchChanges, tags, users, votes, type PostType } from '../../db/schema.ts';
import { forbidden, notFound } from '../../lib/errors.ts';
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
  const title = validTitle(input.title);
  const body = validBody(input.body);
  const tagNames = validTags(input.tags);
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
  const title = input.title === undefined ? current.title : validTitle(input.title);
  const body = input.body === undefined ? current.bodyMd : validBody(input.body);
  const previousTags = tagsOf(db, questionId);
  const tagNames = input.tags === undefined ? previousTags : validTags(input.tags);
  const comment = validEditComment(input.comment);
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

function commentsFor(db: Db, postType: PostType, postIds: number[]): Map<number, CommentView[]> {
  const byPost = new Map<number, CommentView[]>();
  if (postIds.length === 0) return byPost;
  const rows = db
    .select({ id: comments.id, postId: comments.postId, body: comments.body, createdAt: comments.createdAt, hiddenReason: comments.hiddenReason, author: authorColumns })
    .from(comments)
    .innerJoin(users, eq(users.id, comments.authorId))
    .where(and(eq(comments.postType, postType), inArray(comments.postId, postIds), isNull(comments.deletedAt)))
    .orderBy(asc(comments.id))
    .all();
  for (const { postId, ...comment } of rows) {
    const list = byPost.get(postId) ?? [];
    list.push(comment);
    byPost.set(postId, list);
  }
  return byPost;
}

function myVotes(db: Db, viewerId: number | undefined, postType: PostType, postIds: number[]): Map<number, number> {
  if (!viewerId || postIds.length === 0) return new Map();
  return new Map(
    db
      .select({ postId: votes.postId, value: votes.value })
      .from(votes)
      .where(and(eq(votes.userId, viewerId), eq(votes.postType, postType), inArray(votes.postId, postIds)))
      .all()
      .map((row) => [row.postId, row.value]),
  );
}

/** The whole thread: answers accepted first, then by score, then oldest. 404 for a deleted question. */
export function getThread(db: Db, questionId: number, viewerId?: number): QuestionView {
  const row = db
    .select({ question: questions, author: authorColumns })
    .from(questions)
    .innerJoin(users, eq(users.id, questions.authorId))
    .where(and(eq(questions.id, questionId), isNull(questions.deletedAt)))
    .get();
  if (!row) throw notFound();
  const q = row.question;
  const answerRows = db
    .select({ answer: answers, author: authorColumns })
    .from(answers)
    .innerJoin(users, eq(users.id, answers.authorId))
    .where(and(eq(answers.questionId, questionId), isNull(answers.deletedAt)))
    .all();
  const answerIds = answerRows.map((r) => r.answer.id);
  const answerComments = commentsFor(db, 'answer', answerIds);
  const answerVotes = myVotes(db, viewerId, 'answer', answerIds);
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
    myVote: answerVotes.get(answer.id) ?? 0,
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
    tags: tagsOf(db, q.id),
    score: q.score,
    viewCount: q.viewCount,
    answerCount: q.answerCount,
    author: row.author,
    createdAt: q.createdAt,
    editedAt: q.editedAt,
    lastActivityAt: q.lastActivityAt,
    status: q.status,
    acceptedAnswerId: q.acceptedAnswerId,
    duplicateOfId: q.duplicateOfId,
    source: sourceOf(q.sourceSite, q.sourceId),
    comments: commentsFor(db, 'question', [q.id]).get(q.id) ?? [],
    myVote: myVotes(db, viewerId, 'question', [q.id]).get(q.id) ?? 0,
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
  const sort = options.sort ?? 'newest';
  const page = options.page ?? 1;
  const pageSize = Math.min(Math.max(options.pageSize ?? 20, 1), MAX_PAGE_SIZE);
  const conditions: SQL[] = [isNull(questions.deletedAt), isNull(questions.hiddenReason)];
  if (sort === 'unanswered') conditions.push(eq(questions.answerCount, 0));
  if (options.authorId !== undefined) conditions.push(eq(questions.authorId, options.authorId));
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

/** The slug a question's canonical URL uses, or undefined when it does not exist (or is deleted). */
export function canonicalSlug(db: Db, questionId: number): string | undefined {
  return db
    .select({ slug: questions.slug })
    .from(questions)
    .where(and(eq(questions.id, questionId), isNull(questions.deletedAt)))
    .get()?.slug;
}
