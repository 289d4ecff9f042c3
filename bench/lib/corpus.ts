// A synthetic but realistic forum for benchmarks: N questions recombined from the real sentences of the
// beer.stackexchange.com dump (read in place with sax, never copied), 0–4 answers each, some accepted,
// real tags, a share of Spanish support questions and a sprinkling of product codes. Written straight
// into a fresh SQLite file (schema from openDatabase) with prepared statements in large transactions,
// with one search_changes row per question and per answer, as the app writes them. Deterministic: the
// same size and seed give the same database.
import fs from 'node:fs';
import path from 'node:path';
import sax from 'sax';
import { openDatabase } from '../../src/db/client.ts';
import { slugify } from '../../src/lib/slug.ts';
import { SPANISH_ANSWERS, SPANISH_DETAILS, SPANISH_QUESTIONS, SPANISH_TAG_HINTS, SPANISH_TAGS } from './search-spanish.ts';

export const DEFAULT_DUMP = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../shared/data/beer.stackexchange.com/Posts.xml');
/** Bump when the generator changes, so cached corpora are made again. */
export const CORPUS_VERSION = 1;

// ---------------------------------------------------------------------------------------------------
// Seeded randomness

/** mulberry32: small, fast, good enough for picking sentences. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Random {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = prng(seed);
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** An index drawn from weights (need not sum to 1). */
  weighted(weights: readonly number[]): number {
    const total = weights.reduce((a, b) => a + b, 0);
    let r = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i];
      if (r < 0) return i;
    }
    return weights.length - 1;
  }
}

// ---------------------------------------------------------------------------------------------------
// The dump, as pools of real text

export interface Dump {
  titles: string[];
  questionSentences: string[];
  answerSentences: string[];
  /** Tag sets of real questions (for realistic combinations). */
  tagSets: string[][];
  /** Real question scores (sampled for generated ones). */
  scores: number[];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

export function htmlToPlain(html: string): string {
  return html
    .replace(/<pre[\s\S]*?<\/pre>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
      if (name[0] === '#') return String.fromCodePoint(name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10));
      return ENTITIES[name.toLowerCase()] ?? whole;
    })
    .replace(/\s+/g, ' ')
    .trim();
}

