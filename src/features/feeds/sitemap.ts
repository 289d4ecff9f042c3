// Owns the sitemaps: which public URLs exist (threads by last activity, tag pages, profiles with content, the
// fixed pages) and writing them as sitemap XML, a batch of rows at a time, without whole-table arrays.
//
// Rows are read with better-sqlite3's `.iterate()` over keyset batches (`id > last … limit BATCH`): each batch
// is read to its end synchronously, so the connection is free again before the stream's backpressure makes us
// wait (an iterator left open across an `await` would make every other query of the process fail as "busy").
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type Database from 'better-sqlite3';
import { SitemapIndexStream, SitemapStream, type IndexItem, type SitemapItemLoose } from 'sitemap';
import type { Db } from '../../db/client.ts';
import { questionPath } from '../questions/service.ts';

/** The protocol's limit per sitemap file (sitemaps.org): 50,000 URLs. */
export const URLS_PER_SITEMAP = 50_000;
const BATCH = 1_000;

export const SITEMAP_KINDS = ['questions', 'tags', 'users'] as const;
export type SitemapKind = (typeof SITEMAP_KINDS)[number];

interface Row {
  key: number;
  url: string;
  at: number;
}

/**
 * Per kind: how many URLs there are, the keyset batch that reads them in order of `key` (live rows only), and
 * the latest activity among them. Deleted questions are never listed, nor suspended users. Every lastmod comes
 * from an index (schema.ts: questions_author_activity, answers_author_created, question_tags_tag_question):
 * - a thread: its last activity;
 * - a tag page (newest first, 20 a page): the latest activity among the tag's 20 newest live questions;
 * - a profile: the member's latest live question activity or live answer.
 */
const HAS_POSTS = `(exists (select 1 from questions q where q.author_id = u.id and q.deleted_at is null)
                   or exists (select 1 from answers a where a.author_id = u.id and a.deleted_at is null))`;
const QUERIES: Record<SitemapKind, { count: string; batch: string; keyAt: string; latest: string }> = {
  questions: {
    count: 'select count(*) from questions where deleted_at is null',
    batch: 'select id as key, id, slug, last_activity_at as at from questions where deleted_at is null and id > ? order by id limit ?',
    keyAt: 'select id from questions where deleted_at is null order by id limit 1 offset ?',
    latest: 'select max(last_activity_at) from questions where deleted_at is null',
  },
  tags: {
    count: 'select count(*) from tags where question_count > 0',
    batch: `select t.id as key, t.name,
              (select max(at) from (select q.last_activity_at as at from question_tags qt join questions q on q.id = qt.question_id
                where qt.tag_id = t.id and q.deleted_at is null order by qt.question_id desc limit 20)) as at
            from tags t where t.question_count > 0 and t.id > ? order by t.id limit ?`,
    keyAt: 'select id from tags where question_count > 0 order by id limit 1 offset ?',
    latest: 'select max(last_activity_at) from questions where deleted_at is null',
  },
  users: {
    count: `select count(*) from users u where u.suspended_at is null and ${HAS_POSTS}`,
    batch: `select u.id as key, u.username,
              max(coalesce((select max(q.last_activity_at) from questions q where q.author_id = u.id and q.deleted_at is null), 0),
                  coalesce((select max(a.created_at) from answers a where a.author_id = u.id and a.deleted_at is null), 0)) as at
            from users u where u.suspended_at is null and u.id > ? and ${HAS_POSTS} order by u.id limit ?`,
    keyAt: `select id from users u where u.suspended_at is null and ${HAS_POSTS} order by u.id limit 1 offset ?`,
    latest: 'select max(last_activity_at) from questions where deleted_at is null',
  },
};

const toPath: Record<SitemapKind, (row: Record<string, unknown>) => string> = {
  questions: (row) => questionPath(row.id as number, row.slug as string),
  tags: (row) => `/questions?tag=${encodeURIComponent(row.name as string)}`,
  users: (row) => `/users/${encodeURIComponent(row.username as string)}`,
};

/** The pages every forum has, listed in their own small sitemap so that the index is never empty. */
export const FIXED_PAGES = ['/', '/questions', '/tags'];

