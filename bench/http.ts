// HTTP benchmark: the forum's pages against a bare Fastify "hello" page, each server in its own child process,
// autocannon in this one. Every row says what it sends: as autocannon comes (no headers), as a crawler, as a
// browser on a first visit (no cookies) or returning (with the cookies its first visit got), as a signed-in
// member (session cookie), search and the ask form's suggestions API; a thread read while other threads are
// answered once a second (with the page cache's hit rate); 200-connection runs; and the mixed 200-client load
// (bench/lib/mixed-load.ts). Prints figures only; it never fails on performance.
//
//   npm run bench:http                      10 s per target, 10 connections
//   BENCH_DURATION=3 npm run bench:http     a quick run
//   BENCH_CPU_PROF=1 npm run bench:http     also writes V8 CPU profiles of the forum (one per thread)
//   BENCH_SEED_FILE=../shared/data/beer.stackexchange.com/Posts.xml npm run bench:http
//                                           measures a forum filled from a Stack Exchange dump
//
// Environment: BENCH_DURATION (s, default 10), BENCH_WARMUP (s, default 3), BENCH_CONNECTIONS (default 10),
// BENCH_PROF_DIR (default: a folder under the OS temp dir), BENCH_ONLY (only targets whose name contains it),
// BENCH_LONG (s, default 60: the 200-connection rows), BENCH_MIXED (s, default 60; 0 skips the mixed load).
// With BENCH_SEED_FILE the "thread of 13 answers" rows use the dump's first thread with 13 answers (the beer dump
// has some); without it, the seeded thread of 10 answers.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { slugify } from '../src/lib/slug.ts';
import { THREAD_TITLE } from './lib/seed-thread.ts';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { memberPassword } from './lib/seed-mixed.ts';
import { questionPaths, runMixed, signIn, summarize } from './lib/mixed-load.ts';
import { machineBusyShare, machineSummary, runLoad, startServer, type LoadResult, type RunningServer, type ServerKind } from './lib/servers.ts';

