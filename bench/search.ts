// Search at scale: builds a realistic corpus (bench/lib/corpus.ts) of each size and measures the search
// index lifecycle on it — full build, load after a restart, freshness, query latency through the request
// thread's SearchClient, and the forum's request p99 while a build runs. Prints figures with PASS/FAIL
// against the targets; never exits non-zero for performance.
//
//   npm run bench:search                          10,000 and 100,000 questions
//   BENCH_SIZES=10000 npm run bench:search        one size
//   BENCH_QUICK=1 npm run bench:search            quick: 10,000 only, fewer queries, 3 s HTTP runs
//
// Environment: BENCH_SIZES, BENCH_QUICK, BENCH_QUERIES (500), BENCH_PREFIX_QUERIES (50), BENCH_TITLE_QUERIES (500), BENCH_FRESHNESS (10),
// BENCH_HTTP_SECONDS (10), BENCH_HTTP_PATHS (/healthz,/questions), BENCH_CACHE (corpus cache folder,
// default <tmp>/resuelto-bench-search), BENCH_KEEP=1 (keep the work folders), BENCH_SKIP_HTTP=1.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { CORPUS_VERSION } from './lib/corpus.ts';
import type { LatencySummary } from './lib/search-run.ts';
import { startForumOn } from './lib/search-server.ts';
import { REPO_ROOT, machineBusyShare, machineSummary, runLoad, type LoadResult } from './lib/servers.ts';

const quick = /^(1|true|yes)$/i.test(process.env.BENCH_QUICK ?? '') || process.argv.includes('--quick');

function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return value;
}

const sizes = (process.env.BENCH_SIZES ?? (quick ? '10000' : '10000,100000'))
  .split(',')
  .map((s) => Number(s.trim().replace(/_/g, '')))
  .filter((n) => Number.isInteger(n) && n > 0);
const queryCount = numberFromEnv('BENCH_QUERIES', quick ? 100 : 500);
const prefixCount = numberFromEnv('BENCH_PREFIX_QUERIES', quick ? 20 : 50);
const titleCount = numberFromEnv('BENCH_TITLE_QUERIES', quick ? 100 : 500);
const freshnessCount = numberFromEnv('BENCH_FRESHNESS', quick ? 3 : 10);
const httpSeconds = numberFromEnv('BENCH_HTTP_SECONDS', quick ? 3 : 10);
const httpPaths = (process.env.BENCH_HTTP_PATHS ?? '/healthz,/questions').split(',').map((p) => p.trim()).filter(Boolean);
const cacheDir = process.env.BENCH_CACHE ?? path.join(os.tmpdir(), 'resuelto-bench-search');
const keep = /^(1|true|yes)$/i.test(process.env.BENCH_KEEP ?? '');
const skipHttp = /^(1|true|yes)$/i.test(process.env.BENCH_SKIP_HTTP ?? '');

/** The issue's targets. */
const TARGETS = {
  queryP95Ms: 50,
  rssMiB: 1536,
  loadS: 15,
  freshMs: 2000,
  /** "Unaffected": p99 during a build at most 1.5× idle, or idle + 10 ms for very small idle figures. */
  requestP99: (idle: number, during: number) => during <= Math.max(idle * 1.5, idle + 10),
};

// ---------------------------------------------------------------------------------------------------

function runPhase<T>(mode: 'corpus' | 'build' | 'serve', args: object): Promise<T> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'bench/lib/search-run.ts'), mode, JSON.stringify(args)], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const kill = () => child.kill('SIGKILL');
    process.on('exit', kill);
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (out += chunk));
    child.on('exit', (code) => {
      process.off('exit', kill);
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code === 0 && line) resolve(JSON.parse(line.slice(7)) as T);
      else reject(new Error(`${mode} phase failed (exit ${code})`));
    });
  });
}

