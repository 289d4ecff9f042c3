// HTTP benchmark: the forum's home page against a bare Fastify "hello" page, each server in its own
// child process, autocannon in this one. Prints figures only; it never fails on performance.
//
//   npm run bench:http                      10 s per target, 10 connections
//   BENCH_DURATION=3 npm run bench:http     a quick run
//   BENCH_CPU_PROF=1 npm run bench:http     also writes V8 CPU profiles of the forum (one per thread)
//   BENCH_SEED_FILE=../shared/data/beer.stackexchange.com/Posts.xml npm run bench:http
//                                           measures a forum filled from a Stack Exchange dump
//
// Environment: BENCH_DURATION (s, default 10), BENCH_WARMUP (s, default 3), BENCH_CONNECTIONS (default 10),
// BENCH_PROF_DIR (default: a folder under the OS temp dir).
import os from 'node:os';
import { slugify } from '../src/lib/slug.ts';
import { THREAD_TITLE } from './lib/seed-thread.ts';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineBusyShare, machineSummary, runLoad, startServer, type LoadResult, type RunningServer, type ServerKind } from './lib/servers.ts';

interface Target {
  name: string;
  server: ServerKind;
  path: string;
  headers?: Record<string, string>;
  /**
   * Act as a returning browser: GET the path once and send the cookies it set (CSRF secret…) on every
   * request. Without it each request is a first visit, which costs the forum a new signed CSRF cookie.
   */
  returning?: boolean;
}

// Add a target with one line, e.g. { name: 'forum thread', server: 'forum', path: '/q/1/some-slug' }.
const TARGETS: Target[] = [
  { name: 'bare fastify /', server: 'bare', path: '/' },
  { name: 'forum home /', server: 'forum', path: '/' },
  { name: 'forum home / (returning)', server: 'forum', path: '/', returning: true },
  // Question 1 of bench/lib/seed-thread.ts: 10 answers and 20 comments. Target: ≥ 40% of bare.
  { name: 'forum thread (10 answers, 20 comments)', server: 'forum', path: `/questions/1/${slugify(THREAD_TITLE)}` },
];

/** The performance target: the forum's home page serves at least this share of bare Fastify's requests/s. */
const THREAD_TARGET_RATIO = 0.4;
const TARGET_RATIO = 0.5;

function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return value;
}

const durationSec = numberFromEnv('BENCH_DURATION', 10);
const warmupSec = numberFromEnv('BENCH_WARMUP', 3);
const connections = numberFromEnv('BENCH_CONNECTIONS', 10);
const cpuProfile = /^(1|true|yes)$/i.test(process.env.BENCH_CPU_PROF ?? '');
const profileDir = path.resolve(process.env.BENCH_PROF_DIR || path.join(os.tmpdir(), 'resuelto-bench-profiles'));
const seedFile = process.env.BENCH_SEED_FILE ? path.resolve(process.env.BENCH_SEED_FILE) : undefined;
const SEED_MODULE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lib', 'seed-thread.ts');

