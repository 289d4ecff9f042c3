// Deflection report benchmark: a temporary forum of 100,000 questions (with answers, accepted answers, staff
// answers and tags) and 1,000,000 visitor events over 90 days, made of realistic journeys (many visitors,
// searches with and without results, clicks, reads, some "solved", some asking or contacting support
// later, signed-in members linked to their visitor), then deflectionReport() for the 90 days:
//
//   cold: no rollups at all (the first report ever: every day read from raw events, finished days stored);
//   warm: rollups present (what every later report does: only the provisional days read raw events).
//
// Each timing runs in its own process, so that its peak RSS is its own. Prints figures and PASS/FAIL
// against the 500 ms target for the warm report; never exits non-zero for performance.
//
//   npm run bench:deflection
//   BENCH_EVENTS=100000 BENCH_QUESTIONS=10000 npm run bench:deflection     smaller, quicker
//   BENCH_WINDOW_HOURS=720 npm run bench:deflection                        another W (default 72)
//   BENCH_KEEP=1 keeps the temporary database; BENCH_DB=<file> times a kept one again; BENCH_RUNS (7) warm runs.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeDatabase, openDatabase, type Db } from '../src/db/client.ts';
import { deflectionReport } from '../src/features/deflection/service.ts';
import { defaultSettings } from '../src/features/settings/service.ts';
import type { Settings } from '../src/features/settings/definitions.ts';

const SCRIPT = fileURLToPath(import.meta.url);
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const TARGET_MS = 500;

function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw.replace(/_/g, ''));
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}

const QUESTIONS = numberFromEnv('BENCH_QUESTIONS', 100_000);
const EVENTS = numberFromEnv('BENCH_EVENTS', 1_000_000);
const DAYS = numberFromEnv('BENCH_DAYS', 90);
const WINDOW_HOURS = numberFromEnv('BENCH_WINDOW_HOURS', 72);
const RUNS = numberFromEnv('BENCH_RUNS', 7);
const KEEP = /^(1|true|yes)$/i.test(process.env.BENCH_KEEP ?? '');
const REUSE = process.env.BENCH_DB;

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dayStart = (date: string) => Date.parse(`${date}T00:00:00.000Z`);
const mib = (kib: number) => `${Math.round(kib / 1024)} MiB`;
const peakRssKiB = () => process.resourceUsage().maxRSS;

function settingsFor(windowHours: number): Settings {
  return { ...defaultSettings(), deflectionWindowHours: windowHours };
}

// ---------------------------------------------------------------------------------------------------
// Data