interface Target {
  name: string;
  server: ServerKind;
  path: string | (() => string);
  /** Which performance target this row is judged against, if any. */
  judged?: 'home' | 'thread';
  headers?: Record<string, string>;
  /**
   * Act as a returning browser: GET the path once and send the cookies it set (CSRF secret, visitor id…)
   * on every request. Without it every request is a first visit.
   */
  returning?: boolean;
  /** Signed in as a member: the session cookie of a sign-in through the form, with the browser's headers. */
  member?: boolean;
  /** Another thread gets an answer every second while this row runs (through the API, as a member). */
  backgroundWrites?: boolean;
  connections?: number;
  /** Seconds; the long rows use BENCH_LONG. */
  long?: boolean;
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
/** What the ask form's script sends for suggestions (fetch from the page: same cookies, JSON). */
const SCRIPT: Record<string, string> = { ...BROWSER, accept: 'application/json' };
/** What Google's crawler sends: most signed-out page views of a public forum are crawlers'. */
const CRAWLER: Record<string, string> = {
  'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'accept-encoding': 'gzip, deflate, br',
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
};
const THREAD_PATH = `/questions/1/${slugify(THREAD_TITLE)}`;
/** The thread the member and background-write rows read: 13 answers in the beer dump (found at start). */
let thread13 = THREAD_PATH;
const SEARCH = '/search?q=how%20long%20does%20beer%20stay%20fresh';
const SUGGEST = '/api/v1/search/suggest?title=how%20long%20does%20beer%20stay%20fre';

// Add a target with one line. The judged rows are those of the issues: autocannon as it comes (10
// connections, no headers) on the home page and on a thread of 10 answers and 20 comments.
const TARGETS: Target[] = [
  { name: 'bare fastify /', server: 'bare', path: '/' },
  { name: 'forum home / (autocannon as is)', server: 'forum', path: '/', judged: 'home' },
  { name: 'forum home / (crawler)', server: 'forum', path: '/', headers: CRAWLER },
  { name: 'forum home / (browser, first visit: no cookies, gzip)', server: 'forum', path: '/', headers: BROWSER },
  { name: 'forum home / (browser, returning: its cookies, gzip)', server: 'forum', path: '/', headers: BROWSER, returning: true },
  { name: 'forum thread (autocannon as is)', server: 'forum', path: THREAD_PATH, judged: 'thread' },
  // The thread's own bytes (as autocannon gets them: uncompressed) from bare Fastify: the most any server can do here.
  { name: 'bare fastify, the thread page\'s bytes', server: 'bare', path: '/same-bytes' },
  { name: 'forum thread (crawler)', server: 'forum', path: THREAD_PATH, headers: CRAWLER },
  { name: 'thread of 13 answers (browser, first visit: no cookies, gzip)', server: 'forum', path: () => thread13, headers: BROWSER },
  { name: 'thread of 13 answers (browser, returning: its cookies, gzip)', server: 'forum', path: () => thread13, headers: BROWSER, returning: true },
  // The same page's bytes and headers as the returning browser gets them, from bare Fastify: that row's ceiling here.
  { name: 'bare fastify, the returning browser\'s gzip page and headers', server: 'bare', path: '/same-gzip' },
  { name: 'thread of 13 answers (signed-in member: session cookie, gzip)', server: 'forum', path: () => thread13, headers: BROWSER, member: true },
  { name: 'thread of 13 answers (browser, returning) + 1 answer/s elsewhere', server: 'forum', path: () => thread13, headers: BROWSER, returning: true, backgroundWrites: true },
  { name: 'search page (browser, returning: its cookies, gzip)', server: 'forum', path: SEARCH, headers: BROWSER, returning: true },
  { name: 'suggestions API (ask form script: cookies, gzip)', server: 'forum', path: SUGGEST, headers: SCRIPT, returning: true },
  { name: 'long: thread of 13 answers (signed-in member), 200 connections', server: 'forum', path: () => thread13, headers: BROWSER, member: true, connections: 200, long: true },
  { name: 'long: search page (browser, returning), 200 connections', server: 'forum', path: SEARCH, headers: BROWSER, returning: true, connections: 200, long: true },
];

// BENCH_ONLY=browser runs only the targets whose name contains "browser" (the bare baseline always runs).
const only = process.env.BENCH_ONLY;
// BENCH_LONG=0 skips the 200-connection rows (they would otherwise run with autocannon's default duration).
const SELECTED = TARGETS.filter((target) => (target.server === 'bare' || !only || target.name.includes(only)) && !(target.long && numberFromEnv('BENCH_LONG', 60) === 0));

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
const longSec = numberFromEnv('BENCH_LONG', 60);
const mixedSec = numberFromEnv('BENCH_MIXED', 60);
const warmupSec = numberFromEnv('BENCH_WARMUP', 3);
const connections = numberFromEnv('BENCH_CONNECTIONS', 10);
const cpuProfile = /^(1|true|yes)$/i.test(process.env.BENCH_CPU_PROF ?? '');
const profileDir = path.resolve(process.env.BENCH_PROF_DIR || path.join(os.tmpdir(), 'resuelto-bench-profiles'));
const seedFile = process.env.BENCH_SEED_FILE ? path.resolve(process.env.BENCH_SEED_FILE) : undefined;
const SEED_MODULE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lib', 'seed-mixed.ts');

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
  console.log(`Forum database: fresh; one thread of 10 answers and 20 comments, 20 members${seedFile ? `, then ${seedFile}` : ''}`);
  console.log(`Long rows: ${longSec} s at their own connections; mixed load: ${mixedSec} s\n`);

