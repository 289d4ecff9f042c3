// Owns what search knows about a question: its terms per field (capped, so the index stays lean) and the
// few facts results are filtered and ranked by. Read straight from SQLite, in id ranges or by ids.
import type Database from 'better-sqlite3';
import { documentTerms, distinctTerms, type SearchLanguage } from './text.ts';

export const FIELDS = ['title', 'accepted', 'body', 'answers', 'tags'] as const;
export type Field = (typeof FIELDS)[number];

/** How much a match in each field counts: title > accepted answer > question body > other answers > tags. */
export const FIELD_WEIGHTS: Record<Field, number> = { title: 3, accepted: 2, body: 1.5, answers: 1, tags: 0.8 };

// Distinct terms kept per field. Enough for a post's substance; a 30,000-character body does not get
// to put thousands of terms in the index.
const FIELD_TERM_LIMITS: Record<Field, number> = { title: 40, accepted: 60, body: 80, answers: 60, tags: 10 };

export interface DocMeta {
  id: number;
  tags: string[];
  answerCount: number;
  hasAccepted: boolean;
  hasOfficial: boolean;
  score: number;
  language: SearchLanguage;
}

export interface IndexedDoc {
  meta: DocMeta;
  fields: Record<Field, string[]>;
}

interface QuestionRow {
  id: number;
  title: string;
  body_md: string;
  language: SearchLanguage;
  score: number;
  answer_count: number;
  accepted_answer_id: number | null;
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

export function toIndexedDoc(question: QuestionRow, answers: AnswerRow[], tags: string[]): IndexedDoc {
  const language = question.language === 'es' ? 'es' : 'en';
  const accepted = answers.find((a) => a.id === question.accepted_answer_id);
  const others = answers.filter((a) => a !== accepted);
  const terms = (text: string, field: Field) => distinctTerms(documentTerms(text, language, FIELD_TERM_LIMITS[field] * 4), FIELD_TERM_LIMITS[field]);
  return {
    meta: {
      id: question.id,
      tags,
      answerCount: question.answer_count,
      hasAccepted: accepted !== undefined,
      hasOfficial: answers.some((a) => a.official === 1),
      score: question.score,
      language,
    },
    fields: {
      title: terms(question.title, 'title'),
      accepted: accepted ? terms(accepted.body_md, 'accepted') : [],
      body: terms(question.body_md, 'body'),
      answers: terms(others.map((a) => a.body_md).join('\n'), 'answers'),
      tags: distinctTerms(tags.flatMap((tag) => documentTerms(tag.replace(/[-.]/g, ' ') + ' ' + tag, language)), FIELD_TERM_LIMITS.tags),
    },
  };
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
      `select id, title, body_md, language, score, answer_count, accepted_answer_id from questions
       where id between ? and ? and deleted_at is null order by id`,
    )
    .all(fromId, toId) as QuestionRow[];
  if (questions.length === 0) return [];
  const answers = group(
    sqlite
      .prepare(
        `select question_id, id, body_md, official from answers
         where question_id between ? and ? and deleted_at is null order by question_id, score desc, id`,
      )
      .all(fromId, toId) as AnswerRow[],
  );
  const tags = group(
    sqlite
      .prepare(`select qt.question_id, t.name from question_tags qt join tags t on t.id = qt.tag_id where qt.question_id between ? and ?`)
      .all(fromId, toId) as TagRow[],
  );
  return questions.map((q) => toIndexedDoc(q, answers.get(q.id) ?? [], (tags.get(q.id) ?? []).map((t) => t.name)));
}

/** The current version of some questions; ids that are deleted or missing are left out. */
export function loadDocuments(sqlite: Database.Database, ids: number[], options: LoadOptions = {}): IndexedDoc[] {
  const docs: IndexedDoc[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const marks = chunk.map(() => '?').join(',');
    const questions = sqlite
      .prepare(`select id, title, body_md, language, score, answer_count, accepted_answer_id from questions where id in (${marks}) and deleted_at is null`)
      .all(...chunk) as QuestionRow[];
    if (questions.length === 0) continue;
    const live = questions.map((q) => q.id);
    const liveMarks = live.map(() => '?').join(',');
    const answers = group(
      sqlite
        .prepare(`select question_id, id, body_md, official from answers where question_id in (${liveMarks}) and deleted_at is null order by question_id, score desc, id`)
        .all(...live) as AnswerRow[],
    );
    const tags = group(
      sqlite.prepare(`select qt.question_id, t.name from question_tags qt join tags t on t.id = qt.tag_id where qt.question_id in (${liveMarks})`).all(...live) as TagRow[],
    );
    for (const q of questions) docs.push(toIndexedDoc(q, answers.get(q.id) ?? [], (tags.get(q.id) ?? []).map((t) => t.name)));
  }
  return docs;
}