const statements = new WeakMap<Db, Map<string, Database.Statement>>();
function statement(db: Db, text: string): Database.Statement {
  let map = statements.get(db);
  if (!map) statements.set(db, (map = new Map()));
  let prepared = map.get(text);
  if (!prepared) map.set(text, (prepared = db.$client.prepare(text)));
  return prepared;
}

export function sitemapPath(kind: SitemapKind | 'pages', file = 1): string {
  return kind === 'pages' ? '/sitemaps/pages.xml' : `/sitemaps/${kind}-${file}.xml`;
}

/** How many files a kind needs (0 when it has no URLs). */
export function fileCount(db: Db, kind: SitemapKind, perFile = URLS_PER_SITEMAP): number {
  const total = statement(db, QUERIES[kind].count).pluck().get() as number;
  return Math.ceil(total / perFile);
}

/** The index's entries: the fixed pages, then every file of every kind, each with its latest activity. */
export function indexEntries(db: Db, baseUrl: string, perFile = URLS_PER_SITEMAP): IndexItem[] {
  const latest = statement(db, QUERIES.questions.latest).pluck().get() as number | null;
  const lastmod = latest ? new Date(latest).toISOString() : undefined;
  const entries: IndexItem[] = [{ url: baseUrl + sitemapPath('pages'), lastmod }];
  for (const kind of SITEMAP_KINDS) {
    const files = fileCount(db, kind, perFile);
    for (let file = 1; file <= files; file++) entries.push({ url: baseUrl + sitemapPath(kind, file), lastmod });
  }
  return entries;
}

/** Writes, and waits when the reader is behind; the stream reads nothing from the database meanwhile. */
async function write(stream: Writable, item: unknown): Promise<void> {
  if (!stream.write(item)) await once(stream, 'drain');
}

/**
 * Writes the URLs of one file of a kind into `stream` (a SitemapStream) and ends it. Returns false when the
 * file does not exist (past the last one): the stream is then destroyed, since a sitemap with no URL is invalid.
 */
export async function writeSitemapFile(db: Db, kind: SitemapKind, file: number, stream: SitemapStream, perFile = URLS_PER_SITEMAP): Promise<boolean> {
  const query = QUERIES[kind];
  // The file's first key: one index walk to it, then keyset batches from there (no OFFSET per batch).
  const first = statement(db, query.keyAt).pluck().get((file - 1) * perFile) as number | undefined;
  if (first === undefined) {
    stream.destroy();
    return false;
  }
  let after = first - 1;
  let left = perFile;
  const batch = statement(db, query.batch);
  while (left > 0) {
    const items: SitemapItemLoose[] = [];
    let last: Row | undefined;
    // Read to the end at once (the connection is busy while an iterator is open), at most BATCH rows.
    for (const row of batch.iterate(after, Math.min(BATCH, left)) as IterableIterator<Record<string, unknown>>) {
      items.push({ url: toPath[kind](row), lastmod: row.at ? new Date(row.at as number).toISOString() : undefined });
      last = row as unknown as Row;
    }
    for (const item of items) await write(stream, item);
    if (!last) break;
    left -= items.length;
    after = last.key;
    if (items.length < BATCH) break;
  }
  stream.end();
  return true;
}

export function sitemapStream(baseUrl: string): SitemapStream {
  // No image, video, news or xhtml namespaces: plain URLs with their last modification.
  return new SitemapStream({ hostname: baseUrl, xmlns: { news: false, video: false, xhtml: false, image: false } });
}

export function fixedPagesSitemap(stream: SitemapStream, lastmod?: string): void {
  for (const url of FIXED_PAGES) stream.write({ url, lastmod });
  stream.end();
}

export function sitemapIndexStream(entries: IndexItem[]): SitemapIndexStream {
  const stream = new SitemapIndexStream();
  for (const entry of entries) stream.write(entry);
  stream.end();
  return stream;
}

/** The latest activity of any live question, for the fixed pages' lastmod. */
export function latestActivity(db: Db): string | undefined {
  const latest = statement(db, QUERIES.questions.latest).pluck().get() as number | null;
  return latest ? new Date(latest).toISOString() : undefined;
}
