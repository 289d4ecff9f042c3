// Questions and answers through HTTP and their services: asking, validation, posting limits, atomic writes,
// the thread page and its canonical URL, lists and tags, the ask form's preview, revisions and view counts.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users } from '../../src/db/schema.ts';
import { acceptAnswer, deleteAnswer, postAnswer } from '../../src/features/answers/service.ts';
import { addComment } from '../../src/features/comments/service.ts';
import type { Poster } from '../../src/features/questions/limits.ts';
import { askQuestion, editQuestion } from '../../src/features/questions/service.ts';
import { ViewCounter } from '../../src/features/questions/view-counter.ts';
import { getSettings, setSetting } from '../../src/features/settings/service.ts';
import { record } from '../../src/features/votes/reputation.ts';
import { castVote } from '../../src/features/votes/service.ts';
import { AppError } from '../../src/lib/errors.ts';
import { renderMarkdown } from '../../src/lib/markdown.ts';
import { Browser, BROWSER_USER_AGENT, buildTestApp, createUser, tokenFor, type TestApp } from '../helper.ts';
import { Visitor } from '../fixtures/hostile.ts';

const BASE_URL = 'https://foro.example.com';
const EN = { 'accept-language': 'en' };
const BROWSER_UA = BROWSER_USER_AGENT;

let t: TestApp;
let seq = 0;
let member: { id: number; username: string; auth: Record<string, string> };
let moderator: { id: number; username: string; auth: Record<string, string> };
let browser: Browser;

const RELAXED = {
  secondsBetweenPosts: 0,
  newMemberSecondsBetweenPosts: 0,
  newMemberQuestionsPerDay: 1000,
  newMemberAnswersPerDay: 1000,
  postsPerIpPerMinute: 10_000,
} as const;
const DEFAULT_LIMITS = {
  secondsBetweenPosts: 5,
  newMemberSecondsBetweenPosts: 30,
  newMemberQuestionsPerDay: 3,
  newMemberAnswersPerDay: 10,
} as const;

function applySettings(values: Record<string, number>): void {
  for (const [key, value] of Object.entries(values)) setSetting(t.db, key as keyof typeof RELAXED, value);
}

beforeAll(async () => {
  t = await buildTestApp({ env: { BASE_URL } });
  applySettings(RELAXED);
  const m = await tokenFor(t.app, t.db);
  member = { id: m.user.id, username: m.user.username, auth: m.auth };
  const mod = await tokenFor(t.app, t.db, 'moderator');
  moderator = { id: mod.user.id, username: mod.user.username, auth: mod.auth };
  browser = new Browser(t.app);
  const signIn = await browser.submit('/signin', { login: m.user.username, password: m.user.password });
  expect(signIn.statusCode).toBe(303);
});
afterAll(async () => {
  await t?.close();
});

const settings = () => getSettings(t.db);
function poster(id: number): Poster {
  return t.db.select({ id: users.id, role: users.role, reputation: users.reputation, createdAt: users.createdAt }).from(users).where(eq(users.id, id)).get()!;
}
const count = (table: string, where = '1 = 1', ...params: unknown[]) =>
  (t.db.$client.prepare(`select count(*) as n from ${table} where ${where}`).get(...params) as { n: number }).n;
const row = <T>(query: string, ...params: unknown[]) => t.db.$client.prepare(query).get(...params) as T;

function uniqueTitle(prefix = 'How do I fix the router') {
  return `${prefix} (case ${++seq})`;
}
const validBody = () => `The router drops the connection every evening, case ${++seq}.`;

async function ask(auth: Record<string, string>, input: { title?: string; body?: string; tags?: unknown }, headers: Record<string, string> = {}) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/questions',
    headers: { ...auth, ...headers },
    payload: { title: input.title ?? uniqueTitle(), body: input.body ?? validBody(), tags: input.tags ?? ['router'] },
  });
}

async function askOk(input: { title?: string; body?: string; tags?: unknown } = {}, auth = member.auth): Promise<{ id: number; slug: string; url: string }> {
  const response = await ask(auth, input);
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

/** A thread page, following the canonical redirect once. */
async function threadPage(id: number, headers: Record<string, string> = {}) {
  let response = await t.app.inject({ method: 'GET', url: `/questions/${id}`, headers: { ...EN, ...headers } });
  if (response.statusCode === 301) response = await t.app.inject({ method: 'GET', url: String(response.headers.location), headers: { ...EN, ...headers } });
  return response;
}

function expectAppError(run: () => unknown, status: number, code?: string): AppError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).statusCode).toBe(status);
    if (code) expect((error as AppError).code).toBe(code);
    return error as AppError;
  }
  throw new Error(`expected a ${status}`);
}