/** mulberry32: a small seeded generator, so every run builds the same forum. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['router', 'wifi', 'factura', 'invoice', 'modem', 'password', 'contraseña', 'roaming', 'apn', 'fibra', 'refund', 'reembolso', 'sim', 'pin', 'puk', 'tv', 'decoder', 'bill', 'login', 'app', 'update', 'error', 'slow', 'lento', 'cobertura', 'signal', 'email', 'cancel', 'baja', 'portabilidad'];

interface Generated {
  events: number;
  visitors: number;
  linkedVisitors: number;
  recentQuestions: number;
  answers: number;
  kinds: Record<string, number>;
}

function generate(db: Db, now: number, periodFrom: number): Generated {
  const random = rng(20_261_123);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
  const chance = (p: number) => random() < p;
  const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const sql = db.$client;

  // People: members (some of them linked to a visitor cookie) and a few staff who answer.
  const MEMBERS = 20_000;
  const STAFF = 25;
  const insertUser = sql.prepare("insert into users (id, username, username_key, display_name, role, created_at) values (?, ?, ?, ?, ?, ?)");
  sql.transaction(() => {
    for (let id = 1; id <= MEMBERS + STAFF; id++) {
      const name = `${id <= MEMBERS ? 'member' : 'staff'}${id}`;
      insertUser.run(id, name, name, name, id <= MEMBERS ? 'member' : 'staff', now - 3 * 365 * DAY_MS);
    }
  })();
  const staffId = () => MEMBERS + between(1, STAFF);
  const memberId = () => between(1, MEMBERS);

  // Questions asked during the period come from the journeys below (question_posted); the rest are older.
  // About one event in a hundred is a question posted (≈ 10,000 of the 100,000 questions are asked in the 90 days).
  const recentTarget = Math.min(Math.round(QUESTIONS * 0.4), Math.round(EVENTS * 0.01));
  const oldCount = QUESTIONS - recentTarget;
  const recentCreated = new Float64Array(recentTarget).fill(-1);
  let nextRecent = 0;

  /** Threads people land on: mostly popular old ones, sometimes a recent one. */
  const popularQuestion = () => (chance(0.9) || nextRecent === 0 ? 1 + Math.floor(oldCount * random() ** 2.5) : oldCount + 1 + Math.floor(random() * nextRecent));

  // Visitors: a pool with returning visitors; some are members who sign in (their visitor gets linked).
  const VISITORS = Math.max(1_000, Math.round(EVENTS / 7));
  const visitorIds: string[] = [];
  const linkedTo = new Int32Array(VISITORS);
  const insertLink = sql.prepare('insert into visitor_links (visitor_id, user_id, linked_at) values (?, ?, ?)');
  let linkedVisitors = 0;
  sql.transaction(() => {
    for (let i = 0; i < VISITORS; i++) {
      visitorIds.push(`v${i.toString(36).padStart(21, '0')}`);
      if (chance(0.08)) {
        linkedTo[i] = memberId();
        linkedVisitors++;
        insertLink.run(visitorIds[i], linkedTo[i], periodFrom - between(0, 400) * DAY_MS);
      }
    }
  })();
  const pickVisitor = () => Math.floor(VISITORS * random() ** 1.6);

  // Journeys are made in any order; the events go in by time, as the recorder writes them (ids follow time).
  type Row = [at: number, kind: string, visitor: number, userId: number | null, questionId: number | null, query: string | null, resultCount: number | null, rank: number | null];
  const all: Row[] = [];
  const kinds: Record<string, number> = {};
  const journey: [number, string, number | null, string | null, number | null, number | null][] = [];

  const flushJourney = (visitor: number, signedIn: boolean) => {
    for (const [at, kind, questionId, query, resultCount, rank] of journey) {
      if (all.length >= EVENTS || at > now) continue;
      all.push([at, kind, visitor, signedIn ? linkedTo[visitor] : null, questionId, query, resultCount, rank]);
      kinds[kind] = (kinds[kind] ?? 0) + 1;
    }
    journey.length = 0;
  };

  const asks = (start: number, at: number, later: boolean) => {
    // Asking now (at), or coming back later (hours or days after), as a question or a support contact.
    const when = later ? start + between(2, 120) * HOUR_MS : at + between(60, 900) * 1000;
    if (chance(0.7)) {
      let id: number;
      if (nextRecent < recentTarget) {
        recentCreated[nextRecent] = Math.min(when, now);
        id = oldCount + 1 + nextRecent++;
      } else id = oldCount + 1 + Math.floor(random() * recentTarget);
      journey.push([when, 'question_posted', id, null, null, null]);
      journey.push([when + 500, 'thread_view', id, null, null, null]);
    } else journey.push([when, 'contact_support', null, null, null, null]);
  };

  /** Reading a thread after landing on it; sometimes feedback, sometimes asking anyway. */
  const read = (t: number, questionId: number) => {
    journey.push([t, 'thread_view', questionId, null, null, null]);
    let at = t;
    if (chance(0.55)) journey.push([(at += between(15, 300) * 1000), 'thread_read', questionId, null, null, null]);
    if (chance(0.09)) journey.push([(at += between(5, 120) * 1000), 'solved', questionId, null, null, null]);
    else if (chance(0.04)) journey.push([(at += between(5, 120) * 1000), 'not_solved', questionId, null, null, null]);
    return at;
  };

  const span = now - periodFrom;
  while (all.length < EVENTS) {
    const visitor = pickVisitor();
    const signedIn = linkedTo[visitor] !== 0 && chance(0.5);
    const start = periodFrom + Math.floor(random() * span);
    let at = start;
    const style = random();
    if (style < 0.55) {
      // Search first.
      const query = Array.from({ length: between(1, 3) }, () => pick(WORDS)).join(' ');
      const results = chance(0.1) ? 0 : between(1, 200);
      journey.push([at, 'search', null, query, results, null]);
      if (results > 0 && chance(0.65)) {
        const clicks = chance(0.2) ? 2 : 1;
        for (let c = 0; c < clicks; c++) {
          const questionId = popularQuestion();
          journey.push([(at += between(5, 120) * 1000), 'result_click', questionId, query, null, between(1, 10)]);
          at = read(at + 400, questionId);
        }
      } else if (results === 0 && chance(0.3)) {
        journey.push([(at += between(10, 60) * 1000), 'ask_started', null, null, null, null]);
        if (chance(0.5)) journey.push([(at += 2000), 'suggestions_shown', null, query, null, null]);
        if (chance(0.3)) asks(start, at, false);
        else if (chance(0.5)) journey.push([(at += between(30, 600) * 1000), 'ask_abandoned', null, null, null, null]);
      }
    } else if (style < 0.94) {
      // Straight to a thread from a search engine.
      at = read(at, popularQuestion());
      if (chance(0.03)) journey.push([(at += between(10, 120) * 1000), 'contact_support', null, null, null, null]);
    } else {
      // Straight to the ask form.
      journey.push([at, 'ask_started', null, null, null, null]);
      if (chance(0.7)) {
        journey.push([(at += between(5, 40) * 1000), 'suggestions_shown', null, pick(WORDS), null, null]);
        if (chance(0.25)) {
          const questionId = popularQuestion();
          journey.push([(at += between(5, 60) * 1000), 'suggestion_click', questionId, null, null, between(1, 5)]);
          at = read(at + 400, questionId);
        }
      }
      if (chance(0.3)) asks(start, at, false);
      else if (chance(0.5)) journey.push([(at += between(30, 600) * 1000), 'ask_abandoned', null, null, null, null]);
    }
    // Some come back later and ask after all (a failed deflection, or a cancelled credit).
    if (chance(0.02)) asks(start, at, true);
    flushJourney(visitor, signedIn);
  }
  all.sort((a, b) => a[0] - b[0]);
  const insertEvent = sql.prepare('insert into deflection_events (at, kind, visitor_id, user_id, question_id, query, result_count, rank, variant) values (?, ?, ?, ?, ?, ?, ?, ?, null)');
  const insertBatch = sql.transaction((batch: Row[]) => {
    for (const [at, kind, visitor, userId, questionId, query, resultCount, rank] of batch) insertEvent.run(at, kind, visitorIds[visitor], userId, questionId, query, resultCount, rank);
  });
  for (let i = 0; i < all.length; i += 50_000) insertBatch(all.slice(i, i + 50_000));
  const events = all.length;
  all.length = 0;

  // Questions: older ones over three years before the period, recent ones when the journeys asked them.
  const insertQuestion = sql.prepare(
    'insert into questions (id, author_id, title, slug, body_md, body_html, score, answer_count, accepted_answer_id, accepted_at, created_at, last_activity_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const insertAnswer = sql.prepare('insert into answers (id, question_id, author_id, body_md, body_html, score, created_at) values (?, ?, ?, ?, ?, ?, ?)');
  const insertTag = sql.prepare('insert into tags (id, name, question_count) values (?, ?, 0)');
  const insertQuestionTag = sql.prepare('insert or ignore into question_tags (question_id, tag_id) values (?, ?)');
  const TAGS = 80;
  /** Post text of about `length` characters: rows as big as real ones, for what reading them costs. */
  const text = (length: number) => {
    let out = '';
    while (out.length < length) out += `${pick(WORDS)} `;
    return out.slice(0, length);
  };
  let answerId = 0;
  sql.transaction(() => {
    for (let id = 1; id <= TAGS; id++) insertTag.run(id, `tag${id}`);
    for (let id = 1; id <= QUESTIONS; id++) {
      const recent = id > oldCount;
      let created = recent ? recentCreated[id - oldCount - 1] : periodFrom - 3 * 365 * DAY_MS + Math.floor(((id - 1) / oldCount) * 3 * 365 * DAY_MS);
      if (recent && created < 0) created = periodFrom + Math.floor(random() * span); // asked without a tracked journey
      const answered = chance(recent ? 0.65 : 0.78);
      const answers: { id: number; author: number; score: number; at: number }[] = [];
      if (answered) {
        let at = created + between(5, 3 * 24 * 60) * 60_000;
        for (let n = between(1, 3); n > 0; n--) {
          answers.push({ id: ++answerId, author: chance(0.15) ? staffId() : memberId(), score: chance(0.4) ? between(1, 20) : between(-1, 0), at });
          at += between(10, 24 * 60) * 60_000;
        }
      }
      const accepted = answers.length > 0 && chance(0.55) ? pick(answers) : null;
      const acceptedAt = accepted ? accepted.at + between(10, 5 * 24 * 60) * 60_000 : null;
      const score = between(-1, 30);
      const body = text(between(300, 2500));
      insertQuestion.run(id, memberId(), `Question ${id}: ${text(between(20, 100))}`, `question-${id}`, body, `<p>${body}</p>`, score, answers.length, accepted?.id ?? null, acceptedAt, created, Math.max(created, ...answers.map((a) => a.at)));
      for (const a of answers) {
        const answer = text(between(200, 1500));
        insertAnswer.run(a.id, id, a.author, answer, `<p>${answer}</p>`, a.score, a.at);
      }
      for (let n = between(1, 3); n > 0; n--) insertQuestionTag.run(id, 1 + Math.floor(TAGS * random() ** 2));
    }
  })();
  return { events, visitors: VISITORS, linkedVisitors, recentQuestions: recentTarget, answers: answerId, kinds };
}

