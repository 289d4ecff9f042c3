// Search on real duplicate questions: for every site of ../shared/data/duplicates (Stack Exchange dumps,
// read in place, never copied), the titles of questions that moderators closed as duplicates are the
// queries and the questions they duplicate are the answers to find. Compares our engine (with and without
// learning from older duplicates) with naive lunr and SQLite FTS5 bm25. Prints figures only; it never
// fails on quality.
//
//   npm run bench:search-duplicates
//   BENCH_SITES=coffee,beer npm run bench:search-duplicates   only sites whose folder name contains one of these
//   BENCH_HALF=tuning …                                        only the sites of one half (tuning or held-out)
//   BENCH_VERBOSE=1 …                                          also every held-out query our engine misses
//   BENCH_JSON=file …                                          every query's ranks as JSON
//
// Per site, through the forum's own import path: the whole dump (Posts.xml and, beside it, PostLinks.xml)
// is imported into a fresh temporary database by `importStackExchange`. The duplicates (PostLinks LinkTypeId 3
// whose both ends are questions of the dump) are split by date. By default ("rolling") every duplicate is a
// query, searched over the forum as it stood for duplicates when it was asked: older duplicates stay in the
// forum as closed duplicates (what duplicate learning learns from); the query and every newer duplicate are
// deleted with their answers before the index is built (deleted questions are never indexed), so a query
// never finds itself. `BENCH_SPLIT=median` splits once per site instead (the older half stays, the newer
// half are the queries): half the queries, faster. The index is built by the real code (the build worker's
// `loadDocumentsInRange` + `Shard`), and the baselines index the same live questions.
//
// The sites are split before any result was looked at, alternately by folder name in alphabetical order:
// even positions are the tuning half (parameters may be chosen on them), odd positions the held-out half
// (the figures the targets are judged on).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sax from 'sax';
import { closeDatabase, openDatabase } from '../src/db/client.ts';
import { importStackExchange } from '../src/features/import/stackexchange.ts';
import { loadDocuments } from '../src/features/search/documents.ts';
import { documentTerms } from '../src/features/search/text.ts';
import { getSettings } from '../src/features/settings/service.ts';
import { fts5, loadCorpus, naiveLunr, ourEngine, type Engine } from './lib/search-engines.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DATA = path.resolve(REPO_ROOT, '..', 'shared/data/duplicates');
const VERBOSE = process.env.BENCH_VERBOSE === '1';
const SITE_FILTER = (process.env.BENCH_SITES ?? '').split(',').map((s) => s.trim()).filter(Boolean);
// A query word found in at most this share of the site's questions is "rare" (for the hardness figures).
const RARE_SHARE = 0.02;
const HALF = process.env.BENCH_HALF === 'tuning' || process.env.BENCH_HALF === 'held-out' ? process.env.BENCH_HALF : undefined;
const SPLIT = process.env.BENCH_SPLIT === 'median' ? 'median' : 'rolling';
// `related`: a second, larger yardstick from the same dumps. Queries are the titles of questions that link to
// another question of the site as related (PostLinks LinkTypeId 1), relevant answers the questions they link to;
// each query is searched with itself (and its answers) removed, every duplicate kept as imported.
const LINKS = process.env.BENCH_LINKS === 'related' ? 'related' : 'duplicates';

const RANKERS = ['ours', 'ours, no duplicate learning', 'lunr, naive', 'SQLite FTS5 bm25'] as const;
type Ranker = (typeof RANKERS)[number];

interface QueryResult {
  site: string;
  half: 'tuning' | 'held-out';
  query: string;
  duplicateSourceId: number;
  relevant: number[];
  /** A question it duplicates already has an older duplicate in the forum (what duplicate learning can use). */
  originalHasOlderDuplicate: boolean;
  sharesRareWord: boolean;
  sharesTitleWord: boolean;
  /** 1-based rank of the first relevant question in the top 10, or null, per ranker. */
  ranks: Record<Ranker, number | null>;
}

