// Staff desk benchmark: the desk page (GET /staff/desk, signed in as staff, first page of 50, oldest first)
// on a forum of 100,000 questions of which 5,000 wait for a first answer (and, of the answered ones, a share
// with nothing accepted for more than the stale window, so that both halves of the desk's query have rows).
// Load: autocannon on 127.0.0.1 against the server in this same process (one Node process for both: the
// figures are a floor for what a separate server does). p95 is computed from every response's own time.
//
// Prints figures only; never fails on performance.
//   node --import tsx bench/desk.ts
//   BENCH_QUESTIONS=20000 BENCH_OPEN=1000 BENCH_SECONDS=5 node --import tsx bench/desk.ts     smaller, quicker
// Then it times the first-response alert loop (src/features/desk/breaches.ts) over the same waiting questions:
// its first pass (every waiting question past its target gets its desk_alerts row) and a pass with nothing due.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { closeDatabase, openDatabase } from '../src/db/client.ts';
import { createSession } from '../src/features/accounts/sessions.ts';
import { registerUser, setRole } from '../src/features/accounts/service.ts';

const num = (name: string, fallback: number) => {
  const raw = process.env[name];
  const value = raw ? Number(raw.replace(/_/g, '')) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive whole number`);
  return value;
};
const QUESTIONS = num('BENCH_QUESTIONS', 100_000);
const OPEN = num('BENCH_OPEN', 5_000);
// BENCH_DURATION is the name the HTTP bench uses; either works.
const SECONDS = num(process.env.BENCH_DURATION ? 'BENCH_DURATION' : 'BENCH_SECONDS', 10);
const CONNECTIONS = num('BENCH_CONNECTIONS', 10);
const STALE_SHARE = 0.02;

/** The part of autocannon this bench uses (autocannon ships no types). */
interface Instance {
  on(event: 'response', listener: (client: unknown, status: number, bytes: number, responseTime: number) => void): void;
}
interface Result {
  requests: { average: number };
  non2xx: number;
  errors: number;
}
type Autocannon = (options: Record<string, unknown>, done: (error: Error | null, result: Result) => void) => Instance;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resuelto-bench-desk-'));
  const config = loadConfig({ NODE_ENV: 'production', DATABASE_PATH: path.join(dir, 'forum.db'), LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: '0' });
  const db = openDatabase(config.databasePath);
  const staff = await registerUser(db, { username: 'deskbench', email: 'deskbench@example.com', password: 'correct horse battery staple 42' });
  setRole(db, 'deskbench', 'staff');

  // Seeding straight in SQL: the rows a forum of this size holds in the columns the desk reads.
  const seedStart = performance.now();
  const now = Date.now();
  const insert = db.$client.prepare(
    `insert into questions (author_id, title, slug, body_md, body_html, language, answer_count, accepted_answer_id, created_at, last_activity_at)
     values (?, ?, ?, 'A body.', '<p>A body.</p>', ?, ?, ?, ?, ?)`,
  );
  db.$client.transaction(() => {
    // Open questions are spread over the newest part; answered ones over two years; a share of those has nothing accepted.
    const openEvery = Math.floor(QUESTIONS / OPEN);
    for (let i = 0; i < QUESTIONS; i++) {
      const createdAt = now - (QUESTIONS - i) * 600_000;
      const open = i % openEvery === 0;
      const stale = !open && Math.random() < STALE_SHARE;
      insert.run(staff.id, `Question number ${i} about a kettle`, `question-number-${i}`, i % 3 === 0 ? 'es' : 'en', open ? 0 : 1, open || stale ? null : 1, createdAt, createdAt);
    }
  })();
  const seedMs = performance.now() - seedStart;

  const app = await buildApp(config, { db });
  app.deskAlerts.pause(); // timed on its own below, not during the load
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const { token } = createSession(db, staff.id, 'cookie', app.settings());
  const headers = { cookie: `resuelto_session=${token}`, 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 bench', 'accept-encoding': 'identity' };
  const check = await fetch(`${address}/staff/desk`, { headers });
  const body = await check.text();
  if (check.status !== 200 || !body.includes('data-clock')) throw new Error(`desk page answered ${check.status}`);
  const onDesk = ((await (await fetch(`${address}/api/v1/desk`, { headers })).json()) as { total: number }).total;

  const times: number[] = [];
  const run = (duration: number, record: boolean) =>
    new Promise<Result>((resolve, reject) => {
      const instance = autocannon({ url: `${address}/staff/desk`, connections: CONNECTIONS, duration, headers }, (error, result) => (error ? reject(error) : resolve(result)));
      if (record) instance.on('response', (_client, _status, _bytes, responseTime) => times.push(responseTime));
    });
  await run(2, false); // warm-up
  const result = await run(SECONDS, true);
  times.sort((a, b) => a - b);

  console.log(`Desk benchmark: ${QUESTIONS.toLocaleString('en')} questions, ${OPEN.toLocaleString('en')} waiting for a first answer (about ${STALE_SHARE * 100} % of answered ones with nothing accepted); seeded in ${(seedMs / 1000).toFixed(1)} s`);
  console.log(`Node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`Questions on the desk: ${onDesk.toLocaleString('en')}; page size ${Buffer.byteLength(body)} bytes`);
  console.log(`Load: autocannon, ${CONNECTIONS} connections, 2 s warm-up + ${SECONDS} s, server in the same process, 127.0.0.1`);
  console.log(`GET /staff/desk (staff, first page of 50): ${result.requests.average.toFixed(1)} req/s, ${result.non2xx} non-2xx, ${result.errors} errors`);
  console.log(`  latency p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${percentile(times, 95).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms (${times.length} responses)`);

  // The alert loop, timed after the load (one pass at a time, as the server runs it). The seeded open questions
  // span two years: nearly all are far past a 24 h target, and those asked over 7 days ago are recorded without
  // a mail (ALERT_TOO_LATE_MS); the newest few go through alertStaff (the bench's staff member has no confirmed
  // address, so no outbox row is written).
  const first = performance.now();
  const pass = app.deskAlerts.run();
  const firstMs = performance.now() - first;
  const steadyTimes: number[] = [];
  for (let i = 0; i < 5; i++) {
    const at = performance.now();
    app.deskAlerts.run();
    steadyTimes.push(performance.now() - at);
  }
  steadyTimes.sort((a, b) => a - b);
  console.log(`Breach alert loop over ${OPEN.toLocaleString('en')} waiting questions: first pass ${firstMs.toFixed(1)} ms (${pass.breached} breached and ${pass.close} about to breach alerted, ${pass.silent} recorded without a mail; at most 200 mailed per pass), pass with nothing new due: median ${steadyTimes[2].toFixed(1)} ms of 5`);

  await app.close();
  closeDatabase(db);
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