// ---------------------------------------------------------------------------------------------------
// Phases (each in its own process)

interface PhaseResult {
  runsMs: number[];
  /** CPU time of the process during each run (user + system): what the wall time would be on an idle machine, roughly. */
  cpuMs: number[];
  baselineRssKiB: number;
  peakRssKiB: number;
  rollups: number;
  rollupBytes: number;
  deflected: { low: number; estimate: number; high: number };
  searches: number;
  questionsAsked: number;
  provisionalFrom: string | null;
}

function phase(kind: 'cold' | 'warm', file: string, now: number, from: string, to: string, windowHours: number): PhaseResult {
  const db = openDatabase(file, { migrate: false });
  try {
    if (kind === 'cold') db.$client.exec('delete from deflection_rollups');
    const settings = settingsFor(windowHours);
    const baselineRssKiB = peakRssKiB();
    const runsMs: number[] = [];
    const cpuMs: number[] = [];
    let report: ReturnType<typeof deflectionReport> | undefined;
    for (let i = 0; i < (kind === 'cold' ? 1 : RUNS); i++) {
      const cpu = process.cpuUsage();
      const started = performance.now();
      report = deflectionReport(db, { from, to }, settings, now);
      runsMs.push(performance.now() - started);
      const used = process.cpuUsage(cpu);
      cpuMs.push((used.user + used.system) / 1000);
    }
    const stored = db.$client.prepare('select count(*) as n, coalesce(sum(length(data)), 0) as bytes from deflection_rollups').get() as { n: number; bytes: number };
    return {
      runsMs,
      cpuMs,
      baselineRssKiB,
      peakRssKiB: peakRssKiB(),
      rollups: stored.n,
      rollupBytes: stored.bytes,
      deflected: report!.deflected,
      searches: report!.searches,
      questionsAsked: report!.questionsAsked,
      provisionalFrom: report!.provisionalFrom,
    };
  } finally {
    closeDatabase(db);
  }
}