export function sentencesOf(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+(?=["'(¿¡]?[A-Z0-9])/)
    .map((s) => s.trim())
    .filter((s) => s.length >= 20 && s.length <= 400 && !/https?:\/\//.test(s));
}

function parseTags(raw: string | undefined): string[] {
  if (!raw) return [];
  return raw
    .split(/[<>|]+/)
    .map((t) => t.trim().toLowerCase().replace(/[^a-z0-9+#.-]/g, '-').slice(0, 25))
    .filter((t) => t && !/^-+$/.test(t))
    .slice(0, 5);
}

/** Reads the dump once, streaming, into pools of titles, sentences and tag sets. */
export async function readDump(file = DEFAULT_DUMP): Promise<Dump> {
  const dump: Dump = { titles: [], questionSentences: [], answerSentences: [], tagSets: [], scores: [] };
  const parser = sax.parser(true, { trim: false, normalize: false });
  parser.onerror = (error) => {
    throw error;
  };
  parser.onopentag = (node) => {
    if (node.name !== 'row') return;
    const row = (node as sax.Tag).attributes as Record<string, string>;
    const text = htmlToPlain(row.Body ?? '');
    if (row.PostTypeId === '1') {
      if (row.Title) dump.titles.push(row.Title.replace(/\s+/g, ' ').trim());
      dump.questionSentences.push(...sentencesOf(text));
      const tags = parseTags(row.Tags);
      if (tags.length) dump.tagSets.push(tags);
      dump.scores.push(Number(row.Score) || 0);
    } else if (row.PostTypeId === '2') {
      dump.answerSentences.push(...sentencesOf(text));
    }
  };
  const stream = fs.createReadStream(file, { encoding: 'utf8', highWaterMark: 256 * 1024 });
  let first = true;
  for await (const chunk of stream as AsyncIterable<string>) {
    parser.write(first ? chunk.replace(/^\uFEFF/, '') : chunk);
    first = false;
  }
  parser.close();
  return dump;
}

// ---------------------------------------------------------------------------------------------------
// Product codes

/** Deterministic product codes in a few real-world shapes: RT-AC68U, XJ-2041, HGW820B, TP-WN8200ND. */
export function productCodes(count: number, seed = 7): string[] {
  const random = new Random(seed);
  const letters = 'ABCDEFGHJKLMNPRSTUVWXZ';
  const L = () => letters[random.int(0, letters.length - 1)];
  const D = () => String(random.int(0, 9));
  const shapes = [
    () => `${L()}${L()}-${L()}${L()}${D()}${D()}${L()}`,
    () => `${L()}${L()}-${D()}${D()}${D()}${D()}`,
    () => `${L()}${L()}${L()}${D()}${D()}${D()}${L()}`,
    () => `${L()}${L()}-${L()}${L()}${D()}${D()}${D()}${D()}${L()}${L()}`,
  ];
  const codes = new Set<string>();
  while (codes.size < count) codes.add(random.pick(shapes)());
  return [...codes];
}

// ---------------------------------------------------------------------------------------------------
// Generation

export interface CorpusOptions {
  size: number;
  seed?: number;
  /** Share of Spanish questions (default 0.15). */
  spanishShare?: number;
  /** Share of questions whose title or body mentions a product code (default 0.03). */
  codeShare?: number;
  dump?: Dump;
  onProgress?: (done: number, total: number) => void;
}

export interface CorpusStats {
  questions: number;
  answers: number;
  accepted: number;
  spanish: number;
  withCodes: number;
  searchChanges: number;
  bytes: number;
  seconds: number;
}

export const USERS = 2_000;
const BATCH = 5_000;

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Markdown paragraphs → the sanitized HTML the app would store (plain paragraphs need no Markdown engine). */
function paragraphsHtml(markdown: string): string {
  return markdown
    .split(/\n\n+/)
    .map((p) => `<p>${escapeHtml(p)}</p>`)
    .join('\n');
}

function paragraphs(random: Random, sentences: string[]): string {
  const out: string[] = [];
  let current: string[] = [];
  for (const sentence of sentences) {
    current.push(sentence);
    if (current.length >= 2 && random.chance(0.4)) {
      out.push(current.join(' '));
      current = [];
    }
  }
  if (current.length) out.push(current.join(' '));
  return out.join('\n\n');
}

function withCode(random: Random, sentence: string, code: string): string {
  const words = sentence.split(' ');
  const at = random.int(1, Math.max(1, words.length - 1));
  const phrase = random.pick([`el ${code}`, `my ${code}`, code, `(${code})`, `model ${code}`]);
  words.splice(at, 0, phrase);
  return words.join(' ');
}

/** A title recombined from two real ones: the start of one, the end of another (or a real one as is). */
function englishTitle(random: Random, titles: string[]): string {
  const a = random.pick(titles);
  if (random.chance(0.45)) return a;
  const b = random.pick(titles);
  const aw = a.split(' ');
  const bw = b.split(' ');
  const head = aw.slice(0, random.int(2, Math.max(2, Math.ceil(aw.length / 2))));
  const tail = bw.slice(random.int(Math.floor(bw.length / 2), Math.max(Math.floor(bw.length / 2), bw.length - 2)));
  return [...head, ...tail].join(' ').slice(0, 150);
}

function spanishTags(random: Random, text: string): string[] {
  const tags = [...new Set(SPANISH_TAG_HINTS.filter(([pattern]) => pattern.test(text)).map(([, tag]) => tag))];
  if (tags.length === 0) tags.push(random.pick(SPANISH_TAGS));
  return tags.slice(0, random.int(1, 4));
}

/**
 * Writes a fresh corpus database at `file` (which must not exist). Returns what it wrote.
 * The codes used are `productCodes(300)`; queries can pick them from there.
 */
export async function generateCorpus(file: string, options: CorpusOptions): Promise<CorpusStats> {
  const started = performance.now();
  if (fs.existsSync(file)) throw new Error(`${file} exists: the corpus goes into a fresh file`);
  const dump = options.dump ?? (await readDump());
  const random = new Random(options.seed ?? 20_261_123);
  const spanishShare = options.spanishShare ?? 0.15;
  const codeShare = options.codeShare ?? 0.03;
  const codes = productCodes(300);

  const db = openDatabase(file);
  const sqlite = db.$client;
  sqlite.pragma('synchronous = OFF');
  sqlite.pragma('foreign_keys = OFF');
  sqlite.pragma('cache_size = -200000');

  const insertUser = sqlite.prepare(
    `insert into users (username, username_key, email, email_key, display_name, password_hash, role, reputation, created_at)
     values (?, ?, null, null, ?, null, 'member', ?, ?)`,
  );
  const insertQuestion = sqlite.prepare(
    `insert into questions (author_id, title, slug, body_md, body_html, language, score, view_count, answer_count, accepted_answer_id, created_at, last_activity_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, 0, null, ?, ?)`,
  );
  const insertAnswer = sqlite.prepare(
    `insert into answers (question_id, author_id, body_md, body_html, score, official, created_at) values (?, ?, ?, ?, ?, ?, ?)`,
  );
  const finishQuestion = sqlite.prepare(`update questions set answer_count = ?, accepted_answer_id = ?, last_activity_at = ? where id = ?`);
  const insertRevision = sqlite.prepare(
    `insert into revisions (post_type, post_id, number, author_id, title, body_md, tags, created_at) values (?, ?, 1, ?, ?, ?, ?, ?)`,
  );
  const insertTag = sqlite.prepare(`insert into tags (name, question_count, created_at) values (?, 0, ?)`);
  const countTag = sqlite.prepare(`update tags set question_count = ? where id = ?`);
  const insertQuestionTag = sqlite.prepare(`insert into question_tags (question_id, tag_id) values (?, ?)`);
  const insertChange = sqlite.prepare(`insert into search_changes (question_id, created_at) values (?, ?)`);

  const t0 = Date.UTC(2020, 0, 1);
  const span = Date.UTC(2026, 10, 1) - t0;
  const stats: CorpusStats = { questions: 0, answers: 0, accepted: 0, spanish: 0, withCodes: 0, searchChanges: 0, bytes: 0, seconds: 0 };

  sqlite.transaction(() => {
    for (let i = 1; i <= USERS; i++) insertUser.run(`bench-user-${i}`, `bench-user-${i}`, `Bench User ${i}`, random.int(1, 5000), t0);
  })();

  const tagIds = new Map<string, number>();
  const tagCounts = new Map<number, number>();
  const tagId = (name: string, at: number) => {
    let id = tagIds.get(name);
    if (id === undefined) {
      id = Number(insertTag.run(name, at).lastInsertRowid);
      tagIds.set(name, id);
    }
    tagCounts.set(id, (tagCounts.get(id) ?? 0) + 1);
    return id;
  };

  const writeOne = (n: number) => {
    const createdAt = t0 + Math.floor((span * n) / options.size) + random.int(0, 60_000);
    const spanish = random.chance(spanishShare);
    const author = random.int(1, USERS);
    let title: string;
    let bodySentences: string[];
    let tags: string[];
    if (spanish) {
      title = random.pick(SPANISH_QUESTIONS);
      bodySentences = Array.from({ length: random.int(2, 6) }, () => random.pick(SPANISH_DETAILS));
      tags = spanishTags(random, `${title} ${bodySentences.join(' ')}`);
      stats.spanish += 1;
    } else {
      title = englishTitle(random, dump.titles);
      bodySentences = Array.from({ length: random.int(2, 7) }, () => random.pick(dump.questionSentences));
      tags = [...random.pick(dump.tagSets)];
    }
    if (random.chance(codeShare)) {
      const code = random.pick(codes);
      if (random.chance(0.5)) title = `${title.replace(/[?.]$/, '')} ${code}`.slice(0, 150);
      else bodySentences[0] = withCode(random, bodySentences[0], code);
      stats.withCodes += 1;
    }
    const body = paragraphs(random, bodySentences);
    const score = random.chance(0.7) ? random.pick(dump.scores) : random.int(-2, 3);
    const { lastInsertRowid } = insertQuestion.run(
      author,
      title,
      slugify(title),
      body,
      paragraphsHtml(body),
      spanish ? 'es' : 'en',
      score,
      random.int(5, 5000),
      createdAt,
      createdAt,
    );
    const questionId = Number(lastInsertRowid);
    insertRevision.run('question', questionId, author, title, body, JSON.stringify(tags), createdAt);
    for (const tag of tags) insertQuestionTag.run(questionId, tagId(tag, createdAt));
    insertChange.run(questionId, createdAt);
    stats.searchChanges += 1;
    stats.bytes += title.length + body.length;

    const answerCount = random.weighted([12, 30, 28, 18, 12]);
    let accepted: number | null = null;
    let lastActivity = createdAt;
    for (let a = 0; a < answerCount; a++) {
      const sentences = Array.from({ length: random.int(2, 8) }, () => random.pick(spanish ? SPANISH_ANSWERS : dump.answerSentences));
      if (random.chance(codeShare / 3)) sentences[0] = withCode(random, sentences[0], random.pick(codes));
      const answerBody = paragraphs(random, sentences);
      const at = createdAt + random.int(60_000, 7 * 86_400_000);
      lastActivity = Math.max(lastActivity, at);
      const answerAuthor = random.int(1, USERS);
      const answerId = Number(
        insertAnswer.run(questionId, answerAuthor, answerBody, paragraphsHtml(answerBody), random.int(-1, 12), random.chance(0.02) ? 1 : 0, at).lastInsertRowid,
      );
      insertRevision.run('answer', answerId, answerAuthor, null, answerBody, null, at);
      if (accepted === null && random.chance(0.3)) accepted = answerId;
      insertChange.run(questionId, at);
      stats.searchChanges += 1;
      stats.answers += 1;
      stats.bytes += answerBody.length;
    }
    if (accepted !== null) stats.accepted += 1;
    finishQuestion.run(answerCount, accepted, lastActivity, questionId);
    stats.questions += 1;
  };

  for (let from = 1; from <= options.size; from += BATCH) {
    const to = Math.min(options.size, from + BATCH - 1);
    sqlite.transaction(() => {
      for (let n = from; n <= to; n++) writeOne(n);
    })();
    options.onProgress?.(to, options.size);
  }
  sqlite.transaction(() => {
    for (const [id, count] of tagCounts) countTag.run(count, id);
  })();
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  sqlite.close();
  stats.seconds = (performance.now() - started) / 1000;
  return stats;
}
