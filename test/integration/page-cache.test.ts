// The signed-out page cache (src/plugins/page-cache.ts) through app.inject on a real SQLite file: kept pages
// are served with each visitor's own CSRF token, gzipped when asked, never to a signed-in member, dropped as
// soon as content changes, and per-visitor effects (view counts, deflection events) still happen.
import zlib from 'node:zlib';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { questions, users } from '../../src/db/schema.ts';
import { postAnswer } from '../../src/features/answers/service.ts';
import { askQuestion, editQuestion } from '../../src/features/questions/service.ts';
import { BROWSER_USER_AGENT, Browser, buildTestApp, createUser, loginAs, type TestApp } from '../helper.ts';
import { csrfFrom } from '../fixtures/hostile.ts';

let t: TestApp;
let thread: { id: number; slug: string; url: string };
const EN = { 'accept-language': 'en' };
const PERSON = { ...EN, 'user-agent': BROWSER_USER_AGENT };
const CRAWLER = { ...EN, 'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' };
const TOKEN = /<meta name="csrf-token" content="([^"]*)">/;

const withoutTokens = (html: string) => html.replace(/(name="csrf-token" content="|name="_csrf" value=")[^"]*"/g, '$1"');
const setCookies = (response: { headers: Record<string, unknown> }) => [response.headers['set-cookie'] ?? []].flat() as string[];
const eventKinds = () => (t.app.deflectionEvents.flush(), t.db.$client.prepare('select kind from deflection_events order by id').all() as { kind: string }[]).map((row) => row.kind);

beforeAll(async () => {
  t = await buildTestApp();
  const author = await createUser(t.db, 'member');
  const poster = t.db.select({ id: users.id, role: users.role, reputation: users.reputation, createdAt: users.createdAt }).from(users).where(eq(users.id, author.id)).get()!;
  thread = askQuestion(t.db, poster, { title: 'The modem light blinks orange after the storm', body: 'Since the storm the modem light blinks orange and nothing loads at all.', tags: ['modem'] }, t.app.settings());
});

afterAll(async () => {
  await t.close();
});

describe('signed-out pages', () => {
  it('are kept: a change the change log does not know of is not seen, a logged write is seen at once', async () => {
    const first = await t.app.inject({ method: 'GET', url: '/', headers: PERSON });
    expect(first.body).toContain('The modem light blinks orange after the storm');
    // Behind the app's back (no change-log row): the kept page does not know.
    t.db.update(questions).set({ title: 'Changed behind the cache, without the change log' }).where(eq(questions.id, thread.id)).run();
    const kept = await t.app.inject({ method: 'GET', url: '/', headers: PERSON });
    expect(kept.body).toContain('The modem light blinks orange after the storm');
    expect(withoutTokens(kept.body)).toBe(withoutTokens(first.body));
    // Any write of the app appends to the change log: the next view is rendered again.
    const member = await createUser(t.db, 'member');
    const poster = t.db.select({ id: users.id, role: users.role, reputation: users.reputation, createdAt: users.createdAt }).from(users).where(eq(users.id, member.id)).get()!;
    askQuestion(t.db, poster, { title: 'The router forgets its settings every night', body: 'Every night the router forgets its settings and I have to configure it again.', tags: ['router'] }, t.app.settings());
    const fresh = await t.app.inject({ method: 'GET', url: '/', headers: PERSON });
    expect(fresh.body).toContain('The router forgets its settings every night');
    expect(fresh.body).toContain('Changed behind the cache, without the change log');
    t.db.update(questions).set({ title: 'The modem light blinks orange after the storm' }).where(eq(questions.id, thread.id)).run();
  });

  it('sees a write of another process (a row in the change log) within a moment', async () => {
    await t.app.inject({ method: 'GET', url: '/questions', headers: PERSON });
    t.db.update(questions).set({ title: 'Renamed by another process' }).where(eq(questions.id, thread.id)).run();
    t.db.$client.prepare('insert into search_changes (question_id, created_at) values (?, ?)').run(thread.id, Date.now());
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await t.app.inject({ method: 'GET', url: '/questions', headers: PERSON })).body).toContain('Renamed by another process');
    t.db.update(questions).set({ title: 'The modem light blinks orange after the storm' }).where(eq(questions.id, thread.id)).run();
    t.db.$client.prepare('insert into search_changes (question_id, created_at) values (?, ?)').run(thread.id, Date.now());
  });

  it('give every visitor a CSRF token of their own, which their form is accepted with', async () => {
    const one = new Browser(t.app);
    const two = new Browser(t.app);
    const pageOne = await one.get('/', PERSON);
    const pageTwo = await two.get('/', PERSON);
    const tokenOne = TOKEN.exec(pageOne.body)![1];
    const tokenTwo = TOKEN.exec(pageTwo.body)![1];
    expect(tokenOne).not.toBe('');
    expect(tokenOne).not.toBe(tokenTwo);
    expect(pageOne.body).not.toContain('\uE000');
    // Every form of the page carries the same token as the meta tag.
    for (const match of pageOne.body.matchAll(/name="_csrf" value="([^"]*)"/g)) expect(match[1]).toBe(tokenOne);
    // The token works, and another visitor's does not.
    const switched = await one.submit('/language', { lang: 'es', next: '/' }, { csrf: tokenOne });
    expect(switched.statusCode).toBe(303);
    const refused = await two.submit('/language', { lang: 'es', next: '/' }, { csrf: tokenOne });
    expect(refused.statusCode).toBe(403);
  });

  it('give a returning visitor one token per secret on kept pages (never compressed with the page), still accepted', async () => {
    const visitor = new Browser(t.app);
    await visitor.get(thread.url, PERSON); // first visit: a new secret
    const gzip = { ...PERSON, 'accept-encoding': 'gzip' };
    const pages = [await visitor.get(thread.url, gzip), await visitor.get(thread.url, gzip), await visitor.get(thread.url, PERSON)];
    const tokens = pages.map((page) => csrfFrom(page.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(page.rawPayload).toString('utf8') : page.body));
    expect(new Set(tokens).size).toBe(1);
    expect(pages.every((page) => setCookies(page).length === 0)).toBe(true);
    expect((await visitor.submit('/language', { lang: 'en', next: '/' }, { csrf: tokens[0] })).statusCode).toBe(303);
    // Another visitor's kept pages carry another token, which this visitor cannot use.
    const other = new Browser(t.app);
    await other.get(thread.url, PERSON);
    const otherToken = csrfFrom((await other.get(thread.url, PERSON)).body);
    expect(otherToken).not.toBe(tokens[0]);
    expect((await visitor.submit('/language', { lang: 'en', next: '/' }, { csrf: otherToken })).statusCode).toBe(403);
  });

  it('never keep a token for a forged or tampered secret cookie: each such request gets a new secret', async () => {
    const visitor = new Browser(t.app);
    await visitor.get(thread.url, PERSON);
    const name = [...visitor.cookies.keys()].find((key) => key.includes('csrf'))!;
    const genuine = visitor.cookies.get(name)!;
    const forged = `${genuine.slice(0, -4)}AAAA`;
    for (let i = 0; i < 2; i++) {
      const response = await t.app.inject({ method: 'GET', url: thread.url, headers: { ...PERSON, cookie: `${name}=${forged}` } });
      expect(response.statusCode).toBe(200);
      const minted = setCookies(response).find((cookie) => cookie.startsWith(`${name}=`));
      expect(minted, 'a new secret replaces the forged one').toBeDefined();
      expect(minted).not.toContain(forged);
    }
    expect(t.app.keptCsrfTokens.has(forged)).toBe(false);
    // With the forged cookie and the token its page carried, a form is refused.
    const page = await t.app.inject({ method: 'GET', url: thread.url, headers: { ...PERSON, cookie: `${name}=${forged}` } });
    const refused = await t.app.inject({
      method: 'POST',
      url: '/language',
      payload: new URLSearchParams({ lang: 'en', next: '/', _csrf: csrfFrom(page.body) }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `${name}=${forged}` },
    });
    expect(refused.statusCode).toBe(403);
  });

  it('are kept per language', async () => {
    const english = await t.app.inject({ method: 'GET', url: '/', headers: { ...PERSON, 'accept-language': 'en' } });
    const spanish = await t.app.inject({ method: 'GET', url: '/', headers: { ...PERSON, 'accept-language': 'es' } });
    expect(english.body).toContain('<html lang="en">');
    expect(spanish.body).toContain('<html lang="es">');
    expect((await t.app.inject({ method: 'GET', url: '/', headers: { ...PERSON, 'accept-language': 'en' } })).body).toContain('<html lang="en">');
  });

  it('come gzipped to a client that accepts it, with the same page and a working token inside', async () => {
    const visitor = new Browser(t.app);
    const plain = await visitor.get(thread.url, PERSON);
    const gzipped = await visitor.get(thread.url, { ...PERSON, 'accept-encoding': 'gzip, deflate, br' });
    expect(gzipped.statusCode).toBe(200);
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(String(gzipped.headers.vary)).toContain('Accept-Encoding');
    expect(plain.headers['content-encoding']).toBeUndefined();
    const html = zlib.gunzipSync(gzipped.rawPayload).toString('utf8');
    expect(Number(gzipped.headers['content-length'])).toBe(gzipped.rawPayload.length);
    expect(gzipped.rawPayload.length).toBeLessThan(Buffer.byteLength(html) / 2);
    expect(withoutTokens(html)).toBe(withoutTokens(plain.body));
    const token = csrfFrom(html);
    expect(token).not.toBe(csrfFrom(plain.body)); // a token per response, the same secret
    expect((await visitor.submit('/language', { lang: 'es', next: '/' }, { csrf: token })).statusCode).toBe(303);
    // gzip refused explicitly (q=0) or not offered: plain.
    for (const acceptEncoding of ['gzip;q=0, br', 'br', 'identity']) {
      const response = await t.app.inject({ method: 'GET', url: thread.url, headers: { ...PERSON, 'accept-encoding': acceptEncoding } });
      expect(response.headers['content-encoding']).toBeUndefined();
      expect(response.body).toContain('<html lang="en">');
    }
  });

  it('carry the same security headers from the cache as when rendered', async () => {
    const url = '/tags';
    const rendered = await t.app.inject({ method: 'GET', url, headers: PERSON });
    const kept = await t.app.inject({ method: 'GET', url, headers: PERSON });
    for (const name of ['content-security-policy', 'x-frame-options', 'x-content-type-options', 'referrer-policy', 'cross-origin-opener-policy', 'cache-control', 'vary', 'content-type']) {
      expect(kept.headers[name], name).toBeDefined();
      expect(kept.headers[name], name).toBe(rendered.headers[name]);
    }
    expect(kept.headers['cache-control']).toBe('private, no-cache');
  });
});

