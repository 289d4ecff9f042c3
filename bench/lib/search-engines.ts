// The rankers the search benchmarks compare over the same questions of a forum database: ours (the shards of
// src/features/search, built and queried as the search worker does), naive lunr and SQLite FTS5 bm25.
import Database from 'better-sqlite3';
import lunr from 'lunr';
import { DEFAULT_SHARD_SIZE, maxQuestionId, shardRanges } from '../../src/features/search/build.ts';
import { loadDocumentsInRange, type LoadOptions } from '../../src/features/search/documents.ts';
import { SearchIndex } from '../../src/features/search/engine.ts';
import { Shard } from '../../src/features/search/shard.ts';

/** Returns the question ids of the top `limit` (10 by default), best first. */
export type Engine = { name: string; search: (query: string, limit?: number) => number[] };

export interface CorpusDoc {
  id: number;
  title: string;
  body: string;
  answers: string;
  tags: string;
}

/** Every live question with its live answers and tags, as the baselines index them. */
export function loadCorpus(sqlite: Database.Database): CorpusDoc[] {
  return sqlite
    .prepare(
      `select q.id, q.title, q.body_md as body,
              coalesce((select group_concat(a.body_md, char(10)) from answers a where a.question_id = q.id and a.deleted_at is null), '') as answers,
              coalesce((select group_concat(t.name, ' ') from question_tags qt join tags t on t.id = qt.tag_id where qt.question_id = q.id), '') as tags
       from questions q where q.deleted_at is null order by q.id`,
    )
    .all() as CorpusDoc[];
}

/** Parses the synonym setting the way the worker does (src/features/search/worker.ts, followSynonyms). */
export function synonymGroups(raw: string): string[][] {
  return raw.split('\n').map((line) => line.split(/[,=;]/).map((w) => w.trim()).filter(Boolean)).filter((g) => g.length > 1);
}

/** Ours: the sharded index of src/features/search, built the way the build worker builds it. */
export function ourEngine(sqlite: Database.Database, synonyms: string, name = 'Resuelto (ours)', options: LoadOptions = {}): Engine & { index: SearchIndex } {
  const shards = shardRanges(maxQuestionId(sqlite), DEFAULT_SHARD_SIZE).map(({ fromId, toId }) =>
    Shard.fromDocs(loadDocumentsInRange(sqlite, fromId, toId, options), fromId, toId, 0),
  );
  const index = new SearchIndex();
  index.setShards(shards);
  index.setSynonyms(synonymGroups(synonyms));
  return { name, index, search: (query, limit = 10) => index.search({ query, limit }).hits.map((h) => h.id) };
}

/** Baseline 1: lunr as it comes: one index over every field, default English pipeline, query builder. */
export function naiveLunr(corpus: CorpusDoc[]): Engine {
  const index = lunr(function () {
    this.ref('id');
    for (const field of ['title', 'body', 'answers', 'tags']) this.field(field);
    for (const doc of corpus) this.add(doc);
  });
  return {
    name: 'lunr, naive',
    search: (query, limit = 10) =>
      index
        .query((q) => {
          // Tokens as lunr makes them (trimmed like indexed text), each an optional term through the search pipeline.
          for (const token of lunr.tokenizer(query)) {
            const term = lunr.trimmer(token)?.toString();
            if (term) q.term(term, {});
          }
        })
        .slice(0, limit)
        .map((r) => Number(r.ref)),
  };
}

/** Baseline 2: SQLite FTS5 (its default unicode61 tokenizer: diacritics removed) ranked by bm25, the query's words OR-ed. */
export function fts5(corpus: CorpusDoc[]): Engine & { close: () => void; begin: () => void; rollback: () => void; remove: (id: number) => void } {
  const fts = new Database(':memory:');
  fts.exec('create virtual table docs using fts5(title, body, answers, tags)');
  const insert = fts.prepare('insert into docs(rowid, title, body, answers, tags) values (?, ?, ?, ?, ?)');
  fts.transaction(() => {
    for (const doc of corpus) insert.run(doc.id, doc.title, doc.body, doc.answers, doc.tags);
  })();
  const select = fts.prepare('select rowid as id from docs where docs match ? order by bm25(docs) limit ?');
  return {
    name: 'SQLite FTS5 bm25',
    search: (query, limit = 10) => {
      const words = query.match(/[\p{L}\p{N}]+/gu) ?? [];
      if (words.length === 0) return [];
      return (select.all(words.map((w) => `"${w}"`).join(' OR '), limit) as { id: number }[]).map((r) => r.id);
    },
    close: () => fts.close(),
    begin: () => fts.exec('begin'),
    rollback: () => fts.exec('rollback'),
    remove: (id) => void fts.prepare('delete from docs where rowid = ?').run(id),
  };
}
