// Private support cases through the real app: who may see and do what on every case route (pages and API),
// the conversation with its mail, the public thread's banner through the signed-out page cache, and the
// places a case must never reach (search, feeds, sitemaps, the public API, the public thread).
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answers, mailOutbox, supportCases, users } from '../../src/db/schema.ts';
import { askQuestion } from '../../src/features/questions/service.ts';
import { setSetting } from '../../src/features/settings/service.ts';
import { bearerToken, Browser, BROWSER_USER_AGENT, buildTestApp, loginAs, signInCast, type TestApp } from '../helper.ts';

const SECRET_SUMMARY = 'Zebrafishcharger refund never arrived';
const SECRET_DETAILS = 'ORDER-991773-PRIVATE';
const SECRET_REPLY = 'Quokkaserial number is QX-55120';

let t: TestApp;
type Person = Awaited<ReturnType<typeof loginAs>>;
let asker: Person, other: Person, moderator: Person, staff: Person, admin: Person;
let anonymous: Browser;
let questionId: number;
let threadPath: string;
let caseId: number;

const verify = (id: number) => t.db.update(users).set({ emailVerifiedAt: new Date(), locale: 'en' }).where(eq(users.id, id)).run();
const mailTo = (userId: number) => t.db.select().from(mailOutbox).where(eq(mailOutbox.toUserId, userId)).all();

const apiToken = async (person: Person) => ({ authorization: `Bearer ${await bearerToken(t.app, person.user)}` });

beforeAll(async () => {
  t = await buildTestApp();
  for (const key of ['postsPerIpPerMinute', 'signInPerIpPerMinute', 'signUpPerIpPerHour'] as const) setSetting(t.db, key, 10_000);
  setSetting(t.db, 'secondsBetweenPosts', 0);
  setSetting(t.db, 'newMemberSecondsBetweenPosts', 0);
  ({ asker, other, moderator, staff, admin } = await signInCast(t.app, t.db));
  for (const p of [asker, other, moderator, staff, admin]) verify(p.user.id);
  anonymous = new Browser(t.app);
  const settings = t.app.settings();
  const asked = askQuestion(t.db, { ...asker.user, reputation: 1, createdAt: new Date(0) } as never, { title: 'My charger stopped working after a week', body: 'The charger of my kettle stopped working after one week of use. What can I do?', tags: 'chargers' }, settings);
  questionId = asked.id;
  threadPath = asked.url;
});
afterAll(async () => {
  await t?.close();
});