function runPhase(kind: 'cold' | 'warm', file: string, now: number, from: string, to: string, windowHours: number): PhaseResult {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const child = spawnSync(process.execPath, ['--import', 'tsx', SCRIPT, '--phase', kind, file, String(now), from, to, String(windowHours)], { encoding: 'utf8', env, maxBuffer: 16 * 2 ** 20 });
  if (child.status !== 0) throw new Error(`${kind} phase failed (${child.status}):\n${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as PhaseResult;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length % 2 ? sorted[sorted.length >> 1] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
};
const ms = (n: number) => `${n.toFixed(0)} ms`;

function machineSummary(): string {
  const cpus = os.cpus();
  return `${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, ${os.platform()} ${os.release()}, Node ${process.version}`;
}

function main(): void {
  console.log(`Deflection report benchmark — ${new Date().toISOString()}`);
  console.log(`Machine: ${machineSummary()}; load average ${os.loadavg().map((n) => n.toFixed(2)).join(' ')}`);
  const dir = REUSE ? path.dirname(REUSE) : fs.mkdtempSync(path.join(os.tmpdir(), 'resuelto-bench-deflection-'));
  const file = REUSE ?? path.join(dir, 'forum.db');
  try {
    const now = Date.now();
    const to = isoDay(now);
    const from = isoDay(dayStart(to) - (DAYS - 1) * DAY_MS);
    console.log(`Period: ${from} … ${to} (${DAYS} days), W = ${WINDOW_HOURS} h; database ${file}\n`);

    const db = openDatabase(file);
    if (!REUSE) {
      const started = performance.now();
      const made = generate(db, now, dayStart(from));
      console.log(`Generated in ${((performance.now() - started) / 1000).toFixed(1)} s: ${made.events.toLocaleString('en')} events, ${made.answers.toLocaleString('en')} answers`);
      console.log(`  ${made.visitors.toLocaleString('en')} visitor ids (${made.linkedVisitors.toLocaleString('en')} linked to members)`);
      console.log(`  events by kind: ${Object.entries(made.kinds).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n.toLocaleString('en')}`).join(', ')}`);
    }
    const count = (query: string, ...params: number[]) => (db.$client.prepare(query).pluck().get(...params) as number).toLocaleString('en');
    const provisionalStart = dayStart(to) - Math.ceil(WINDOW_HOURS / 24) * DAY_MS;
    console.log(
      `Data: ${count('select count(*) from deflection_events')} events, ${count('select count(*) from questions')} questions (${count('select count(*) from questions where created_at >= ?', dayStart(from))} asked in the period), ` +
        `${count('select count(*) from answers')} answers`,
    );
    console.log(`  events a warm report reads again (provisional days and their windows): ≈ ${count('select count(*) from deflection_events where at >= ?', provisionalStart)}`);
    closeDatabase(db);
    const size = fs.statSync(file).size + (fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size : 0);
    console.log(`  database ${(size / 2 ** 20).toFixed(0)} MiB\n`);

    const cold = runPhase('cold', file, now, from, to, WINDOW_HOURS);
    const warm = runPhase('warm', file, now, from, to, WINDOW_HOURS);
    const warmMedian = median(warm.runsMs.slice(1));
    const later = warm.runsMs.slice(1);
    const rows = [
      ['cold (no rollups)', ms(cold.runsMs[0]), ms(cold.cpuMs[0]), mib(cold.peakRssKiB), mib(cold.peakRssKiB - cold.baselineRssKiB)],
      ['warm, first call of a process', ms(warm.runsMs[0]), ms(warm.cpuMs[0]), mib(warm.peakRssKiB), mib(warm.peakRssKiB - warm.baselineRssKiB)],
      [`warm, later calls (median of ${later.length}; ${ms(Math.min(...later))}–${ms(Math.max(...later))})`, ms(warmMedian), ms(median(warm.cpuMs.slice(1))), '', ''],
    ];
    console.log('| run | wall time | CPU time | peak RSS | RSS added by the report |');
    console.log('|---|---|---|---|---|');
    for (const row of rows) console.log(`| ${row.join(' | ')} |`);
    console.log(`\nRollups stored: ${warm.rollups} days, ${(warm.rollupBytes / 2 ** 20).toFixed(1)} MiB of JSON; provisional from ${warm.provisionalFrom}`);
    console.log(`Report: deflected ${JSON.stringify(warm.deflected)}, ${warm.searches.toLocaleString('en')} searches, ${warm.questionsAsked.toLocaleString('en')} questions asked`);
    if (JSON.stringify(cold.deflected) !== JSON.stringify(warm.deflected) || cold.searches !== warm.searches) console.log('WARNING: cold and warm reports differ');
    console.log(
      `\nTarget: warm report under ${TARGET_MS} ms — ${warmMedian < TARGET_MS ? 'PASS' : 'FAIL'} (median of later calls ${ms(warmMedian)}, CPU ${ms(median(warm.cpuMs.slice(1)))}; ` +
        `a process's first report also parses every stored day and runs cold code: ${ms(warm.runsMs[0])})`,
    );
  } finally {
    if (KEEP || REUSE) console.log(`\nKept ${file}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

const phaseAt = process.argv.indexOf('--phase');
if (phaseAt !== -1) {
  const [kind, file, now, from, to, windowHours] = process.argv.slice(phaseAt + 1);
  console.log(JSON.stringify(phase(kind as 'cold' | 'warm', file, Number(now), from, to, Number(windowHours))));
} else {
  main();
}
