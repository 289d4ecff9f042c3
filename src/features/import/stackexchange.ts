// Owns importing a Stack Exchange data dump (Posts.xml): questions, answers, accepted answers, scores, tags and
// placeholder authors. Streams the file (a second pass only for answers met before their question) keeping
// only ids in memory, writes in batched transactions, and keeps the original ids so that a re-run adds nothing twice.
import fs from 'node:fs';
import path from 'node:path';
import { eq, inArray, isNotNull, sql } from 'drizzle-orm';
import sax from 'sax';
import type { Db } from '../../db/client.ts';
import { answers, questions, reputationEvents, revisions, users } from '../../db/schema.ts';
import { detectLanguage } from '../../lib/language.ts';
import { htmlToText, renderMarkdown } from '../../lib/markdown.ts';
import { slugify } from '../../lib/slug.ts';
import { AppError } from '../../lib/errors.ts';
import { closeAsDuplicate, linkRelated } from '../questions/duplicates.ts';
import { logSearchChange, setQuestionTags } from '../questions/service.ts';
import { cleanText, TAGS_MAX, TITLE_MAX } from '../questions/validation.ts';
import { record, UNDONE, type Tx } from '../votes/reputation.ts';
import { htmlToMarkdown } from './html-to-markdown.ts';
import { usernameSkeleton } from '../accounts/confusables.ts';

/** Bad input to the import (missing file, unknown site, malformed XML): its message is for the operator. */
export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportError';
  }
}

export interface ImportCounts {
  /** Questions and answers created by this run. */
  questions: number;
  answers: number;
  /** Accepted answers set by this run. */
  accepted: number;
  /** Questions and answers not imported: already there from an earlier run, or answers whose question is not in the dump. */
  skipped: number;
  /** Of `skipped`: answers whose question is not in the dump (or not imported). */
  orphans: number;
  /** Placeholder authors created by this run. */
  users: number;
  /** From PostLinks.xml beside Posts.xml: questions closed as duplicates, and related links added, by this run. */
  duplicates: number;
  related: number;
}

export interface ImportProgress extends ImportCounts {
  /** posts: the main pass; late-answers: a second pass for answers met before their question. */
  phase: 'posts' | 'late-answers' | 'reputation' | 'links' | 'done';
  /** Questions and answers read so far in this phase. */
  read: number;
  site: string;
}

export interface ImportOptions {
  /** The site the dump comes from, e.g. beer.stackexchange.com; default: the name of the file's folder. */
  site?: string;
  onProgress?: (progress: ImportProgress) => void;
  /** Posts per transaction. */
  batchSize?: number;
  /** Import time (ledger rows, search log, tag creation). */
  now?: Date;
}

export const IMPORT_REASON = 'imported';
const REPUTATION_PER_SCORE = 10;
const REPUTATION_PER_ACCEPTED = 15;
const TAG_MAX_LENGTH = 25;
const DISPLAY_NAME_MAX = 50;
const USERNAME_MAX = 30;
const COMMUNITY = 'community';

const HOSTNAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;

/** The site name: the option, else the folder holding the dump (…/beer.stackexchange.com/Posts.xml). */
export function siteOf(filePath: string, site?: string): string {
  const name = (site ?? path.basename(path.dirname(path.resolve(filePath)))).trim().toLowerCase();
  if (!HOSTNAME.test(name)) {
    throw new ImportError(
      site === undefined
        ? `Cannot tell the site from the folder name "${name}": keep the dump in a folder named after its site (e.g. beer.stackexchange.com/Posts.xml) or give --site <host>.`
        : `"${site}" is not a host name such as beer.stackexchange.com.`,
    );
  }
  return name;
}