describe('asking through the API', () => {
  it('answers 201 {id, slug, url} with an absolute URL, and the question reads back as API.md says', async () => {
    const response = await ask(member.auth, {
      title: '  ¿Cómo   reinicio el router Wi-Fi?  ',
      body: 'Se **desconecta** cada noche. Ver [la guía](https://example.com/guia).\n\n```sh\nreboot now\n```',
      tags: ['Router', 'wifi', 'router', ' c++ '],
    });
    expect(response.statusCode).toBe(201);
    const created = response.json();
    expect(Object.keys(created).sort()).toEqual(['id', 'slug', 'url']);
    expect(created.slug).toBe('como-reinicio-el-router-wi-fi');
    expect(created.url).toBe(`${BASE_URL}/questions/${created.id}/como-reinicio-el-router-wi-fi`);

    // Read by its author: a new member's first post with a link is held for review (moderation), hidden from others.
    const read = await t.app.inject({ method: 'GET', url: `/api/v1/questions/${created.id}`, headers: member.auth });
    expect(read.statusCode).toBe(200);
    const q = read.json();
    for (const key of ['id', 'title', 'body', 'bodyHtml', 'tags', 'score', 'viewCount', 'author', 'createdAt', 'status', 'acceptedAnswerId', 'duplicateOfId', 'answers', 'comments']) {
      expect(q, key).toHaveProperty(key);
    }
    expect(q).toMatchObject({
      id: created.id,
      title: '¿Cómo reinicio el router Wi-Fi?',
      tags: ['c++', 'router', 'wifi'],
      score: 0,
      viewCount: 0,
      status: 'open',
      acceptedAnswerId: null,
      duplicateOfId: null,
      answers: [],
      comments: [],
      language: 'es',
      author: { id: member.id, username: member.username, reputation: 1 },
    });
    expect(q.body).toContain('**desconecta**');
    // Rendered once, at write time: Markdown, links with rel, code blocks kept.
    expect(q.bodyHtml).toBe(renderMarkdown(q.body));
    expect(q.bodyHtml).toContain('<strong>desconecta</strong>');
    expect(q.bodyHtml).toContain('<a href="https://example.com/guia" rel="nofollow ugc noopener">la guía</a>');
    expect(q.bodyHtml).toContain('<pre><code class="language-sh">reboot now\n</code></pre>');
    expect(new Date(q.createdAt).toISOString()).toBe(q.createdAt);
    expect(row<{ body_html: string }>('select body_html from questions where id = ?', created.id).body_html).toBe(q.bodyHtml);
  });

  it('keeps the first revision and logs a search change in the same write', async () => {
    const { id } = await askOk({ tags: ['modem', 'billing'] });
    expect(row('select number, author_id as authorId, title, tags, comment from revisions where post_type = ? and post_id = ?', 'question', id)).toMatchObject({
      number: 1,
      authorId: member.id,
      tags: JSON.stringify(['modem', 'billing']),
      comment: null,
    });
    expect(count('search_changes', 'question_id = ?', id)).toBe(1);
  });

  it('needs a sign-in (401) and a body of the right shape (400 naming the field)', async () => {
    expect((await ask({}, {})).statusCode).toBe(401);
    const missing = await t.app.inject({ method: 'POST', url: '/api/v1/questions', headers: member.auth, payload: { title: uniqueTitle(), tags: ['x'] } });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.code).toBe('invalid_input');
    expect(missing.json().error.message).toContain('body');
    const notArray = await ask(member.auth, { tags: { router: true } });
    expect(notArray.statusCode).toBe(400);
    expect(notArray.json().error.message).toContain('tags');
  });

  const title = (n: number) => 'T'.repeat(n);
  const body = (n: number) => 'B'.repeat(n);
  it.each([
    ['title of 14', { title: title(14) }, 'title'],
    ['title of 151', { title: title(151) }, 'title'],
    ['title of spaces', { title: ' '.repeat(40) }, 'title'],
    ['title of 14 after collapsing spaces', { title: '  aaaa    bbbb   cccc  ' }, 'title'],
    ['title of 14 emoji', { title: '😀'.repeat(14) }, 'title'],
    // Issue 16: 16 angry faces are not a question; titles and bodies need letters or digits.
    ['title of 16 emoji (no letters)', { title: '😡'.repeat(16) }, 'title'],
    ['title of 9 letters padded with symbols', { title: 'Router no!!!!!!!!!!!!' }, 'title'],
    ['body of symbols and emoji only', { body: '😡!!! ¿¿¿??? ---- **** 😡😡😡😡😡😡😡😡😡😡' }, 'body'],
    ['body of 29', { body: body(29) }, 'body'],
    ['body of 30,001', { body: body(30_001) }, 'body'],
    ['body of 29 after trimming', { body: `   ${body(29)}\n\n` }, 'body'],
    ['no tags', { tags: [] }, 'tags'],
    ['six tags', { tags: ['a', 'b', 'c', 'd', 'e', 'f'] }, 'tags'],
    ['a tag of 26', { tags: ['t'.repeat(26)] }, 'tags'],
    ['a tag with a space', { tags: ['two words'] }, 'tags'],
    ['a tag with an underscore', { tags: ['snake_case'] }, 'tags'],
    ['a tag with an accent', { tags: ['señal'] }, 'tags'],
    ['a tag with markup', { tags: ['<b>'] }, 'tags'],
    ['an empty tag only', { tags: ['  '] }, 'tags'],
  ])('refuses a %s with 400 naming the field', async (_label, input, field) => {
    const before = count('questions');
    const response = await ask(member.auth, input);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('invalid_input');
    expect(response.json().error.message.toLowerCase()).toContain(field);
    expect(count('questions')).toBe(before);
  });

  it.each([
    ['title of exactly 15', { title: `Fifteen chars${String(++seq % 10)}!`.slice(0, 15) }],
    ['title of exactly 150', { title: `${seq}`.padEnd(150, 'x') }],
    ['title of 15 characters with emoji (characters, not UTF-16 units)', { title: 'Ab12345678 ' + '😀'.repeat(4) }],
    ['title in another script (letters of any script count)', { title: 'Маршрутизатор не работает' }],
    ['body of exactly 30', { body: `${++seq}`.padEnd(30, 'y') }],
    ['body of exactly 30,000', { body: `${++seq}`.padEnd(30_000, 'z') }],
    ['five tags', { tags: ['a', 'b', 'c', 'd', 'e'] }],
    ['a tag of 25', { tags: ['t'.repeat(25)] }],
    ['tags with + # . -', { tags: ['c++', 'c#', '.net', 'wi-fi', 'v1.2'] }],
    ['upper-case tags (lower-cased)', { tags: ['ROUTER'] }],
    ['five tags written six times (duplicates removed)', { tags: ['a', 'b', 'c', 'd', 'e', 'A'] }],
  ])('accepts a %s', async (_label, input) => {
    const response = await ask(member.auth, input);
    expect(response.statusCode, response.body).toBe(201);
    const q = (await t.app.inject({ method: 'GET', url: `/api/v1/questions/${response.json().id}` })).json();
    for (const tag of q.tags) expect(tag).toMatch(/^[a-z0-9+#.-]{1,25}$/);
  });
});

describe('answers and comments through the API', () => {
  it('answers a question: 201 {id}; the thread lists it in the API.md answer shape and counts it', async () => {
    const { id } = await askOk();
    const response = await t.app.inject({ method: 'POST', url: `/api/v1/questions/${id}/answers`, headers: moderator.auth, payload: { body: 'Turn it **off** and on again, then wait.' } });
    expect(response.statusCode).toBe(201);
    expect(Object.keys(response.json())).toEqual(['id']);
    const q = (await t.app.inject({ method: 'GET', url: `/api/v1/questions/${id}` })).json();
    expect(q.answers).toHaveLength(1);
    const answer = q.answers[0];
    for (const key of ['id', 'body', 'bodyHtml', 'score', 'author', 'createdAt', 'accepted', 'official']) expect(answer, key).toHaveProperty(key);
    expect(answer).toMatchObject({ id: response.json().id, body: 'Turn it **off** and on again, then wait.', bodyHtml: '<p>Turn it <strong>off</strong> and on again, then wait.</p>', score: 0, accepted: false, official: false });
    expect(answer.author.username).toBe(moderator.username);
    const summary = (await t.app.inject({ method: 'GET', url: `/api/v1/questions?tag=router&pageSize=50` })).json().items.find((s: { id: number }) => s.id === id);
    expect(summary.answerCount).toBe(1);
    expect(row('select number from revisions where post_type = ? and post_id = ?', 'answer', answer.id)).toEqual({ number: 1 });
  });

  it('refuses an answer to an unknown or deleted question (404) and a short one (400)', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/questions/999999/answers', headers: member.auth, payload: { body: validBody() } })).statusCode).toBe(404);
    const { id } = await askOk();
    const short = await t.app.inject({ method: 'POST', url: `/api/v1/questions/${id}/answers`, headers: member.auth, payload: { body: 'too short' } });
    expect(short.statusCode).toBe(400);
    expect(short.json().error.message).toContain('body');
  });

  it('edits an answer: 200 with the answer, a new revision, re-rendered HTML', async () => {
    const { id } = await askOk();
    const answerId = postAnswer(t.db, poster(member.id), id, { body: 'First version of the answer, long enough.' }, settings()).id;
    const response = await t.app.inject({ method: 'PATCH', url: `/api/v1/answers/${answerId}`, headers: member.auth, payload: { body: 'Second version, with `code` in it.', comment: 'added code' } });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: answerId, body: 'Second version, with `code` in it.', bodyHtml: '<p>Second version, with <code>code</code> in it.</p>' });
    expect(row('select number, comment from revisions where post_type = ? and post_id = ? order by number desc', 'answer', answerId)).toEqual({ number: 2, comment: 'added code' });
  });

  it.each([
    ['14 characters', 'x'.repeat(14), 400],
    ['15 characters', `${++seq}`.padEnd(15, 'c'), 201],
    ['600 characters', `${++seq}`.padEnd(600, 'c'), 201],
    ['601 characters', 'x'.repeat(601), 400],
    ['14 characters once spaces are collapsed', 'abcd     efgh    ijkl', 400],
  ])('a comment of %s → %i', async (_label, text, status) => {
    const { id } = await askOk();
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/comments', headers: member.auth, payload: { postType: 'question', postId: id, body: text } });
    expect(response.statusCode).toBe(status);
    if (status === 201) {
      const q = (await t.app.inject({ method: 'GET', url: `/api/v1/questions/${id}` })).json();
      expect(q.comments.map((c: { id: number }) => c.id)).toEqual([response.json().id]);
    } else {
      expect(response.json().error.message).toContain('body');
      expect(count('comments', 'post_type = ? and post_id = ?', 'question', id)).toBe(0);
    }
  });

  it('a comment on an unknown post is a 404, and an unknown postType a 400', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/comments', headers: member.auth, payload: { postType: 'answer', postId: 999_999, body: 'A perfectly fine comment.' } })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/comments', headers: member.auth, payload: { postType: 'user', postId: 1, body: 'A perfectly fine comment.' } })).statusCode).toBe(400);
  });
});

