// The staff desk through the real app: who may see it (pages and API), what is on it (oldest first, the clock,
// filters), assignment on the desk and on the thread (staff only).
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { questions } from '../../src/db/schema.ts';
import { postAnswer } from '../../src/features/answers/service.ts';
import { askQuestion } from '../../src/features/questions/service.ts';
import { setSetting } from '../../src/features/settings/service.ts';
import { bearerToken, Browser, BROWSER_USER_AGENT, buildTestApp, loginAs, signInCast, type TestApp } from '../helper.ts';

let t: TestApp;
type Person = Awaited<ReturnType<typeof loginAs>>;
let asker: Person, other: Person, moderator: Person, staff: Person, admin: Person;
const HOUR = 3_600_000;
const ids: Record<string, number> = {};

const token = async (p: Person) => ({ authorization: `Bearer ${await bearerToken(t.app, p.user)}` });

beforeAll(async () => {
  t = await buildTestApp();
  for (const key of ['postsPerIpPerMinute', 'signInPerIpPerMinute', 'signUpPerIpPerHour'] as const) setSetting(t.db, key, 10_000);
  setSetting(t.db, 'secondsBetweenPosts', 0);
  setSetting(t.db, 'newMemberSecondsBetweenPosts', 0);
  ({ asker, other, moderator, staff, admin } = await signInCast(t.app, t.db));
  const settings = t.app.settings();
  const now = Date.now();
  const ask = (key: string, title: string, hoursAgo: number, tags = 'kettles') => {
    const poster = { ...asker.user, reputation: 1, createdAt: new Date(0) } as never;
    ids[key] = askQuestion(t.db, poster, { title, body: `Some words about ${title.toLowerCase()} that explain the problem well.`, tags }, settings, new Date(now - hoursAgo * HOUR)).id;
  };
  // Oldest first: the posting limits compare each post with the poster's latest one.
  ask('stale', 'Descaling the kettle left a smell', 24 * 10);
  ask('staffAnswered', 'Warranty for a kettle bought abroad', 24 * 9);
  ask('red', 'The kettle will not switch on at all', 30);
  ask('amber', 'The kettle light blinks orange', 20, 'lights');
  ask('recentAnswered', 'Which water filter fits the kettle', 5);
  ask('fresh', 'The kettle whistles too early', 2);
  postAnswer(t.db, { ...other.user, reputation: 1, createdAt: new Date(0) } as never, ids.stale, { body: 'Boil vinegar water twice and rinse it well.' }, settings);
  postAnswer(t.db, { ...other.user, reputation: 1, createdAt: new Date(0) } as never, ids.recentAnswered, { body: 'The standard round filter fits all of them.' }, settings);
  postAnswer(t.db, { ...staff.user, reputation: 1, createdAt: new Date(0) } as never, ids.staffAnswered, { body: 'The warranty is valid worldwide with the receipt.' }, settings);
  t.db.update(questions).set({ language: 'es' }).where(eq(questions.id, ids.red)).run();
});
afterAll(async () => {
  await t?.close();
});

const titlesIn = (body: string) => Object.entries(ids).filter(([, id]) => body.includes(`/questions/${id}/`)).map(([key]) => key);

describe('who may see the desk', () => {
  it('page: anonymous to sign-in; members and moderators 403; staff and admins 200', async () => {
    expect((await new Browser(t.app).get('/staff/desk')).statusCode).toBe(303);
    expect((await other.browser.get('/staff/desk')).statusCode).toBe(403);
    expect((await asker.browser.get('/staff/desk')).statusCode).toBe(403);
    expect((await moderator.browser.get('/staff/desk')).statusCode).toBe(403);
    expect((await staff.browser.get('/staff/desk')).statusCode).toBe(200);
    expect((await admin.browser.get('/staff/desk')).statusCode).toBe(200);
  });

  it('API: 401, 403, 200; assignment too', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/desk' })).statusCode).toBe(401);
    for (const p of [other, moderator]) {
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/desk', headers: await token(p) })).statusCode).toBe(403);
      expect((await t.app.inject({ method: 'PUT', url: `/api/v1/desk/assignments/${ids.red}`, headers: await token(p) })).statusCode).toBe(403);
      expect((await p.browser.submit('/staff/desk/assign', { question: String(ids.red), assign: 'me' })).statusCode).toBe(403);
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/desk', headers: await token(admin) })).statusCode).toBe(200);
  });
});