describe('escalating a question', () => {
  it('shows "This needs the support team" to the asker, moderators and staff, and to nobody else', async () => {
    for (const p of [asker, moderator, staff]) expect((await p.browser.get(threadPath)).body).toContain(`/support/new?question=${questionId}`);
    for (const b of [other.browser, anonymous]) expect((await b.get(threadPath, { 'user-agent': BROWSER_USER_AGENT })).body).not.toContain('/support/new');
  });

  it('the form: anonymous is sent to sign in, another member gets a 404, the asker gets the form', async () => {
    const url = `/support/new?question=${questionId}`;
    expect((await anonymous.get(url)).statusCode).toBe(303);
    expect((await other.browser.get(url)).statusCode).toBe(404);
    expect((await asker.browser.get(url)).statusCode).toBe(200);
    expect((await moderator.browser.get(url)).statusCode).toBe(200);
  });

  it('another member cannot open a case on someone else’s question (404), and nothing is written', async () => {
    const response = await other.browser.submit('/support/cases', { question: String(questionId), summary: SECRET_SUMMARY });
    expect(response.statusCode).toBe(404);
    expect(t.db.select().from(supportCases).all()).toHaveLength(0);
  });

  it('a summary that is too short shows the form again with the message, and writes nothing', async () => {
    const response = await asker.browser.submit('/support/cases', { question: String(questionId), summary: 'no' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('field-error');
    expect(t.db.select().from(supportCases).all()).toHaveLength(0);
  });

  it('the kept signed-out thread has no banner before, and shows it once the asker opens a case', async () => {
    const before = await anonymous.get(threadPath, { 'user-agent': BROWSER_USER_AGENT });
    expect(before.body).not.toContain('support-banner');
    await anonymous.get(threadPath, { 'user-agent': BROWSER_USER_AGENT }); // kept now
    const response = await asker.browser.submit('/support/cases', { question: String(questionId), summary: SECRET_SUMMARY, details: SECRET_DETAILS });
    expect(response.statusCode).toBe(303);
    caseId = t.db.select().from(supportCases).get()!.id;
    expect(response.headers.location).toBe(`/support/cases/${caseId}`);
    const after = await anonymous.get(threadPath, { 'user-agent': BROWSER_USER_AGENT });
    expect(after.body).toContain('The support team is looking into this');
    expect(after.body).not.toContain(`/support/cases/${caseId}`);
    expect(after.body).not.toContain(SECRET_SUMMARY);
  });

  it('staff hear of the escalation by mail, without the case’s text', () => {
    const mail = mailTo(staff.user.id).filter((m) => m.kind === 'desk_escalation');
    expect(mail).toHaveLength(1);
    expect(mail[0].data).not.toContain('Zebrafish');
    expect(mail[0].data).not.toContain(SECRET_DETAILS);
    expect(mailTo(admin.user.id).filter((m) => m.kind === 'desk_escalation')).toHaveLength(1);
  });

  it('a second case on the same question is a conflict while the first is unsolved', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/cases', headers: await apiToken(asker), payload: { questionId, summary: 'Another try at the same problem here' } });
    expect(response.statusCode).toBe(409);
    expect(response.json().error.code).toBe('case_already_open');
  });
});

describe('who may see and do what on a case (pages)', () => {
  const pages = () => `/support/cases/${caseId}`;

  it('GET the case: anonymous to sign-in; another member and a moderator 404 (like a missing case); asker, staff, admin 200', async () => {
    expect((await anonymous.get(pages())).statusCode).toBe(303);
    const hidden = await other.browser.get(pages());
    const missing = await other.browser.get('/support/cases/999999');
    expect(hidden.statusCode).toBe(404);
    expect(missing.statusCode).toBe(404);
    // The same page but for the address asked for (and the CSRF token).
    const normal = (body: string) => body.replace(/content="[^"]+"|value="[^"]+"/g, '').replace(/\/support\/cases\/\d+/g, '/support/cases/N');
    expect(normal(hidden.body)).toBe(normal(missing.body));
    expect((await moderator.browser.get(pages())).statusCode).toBe(404);
    for (const p of [asker, staff, admin]) {
      const page = await p.browser.get(pages());
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Zebrafishcharger');
      expect(page.body).toContain(SECRET_DETAILS);
      expect(page.headers['cache-control'] ?? '').not.toMatch(/public/);
    }
  });

  it('the list: members see only their own cases; staff see every case', async () => {
    expect((await other.browser.get('/support/cases')).body).not.toContain('charger stopped');
    expect((await moderator.browser.get('/support/cases')).body).not.toContain('charger stopped');
    expect((await asker.browser.get('/support/cases')).body).toContain('charger stopped');
    expect((await staff.browser.get('/support/cases')).body).toContain('charger stopped');
    expect((await anonymous.get('/support/cases')).statusCode).toBe(303);
  });

  it('writing on the case: another member and a moderator 404; nothing written', async () => {
    for (const p of [other, moderator]) {
      expect((await p.browser.submit(`${pages()}/messages`, { body: 'I want to see this case too please' })).statusCode).toBe(404);
      expect((await p.browser.submit(`${pages()}/status`, { status: 'solved' })).statusCode).toBe(404);
      expect((await p.browser.submit(`${pages()}/assign`, { assign: 'me' })).statusCode).toBe(404);
      expect((await p.browser.submit(`${pages()}/summary`, { body: 'A public answer from the wrong person' })).statusCode).toBe(404);
    }
    expect(t.db.select().from(supportCases).get()!.status).toBe('open');
  });

  it('status, assignment and summary are for staff: the asker gets a 403', async () => {
    expect((await asker.browser.submit(`${pages()}/status`, { status: 'solved' })).statusCode).toBe(403);
    expect((await asker.browser.submit(`${pages()}/assign`, { assign: 'me' })).statusCode).toBe(403);
    expect((await asker.browser.submit(`${pages()}/summary`, { body: 'The asker cannot post the official summary' })).statusCode).toBe(403);
    expect(t.db.select().from(supportCases).get()).toMatchObject({ status: 'open', assigneeId: null });
  });

  it('a form without its CSRF token changes nothing', async () => {
    expect((await staff.browser.submit(`${pages()}/status`, { status: 'solved' }, { csrf: null })).statusCode).toBe(403);
    expect(t.db.select().from(supportCases).get()!.status).toBe('open');
  });
});

describe('the conversation', () => {
  it('staff take the case and answer privately: the case waits for the customer, who is mailed', async () => {
    expect((await staff.browser.submit(`/support/cases/${caseId}/assign`, { assign: 'me' })).statusCode).toBe(303);
    const before = mailTo(asker.user.id).length;
    const response = await staff.browser.submit(`/support/cases/${caseId}/messages`, { body: 'Please send us the **serial number** <script>alert(1)</script>' });
    expect(response.statusCode).toBe(303);
    const row = t.db.select().from(supportCases).get()!;
    expect(row).toMatchObject({ status: 'waiting', assigneeId: staff.user.id });
    const mail = mailTo(asker.user.id).slice(before);
    expect(mail).toHaveLength(1);
    expect(mail[0]).toMatchObject({ kind: 'support_case', template: 'support-message' });
    const page = await asker.browser.get(`/support/cases/${caseId}`);
    expect(page.body).toContain('<strong>serial number</strong>');
    expect(page.body).not.toContain('<script>alert(1)');
    expect(page.body).toContain('Waiting for the customer');
  });

  it('the customer replies: the case is open again and the assignee (only) is mailed', async () => {
    const staffBefore = mailTo(staff.user.id).length;
    const adminBefore = mailTo(admin.user.id).length;
    const response = await asker.browser.submit(`/support/cases/${caseId}/messages`, { body: SECRET_REPLY });
    expect(response.statusCode).toBe(303);
    expect(t.db.select().from(supportCases).get()!.status).toBe('open');
    expect(mailTo(staff.user.id).length).toBe(staffBefore + 1);
    expect(mailTo(admin.user.id).length).toBe(adminBefore);
  });

  it('an empty message is a 400 on the case page, nothing written', async () => {
    const response = await asker.browser.submit(`/support/cases/${caseId}/messages`, { body: '   ' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('field-error');
  });

  it('the public summary is only offered once solved (409 before)', async () => {
    const early = await staff.browser.submit(`/support/cases/${caseId}/summary`, { body: 'Replace the fuse under the base of the kettle.' });
    expect(early.statusCode).toBe(409);
    expect((await staff.browser.get(`/support/cases/${caseId}`)).body).not.toContain('/summary"');
  });

  it('staff solve the case: the banner leaves the kept thread, and the summary form is offered', async () => {
    await anonymous.get(threadPath, { 'user-agent': BROWSER_USER_AGENT });
    expect((await staff.browser.submit(`/support/cases/${caseId}/status`, { status: 'solved' })).statusCode).toBe(303);
    expect(t.db.select().from(supportCases).get()!.solvedAt).toBeInstanceOf(Date);
    expect((await anonymous.get(threadPath, { 'user-agent': BROWSER_USER_AGENT })).body).not.toContain('support-banner');
    expect((await staff.browser.get(`/support/cases/${caseId}`)).body).toContain(`/support/cases/${caseId}/summary`);
    expect((await asker.browser.get(`/support/cases/${caseId}`)).body).not.toContain(`/summary"`);
  });

  it('the official public answer lands on the thread', async () => {
    const response = await staff.browser.submit(`/support/cases/${caseId}/summary`, { body: 'Replace the fuse under the base of the kettle; the shop sends one for free.' });
    expect(response.statusCode).toBe(303);
    const answer = t.db.select().from(answers).where(eq(answers.questionId, questionId)).get()!;
    expect(answer.official).toBe(true);
    expect(response.headers.location).toContain(`#answer-${answer.id}`);
    expect((await anonymous.get(threadPath, { 'user-agent': BROWSER_USER_AGENT })).body).toContain('Replace the fuse');
  });
});

describe('who may see and do what on a case (API)', () => {
  it('GET /cases/:id and /cases/:id/messages: 401, 404 for others and moderators, 200 for asker, staff, admin', async () => {
    for (const url of [`/api/v1/cases/${caseId}`, `/api/v1/cases/${caseId}/messages`]) {
      expect((await t.app.inject({ method: 'GET', url })).statusCode).toBe(401);
      for (const p of [other, moderator]) {
        const response = await t.app.inject({ method: 'GET', url, headers: await apiToken(p) });
        expect(response.statusCode).toBe(404);
        expect(response.json()).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
        expect(response.body).not.toContain('Zebrafish');
      }
      for (const p of [asker, staff, admin]) {
        const response = await t.app.inject({ method: 'GET', url, headers: await apiToken(p) });
        expect(response.statusCode).toBe(200);
        expect(response.body).toContain('Quokkaserial');
      }
    }
    const missing = await t.app.inject({ method: 'GET', url: '/api/v1/cases/987654', headers: await apiToken(other) });
    const hidden = await t.app.inject({ method: 'GET', url: `/api/v1/cases/${caseId}`, headers: await apiToken(other) });
    expect(hidden.body).toBe(missing.body);
  });

  it('GET /cases lists the asker’s own cases, every case for staff, none for others', async () => {
    const list = async (p: Person) => (await t.app.inject({ method: 'GET', url: '/api/v1/cases', headers: await apiToken(p) })).json();
    expect((await list(other)).total).toBe(0);
    expect((await list(moderator)).total).toBe(0);
    expect((await list(asker)).items.map((c: { id: number }) => c.id)).toEqual([caseId]);
    expect((await list(staff)).total).toBe(1);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/cases' })).statusCode).toBe(401);
  });

  it('PATCH /cases/:id: 401, 404 for others and moderators, 403 for the asker, 200 for staff; bad values are a 400', async () => {
    const url = `/api/v1/cases/${caseId}`;
    expect((await t.app.inject({ method: 'PATCH', url, payload: { status: 'open' } })).statusCode).toBe(401);
    for (const p of [other, moderator]) expect((await t.app.inject({ method: 'PATCH', url, headers: await apiToken(p), payload: { status: 'open' } })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'PATCH', url, headers: await apiToken(asker), payload: { status: 'open' } })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'PATCH', url, headers: await apiToken(staff), payload: { status: 'closed' } })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'PATCH', url, headers: await apiToken(staff), payload: { assigneeId: asker.user.id } })).statusCode).toBe(400);
    const reopened = await t.app.inject({ method: 'PATCH', url, headers: await apiToken(admin), payload: { status: 'open', assigneeId: admin.user.id } });
    expect(reopened.statusCode).toBe(200);
    expect(reopened.json()).toMatchObject({ status: 'open', assignee: { id: admin.user.id }, solvedAt: null });
    expect((await anonymous.get(threadPath, { 'user-agent': BROWSER_USER_AGENT })).body).toContain('support-banner');
  });

  it('POST /cases/:id/messages: 401, 404 for others and moderators, 201 for asker and staff', async () => {
    const url = `/api/v1/cases/${caseId}/messages`;
    expect((await t.app.inject({ method: 'POST', url, payload: { body: 'Hello there, anyone?' } })).statusCode).toBe(401);
    for (const p of [other, moderator]) expect((await t.app.inject({ method: 'POST', url, headers: await apiToken(p), payload: { body: 'Let me in to this case' } })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url, headers: await apiToken(asker), payload: { body: 'It still does not work after the new fuse, sorry.' } })).json()).toMatchObject({ status: 'open' });
    expect((await t.app.inject({ method: 'POST', url, headers: await apiToken(staff), payload: { body: 'We are sending you a new kettle by courier today.' } })).json()).toMatchObject({ status: 'waiting' });
  });

  it('POST /cases on someone else’s question is a 404; a moderator may open one for the asker but then cannot read it', async () => {
    const settings = t.app.settings();
    const second = askQuestion(t.db, { ...asker.user, reputation: 1, createdAt: new Date(0) } as never, { title: 'The lid of my kettle does not close', body: 'Since yesterday the lid of my kettle does not close any more.', tags: 'kettles' }, settings);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/cases', headers: await apiToken(other), payload: { questionId: second.id, summary: 'Opening a case on your behalf' } })).statusCode).toBe(404);
    const opened = await moderator.browser.submit('/support/cases', { question: String(second.id), summary: 'The asker told me in a comment that the lid is broken.' });
    expect(opened.statusCode).toBe(303);
    expect(opened.headers.location).toContain(`/questions/${second.id}/`);
    const id = t.db.select().from(supportCases).where(eq(supportCases.questionId, second.id)).get()!.id;
    expect((await moderator.browser.get(`/support/cases/${id}`)).statusCode).toBe(404);
    expect((await asker.browser.get(`/support/cases/${id}`)).statusCode).toBe(200);
    expect(mailTo(asker.user.id).some((m) => m.kind === 'support_case' && JSON.parse(m.data).caseId === id)).toBe(true);
  });
});