describe('a write', () => {
  it('drops only what it changes: its thread and the lists it is on, not other threads', async () => {
    const member = await createUser(t.db, 'member');
    const poster = t.db.select({ id: users.id, role: users.role, reputation: users.reputation, createdAt: users.createdAt }).from(users).where(eq(users.id, member.id)).get()!;
    const other = askQuestion(t.db, poster, { title: 'The printer prints blank pages since Monday', body: 'Since Monday every page comes out of the printer blank, the ink is full.', tags: ['printer'] }, t.app.settings());
    const get = (url: string) => t.app.inject({ method: 'GET', url, headers: PERSON });
    await get(thread.url);
    await get(other.url);
    await get('/questions?tag=modem');
    await get('/questions?tag=printer');
    // Behind the app's back (no change-log row): only a new rendering shows it.
    t.db.update(questions).set({ title: 'Modem renamed behind the cache' }).where(eq(questions.id, thread.id)).run();
    // A logged write on the printer thread (an edit by its author).
    editQuestion(t.db, poster, other.id, { title: 'The printer prints blank pages since Monday', body: 'Since Monday every page comes out of the printer blank, and the ink is full.', tags: 'printer' }, t.app.settings());
    const renders = () => t.app.pageCache.stats.renders;
    const before = renders();
    expect((await get(other.url)).body).toContain('and the ink is full');
    await get('/questions?tag=printer');
    expect(renders()).toBe(before + 2);
    // The modem thread and the modem tag's list were kept: they still show the title they were rendered with.
    expect((await get(thread.url)).body).toContain('The modem light blinks orange after the storm');
    expect((await get('/questions?tag=modem')).body).toContain('The modem light blinks orange after the storm');
    expect(renders()).toBe(before + 2);
    // Lists of the latest activity are dropped by any write.
    expect((await get('/')).body).toContain('Modem renamed behind the cache');
    // A write on the modem thread drops it.
    const answerer = await createUser(t.db, 'member');
    postAnswer(t.db, t.db.select({ id: users.id, role: users.role, reputation: users.reputation, createdAt: users.createdAt }).from(users).where(eq(users.id, answerer.id)).get()!, thread.id, { body: 'Unplug the modem for thirty seconds, then plug it in again.' }, t.app.settings());
    expect((await get(thread.url)).body).toContain('Modem renamed behind the cache');
    t.db.update(questions).set({ title: 'The modem light blinks orange after the storm' }).where(eq(questions.id, thread.id)).run();
    t.db.$client.prepare('insert into search_changes (question_id, created_at) values (?, ?)').run(thread.id, Date.now());
  });
});

