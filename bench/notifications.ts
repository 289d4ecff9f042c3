// Notifications and mail benchmark, in one process on a temporary database and a loopback SMTP server:
//
//   1. answer latency: POST /api/v1/questions/:id/answers (through app.inject: the whole HTTP pipeline, no
//      network) on a question followed by 10,000 members, against the same on a question nobody follows;
//   2. fan-out: the background job turning one such answer into 10,000 inbox rows (followers on the default
//      daily digest: no mail), and again with every follower on "immediately" (10,000 rows + 10,000 outbox rows);
//   3. outbox throughput: the sender loop delivering those mails to a real SMTP server on 127.0.0.1
//      (smtp-server + mailparser in this same process), in messages per second.
//
// Prints figures only; never fails on performance.
//   npm run bench:notifications
//   BENCH_FOLLOWERS=2000 BENCH_ANSWERS=10 npm run bench:notifications     smaller, quicker
//   BENCH_ONLY=latency npm run bench:notifications                          part 1 only
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { eq } from 'drizzle-orm';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { closeDatabase, openDatabase } from '../src/db/client.ts';
import { mailOutbox, notifications, questionFollows, users } from '../src/db/schema.ts';
import { createSession } from '../src/features/accounts/sessions.ts';
import { askQuestion } from '../src/features/questions/service.ts';
import { setSetting } from '../src/features/settings/service.ts';
import { startMailServer } from '../test/mail-server.ts';

