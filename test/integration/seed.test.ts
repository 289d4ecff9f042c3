// The demo community (`npx resuelto seed-demo`): accounts with generated passwords, 60 support threads in
// two languages written through the services, a re-run that adds nothing, the labelled search queries
// that refer to the threads, and the CLI end to end.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { count, eq, isNotNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDatabase, type Db } from '../../src/db/client.ts';
import { answers, questions, revisions, searchChanges, users } from '../../src/db/schema.ts';
import { verifyPassword } from '../../src/features/accounts/passwords.ts';
import { registerUser } from '../../src/features/accounts/service.ts';
import { demoEmail, demoQuestionIds, seedDemo, type SeedResult } from '../../src/features/demo/seed.ts';
import { DEMO_USERS, SUPPORT_TOPICS } from '../../src/features/demo/support-topics.ts';
import { loadDocumentsInRange } from '../../src/features/search/documents.ts';
import { SearchIndex } from '../../src/features/search/engine.ts';
import { Shard } from '../../src/features/search/shard.ts';
import { reputationFromLedger } from '../../src/features/votes/rules.ts';
import { openTestDb } from '../helper.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);

interface LabelledQuery {
  query: string;
  lang: 'es' | 'en';
  expected: { source: 'beer' | 'seed'; key: number | string };
}
const labelled = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'bench/data/search-queries.json'), 'utf8')) as { queries: LabelledQuery[] }).queries;

describe('seeding the demo community', () => {
  let db: Db;
  let dir: string;
  let first: SeedResult;

  beforeAll(async () => {
    ({ db, dir } = openTestDb());
    first = await seedDemo(db);
  });
  afterAll(() => {
    closeDatabase(db);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates a staff member, a moderator and members, each with a generated password shown once', async () => {
    expect(first.accounts.map((a) => a.role).sort()).toEqual(DEMO_USERS.map((u) => u.role).sort());
    expect(first.accounts.filter((a) => a.role === 'staff')).toHaveLength(1);
    expect(first.accounts.filter((a) => a.role === 'moderator')).toHaveLength(1);
    expect(first.accounts.filter((a) => a.role === 'member').length).toBeGreaterThanOrEqual(3);
    const passwords = first.accounts.map((a) => a.password);
    for (const password of passwords) expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(new Set(passwords).size).toBe(passwords.length);
    // The printed password is the one that signs in; the database only has its hash.
    const staff = db.select().from(users).where(eq(users.username, first.accounts.find((a) => a.role === 'staff')!.username)).get()!;
    expect(staff.passwordHash).not.toContain(first.accounts.find((a) => a.role === 'staff')!.password!);
    expect(await verifyPassword(staff.passwordHash!, first.accounts.find((a) => a.role === 'staff')!.password!)).toBe(true);
  });

  it('generates different passwords on another forum', async () => {
    const other = openTestDb();
    try {
      const again = await seedDemo(other.db);
      const mine = new Map(first.accounts.map((a) => [a.username, a.password]));
      for (const account of again.accounts) expect(account.password).not.toBe(mine.get(account.username));
    } finally {
      closeDatabase(other.db);
      fs.rmSync(other.dir, { recursive: true, force: true });
    }
  });

  it('posts every thread, half in Spanish and half in English, with 1 to 3 answers', () => {
    expect(first).toMatchObject({ questions: SUPPORT_TOPICS.length, skipped: 0 });
    expect(SUPPORT_TOPICS.length).toBeGreaterThanOrEqual(60);
    const rows = db.$client.prepare('select language, count(*) as n from questions group by language').all() as { language: string; n: number }[];
    expect(Object.fromEntries(rows.map((r) => [r.language, r.n]))).toEqual({ es: SUPPORT_TOPICS.length / 2, en: SUPPORT_TOPICS.length / 2 });
    // The language each thread was written in is the one the forum detects.
    const ids = demoQuestionIds(db);
    for (const topic of SUPPORT_TOPICS) {
      const question = db.select().from(questions).where(eq(questions.id, ids.get(topic.key)!)).get()!;
      expect(question.language, topic.key).toBe(topic.lang);
      expect(question.answerCount, topic.key).toBe(topic.answers.length);
      expect(topic.answers.length).toBeGreaterThanOrEqual(1);
      expect(topic.answers.length).toBeLessThanOrEqual(3);
    }
    expect(db.select({ n: count() }).from(answers).get()!.n).toBe(first.answers);
  });

  it('accepts many answers, and staff answers are official', () => {
    const accepted = SUPPORT_TOPICS.filter((t) => t.answers.some((a) => a.accepted)).length;
    expect(accepted).toBeGreaterThan(SUPPORT_TOPICS.length / 2);
    expect(accepted).toBeLessThan(SUPPORT_TOPICS.length);
    expect(db.select({ n: count() }).from(questions).where(isNotNull(questions.acceptedAnswerId)).get()!.n).toBe(accepted);
    const staffAnswers = SUPPORT_TOPICS.flatMap((t) => t.answers).filter((a) => a.author === 'staff').length;
    expect(db.select({ n: count() }).from(answers).where(eq(answers.official, true)).get()!.n).toBe(staffAnswers);
    for (const topic of SUPPORT_TOPICS) expect(topic.answers.every((a) => a.author !== topic.author), topic.key).toBe(true);
  });

  it('goes through the services: revisions, reputation from the ledger, and the search change log', () => {
    expect(db.select({ n: count() }).from(revisions).get()!.n).toBe(first.questions + first.answers);
    const logged = new Set(db.select({ questionId: searchChanges.questionId }).from(searchChanges).all().map((r) => r.questionId));
    for (const id of demoQuestionIds(db).values()) expect(logged.has(id)).toBe(true);
    const rows = db.$client
      .prepare('select u.reputation, coalesce((select sum(e.delta) from reputation_events e where e.user_id = u.id), 0) as sum from users u')
      .all() as { reputation: number; sum: number }[];
    for (const row of rows) expect(row.reputation).toBe(reputationFromLedger(row.sum));
    expect(rows.some((r) => r.reputation > 1)).toBe(true);
    // Posts are dated in the past, oldest first, and never before their author joined.
    const early = db.$client
      .prepare('select count(*) as n from questions q join users u on u.id = q.author_id where q.created_at < u.created_at or q.created_at > ?')
      .get(Date.now()) as { n: number };
    expect(early.n).toBe(0);
  });

  it('adds nothing on a re-run, and shows no password for accounts that exist', async () => {
    const before = { q: db.select({ n: count() }).from(questions).get()!.n, a: db.select({ n: count() }).from(answers).get()!.n, u: db.select({ n: count() }).from(users).get()!.n };
    const again = await seedDemo(db);
    expect(again).toMatchObject({ questions: 0, answers: 0, accepted: 0, skipped: SUPPORT_TOPICS.length });
    for (const account of again.accounts) expect(account.password).toBeUndefined();
    expect({ q: db.select({ n: count() }).from(questions).get()!.n, a: db.select({ n: count() }).from(answers).get()!.n, u: db.select({ n: count() }).from(users).get()!.n }).toEqual(before);
  });

  it('refuses to post as someone who took a demo username', async () => {
    const other = openTestDb();
    try {
      await registerUser(other.db, { username: DEMO_USERS[2].username, email: 'someone@example.com', password: 'a perfectly fine passphrase 7' });
      await expect(seedDemo(other.db)).rejects.toThrow(/not a demo account/);
      expect(other.db.select({ n: count() }).from(questions).get()!.n).toBe(0);
      expect(demoEmail('x')).toMatch(/@demo\./);
    } finally {
      closeDatabase(other.db);
      fs.rmSync(other.dir, { recursive: true, force: true });
    }
  });

  it('finds its threads from the labelled queries of the search benchmark', () => {
    const shard = Shard.fromDocs(loadDocumentsInRange(db.$client, 1, 10_000), 1, 10_000, 0);
    const index = new SearchIndex();
    index.setShards([shard]);
    const ids = demoQuestionIds(db);
    const seedQueries = labelled.filter((q) => q.expected.source === 'seed');
    const found = seedQueries.filter((q) => index.search({ query: q.query, limit: 5 }).hits.some((h) => h.id === ids.get(String(q.expected.key))));
    expect(found.length / seedQueries.length).toBeGreaterThanOrEqual(0.9);
  });
});

