// Solved searches teach search: a visitor's search → thread → "this solved it" makes the query a candidate
// phrasing of the thread; two distinct visitors make it indexed; private-looking queries are never learned;
// staff see and remove phrasings on the thread (CSRF form, role checked in the service).
import { and, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchPhrasings } from '../../src/db/schema.ts';
import { loadDocuments } from '../../src/features/search/documents.ts';
import { learnablePhrase } from '../../src/features/search/phrasings.ts';
import { postAnswer } from '../../src/features/answers/service.ts';
import { askQuestion, questionPath } from '../../src/features/questions/service.ts';
import { getSettings } from '../../src/features/settings/service.ts';
import { Browser, BROWSER_USER_AGENT, buildTestApp, createUser, loginAs, type TestApp } from '../helper.ts';

const UA = { 'user-agent': BROWSER_USER_AGENT, 'accept-language': 'en' };
/** The freshness target: a change is searchable within this long. */
const FRESH_MS = 2_000;

/** Asks `probe` every 50 ms until `done` or the deadline (a Date.now() value); returns the last answer. */
async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, deadline: number): Promise<T> {
  let value = await probe();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await probe();
  }
  return value;
}

describe('which queries may be learned', () => {
  it('refuses e-mail addresses, URLs, long digit runs, stop words alone and overlong text', () => {
    expect(learnablePhrase('  Router   Blinks ORANGE ')).toBe('router blinks orange');
    for (const query of ['reset for ana@example.com', 'error on https://example.com/x', 'see www.example.org', 'example.com login', 'order 12345678 missing', 'call 555 123 4567', 'the and of', 'x'.repeat(121), 'ab']) {
      expect(learnablePhrase(query), query).toBeNull();
    }
    expect(learnablePhrase('error 404 on login')).toBe('error 404 on login');
  });
});