describe('a case never leaks', () => {
  const secrets = ['Zebrafish', 'Quokkaserial', SECRET_DETAILS, '/support/cases/'];
  const clean = (text: string) => {
    for (const secret of secrets) expect(text).not.toContain(secret);
  };

  it('not in the public thread, for anyone who is not its asker or staff', async () => {
    for (const b of [anonymous, other.browser, moderator.browser]) clean((await b.get(threadPath, { 'user-agent': BROWSER_USER_AGENT })).body);
  });

  it('not in the public API', async () => {
    clean((await t.app.inject({ method: 'GET', url: `/api/v1/questions/${questionId}` })).body);
    clean((await t.app.inject({ method: 'GET', url: '/api/v1/questions?sort=newest' })).body);
    clean((await t.app.inject({ method: 'GET', url: `/api/v1/questions/${questionId}`, headers: await apiToken(staff) })).body);
  });

  it('not in search', async () => {
    for (const q of ['Zebrafishcharger', 'Quokkaserial', SECRET_DETAILS]) {
      const response = await t.app.inject({ method: 'GET', url: `/api/v1/search?q=${encodeURIComponent(q)}` });
      expect(response.statusCode).toBe(200);
      expect(response.json().total).toBe(0);
      // The search page repeats the query; it must find nothing.
      const page = (await anonymous.get(`/search?q=${encodeURIComponent(q)}`)).body;
      expect(page).toContain('no-results');
      expect(page).not.toContain('/support/cases/');
    }
  });

  it('not in feeds or sitemaps', async () => {
    for (const url of ['/feeds/questions', '/feeds/unanswered', '/feeds/tags/chargers', `/feeds/questions/${questionId}`, '/sitemap.xml']) {
      const response = await anonymous.get(url);
      expect(response.statusCode).toBe(200);
      clean(response.body);
    }
    const index = (await anonymous.get('/sitemap.xml')).body;
    for (const match of index.matchAll(/<loc>([^<]+)<\/loc>/g)) {
      const path = match[1].replace(t.config.baseUrl, '');
      clean((await anonymous.get(path)).body);
    }
  });

  it('not in robots: /support is disallowed to crawlers', async () => {
    expect((await anonymous.get('/robots.txt')).body).toContain('Disallow: /support');
  });
});