function table(rows: string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const line = (row: string[]) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

// autocannon's latency histogram counts whole milliseconds: 0 means under 1 ms.
const ms = (value: number) => (value < 1 ? '<1' : value.toFixed(0));
const mib = (kib: number | undefined) => (kib === undefined ? 'n/a' : `${(kib / 1024).toFixed(1)} MiB`);

async function main(): Promise<void> {
  console.log(`HTTP benchmark — ${new Date().toISOString()}`);
  console.log(`Machine: ${machineSummary()}`);
  console.log(`Load: autocannon, ${connections} connections, ${warmupSec} s warm-up + ${durationSec} s per target`);
  console.log(`Forum database: fresh; one thread of 10 answers and 20 comments${seedFile ? `, then ${seedFile}` : ''}\n`);

  const kinds = [...new Set(TARGETS.map((target) => target.server))];
  const servers = new Map<ServerKind, RunningServer>();
  try {
    const started = await Promise.all(
      kinds.map((kind) =>
        startServer(kind, {
          nodeArgs: cpuProfile && kind === 'forum' ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
          env: kind === 'forum' ? { BENCH_FORUM_SEED: SEED_MODULE, ...(seedFile ? { BENCH_SEED_FILE: seedFile } : {}) } : {},
          startTimeoutMs: seedFile ? 600_000 : 60_000,
        }),
      ),
    );
    for (const server of started) servers.set(server.kind, server);

    // Each target must answer 200 before it is measured: a fast error page proves nothing.
    const headersOf = new Map<Target, Record<string, string> | undefined>();
    for (const target of TARGETS) {
      const response = await fetch(servers.get(target.server)!.origin + target.path, { headers: target.headers });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`${target.name}: GET ${target.path} answered ${response.status}, not 200`);
      const cookies = response.headers.getSetCookie().map((header) => header.split(';')[0]);
      headersOf.set(target, target.returning && cookies.length > 0 ? { ...target.headers, cookie: cookies.join('; ') } : target.headers);
    }

    // Is anything else competing for the CPU? (The idle servers' own share is shown apart.)
    const serversCpu = () => [...servers.values()].reduce((sum, server) => sum + (server.cpuTimeMs() ?? 0), 0);
    const serversBefore = serversCpu();
    const busy = await machineBusyShare(1000);
    const serversShare = (serversCpu() - serversBefore) / 1000 / os.cpus().length;
    if (busy !== undefined) {
      const others = busy - serversShare;
      const warning = others > 0.1 ? ' — WARNING: something else is using the CPU, figures will be low and noisy' : '';
      console.log(`CPU busy before the run: ${(busy * 100).toFixed(0)}% of all cores (idle servers under test: ${(serversShare * 100).toFixed(0)}%)${warning}\n`);
    }

    const results: { target: Target; result: LoadResult }[] = [];
    for (const target of TARGETS) {
      process.stdout.write(`running ${target.name} ... `);
      const server = servers.get(target.server)!;
      const result = await runLoad({
        url: server.origin + target.path,
        connections,
        durationSec,
        warmupSec,
        headers: headersOf.get(target),
        server,
      });
      console.log(`${Math.round(result.requestsPerSec)} req/s`);
      results.push({ target, result });
    }

    console.log();
    console.log(
      table([
        ['target', 'requests/s', 'p50 ms', 'p99 ms', 'errors', 'non-2xx', 'server CPU µs/req'],
        ...results.map(({ target, result }) => [
          target.name,
          result.requestsPerSec.toFixed(0),
          ms(result.p50),
          ms(result.p99),
          String(result.errors),
          String(result.non2xx),
          result.serverCpuUsPerRequest === undefined ? 'n/a' : result.serverCpuUsPerRequest.toFixed(0),
        ]),
      ]),
    );

    // The target is judged on first visits (no cookies), the forum's most expensive case for the home page.
    const bare = results.find(({ target }) => target.server === 'bare' && target.path === '/')?.result;
    const home = results.find(({ target }) => target.server === 'forum' && target.path === '/' && !target.returning)?.result;
    if (bare && home && bare.requestsPerSec > 0) {
      const ratio = home.requestsPerSec / bare.requestsPerSec;
      const verdict = ratio >= TARGET_RATIO ? 'PASS' : 'FAIL';
      console.log(`\nforum home / bare: ${(ratio * 100).toFixed(1)}% of requests/s — ${verdict} (target ≥ ${TARGET_RATIO * 100}%)`);
      if (bare.serverCpuUsPerRequest && home.serverCpuUsPerRequest) {
        const times = home.serverCpuUsPerRequest / bare.serverCpuUsPerRequest;
        console.log(`server CPU per request: forum home ${home.serverCpuUsPerRequest.toFixed(0)} µs = ${times.toFixed(1)}× bare`);
      }
    }
    const thread = results.find(({ target }) => target.path.startsWith('/questions/1/'))?.result;
    if (bare && thread && bare.requestsPerSec > 0) {
      const ratio = thread.requestsPerSec / bare.requestsPerSec;
      console.log(`forum thread / bare: ${(ratio * 100).toFixed(1)}% of requests/s — ${ratio >= THREAD_TARGET_RATIO ? 'PASS' : 'FAIL'} (target ≥ ${THREAD_TARGET_RATIO * 100}%)`);
    }

    const [load1] = os.loadavg();
    // The benchmark itself keeps about two threads busy (autocannon and the server under test).
    console.log(`\nload average at the end (1 min): ${load1.toFixed(2)} on ${os.cpus().length} cores (this benchmark accounts for about 2)`);
    for (const server of servers.values()) {
      console.log(`peak RSS of ${server.kind} server (pid ${server.pid}): ${mib(server.peakRssKiB())}`);
    }
  } finally {
    await Promise.all([...servers.values()].map((server) => server.stop()));
  }
  if (cpuProfile) console.log(`\nCPU profiles of the forum (the largest is the main thread) in ${profileDir}/ — open in Chrome DevTools`);
}

await main();