describe('what is on the desk', () => {
  it('unanswered questions and stale answered ones without an accepted answer, oldest first, with their clocks', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/desk', headers: await token(staff) });
    const items = response.json().items as { id: number; clock: { state: string } | null }[];
    const key = (id: number) => Object.entries(ids).find(([, v]) => v === id)![0];
    expect(items.map((i) => key(i.id))).toEqual(['stale', 'staffAnswered', 'red', 'amber', 'fresh']);
    expect(items.map((i) => i.clock?.state ?? null)).toEqual([null, null, 'red', 'amber', 'ok']);
  });

  it('filters: language, tag, no answer, answered by members only', async () => {
    const list = async (query: string) => titlesIn((await staff.browser.get(`/staff/desk?${query}`)).body);
    expect(await list('lang=es')).toEqual(['red']);
    expect(await list('tag=lights')).toEqual(['amber']);
    expect((await list('noAnswer=1')).sort()).toEqual(['amber', 'fresh', 'red']);
    expect(await list('membersOnly=1')).toEqual(['stale']);
  });

  it('the page shows the clock colours', async () => {
    const body = (await staff.browser.get('/staff/desk')).body;
    expect(body).toContain('data-clock="red"');
    expect(body).toContain('data-clock="amber"');
    expect(body).toContain('data-clock="ok"');
  });

  it('answering clears the clock: the question leaves the desk', async () => {
    const settings = t.app.settings();
    postAnswer(t.db, { ...staff.user, reputation: 1, createdAt: new Date(0) } as never, ids.fresh, { body: 'Turn the thermostat dial a little to the left.' }, settings);
    expect(titlesIn((await staff.browser.get('/staff/desk')).body)).not.toContain('fresh');
  });
});

describe('assignment', () => {
  it('assign to me from the desk: shown on the desk and, for staff only, on the thread; "assigned to me" filters', async () => {
    expect((await staff.browser.submit('/staff/desk/assign', { question: String(ids.red), assign: 'me' })).statusCode).toBe(303);
    expect(titlesIn((await staff.browser.get('/staff/desk?mine=1')).body)).toEqual(['red']);
    expect(titlesIn((await admin.browser.get('/staff/desk?mine=1')).body)).toEqual([]);
    const path = `/questions/${ids.red}/`;
    const thread = (who: Browser) => who.get(t.db.select({ slug: questions.slug }).from(questions).where(eq(questions.id, ids.red)).get()!.slug.replace(/^/, path), { 'user-agent': BROWSER_USER_AGENT });
    expect((await thread(admin.browser)).body).toContain('desk-assignment');
    for (const b of [new Browser(t.app), other.browser, moderator.browser]) expect((await thread(b)).body).not.toContain('desk-assignment');
  });

  it('API: PUT takes the question, DELETE lets it go; a missing question is a 404', async () => {
    const headers = await token(admin);
    expect((await t.app.inject({ method: 'PUT', url: `/api/v1/desk/assignments/${ids.amber}`, headers })).json()).toEqual({ questionId: ids.amber, assigneeId: admin.user.id });
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/desk/assignments/${ids.amber}`, headers })).json()).toEqual({ questionId: ids.amber, assigneeId: null });
    expect((await t.app.inject({ method: 'PUT', url: '/api/v1/desk/assignments/999999', headers })).statusCode).toBe(404);
  });
});

describe('response health', () => {
  it('per week: answered within the target, median first answer by members and by staff, open breaches', async () => {
    const { responseHealth } = await import('../../src/features/desk/health.ts');
    const weeks = responseHealth(t.db, t.app.settings());
    expect(weeks).toHaveLength(8);
    const [thisWeek, lastWeek] = weeks;
    // This week: red, amber, recentAnswered (member), fresh (answered by staff in the test above).
    expect(thisWeek.asked).toBe(4);
    expect(thisWeek.openBreaches).toBe(1);
    expect(thisWeek.medianMinutesMembers).not.toBeNull();
    expect(thisWeek.medianMinutesStaff).not.toBeNull();
    expect(thisWeek.withinTarget).toBe(0.5);
    // Nine and ten days ago: both answered, long after the target.
    expect(lastWeek).toMatchObject({ asked: 2, withinTarget: 0, openBreaches: 0 });
    const page = (await staff.browser.get('/staff/desk')).body;
    expect(page).toContain('desk-health-heading');
  });
});
