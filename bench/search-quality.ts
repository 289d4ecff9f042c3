// Search quality benchmark: the labelled queries of bench/data/search-queries.json against a fresh
// database holding the beer.stackexchange.com dump and the seed-demo threads. Compares our engine with
// two baselines on the same documents and queries, and prints recall@5 and MRR@10 overall and per
// language, then the queries our engine misses. Prints figures only; it never fails on quality.
//
//   npm run bench:search-quality
//   BENCH_VERBOSE=1 npm run bench:search-quality      also the top 5 of every missed query
//   BENCH_JSON=file npm run bench:search-quality      every query's rank per engine, as JSON (to compare two versions)
import { MIN_MATCH_SHARE } from '../src/features/search/service.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeDatabase, openDatabase } from '../src/db/client.ts';
import { demoQuestionIds, seedDemo } from '../src/features/demo/seed.ts';
import { importStackExchange } from '../src/features/import/stackexchange.ts';
import { getSettings } from '../src/features/settings/service.ts';
import { fts5, loadCorpus, naiveLunr, ourEngine } from './lib/search-engines.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BEER = path.resolve(REPO_ROOT, '..', 'shared/data/beer.stackexchange.com/Posts.xml');
const BEER_SITE = 'beer.stackexchange.com';
const QUERIES = path.join(REPO_ROOT, 'bench/data/search-queries.json');
const VERBOSE = process.env.BENCH_VERBOSE === '1';

interface LabelledQuery {
  query: string;
  lang: 'es' | 'en';
  expected: { source: 'beer'; key: number } | { source: 'seed'; key: string };
}

interface Scored {
  query: LabelledQuery;
  expectedId: number;
  /** 1-based rank in the top 10, or null. */
  rank: number | null;
  top: number[];
}

const recallAt5 = (rows: Scored[]) => rows.filter((r) => r.rank !== null && r.rank <= 5).length / rows.length;
const mrrAt10 = (rows: Scored[]) => rows.reduce((sum, r) => sum + (r.rank === null ? 0 : 1 / r.rank), 0) / rows.length;

async function main(): Promise<void> {
  if (!fs.existsSync(BEER)) {
    console.error(`No dump at ${BEER} (see ../shared/data/README.md).`);
    process.exitCode = 1;
    return;
  }
  const labelled = (JSON.parse(fs.readFileSync(QUERIES, 'utf8')) as { queries: LabelledQuery[] }).queries;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resuelto-bench-search-'));
  const db = openDatabase(path.join(dir, 'forum.db'));
  try {
    await importStackExchange(db, BEER);
    await seedDemo(db);
    const sqlite = db.$client;
    const seedIds = demoQuestionIds(db);
    const bySource = sqlite.prepare('select id from questions where source_site = ? and source_id = ?');
    const expectedId = (q: LabelledQuery): number => {
      const id = q.expected.source === 'seed' ? seedIds.get(q.expected.key) : (bySource.get(BEER_SITE, q.expected.key) as { id: number } | undefined)?.id;
      if (id === undefined) throw new Error(`Labelled query "${q.query}": no question for ${q.expected.source} ${q.expected.key}`);
      return id;
    };
    const corpus = loadCorpus(sqlite);
    const titles = new Map(corpus.map((d) => [d.id, d.title]));
    const started = performance.now();
    const oursEngine = ourEngine(sqlite, getSettings(db).searchSynonyms);
    // The engine as the search page asks it (src/features/search/service.ts): partial matches left out, the
    // query's language preferred.
    const searchPage = {
      name: `Resuelto, search page (min share ${MIN_MATCH_SHARE}, the query's language preferred)`,
      search: (query: string, lang: 'es' | 'en') => oursEngine.index.search({ query, limit: 10, minShare: MIN_MATCH_SHARE, preferLanguage: lang }).hits.map((h) => h.id),
    };
    const engines: { name: string; search: (query: string, lang: 'es' | 'en') => number[] }[] = [oursEngine, searchPage, naiveLunr(corpus), fts5(corpus)].map((engine) =>
      engine === searchPage ? searchPage : { name: engine.name, search: (query: string) => (engine as { search: (q: string) => number[] }).search(query) },
    );
    const buildSeconds = (performance.now() - started) / 1000;

    const languages = { es: labelled.filter((q) => q.lang === 'es').length, en: labelled.filter((q) => q.lang === 'en').length };
    console.log(`Search quality — ${new Date().toISOString()}`);
    console.log(`${corpus.length} questions (beer.stackexchange.com + seed-demo); ${labelled.length} labelled queries (${languages.es} es, ${languages.en} en); indexes built in ${buildSeconds.toFixed(1)} s\n`);

    const results = new Map<string, Scored[]>();
    for (const engine of engines) {
      results.set(
        engine.name,
        labelled.map((query) => {
          const top = engine.search(query.query, query.lang);
          const id = expectedId(query);
          const at = top.indexOf(id);
          return { query, expectedId: id, rank: at === -1 ? null : at + 1, top };
        }),
      );
    }

    const slices: [string, (r: Scored) => boolean][] = [
      ['all', () => true],
      ['es', (r) => r.query.lang === 'es'],
      ['en', (r) => r.query.lang === 'en'],
    ];
    const header = `| engine | ${slices.map(([name]) => `recall@5 ${name}`).join(' | ')} | ${slices.map(([name]) => `MRR@10 ${name}`).join(' | ')} |`;
    console.log(header);
    console.log(`|${header.split('|').slice(1, -1).map(() => '---').join('|')}|`);
    for (const engine of engines) {
      const rows = results.get(engine.name)!;
      const recall = slices.map(([, keep]) => recallAt5(rows.filter(keep)).toFixed(3));
      const mrr = slices.map(([, keep]) => mrrAt10(rows.filter(keep)).toFixed(3));
      console.log(`| ${engine.name} | ${recall.join(' | ')} | ${mrr.join(' | ')} |`);
    }

    if (process.env.BENCH_JSON) {
      const ranks = labelled.map((query, i) => ({ query: query.query, lang: query.lang, ranks: Object.fromEntries(engines.map((e) => [e.name, results.get(e.name)![i].rank])) }));
      fs.writeFileSync(process.env.BENCH_JSON, JSON.stringify(ranks, null, 1));
    }
    const ours = results.get(engines[0].name)!;
    const missed = ours.filter((r) => r.rank === null || r.rank > 5);
    console.log(`\nQueries our engine misses (expected question not in its top 5): ${missed.length}`);
    for (const r of missed) {
      const others = engines.slice(1).map((e) => `${e.name}: ${results.get(e.name)!.find((x) => x.query === r.query)!.rank ?? '-'}`);
      console.log(`  [${r.query.lang}] "${r.query.query}" → expected #${r.expectedId} "${titles.get(r.expectedId)}", rank ${r.rank ?? '> 10'} (${others.join(', ')})`);
      if (VERBOSE) for (const id of r.top.slice(0, 5)) console.log(`        ${id}: ${titles.get(id)}`);
    }
  } finally {
    closeDatabase(db);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
