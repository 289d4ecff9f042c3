// Deflection measurement through the real app: two whole journeys through real pages with the report's exact
// figures (search → thread → solved; search without results → sign up → ask), one person across sign-in,
// the events API (202, 400, 403, 429), what is never recorded (bots, moderators/staff/admins, internal
// networks; no address stored anywhere), the report API's access rules, and daily rollups (a finished day is
// computed once and reused; a change of W recomputes it; provisional days are never stored).
//
// Events are stamped with the real clock, so each report covers the last three days up to today: with the
// default W of 72 h all three are provisional (still counted), and a run that crosses midnight only moves
// figures between days, never out of the period. Totals are exact; the series is checked through its sums.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordEvent } from '../../src/features/deflection/service.ts';
import { visitorBucket, VISITOR_COOKIE } from '../../src/plugins/visitor.ts';
import { deleteSetting, defaultSettings, setSetting } from '../../src/features/settings/service.ts';
import { nextIp } from '../fixtures/hostile.ts';
import { Browser, BROWSER_USER_AGENT, buildTestApp, createUser, tokenFor, type TestApp } from '../helper.ts';

const HUMAN = BROWSER_USER_AGENT;
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
const DAY_MS = 86_400_000;
const PAGE_KINDS = ['result_click', 'suggestion_click', 'thread_read', 'solved', 'not_solved', 'ask_abandoned'] as const;
const SERVER_KINDS = ['search', 'thread_view', 'ask_started', 'suggestions_shown', 'question_posted', 'contact_support'] as const;

/**
 * The app as a given client reaches it. light-my-request's own user agent ("lightMyRequest") is a bot to
 * isbot, and bots are never recorded: people here send a browser's user agent.
 */
function client(app: FastifyInstance, options: { userAgent?: string; remoteAddress?: string } = {}): FastifyInstance {
  const inject = (opts: InjectOptions) =>
    app.inject({
      ...opts,
      ...(options.remoteAddress ? { remoteAddress: options.remoteAddress } : {}),
      headers: { 'user-agent': options.userAgent ?? HUMAN, ...(opts.headers as Record<string, string> | undefined) },
    });
  return { inject } as unknown as FastifyInstance;
}

const person = (t: TestApp, options: { userAgent?: string; remoteAddress?: string } = {}) => new Browser(client(t.app, options));

/** A browser signed in through the sign-in form, as a person (not a bot) would. */
async function signedIn(t: TestApp, role: 'member' | 'moderator' | 'staff' | 'admin', options: { remoteAddress?: string } = {}) {
  const user = await createUser(t.db, role);
  const browser = person(t, options);
  const response = await browser.submit('/signin', { login: user.username, password: user.password });
  expect(response.statusCode, response.body.slice(0, 300)).toBe(303);
  return { user, browser };
}

const csrfOf = (html: string) => /<meta name="csrf-token" content="([^"]+)">/.exec(html)![1];

async function sendEvent(browser: Browser, csrf: string | undefined, body: Record<string, unknown>): Promise<LightMyRequestResponse> {
  return browser.api('POST', '/api/v1/deflection/events', body, csrf);
}

interface EventRow {
  id: number;
  at: number;
  kind: string;
  visitorId: string;
  userId: number | null;
  questionId: number | null;
  query: string | null;
  resultCount: number | null;
  rank: number | null;
  variant: string | null;
}

// Events are written in batches off the request path (deflection/events.ts): write what is pending first.
const rows = (t: TestApp): EventRow[] =>
  (t.app.deflectionEvents.flush(), t.db.$client)
    .prepare('select id, at, kind, visitor_id as visitorId, user_id as userId, question_id as questionId, query, result_count as resultCount, rank, variant from deflection_events order by id')
    .all() as EventRow[];
const eventCount = (t: TestApp) => (t.app.deflectionEvents.flush(), t.db.$client.prepare('select count(*) as n from deflection_events').get() as { n: number }).n;

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The last three days up to today (UTC), chosen when the report is asked for. */
function recentPeriod() {
  const now = Date.now();
  return { from: isoDay(now - 2 * DAY_MS), to: isoDay(now) };
}

