// One phase of the search benchmark, run by bench/search.ts in a fresh child process so that each phase's
// peak memory (VmHWM: the whole process, search worker and build worker threads included) is its own.
//
//   node --import tsx bench/lib/search-run.ts corpus '{"file":…,"size":…}'
//   node --import tsx bench/lib/search-run.ts build  '{"databasePath":…}'
//   node --import tsx bench/lib/search-run.ts serve  '{"databasePath":…,"queries":500,"prefixQueries":50,"freshness":10}'
//
// Prints progress on stderr and one line `RESULT {json}` on stdout.
import fs from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../../src/db/client.ts';
import { DEFAULT_SHARD_SIZE } from '../../src/features/search/build.ts';
import { SearchClient } from '../../src/features/search/client.ts';
import { searchDirFor } from '../../src/features/search/store.ts';
import type { WorkerConfig } from '../../src/features/search/worker.ts';
import { askQuestion } from '../../src/features/questions/service.ts';
import { getSettings } from '../../src/features/settings/service.ts';
import { generateCorpus, readDump, Random } from './corpus.ts';
import { prefixQueries, realisticQueries, titleQueries, type BenchQuery } from './search-queries.ts';

export function procStatusKiB(field: 'VmHWM' | 'VmRSS'): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarize(values: number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? NaN,
    mean: sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length),
  };
}

/** The app's own search configuration (src/app.ts). */
function appSearchConfig(databasePath: string): WorkerConfig {
  return { databasePath, dir: searchDirFor(databasePath), shardSize: DEFAULT_SHARD_SIZE, pollMs: 250, compactAt: 1_000 };
}

function dirBytes(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  return fs.readdirSync(dir).reduce((sum, name) => sum + fs.statSync(path.join(dir, name)).size, 0);
}