describe('the labelled search queries (bench/data/search-queries.json)', () => {
  it('has at least 60 queries, half Spanish and half English, naming threads that exist', () => {
    expect(labelled.length).toBeGreaterThanOrEqual(60);
    expect(labelled.filter((q) => q.lang === 'es').length).toBe(labelled.length / 2);
    const keys = new Set(SUPPORT_TOPICS.map((t) => t.key));
    for (const q of labelled) {
      if (q.expected.source === 'seed') expect(keys.has(String(q.expected.key)), q.query).toBe(true);
      else expect(Number.isInteger(q.expected.key), q.query).toBe(true);
    }
  });

  it('paraphrases rather than copies the titles', () => {
    const titles = new Map(SUPPORT_TOPICS.map((t) => [t.key, t.title.toLowerCase()]));
    for (const q of labelled) {
      if (q.expected.source === 'seed') expect(q.query.toLowerCase()).not.toBe(titles.get(String(q.expected.key)));
    }
  });
});

describe('npx resuelto seed-demo', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resuelto-seed-cli-'));
    env = { ...process.env, NODE_ENV: 'test', DATABASE_PATH: path.join(dir, 'forum.db') };
    delete env.BASE_URL; // vitest's own BASE_URL ("/") is not the forum's
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const cli = (...args: string[]) => run(process.execPath, [path.join(REPO_ROOT, 'bin/resuelto.js'), ...args], { cwd: REPO_ROOT, env, timeout: 60_000 });

  it('prints the demo usernames with their passwords once, then adds nothing on a re-run', async () => {
    const first = await cli('seed-demo');
    expect(first.stdout).toContain(`${SUPPORT_TOPICS.length} questions`);
    for (const user of DEMO_USERS) expect(first.stdout).toMatch(new RegExp(`${user.username.replace('.', '\\.')}\\s+${user.role}\\s+[A-Za-z0-9_-]{24}`));
    const second = await cli('seed-demo');
    expect(second.stdout).toContain(`0 questions, 0 answers (0 accepted) added; ${SUPPORT_TOPICS.length} already there`);
    expect(second.stdout).not.toMatch(/[A-Za-z0-9_-]{24}\n/);
    expect((await cli('help')).stdout).toContain('seed-demo');
  });
});