interface CorpusResult {
  questions: number;
  answers: number;
  accepted: number;
  spanish: number;
  withCodes: number;
  bytes: number;
  seconds: number;
}
interface BuildResult {
  buildMs: number;
  documents: number;
  shards: number;
  peakRssKiB: number;
  rssAfterKiB: number;
  indexBytes: number;
}
interface ServeResult {
  loadMs: number;
  documents: number;
  rssAfterLoadKiB: number;
  peakAfterLoadKiB: number;
  rssEndKiB: number;
  peakRssKiB: number;
  realistic: LatencySummary;
  realisticByKind: Record<string, LatencySummary>;
  prefix: LatencySummary;
  /** Whole question titles as queries (absent in results of older runs). */
  titles?: LatencySummary;
  emptyResults: number;
  codeQueries: number;
  codeFound: number;
  slowest: { query: string; kind: string; ms: number; total: number }[];
  prefixSlowest: { query: string; ms: number; total: number }[];
  freshness: LatencySummary;
}
interface HttpResult {
  path: string;
  idle: LoadResult;
  during: LoadResult;
  /** Whether the build was still running when the measurement under build ended. */
  buildRunningAtEnd: boolean;
}

interface SizeResult {
  size: number;
  corpus: CorpusResult & { cached: boolean };
  build: BuildResult;
  serve: ServeResult;
  http: HttpResult[];
}

async function corpusFile(size: number): Promise<{ file: string; stats: CorpusResult; cached: boolean }> {
  fs.mkdirSync(cacheDir, { recursive: true });
  // Kept per schema too (the phases open it unmigrated): a corpus made by another checkout's migrations is not reused.
  const schema = createHash('sha256').update(fs.readFileSync(path.join(REPO_ROOT, 'migrations/meta/_journal.json'))).digest('hex').slice(0, 8);
  const file = path.join(cacheDir, `corpus-v${CORPUS_VERSION}-${schema}-${size}.db`);
  const statsFile = `${file}.json`;
  if (fs.existsSync(file) && fs.existsSync(statsFile)) return { file, stats: JSON.parse(fs.readFileSync(statsFile, 'utf8')) as CorpusResult, cached: true };
  const temporary = `${file}.${process.pid}.tmp`;
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(temporary + suffix, { force: true });
  console.log(`  generating a corpus of ${size.toLocaleString('en')} questions…`);
  const stats = await runPhase<CorpusResult>('corpus', { file: temporary, size });
  for (const suffix of ['-wal', '-shm']) fs.rmSync(temporary + suffix, { force: true });
  fs.renameSync(temporary, file);
  fs.writeFileSync(statsFile, JSON.stringify(stats));
  return { file, stats, cached: false };
}