/** PostLinks.xml rows of one link type: [PostId, RelatedPostId]. */
async function readLinks(file: string, linkType: string): Promise<[number, number][]> {
  const links: [number, number][] = [];
  const parser = sax.parser(true, {});
  parser.onopentag = (node) => {
    const a = (node as sax.Tag).attributes as Record<string, string>;
    if (node.name === 'row' && a.LinkTypeId === linkType) links.push([Number(a.PostId), Number(a.RelatedPostId)]);
  };
  parser.write(fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '')).close();
  return links;
}

async function runSite(site: string, half: QueryResult['half']): Promise<{ results: QueryResult[]; questions: number; pairs: number; kept: number; seconds: number }> {
  const started = performance.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resuelto-bench-dups-'));
  const db = openDatabase(path.join(dir, 'forum.db'));
  try {
    await importStackExchange(db, path.join(DATA, site, 'Posts.xml'));
    const sqlite = db.$client;
    const rows = sqlite.prepare('select id, source_id as sourceId, created_at as createdAt, title from questions where source_site = ?').all(site) as {
      id: number;
      sourceId: number;
      createdAt: number;
      title: string;
    }[];
    const bySource = new Map(rows.map((r) => [r.sourceId, r]));
    const originalsOf = new Map<number, number[]>();
    let pairs = 0;
    for (const [dup, original] of await readLinks(path.join(DATA, site, 'PostLinks.xml'), '3')) {
      if (dup === original || !bySource.has(dup) || !bySource.has(original)) continue;
      const list = originalsOf.get(dup) ?? [];
      if (list.includes(original)) continue;
      list.push(original);
      originalsOf.set(dup, list);
      pairs += 1;
    }
    // Oldest first (ties by id).
    const duplicates = [...originalsOf.keys()].sort((a, b) => bySource.get(a)!.createdAt - bySource.get(b)!.createdAt || a - b);
    const corpusNow = loadCorpus(sqlite);
    const synonyms = getSettings(db).searchSynonyms;

    // Hardness: which query words are rare in this site, and whether the target thread holds one (over the
    // whole site: the few duplicates removed per query do not change it).
    const termsOf = (text: string) => new Set(documentTerms(text, 'en'));
    const df = new Map<string, number>();
    const threadTerms = new Map<number, Set<string>>();
    const titleTerms = new Map<number, Set<string>>();
    for (const doc of corpusNow) {
      const terms = termsOf(`${doc.title}\n${doc.body}\n${doc.answers}\n${doc.tags}`);
      threadTerms.set(doc.id, terms);
      titleTerms.set(doc.id, termsOf(doc.title));
      for (const term of terms) df.set(term, (df.get(term) ?? 0) + 1);
    }
    const rareLimit = Math.max(2, RARE_SHARE * corpusNow.length);

    // Which duplicates are queries, and for each query the duplicates removed with it (itself and every newer
    // one): "rolling" searches each duplicate over the forum as it stood, for duplicates, when it was asked;
    // "median" removes the newer half once and searches each of them over what is left.
    const relatedOf = new Map<number, number[]>();
    if (LINKS === 'related') {
      for (const [from, to] of await readLinks(path.join(DATA, site, 'PostLinks.xml'), '1')) {
        if (from === to || !bySource.has(from) || !bySource.has(to)) continue;
        const list = relatedOf.get(from) ?? [];
        if (!list.includes(to)) list.push(to);
        relatedOf.set(from, list);
      }
    }
    const rounds: { queries: number[]; removed: number[] }[] =
      LINKS === 'related'
        ? [...relatedOf.keys()].sort((a, b) => a - b).map((q) => ({ queries: [q], removed: [q] }))
        : SPLIT === 'median'
        ? [{ queries: duplicates.slice(Math.floor(duplicates.length / 2)), removed: duplicates.slice(Math.floor(duplicates.length / 2)) }]
        : duplicates.map((d, i) => ({ queries: [d], removed: duplicates.slice(i) }));
    // The indexes are built once over the whole import; each round then removes its duplicates the way the
    // forum does: ours through the live index (the change-log path: `loadDocuments` of the duplicates and
    // their originals, as they are after the removal, into `applyChanges`), FTS5 by deleting their rows
    // (rolled back after the round), naive lunr (which cannot delete) by leaving them out of its results.
    const fts = fts5(corpusNow);
    const ours = ourEngine(sqlite, synonyms);
    const oursWithout = ourEngine(sqlite, synonyms, 'ours, no duplicate learning', { duplicateLearning: false });
    const naive = naiveLunr(corpusNow);
    const touchedAll = [...new Set([...duplicates, ...[...originalsOf.values()].flat()])].map((s) => bySource.get(s)!.id);
    // What a round must bring up to date in the live indexes: in `related` mode, the question removed, the
    // originals it duplicates (their alternate titles), and what the round before removed (restored).
    let restore: number[] = [];
    const touchedFor = (removed: number[]): number[] => {
      if (LINKS !== 'related') return touchedAll;
      const now = [...new Set(removed.flatMap((s) => [s, ...(originalsOf.get(s) ?? [])]))].map((s) => bySource.get(s)!.id);
      const ids = [...new Set([...now, ...restore])];
      restore = now;
      return ids;
    };
    const results: QueryResult[] = [];
    let kept = 0;
    for (const round of rounds) {
      const removed = new Set(round.removed);
      const removedIds = new Set(round.removed.map((s) => bySource.get(s)!.id));
      const touched = touchedFor(round.removed);
      const keptDuplicates = duplicates.filter((d) => !removed.has(d));
      kept += keptDuplicates.length;
      const withOlderDuplicate = new Set(keptDuplicates.flatMap((s) => originalsOf.get(s)!));
      // Removed inside transactions rolled back after the round: the next round starts from the whole import.
      sqlite.exec('begin');
      fts.begin();
      try {
        const now = Date.now();
        const question = sqlite.prepare('update questions set deleted_at = ? where id = ?');
        const answers = sqlite.prepare('update answers set deleted_at = ? where question_id = ?');
        for (const id of removedIds) {
          question.run(now, id);
          answers.run(now, id);
          fts.remove(id);
        }
        for (const [engine, options] of [[ours, {}], [oursWithout, { duplicateLearning: false }]] as const) {
          const docs = loadDocuments(sqlite, touched, options);
          const live = new Set(docs.map((d) => d.meta.id));
          engine.index.applyChanges(docs, touched.filter((id) => !live.has(id)));
        }
        const engines: Record<Ranker, Engine> = {
          ours,
          'ours, no duplicate learning': oursWithout,
          'lunr, naive': { name: naive.name, search: (query, limit = 10) => naive.search(query, limit + removedIds.size).filter((id) => !removedIds.has(id)).slice(0, limit) },
          'SQLite FTS5 bm25': fts,
        };
        for (const dupSource of round.queries) {
          const relevantSources = (LINKS === 'related' ? relatedOf : originalsOf).get(dupSource)!.filter((s) => !removed.has(s));
          if (relevantSources.length === 0) continue; // every original is itself a newer duplicate: nothing to find
          const relevant = relevantSources.map((s) => bySource.get(s)!.id);
          const query = bySource.get(dupSource)!.title;
          const queryTerms = [...termsOf(query)];
          const ranks = {} as Record<Ranker, number | null>;
          for (const ranker of RANKERS) {
            const top = engines[ranker].search(query, 10);
            const at = top.findIndex((id) => relevant.includes(id));
            ranks[ranker] = at === -1 ? null : at + 1;
          }
          results.push({
            site,
            half,
            query,
            duplicateSourceId: dupSource,
            relevant,
            originalHasOlderDuplicate: relevantSources.some((s) => withOlderDuplicate.has(s)),
            sharesRareWord: queryTerms.some((t) => (df.get(t) ?? 0) <= rareLimit && relevant.some((id) => threadTerms.get(id)?.has(t))),
            sharesTitleWord: queryTerms.some((t) => relevant.some((id) => titleTerms.get(id)?.has(t))),
            ranks,
          });
        }
      } finally {
        fts.rollback();
        sqlite.exec('rollback');
      }
    }
    fts.close();
    kept = Math.round(kept / Math.max(1, rounds.length));
    return { results, questions: corpusNow.length, pairs, kept, seconds: (performance.now() - started) / 1000 };
  } finally {
    closeDatabase(db);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// --- figures ---------------------------------------------------------------------------------------------

const hit = (rank: number | null, k: number) => (rank !== null && rank <= k ? 1 : 0);
const reciprocal = (rank: number | null) => (rank === null ? 0 : 1 / rank);

/** Mean and standard error of the mean. */
function meanSe(values: number[]): { mean: number; se: number } {
  const n = values.length;
  if (n === 0) return { mean: NaN, se: NaN };
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const variance = n > 1 ? values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, se: Math.sqrt(variance / n) };
}

const fmt = ({ mean, se }: { mean: number; se: number }) => (Number.isNaN(mean) ? '—' : `${mean.toFixed(3)} ± ${se.toFixed(3)}`);

function metricRow(rows: QueryResult[], ranker: Ranker): string[] {
  const ranks = rows.map((r) => r.ranks[ranker]);
  return [1, 5, 10].map((k) => fmt(meanSe(ranks.map((r) => hit(r, k))))).concat(fmt(meanSe(ranks.map(reciprocal))));
}

function pooledTable(title: string, rows: QueryResult[]): void {
  console.log(`\n${title} — ${rows.length} queries over ${new Set(rows.map((r) => r.site)).size} sites (mean ± standard error)\n`);
  console.log('| ranker | recall@1 | recall@5 | recall@10 | MRR@10 |');
  console.log('|---|---|---|---|---|');
  for (const ranker of RANKERS) console.log(`| ${ranker} | ${metricRow(rows, ranker).join(' | ')} |`);
}

/** Paired difference of recall@5 between two rankers on the same queries. */
function difference(rows: QueryResult[], a: Ranker, b: Ranker): { mean: number; se: number } {
  return meanSe(rows.map((r) => hit(r.ranks[a], 5) - hit(r.ranks[b], 5)));
}

async function main(): Promise<void> {
  if (!fs.existsSync(DATA)) {
    console.error(`No duplicate data at ${DATA} (see ../shared/data/duplicates/README.md).`);
    process.exitCode = 1;
    return;
  }
  const allSites = fs
    .readdirSync(DATA)
    .filter((name) => fs.existsSync(path.join(DATA, name, 'Posts.xml')) && fs.existsSync(path.join(DATA, name, 'PostLinks.xml')))
    .sort();
  const halves = new Map(allSites.map((site, i) => [site, i % 2 === 0 ? ('tuning' as const) : ('held-out' as const)]));
  const sites = allSites.filter((site) => (SITE_FILTER.length === 0 || SITE_FILTER.some((f) => site.includes(f))) && (!HALF || halves.get(site) === HALF));
  console.log(`Search on real duplicate questions — ${new Date().toISOString()}, Node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'})`);
  console.log(LINKS === 'related' ? 'Links: related (LinkTypeId 1; each query searched with itself removed; the targets below are for duplicates and do not apply)' : `Split: ${SPLIT} (see the top of bench/search-duplicates.ts)`);
  console.log(`Tuning half: ${allSites.filter((s) => halves.get(s) === 'tuning').join(', ')}`);
  console.log(`Held-out half: ${allSites.filter((s) => halves.get(s) === 'held-out').join(', ')}\n`);

  const all: QueryResult[] = [];
  console.log('| site | half | questions | usable pairs | older duplicates kept (mean per round) | queries | of them, original has an older duplicate | ours R@5 | no dup. learning R@5 | lunr R@5 | FTS5 R@5 | time |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const site of sites) {
    const half = halves.get(site)!;
    const { results, questions, pairs, kept, seconds } = await runSite(site, half);
    all.push(...results);
    const r5 = (ranker: Ranker) => (results.length ? meanSe(results.map((r) => hit(r.ranks[ranker], 5))).mean.toFixed(2) : '—');
    console.log(
      `| ${site} | ${half} | ${questions} | ${pairs} | ${kept} | ${results.length} | ${results.filter((r) => r.originalHasOlderDuplicate).length} | ${RANKERS.map(r5).join(' | ')} | ${seconds.toFixed(1)} s |`,
    );
  }

  const heldOut = all.filter((r) => r.half === 'held-out');
  const tuning = all.filter((r) => r.half === 'tuning');
  pooledTable('Held-out half (the targets are judged here)', heldOut);
  pooledTable('Held-out half, queries whose original already has an older duplicate in the forum', heldOut.filter((r) => r.originalHasOlderDuplicate));
  pooledTable('Held-out half, the other queries', heldOut.filter((r) => !r.originalHasOlderDuplicate));
  pooledTable('Tuning half', tuning);
  pooledTable('All sites', all);

  const share = (rows: QueryResult[], keep: (r: QueryResult) => boolean) => (rows.length ? ((100 * rows.filter(keep).length) / rows.length).toFixed(0) + ' %' : '—');
  console.log(`\nHow hard: queries sharing no rare word (in ≤ ${RARE_SHARE * 100} % of the site's questions, min 2) with their target thread: ` +
    `${share(all, (r) => !r.sharesRareWord)} of all, ${share(heldOut, (r) => !r.sharesRareWord)} of held-out; sharing no word at all with the target's title: ` +
    `${share(all, (r) => !r.sharesTitleWord)} of all, ${share(heldOut, (r) => !r.sharesTitleWord)} of held-out.`);

  const withDup = heldOut.filter((r) => r.originalHasOlderDuplicate);
  const others = heldOut.filter((r) => !r.originalHasOlderDuplicate);
  const target = (label: string, d: { mean: number; se: number }, goal: number, n: number) =>
    console.log(
      `- ${label}: ${d.mean >= 0 ? '+' : ''}${d.mean.toFixed(3)} ± ${d.se.toFixed(3)} (${n} queries; target ${goal >= 0 ? '≥ +' : '≥ '}${goal.toFixed(2)}) ${d.mean >= goal ? 'PASS' : 'FAIL'}` +
        (n < 30 ? ` — only ${n} queries: the standard error is too large for this to settle anything` : ''),
    );
  console.log('\nTargets (held-out half, recall@5, paired differences ± standard error):');
  target('ours without duplicate learning − lunr naive, all queries', difference(heldOut, 'ours, no duplicate learning', 'lunr, naive'), 0.07, heldOut.length);
  target('ours − lunr naive, queries whose original has an older duplicate', difference(withDup, 'ours', 'lunr, naive'), 0.15, withDup.length);
  target('ours − ours without duplicate learning, the other queries (no loss)', difference(others, 'ours', 'ours, no duplicate learning'), 0, others.length);

  if (VERBOSE) {
    console.log('\nHeld-out queries our engine misses (no original in its top 5):');
    for (const r of heldOut.filter((x) => hit(x.ranks.ours, 5) === 0)) {
      console.log(`  [${r.site}] "${r.query}" → ${r.relevant.join(', ')}; ranks ${RANKERS.map((k) => `${k}: ${r.ranks[k] ?? '-'}`).join(', ')}`);
    }
  }
  if (process.env.BENCH_JSON) fs.writeFileSync(process.env.BENCH_JSON, JSON.stringify(all, null, 1));
}

await main();
