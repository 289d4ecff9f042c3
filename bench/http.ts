// HTTP benchmark: the forum's home page and a thread page against a bare Fastify "hello" page, each server in
// its own child process, autocannon in this one: as autocannon comes (no headers: what the targets are judged
// on) and as a browser (user agent, languages, gzip; first visit and returning). Prints figures only; it never
// fails on performance.
//
//   npm run bench:http                      10 s per target, 10 connections
//   BENCH_DURATION=3 npm run bench:http     a quick run
//   BENCH_CPU_PROF=1 npm run bench:http     also writes V8 CPU profiles of the forum (one per thread)
//   BENCH_SEED_FILE=../shared/data/beer.stackexchange.com/Posts.xml npm run bench:http
//                                           measures a forum filled from a Stack Exchange dump
//
// Environment: BENCH_DURATION (s, default 10), BENCH_WARMUP (s, default 3), BENCH_CONNECTIONS (default 10),
// BENCH_PROF_DIR (default: a folder under the OS temp dir), BENCH_ONLY (only targets whose name contains it).
import fs from 'node:fs';
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
  /** Which performance target this row is judged against, if any. */
  judged?: 'home' | 'thread';
  headers?: Record<string, string>;
  /**
   * Act as a returning browser: GET the path once and send the cookies it set (CSRF secret, visitor id…)
   * on every request. Without it every request is a first visit.
   */
  returning?: boolean;
}

/**
 * What a browser sends (Chromium 131 on Linux): a user agent, its languages, and the encodings it accepts.
 * autocannon alone sends none of these, which the forum takes for a crawler (no user agent): no visitor or
 * CSRF cookie, and the page uncompressed.
 */
const BROWSER: Record<string, string> = {
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'accept-language': 'es-ES,es;q=0.9,en;q=0.8',
  'accept-encoding': 'gzip, deflate, br, zstd',
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
};
/** What Google's crawler sends: most signed-out page views of a public forum are crawlers'. */
const CRAWLER: Record<string, string> = {
  'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'accept-encoding': 'gzip, deflate, br',
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
};
const THREAD_PATH = `/questions/1/${slugify(THREAD_TITLE)}`;

// Add a target with one line. The judged rows are those of the issues: autocannon as it comes (10
// connections, no headers) on the home page and on a thread of 10 answers and 20 comments.
const TARGETS: Target[] = [
  { name: 'bare fastify /', server: 'bare', path: '/' },
  { name: 'forum home / (autocannon as is)', server: 'forum', path: '/', judged: 'home' },
  { name: 'forum home / (crawler)', server: 'forum', path: '/', headers: CRAWLER },
  { name: 'forum home / (browser, first visit)', server: 'forum', path: '/', headers: BROWSER },
  { name: 'forum home / (browser, returning)', server: 'forum', path: '/', headers: BROWSER, returning: true },
  { name: 'forum thread (autocannon as is)', server: 'forum', path: THREAD_PATH, judged: 'thread' },
  // The thread's own bytes (as autocannon gets them: uncompressed) from bare Fastify: the most any server can do here.
  { name: 'bare fastify, the thread page\'s bytes', server: 'bare', path: '/same-bytes' },
  { name: 'forum thread (crawler)', server: 'forum', path: THREAD_PATH, headers: CRAWLER },
  { name: 'forum thread (browser, first visit)', server: 'forum', path: THREAD_PATH, headers: BROWSER },
  { name: 'forum thread (browser, returning)', server: 'forum', path: THREAD_PATH, headers: BROWSER, returning: true },
];

// BENCH_ONLY=browser runs only the targets whose name contains "browser" (the bare baseline always runs).
const only = process.env.BENCH_ONLY;
const SELECTED = TARGETS.filter((target) => target.server === 'bare' || !only || target.name.includes(only));

