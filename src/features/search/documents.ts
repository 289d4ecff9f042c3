// Owns what search knows about a question: its terms per field (capped, so the index stays lean) and the
// few facts results are filtered and ranked by. Read straight from SQLite, in id ranges or by ids.
import type Database from 'better-sqlite3';
import { countedTerms, documentTerms, distinctTerms, type SearchLanguage } from './text.ts';

export const FIELDS = ['title', 'accepted', 'body', 'answers', 'tags', 'alttitle', 'learned'] as const;
export type Field = (typeof FIELDS)[number];

/**
 * How much a match in each field counts: title > accepted answer > question body > other answers > tags.
 * `alttitle` holds the titles of the questions closed as duplicates of this one: other words for the same
 * problem, chosen by moderators, so they count like the title. `learned` holds the searches that visitors
 * confirmed solved by this thread (phrasings.ts): real words for the problem, but unreviewed, so below the title.
 */
export const FIELD_WEIGHTS: Record<Field, number> = { title: 3, accepted: 2, body: 1.5, answers: 1, tags: 0.8, alttitle: 3, learned: 2 };

// Distinct terms kept per field. Enough for a post's substance; a 30,000-character body does not get
// to put thousands of terms in the index. Measured on real duplicate questions (bench:search-duplicates,
// tuning half): 80 body / 60 answers cut off what long meta-site posts are about; 200 / 150 found more
// originals, 300 / 250 no more than that.
const FIELD_TERM_LIMITS: Record<Field, number> = { title: 40, accepted: 150, body: 200, answers: 150, tags: 10, alttitle: 80, learned: 60 };
// Words read per field, as a multiple of its limit: the term frequencies (how often each kept term occurs)
// are counted over this many, which covers all but the longest posts.
const TERM_WINDOW = 50;

export interface DocMeta {
  id: number;
  tags: string[];
  answerCount: number;
  hasAccepted: boolean;
  hasOfficial: boolean;
  score: number;
  language: SearchLanguage;
  /** For a question closed as a duplicate (with duplicate learning): its original, where its hits lead. */
  duplicateOf?: number | null;
  /** Views counted, when asked (ms), and where its views were counted ('' for this forum, else the imported site). */
  views?: number;
  createdAt?: number;
  source?: string;
}

export interface IndexedDoc {
  meta: DocMeta;
  /** Distinct index terms per field, in order of first appearance. */
  fields: Record<Field, string[]>;
  /** Per field, how many times each of its terms occurs (parallel to `fields`; absent: once each). */
  frequencies?: Partial<Record<Field, number[]>>;
}

interface QuestionRow {
  id: number;
  title: string;
  body_md: string;
  language: SearchLanguage;
  score: number;
  answer_count: number;
  accepted_answer_id: number | null;
  /** Absent for documents made by hand (tests): an open question. */
  status?: string;
  duplicate_of_id?: number | null;
  view_count?: number;
  created_at?: number;
  source_site?: string | null;
}

interface AnswerRow {
  question_id: number;
  id: number;
  body_md: string;
  official: number;
}

interface TagRow {
  question_id: number;
  name: string;
}

/** Titles of live questions closed as duplicates of the question, oldest first. */
interface DuplicateTitleRow {
  question_id: number;
  title: string;
}

export function toIndexedDoc(
  question: QuestionRow,
  answers: AnswerRow[],
  tags: string[],
  duplicateTitles: string[] = [],
  learning = true,
  phrasings: string[] = [],
): IndexedDoc {
  const language = question.language === 'es' ? 'es' : 'en';
  const accepted = answers.find((a) => a.id === question.accepted_answer_id);
  const others = answers.filter((a) => a !== accepted);
  const frequencies: Partial<Record<Field, number[]>> = {};
  const terms = (text: string, field: Field) => {
    const counted = countedTerms(documentTerms(text, language, FIELD_TERM_LIMITS[field] * TERM_WINDOW), FIELD_TERM_LIMITS[field]);
    if (counted.counts.some((n) => n > 1)) frequencies[field] = counted.counts;
    return counted.terms;
  };
  return {
    meta: {
      id: question.id,
      tags,
      answerCount: question.answer_count,
      hasAccepted: accepted !== undefined,
      hasOfficial: answers.some((a) => a.official === 1),
      score: question.score,
      language,
      duplicateOf: learning && question.status === 'closed' ? (question.duplicate_of_id ?? null) : null,
      views: question.view_count ?? 0,
      createdAt: question.created_at ?? 0,
      source: question.source_site ?? '',
    },
    fields: {
      title: terms(question.title, 'title'),
      accepted: accepted ? terms(accepted.body_md, 'accepted') : [],
      body: terms(question.body_md, 'body'),
      answers: terms(others.map((a) => a.body_md).join('\n'), 'answers'),
      tags: distinctTerms(tags.flatMap((tag) => documentTerms(tag.replace(/[-.]/g, ' ') + ' ' + tag, language)), FIELD_TERM_LIMITS.tags),
      alttitle: learning ? terms(duplicateTitles.join('\n'), 'alttitle') : [],
      learned: terms(phrasings.join('\n'), 'learned'),
    },
    frequencies,
  };
}