/** Tags of a `Tags` attribute, old (`<a><b>`) or new (`|a|b|`) format, made to fit our tag rules. */
export function parseTags(raw: string | undefined): string[] {
  if (!raw) return [];
  const names: string[] = [];
  for (const part of raw.split(/[<>|]+/)) {
    const name = part
      .trim()
      .toLowerCase()
      .replace(/[^a-z0-9+#.-]/g, '-')
      .slice(0, TAG_MAX_LENGTH);
    if (name && !/^-+$/.test(name) && !names.includes(name)) names.push(name);
    if (names.length === TAGS_MAX) break;
  }
  return names;
}

/** A dump title as we store it: cleaned, on one line, at most TITLE_MAX characters. */
export function importTitle(raw: string | undefined, fallback: string): string {
  const title = cleanText(raw ?? '').replace(/\s+/g, ' ').trim();
  if (!title) return fallback;
  const chars = [...title];
  return chars.length <= TITLE_MAX ? title : chars.slice(0, TITLE_MAX - 1).join('').trimEnd() + '…';
}

/** The dump's dates have no zone; they are UTC. */
export function parseDumpDate(raw: string | undefined): Date | undefined {
  if (!raw) return undefined;
  const text = /([zZ]|[+-]\d{2}:?\d{2})$/.test(raw) ? raw : `${raw}Z`;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function parseInteger(raw: string | undefined): number | undefined {
  if (raw === undefined || !/^\s*-?\d+\s*$/.test(raw)) return undefined;
  const value = Number.parseInt(raw, 10);
  return Number.isSafeInteger(value) ? value : undefined;
}

type Row = Record<string, string>;

/** Calls `onRow` for every <row> of the file, streaming: never more than one chunk of text in memory. */
async function eachRow(filePath: string, onRow: (row: Row) => void): Promise<void> {
  const parser = sax.parser(true, { trim: false, normalize: false, position: true });
  parser.onerror = (error) => {
    throw new ImportError(`${filePath} is not a well-formed ${path.basename(filePath)} (line ${parser.line + 1}, column ${parser.column + 1}): ${error.message.split('\n')[0]}`);
  };
  parser.onopentag = (node) => {
    if (node.name === 'row') onRow((node as sax.Tag).attributes);
  };
  const stream = fs.createReadStream(filePath, { encoding: 'utf8', highWaterMark: 256 * 1024 });
  let first = true;
  for await (const chunk of stream as AsyncIterable<string>) {
    parser.write(first ? chunk.replace(/^\uFEFF/, '') : chunk);
    first = false;
  }
  parser.close();
}

interface Author {
  /** OwnerUserId, or undefined for posts of deleted users (and of the Community user). */
  sourceUserId: number | undefined;
  displayName: string | undefined;
}

interface PendingQuestion {
  kind: 'question';
  sourceId: number;
  author: Author;
  title: string;
  bodyMd: string;
  bodyHtml: string;
  language: 'es' | 'en';
  tags: string[];
  score: number;
  viewCount: number;
  createdAt: Date;
  lastActivityAt: Date;
}

interface PendingAnswer {
  kind: 'answer';
  sourceId: number;
  /** Source id of the question: its local id is known once the batch holding the question is written. */
  parentId: number;
  author: Author;
  bodyMd: string;
  bodyHtml: string;
  score: number;
  createdAt: Date;
  accepted: boolean;
}

/** The import's hot statements, prepared once (drizzle would otherwise build and prepare them per post). */
function prepareStatements(db: Db) {
  const p = sql.placeholder;
  return {
    insertQuestion: db
      .insert(questions)
      .values({
        authorId: p('authorId'),
        title: p('title'),
        slug: p('slug'),
        bodyMd: p('bodyMd'),
        bodyHtml: p('bodyHtml'),
        language: p('language'),
        score: p('score'),
        viewCount: p('viewCount'),
        createdAt: p('createdAt'),
        lastActivityAt: p('lastActivityAt'),
        sourceSite: p('sourceSite'),
        sourceId: p('sourceId'),
      })
      .onConflictDoNothing()
      .returning({ id: questions.id })
      .prepare(),
    insertAnswer: db
      .insert(answers)
      .values({
        questionId: p('questionId'),
        authorId: p('authorId'),
        bodyMd: p('bodyMd'),
        bodyHtml: p('bodyHtml'),
        score: p('score'),
        createdAt: p('createdAt'),
        sourceSite: p('sourceSite'),
        sourceId: p('sourceId'),
      })
      .onConflictDoNothing()
      .returning({ id: answers.id })
      .prepare(),
    insertRevision: db
      .insert(revisions)
      .values({
        postType: p('postType'),
        postId: p('postId'),
        number: 1,
        authorId: p('authorId'),
        title: p('title'),
        bodyMd: p('bodyMd'),
        tags: p('tags'),
        comment: p('comment'),
        createdAt: p('createdAt'),
      })
      .onConflictDoNothing()
      .prepare(),
    countAnswer: db
      .update(questions)
      .set({ answerCount: sql`${questions.answerCount} + 1` })
      .where(eq(questions.id, p('questionId')))
      .prepare(),
    accept: db
      .update(questions)
      .set({ acceptedAnswerId: sql`${p('answerId')}` })
      .where(sql`${questions.id} = ${p('questionId')} and ${questions.acceptedAnswerId} is null`)
      .prepare(),
  };
}

function authorOf(row: Row): Author {
  const id = parseInteger(row.OwnerUserId);
  // Negative ids are Stack Exchange's own "Community" user: it joins the shared placeholder.
  return { sourceUserId: id !== undefined && id >= 0 ? id : undefined, displayName: row.OwnerDisplayName?.trim() || undefined };
}

/** Short name of a site for usernames: beer.stackexchange.com → beer, stackoverflow.com → stackoverflow. */
function siteShortName(site: string): string {
  const short = site.replace(/\.stackexchange\.com$/, '').replace(/\.(com|net|org)$/, '');
  return short.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'site';
}

/** Placeholder authors of one site: found by users.sourceKey, created on first use. */
class Placeholders {
  private readonly ids = new Map<string, number>();
  private readonly short: string;
  created = 0;

  constructor(
    db: Db,
    private readonly site: string,
  ) {
    this.short = siteShortName(site);
    const prefix = `${site}:`;
    const rows = db.select({ id: users.id, sourceKey: users.sourceKey }).from(users).where(isNotNull(users.sourceKey)).all();
    for (const row of rows) if (row.sourceKey!.startsWith(prefix)) this.ids.set(row.sourceKey!, row.id);
  }

  keyOf(author: Author): string {
    return `${this.site}:${author.sourceUserId ?? COMMUNITY}`;
  }

  isCommunity(key: string): boolean {
    return key === `${this.site}:${COMMUNITY}`;
  }

  /** The local id of a placeholder key already known (created earlier or in this run). */
  idOf(key: string): number | undefined {
    return this.ids.get(key);
  }

  /** The placeholder for an author, created when missing (inside the caller's transaction). */
  ensure(tx: Tx, author: Author): number {
    const sourceKey = this.keyOf(author);
    const known = this.ids.get(sourceKey);
    if (known !== undefined) return known;
    const tail = author.sourceUserId === undefined ? COMMUNITY : String(author.sourceUserId);
    const base = `se-${this.short.slice(0, Math.max(1, USERNAME_MAX - 4 - tail.length))}-${tail}`;
    const displayName = (author.sourceUserId === undefined ? `Anonymous (${this.site})` : (author.displayName ?? `User ${author.sourceUserId}`)).slice(0, DISPLAY_NAME_MAX);
    // A member may already use the natural username: then try base-2, base-3…
    for (let attempt = 1; attempt <= 1000; attempt += 1) {
      const suffix = attempt === 1 ? '' : `-${attempt}`;
      const username = base.slice(0, USERNAME_MAX - suffix.length) + suffix;
      const inserted = tx
        .insert(users)
        .values({ username, usernameKey: username.toLowerCase(), usernameSkeleton: usernameSkeleton(username), email: null, emailKey: null, displayName, passwordHash: null, role: 'member', sourceKey })
        .onConflictDoNothing()
        .returning({ id: users.id })
        .get();
      if (inserted) {
        this.ids.set(sourceKey, inserted.id);
        this.created += 1;
        return inserted.id;
      }
      const existing = tx.select({ id: users.id }).from(users).where(eq(users.sourceKey, sourceKey)).get();
      if (existing) {
        this.ids.set(sourceKey, existing.id);
        return existing.id;
      }
    }
    throw new Error(`no free username for ${sourceKey}`);
  }
}

/**
 * Imports a Stack Exchange Posts.xml into the forum. Idempotent: posts already imported from the same
 * site (same sourceSite/sourceId) are skipped and counted in `skipped`.
 *
 * One streaming pass imports the posts in file order; an answer that comes before its question (rare:
 * dumps are sorted by id) is only remembered by id and imported by a second pass, run only when needed.
 */
export async function importStackExchange(db: Db, filePath: string, options: ImportOptions = {}): Promise<ImportCounts> {
  const stat = fs.statSync(filePath, { throwIfNoEntry: false });
  if (!stat?.isFile()) throw new ImportError(`No such file: ${filePath}`);
  const site = siteOf(filePath, options.site);
  const batchSize = Math.max(1, options.batchSize ?? 500);
  const now = options.now ?? new Date();
  const counts: ImportCounts = { questions: 0, answers: 0, accepted: 0, skipped: 0, orphans: 0, users: 0, duplicates: 0, related: 0 };
  const placeholders = new Placeholders(db, site);
  let phase: ImportProgress['phase'] = 'posts';
  let read = 0;
  const report = () => {
    counts.users = placeholders.created;
    options.onProgress?.({ ...counts, phase, read, site });
  };

  // Only ids live across batches: source question id → local id (this run's and earlier runs'), the
  // questions read so far, accepted answer → its question, answers already imported, answers waiting
  // for their question, and each author's reputation earned in the dump.
  const questionIds = new Map<number, number>(
    db
      .select({ sourceId: questions.sourceId, id: questions.id })
      .from(questions)
      .where(eq(questions.sourceSite, site))
      .all()
      .map((row) => [row.sourceId!, row.id]),
  );
  const existingAnswers = new Set<number>(
    db
      .select({ sourceId: answers.sourceId })
      .from(answers)
      .where(eq(answers.sourceSite, site))
      .all()
      .map((row) => row.sourceId!),
  );
  const questionsRead = new Set<number>();
  const acceptedAnswerOf = new Map<number, number>(); // source answer id → source question id
  const lateAnswers = new Set<number>();
  const earned = new Map<string, number>(); // placeholder key → reputation from the dump
  const earn = (author: Author, delta: number) => {
    const key = placeholders.keyOf(author);
    earned.set(key, (earned.get(key) ?? 0) + delta);
  };

  const statements = prepareStatements(db);
  let pending: (PendingQuestion | PendingAnswer)[] = [];
  const writeQuestion = (tx: Tx, q: PendingQuestion) => {
    const authorId = placeholders.ensure(tx, q.author);
    const inserted = statements.insertQuestion.get({
      authorId,
      title: q.title,
      slug: slugify(q.title),
      bodyMd: q.bodyMd,
      bodyHtml: q.bodyHtml,
      language: q.language,
      score: q.score,
      viewCount: q.viewCount,
      createdAt: q.createdAt,
      lastActivityAt: q.lastActivityAt,
      sourceSite: site,
      sourceId: q.sourceId,
    });
    if (!inserted) {
      // Only a question listed twice in the file gets here (earlier imports are skipped before conversion).
      counts.skipped += 1;
      return;
    }
    setQuestionTags(tx, inserted.id, q.tags, [], now);
    statements.insertRevision.run({
      postType: 'question',
      postId: inserted.id,
      authorId,
      title: q.title,
      bodyMd: q.bodyMd,
      tags: JSON.stringify(q.tags),
      comment: `Imported from https://${site}/q/${q.sourceId} (CC BY-SA)`,
      createdAt: q.createdAt,
    });
    logSearchChange(tx, inserted.id, now);
    questionIds.set(q.sourceId, inserted.id);
    counts.questions += 1;
  };
  const writeAnswer = (tx: Tx, a: PendingAnswer, answered: Set<number>) => {
    const questionId = questionIds.get(a.parentId);
    if (questionId === undefined) {
      counts.skipped += 1;
      counts.orphans += 1;
      return;
    }
    const authorId = placeholders.ensure(tx, a.author);
    const inserted = statements.insertAnswer.get({
      questionId,
      authorId,
      bodyMd: a.bodyMd,
      bodyHtml: a.bodyHtml,
      score: a.score,
      createdAt: a.createdAt,
      sourceSite: site,
      sourceId: a.sourceId,
    });
    if (!inserted) {
      counts.skipped += 1;
      return;
    }
    statements.insertRevision.run({
      postType: 'answer',
      postId: inserted.id,
      authorId,
      title: null,
      bodyMd: a.bodyMd,
      tags: null,
      comment: `Imported from https://${site}/a/${a.sourceId} (CC BY-SA)`,
      createdAt: a.createdAt,
    });
    statements.countAnswer.run({ questionId });
    if (a.accepted) counts.accepted += statements.accept.run({ questionId, answerId: inserted.id }).changes;
    existingAnswers.add(a.sourceId);
    answered.add(questionId);
    counts.answers += 1;
  };
  const flush = () => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    db.transaction((tx) => {
      const answered = new Set<number>();
      for (const post of batch) {
        if (post.kind === 'question') writeQuestion(tx, post);
        else writeAnswer(tx, post, answered);
      }
      // Search indexes answers with their question: tell it once per question of the batch.
      for (const questionId of answered) logSearchChange(tx, questionId, now);
    });
    report();
  };

  const readQuestion = (row: Row, sourceId: number) => {
    questionsRead.add(sourceId);
    const author = authorOf(row);
    const score = parseInteger(row.Score) ?? 0;
    const accepted = parseInteger(row.AcceptedAnswerId);
    if (accepted !== undefined) acceptedAnswerOf.set(accepted, sourceId);
    earn(author, score * REPUTATION_PER_SCORE);
    if (questionIds.has(sourceId)) {
      counts.skipped += 1;
      return;
    }
    const title = importTitle(row.Title, `Question ${sourceId} from ${site}`);
    const bodyMd = cleanText(htmlToMarkdown(row.Body ?? '')).trim();
    const bodyHtml = renderMarkdown(bodyMd);
    const createdAt = parseDumpDate(row.CreationDate) ?? now;
    pending.push({
      kind: 'question',
      sourceId,
      author,
      title,
      bodyMd,
      bodyHtml,
      language: detectLanguage(`${title} ${htmlToText(bodyHtml)}`),
      tags: parseTags(row.Tags),
      score,
      viewCount: Math.max(0, parseInteger(row.ViewCount) ?? 0),
      createdAt,
      lastActivityAt: parseDumpDate(row.LastActivityDate) ?? createdAt,
    });
  };
  // Called once the answer's question has been read (or the file has been read to the end).
  const readAnswer = (row: Row, sourceId: number, parentId: number | undefined) => {
    if (parentId === undefined || (!questionIds.has(parentId) && !questionsRead.has(parentId))) {
      counts.skipped += 1;
      counts.orphans += 1;
      return;
    }
    const author = authorOf(row);
    const score = parseInteger(row.Score) ?? 0;
    const accepted = acceptedAnswerOf.get(sourceId) === parentId;
    earn(author, score * REPUTATION_PER_SCORE + (accepted ? REPUTATION_PER_ACCEPTED : 0));
    if (existingAnswers.has(sourceId)) {
      counts.skipped += 1;
      return;
    }
    const bodyMd = cleanText(htmlToMarkdown(row.Body ?? '')).trim();
    pending.push({ kind: 'answer', sourceId, parentId, author, bodyMd, bodyHtml: renderMarkdown(bodyMd), score, createdAt: parseDumpDate(row.CreationDate) ?? now, accepted });
  };
  const afterRow = () => {
    read += 1;
    if (pending.length >= batchSize) flush();
    else if (read % 100 === 0) report();
  };

  await eachRow(filePath, (row) => {
    const sourceId = parseInteger(row.Id);
    if (sourceId === undefined) return;
    if (row.PostTypeId === '1') {
      readQuestion(row, sourceId);
    } else if (row.PostTypeId === '2') {
      const parentId = parseInteger(row.ParentId);
      if (parentId !== undefined && !questionsRead.has(parentId)) {
        lateAnswers.add(sourceId); // its question may come later in the file
      } else {
        readAnswer(row, sourceId, parentId);
      }
    } else {
      return;
    }
    afterRow();
  });
  flush();

  // Second pass, only for answers met before their question.
  if (lateAnswers.size > 0) {
    phase = 'late-answers';
    read = 0;
    report();
    await eachRow(filePath, (row) => {
      if (row.PostTypeId !== '2') return;
      const sourceId = parseInteger(row.Id);
      if (sourceId === undefined || !lateAnswers.has(sourceId)) return;
      lateAnswers.delete(sourceId);
      readAnswer(row, sourceId, parseInteger(row.ParentId));
      afterRow();
    });
    flush();
  }

  // Reputation: one ledger row per placeholder author, topping the `imported` rows up to what the dump
  // earned them (positive only), so a re-run finds nothing to add.
  phase = 'reputation';
  report();
  recordImportedReputation(db, placeholders, earned, now);
  const linksFile = path.join(path.dirname(filePath), 'PostLinks.xml');
  if (fs.existsSync(linksFile)) {
    phase = 'links';
    report();
    Object.assign(counts, await importPostLinks(db, linksFile, questionIds, { batchSize, now }));
  }
  phase = 'done';
  report();
  return { ...counts, users: placeholders.created };
}

/**
 * PostLinks.xml: LinkTypeId 3 closes the post as a duplicate of the related post (closeAsDuplicate, the
 * moderators' own operation, by the system), LinkTypeId 1 adds a related link. Only links between questions
 * of this import count; a question already closed (an earlier run, or a second original in the file) is left
 * as it is, and a link closeAsDuplicate refuses (a cycle) is skipped, so a re-run changes nothing.
 */
async function importPostLinks(
  db: Db,
  filePath: string,
  questionIds: Map<number, number>,
  { batchSize, now }: { batchSize: number; now: Date },
): Promise<{ duplicates: number; related: number }> {
  const result = { duplicates: 0, related: 0 };
  let pending: { kind: 'duplicate' | 'related'; questionId: number; otherId: number }[] = [];
  const flush = () => {
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    db.transaction((tx) => {
      for (const link of batch) {
        if (link.kind === 'related') {
          if (linkRelated(tx, link.questionId, link.otherId, now)) result.related += 1;
          continue;
        }
        const question = tx.select({ status: questions.status, duplicateOfId: questions.duplicateOfId }).from(questions).where(eq(questions.id, link.questionId)).get();
        if (!question || question.status === 'closed') continue;
        try {
          if (closeAsDuplicate(tx, { questionId: link.questionId, originalId: link.otherId, byUserId: null, now }).changed) result.duplicates += 1;
        } catch (error) {
          if (!(error instanceof AppError)) throw error; // a cycle or a deleted end: the link is left out
        }
      }
    });
  };
  await eachRow(filePath, (row) => {
    const kind = row.LinkTypeId === '3' ? 'duplicate' : row.LinkTypeId === '1' ? 'related' : undefined;
    const from = questionIds.get(parseInteger(row.PostId) ?? NaN);
    const to = questionIds.get(parseInteger(row.RelatedPostId) ?? NaN);
    if (!kind || from === undefined || to === undefined || from === to) return;
    pending.push({ kind, questionId: from, otherId: to });
    if (pending.length >= batchSize) flush();
  });
  flush();
  return result;
}

function recordImportedReputation(db: Db, placeholders: Placeholders, earned: Map<string, number>, now: Date): void {
  const wanted = new Map<number, number>();
  for (const [key, delta] of earned) {
    if (placeholders.isCommunity(key) || delta <= 0) continue;
    const userId = placeholders.idOf(key);
    if (userId !== undefined) wanted.set(userId, delta);
  }
  if (wanted.size === 0) return;
  db.transaction((tx) => {
    const already = new Map<number, number>();
    const ids = [...wanted.keys()];
    for (let i = 0; i < ids.length; i += 500) {
      const rows = tx
        .select({ userId: reputationEvents.userId, sum: sql<number>`coalesce(sum(${reputationEvents.delta}), 0)` })
        .from(reputationEvents)
        .where(sql`${inArray(reputationEvents.userId, ids.slice(i, i + 500))} and ${inArray(reputationEvents.reason, [IMPORT_REASON, IMPORT_REASON + UNDONE])}`)
        .groupBy(reputationEvents.userId)
        .all();
      for (const row of rows) already.set(row.userId, Number(row.sum));
    }
    const entries = [];
    for (const [userId, delta] of wanted) {
      const missing = delta - (already.get(userId) ?? 0);
      if (missing > 0) entries.push({ userId, delta: missing, reason: IMPORT_REASON });
    }
    record(tx, entries, now);
  });
}

/**
 * Prints import progress for the command line: one updating line on a terminal, otherwise a line
 * every ~1000 posts. Returns the onProgress callback and `finish`, which ends the updating line.
 */
export function progressPrinter(output: NodeJS.WriteStream = process.stdout): { onProgress: (progress: ImportProgress) => void; finish: () => void } {
  const tty = output.isTTY === true;
  let lastPrint = 0;
  let lastMilestone = 0;
  let lastPhase = '';
  let printed = false;
  const line = (p: ImportProgress) =>
    `${p.site}: ${p.read} posts read${p.phase === 'late-answers' ? ' again (answers met before their question)' : ''} — ` +
    `${p.questions} questions, ${p.answers} answers, ${p.accepted} accepted, ${p.skipped} skipped, ${p.users} authors created`;
  return {
    onProgress(p) {
      if (p.phase === 'done' || p.phase === 'reputation') return;
      if (tty) {
        const time = Date.now();
        if (time - lastPrint < 100 && p.phase === lastPhase) return;
        lastPrint = time;
        lastPhase = p.phase;
        const text = line(p);
        const width = output.columns ? output.columns - 1 : text.length;
        output.write(`\r${text.length > width ? text.slice(0, width - 1) + '…' : text}\u001b[K`);
        printed = true;
        return;
      }
      const done = p.questions + p.answers + p.skipped;
      if (done - lastMilestone >= 1000) {
        lastMilestone = done - (done % 1000);
        output.write(`${line(p)}\n`);
      }
    },
    /** Clears the updating line (once). */
    finish() {
      if (tty && printed) output.write('\r\u001b[K');
      printed = false;
    },
  };
}

export function summaryOf(site: string, counts: ImportCounts, seconds: number): string {
  const links = counts.duplicates + counts.related > 0 ? `, ${counts.duplicates} closed as duplicates, ${counts.related} related links` : '';
  const orphans = counts.orphans > 0 ? `, ${counts.orphans} of them answers whose question is not in the dump` : '';
  return (
    `Imported from ${site}: ${counts.questions} questions, ${counts.answers} answers, ${counts.accepted} accepted answers, ` +
    `${counts.users} placeholder authors${links}; skipped ${counts.skipped} posts (already imported${orphans}) in ${seconds.toFixed(1)} s.`
  );
}