describe('the deflection report', () => {
  it('counts the asker’s escalation as a support contact (a failed deflection), and shows cases opened, solved and the median time to solve', async () => {
    const customer = await loginAs(t.app, t.db, 'member');
    const poster = { ...customer.user, reputation: 1, createdAt: new Date(0) } as never;
    const asked = askQuestion(t.db, poster, { title: 'The display of my kettle stays dark', body: 'The little display of my kettle stays dark since this morning.', tags: 'displays' }, t.app.settings());
    await customer.browser.get(asked.url, { 'user-agent': BROWSER_USER_AGENT });
    const opened = await customer.browser.submit('/support/cases', { question: String(asked.id), summary: 'The display stays dark even after unplugging it.' }, { headers: { 'user-agent': BROWSER_USER_AGENT } });
    expect(opened.statusCode).toBe(303);
    t.app.deflectionEvents.flush(); // analytics are written in batches
    const contacts = t.db.$client.prepare("select user_id as userId, question_id as questionId from deflection_events where kind = 'contact_support'").all() as { userId: number; questionId: number }[];
    expect(contacts).toContainEqual({ userId: customer.user.id, questionId: asked.id });
    // The moderator's case for the asker is not a contact of the moderator's.
    expect(contacts.some((c) => c.userId === moderator.user.id)).toBe(false);
    const today = new Date().toISOString().slice(0, 10);
    const page = await staff.browser.get(`/staff/reports/deflection?from=${today}&to=${today}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Support cases opened (escalations)');
    expect(page.body).toContain('Median time to solve a case');
  });
});