async function reportFor(t: TestApp, auth: Record<string, string>, period: { from: string; to: string }) {
  const response = await t.app.inject({ method: 'GET', url: `/api/v1/reports/deflection?from=${period.from}&to=${period.to}`, headers: auth });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

/** The report over the recent period, with the series folded into its sums (see the header). */
async function recentReport(t: TestApp, auth: Record<string, string>) {
  const period = recentPeriod();
  const { series, ...report } = await reportFor(t, auth, period);
  const days = series as { date: string; low: number; estimate: number; high: number; searches: number; questionsAsked: number }[];
  expect(days.map((d) => d.date)).toEqual([period.from, isoDay(Date.parse(period.from) + DAY_MS), period.to]);
  const sum = (key: 'low' | 'estimate' | 'high' | 'searches' | 'questionsAsked') => Math.round(days.reduce((n, d) => n + d[key], 0) * 100) / 100;
  return { period, report, seriesTotals: { low: sum('low'), estimate: sum('estimate'), high: sum('high'), searches: sum('searches'), questionsAsked: sum('questionsAsked') } };
}

async function apiAsk(t: TestApp, auth: Record<string, string>, title: string, body: string, tags: string[]): Promise<number> {
  const response = await t.app.inject({ method: 'POST', url: '/api/v1/questions', headers: auth, remoteAddress: nextIp(), payload: { title, body, tags } });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id;
}

async function apiAnswer(t: TestApp, auth: Record<string, string>, questionId: number, body: string): Promise<number> {
  const response = await t.app.inject({ method: 'POST', url: `/api/v1/questions/${questionId}/answers`, headers: auth, remoteAddress: nextIp(), payload: { body } });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id;
}

async function apiAccept(t: TestApp, auth: Record<string, string>, questionId: number, answerId: number): Promise<void> {
  const response = await t.app.inject({ method: 'POST', url: `/api/v1/questions/${questionId}/accept`, headers: auth, payload: { answerId } });
  expect(response.statusCode, response.body).toBe(200);
}

/** Sets when an answer was written relative to its question, so the median wait is exact (not the test's speed). */
function answeredAfter(t: TestApp, answerId: number, minutes: number) {
  t.db.$client.prepare('update answers set created_at = (select created_at from questions where id = answers.question_id) + ? where id = ?').run(minutes * 60_000, answerId);
}

// ---------------------------------------------------------------------------------------------------

describe('journey 1: search → thread → solved', () => {
  let t: TestApp;
  let staffAuth: Record<string, string>;
  let router: number;
  let invoice: number;

  beforeAll(async () => {
    t = await buildTestApp();
    staffAuth = (await tokenFor(t.app, t.db, 'staff')).auth;
    const otherStaff = (await tokenFor(t.app, t.db, 'staff')).auth;
    const member = (await tokenFor(t.app, t.db, 'member')).auth;
    // A member's answer accepted today (peer-resolved), and a staff answer accepted today (staff-resolved).
    router = await apiAsk(t, staffAuth, 'The router blinks red after the firmware update', 'Since the update last night the light on the router blinks red and nothing connects.', ['router']);
    const peerAnswer = await apiAnswer(t, member, router, 'Hold the reset button for ten seconds; the old firmware comes back and the light turns green.');
    await apiAccept(t, staffAuth, router, peerAnswer);
    invoice = await apiAsk(t, staffAuth, 'Where can I download the invoice of last month?', 'I need the invoice of last month for my accountant and cannot find where to download it.', ['billing']);
    const staffAnswer = await apiAnswer(t, otherStaff, invoice, 'Open Account, then Billing, then press Download next to the month you need.');
    await apiAccept(t, staffAuth, invoice, staffAnswer);
    answeredAfter(t, peerAnswer, 30);
    answeredAfter(t, staffAnswer, 90);
    await t.app.searchIndex.sync();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('the setup (staff, bearer tokens) recorded nothing', () => {
    expect(eventCount(t)).toBe(0);
  });

  it('walks the journey through the real pages and the events a page sends', async () => {
    const visitor = person(t);
    await visitor.get('/');
    const visitorId = visitor.cookies.get(VISITOR_COOKIE)!;
    expect(visitorId).toMatch(/^[A-Za-z0-9_-]{22}$/);

    const search = await visitor.get('/search?q=router%20blinks%20red');
    expect(search.statusCode).toBe(200);
    const first = /<a href="([^"]+)" data-result-rank="1" data-question-id="(\d+)" data-query="([^"]*)">/.exec(search.body);
    expect(first, 'a first result').not.toBeNull();
    const [, threadPath, id, query] = first!;
    expect(Number(id)).toBe(router);
    // site.js sends the click with the page's CSRF token.
    expect((await sendEvent(visitor, csrfOf(search.body), { kind: 'result_click', questionId: router, rank: 1, query })).statusCode).toBe(202);

    const thread = await visitor.get(threadPath);
    expect(thread.statusCode).toBe(200);
    expect(thread.body).toContain(`action="/questions/${router}/feedback"`);
    // site.js: the thread stayed visible for 15 seconds.
    expect((await sendEvent(visitor, csrfOf(thread.body), { kind: 'thread_read', questionId: router })).statusCode).toBe(202);

    // The plain "Did this solve your problem?" form, as without JavaScript.
    const feedback = await visitor.submit(`/questions/${router}/feedback`, { solved: 'yes' }, { csrf: csrfOf(thread.body) });
    expect(feedback.statusCode).toBe(303);
    expect(feedback.headers.location).toBe(`${threadPath}?feedback=yes#feedback`);
    const thanks = await visitor.get(String(feedback.headers.location).replace(/#.*/, ''));
    expect(thanks.statusCode).toBe(200);
    expect(thanks.body).not.toContain(`action="/questions/${router}/feedback"`);

    expect(rows(t).map((r) => [r.kind, r.questionId, r.visitorId, r.userId])).toEqual([
      ['search', null, visitorId, null],
      ['result_click', router, visitorId, null],
      ['thread_view', router, visitorId, null],
      ['thread_read', router, visitorId, null],
      ['solved', router, visitorId, null],
      ['thread_view', router, visitorId, null],
    ]);
    expect(rows(t)[0]).toMatchObject({ query: 'router blinks red', resultCount: 1 });
  });

  it('reports one confirmed deflection with exact figures', async () => {
    const { period, report, seriesTotals } = await recentReport(t, staffAuth);
    expect(report).toEqual({
      from: period.from,
      to: period.to,
      currency: 'USD',
      costPerContact: 8,
      costPerCommunityContact: 1,
      windowHours: 72,
      potentialShare: 0.2,
      deflected: { low: 1, estimate: 1, high: 1 },
      peerResolved: 1,
      staffResolved: 1,
      savings: { low: 14, estimate: 14, high: 14 }, // (1 + 1) × (8 − 1)
      searches: 1,
      searchesWithoutResults: 0,
      searchesWithoutClicks: 0,
      questionsAsked: 2,
      failedDeflections: 0,
      answerRate: 1,
      medianMinutesToFirstAnswer: 60, // 30 and 90
      acceptedRate: 1,
      // W = 72 h: none of the three days is over yet, but their credits count.
      provisionalFrom: period.from,
      holdout: null,
      topThreads: [{ questionId: router, confirmed: 1, potential: 0 }],
      queriesWithoutResults: [],
      queriesWithoutClicks: [],
      failedByTag: [],
    });
    expect(seriesTotals).toEqual({ low: 1, estimate: 1, high: 1, searches: 1, questionsAsked: 2 });
    expect(invoice).toBeGreaterThan(router);
  });

  it('a support contact by the same person afterwards cancels the credit and makes it a failure', async () => {
    // Same data plus "Still need help? Contact support", within W: the provisional credit is gone.
    const visitor = new Browser(client(t.app));
    const first = rows(t)[0];
    visitor.cookies.set(VISITOR_COOKIE, first.visitorId);
    const support = await visitor.get('/support');
    expect(support.statusCode).toBe(302);
    expect(support.headers.location).toBe('mailto:support@example.com');
    const { report } = await recentReport(t, staffAuth);
    expect(report.deflected).toEqual({ low: 0, estimate: 0, high: 0 });
    expect(report.failedDeflections).toBe(1);
    expect(report.failedByTag).toEqual([{ tag: 'router', count: 1 }]);
    expect(report.savings).toEqual({ low: 7, estimate: 7, high: 7 }); // the peer resolution still saves
  });
});

describe('journey 2: search without results → sign up → ask', () => {
  let t: TestApp;
  let staffAuth: Record<string, string>;
  const QUERY = 'Zorbly  quuxer frobnication';
  const NORMALIZED = 'zorbly quuxer frobnication';

  beforeAll(async () => {
    t = await buildTestApp();
    staffAuth = (await tokenFor(t.app, t.db, 'staff')).auth;
    await apiAsk(t, staffAuth, 'Where can I download the invoice of last month?', 'I need the invoice of last month for my accountant and cannot find where to download it.', ['billing']);
    await t.app.searchIndex.sync();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('walks the journey through the real pages', async () => {
    const visitor = person(t);
    const search = await visitor.get(`/search?q=${encodeURIComponent(QUERY)}`);
    expect(search.statusCode).toBe(200);
    expect(search.body).toContain('class="no-results"');
    const askHref = /<a class="button primary" href="([^"]+)">/.exec(search.body)![1].replace(/&amp;/g, '&');
    expect(askHref).toBe(`/questions/ask?title=${encodeURIComponent(QUERY.trim())}`);

    // Not signed in: the ask form sends the visitor to sign in first, and back.
    const ask = await visitor.get(askHref);
    expect(ask.statusCode).toBe(303);
    expect(ask.headers.location).toBe(`/signin?next=${encodeURIComponent(askHref)}`);
    const signUpPage = await visitor.get(`/signup?next=${encodeURIComponent(askHref)}`);
    expect(signUpPage.statusCode).toBe(200);
    const signUp = await visitor.submit(
      '/signup',
      { username: 'nuria_gadgets', email: 'nuria@example.com', password: 'correct horse battery staple 42', next: askHref },
      { csrf: csrfOf(signUpPage.body) },
    );
    expect(signUp.statusCode, signUp.body.slice(0, 500)).toBe(303);
    // Sign-up signs nobody in (the answer is the same for a known address); the inbox page leads to sign-in and back.
    expect(signUp.headers.location).toBe(`/signup/check-email?next=${encodeURIComponent(askHref)}`);
    const inbox = await visitor.get(String(signUp.headers.location));
    // The page's own link (the header's sign-in link, first in the page, would come back here).
    const signInHref = [...inbox.body.matchAll(/href="(\/signin\?next=[^"]+)"/g)].at(-1)![1].replace(/&amp;/g, '&');
    const signInPage = await visitor.get(signInHref);
    const signIn = await visitor.submit(
      '/signin',
      { login: 'nuria_gadgets', password: 'correct horse battery staple 42', next: decodeURIComponent(signInHref.slice('/signin?next='.length)) },
      { csrf: csrfOf(signInPage.body) },
    );
    expect(signIn.statusCode).toBe(303);
    expect(signIn.headers.location).toBe(askHref);

    const form = await visitor.get(askHref);
    expect(form.statusCode).toBe(200);
    expect(form.body).not.toContain('data-suggestion-rank'); // nothing like it to suggest
    const posted = await visitor.submit(
      '/questions/ask',
      { title: QUERY.trim(), body: 'My new zorbly quuxer stops frobnicating after two minutes. What can I check?', tags: 'gadgets' },
      { csrf: csrfOf(form.body) },
    );
    expect(posted.statusCode, posted.body.slice(0, 500)).toBe(303);
    const thread = await visitor.get(String(posted.headers.location));
    expect(thread.statusCode).toBe(200);

    const visitorId = visitor.cookies.get(VISITOR_COOKIE)!;
    const user = t.db.$client.prepare("select id from users where username = 'nuria_gadgets'").get() as { id: number };
    const newQuestion = Number(/\/questions\/(\d+)\//.exec(String(posted.headers.location))![1]);
    expect(rows(t).map((r) => [r.kind, r.visitorId, r.userId, r.questionId])).toEqual([
      ['search', visitorId, null, null],
      ['ask_started', visitorId, null, null],
      ['ask_started', visitorId, user.id, null],
      ['question_posted', visitorId, user.id, newQuestion],
      ['thread_view', visitorId, user.id, newQuestion],
    ]);
    expect(rows(t)[0]).toMatchObject({ query: NORMALIZED, resultCount: 0 });
    // Signing in linked the visitor: what they did signed out is theirs.
    expect(t.db.$client.prepare('select user_id as userId from visitor_links where visitor_id = ?').all(visitorId)).toEqual([{ userId: user.id }]);
  });

  it('reports a search without results, a question and no deflection, with exact figures', async () => {
    const { period, report, seriesTotals } = await recentReport(t, staffAuth);
    expect(report).toEqual({
      from: period.from,
      to: period.to,
      currency: 'USD',
      costPerContact: 8,
      costPerCommunityContact: 1,
      windowHours: 72,
      potentialShare: 0.2,
      deflected: { low: 0, estimate: 0, high: 0 },
      peerResolved: 0,
      staffResolved: 0,
      savings: { low: 0, estimate: 0, high: 0 },
      searches: 1,
      searchesWithoutResults: 1,
      searchesWithoutClicks: 0,
      questionsAsked: 2, // the staff question of the setup and the visitor's
      failedDeflections: 0, // nothing was offered before they asked
      answerRate: 0,
      medianMinutesToFirstAnswer: null,
      acceptedRate: 0,
      provisionalFrom: period.from,
      holdout: null,
      topThreads: [],
      queriesWithoutResults: [{ query: NORMALIZED, count: 1 }],
      queriesWithoutClicks: [],
      failedByTag: [],
    });
    expect(seriesTotals).toEqual({ low: 0, estimate: 0, high: 0, searches: 1, questionsAsked: 2 });
  });
});

describe('signed out, then signed in: one person', () => {
  let t: TestApp;
  let staffAuth: Record<string, string>;
  let question: number;

  beforeAll(async () => {
    t = await buildTestApp();
    staffAuth = (await tokenFor(t.app, t.db, 'staff')).auth;
    question = await apiAsk(t, staffAuth, 'The modem loses the connection every evening', 'Every evening around eight the modem drops the connection for a few minutes.', ['modem']);
    const answer = await apiAnswer(t, staffAuth, question, 'Change the wireless channel to 1, 6 or 11; a neighbour probably uses yours in the evening.');
    await apiAccept(t, staffAuth, question, answer);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('a read signed out and "solved" after signing in make one confirmed credit, not one plus a potential', async () => {
    const user = await createUser(t.db, 'member');
    const visitor = person(t);
    const thread = await visitor.get(`/questions/${question}`);
    expect(thread.statusCode).toBe(301);
    const page = await visitor.get(String(thread.headers.location));
    expect((await sendEvent(visitor, csrfOf(page.body), { kind: 'thread_read', questionId: question })).statusCode).toBe(202);

    const signIn = await visitor.submit('/signin', { login: user.username, password: user.password, next: String(thread.headers.location) });
    expect(signIn.statusCode).toBe(303);
    const again = await visitor.get(String(signIn.headers.location));
    expect((await visitor.submit(`/questions/${question}/feedback`, { solved: 'yes' }, { csrf: csrfOf(again.body) })).statusCode).toBe(303);

    const visitorId = visitor.cookies.get(VISITOR_COOKIE)!;
    expect(rows(t).map((r) => [r.kind, r.visitorId, r.userId])).toEqual([
      ['thread_view', visitorId, null],
      ['thread_read', visitorId, null],
      ['thread_view', visitorId, user.id],
      ['solved', visitorId, user.id],
    ]);
    const { report } = await recentReport(t, staffAuth);
    expect(report.deflected).toEqual({ low: 1, estimate: 1, high: 1 });
    expect(report.topThreads).toEqual([{ questionId: question, confirmed: 1, potential: 0 }]);
  });
});

describe('recording rules', () => {
  let t: TestApp;
  let staffAuth: Record<string, string>;
  let question: number;
  let threadPath: string;

  beforeAll(async () => {
    t = await buildTestApp();
    staffAuth = (await tokenFor(t.app, t.db, 'staff')).auth;
    question = await apiAsk(t, staffAuth, 'The router blinks red after the firmware update', 'Since the update last night the light on the router blinks red and nothing connects.', ['router']);
    const answer = await apiAnswer(t, staffAuth, question, 'Hold the reset button for ten seconds; the old firmware comes back and the light turns green.');
    await apiAccept(t, staffAuth, question, answer);
    await t.app.searchIndex.sync();
    threadPath = String((await t.app.inject({ method: 'GET', url: `/questions/${question}` })).headers.location);
  });

  afterAll(async () => {
    await t?.close();
  });

  /** Everything a visitor can do that records an event, from pages and from site.js. */
  async function everything(browser: Browser): Promise<number[]> {
    const statuses: number[] = [];
    const search = await browser.get('/search?q=router');
    statuses.push(search.statusCode);
    const thread = await browser.get(threadPath);
    statuses.push(thread.statusCode);
    // A crawler gets kept pages without a CSRF token (page-cache.ts); one that posts anyway has one from a form page.
    const csrf = /<meta name="csrf-token" content="([^"]+)">/.test(thread.body) ? csrfOf(thread.body) : csrfOf((await browser.get('/signin')).body);
    for (const kind of PAGE_KINDS) statuses.push((await sendEvent(browser, csrf, { kind, questionId: question })).statusCode);
    statuses.push((await browser.submit(`/questions/${question}/feedback`, { solved: 'no' }, { csrf })).statusCode);
    statuses.push((await browser.get('/support')).statusCode);
    statuses.push((await browser.get('/questions/ask?title=router%20blinks%20red%20again')).statusCode);
    statuses.push((await browser.get('/api/v1/search/suggest?title=router%20blinks%20red')).statusCode);
    return statuses;
  }

  describe('the visitor cookie', () => {
    it('is random, first-party, http-only and long-lived; bots get none', async () => {
      const first = await t.app.inject({ method: 'GET', url: '/', headers: { 'user-agent': HUMAN } });
      const second = await t.app.inject({ method: 'GET', url: '/', headers: { 'user-agent': HUMAN } });
      const cookie = first.cookies.find((c) => c.name === VISITOR_COOKIE)!;
      expect(cookie).toMatchObject({ path: '/', httpOnly: true, sameSite: 'Lax', maxAge: 2 * 365 * 86_400 });
      expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(second.cookies.find((c) => c.name === VISITOR_COOKIE)!.value).not.toBe(cookie.value);
      // A known cookie is kept, not replaced.
      const back = await t.app.inject({ method: 'GET', url: '/', headers: { 'user-agent': HUMAN, cookie: `${VISITOR_COOKIE}=${cookie.value}` } });
      expect(back.cookies.find((c) => c.name === VISITOR_COOKIE)).toBeUndefined();
      for (const userAgent of [GOOGLEBOT, undefined]) {
        const bot = await t.app.inject({ method: 'GET', url: '/', headers: userAgent ? { 'user-agent': userAgent } : {} });
        expect(bot.cookies.find((c) => c.name === VISITOR_COOKIE)).toBeUndefined();
      }
    });
  });

  describe('the events API', () => {
    it('202 for every kind a page may send, stored with the visitor and nothing else about them', async () => {
      const visitor = person(t);
      const csrf = await visitor.csrfToken('/');
      const visitorId = visitor.cookies.get(VISITOR_COOKIE)!;
      const before = eventCount(t);
      for (const kind of PAGE_KINDS) {
        const response = await sendEvent(visitor, csrf, { kind, questionId: question, query: '  Router  BLINKS ', rank: 2 });
        expect(response.statusCode, `${kind}: ${response.body}`).toBe(202);
      }
      expect(rows(t).slice(before)).toEqual(
        PAGE_KINDS.map((kind) => ({ id: expect.any(Number), at: expect.any(Number), kind, visitorId, userId: null, questionId: question, query: 'router blinks', resultCount: null, rank: 2, variant: null })),
      );
      // Identified by the cookie only: a body cannot choose the visitor.
      expect((await sendEvent(visitor, csrf, { kind: 'solved', questionId: question, visitorId: 'someoneElse000000000000' })).statusCode).toBe(202);
      expect(rows(t).at(-1)!.visitorId).toBe(visitorId);
    });

    it('400 for an unknown kind and for every kind the server logs itself; nothing stored', async () => {
      const visitor = person(t);
      const csrf = await visitor.csrfToken('/');
      const before = eventCount(t);
      for (const kind of ['nonsense', '', 'SOLVED', 'solved ']) {
        const response = await sendEvent(visitor, csrf, { kind });
        expect(response.statusCode, kind).toBe(400);
        expect(response.json().error).toMatchObject({ code: 'invalid_input' });
      }
      for (const kind of SERVER_KINDS) {
        const response = await sendEvent(visitor, csrf, { kind, questionId: question });
        expect(response.statusCode, kind).toBe(400);
        expect(response.json().error).toMatchObject({ code: 'server_event' });
      }
      expect((await sendEvent(visitor, csrf, { kind: 'solved', questionId: 'one' })).statusCode).toBe(400);
      expect((await sendEvent(visitor, csrf, { questionId: question })).statusCode).toBe(400);
      expect(eventCount(t)).toBe(before);
    });

    it('403 without the CSRF token (or with a wrong one), signed in or not; nothing stored', async () => {
      const visitor = person(t);
      const csrf = await visitor.csrfToken('/');
      const before = eventCount(t);
      expect((await sendEvent(visitor, undefined, { kind: 'solved', questionId: question })).statusCode).toBe(403);
      expect((await sendEvent(visitor, `${csrf.slice(0, -2)}xx`, { kind: 'solved', questionId: question })).statusCode).toBe(403);
      // A token from a page, but without the cookies it belongs to.
      expect((await sendEvent(person(t), csrf, { kind: 'solved', questionId: question })).statusCode).toBe(403);
      const { browser: member } = await signedIn(t, 'member');
      expect((await sendEvent(member, undefined, { kind: 'solved', questionId: question })).statusCode).toBe(403);
      expect(eventCount(t)).toBe(before);
    });

    it('429 past 60 events a minute from one visitor; another visitor is not held back', async () => {
      const visitor = person(t);
      const csrf = await visitor.csrfToken('/');
      for (let i = 0; i < 60; i++) {
        const response = await sendEvent(visitor, csrf, { kind: 'thread_read', questionId: question });
        expect(response.statusCode, `event ${i + 1}`).toBe(202);
      }
      const limited = await sendEvent(visitor, csrf, { kind: 'thread_read', questionId: question });
      expect(limited.statusCode).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      // Same address, another visitor cookie.
      const other = person(t);
      expect((await sendEvent(other, await other.csrfToken('/'), { kind: 'thread_read', questionId: question })).statusCode).toBe(202);
    });

    it('dropping the visitor cookie does not escape the limit (a cookieless request counts by address)', async () => {
      const script = person(t, { remoteAddress: '192.0.2.77' });
      const csrf = await script.csrfToken('/');
      const statuses: number[] = [];
      for (let i = 0; i < 61; i++) {
        script.cookies.delete(VISITOR_COOKIE); // a new visitor id on every request
        statuses.push((await sendEvent(script, csrf, { kind: 'thread_read', questionId: question })).statusCode);
      }
      expect(statuses.filter((s) => s === 202)).toHaveLength(60);
      expect(statuses.at(-1)).toBe(429);
    });
  });

  describe('never recorded', () => {
    it('bots (Googlebot): pages work, the events API answers 202, nothing is stored', async () => {
      const before = eventCount(t);
      const bot = person(t, { userAgent: GOOGLEBOT });
      const statuses = await everything(bot);
      expect(statuses.every((s) => s < 400)).toBe(true);
      expect(bot.cookies.has(VISITOR_COOKIE)).toBe(false);
      expect(eventCount(t)).toBe(before);
    });

    it.each(['moderator', 'staff', 'admin'] as const)('signed-in %s: nothing is stored', async (role) => {
      const before = eventCount(t);
      const { browser } = await signedIn(t, role);
      const statuses = await everything(browser);
      expect(statuses.every((s) => s < 400), statuses.join(' ')).toBe(true);
      expect(eventCount(t)).toBe(before);
    });

    it('a signed-in member is recorded, with their user id', async () => {
      const before = eventCount(t);
      const { user, browser } = await signedIn(t, 'member');
      await everything(browser);
      const recorded = rows(t).slice(before);
      expect(recorded.map((r) => r.kind).sort()).toEqual(
        // Suggestions were shown twice: on the ask form (step 2) and through the suggest API.
        ['search', 'thread_view', ...PAGE_KINDS, 'not_solved', 'contact_support', 'ask_started', 'suggestions_shown', 'suggestions_shown'].sort(),
      );
      expect(new Set(recorded.map((r) => r.userId))).toEqual(new Set([user.id]));
    });

    it('addresses in the "internal networks" setting (127.0.0.0/8 holds the test client’s 127.0.0.1)', async () => {
      setSetting(t.db, 'internalNetworks', '10.0.0.0/8\n127.0.0.0/8, 2001:db8::/32');
      try {
        const before = eventCount(t);
        for (const remoteAddress of [undefined, '10.20.30.40', '2001:db8::5']) {
          const statuses = await everything(person(t, remoteAddress ? { remoteAddress } : {}));
          expect(statuses.every((s) => s < 400), statuses.join(' ')).toBe(true);
        }
        expect(eventCount(t)).toBe(before);
        // An outside address is recorded.
        const outside = person(t, { remoteAddress: '203.0.113.7' });
        await outside.get('/search?q=router');
        expect(eventCount(t)).toBe(before + 1);
      } finally {
        deleteSetting(t.db, 'internalNetworks');
      }
    });

    it('no address is stored: no such column, and no stored value holds one', async () => {
      const outside = person(t, { remoteAddress: '198.51.100.23' });
      await outside.get(`/search?q=${encodeURIComponent('router red')}`);
      t.app.deflectionEvents.flush();
      const columns = (t.db.$client.prepare('pragma table_info(deflection_events)').all() as { name: string }[]).map((c) => c.name);
      expect(columns).toEqual(['id', 'at', 'kind', 'visitor_id', 'user_id', 'question_id', 'query', 'result_count', 'rank', 'variant']);
      for (const table of ['deflection_events', 'visitor_links', 'deflection_rollups']) {
        const names = (t.db.$client.prepare(`pragma table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
        expect(names.filter((n) => /ip|addr|remote|agent/i.test(n)), table).toEqual([]);
      }
      const dump = JSON.stringify(t.db.$client.prepare('select * from deflection_events').all());
      for (const address of ['127.0.0.1', '198.51.100.23', '203.0.113.7', '10.20.30.40']) expect(dump).not.toContain(address);
    });
  });

  describe('the suggestions holdout', () => {
    it('notes the group of each ask-form visit and reports it', async () => {
      setSetting(t.db, 'holdoutPercent', 50);
      try {
        const visitor = person(t);
        await visitor.get('/');
        const visitorId = visitor.cookies.get(VISITOR_COOKIE)!;
        const group = visitorBucket(visitorId) < 50 ? 'hidden' : 'shown';
        await visitor.get('/questions/ask');
        expect(rows(t).at(-1)).toMatchObject({ kind: 'ask_started', visitorId, variant: group });
        const { report } = await recentReport(t, staffAuth);
        expect(report.holdout.share).toBe(0.5);
        expect(report.holdout[group === 'shown' ? 'withSuggestions' : 'withoutSuggestions'].visits).toBeGreaterThanOrEqual(1);
      } finally {
        deleteSetting(t.db, 'holdoutPercent');
      }
    });
  });

  describe('the report API', () => {
    it('is for staff and admins only', async () => {
      const url = '/api/v1/reports/deflection';
      expect((await t.app.inject({ method: 'GET', url })).statusCode).toBe(401);
      expect((await t.app.inject({ method: 'GET', url, headers: (await tokenFor(t.app, t.db, 'member')).auth })).statusCode).toBe(403);
      expect((await t.app.inject({ method: 'GET', url, headers: (await tokenFor(t.app, t.db, 'moderator')).auth })).statusCode).toBe(403);
      expect((await t.app.inject({ method: 'GET', url, headers: staffAuth })).statusCode).toBe(200);
      expect((await t.app.inject({ method: 'GET', url, headers: (await tokenFor(t.app, t.db, 'admin')).auth })).statusCode).toBe(200);
    });

    it('defaults to the last 30 days and refuses bad periods', async () => {
      const url = '/api/v1/reports/deflection';
      const report = (await t.app.inject({ method: 'GET', url, headers: staffAuth })).json();
      expect(report.series).toHaveLength(30);
      expect(report.to).toBe(isoDay(Date.now()));
      for (const query of ['from=2025-02-30', 'to=yesterday', 'from=2025-03-02&to=2025-03-01', 'from=2020-01-01&to=2025-01-01']) {
        expect((await t.app.inject({ method: 'GET', url: `${url}?${query}`, headers: staffAuth })).statusCode, query).toBe(400);
      }
    });
  });
});

describe('daily rollups', () => {
  let t: TestApp;
  let staffAuth: Record<string, string>;
  let question: number;
  const settings = defaultSettings();
  const visit = (visitorId: string) => ({ visitorId, userId: null, role: null, isBot: false, ip: '203.0.113.50' });
  const rollups = () =>
    t.db.$client.prepare('select day, settings_key as settingsKey, computed_at as computedAt from deflection_rollups order by day').all() as { day: string; settingsKey: string; computedAt: number }[];

  /** A finished day (every window up to 30 days has passed), at noon. */
  const past = Date.now() - 40 * DAY_MS;
  const day = isoDay(past);
  const noon = Date.parse(`${day}T12:00:00Z`);

  beforeAll(async () => {
    t = await buildTestApp();
    staffAuth = (await tokenFor(t.app, t.db, 'staff')).auth;
    question = await apiAsk(t, staffAuth, 'The modem loses the connection every evening', 'Every evening around eight the modem drops the connection for a few minutes.', ['modem']);
    await apiAnswer(t, staffAuth, question, 'Change the wireless channel to 1, 6 or 11; a neighbour probably uses yours in the evening.');
    // Recorded back then (the recorder takes the time of the event).
    recordEvent(t.db, visit('visitorRollup000000001'), settings, 'solved', { questionId: question }, new Date(noon));
  });

  afterAll(async () => {
    await t?.close();
  });

  it('a finished day is computed once, stored, and reused', async () => {
    const first = await reportFor(t, staffAuth, { from: day, to: day });
    expect(first.deflected).toEqual({ low: 1, estimate: 1, high: 1 });
    expect(first.provisionalFrom).toBeNull();
    const stored = rollups();
    expect(stored).toEqual([{ day, settingsKey: 'w72', computedAt: expect.any(Number) }]);

    // An event arriving for that day afterwards is not read again: the stored day is used as it is.
    recordEvent(t.db, visit('visitorRollup000000001'), settings, 'contact_support', {}, new Date(noon + 3_600_000));
    const second = await reportFor(t, staffAuth, { from: day, to: day });
    expect(second).toEqual(first);
    expect(rollups()).toEqual(stored);
  });

  it('a change of W recomputes the day (and stores it under the new W)', async () => {
    setSetting(t.db, 'deflectionWindowHours', 24);
    try {
      const report = await reportFor(t, staffAuth, { from: day, to: day });
      expect(report.windowHours).toBe(24);
      // Recomputed from the events: the support contact an hour later cancels the credit.
      expect(report.deflected).toEqual({ low: 0, estimate: 0, high: 0 });
      expect(rollups()).toEqual([{ day, settingsKey: 'w24', computedAt: expect.any(Number) }]);
    } finally {
      deleteSetting(t.db, 'deflectionWindowHours');
    }
    const back = await reportFor(t, staffAuth, { from: day, to: day });
    expect(back.windowHours).toBe(72);
    expect(back.deflected).toEqual({ low: 0, estimate: 0, high: 0 });
    expect(rollups().map((r) => r.settingsKey)).toEqual(['w72']);
  });

  it('a change of r or of the costs needs no recomputation: they apply to the stored days', async () => {
    const before = rollups();
    setSetting(t.db, 'deflectionPotentialShare', 0.5);
    setSetting(t.db, 'costPerContact', 12);
    try {
      const report = await reportFor(t, staffAuth, { from: day, to: day });
      expect(report).toMatchObject({ potentialShare: 0.5, costPerContact: 12 });
      expect(rollups()).toEqual(before);
    } finally {
      deleteSetting(t.db, 'deflectionPotentialShare');
      deleteSetting(t.db, 'costPerContact');
    }
  });

  it('provisional days are counted but never stored', async () => {
    // Today, with the real clock: a credit that a later question could still cancel.
    const visitor = person(t);
    const thread = await visitor.get(String((await visitor.get(`/questions/${question}`)).headers.location));
    expect((await visitor.submit(`/questions/${question}/feedback`, { solved: 'yes' }, { csrf: csrfOf(thread.body) })).statusCode).toBe(303);

    const period = { from: day, to: isoDay(Date.now()) };
    const report = await reportFor(t, staffAuth, period);
    expect(report.deflected).toEqual({ low: 1, estimate: 1, high: 1 });
    expect(report.series).toHaveLength(41);
    const now = Date.now();
    const provisional = report.series.map((d: { date: string }) => d.date).filter((date: string) => Date.parse(`${date}T00:00:00Z`) + DAY_MS + 72 * 3_600_000 > now);
    expect(report.provisionalFrom).toBe(provisional[0]);
    expect(provisional.length).toBeGreaterThanOrEqual(3);
    const stored = rollups().map((r) => r.day);
    expect(stored).toHaveLength(41 - provisional.length);
    expect(stored.some((d) => provisional.includes(d))).toBe(false);
    expect(new Set(rollups().map((r) => r.settingsKey))).toEqual(new Set(['w72']));

    // Asked again: the same figures, from the stored days plus the provisional ones.
    expect(await reportFor(t, staffAuth, period)).toEqual(report);
  });
});