const log = (message: string) => process.stderr.write(`  ${message}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function corpus(args: { file: string; size: number }) {
  const stats = await generateCorpus(args.file, {
    size: args.size,
    onProgress: (done, total) => {
      if (done % 25_000 === 0 || done === total) log(`corpus: ${done}/${total} questions`);
    },
  });
  return { ...stats, peakRssKiB: procStatusKiB('VmHWM') };
}

async function build(args: { databasePath: string }) {
  const client = new SearchClient(appSearchConfig(args.databasePath), (level, message) => log(`[${level}] ${message}`));
  const rssBefore = procStatusKiB('VmRSS');
  const started = performance.now();
  client.start();
  const status = await client.ready(60 * 60_000);
  const buildMs = performance.now() - started;
  const rssAfter = procStatusKiB('VmRSS');
  const peak = procStatusKiB('VmHWM');
  await client.stop();
  return {
    buildMs,
    documents: status.documents,
    shards: status.shards,
    rssBeforeKiB: rssBefore,
    rssAfterKiB: rssAfter,
    peakRssKiB: peak,
    indexBytes: dirBytes(searchDirFor(args.databasePath)),
  };
}

async function timeQueries(client: SearchClient, queries: BenchQuery[], limit: number): Promise<{ ms: number[]; hits: number[] }> {
  const ms: number[] = [];
  const hits: number[] = [];
  for (const q of queries) {
    const started = performance.now();
    const result = await client.search({ query: q.query, prefix: q.prefix, limit });
    ms.push(performance.now() - started);
    hits.push(result.total);
  }
  return { ms, hits };
}

async function serve(args: { databasePath: string; queries: number; prefixQueries: number; titleQueries?: number; freshness: number }) {
  const client = new SearchClient(appSearchConfig(args.databasePath), (level, message) => log(`[${level}] ${message}`));
  const started = performance.now();
  client.start();
  const status = await client.ready(10 * 60_000);
  const loadMs = performance.now() - started;
  const rssAfterLoad = procStatusKiB('VmRSS');
  const peakAfterLoad = procStatusKiB('VmHWM');
  log(`loaded ${status.documents} questions in ${status.shards} shards in ${(loadMs / 1000).toFixed(1)} s`);

  const dump = await readDump();
  const realistic = realisticQueries(dump, args.queries);
  const prefix = prefixQueries(dump, args.prefixQueries);

  // Warm-up: JIT and caches, with queries not measured afterwards.
  await timeQueries(client, realisticQueries(dump, 40, 1234), 500);
  await timeQueries(client, prefixQueries(dump, 10, 4321), 20);

  // The search page asks for 500 ranked hits (service.ts MAX_RANKED); the ask form's suggestions for 20.
  const real = await timeQueries(client, realistic, 500);
  const pre = await timeQueries(client, prefix, 20);
  // Whole titles as queries, with the search page's limit.
  const titles = await timeQueries(client, titleQueries(dump, args.titleQueries ?? args.queries), 500);
  const byKind: Record<string, number[]> = {};
  realistic.forEach((q, i) => (byKind[q.kind] ??= []).push(real.ms[i]));
  const slowest = realistic
    .map((q, i) => ({ query: q.query, kind: q.kind, ms: Math.round(real.ms[i] * 10) / 10, total: real.hits[i] }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 8);
  const prefixSlowest = prefix
    .map((q, i) => ({ query: q.query, ms: Math.round(pre.ms[i] * 10) / 10, total: pre.hits[i] }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 5);

  // Product codes: is a question that mentions the code among the first five hits?
  const db = openDatabase(args.databasePath, { migrate: false });
  const mentions = db.$client.prepare(
    `select q.title || ' ' || q.body_md || ' ' || coalesce((select group_concat(a.body_md, ' ') from answers a where a.question_id = q.id and a.deleted_at is null), '') as text
     from questions q where q.id = ?`,
  );
  let codeQueries = 0;
  let codeFound = 0;
  for (const q of realistic.filter((x) => x.kind === 'code')) {
    codeQueries += 1;
    const result = await client.search({ query: q.query, limit: 5 });
    if (result.hits.some((hit) => ((mentions.get(hit.id) as { text: string } | undefined)?.text ?? '').includes(q.code!))) codeFound += 1;
  }

  // Freshness: ask a question with a word nobody has used, then search until it is found.
  const adminId = Number(
    db.$client
      .prepare(`insert into users (username, username_key, display_name, role, reputation, created_at) values (?, ?, 'Bench admin', 'admin', 1000, ?)`)
      .run(`bench-admin-${process.pid}`, `bench-admin-${process.pid}`, Date.now()).lastInsertRowid,
  );
  const poster = { id: adminId, role: 'admin' as const, reputation: 1000, createdAt: new Date(0) };
  const random = new Random(process.pid);
  const fresh: number[] = [];
  for (let i = 0; i < args.freshness; i++) {
    await sleep(random.int(50, 400)); // land anywhere within the change-log poll interval
    const word = `zq${Array.from({ length: 8 }, () => 'bcdfghjklmnprstvwxz'[random.int(0, 18)]).join('')}`;
    const { id } = askQuestion(
      db,
      poster,
      { title: `Freshness check ${word} for the search benchmark`, body: `This question checks how soon ${word} can be found by search after it is asked.`, tags: ['bench'] },
      getSettings(db),
    );
    const asked = performance.now();
    for (;;) {
      const result = await client.search({ query: word, limit: 5 });
      if (result.hits.some((hit) => hit.id === id)) break;
      if (performance.now() - asked > 30_000) throw new Error(`question ${id} not searchable after 30 s`);
      await sleep(10);
    }
    fresh.push(performance.now() - asked);
  }
  db.$client.close();

  const rssEnd = procStatusKiB('VmRSS');
  const peak = procStatusKiB('VmHWM');
  await client.stop();
  return {
    loadMs,
    documents: status.documents,
    shards: status.shards,
    rssAfterLoadKiB: rssAfterLoad,
    peakAfterLoadKiB: peakAfterLoad,
    rssEndKiB: rssEnd,
    peakRssKiB: peak,
    realistic: summarize(real.ms),
    realisticByKind: Object.fromEntries(Object.entries(byKind).map(([kind, values]) => [kind, summarize(values)])),
    prefix: summarize(pre.ms),
    titles: summarize(titles.ms),
    emptyResults: real.hits.filter((n) => n === 0).length,
    codeQueries,
    codeFound,
    slowest,
    prefixSlowest,
    freshness: summarize(fresh),
  };
}

const [mode, rawArgs] = process.argv.slice(2);
const phases: Record<string, (args: never) => Promise<unknown>> = { corpus, build, serve };
if (!phases[mode]) {
  console.error(`usage: search-run.ts corpus|build|serve '<json>'`);
  process.exit(2);
}
try {
  const result = await phases[mode](JSON.parse(rawArgs ?? '{}') as never);
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  process.exit(0);
} catch (error) {
  console.error(error);
  process.exit(1);
}