describe('learned phrasings', () => {
  let t: TestApp;
  let thread: { id: number; url: string };
  const search = async (q: string) => {
    await t.app.searchIndex.sync();
    const response = await t.app.inject({ url: `/api/v1/search?q=${encodeURIComponent(q)}` });
    return response.json().items.map((item: { id: number }) => item.id) as number[];
  };
  /** A new visitor: searches, opens the thread, says it solved the problem. */
  const solveAfterSearching = async (query: string, browser = new Browser(t.app)) => {
    await browser.get(`/search?q=${encodeURIComponent(query)}`, UA);
    await browser.get(thread.url, UA);
    const token = await browser.csrfToken(thread.url);
    const response = await browser.submit(`/questions/${thread.id}/feedback`, { solved: 'yes' }, { csrf: token, headers: UA });
    expect(response.statusCode).toBe(303);
    return browser;
  };
  const phrasing = (phrase: string) =>
    t.db.select().from(searchPhrasings).where(and(eq(searchPhrasings.questionId, thread.id), eq(searchPhrasings.phrase, phrase))).get();

  beforeAll(async () => {
    t = await buildTestApp();
    const settings = getSettings(t.db);
    const asker = await createUser(t.db);
    const asked = askQuestion(
      t.db,
      asker,
      { title: 'Modem loses its connection during storms', body: 'When it rains hard the modem disconnects and reconnects many times.', tags: ['modem'] },
      settings,
    );
    postAnswer(t.db, await createUser(t.db), asked.id, { body: 'Check the coaxial cable outside, water gets into a loose connector.' }, settings);
    thread = { id: asked.id, url: questionPath(asked.id, asked.slug) };
  });
  afterAll(() => t.close());

  it('learns a confirmed search only once two distinct visitors confirmed it', async () => {
    expect(await search('blinking amber lamp')).toEqual([]);
    const first = await solveAfterSearching('Blinking amber lamp');
    expect(phrasing('blinking amber lamp')).toMatchObject({ confirmations: 1, removedAt: null });
    // The same visitor again counts once.
    await solveAfterSearching('blinking amber lamp', first);
    expect(phrasing('blinking amber lamp')!.confirmations).toBe(1);
    expect(await search('blinking amber lamp')).toEqual([]);
    await solveAfterSearching('blinking amber lamp');
    expect(phrasing('blinking amber lamp')!.confirmations).toBe(2);
    expect(await search('blinking amber lamp')).toEqual([thread.id]);
  });

  it('learns nothing from a "solved" without a search before it, or from a "no"', async () => {
    const before = t.db.select().from(searchPhrasings).all().length;
    const browser = new Browser(t.app);
    await browser.get(thread.url, UA);
    await browser.submit(`/questions/${thread.id}/feedback`, { solved: 'yes' }, { csrf: await browser.csrfToken(thread.url), headers: UA });
    const other = new Browser(t.app);
    await other.get(`/search?q=${encodeURIComponent('coaxial water connector')}`, UA);
    await other.get(thread.url, UA);
    await other.submit(`/questions/${thread.id}/feedback`, { solved: 'no' }, { csrf: await other.csrfToken(thread.url), headers: UA });
    expect(t.db.select().from(searchPhrasings).all().length).toBe(before);
  });

  it('never learns a query holding private data', async () => {
    await solveAfterSearching('modem of ana@example.com');
    await solveAfterSearching('modem of ana@example.com');
    expect(t.db.select().from(searchPhrasings).all().some((p) => p.phrase.includes('@'))).toBe(false);
  });

  it('indexes at most 20 phrasings per thread, the most confirmed', () => {
    const now = new Date();
    for (let i = 0; i < 25; i++) t.db.insert(searchPhrasings).values({ questionId: thread.id, phrase: `uniqueword${i} trouble`, confirmations: 2 + i, createdAt: now }).run();
    const [doc] = loadDocuments(t.db.$client, [thread.id]);
    const learned = doc.fields.learned;
    for (let i = 5; i < 25; i++) expect(learned, `uniqueword${i}`).toContain(`uniqueword${i}`);
    for (let i = 0; i < 5; i++) expect(learned).not.toContain(`uniqueword${i}`);
    t.db.update(searchPhrasings).set({ removedAt: now }).where(like(searchPhrasings.phrase, 'uniqueword%')).run();
  });

  it('shows phrasings to staff only, and lets staff remove one (CSRF form, role checked)', async () => {
    const anonymous = await t.app.inject({ url: thread.url, headers: UA });
    expect(anonymous.body).not.toContain('blinking amber lamp');
    const { browser: member } = await loginAs(t.app, t.db, 'member');
    expect((await member.get(thread.url, UA)).body).not.toContain('Learned searches');
    const { browser: staff } = await loginAs(t.app, t.db, 'staff');
    const page = await staff.get(thread.url, UA);
    expect(page.body).toContain('Learned searches (staff only)');
    expect(page.body).toContain('blinking amber lamp');
    const id = phrasing('blinking amber lamp')!.id;
    const action = `/questions/${thread.id}/phrasings/${id}/remove`;
    expect(page.body).toContain(`action="${action}"`);

    expect((await member.submit(action, {})).statusCode).toBe(403);
    expect((await staff.submit(action, {}, { csrf: null })).statusCode).toBe(403);
    expect((await staff.submit(`/questions/${thread.id}/phrasings/999999/remove`, {})).statusCode).toBe(404);
    // A phrasing is removed from its own thread only; malformed ids are a 400.
    expect((await staff.submit(`/questions/${thread.id + 1000}/phrasings/${id}/remove`, {})).statusCode).toBe(404);
    expect((await staff.submit(`/questions/abc/phrasings/${id}/remove`, {})).statusCode).toBe(404);
    expect(phrasing('blinking amber lamp')!.removedAt).toBeNull();

    const removed = await staff.submit(action, {});
    expect(removed.statusCode).toBe(303);
    expect(removed.headers.location).toBe(`${thread.url}#phrasings`);
    expect(phrasing('blinking amber lamp')!.removedAt).not.toBeNull();
    expect(await search('blinking amber lamp')).toEqual([]);
    // Removed for good: confirmations after that do not bring it back.
    await solveAfterSearching('blinking amber lamp');
    expect(phrasing('blinking amber lamp')!.removedAt).not.toBeNull();
    expect(await search('blinking amber lamp')).toEqual([]);
  });

  // The freshness target: a phrasing confirmed now is found within 2 s, through the change log the
  // search worker follows by itself (no sync()), and leaves the index as soon once staff remove it. Polled.
  it('a phrasing confirmed now is searchable within 2 s, and gone within 2 s of its removal, with nobody syncing the index', async () => {
    const query = 'crackling copper splitter';
    const ids = async () => (await t.app.inject({ url: `/api/v1/search?q=${encodeURIComponent(query)}` })).json().items.map((item: { id: number }) => item.id) as number[];
    expect(await search(query)).toEqual([]);
    await solveAfterSearching(query);
    await solveAfterSearching(query);
    const confirmedAt = Date.now();
    expect(phrasing(query)!.confirmations).toBe(2);
    expect(await eventually(ids, (found) => found.includes(thread.id), confirmedAt + FRESH_MS)).toEqual([thread.id]);

    const { browser: staff } = await loginAs(t.app, t.db, 'staff');
    await staff.get(thread.url, UA);
    expect((await staff.submit(`/questions/${thread.id}/phrasings/${phrasing(query)!.id}/remove`, {})).statusCode).toBe(303);
    const removedAt = Date.now();
    expect(await eventually(ids, (found) => found.length === 0, removedAt + FRESH_MS)).toEqual([]);
  });
});
