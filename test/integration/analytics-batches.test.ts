// Analytics writes leave the request path (deflection/events.ts, questions/view-counter.ts): a page view adds its
// deflection event and view to buffers written in one transaction every 250 ms or 500 events, and on shutdown.
import fs from 'node:fs';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { closeDatabase } from '../../src/db/client.ts';
import { users } from '../../src/db/schema.ts';
import { askQuestion } from '../../src/features/questions/service.ts';
import { BROWSER_USER_AGENT, buildTestApp, createUser, type TestApp } from '../helper.ts';

const PERSON = { 'accept-language': 'en', 'user-agent': BROWSER_USER_AGENT };
let t: TestApp | undefined;

afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function threadApp() {
  t = await buildTestApp();
  const author = await createUser(t.db, 'member');
  const poster = t.db.select({ id: users.id, role: users.role, reputation: users.reputation, createdAt: users.createdAt }).from(users).where(eq(users.id, author.id)).get()!;
  const thread = askQuestion(t.db, poster, { title: 'The modem light blinks orange after the storm', body: 'Since the storm the modem light blinks orange and nothing loads.', tags: ['modem'] }, t.app.settings());
  return { t, thread };
}

const count = (t: TestApp, sql: string) => t.db.$client.prepare(sql).pluck().get() as number;

describe('analytics writes', () => {
  it('are not written by the page view itself, and are written together by the flush', async () => {
    const { t, thread } = await threadApp();
    const views = ['203.0.113.1', '203.0.113.2', '203.0.113.3'];
    for (const remoteAddress of views) expect((await t.app.inject({ method: 'GET', url: thread.url, remoteAddress, headers: PERSON })).statusCode).toBe(200);
    const before = count(t, "select count(*) from deflection_events where kind = 'thread_view'");
    t.app.deflectionEvents.flush();
    t.app.viewCounter!.flush();
    expect(count(t, "select count(*) from deflection_events where kind = 'thread_view'")).toBe(3);
    expect(before).toBeLessThanOrEqual(3); // the 250 ms timer may have written some meanwhile
    expect(count(t, `select view_count from questions where id = ${thread.id}`)).toBe(3);
  });

  it('are written within a moment without anyone asking', async () => {
    const { t, thread } = await threadApp();
    await t.app.inject({ method: 'GET', url: thread.url, remoteAddress: '203.0.113.9', headers: PERSON });
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(count(t, "select count(*) from deflection_events where kind = 'thread_view'")).toBe(1);
    expect(count(t, `select view_count from questions where id = ${thread.id}`)).toBe(1);
  });

  it('are written when the server stops', async () => {
    const { t: app, thread } = await threadApp();
    t = undefined; // closed here, not by afterEach
    await app.app.inject({ method: 'GET', url: thread.url, remoteAddress: '203.0.113.7', headers: PERSON });
    await app.app.close();
    expect(count(app, "select count(*) from deflection_events where kind = 'thread_view'")).toBe(1);
    expect(count(app, `select view_count from questions where id = ${thread.id}`)).toBe(1);
    closeDatabase(app.db);
    fs.rmSync(app.dir, { recursive: true, force: true });
  });

  it('flush 500 events at once in one transaction', async () => {
    const { t } = await threadApp();
    const visit = { visitorId: 'v'.repeat(22), userId: null, role: null, isBot: false, ip: '203.0.113.1' };
    for (let i = 0; i < 499; i++) t.app.deflectionEvents.add(visit, t.app.settings(), 'search', { query: `q${i}`, resultCount: 1 });
    const changesBefore = count(t, 'select total_changes()');
    t.app.deflectionEvents.add(visit, t.app.settings(), 'search', { query: 'q499', resultCount: 1 });
    // The 500th event wrote the batch at once.
    expect(count(t, "select count(*) from deflection_events where kind = 'search'")).toBe(500);
    expect(count(t, 'select total_changes()') - changesBefore).toBe(500);
  });
});