const QUESTION_COLUMNS = 'id, title, body_md, language, score, answer_count, accepted_answer_id, status, duplicate_of_id, view_count, created_at, source_site';
const DUPLICATE_TITLES = 'select duplicate_of_id as question_id, title from questions';
/** Distinct visitors who must confirm a learned phrasing (phrasings.ts) before it is indexed. */
export const PHRASING_CONFIRMATIONS = 2;
/** Indexed phrasings per thread at most (the most confirmed). */
export const PHRASINGS_PER_THREAD = 20;
// Indexed learned phrasings: confirmed enough, not removed, the most confirmed per question.
const PHRASINGS = (where: string) =>
  `select question_id, title from (
     select question_id, phrase as title, row_number() over (partition by question_id order by confirmations desc, id) as n
     from search_phrasings where ${where} and removed_at is null and confirmations >= ${PHRASING_CONFIRMATIONS}
   ) where n <= ${PHRASINGS_PER_THREAD}`;

/**
 * The originals of these questions, for those that are (or were, if deleted since) closed as duplicates: a
 * duplicate's title is indexed on its original (alternate titles), so its change is the original's too.
 */
export function originalsOf(sqlite: Database.Database, ids: number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const rows = sqlite
      .prepare(`select id, duplicate_of_id as originalId from questions where id in (${chunk.map(() => '?').join(',')}) and duplicate_of_id is not null`)
      .all(...chunk) as { id: number; originalId: number }[];
    for (const row of rows) out.set(row.id, row.originalId);
  }
  return out;
}

function group<T extends { question_id: number }>(rows: T[]): Map<number, T[]> {
  const map = new Map<number, T[]>();
  for (const row of rows) {
    const list = map.get(row.question_id) ?? [];
    list.push(row);
    map.set(row.question_id, list);
  }
  return map;
}

/** What the index learns from besides a question's own text (the search benchmarks switch it off to measure it). */
export interface LoadOptions {
  /** Titles of questions closed as duplicates of a question, indexed on it, and duplicates leading to it (default on). */
  duplicateLearning?: boolean;
}

/** Live questions with ids in [fromId, toId], ready for the index. Deleted ones are absent. */
export function loadDocumentsInRange(sqlite: Database.Database, fromId: number, toId: number, options: LoadOptions = {}): IndexedDoc[] {
  const questions = sqlite
    .prepare(
      `select ${QUESTION_COLUMNS} from questions
       where id between ? and ? and deleted_at is null and hidden_reason is null order by id`,
    )
    .all(fromId, toId) as QuestionRow[];
  if (questions.length === 0) return [];
  const answers = group(
    sqlite
      .prepare(
        `select question_id, id, body_md, official from answers
         where question_id between ? and ? and deleted_at is null and hidden_reason is null order by question_id, score desc, id`,
      )
      .all(fromId, toId) as AnswerRow[],
  );
  const tags = group(
    sqlite
      .prepare(`select qt.question_id, t.name from question_tags qt join tags t on t.id = qt.tag_id where qt.question_id between ? and ?`)
      .all(fromId, toId) as TagRow[],
  );
  const learning = options.duplicateLearning !== false;
  const duplicates = learning
    ? group(sqlite.prepare(`${DUPLICATE_TITLES} where duplicate_of_id between ? and ? and status = 'closed' and deleted_at is null and hidden_reason is null order by id`).all(fromId, toId) as DuplicateTitleRow[])
    : new Map<number, DuplicateTitleRow[]>();
  const phrasings = group(sqlite.prepare(PHRASINGS('question_id between ? and ?')).all(fromId, toId) as DuplicateTitleRow[]);
  return questions.map((q) =>
    toIndexedDoc(
      q,
      answers.get(q.id) ?? [],
      (tags.get(q.id) ?? []).map((t) => t.name),
      (duplicates.get(q.id) ?? []).map((d) => d.title),
      learning,
      (phrasings.get(q.id) ?? []).map((p) => p.title),
    ),
  );
}

/** The current version of some questions; ids that are deleted or missing are left out. */
export function loadDocuments(sqlite: Database.Database, ids: number[], options: LoadOptions = {}): IndexedDoc[] {
  const docs: IndexedDoc[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const marks = chunk.map(() => '?').join(',');
    const questions = sqlite
      .prepare(`select ${QUESTION_COLUMNS} from questions where id in (${marks}) and deleted_at is null and hidden_reason is null`)
      .all(...chunk) as QuestionRow[];
    if (questions.length === 0) continue;
    const live = questions.map((q) => q.id);
    const liveMarks = live.map(() => '?').join(',');
    const answers = group(
      sqlite
        .prepare(`select question_id, id, body_md, official from answers where question_id in (${liveMarks}) and deleted_at is null and hidden_reason is null order by question_id, score desc, id`)
        .all(...live) as AnswerRow[],
    );
    const tags = group(
      sqlite.prepare(`select qt.question_id, t.name from question_tags qt join tags t on t.id = qt.tag_id where qt.question_id in (${liveMarks})`).all(...live) as TagRow[],
    );
    const learning = options.duplicateLearning !== false;
    const duplicates = learning
      ? group(sqlite.prepare(`${DUPLICATE_TITLES} where duplicate_of_id in (${liveMarks}) and status = 'closed' and deleted_at is null and hidden_reason is null order by id`).all(...live) as DuplicateTitleRow[])
      : new Map<number, DuplicateTitleRow[]>();
    const phrasings = group(sqlite.prepare(PHRASINGS(`question_id in (${liveMarks})`)).all(...live) as DuplicateTitleRow[]);
    for (const q of questions) {
      const titles = (duplicates.get(q.id) ?? []).map((d) => d.title);
      docs.push(toIndexedDoc(q, answers.get(q.id) ?? [], (tags.get(q.id) ?? []).map((t) => t.name), titles, learning, (phrasings.get(q.id) ?? []).map((p) => p.title)));
    }
  }
  return docs;
}