function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive whole number, got "${raw}"`);
  return value;
}

const FOLLOWERS = numberFromEnv('BENCH_FOLLOWERS', 10_000);
const ANSWERS = numberFromEnv('BENCH_ANSWERS', 30);

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const ms = (value: number) => `${value.toFixed(2)} ms`;

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resuelto-bench-notifications-'));
  const smtp = await startMailServer();
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_PATH: path.join(dir, 'forum.db'), SMTP_URL: smtp.smtpUrl, BASE_URL: 'http://forum.example.com' });
  const db = openDatabase(config.databasePath);
  const app = await buildApp(config, { db });
  await app.ready();
  // The bench runs the background loops itself, to time them.
  app.notifications.pause();
  app.mail.pause();
  for (const [key, value] of [
    ['newMemberSecondsBetweenPosts', 0],
    ['secondsBetweenPosts', 0],
    ['duplicateBodyMinutes', 0],
    ['newMemberAnswersPerDay', 1000],
    ['newMemberQuestionsPerDay', 1000],
    ['postsPerIpPerMinute', 10_000],
  ] as const)
    setSetting(db, key, value);

  try {
    // Members: inserted directly (hashing 10,000 passwords would time argon2, not notifications).
    const insert = db.$client.prepare(
      "insert into users (username, username_key, email, email_key, display_name, password_hash, locale, email_verified_at) values (?, ?, ?, ?, ?, 'x', 'en', 1)",
    );
    db.$client.transaction(() => {
      for (let i = 0; i < FOLLOWERS + 2; i++) {
        const name = `member${i}`;
        insert.run(name, name, `${name}@example.com`, `${name}@example.com`, name);
      }
    })();
    const asker = db.select().from(users).where(eq(users.username, 'member0')).get()!;
    const answerer = db.select().from(users).where(eq(users.username, 'member1')).get()!;
    const poster = { ...asker, createdAt: new Date(0) };
    const followed = askQuestion(db, poster, { title: 'My router drops the connection every evening', body: 'Every evening at eight the router drops the connection for a minute.', tags: 'router' }, app.settings());
    const lonely = askQuestion(db, poster, { title: 'The modem light blinks orange all night', body: 'Since yesterday the modem light blinks orange and the internet drops.', tags: 'modem' }, app.settings());
    db.$client.prepare('insert into question_follows (question_id, user_id, created_at) select ?, id, 0 from users where id > ?').run(followed.id, answerer.id);
    const followerCount = db.select().from(questionFollows).where(eq(questionFollows.questionId, followed.id)).all().length;
    const { token } = createSession(db, answerer.id, 'api', app.settings());
    const auth = { authorization: `Bearer ${token}` };

    const answerOnce = async (questionId: number, i: number) => {
      const start = performance.now();
      const response = await app.inject({ method: 'POST', url: `/api/v1/questions/${questionId}/answers`, headers: auth, payload: { body: `Restart it and check the cable, attempt number ${i} of the benchmark.` } });
      const elapsed = performance.now() - start;
      if (response.statusCode !== 201) throw new Error(`answer failed: ${response.statusCode} ${response.body}`);
      return elapsed;
    };
    // Warm-up (JIT, prepared statements), then alternate the two questions.
    for (let i = 0; i < 5; i++) await answerOnce(lonely.id, -i);
    const withFollowers: number[] = [];
    const without: number[] = [];
    // Alternating, and swapping which goes first each round, so that neither always follows the other.
    for (let i = 0; i < ANSWERS; i++) {
      if (i % 2 === 0) {
        withFollowers.push(await answerOnce(followed.id, i));
        without.push(await answerOnce(lonely.id, i));
      } else {
        without.push(await answerOnce(lonely.id, i));
        withFollowers.push(await answerOnce(followed.id, i));
      }
    }
    console.log(`Notifications benchmark: ${followerCount.toLocaleString('en')} followers, ${ANSWERS} answers per question, Node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), load average ${os.loadavg()[0].toFixed(2)}`);
    console.log('');
    console.log('1. Answer latency (POST /api/v1/questions/:id/answers through app.inject; the fan-out job not running)');
    console.log(`   followed by ${followerCount.toLocaleString('en')}: median ${ms(percentile(withFollowers, 50))}, p95 ${ms(percentile(withFollowers, 95))}`);
    console.log(`   followed by nobody:  median ${ms(percentile(without, 50))}, p95 ${ms(percentile(without, 95))}`);

    if (process.env.BENCH_ONLY === 'latency') return;

    // 2. Fan-out of every queued job (one per answer), followers on the default (daily digest).
    const rowsBefore = db.select().from(notifications).all().length;
    let start = performance.now();
    await app.notifications.flush();
    let elapsed = performance.now() - start;
    const rows = db.select().from(notifications).all().length - rowsBefore;
    console.log('');
    console.log('2. Fan-out (background job, batches of 500 per transaction)');
    console.log(`   ${ANSWERS * 2 + 5} jobs → ${rows.toLocaleString('en')} inbox rows (followers on the daily digest, no mail) in ${ms(elapsed)}: ${Math.round(rows / (elapsed / 1000)).toLocaleString('en')} rows/s, ${ms(elapsed / ANSWERS)} per answer on the followed question`);

    // Every follower on "immediately": each answer also writes (or coalesces into) an outbox row per follower.
    db.$client
      .prepare("insert into notification_preferences (user_id, kind, delivery) select user_id, 'followed_question_activity', 'immediately' from question_follows where question_id = ?")
      .run(followed.id);
    db.delete(mailOutbox).run();
    await answerOnce(followed.id, 9999);
    start = performance.now();
    await app.notifications.flush();
    elapsed = performance.now() - start;
    const outbox = db.select().from(mailOutbox).all().length;
    console.log(`   1 job, every follower on "immediately" → ${followerCount.toLocaleString('en')} inbox rows + ${outbox.toLocaleString('en')} outbox rows in ${ms(elapsed)}`);

    // 3. Outbox throughput against the loopback SMTP server (5 pooled connections).
    start = performance.now();
    const sent = await app.mail.flush();
    elapsed = performance.now() - start;
    const delivered = smtp.messages.length;
    console.log('');
    console.log('3. Outbox → SMTP on 127.0.0.1 (nodemailer pool of 5 connections; smtp-server + mailparser in the same process)');
    console.log(`   ${sent.toLocaleString('en')} rows handled, ${delivered.toLocaleString('en')} received and parsed in ${(elapsed / 1000).toFixed(2)} s: ${Math.round(delivered / (elapsed / 1000)).toLocaleString('en')} messages/s`);
  } finally {
    await app.close();
    closeDatabase(db);
    await smtp.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