/** The performance targets: share of bare Fastify's requests/s. */
const TARGET_RATIO: Record<'home' | 'thread', number> = { home: 0.5, thread: 0.4 };

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

  const pageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'resuelto-bench-page-'));
  const samePageFile = path.join(pageDir, 'thread.html');
  const kinds = [...new Set(SELECTED.map((target) => target.server))];
  const servers = new Map<ServerKind, RunningServer>();
  try {
    const started = await Promise.all(
      kinds.map((kind) =>
        startServer(kind, {
          nodeArgs: cpuProfile && kind === 'forum' ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
          env: kind === 'forum' ? { BENCH_FORUM_SEED: SEED_MODULE, ...(seedFile ? { BENCH_SEED_FILE: seedFile } : {}) } : { BENCH_BARE_PAGE_FILE: samePageFile },
          startTimeoutMs: seedFile ? 600_000 : 60_000,
        }),
      ),
    );
    for (const server of started) servers.set(server.kind, server);

    // What bare Fastify serves on /same-bytes: the forum's thread page as autocannon gets it.
    if (servers.has('forum')) {
      const thread = await fetch(servers.get('forum')!.origin + THREAD_PATH);
      fs.writeFileSync(samePageFile, Buffer.from(await thread.arrayBuffer()));
    }

    // Each target must answer 200 before it is measured: a fast error page proves nothing.
    const headersOf = new Map<Target, Record<string, string> | undefined>();
    for (const target of SELECTED) {
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
    for (const target of SELECTED) {
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

    // Every forum row as a share of bare Fastify; the judged rows get PASS/FAIL against their target.
    const bare = results.find(({ target }) => target.server === 'bare' && target.path === '/')?.result;
    const sameBytes = results.find(({ target }) => target.path === '/same-bytes')?.result;
    if (bare && bare.requestsPerSec > 0) {
      console.log();
      for (const { target, result } of results) {
        if (target.server !== 'forum') continue;
        const ratio = result.requestsPerSec / bare.requestsPerSec;
        const verdict = target.judged ? ` — ${ratio >= TARGET_RATIO[target.judged] ? 'PASS' : 'FAIL'} (target ≥ ${TARGET_RATIO[target.judged] * 100}%)` : '';
        const cpu = result.serverCpuUsPerRequest && bare.serverCpuUsPerRequest ? `, server CPU ${(result.serverCpuUsPerRequest / bare.serverCpuUsPerRequest).toFixed(1)}× bare` : '';
        const size = result.totalRequests > 0 ? `, ${(result.bytesPerSec / result.requestsPerSec / 1024).toFixed(1)} KiB/response` : '';
        console.log(`${target.name}: ${(ratio * 100).toFixed(1)}% of bare's requests/s${verdict}${cpu}${size}`);
        if (target.judged === 'thread' && sameBytes && sameBytes.requestsPerSec > 0) {
          console.log(
            `  bare Fastify sending the same bytes: ${((sameBytes.requestsPerSec / bare.requestsPerSec) * 100).toFixed(1)}% of its hello page; ` +
              `the forum thread is ${((result.requestsPerSec / sameBytes.requestsPerSec) * 100).toFixed(1)}% of that`,
          );
        }
      }
    }

    const [load1] = os.loadavg();
    // The benchmark itself keeps about two threads busy (autocannon and the server under test).
    console.log(`\nload average at the end (1 min): ${load1.toFixed(2)} on ${os.cpus().length} cores (this benchmark accounts for about 2)`);
    for (const server of servers.values()) {
      console.log(`peak RSS of ${server.kind} server (pid ${server.pid}): ${mib(server.peakRssKiB())}`);
    }
  } finally {
    await Promise.all([...servers.values()].map((server) => server.stop()));
    fs.rmSync(pageDir, { recursive: true, force: true });
  }
  if (cpuProfile) console.log(`\nCPU profiles of the forum (the largest is the main thread) in ${profileDir}/ — open in Chrome DevTools`);
}

await main();
