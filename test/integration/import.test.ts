// Importing a Stack Exchange dump: the real beer.stackexchange.com file, a hand-written fixture with the
// awkward cases, re-runs that add nothing, the attribution on the thread page, and the CLI end to end.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { and, count, eq, isNotNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/client.ts';
import { closeDatabase } from '../../src/db/client.ts';
import { answers, questions, reputationEvents, revisions, searchChanges, users } from '../../src/db/schema.ts';
import { USERNAME_PATTERN } from '../../src/features/accounts/service.ts';
import { ImportError, importStackExchange, parseTags, siteOf, type ImportCounts } from '../../src/features/import/stackexchange.ts';
import { getThread, questionPath } from '../../src/features/questions/service.ts';
import { TAG_PATTERN, TITLE_MAX } from '../../src/features/questions/validation.ts';
import { reputationFromLedger } from '../../src/features/votes/rules.ts';
import { buildTestApp, createUser, openTestDb, type TestApp } from '../helper.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BEER = path.resolve(REPO_ROOT, '..', 'shared/data/beer.stackexchange.com/Posts.xml');
const HAS_BEER = fs.existsSync(BEER);
if (!HAS_BEER) console.warn(`Skipping the beer.stackexchange.com import tests: ${BEER} is missing (see ../shared/data/README.md).`);

const run = promisify(execFile);
const tableCount = (db: Db, table: typeof questions | typeof answers | typeof users | typeof reputationEvents | typeof revisions | typeof searchChanges) =>
  db.select({ n: count() }).from(table).get()!.n;
const questionBySource = (db: Db, site: string, sourceId: number) =>
  db
    .select()
    .from(questions)
    .where(and(eq(questions.sourceSite, site), eq(questions.sourceId, sourceId)))
    .get()!;
const answerBySource = (db: Db, site: string, sourceId: number) =>
  db
    .select()
    .from(answers)
    .where(and(eq(answers.sourceSite, site), eq(answers.sourceId, sourceId)))
    .get()!;
const userBySourceKey = (db: Db, key: string) => db.select().from(users).where(eq(users.sourceKey, key)).get();

/** users.reputation must equal max(1, 1 + sum of the user's ledger rows) for everyone. */
function expectLedgerConsistent(db: Db): void {
  const rows = db.$client
    .prepare('select u.reputation, coalesce((select sum(e.delta) from reputation_events e where e.user_id = u.id), 0) as sum from users u')
    .all() as { reputation: number; sum: number }[];
  expect(rows.length).toBeGreaterThan(0);
  for (const row of rows) expect(row.reputation).toBe(reputationFromLedger(row.sum));
}

// ---------------------------------------------------------------------------------------------------
// The real dump.