describe('crawlers', () => {
  it('get the same bytes every time, no cookies and an empty CSRF token', async () => {
    const first = await t.app.inject({ method: 'GET', url: thread.url, headers: CRAWLER });
    const second = await t.app.inject({ method: 'GET', url: thread.url, headers: CRAWLER });
    expect(first.statusCode).toBe(200);
    expect(second.body).toBe(first.body);
    expect(setCookies(first)).toEqual([]);
    expect(TOKEN.exec(first.body)![1]).toBe('');
    const gzipped = await t.app.inject({ method: 'GET', url: thread.url, headers: { ...CRAWLER, 'accept-encoding': 'gzip' } });
    expect(zlib.gunzipSync(gzipped.rawPayload).toString('utf8')).toBe(first.body);
  });

  it('that keep the CSRF cookie a form page gave them get tokens (a person whose browser looks like a bot)', async () => {
    const odd = new Browser(t.app);
    const signin = await odd.get('/signin', CRAWLER);
    expect(csrfFrom(signin.body)).not.toBe('');
    const page = await odd.get('/', CRAWLER);
    const token = TOKEN.exec(page.body)![1];
    expect(token).not.toBe('');
    expect((await odd.submit('/language', { lang: 'es', next: '/' }, { csrf: token })).statusCode).toBe(303);
  });

  it('add no views and no deflection events; people still do on kept pages', async () => {
    const before = eventKinds().filter((kind) => kind === 'thread_view').length;
    for (let i = 0; i < 3; i++) await t.app.inject({ method: 'GET', url: thread.url, headers: CRAWLER });
    expect(eventKinds().filter((kind) => kind === 'thread_view').length).toBe(before);
    const counted = t.app.viewCounter!.countedFor(thread.id);
    // Three people (three addresses), each served the kept page: three views, three events.
    for (const address of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) {
      const response = await t.app.inject({ method: 'GET', url: thread.url, remoteAddress: address, headers: PERSON });
      expect(response.statusCode).toBe(200);
    }
    expect(t.app.viewCounter!.countedFor(thread.id)).toBe(counted + 3);
    expect(eventKinds().filter((kind) => kind === 'thread_view').length).toBe(before + 3);
    // The page shows the count it has now, not the one it was kept with.
    const page = await t.app.inject({ method: 'GET', url: thread.url, remoteAddress: '203.0.113.3', headers: PERSON });
    expect(page.body).toContain(`${counted + 3} views`);
  });

  it('a new person’s view changes the count on the page but does not render the page again', async () => {
    const url = thread.url;
    const first = await t.app.inject({ method: 'GET', url, remoteAddress: '198.51.100.10', headers: PERSON });
    const count = Number(/(\d+) views?</.exec(first.body)![1]);
    // Behind the app's back (no change-log row): only a rendering would see it.
    t.db.update(questions).set({ title: 'Renamed where only a new rendering would see it' }).where(eq(questions.id, thread.id)).run();
    const second = await t.app.inject({ method: 'GET', url, remoteAddress: '198.51.100.11', headers: { ...PERSON, 'accept-encoding': 'gzip' } });
    const html = zlib.gunzipSync(second.rawPayload).toString('utf8');
    expect(html).toContain(`${count + 1} views`);
    expect(html).toContain('The modem light blinks orange after the storm');
    expect(html).not.toContain('\uE000');
    t.db.update(questions).set({ title: 'The modem light blinks orange after the storm' }).where(eq(questions.id, thread.id)).run();
  });
});