describe('posting limits', () => {
  beforeAll(() => applySettings(DEFAULT_LIMITS));
  afterAll(() => applySettings(RELAXED));

  async function newMember() {
    return createUser(t.db);
  }

  it('a new member: 30 s between posts, with the seconds left as retryAfter', async () => {
    const user = await newMember();
    const t0 = new Date(user.createdAt.getTime() + 60_000);
    askQuestion(t.db, poster(user.id), { title: uniqueTitle(), body: validBody(), tags: ['limits'] }, settings(), t0);
    const error = expectAppError(
      () => askQuestion(t.db, poster(user.id), { title: uniqueTitle(), body: validBody(), tags: ['limits'] }, settings(), new Date(t0.getTime() + 10_000)),
      429,
      'rate_limited',
    );
    expect(error.retryAfter).toBe(20);
    // Answers and comments count as posts too.
    const answerError = expectAppError(() => postAnswer(t.db, poster(user.id), questionOf(user.id), { body: validBody() }, settings(), new Date(t0.getTime() + 29_000)), 429);
    expect(answerError.retryAfter).toBe(1);
    postAnswer(t.db, poster(user.id), questionOf(user.id), { body: validBody() }, settings(), new Date(t0.getTime() + 30_000));
  });

  function questionOf(userId: number): number {
    return row<{ id: number }>('select id from questions where author_id = ? order by id desc limit 1', userId).id;
  }

  it('a new member: 3 questions in the first day; the 4th is a 429 until a day after the first', async () => {
    const user = await newMember();
    const t0 = user.createdAt.getTime() + 3_600_000;
    for (let i = 0; i < 3; i += 1) askQuestion(t.db, poster(user.id), { title: uniqueTitle(), body: validBody(), tags: ['limits'] }, settings(), new Date(t0 + i * 60_000));
    const fourthAt = t0 + 3 * 60_000;
    const error = expectAppError(() => askQuestion(t.db, poster(user.id), { title: uniqueTitle(), body: validBody(), tags: ['limits'] }, settings(), new Date(fourthAt)), 429);
    expect(error.retryAfter).toBe((t0 + 86_400_000 - fourthAt) / 1000);
    // Answers have their own quota.
    postAnswer(t.db, poster(moderator.id), questionOf(user.id), { body: validBody() }, settings(), new Date(fourthAt));
    postAnswer(t.db, poster(user.id), questionOf(user.id), { body: validBody() }, settings(), new Date(fourthAt + 60_000));
  });

  it('after the first day a member waits only 5 s between posts and has no daily quota', async () => {
    const user = await newMember();
    const t0 = user.createdAt.getTime() + 2 * 86_400_000;
    for (let i = 0; i < 5; i += 1) askQuestion(t.db, poster(user.id), { title: uniqueTitle(), body: validBody(), tags: ['limits'] }, settings(), new Date(t0 + i * 5_000));
    const error = expectAppError(() => askQuestion(t.db, poster(user.id), { title: uniqueTitle(), body: validBody(), tags: ['limits'] }, settings(), new Date(t0 + 4 * 5_000 + 3_000)), 429);
    expect(error.retryAfter).toBe(2);
  });

  it('the same body within 5 minutes is a 409; after 5 minutes it is fine', async () => {
    const user = await newMember();
    const t0 = user.createdAt.getTime() + 2 * 86_400_000;
    const body = validBody();
    askQuestion(t.db, poster(user.id), { title: uniqueTitle(), body, tags: ['limits'] }, settings(), new Date(t0));
    expectAppError(() => askQuestion(t.db, poster(user.id), { title: uniqueTitle(), body, tags: ['limits'] }, settings(), new Date(t0 + 60_000)), 409, 'duplicate_post');
    askQuestion(t.db, poster(user.id), { title: uniqueTitle(), body, tags: ['limits'] }, settings(), new Date(t0 + 5 * 60_000 + 1));
  });

  it('moderators, staff and admins are exempt from every posting limit', async () => {
    for (const role of ['moderator', 'staff', 'admin'] as const) {
      const user = await createUser(t.db, role);
      const at = new Date(user.createdAt.getTime() + 1000);
      const body = validBody();
      for (let i = 0; i < 5; i += 1) askQuestion(t.db, poster(user.id), { title: uniqueTitle(), body, tags: ['limits'] }, settings(), at);
      expect(count('questions', 'author_id = ?', user.id)).toBe(5);
    }
  });

  it('through the API: a 429 with Retry-After and the rate_limited code; a 409 for a duplicate', async () => {
    const { auth } = await tokenFor(t.app, t.db);
    const body = validBody();
    expect((await ask(auth, { body })).statusCode).toBe(201);
    const tooSoon = await ask(auth, {});
    expect(tooSoon.statusCode).toBe(429);
    expect(tooSoon.json().error.code).toBe('rate_limited');
    const retryAfter = Number(tooSoon.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(30);

    const { user: veteran, auth: veteranAuth } = await tokenFor(t.app, t.db);
    t.db.update(users).set({ createdAt: new Date(Date.now() - 3 * 86_400_000) }).where(eq(users.id, veteran.id)).run();
    expect((await ask(veteranAuth, { body })).statusCode).toBe(201);
    t.db.$client.prepare('update questions set created_at = created_at - 10000 where author_id = ?').run(veteran.id);
    const duplicate = await ask(veteranAuth, { body });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().error.code).toBe('duplicate_post');
  });

  it('through the ask form: the form again, with the message, status 429 and Retry-After', async () => {
    const user = await createUser(t.db);
    const visitor = new Browser(t.app);
    expect((await visitor.submit('/signin', { login: user.username, password: user.password })).statusCode).toBe(303);
    const first = await visitor.submit('/questions/ask', { title: uniqueTitle(), body: validBody(), tags: 'limits' });
    expect(first.statusCode).toBe(303);
    const title = uniqueTitle();
    const second = await visitor.submit('/questions/ask', { title, body: validBody(), tags: 'limits' }, { headers: EN });
    expect(second.statusCode).toBe(429);
    expect(Number(second.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(second.body).toContain('You are posting too fast.');
    expect(second.body).toContain(`value="${title}"`);
  });

  it('the per-address limit of posts per minute answers 429 with Retry-After', async () => {
    setSetting(t.db, 'postsPerIpPerMinute', 2);
    setSetting(t.db, 'secondsBetweenPosts', 0);
    setSetting(t.db, 'newMemberSecondsBetweenPosts', 0);
    setSetting(t.db, 'newMemberQuestionsPerDay', 1000);
    try {
      const statuses: number[] = [];
      let last;
      for (let i = 0; i < 3; i += 1) {
        last = await t.app.inject({
          method: 'POST',
          url: '/api/v1/questions',
          remoteAddress: '203.0.113.77',
          headers: moderator.auth,
          payload: { title: uniqueTitle(), body: validBody(), tags: ['limits'] },
        });
        statuses.push(last.statusCode);
      }
      expect(statuses).toEqual([201, 201, 429]);
      expect(Number(last!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(last!.json().error.code).toBe('rate_limited');
    } finally {
      applySettings({ ...DEFAULT_LIMITS, postsPerIpPerMinute: RELAXED.postsPerIpPerMinute });
    }
  });

  it('posting has one budget per address whether through pages or the API: questions, answers and comments together', async () => {
    setSetting(t.db, 'postsPerIpPerMinute', 4);
    setSetting(t.db, 'secondsBetweenPosts', 0);
    setSetting(t.db, 'newMemberSecondsBetweenPosts', 0);
    setSetting(t.db, 'newMemberQuestionsPerDay', 1000);
    try {
      const ip = '203.0.113.78';
      const visitor = new Visitor(t.app, { ip, lang: 'en' });
      const user = await createUser(t.db, 'moderator');
      expect((await visitor.submit('/signin', { login: user.username, password: user.password })).statusCode).toBe(303);
      const viaApi = (url: string, payload: object) => t.app.inject({ method: 'POST', url: `/api/v1${url}`, remoteAddress: ip, headers: moderator.auth, payload });
      const asked = await viaApi('/questions', { title: uniqueTitle(), body: validBody(), tags: ['limits'] });
      expect(asked.statusCode).toBe(201);
      const q = asked.json().id as number;
      expect((await visitor.submit('/questions/ask', { title: uniqueTitle(), body: validBody(), tags: 'limits' })).statusCode).toBe(303);
      expect((await viaApi(`/questions/${q}/answers`, { body: validBody() })).statusCode).toBe(201);
      expect((await visitor.submit('/comments', { postType: 'question', postId: String(q), body: 'A comment on the shared budget.' })).statusCode).toBe(303);
      // Four posts through four different routes: the fifth, through either door, is over the budget.
      const overForm = await visitor.submit(`/questions/${q}/answers`, { body: validBody() }, { headers: EN });
      expect(overForm.statusCode).toBe(429);
      expect(overForm.headers['content-type']).toMatch(/^text\/html/);
      const overApi = await viaApi('/comments', { postType: 'question', postId: q, body: 'One comment too many.' });
      expect(overApi.statusCode).toBe(429);
      expect(overApi.json().error.code).toBe('rate_limited');
    } finally {
      applySettings({ ...DEFAULT_LIMITS, postsPerIpPerMinute: RELAXED.postsPerIpPerMinute });
    }
  });

  it('an ask refused by a limit leaves no question, tag, revision or search change behind', async () => {
    const { auth, user } = await tokenFor(t.app, t.db);
    expect((await ask(auth, {})).statusCode).toBe(201);
    const tables = ['questions', 'tags', 'question_tags', 'revisions', 'search_changes', 'reputation_events'];
    const before = tables.map((table) => count(table));
    const refused = await ask(auth, { tags: ['brand-new-tag-429'] });
    expect(refused.statusCode).toBe(429);
    expect(tables.map((table) => count(table))).toEqual(before);
    expect(count('tags', 'name = ?', 'brand-new-tag-429')).toBe(0);
    expect(count('questions', 'author_id = ?', user.id)).toBe(1);
  });
});

describe('every write is one transaction', () => {
  /** Makes the next write of `table` (matching `when`) fail inside SQLite, after the service has written other rows. */
  function failOn(event: string, when = '1'): () => void {
    t.db.$client.exec(`create temp trigger injected_failure ${event} when ${when} begin select raise(abort, 'injected failure'); end`);
    return () => t.db.$client.exec('drop trigger if exists injected_failure');
  }
  const state = () =>
    JSON.stringify(
      ['questions', 'answers', 'tags', 'question_tags', 'revisions', 'search_changes', 'votes', 'reputation_events', 'comments'].map((table) =>
        t.db.$client.prepare(`select * from ${table}`).all(),
      ).concat([t.db.$client.prepare('select id, reputation from users').all()]),
    );

  it('an ask that fails at its last step leaves nothing: no question, tags, links or revision', () => {
    const before = state();
    const restore = failOn('before insert on search_changes');
    try {
      expect(() => askQuestion(t.db, poster(member.id), { title: uniqueTitle(), body: validBody(), tags: ['never-created-tag'] }, settings())).toThrow(/injected failure/);
    } finally {
      restore();
    }
    expect(state()).toBe(before);
  });

  it('an edit that fails at its last step leaves the question, its tags and its revisions as they were', async () => {
    const { id } = await askOk({ tags: ['alpha', 'beta'] });
    const before = state();
    const restore = failOn('before insert on search_changes');
    try {
      expect(() => editQuestion(t.db, poster(member.id), id, { title: uniqueTitle('A new title'), body: validBody(), tags: ['gamma'] }, settings())).toThrow(/injected failure/);
    } finally {
      restore();
    }
    expect(state()).toBe(before);
  });

  it('an answer that fails at its last step leaves no answer, count or revision', async () => {
    const { id } = await askOk();
    const before = state();
    const restore = failOn('before insert on search_changes');
    try {
      expect(() => postAnswer(t.db, poster(moderator.id), id, { body: validBody() }, settings())).toThrow(/injected failure/);
    } finally {
      restore();
    }
    expect(state()).toBe(before);
  });

  it('a vote or an accept that fails at its last step leaves no vote, score, ledger row or reputation change', async () => {
    const { id } = await askOk();
    const answerId = postAnswer(t.db, poster(moderator.id), id, { body: validBody() }, settings()).id;
    const before = state();
    const restore = failOn('before insert on search_changes');
    try {
      expect(() => castVote(t.db, poster(moderator.id), { postType: 'question', postId: id, value: -1 }, settings())).toThrow(/injected failure/);
      expect(() => acceptAnswer(t.db, poster(member.id), id, answerId, settings())).toThrow(/injected failure/);
    } finally {
      restore();
    }
    expect(state()).toBe(before);
  });

  it('a comment that fails at its last step leaves no comment', async () => {
    const { id } = await askOk();
    const before = state();
    const restore = failOn('before update of last_activity_at on questions');
    try {
      expect(() => addComment(t.db, poster(member.id), { postType: 'question', postId: id, body: 'A comment that will not stay.' }, settings())).toThrow(/injected failure/);
    } finally {
      restore();
    }
    expect(state()).toBe(before);
  });

  it('deleting an accepted answer that fails half-way leaves it accepted, with its reputation, and not deleted', async () => {
    const { id } = await askOk();
    const answerId = postAnswer(t.db, poster(moderator.id), id, { body: validBody() }, settings()).id;
    acceptAnswer(t.db, poster(member.id), id, answerId, settings());
    const before = state();
    const restore = failOn('before update of deleted_at on answers', 'new.deleted_at is not null');
    try {
      expect(() => deleteAnswer(t.db, poster(moderator.id), answerId, settings())).toThrow(/injected failure/);
    } finally {
      restore();
    }
    expect(state()).toBe(before);
    expect(row('select accepted_answer_id as accepted from questions where id = ?', id)).toEqual({ accepted: answerId });
  });
});

describe('the thread page', () => {
  it('shows the thread at its canonical URL, with the title escaped and a canonical link', async () => {
    const { id, slug } = await askOk({ title: 'Router <b>blinks</b> & "drops" Wi-Fi' });
    const page = await t.app.inject({ method: 'GET', url: `/questions/${id}/${slug}`, headers: EN });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Router &lt;b&gt;blinks&lt;/b&gt; &amp; &quot;drops&quot; Wi-Fi</h1>');
    expect(page.body).toContain('<title>Router &lt;b&gt;blinks&lt;/b&gt; &amp; &quot;drops&quot; Wi-Fi');
    expect(page.body).toContain(`<link rel="canonical" href="${BASE_URL}/questions/${id}/${slug}">`);
  });

  it('redirects 301 to the canonical slug when it is missing or wrong, keeping the query string', async () => {
    const { id, slug } = await askOk({ title: 'Where is the WPS button on the router?' });
    expect(slug).toBe('where-is-the-wps-button-on-the-router');
    for (const path of [`/questions/${id}`, `/questions/${id}/wrong-slug`, `/questions/${id}/WHERE-IS-THE-WPS-BUTTON-ON-THE-ROUTER`, `/questions/${id}/${slug}-x`]) {
      const response = await t.app.inject({ method: 'GET', url: path });
      expect(response.statusCode, path).toBe(301);
      expect(response.headers.location).toBe(`/questions/${id}/${slug}`);
    }
    const withQuery = await t.app.inject({ method: 'GET', url: `/questions/${id}/old?utm_source=mail&x=1` });
    expect(withQuery.statusCode).toBe(301);
    expect(withQuery.headers.location).toBe(`/questions/${id}/${slug}?utm_source=mail&x=1`);
  });

  it('after a title edit the old slug redirects to the new one', async () => {
    const { id, slug } = await askOk({ title: 'Old title of this router question' });
    const edit = await t.app.inject({ method: 'PATCH', url: `/api/v1/questions/${id}`, headers: member.auth, payload: { title: 'New title of this router question' } });
    expect(edit.statusCode).toBe(200);
    expect(edit.json().slug).toBe('new-title-of-this-router-question');
    const old = await t.app.inject({ method: 'GET', url: `/questions/${id}/${slug}` });
    expect(old.statusCode).toBe(301);
    expect(old.headers.location).toBe(`/questions/${id}/new-title-of-this-router-question`);
  });

  it('answers 404 for an unknown question, on the page and in the API', async () => {
    for (const path of ['/questions/987654', '/questions/987654/some-slug']) {
      const page = await t.app.inject({ method: 'GET', url: path, headers: EN });
      expect(page.statusCode).toBe(404);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
    }
    const api = await t.app.inject({ method: 'GET', url: '/api/v1/questions/987654' });
    expect(api.statusCode).toBe(404);
    expect(api.json()).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
  });

  it('answers 410 Gone for a deleted question, without redirecting, and drops it from lists and tag counts', async () => {
    const tag = `gone${++seq}`;
    const { id, slug } = await askOk({ tags: [tag] });
    const del = await browser.submit(`/questions/${id}/delete`, {});
    expect(del.statusCode).toBe(303);
    for (const path of [`/questions/${id}`, `/questions/${id}/${slug}`, `/questions/${id}/other`]) {
      // Gone, not just missing: search engines drop it at once (src/features/feeds, issue 17).
      expect((await t.app.inject({ method: 'GET', url: path })).statusCode, path).toBe(410);
    }
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/questions/${id}` })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: `/posts/question/${id}/revisions` })).statusCode).toBe(404);
    const list = (await t.app.inject({ method: 'GET', url: `/api/v1/questions?tag=${tag}` })).json();
    expect(list).toEqual({ items: [], page: 1, pageSize: 20, total: 0 });
    expect((await t.app.inject({ method: 'GET', url: '/tags', headers: EN })).body).not.toContain(`>${tag}</a>`);
  });

  it('lists answers accepted first, then by score, then oldest first', async () => {
    const { id } = await askOk();
    const at = (s: number) => new Date(Date.now() + s * 1000);
    const authors = await Promise.all([createUser(t.db), createUser(t.db), createUser(t.db)]);
    const [old, high, accepted] = authors.map((a, i) => postAnswer(t.db, poster(a.id), id, { body: validBody() }, settings(), at(i)).id);
    const voter = await createUser(t.db, 'moderator');
    castVote(t.db, poster(voter.id), { postType: 'answer', postId: high, value: 1 }, settings());
    acceptAnswer(t.db, poster(member.id), id, accepted, settings());
    const q = (await t.app.inject({ method: 'GET', url: `/api/v1/questions/${id}` })).json();
    expect(q.answers.map((a: { id: number }) => a.id)).toEqual([accepted, high, old]);
    expect(q.answers.map((a: { accepted: boolean }) => a.accepted)).toEqual([true, false, false]);
    const page = (await threadPage(id)).body;
    expect(page.indexOf(`id="answer-${accepted}"`)).toBeLessThan(page.indexOf(`id="answer-${high}"`));
    expect(page.indexOf(`id="answer-${high}"`)).toBeLessThan(page.indexOf(`id="answer-${old}"`));
    expect(page).toContain('badge-accepted');
  });

  it('shows comments as escaped text', async () => {
    const { id } = await askOk();
    const posted = await t.app.inject({ method: 'POST', url: '/api/v1/comments', headers: member.auth, payload: { postType: 'question', postId: id, body: 'See <b>this</b> & <script>x()</script>' } });
    expect(posted.statusCode).toBe(201);
    const page = (await threadPage(id)).body;
    expect(page).toContain('See &lt;b&gt;this&lt;/b&gt; &amp; &lt;script&gt;x()&lt;/script&gt;');
  });
});

describe('lists', () => {
  const SUMMARY_KEYS = ['answerCount', 'author', 'createdAt', 'hasAcceptedAnswer', 'id', 'lastActivityAt', 'score', 'slug', 'tags', 'title', 'url', 'viewCount'];
  const tag = `listing${process.pid}`;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    // Four questions with a tag of their own, asked a minute apart a month ago (explicit times, never the clock).
    const start = Date.now() - 30 * 86_400_000;
    const at = (minutes: number) => new Date(start + minutes * 60_000);
    for (const [i, name] of ['first', 'second', 'third', 'fourth'].entries()) {
      ids[name] = askQuestion(t.db, poster(moderator.id), { title: uniqueTitle(`Listing question ${name}`), body: validBody(), tags: [tag, i % 2 ? 'odd' : 'even'] }, settings(), at(i)).id;
    }
    // "first" gets the latest activity (an answer), "third" the best score, "second" an accepted answer.
    const answerer = await createUser(t.db);
    const accepted = postAnswer(t.db, poster(answerer.id), ids.second, { body: validBody() }, settings(), at(5)).id;
    acceptAnswer(t.db, poster(moderator.id), ids.second, accepted, settings(), at(6));
    postAnswer(t.db, poster(answerer.id), ids.first, { body: validBody() }, settings(), at(10));
    const voter = await createUser(t.db);
    t.db.transaction((tx) => record(tx, [{ userId: voter.id, delta: 500, reason: 'test_grant' }], new Date()));
    castVote(t.db, poster(voter.id), { postType: 'question', postId: ids.third, value: 1 }, settings(), at(7));
    castVote(t.db, poster(voter.id), { postType: 'question', postId: ids.fourth, value: -1 }, settings(), at(7));
  });

  const list = async (query: string) => {
    const response = await t.app.inject({ method: 'GET', url: `/api/v1/questions?tag=${tag}&${query}` });
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as { items: { id: number }[]; page: number; pageSize: number; total: number };
  };
  const order = (items: { id: number }[]) => items.map((item) => Object.entries(ids).find(([, id]) => id === item.id)?.[0]);

  it('has the shape {items, page, pageSize, total}, and summaries with exactly the API.md fields', async () => {
    const response = await list('');
    expect(Object.keys(response).sort()).toEqual(['items', 'page', 'pageSize', 'total']);
    expect(response).toMatchObject({ page: 1, pageSize: 20, total: 4 });
    for (const item of response.items) expect(Object.keys(item).sort()).toEqual(SUMMARY_KEYS);
    const second = response.items.find((item) => item.id === ids.second)!;
    expect(second).toMatchObject({
      id: ids.second,
      answerCount: 1,
      hasAcceptedAnswer: true,
      score: 0,
      viewCount: 0,
      tags: [tag, 'odd'].sort(),
      author: { id: moderator.id, username: moderator.username },
    });
    expect((second as unknown as { url: string }).url).toMatch(new RegExp(`^${BASE_URL}/questions/${ids.second}/listing-question-second`));
  });

  // Activity: "first" was answered at minute 10, "second" answered and accepted at 5 and 6; votes are not activity.
  it.each([
    ['newest', ['fourth', 'third', 'second', 'first']],
    ['active', ['first', 'second', 'fourth', 'third']],
    ['votes', ['third', 'second', 'first', 'fourth']],
    ['unanswered', ['fourth', 'third']],
  ])('sort=%s', async (sort, expected) => {
    const response = await list(`sort=${sort}`);
    expect(order(response.items)).toEqual(expected);
    expect(response.total).toBe(expected.length);
  });

  it('filters by tag, ignoring case; an unknown tag gives an empty list', async () => {
    const upper = await t.app.inject({ method: 'GET', url: `/api/v1/questions?tag=${tag.toUpperCase()}` });
    expect(upper.json().total).toBe(4);
    const none = await t.app.inject({ method: 'GET', url: '/api/v1/questions?tag=no-such-tag-here' });
    expect(none.json()).toEqual({ items: [], page: 1, pageSize: 20, total: 0 });
  });

  it('pages: pageSize up to 50, pages beyond the end are empty, nonsense pages are page 1', async () => {
    const p1 = await list('pageSize=3&page=1');
    const p2 = await list('pageSize=3&page=2');
    expect(p1).toMatchObject({ page: 1, pageSize: 3, total: 4 });
    expect(p1.items).toHaveLength(3);
    expect(p2.items).toHaveLength(1);
    expect(new Set([...p1.items, ...p2.items].map((i) => i.id)).size).toBe(4);
    expect((await list('pageSize=3&page=99')).items).toEqual([]);
    expect((await list('page=abc')).page).toBe(1);
    expect((await list('page=-4')).page).toBe(1);
    expect((await list('pageSize=50')).pageSize).toBe(50);
    for (const bad of ['pageSize=51', 'pageSize=0', 'pageSize=x', 'sort=oldest']) {
      const response = await t.app.inject({ method: 'GET', url: `/api/v1/questions?${bad}` });
      expect(response.statusCode, bad).toBe(400);
      expect(response.json().error.code).toBe('invalid_input');
    }
  });

  it('the HTML list sorts, filters by tag and marks the current sort', async () => {
    const page = await t.app.inject({ method: 'GET', url: `/questions?sort=votes&tag=${tag}`, headers: EN });
    expect(page.statusCode).toBe(200);
    const positions = ['third', 'second', 'first', 'fourth'].map((name) => page.body.indexOf(`href="/questions/${ids[name]}/`));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(page.body).toMatch(new RegExp(`<a href="/questions\\?sort=votes&amp;tag=${tag}" aria-current="page">Votes</a>`));
    expect(page.body).toContain(`Questions tagged “${tag}”`);
    expect(page.body).toContain('4 questions');
    const empty = await t.app.inject({ method: 'GET', url: '/questions?tag=no-such-tag-here', headers: EN });
    expect(empty.statusCode).toBe(200);
    expect(empty.body).toContain('No questions here yet.');
    // Issue 16: an unknown sort falls back to the default order instead of a 400.
    expect((await t.app.inject({ method: 'GET', url: '/questions?sort=oldest' })).statusCode).toBe(200);
  });

  it('/tags lists every tag in use with its number of questions', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/tags', headers: EN });
    expect(page.statusCode).toBe(200);
    // Issue 16: a tag in the list leads to its own page (description, questions, top answerers).
    expect(page.body).toContain(`<a class="tag" href="/tags/${tag}">${tag}</a> <span class="tag-count">4 questions</span>`);
    expect(page.body).toMatch(/<a class="tag" href="\/tags\/router">router<\/a> <span class="tag-count">\d+ questions<\/span>/);
  });
});

describe('the ask form', () => {
  it('sends a visitor to sign in first and back to the form', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/questions/ask' });
    expect(response.statusCode).toBe(303);
    const location = new URL(String(response.headers.location), 'http://x');
    expect(location.pathname).toBe('/signin');
    expect(location.searchParams.get('next')).toBe('/questions/ask');
  });

  it('shows a member the title first (search before you ask), then the whole form with its CSRF field', async () => {
    const step1 = await browser.get('/questions/ask', EN);
    expect(step1.statusCode).toBe(200);
    expect(step1.body).toContain('<form action="/questions/ask" method="get"');
    expect(step1.body).toContain('name="title"');
    const step2 = await browser.get(`/questions/ask?title=${encodeURIComponent('My router <keeps> rebooting')}`, EN);
    expect(step2.statusCode).toBe(200);
    expect(step2.body).toContain('<form action="/questions/ask" method="post"');
    expect(step2.body).toMatch(/<input type="hidden" name="_csrf" value="[^"]+">/);
    expect(step2.body).toContain('value="My router &lt;keeps&gt; rebooting"');
    expect(step2.body).toContain('name="preview" value="1"');
  });

  it('keeps the title through sign-in for a visitor who started asking', async () => {
    const response = await t.app.inject({ method: 'GET', url: `/questions/ask?title=${encodeURIComponent('Router keeps rebooting')}` });
    expect(response.statusCode).toBe(303);
    const location = new URL(String(response.headers.location), 'http://x');
    expect(location.pathname).toBe('/signin');
    expect(location.searchParams.get('next')).toBe('/questions/ask?title=Router%20keeps%20rebooting');
  });

  it('previews without JavaScript: the rendered Markdown, the values kept, and nothing created', async () => {
    const tables = ['questions', 'tags', 'revisions', 'search_changes'];
    const before = tables.map((table) => count(table));
    const title = 'Preview <this> title please';
    const response = await browser.submit('/questions/ask', { title, body: 'Some **bold** text and <script>alert(1)</script> [x](javascript:alert(1))', tags: 'preview-only-tag', preview: '1' }, { headers: EN });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('<div class="post-body"><p>Some <strong>bold</strong> text and  <a rel="nofollow ugc noopener">x</a></p></div>');
    expect(response.body).toContain('value="Preview &lt;this&gt; title please"');
    expect(response.body).toContain('Some **bold** text and &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(response.body).toContain('value="preview-only-tag"');
    expect(tables.map((table) => count(table))).toEqual(before);
    expect(count('tags', 'name = ?', 'preview-only-tag')).toBe(0);
  });

  it('shows the form again with the error next to the field (400) and creates nothing', async () => {
    const before = count('questions');
    const response = await browser.submit('/questions/ask', { title: 'short', body: validBody(), tags: 'router' }, { headers: EN });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('Titles have 15 to 150 characters.');
    expect(response.body).toContain('aria-invalid="true"');
    expect(count('questions')).toBe(before);
  });

  it('posts the question and redirects 303 to its thread; tags may be separated by spaces or commas', async () => {
    const title = uniqueTitle('Asked through the HTML form');
    const response = await browser.submit('/questions/ask', { title, body: validBody(), tags: 'Router, wifi  modem' });
    expect(response.statusCode).toBe(303);
    const match = /^\/questions\/(\d+)\/asked-through-the-html-form-case-\d+$/.exec(String(response.headers.location));
    expect(match).not.toBeNull();
    const q = (await t.app.inject({ method: 'GET', url: `/api/v1/questions/${match![1]}` })).json();
    expect(q.title).toBe(title);
    expect(q.tags).toEqual(['modem', 'router', 'wifi']);
  });

  it('refuses a form post without its CSRF token (403) and creates nothing', async () => {
    const before = count('questions');
    const response = await browser.submit('/questions/ask', { title: uniqueTitle(), body: validBody(), tags: 'router' }, { csrf: null });
    expect(response.statusCode).toBe(403);
    expect(count('questions')).toBe(before);
  });
});

describe('revisions', () => {
  it('keeps a revision for every edit, with its author and comment; the history page shows the diff', async () => {
    const { id } = await askOk({ title: 'Router light is blinking red', body: 'The light on the router blinks red since Monday.', tags: ['router', 'light'] });
    const first = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/questions/${id}`,
      headers: member.auth,
      payload: { title: 'Router light is blinking orange', body: 'The light on the router blinks orange since Tuesday.', tags: ['router', 'led'], comment: 'Corrected the colour' },
    });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ title: 'Router light is blinking orange', tags: ['led', 'router'] });
    // Someone else with the privilege (a moderator) edits too.
    const second = await t.app.inject({ method: 'PATCH', url: `/api/v1/questions/${id}`, headers: moderator.auth, payload: { body: 'The light on the router blinks orange since Tuesday night.' } });
    expect(second.statusCode).toBe(200);

    const revisions = t.db.$client.prepare('select number, author_id as authorId, title, comment, tags from revisions where post_type = ? and post_id = ? order by number').all('question', id);
    expect(revisions).toEqual([
      { number: 1, authorId: member.id, title: 'Router light is blinking red', comment: null, tags: '["router","light"]' },
      { number: 2, authorId: member.id, title: 'Router light is blinking orange', comment: 'Corrected the colour', tags: '["router","led"]' },
      { number: 3, authorId: moderator.id, title: 'Router light is blinking orange', comment: null, tags: '["led","router"]' },
    ]);

    const page = await t.app.inject({ method: 'GET', url: `/posts/question/${id}/revisions`, headers: EN });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<del>red</del>');
    expect(page.body).toContain('<ins>orange</ins>');
    expect(page.body).toMatch(/<del>Monday\.?<\/del>/);
    expect(page.body).toContain('<ins>led</ins>');
    expect(page.body).toContain('<del>light</del>');
    expect(page.body).toContain('Corrected the colour');
    expect(page.body).toContain('No edit summary');
    expect(page.body).toContain('Revision 3');
    expect(page.body).toContain('Revision 2');
    expect(page.body).toContain('Original');
    expect(page.body).toContain(`href="/users/${moderator.username}"`);
    expect(page.body).toContain(`href="/users/${member.username}"`);
    // Newest first.
    expect(page.body.indexOf('Revision 3')).toBeLessThan(page.body.indexOf('Revision 2'));
  });

  it('an edit that changes nothing keeps no revision', async () => {
    const { id } = await askOk({ tags: ['router'] });
    const q = (await t.app.inject({ method: 'GET', url: `/api/v1/questions/${id}` })).json();
    const same = await t.app.inject({ method: 'PATCH', url: `/api/v1/questions/${id}`, headers: member.auth, payload: { title: q.title, body: q.body, tags: ['ROUTER'] } });
    expect(same.statusCode).toBe(200);
    expect(count('revisions', 'post_type = ? and post_id = ?', 'question', id)).toBe(1);
  });

  it('an edit summary over 300 characters is a 400 and changes nothing', async () => {
    const { id } = await askOk();
    const response = await t.app.inject({ method: 'PATCH', url: `/api/v1/questions/${id}`, headers: member.auth, payload: { body: validBody(), comment: 'x'.repeat(301) } });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toContain('comment');
    expect(count('revisions', 'post_type = ? and post_id = ?', 'question', id)).toBe(1);
  });

  it('answers have their history page too, through the edit form', async () => {
    const { id } = await askOk();
    const answerId = postAnswer(t.db, poster(member.id), id, { body: 'Unplug the router for ten seconds.' }, settings()).id;
    const edit = await browser.submit(`/answers/${answerId}/edit`, { body: 'Unplug the router for thirty seconds.', comment: 'longer wait' });
    expect(edit.statusCode).toBe(303);
    expect(edit.headers.location).toMatch(new RegExp(`^/questions/${id}/[a-z0-9-]+#answer-${answerId}$`));
    const page = await t.app.inject({ method: 'GET', url: `/posts/answer/${answerId}/revisions`, headers: EN });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<del>ten</del>');
    expect(page.body).toContain('<ins>thirty</ins>');
    expect(page.body).toContain('longer wait');
    expect((await t.app.inject({ method: 'GET', url: '/posts/answer/999999/revisions' })).statusCode).toBe(404);
    // Issue 16: an address that names no page is a 404 page, not a 400.
    expect((await t.app.inject({ method: 'GET', url: '/posts/comment/1/revisions' })).statusCode).toBe(404);
  });

  it('the history page escapes what it shows', async () => {
    const { id } = await askOk({ title: 'Harmless title for this one', body: 'Original body text, long enough for the rule.' });
    await t.app.inject({ method: 'PATCH', url: `/api/v1/questions/${id}`, headers: member.auth, payload: { title: 'Title with <img src=x onerror=alert(1)> in it', body: 'Body with <script>alert(1)</script> in it, long enough.', comment: '<b>bold</b> summary' } });
    const page = await t.app.inject({ method: 'GET', url: `/posts/question/${id}/revisions`, headers: EN });
    expect(page.body).not.toContain('<img src=x');
    expect(page.body).toContain('&lt;script&gt;');
    expect(page.body).toContain('&lt;b&gt;bold&lt;/b&gt; summary');
    expect(page.body.toLowerCase().split('<script').length - 1).toBe(1); // the layout's own script only
  });
});

describe('view counts', () => {
  it('counts a visitor once an hour, never a bot or a request without a user agent, and writes in batches', async () => {
    const a = (await askOk()).id;
    const b = (await askOk()).id;
    const counter = new ViewCounter(t.db, 1_000_000_000, 1000);
    const now = Date.now();
    expect(counter.count(a, 'visitor-1', BROWSER_UA, now)).toBe(true);
    expect(counter.count(a, 'visitor-1', BROWSER_UA, now + 59 * 60_000)).toBe(false);
    expect(counter.count(a, 'visitor-2', BROWSER_UA, now + 1000)).toBe(true);
    expect(counter.count(b, 'visitor-1', BROWSER_UA, now + 2000)).toBe(true);
    expect(counter.count(a, 'visitor-1', BROWSER_UA, now + 60 * 60_000)).toBe(true);
    for (const bot of ['Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', 'curl/8.5.0', 'python-requests/2.31', 'Mozilla/5.0 (compatible; bingbot/2.0)']) {
      expect(counter.count(a, `bot-${bot}`, bot, now), bot).toBe(false);
    }
    expect(counter.count(a, 'no-agent', undefined, now)).toBe(false);
    expect(counter.count(a, 'empty-agent', '', now)).toBe(false);
    expect(counter.pendingFor(a)).toBe(3);
    expect(counter.pendingFor(b)).toBe(1);

    // Nothing is written until the flush, which writes every pending count at once.
    const views = (id: number) => row<{ v: number }>('select view_count as v from questions where id = ?', id).v;
    expect([views(a), views(b)]).toEqual([0, 0]);
    counter.flush();
    expect([views(a), views(b)]).toEqual([3, 1]);
    expect(counter.pendingFor(a)).toBe(0);
    counter.flush();
    expect([views(a), views(b)]).toEqual([3, 1]);
    const api = (await t.app.inject({ method: 'GET', url: `/api/v1/questions/${a}` })).json();
    expect(api.viewCount).toBe(3);
  });

  it('flushes by itself once enough questions have pending views, and on stop', async () => {
    const ids = [(await askOk()).id, (await askOk()).id, (await askOk()).id];
    const counter = new ViewCounter(t.db, 1_000_000_000, 2);
    const views = (id: number) => row<{ v: number }>('select view_count as v from questions where id = ?', id).v;
    counter.count(ids[0], 'v', BROWSER_UA);
    expect(views(ids[0])).toBe(0);
    counter.count(ids[1], 'v', BROWSER_UA);
    expect([views(ids[0]), views(ids[1])]).toEqual([1, 1]);
    counter.count(ids[2], 'v', BROWSER_UA);
    expect(views(ids[2])).toBe(0);
    counter.stop();
    expect(views(ids[2])).toBe(1);
  });

  it('through the thread page: a bot adds nothing, a person counts once, another person counts again', async () => {
    const { id, slug } = await askOk();
    const view = (headers: Record<string, string>, remoteAddress = '198.51.100.1') =>
      t.app.inject({ method: 'GET', url: `/questions/${id}/${slug}`, remoteAddress, headers: { ...EN, ...headers } });
    expect((await view({ 'user-agent': 'Googlebot/2.1 (+http://www.google.com/bot.html)' })).body).toContain('0 views');
    expect((await view({ 'user-agent': BROWSER_UA })).body).toContain('1 view<');
    expect((await view({ 'user-agent': BROWSER_UA })).body).toContain('1 view<');
    expect((await view({ 'user-agent': BROWSER_UA }, '198.51.100.2')).body).toContain('2 views');
    // A signed-in member counts once, whatever address they come from.
    await browser.get(`/questions/${id}/${slug}`, { ...EN, 'user-agent': BROWSER_UA });
    const again = await browser.get(`/questions/${id}/${slug}`, { ...EN, 'user-agent': BROWSER_UA });
    expect(again.body).toContain('3 views');
    // A redirect is not a view.
    expect((await t.app.inject({ method: 'GET', url: `/questions/${id}`, remoteAddress: '198.51.100.4', headers: { 'user-agent': BROWSER_UA } })).statusCode).toBe(301);
    expect((await view({ 'user-agent': 'Googlebot/2.1' })).body).toContain('3 views');
  });

  it('every page showing the thread shows the same count, the pending views included', async () => {
    const { id, slug } = await askOk();
    const viewed = await browser.get(`/questions/${id}/${slug}`, { ...EN, 'user-agent': BROWSER_UA });
    expect(viewed.body).toContain('1 view<');
    // A comment that is too short shows the thread again, from the comments feature.
    const refused = await browser.submit('/comments', { postType: 'question', postId: String(id), body: 'short' }, { headers: EN });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('1 view<');
    // And the counter is the app's: flushing it writes the view.
    t.app.viewCounter!.flush();
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/questions/${id}` })).json().viewCount).toBe(1);
  });
});