  const pageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'resuelto-bench-page-'));
  const samePageFile = path.join(pageDir, 'thread.html');
  const sameGzipFile = path.join(pageDir, 'thread-gzip.json');
  const kinds = [...new Set(SELECTED.map((target) => target.server))];
  const servers = new Map<ServerKind, RunningServer>();
  try {
    const started = await Promise.all(
      kinds.map((kind) =>
        startServer(kind, {
          nodeArgs: cpuProfile && kind === 'forum' ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
          env: kind === 'forum' ? { BENCH_FORUM_SEED: SEED_MODULE, TRUST_PROXY: 'true', ...(seedFile ? { BENCH_SEED_FILE: seedFile } : {}) } : { BENCH_BARE_PAGE_FILE: samePageFile, BENCH_BARE_GZIP_FILE: sameGzipFile },
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

    const forum = servers.get('forum');
    let memberCookie = '';
    let tokens: string[] = [];
    let questionIds: number[] = [];
    if (forum) {
      // The first thread with 13 answers (the beer dump's are the issue's "13-answer thread"), else the seeded one.
      const found = await findThread(forum.origin, 13);
      if (found) thread13 = found.path;
      console.log(`thread of 13 answers: ${found ? thread13 : `none in this database; the seeded ${THREAD_PATH} instead`}`);
      memberCookie = await signInThroughForm(forum.origin, 'load1', memberPassword(1));
      tokens = await signIn(forum.origin, [{ login: 'load2', password: memberPassword(2) }]);
      questionIds = [...(await questionPaths(forum.origin)).keys()];
      // What bare Fastify serves on /same-gzip: the 13-answer thread as a returning browser gets it.
      fs.writeFileSync(sameGzipFile, JSON.stringify(await returningGzip(forum.origin, thread13)));
    }
    const pathOf = (target: Target) => (typeof target.path === 'function' ? target.path() : target.path);

    // Each target must answer 200 before it is measured: a fast error page proves nothing.
    const headersOf = new Map<Target, Record<string, string> | undefined>();
    for (const target of SELECTED) {
      const headers = target.member ? { ...target.headers, cookie: memberCookie } : target.headers;
      const response = await fetch(servers.get(target.server)!.origin + pathOf(target), { headers });
      const body = Buffer.from(await response.arrayBuffer()).toString();
      if (response.status !== 200) throw new Error(`${target.name}: GET ${pathOf(target)} answered ${response.status}, not 200`);
      if (target.member && !body.includes('action="/signout"')) throw new Error(`${target.name}: the page is not a signed-in member's`);
      const cookies = response.headers.getSetCookie().map((header) => header.split(';')[0]);
      headersOf.set(target, target.returning && cookies.length > 0 ? { ...headers, cookie: cookies.join('; ') } : headers);
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

    const results: { target: Target; result: LoadResult; hitRate?: number }[] = [];
    for (const target of SELECTED) {
      process.stdout.write(`running ${target.name} ... `);
      const server = servers.get(target.server)!;
      const before = forum ? await forum.ask<{ pageCache: { hits: number; renders: number } }>('memory') : undefined;
      let writer: NodeJS.Timeout | undefined;
      let writes = 0;
      if (target.backgroundWrites && forum) {
        // One answer a second to another thread, as a member through the API: the thread read is not the one written.
        const others = questionIds.filter((id) => !thread13.startsWith(`/questions/${id}/`));
        writer = setInterval(() => {
          const id = others[writes++ % others.length];
          void fetch(`${forum.origin}/api/v1/questions/${id}/answers`, {
            method: 'POST',
            headers: { authorization: `Bearer ${tokens[0]}`, 'content-type': 'application/json', 'x-forwarded-for': '10.8.0.1' },
            body: JSON.stringify({ body: `Background answer ${writes}: keep the bottles upright, cold and dark.` }),
          }).then((response) => response.arrayBuffer());
        }, 1000);
      }
      const result = await runLoad({
        url: server.origin + pathOf(target),
        connections: target.connections ?? connections,
        durationSec: target.long ? longSec : durationSec,
        warmupSec,
        headers: headersOf.get(target),
        server,
      }).finally(() => clearInterval(writer));
      const after = forum ? await forum.ask<{ pageCache: { hits: number; renders: number } }>('memory') : undefined;
      const hits = before && after ? after.pageCache.hits - before.pageCache.hits : 0;
      const renders = before && after ? after.pageCache.renders - before.pageCache.renders : 0;
      const hitRate = target.server === 'forum' && !target.member && hits + renders > 0 ? hits / (hits + renders) : undefined;
      console.log(`${Math.round(result.requestsPerSec)} req/s${writer ? `, ${writes} background answers` : ''}`);
      results.push({ target, result, hitRate });
    }

    console.log();
    console.log(
      table([
        ['target', 'requests/s', 'p50 ms', 'p99 ms', 'errors', 'non-2xx', 'server CPU µs/req', 'page-cache hits'],
        ...results.map(({ target, result, hitRate }) => [
          target.name,
          result.requestsPerSec.toFixed(0),
          ms(result.p50),
          ms(result.p99),
          String(result.errors),
          String(result.non2xx),
          result.serverCpuUsPerRequest === undefined ? 'n/a' : result.serverCpuUsPerRequest.toFixed(0),
          hitRate === undefined ? '' : `${(hitRate * 100).toFixed(1)}%`,
        ]),
      ]),
    );

    // Every forum row as a share of bare Fastify; the judged rows get PASS/FAIL against their target.
    const bare = results.find(({ target }) => target.server === 'bare' && pathOf(target) === '/')?.result;
    const sameBytes = results.find(({ target }) => pathOf(target) === '/same-bytes')?.result;
    const sameGzip = results.find(({ target }) => pathOf(target) === '/same-gzip')?.result;
    if (bare && bare.requestsPerSec > 0) {
      console.log();
      for (const { target, result } of results) {
        if (target.server !== 'forum') continue;
        const ratio = result.requestsPerSec / bare.requestsPerSec;
        const verdict = target.judged ? ` — ${ratio >= TARGET_RATIO[target.judged] ? 'PASS' : 'FAIL'} (target ≥ ${TARGET_RATIO[target.judged] * 100}%)` : '';
        const cpu = result.serverCpuUsPerRequest && bare.serverCpuUsPerRequest ? `, server CPU ${(result.serverCpuUsPerRequest / bare.serverCpuUsPerRequest).toFixed(1)}× bare` : '';
        const size = result.totalRequests > 0 ? `, ${(result.bytesPerSec / result.requestsPerSec / 1024).toFixed(1)} KiB/response` : '';
        console.log(`${target.name}: ${(ratio * 100).toFixed(1)}% of bare's requests/s${verdict}${cpu}${size}`);
        if (target.returning && !target.backgroundWrites && pathOf(target) === thread13 && sameGzip && sameGzip.requestsPerSec > 0) {
          console.log(
            `  bare Fastify sending the same gzip bytes and headers: ${((sameGzip.requestsPerSec / bare.requestsPerSec) * 100).toFixed(1)}% of its hello page; ` +
              `this row is ${((result.requestsPerSec / sameGzip.requestsPerSec) * 100).toFixed(1)}% of that`,
          );
        }
        if (target.judged === 'thread' && sameBytes && sameBytes.requestsPerSec > 0) {
          console.log(
            `  bare Fastify sending the same bytes: ${((sameBytes.requestsPerSec / bare.requestsPerSec) * 100).toFixed(1)}% of its hello page; ` +
              `the forum thread is ${((result.requestsPerSec / sameBytes.requestsPerSec) * 100).toFixed(1)}% of that`,
          );
        }
      }
    }

    // The mixed load last (it writes): 200 clients, 50 % pages, 5 % API reads, 45 % writes by 20 members.
    if (forum && mixedSec > 0 && !only) {
      console.log(`\nmixed load: 200 clients for ${mixedSec} s (50 % pages as returning browsers, 5 % API reads, 45 % writes by 20 members)`);
      const members = await signIn(forum.origin, Array.from({ length: 20 }, (_, i) => ({ login: `load${i + 1}`, password: memberPassword(i + 1) })));
      const paths = await questionPaths(forum.origin);
      const mixed = await runMixed({ origin: forum.origin, clients: 200, durationSec: mixedSec, tokens: members, questionIds: [...paths.keys()], threadPath: (id) => paths.get(id)!, tag: 'router' });
      for (const line of summarize(mixed)) console.log(line);
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

/** The first question with exactly `answers` answers, through the API. */
async function findThread(origin: string, answers: number): Promise<{ path: string } | undefined> {
  for (let page = 1; page < 200; page++) {
    const list = (await (await fetch(`${origin}/api/v1/questions?sort=newest&page=${page}`)).json()) as { items: { answerCount: number; url: string }[] };
    if (list.items.length === 0) return undefined;
    const hit = list.items.find((item) => item.answerCount === answers);
    if (hit) return { path: new URL(hit.url).pathname };
  }
  return undefined;
}

/** The raw gzip body and headers of a page as a returning browser gets it (its first visit's cookies sent back). */
async function returningGzip(origin: string, pagePath: string): Promise<{ headers: Record<string, string>; body: string }> {
  const get = (cookie?: string) =>
    new Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const request = http.get(origin + pagePath, { headers: { ...BROWSER, ...(cookie ? { cookie } : {}) } }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ headers: response.headers, body: Buffer.concat(chunks) }));
      });
      request.on('error', reject);
    });
  const first = await get();
  const cookie = (first.headers['set-cookie'] ?? []).map((header) => header.split(';')[0]).join('; ');
  const again = await get(cookie);
  if (again.headers['content-encoding'] !== 'gzip') throw new Error(`${pagePath}: the returning browser's page is not gzipped`);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(again.headers)) {
    if (value === undefined || ['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'].includes(name)) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return { headers, body: again.body.toString('base64') };
}

/** Signs in through the form as a browser does (CSRF cookie and token first); returns the cookies to send. */
async function signInThroughForm(origin: string, login: string, password: string): Promise<string> {
  const cookies = new Map<string, string>();
  const keep = (response: Response) => {
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const eq = pair.indexOf('=');
      cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
  };
  const jar = () => [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  const form = await fetch(`${origin}/signin`, { headers: BROWSER });
  keep(form);
  const token = /<meta name="csrf-token" content="([^"]+)">/.exec(await form.text())?.[1] ?? '';
  const response = await fetch(`${origin}/signin`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...BROWSER, 'content-type': 'application/x-www-form-urlencoded', cookie: jar(), 'x-forwarded-for': '10.8.0.2' },
    body: new URLSearchParams({ login, password, _csrf: token }).toString(),
  });
  if (response.status !== 303) throw new Error(`sign-in through the form: ${response.status}`);
  keep(response);
  return jar();
}

await main();