async function waitForSearch(origin: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const response = await fetch(`${origin}/api/v1/search?q=beer`).catch(() => undefined);
    await response?.arrayBuffer();
    if (response?.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('search did not become available');
}

async function measureHttp(databasePath: string): Promise<HttpResult[]> {
  const searchDir = path.join(path.dirname(databasePath), 'search');
  const load = (origin: string, pathname: string, server: { cpuTimeMs(): number | undefined }) =>
    runLoad({ url: origin + pathname, connections: 10, durationSec: httpSeconds, warmupSec: 0, server });

  // Idle: the forum with its index loaded, nothing else running.
  const idle = new Map<string, LoadResult>();
  let server = await startForumOn(databasePath);
  try {
    await waitForSearch(server.origin, 5 * 60_000);
    for (const pathname of httpPaths) {
      await runLoad({ url: server.origin + pathname, connections: 10, durationSec: 2 }); // warm-up
      idle.set(pathname, await load(server.origin, pathname, server));
    }
  } finally {
    await server.stop();
  }

  // During a build: the same forum restarted with no index, so its search worker rebuilds every shard in
  // its build worker thread while the request thread serves pages. A fresh build for each page, and the
  // same warm-up as above, so that both figures are taken the same way.
  const results: HttpResult[] = [];
  for (const pathname of httpPaths) {
    fs.rmSync(searchDir, { recursive: true, force: true });
    server = await startForumOn(databasePath);
    try {
      await runLoad({ url: server.origin + pathname, connections: 10, durationSec: 2 }); // warm-up
      const runningAtStart = !fs.existsSync(path.join(searchDir, 'manifest.json'));
      const during = await load(server.origin, pathname, server);
      const runningAtEnd = runningAtStart && !fs.existsSync(path.join(searchDir, 'manifest.json'));
      results.push({ path: pathname, idle: idle.get(pathname)!, during, buildRunningAtEnd: runningAtEnd });
    } finally {
      await server.stop();
    }
  }
  return results;
}

async function runSize(size: number): Promise<SizeResult> {
  console.log(`\n== ${size.toLocaleString('en')} questions`);
  const corpus = await corpusFile(size);
  console.log(
    `  corpus: ${corpus.stats.questions} questions, ${corpus.stats.answers} answers, ${corpus.stats.spanish} Spanish, ${corpus.stats.withCodes} with product codes, ` +
      `${(corpus.stats.bytes / 2 ** 20).toFixed(0)} MiB of text${corpus.cached ? ' (cached)' : `, made in ${corpus.stats.seconds.toFixed(0)} s`}`,
  );
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'resuelto-bench-search-run-'));
  const databasePath = path.join(work, 'forum.db');
  fs.copyFileSync(corpus.file, databasePath);
  try {
    console.log('  build: a search worker starting on a database with no index…');
    const build = await runPhase<BuildResult>('build', { databasePath });
    console.log(`  build: ${(build.buildMs / 1000).toFixed(1)} s, peak RSS ${(build.peakRssKiB / 1024).toFixed(0)} MiB, index ${(build.indexBytes / 2 ** 20).toFixed(0)} MiB on disk`);
    console.log('  restart: loading the index in a new process, then queries and freshness…');
    const serve = await runPhase<ServeResult>('serve', { databasePath, queries: queryCount, prefixQueries: prefixCount, titleQueries: titleCount, freshness: freshnessCount });
    console.log(`  load ${(serve.loadMs / 1000).toFixed(1)} s; query p95 ${serve.realistic.p95.toFixed(1)} ms; prefix p95 ${serve.prefix.p95.toFixed(1)} ms; fresh max ${serve.freshness.max.toFixed(0)} ms`);
    let http: HttpResult[] = [];
    if (!skipHttp) {
      console.log(`  HTTP: ${httpPaths.join(', ')} for ${httpSeconds} s each, idle then while the forum rebuilds its index…`);
      http = await measureHttp(databasePath);
    }
    return { size, corpus: { ...corpus.stats, cached: corpus.cached }, build, serve, http };
  } finally {
    if (keep) console.log(`  kept ${work}`);
    else fs.rmSync(work, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------
// Report

function table(rows: string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const line = (row: string[]) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
const f1 = (n: number) => n.toFixed(1);
const f0 = (n: number) => n.toFixed(0);
const mib = (kib: number) => kib / 1024;
const httpMs = (n: number) => (n < 1 ? '<1' : f0(n));

function report(results: SizeResult[]): void {
  console.log('\n== Search at scale');
  const rows = [['questions', 'build s', 'peak RSS MiB', 'load s', 'RSS loaded MiB', 'fresh max/p50 ms', 'query p50/p95/p99 ms', 'prefix p50/p95/p99 ms', 'whole titles p50/p95/p99 ms']];
  for (const r of results) {
    const peak = Math.max(r.build.peakRssKiB, r.serve.peakRssKiB);
    rows.push([
      r.size.toLocaleString('en'),
      f1(r.build.buildMs / 1000),
      `${f0(mib(peak))} ${verdict(mib(peak) <= TARGETS.rssMiB)}`,
      `${f1(r.serve.loadMs / 1000)} ${verdict(r.serve.loadMs / 1000 <= TARGETS.loadS)}`,
      f0(mib(r.serve.rssAfterLoadKiB)),
      `${f0(r.serve.freshness.max)}/${f0(r.serve.freshness.p50)} ${verdict(r.serve.freshness.max <= TARGETS.freshMs)}`,
      `${f1(r.serve.realistic.p50)}/${f1(r.serve.realistic.p95)}/${f1(r.serve.realistic.p99)} ${verdict(r.serve.realistic.p95 <= TARGETS.queryP95Ms)}`,
      `${f1(r.serve.prefix.p50)}/${f1(r.serve.prefix.p95)}/${f1(r.serve.prefix.p99)} ${verdict(r.serve.prefix.p95 <= TARGETS.queryP95Ms)}`,
      r.serve.titles ? `${f1(r.serve.titles.p50)}/${f1(r.serve.titles.p95)}/${f1(r.serve.titles.p99)} ${verdict(r.serve.titles.p95 <= TARGETS.queryP95Ms)}` : '—',
    ]);
  }
  console.log(table(rows));

  const httpRows = [['questions', 'page', 'p99 idle ms', 'p99 during build ms', 'req/s idle', 'req/s build', 'errors', 'verdict']];
  for (const r of results) {
    for (const h of r.http) {
      httpRows.push([
        r.size.toLocaleString('en'),
        h.path + (h.buildRunningAtEnd ? '' : ' (build ended early)'),
        httpMs(h.idle.p99),
        httpMs(h.during.p99),
        f0(h.idle.requestsPerSec),
        f0(h.during.requestsPerSec),
        String(h.idle.errors + h.during.errors + h.idle.non2xx + h.during.non2xx),
        verdict(TARGETS.requestP99(h.idle.p99, h.during.p99)),
      ]);
    }
  }
  if (httpRows.length > 1) {
    console.log('\nRequest latency, idle vs while a full build runs (autocannon, 10 connections, loopback):');
    console.log(table(httpRows));
  }

  console.log('\nDetails:');
  for (const r of results) {
    const s = r.serve;
    console.log(`  ${r.size.toLocaleString('en')}: ${r.build.documents} documents in ${r.build.shards} shards, index ${f0(r.build.indexBytes / 2 ** 20)} MiB on disk;` +
      ` RSS after build ${f0(mib(r.build.rssAfterKiB))} MiB, after load ${f0(mib(s.rssAfterLoadKiB))} MiB, after queries ${f0(mib(s.rssEndKiB))} MiB (peak while serving ${f0(mib(s.peakRssKiB))} MiB)`);
    console.log(`    p95 by kind: ${Object.entries(s.realisticByKind).map(([kind, v]) => `${kind} ${f1(v.p95)} ms (n=${v.count})`).join(', ')}; ${s.emptyResults} queries found nothing; product codes found in the top 5: ${s.codeFound}/${s.codeQueries}`);
    console.log(`    slowest: ${s.slowest.slice(0, 5).map((q) => `"${q.query}" ${q.ms} ms (${q.total} hits)`).join('; ')}`);
    console.log(`    slowest prefix: ${s.prefixSlowest.slice(0, 3).map((q) => `"${q.query}" ${q.ms} ms`).join('; ')}`);
  }
  console.log(`\nTargets: query p95 ≤ ${TARGETS.queryP95Ms} ms, RSS ≤ ${TARGETS.rssMiB} MiB, load after restart ≤ ${TARGETS.loadS} s, fresh ≤ ${TARGETS.freshMs} ms, request p99 during a build ≤ max(1.5 × idle, idle + 10 ms).`);
}

async function main(): Promise<void> {
  console.log(`Search benchmark — ${new Date().toISOString()}${quick ? ' (quick)' : ''}`);
  console.log(`Machine: ${machineSummary()}`);
  const busy = await machineBusyShare(1000);
  if (busy !== undefined) console.log(`Machine busy before the run: ${(busy * 100).toFixed(0)} % of all cores${busy > 0.25 ? ' (other work is running: figures are pessimistic)' : ''}`);
  console.log(`Sizes: ${sizes.join(', ')}; ${queryCount} queries + ${prefixCount} prefix queries, ${freshnessCount} freshness checks, HTTP ${httpSeconds} s per page`);
  const results: SizeResult[] = [];
  for (const size of sizes) {
    try {
      results.push(await runSize(size));
    } catch (error) {
      console.error(`  ${size}: ${(error as Error).stack ?? error}`);
    }
  }
  if (results.length) report(results);
  if (process.env.BENCH_JSON) fs.writeFileSync(process.env.BENCH_JSON, JSON.stringify(results, null, 1));
}

await main();