describe.skipIf(!HAS_BEER)('importing beer.stackexchange.com (../shared/data)', () => {
  const SITE = 'beer.stackexchange.com';
  let t: TestApp;
  let first: ImportCounts;

  beforeAll(async () => {
    t = await buildTestApp();
    first = await importStackExchange(t.db, BEER);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('imports every question, answer and accepted answer of the dump', () => {
    expect(first).toMatchObject({ questions: 663, answers: 1572, accepted: 410, skipped: 0, orphans: 0 });
    expect(tableCount(t.db, questions)).toBe(663);
    expect(tableCount(t.db, answers)).toBe(1572);
    expect(t.db.select({ n: count() }).from(questions).where(isNotNull(questions.acceptedAnswerId)).get()!.n).toBe(410);
    expect(t.db.select({ n: count() }).from(questions).where(eq(questions.sourceSite, SITE)).get()!.n).toBe(663);
    // answerCount is the number of imported answers, question by question.
    const wrongCounts = t.db.$client
      .prepare('select count(*) as n from questions q where q.answer_count != (select count(*) from answers a where a.question_id = q.id)')
      .get() as { n: number };
    expect(wrongCounts.n).toBe(0);
    // An accepted answer is an answer of that very question.
    const foreignAccepted = t.db.$client
      .prepare('select count(*) as n from questions q join answers a on a.id = q.accepted_answer_id where a.question_id != q.id')
      .get() as { n: number };
    expect(foreignAccepted.n).toBe(0);
  });

  it('keeps the first question as it was: title, score, views, dates, tags and accepted answer', () => {
    const q = questionBySource(t.db, SITE, 1);
    expect(q.title).toBe('What is a citra hop, and how does it differ from other hops?');
    expect(q.slug).toBe('what-is-a-citra-hop-and-how-does-it-differ-from-other-hops');
    expect(q.score).toBe(18);
    expect(q.viewCount).toBe(795);
    expect(q.createdAt.toISOString()).toBe('2014-01-21T20:26:05.383Z');
    expect(q.lastActivityAt.toISOString()).toBe('2014-01-21T22:04:34.977Z');
    expect(q.language).toBe('en');
    expect(q.bodyMd).toBe('I was offered a beer the other day that was reportedly made with citra hops. What are citra hops? Why should I care that my beer is made with them?');
    expect(q.bodyHtml).toBe(`<p>${q.bodyMd}</p>`);
    expect(q.acceptedAnswerId).toBe(answerBySource(t.db, SITE, 4).id);
    const thread = getThread(t.db, q.id);
    expect(thread.tags).toEqual(['hops']);
    expect(thread.source).toEqual({ site: SITE, id: 1, url: 'https://beer.stackexchange.com/q/1' });
    expect(thread.answers[0]).toMatchObject({ accepted: true, score: 13 });
    expect(thread.answers[0].bodyHtml).toContain('<a href="http://en.wikipedia.org/wiki/List_of_hop_varieties#Citra_brand_HBC_394_cv" rel="nofollow ugc noopener">Wikipedia article</a>');
  });

  it('gives every post its first revision and every question a search change', () => {
    expect(tableCount(t.db, revisions)).toBe(663 + 1572);
    expect(t.db.select({ n: count() }).from(revisions).where(and(eq(revisions.number, 1), eq(revisions.postType, 'question'))).get()!.n).toBe(663);
    const unlogged = t.db.$client.prepare('select count(*) as n from questions q where not exists (select 1 from search_changes s where s.question_id = q.id)').get() as { n: number };
    expect(unlogged.n).toBe(0);
  });

  it('stores tags that follow our tag rules', () => {
    const names = t.db.$client.prepare('select name from tags').all() as { name: string }[];
    expect(names.length).toBeGreaterThan(50);
    for (const { name } of names) expect(name).toMatch(TAG_PATTERN);
    const perQuestion = t.db.$client.prepare('select max(n) as max from (select count(*) as n from question_tags group by question_id)').get() as { max: number };
    expect(perQuestion.max).toBeLessThanOrEqual(5);
    const cached = t.db.$client.prepare('select count(*) as n from tags t where t.question_count != (select count(*) from question_tags qt where qt.tag_id = t.id)').get() as { n: number };
    expect(cached.n).toBe(0);
  });

  it('creates placeholder authors that can never sign in, with one imported ledger row each', () => {
    const placeholders = t.db.select().from(users).where(isNotNull(users.sourceKey)).all();
    expect(placeholders.length).toBe(first.users);
    for (const user of placeholders) {
      expect(user.username).toMatch(USERNAME_PATTERN);
      expect(user.usernameKey).toBe(user.username.toLowerCase());
      expect(user.email).toBeNull();
      expect(user.passwordHash).toBeNull();
      expect(user.role).toBe('member');
      expect(user.sourceKey!.startsWith(`${SITE}:`)).toBe(true);
    }
    const q1Author = userBySourceKey(t.db, `${SITE}:7`)!;
    expect(q1Author).toMatchObject({ username: 'se-beer-7', displayName: 'User 7' });
    expect(questionBySource(t.db, SITE, 1).authorId).toBe(q1Author.id);
    // Posts of deleted users share one placeholder.
    const anonymous = userBySourceKey(t.db, `${SITE}:community`)!;
    expect(anonymous).toMatchObject({ username: 'se-beer-community', displayName: 'Anonymous (beer.stackexchange.com)' });
    expect(answerBySource(t.db, SITE, 432).authorId).toBe(anonymous.id);

    const perUser = t.db.$client.prepare("select user_id, count(*) as n from reputation_events where reason = 'imported' group by user_id having n > 1").all();
    expect(perUser).toEqual([]);
    expectLedgerConsistent(t.db);
    // The author of answer 4 (score 13, accepted) earned at least 13 * 10 + 15.
    expect(userBySourceKey(t.db, `${SITE}:12`)!.reputation).toBeGreaterThanOrEqual(1 + 13 * 10 + 15);
  });

  it('adds nothing on a re-run and says everything was skipped', async () => {
    const before = {
      questions: tableCount(t.db, questions),
      answers: tableCount(t.db, answers),
      users: tableCount(t.db, users),
      ledger: tableCount(t.db, reputationEvents),
      revisions: tableCount(t.db, revisions),
      reputation: t.db.$client.prepare('select sum(reputation) as s from users').get(),
    };
    const again = await importStackExchange(t.db, BEER);
    expect(again).toEqual({ questions: 0, answers: 0, accepted: 0, skipped: 663 + 1572, orphans: 0, users: 0, duplicates: 0, related: 0 });
    expect({
      questions: tableCount(t.db, questions),
      answers: tableCount(t.db, answers),
      users: tableCount(t.db, users),
      ledger: tableCount(t.db, reputationEvents),
      revisions: tableCount(t.db, revisions),
      reputation: t.db.$client.prepare('select sum(reputation) as s from users').get(),
    }).toEqual(before);
  });

  it('shows the link to the original and the CC BY-SA licence on the thread page', async (ctx) => {
    const q = questionBySource(t.db, SITE, 1);
    const threadPageExists = t.app.hasRoute({ method: 'GET', url: '/questions/:id/:slug' });
    if (!threadPageExists) {
      ctx.skip('the thread page (GET /questions/:id/:slug) does not exist yet; the attribution data is checked through getThread() above');
      return;
    }
    const response = await t.app.inject({ method: 'GET', url: questionPath(q.id, q.slug) });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('href="https://beer.stackexchange.com/q/1"');
    // The licence next to that link (not merely the site footer's licence line).
    expect(response.body).toMatch(/href="https:\/\/beer\.stackexchange\.com\/q\/1"[\s\S]{0,400}CC BY-SA|CC BY-SA[\s\S]{0,400}href="https:\/\/beer\.stackexchange\.com\/q\/1"/);
  });
});

// ---------------------------------------------------------------------------------------------------
// A hand-written dump with the awkward cases.

const FIXTURE_SITE = 'example.stackexchange.com';
const LONG_TITLE = 'Why '.padEnd(200, 'o') + ' long?';
const FIXTURE = `\uFEFF<?xml version="1.0" encoding="utf-8"?>
<posts>
  <row Id="10" PostTypeId="2" ParentId="11" CreationDate="2015-03-01T11:00:00.000" Score="3" Body="&lt;p&gt;Top &lt;strong&gt;fermenting&lt;/strong&gt; yeast.&lt;script&gt;alert(1)&lt;/script&gt; See &lt;a href=&quot;javascript:alert(2)&quot;&gt;click here&lt;/a&gt; or &lt;a href=&quot;https://example.com/ale&quot;&gt;this&lt;/a&gt;.&lt;/p&gt;&#xA;&lt;img src=&quot;x&quot; onerror=&quot;alert(3)&quot;&gt;&#xA;&lt;pre&gt;&lt;code&gt;if (a &amp;lt; b) { brew(); }&#xA;&lt;/code&gt;&lt;/pre&gt;" OwnerUserId="5" LastActivityDate="2015-03-01T11:00:00.000" CommentCount="0" />
  <row Id="11" PostTypeId="1" AcceptedAnswerId="10" CreationDate="2015-03-01T10:00:00.000" Score="7" ViewCount="120" Body="&lt;p&gt;What is the difference between ales &amp;amp; lagers? I read about &amp;lt;top&amp;gt; fermentation.&lt;/p&gt;" OwnerDisplayName="ghost" LastActivityDate="2015-03-02T09:30:00.000" Title="Ale &amp; lager: what&#39;s &quot;top&quot; vs &lt;bottom&gt;?" Tags="&lt;Ale&gt;&lt;c++&gt;&lt;top fermentation&gt;&lt;a&amp;b&gt;&lt;a-very-long-tag-name-that-goes-on-and-on&gt;&lt;sixth&gt;" AnswerCount="1" CommentCount="0" />
  <row Id="12" PostTypeId="1" CreationDate="2015-04-01T08:00:00" Score="-2" ViewCount="5" Body="&lt;p&gt;¿Qué es una cerveza de barril y por qué se sirve así?&lt;/p&gt;" OwnerUserId="5" Title="Cask ale?" Tags="|ale|cask|" AnswerCount="1" />
  <row Id="13" PostTypeId="2" ParentId="12" CreationDate="2015-04-02T08:00:00.000" Score="2" Body="&lt;p&gt;It is &lt;em&gt;unfiltered&lt;/em&gt; and unpasteurised.&lt;/p&gt;" OwnerUserId="6" />
  <row Id="14" PostTypeId="5" CreationDate="2015-04-02T08:00:00.000" Score="0" Body="&lt;p&gt;Tag wiki&lt;/p&gt;" OwnerUserId="6" />
  <row Id="15" PostTypeId="2" ParentId="999" CreationDate="2015-04-02T08:00:00.000" Score="1" Body="&lt;p&gt;An answer whose question is gone.&lt;/p&gt;" OwnerUserId="6" />
  <row Id="16" PostTypeId="1" CreationDate="2015-05-01T08:00:00.000" Score="0" ViewCount="1" Body="" OwnerUserId="-1" Title="${LONG_TITLE}" Tags="&lt;ale&gt;" />
</posts>
`;

/** Writes the fixture into <tmp>/<folder>/Posts.xml and returns its path. */
function writeFixture(dir: string, folder = FIXTURE_SITE, text = FIXTURE): string {
  fs.mkdirSync(path.join(dir, folder), { recursive: true });
  const file = path.join(dir, folder, 'Posts.xml');
  fs.writeFileSync(file, text);
  return file;
}

describe('importing a hand-written dump', () => {
  let db: Db;
  let dir: string;
  let file: string;
  let first: ImportCounts;

  beforeAll(async () => {
    ({ db, dir } = openTestDb());
    file = writeFixture(dir);
    // A member already holds the username the import would give to user 6.
    await createUser(db, 'member', 'SE-example-6');
    // A tiny batch size: posts and their answers land in different transactions.
    first = await importStackExchange(db, file, { batchSize: 2 });
  });
  afterAll(() => {
    closeDatabase(db);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('counts what it imported and what it skipped', () => {
    expect(first).toEqual({ questions: 3, answers: 2, accepted: 1, skipped: 1, orphans: 1, users: 3, duplicates: 0, related: 0 });
    expect(tableCount(db, questions)).toBe(3);
    expect(tableCount(db, answers)).toBe(2);
  });

  it('imports an answer that comes before its question, and accepts it', () => {
    const q = questionBySource(db, FIXTURE_SITE, 11);
    const a = answerBySource(db, FIXTURE_SITE, 10);
    expect(a.questionId).toBe(q.id);
    expect(q.acceptedAnswerId).toBe(a.id);
    expect(q.answerCount).toBe(1);
    expect(q.score).toBe(7);
    expect(q.viewCount).toBe(120);
    expect(q.createdAt.toISOString()).toBe('2015-03-01T10:00:00.000Z');
    expect(q.lastActivityAt.toISOString()).toBe('2015-03-02T09:30:00.000Z');
    expect(a.createdAt.toISOString()).toBe('2015-03-01T11:00:00.000Z');
  });

  it('decodes entities in titles and bodies, and makes tags fit our rules', () => {
    const thread = getThread(db, questionBySource(db, FIXTURE_SITE, 11).id);
    expect(thread.title).toBe(`Ale & lager: what's "top" vs <bottom>?`);
    expect(thread.slug).toBe('ale-lager-what-s-top-vs-bottom');
    expect(thread.bodyHtml).toBe('<p>What is the difference between ales &amp; lagers? I read about &lt;top&gt; fermentation.</p>');
    expect(thread.tags).toEqual(['a-b', 'a-very-long-tag-name-that', 'ale', 'c++', 'top-fermentation']);
    for (const tag of thread.tags) expect(tag).toMatch(TAG_PATTERN);
    expect(thread.source).toEqual({ site: FIXTURE_SITE, id: 11, url: 'https://example.stackexchange.com/q/11' });
    // The newer `|a|b|` tag format too.
    expect(getThread(db, questionBySource(db, FIXTURE_SITE, 12).id).tags).toEqual(['ale', 'cask']);
  });

  it('imports short titles as they are and truncates long ones', () => {
    expect(questionBySource(db, FIXTURE_SITE, 12).title).toBe('Cask ale?');
    const long = questionBySource(db, FIXTURE_SITE, 16).title;
    expect([...long].length).toBe(TITLE_MAX);
    expect(long.endsWith('…')).toBe(true);
    expect(questionBySource(db, FIXTURE_SITE, 16).bodyMd).toBe('');
  });

  it('detects the language of each question', () => {
    expect(questionBySource(db, FIXTURE_SITE, 11).language).toBe('en');
    expect(questionBySource(db, FIXTURE_SITE, 12).language).toBe('es');
  });

  it('converts HTML to editable Markdown and sanitizes scripts and javascript: links', () => {
    const a = answerBySource(db, FIXTURE_SITE, 10);
    expect(a.bodyMd).toContain('Top **fermenting** yeast.');
    expect(a.bodyMd).toContain('[this](https://example.com/ale)');
    expect(a.bodyMd).toContain('```\nif (a < b) { brew(); }\n```');
    for (const body of [a.bodyMd, a.bodyHtml]) {
      expect(body).not.toMatch(/<script|alert\(|javascript:|onerror/i);
    }
    expect(a.bodyHtml).toContain('click here');
    expect(a.bodyHtml).toContain('<a href="https://example.com/ale" rel="nofollow ugc noopener">this</a>');
    expect(a.bodyHtml).toContain('<pre><code>if (a &lt; b) { brew(); }');
    expect(answerBySource(db, FIXTURE_SITE, 13).bodyMd).toBe('It is *unfiltered* and unpasteurised.');
  });

  it('gives deleted users (and the Community user) one shared placeholder, and avoids taken usernames', () => {
    const anonymous = userBySourceKey(db, `${FIXTURE_SITE}:community`)!;
    expect(anonymous).toMatchObject({ username: 'se-example-community', displayName: 'Anonymous (example.stackexchange.com)', email: null, passwordHash: null });
    expect(questionBySource(db, FIXTURE_SITE, 11).authorId).toBe(anonymous.id);
    expect(questionBySource(db, FIXTURE_SITE, 16).authorId).toBe(anonymous.id);
    expect(userBySourceKey(db, `${FIXTURE_SITE}:5`)).toMatchObject({ username: 'se-example-5', displayName: 'User 5', role: 'member' });
    expect(userBySourceKey(db, `${FIXTURE_SITE}:6`)!.username).toBe('se-example-6-2');
  });

  it('records the reputation each author earned in the dump through the ledger', () => {
    const user5 = userBySourceKey(db, `${FIXTURE_SITE}:5`)!;
    const user6 = userBySourceKey(db, `${FIXTURE_SITE}:6`)!;
    // User 5: accepted answer with score 3 (30 + 15) and a question at -2 (-20). User 6: answer at 2.
    expect(user5.reputation).toBe(1 + 25);
    expect(user6.reputation).toBe(1 + 20);
    expect(userBySourceKey(db, `${FIXTURE_SITE}:community`)!.reputation).toBe(1);
    const ledger = db.select({ userId: reputationEvents.userId, delta: reputationEvents.delta, reason: reputationEvents.reason }).from(reputationEvents).all();
    expect(ledger).toEqual(expect.arrayContaining([
      { userId: user5.id, delta: 25, reason: 'imported' },
      { userId: user6.id, delta: 20, reason: 'imported' },
    ]));
    expect(ledger).toHaveLength(2);
    expectLedgerConsistent(db);
  });

  it('writes revision 1 of every post by its placeholder author, and logs each question for search', () => {
    const q = questionBySource(db, FIXTURE_SITE, 11);
    const rev = db.select().from(revisions).where(and(eq(revisions.postType, 'question'), eq(revisions.postId, q.id))).all();
    expect(rev).toHaveLength(1);
    expect(rev[0]).toMatchObject({ number: 1, authorId: q.authorId, title: q.title, bodyMd: q.bodyMd });
    expect(JSON.parse(rev[0].tags!)).toEqual(['ale', 'c++', 'top-fermentation', 'a-b', 'a-very-long-tag-name-that']);
    expect(tableCount(db, revisions)).toBe(5);
    const logged = new Set(db.select({ id: searchChanges.questionId }).from(searchChanges).all().map((r) => r.id));
    expect(logged).toEqual(new Set(db.select({ id: questions.id }).from(questions).all().map((r) => r.id)));
  });

  it('adds nothing on a re-run', async () => {
    const before = [tableCount(db, questions), tableCount(db, answers), tableCount(db, users), tableCount(db, reputationEvents), tableCount(db, revisions)];
    const again = await importStackExchange(db, file);
    expect(again).toEqual({ questions: 0, answers: 0, accepted: 0, skipped: 6, orphans: 1, users: 0, duplicates: 0, related: 0 });
    expect([tableCount(db, questions), tableCount(db, answers), tableCount(db, users), tableCount(db, reputationEvents), tableCount(db, revisions)]).toEqual(before);
  });

  it('keeps sites apart: the same ids under another site are new posts', async () => {
    const other = await importStackExchange(db, file, { site: 'other.example.org' });
    expect(other).toMatchObject({ questions: 3, answers: 2, accepted: 1 });
    expect(questionBySource(db, 'other.example.org', 11).title).toBe(`Ale & lager: what's "top" vs <bottom>?`);
    expect(userBySourceKey(db, 'other.example.org:5')!.username).toBe('se-other-example-5');
  });
});

describe('import input errors', () => {
  let db: Db;
  let dir: string;
  beforeAll(() => {
    ({ db, dir } = openTestDb());
  });
  afterAll(() => {
    closeDatabase(db);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('tells the site from the folder, or wants --site', () => {
    expect(siteOf('/dumps/beer.stackexchange.com/Posts.xml')).toBe('beer.stackexchange.com');
    expect(siteOf('/dumps/whatever/Posts.xml', 'Beer.StackExchange.com')).toBe('beer.stackexchange.com');
    expect(() => siteOf('/dumps/whatever/Posts.xml')).toThrow(ImportError);
    expect(() => siteOf('/dumps/x/Posts.xml', 'not a host')).toThrow(/host name/);
  });

  it('parses both tag formats', () => {
    expect(parseTags('<beer><IPA>')).toEqual(['beer', 'ipa']);
    expect(parseTags('|beer|ipa|')).toEqual(['beer', 'ipa']);
    expect(parseTags('')).toEqual([]);
  });

  it('rejects a missing file, and malformed XML with its position', async () => {
    await expect(importStackExchange(db, path.join(dir, 'beer.stackexchange.com', 'nope.xml'))).rejects.toThrow(/No such file/);
    const broken = writeFixture(dir, 'broken.example.com', '<posts>\n<row Id="1" PostTypeId="1" Title="Fine title here" Body="" />\n<row Id="2" PostTypeId="1" Title=unquoted />\n</posts>\n');
    await expect(importStackExchange(db, broken)).rejects.toThrow(/not a well-formed Posts\.xml \(line 3/);
  });
});

// ---------------------------------------------------------------------------------------------------
// The command line, end to end.

describe('npx resuelto import-stackexchange', () => {
  let dir: string;
  let file: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resuelto-import-cli-'));
    file = writeFixture(dir);
    env = { ...process.env, NODE_ENV: 'test', DATABASE_PATH: path.join(dir, 'db', 'forum.db') };
    delete env.BASE_URL; // vitest's own BASE_URL ("/") is not the forum's
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const cli = (...args: string[]) => run(process.execPath, [path.join(REPO_ROOT, 'bin/resuelto.js'), ...args], { cwd: REPO_ROOT, env, timeout: 60_000 });

  it('imports the dump and prints a summary; a re-run adds nothing', async () => {
    const { stdout } = await cli('import-stackexchange', file);
    expect(stdout).toContain('Imported from example.stackexchange.com: 3 questions, 2 answers, 1 accepted answers, 3 placeholder authors; skipped 1 posts');
    expect(stdout).not.toContain('\r');

    const again = await cli('import-stackexchange', file);
    expect(again.stdout).toContain('Imported from example.stackexchange.com: 0 questions, 0 answers, 0 accepted answers, 0 placeholder authors; skipped 6 posts');
  });

  it('takes --site, and fails with a message (exit code 1) for a missing file', async () => {
    const { stdout } = await cli('import-stackexchange', file, '--site', 'copy.example.net');
    expect(stdout).toContain('Imported from copy.example.net: 3 questions, 2 answers');
    const failure = await cli('import-stackexchange', path.join(dir, 'missing.xml')).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain('No such file');
  });
});
