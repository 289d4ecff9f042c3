// Every HTML and JSON answer is gzipped when the client accepts it: search, signed-in pages, the API; kept
// signed-out pages keep their own gzip (spliced by the page cache), and a client that does not accept gzip gets
// the plain bytes.
import zlib from 'node:zlib';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users } from '../../src/db/schema.ts';
import { askQuestion } from '../../src/features/questions/service.ts';
import { BROWSER_USER_AGENT, buildTestApp, createUser, loginAs, type TestApp } from '../helper.ts';

let t: TestApp;
let thread: { id: number; url: string };
const GZIP = { 'accept-language': 'en', 'user-agent': BROWSER_USER_AGENT, 'accept-encoding': 'gzip, deflate, br' };

beforeAll(async () => {
  t = await buildTestApp();
  const author = await createUser(t.db, 'staff'); // staff: no posting limits
  const poster = t.db.select({ id: users.id, role: users.role, reputation: users.reputation, createdAt: users.createdAt }).from(users).where(eq(users.id, author.id)).get()!;
  for (let i = 0; i < 12; i++) {
    thread = askQuestion(t.db, poster, { title: `The router drops the wifi every evening, case ${i}`, body: `Every evening the router drops the wifi connection for a few minutes, case ${i}.`, tags: ['router'] }, { ...t.app.settings(), secondsBetweenPosts: 0, newMemberSecondsBetweenPosts: 0, newMemberQuestionsPerDay: 100, duplicateBodyMinutes: 0 }, new Date(Date.now() - i * 1000));
  }
  await t.app.searchIndex.sync();
});

afterAll(async () => {
  await t.close();
});

function gunzipped(response: { headers: Record<string, unknown>; rawPayload: Buffer }): string {
  expect(response.headers['content-encoding']).toBe('gzip');
  expect(String(response.headers.vary).toLowerCase()).toContain('accept-encoding');
  return zlib.gunzipSync(response.rawPayload).toString('utf8');
}

describe('compression', () => {
  it('gzips the search page and the search and suggestion APIs', async () => {
    expect(gunzipped(await t.app.inject({ method: 'GET', url: '/search?q=router%20wifi', headers: GZIP }))).toContain('case 3');
    expect(JSON.parse(gunzipped(await t.app.inject({ method: 'GET', url: '/api/v1/search?q=router%20wifi', headers: GZIP }))).items.length).toBeGreaterThan(0);
    expect(JSON.parse(gunzipped(await t.app.inject({ method: 'GET', url: '/api/v1/search/suggest?title=router%20wifi%20evening', headers: GZIP }))).items.length).toBeGreaterThan(0);
    expect(JSON.parse(gunzipped(await t.app.inject({ method: 'GET', url: '/api/v1/questions', headers: GZIP }))).items.length).toBeGreaterThan(0);
  });

  it('gzips a signed-in member’s pages, and the kept signed-out pages the same way as before', async () => {
    const { browser } = await loginAs(t.app, t.db, 'member');
    expect(gunzipped(await browser.get(thread.url, GZIP))).toContain('Sign out');
    expect(gunzipped(await browser.get('/', GZIP))).toContain('Sign out');
    const signedOut = await t.app.inject({ method: 'GET', url: thread.url, headers: GZIP });
    expect(gunzipped(signedOut)).toContain('case 11');
    expect(Number(signedOut.headers['content-length'])).toBe(signedOut.rawPayload.length);
  });

  it('sends plain bytes to a client that does not accept gzip', async () => {
    for (const encoding of ['identity', 'br', 'gzip;q=0']) {
      const response = await t.app.inject({ method: 'GET', url: '/search?q=router', headers: { ...GZIP, 'accept-encoding': encoding } });
      expect(response.headers['content-encoding']).toBeUndefined();
      expect(response.body).toContain('<html');
    }
  });
});