describe('a view count that grows a digit', () => {
  it('keeps the gzipped kept page right (one compressed stream per length of the count)', async () => {
    const url = thread.url;
    const before = Number(/(\d+) views?</.exec((await t.app.inject({ method: 'GET', url, remoteAddress: '198.51.100.40', headers: PERSON })).body)![1]);
    // Enough new people to carry the count past the next power of ten.
    const people = 10 ** String(before).length - before + 2;
    for (let i = 0; i < people; i++) {
      const response = await t.app.inject({ method: 'GET', url, remoteAddress: `198.51.${101 + Math.floor(i / 250)}.${i % 250}`, headers: { ...PERSON, 'accept-encoding': 'gzip' } });
      const html = zlib.gunzipSync(response.rawPayload).toString('utf8');
      expect(html).toContain(`${before + 1 + i} views`);
      expect(html).toContain('The modem light blinks orange after the storm');
    }
  });
});

describe('signed-in members', () => {
  it('never get a kept page, and a kept page never shows anyone signed in', async () => {
    const anonymous = await t.app.inject({ method: 'GET', url: '/questions', headers: PERSON });
    expect(anonymous.body).toContain('href="/signin');
    const { user, browser } = await loginAs(t.app, t.db, 'member');
    const mine = await browser.get('/questions', PERSON);
    expect(mine.body).toContain(`/users/${user.username}`);
    expect(mine.body).not.toContain('href="/signin');
    const again = await t.app.inject({ method: 'GET', url: '/questions', headers: PERSON });
    expect(again.body).not.toContain(`/users/${user.username}`);
    expect(again.body).toContain('href="/signin');
  });

  it('a bad bearer token is still refused with 401 and the security headers', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/', headers: { ...PERSON, authorization: 'Bearer not-a-token' } });
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-security-policy']).toBeDefined();
    expect(response.headers['x-frame-options']).toBe('DENY');
  });
});
