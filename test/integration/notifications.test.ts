// Notifications through the real app and a loopback SMTP server: follows, the inbox and its bell, mail per
// preference, coalescing, digests, mentions, privileges, fan-out off the request path and the JSON API.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailOutbox, notificationJobs, notifications, questionFollows, users } from '../../src/db/schema.ts';
import { acceptAnswer, postAnswer } from '../../src/features/answers/service.ts';
import { addComment } from '../../src/features/comments/service.ts';
import { askQuestion } from '../../src/features/questions/service.ts';
import { setSetting } from '../../src/features/settings/service.ts';
import { castVote } from '../../src/features/votes/service.ts';
import { emit } from '../../src/lib/events.ts';
import { runJobBatch } from '../../src/features/notifications/worker.ts';
import { Browser, BROWSER_USER_AGENT, buildTestApp, createUser, STRONG_PASSWORD, type TestApp } from '../helper.ts';
import { startMailServer, type MailServer } from '../mail-server.ts';

let smtp: MailServer;
let t: TestApp;
const BASE = 'https://forum.example.com';
beforeAll(async () => {
  smtp = await startMailServer();
  // Background loops effectively off: the tests run them with flush() at the moments they choose.
  t = await buildTestApp({ env: { SMTP_URL: smtp.smtpUrl, BASE_URL: BASE } });
  t.app.notifications.pause();
  t.app.mail.pause();
  for (const [key, value] of [
    ['newMemberSecondsBetweenPosts', 0],
    ['secondsBetweenPosts', 0],
    ['duplicateBodyMinutes', 0],
    ['newMemberAnswersPerDay', 1000],
    ['newMemberQuestionsPerDay', 1000],
    ['signInPerIpPerMinute', 10_000],
  ] as const)
    setSetting(t.db, key, value);
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});

/** A confirmed member whose mail is in English. */
async function member(role: 'member' | 'moderator' | 'staff' = 'member') {
  const user = await createUser(t.db, role);
  t.db.update(users).set({ emailVerifiedAt: new Date(), locale: 'en' }).where(eq(users.id, user.id)).run();
  return { ...user, email: `${user.username}@example.com`, createdAt: new Date(0) };
}

class EnBrowser extends Browser {
  override get(url: string, headers: Record<string, string> = {}) {
    return super.get(url, { 'accept-language': 'en', 'user-agent': BROWSER_USER_AGENT, ...headers });
  }
}
async function signIn(user: { username: string }) {
  const browser = new EnBrowser(t.app);
  const response = await browser.submit('/signin', { login: user.username, password: STRONG_PASSWORD });
  expect(response.statusCode).toBe(303);
  return browser;
}

let seq = 0;
function ask(author: Awaited<ReturnType<typeof member>>, tags = 'router') {
  seq++;
  return askQuestion(t.db, author, { title: `How do I reset router number ${seq} at home?`, body: `My router ${seq} keeps dropping the connection every few minutes.`, tags }, t.app.settings());
}
const answer = (author: Awaited<ReturnType<typeof member>>, questionId: number) =>
  postAnswer(t.db, author, questionId, { body: `Hold the reset button for ten seconds, then wait for it (${++seq}).` }, t.app.settings());

const inbox = (userId: number) => t.db.select().from(notifications).where(eq(notifications.userId, userId)).all();
async function deliverAll(now?: () => Date) {
  await t.app.notifications.flush(now);
  await t.app.mail.flush(now);
}

describe('answers, follows and the inbox', () => {
  it('posting an answer costs the request one job row; the fan-out happens later', async () => {
    const asker = await member();
    const q = ask(asker);
    for (let i = 0; i < 3; i++) t.db.insert(questionFollows).values({ questionId: q.id, userId: (await member()).id }).run();
    const before = t.db.select().from(notificationJobs).all().length;
    const notificationsBefore = t.db.select().from(notifications).all().length;
    answer(await member(), q.id);
    expect(t.db.select().from(notificationJobs).all().length).toBe(before + 1);
    expect(t.db.select().from(notifications).all().length).toBe(notificationsBefore);
    await t.app.notifications.flush();
    // The asker and three followers.
    expect(t.db.select().from(notifications).all().length).toBe(notificationsBefore + 4);
  });

  it('fans out in batches of 500, each batch committed with the job cursor: a pass stopped between batches resumes without repeating anyone', async () => {
    const asker = await member();
    const q = ask(asker);
    const ids: number[] = [];
    const insert = t.db.$client.prepare("insert into users (username, username_key, email, email_key, display_name, password_hash) values (?, ?, ?, ?, ?, 'x')");
    t.db.$client.transaction(() => {
      for (let i = 0; i < 1200; i++) {
        const name = `fan${i}_${q.id}`;
        ids.push(Number(insert.run(name, name, `${name}@example.com`, `${name}@example.com`, name).lastInsertRowid));
      }
    })();
    for (const userId of ids) t.db.insert(questionFollows).values({ questionId: q.id, userId }).run();
    answer(await member(), q.id);
    const job = t.db.select().from(notificationJobs).all().at(-1)!;
    const forQuestion = () => t.db.select().from(notifications).all().filter((r) => r.questionId === q.id);
    // One batch, as if the process died right after it.
    expect(runJobBatch(t.db, job.id, t.app.settings())).toBe(false);
    expect(forQuestion()).toHaveLength(1 + 500);
    // A restarted loop picks the job up at its cursor.
    await t.app.notifications.flush();
    const rows = forQuestion();
    expect(rows).toHaveLength(1 + 1200);
    expect(new Set(rows.map((r) => r.userId)).size).toBe(rows.length);
    expect(t.db.select().from(notificationJobs).where(eq(notificationJobs.id, job.id)).get()!.doneAt).toBeInstanceOf(Date);
  });

  it('tells the asker at once by mail and in the inbox; the bell counts it; seeing the inbox reads it', async () => {
    const asker = await member();
    const answerer = await member();
    const q = ask(asker);
    const { id: answerId } = answer(answerer, q.id);
    await deliverAll();
    const rows = inbox(asker.id);
    expect(rows.map((r) => r.kind)).toEqual(['answer_on_your_question']);
    expect(rows[0].answerId).toBe(answerId);
    const mail = await smtp.waitFor((m) => m.to.includes(asker.email) && m.subject.includes('answered your question'));
    expect(mail.subject).toBe(`${answerer.username} answered your question “How do I reset router number ${seq - 1} at home?”`);
    expect(mail.text).toContain(`${BASE}${q.url}#answer-${answerId}`);
    expect(mail.headers.get('list-unsubscribe')).toContain('/answer_on_your_question/');
    // The answerer follows the question now.
    expect(t.db.select().from(questionFollows).where(and(eq(questionFollows.questionId, q.id), eq(questionFollows.userId, answerer.id))).get()).toBeDefined();

    const browser = await signIn(asker);
    const home = await browser.get('/');
    expect(home.body).toContain('Notifications (1 unread)');
    const page = await browser.get('/notifications');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`${answerer.username} answered your question`);
    expect(page.body).toContain(`href="${q.url}#answer-${answerId}"`);
    expect(page.body).toContain('>new<');
    expect((await browser.get('/')).body).not.toContain('unread)');
    expect(inbox(asker.id)[0].readAt).toBeInstanceOf(Date);
  });

  it('the bell is only on signed-in pages: the signed-out page cache never keeps it', async () => {
    const asker = await member();
    const q = ask(asker);
    answer(await member(), q.id);
    await deliverAll();
    const browser = await signIn(asker);
    expect((await browser.get(q.url)).body).toContain('Notifications (1 unread)');
    // Signed out, twice (the second from the kept page): no bell, no count.
    for (let i = 0; i < 2; i++) {
      const anonymous = await new EnBrowser(t.app).get(q.url);
      expect(anonymous.statusCode).toBe(200);
      expect(anonymous.body).not.toContain('href="/notifications"');
      expect(anonymous.body).not.toContain('unread)');
      expect(anonymous.body).not.toContain('action="/questions/' + q.id + '/follow"');
    }
    expect((await browser.get(q.url)).body).toContain('Notifications (1 unread)');
  });

  it('anyone signed in can follow a question from the thread (no JavaScript) and hears of answers in the daily digest', async () => {
    const asker = await member();
    const q = ask(asker);
    const follower = await member();
    const browser = await signIn(follower);
    const thread = await browser.get(q.url);
    expect(thread.body).toContain('Follow this question');
    const follow = await browser.submit(`/questions/${q.id}/follow`, { follow: '1' });
    expect(follow.statusCode).toBe(303);
    expect(follow.headers.location).toBe(q.url);
    expect((await browser.get(q.url)).body).toContain('Stop following');

    answer(await member(), q.id);
    await deliverAll();
    const rows = inbox(follower.id);
    expect(rows.map((r) => r.kind)).toEqual(['followed_question_activity']);
    // Daily digest by default: no mail yet.
    expect(rows[0].mailedAt).toBeNull();
    expect(smtp.to(follower.email).filter((m) => !m.subject.startsWith('Confirm'))).toHaveLength(0);

    // The next digest moment (07:00 UTC by default) sends one summary.
    const tomorrow = new Date(Date.now() + 36 * 3_600_000);
    await deliverAll(() => tomorrow);
    const digest = await smtp.waitFor((m) => m.to.includes(follower.email) && m.subject.startsWith('Your daily summary'));
    expect(digest.subject).toBe('Your daily summary: 1 new event');
    expect(digest.text).toContain('answered “How do I reset router');
    expect(digest.headers.get('list-unsubscribe')).toContain('/digest/');
    expect(inbox(follower.id)[0].mailedAt).toBeInstanceOf(Date);
    // Idempotent.
    await deliverAll(() => tomorrow);
    expect(smtp.to(follower.email).filter((m) => m.subject.startsWith('Your daily summary'))).toHaveLength(1);

    // Unfollow: no more.
    await browser.submit(`/questions/${q.id}/follow`, { follow: '0' });
    answer(await member(), q.id);
    await deliverAll();
    expect(inbox(follower.id)).toHaveLength(1);
  });

  it('accepting an answer tells its author; an official answer tells followers; tag followers hear of new questions', async () => {
    const asker = await member();
    const tagFan = await member();
    const fanBrowser = await signIn(tagFan);
    const q0 = ask(asker, 'wifi-setup');
    await deliverAll();
    const tagPage = await fanBrowser.get('/questions?tag=wifi-setup');
    expect(tagPage.body).toContain('Follow this tag');
    expect((await fanBrowser.submit('/tags/wifi-setup/follow', { follow: '1' })).statusCode).toBe(303);
    expect((await fanBrowser.get('/questions?tag=wifi-setup')).body).toContain('Stop following this tag');
    const q = ask(asker, 'wifi-setup');
    const answerer = await member();
    const { id } = answer(answerer, q.id);
    acceptAnswer(t.db, asker, q.id, id, t.app.settings());
    const staff = await member('staff');
    answer(staff, q.id);
    await deliverAll();
    expect(inbox(tagFan.id).map((r) => r.kind)).toEqual(['followed_tag_question']);
    expect(inbox(tagFan.id)[0].questionId).toBe(q.id);
    // (+15 for the accepted answer also gave the answerer two privileges of 15 reputation: voting up and flagging.)
    expect(inbox(answerer.id).map((r) => r.kind).sort()).toEqual(['answer_accepted', 'official_answer', 'privilege_gained', 'privilege_gained']);
    const accepted = await smtp.waitFor((m) => m.to.includes(answerer.email) && m.subject.startsWith('Your answer'));
    expect(accepted.subject).toMatch(/^Your answer to “How do I reset router number \d+ at home\?” was accepted$/);
    expect(q0.id).toBeLessThan(q.id);
  });

  it('an unconfirmed address gets inbox rows but no mail', async () => {
    const asker = await createUser(t.db);
    const q = ask({ ...asker, email: '', createdAt: new Date(0) });
    answer(await member(), q.id);
    await deliverAll();
    expect(inbox(asker.id)).toHaveLength(1);
    expect(t.db.select().from(mailOutbox).where(and(eq(mailOutbox.toUserId, asker.id), eq(mailOutbox.template, 'notification'))).all()).toHaveLength(0);
  });
});

describe('coalescing, mentions and privileges', () => {
  it('three answers within minutes make two mails: the first at once, the rest gathered into one', async () => {
    const asker = await member();
    const q = ask(asker);
    answer(await member(), q.id);
    await deliverAll();
    answer(await member(), q.id);
    answer(await member(), q.id);
    await deliverAll();
    const rows = t.db.select().from(mailOutbox).where(and(eq(mailOutbox.toUserId, asker.id), eq(mailOutbox.template, 'notification'))).all();
    expect(rows.map((r) => r.status)).toEqual(['sent', 'pending']);
    expect((JSON.parse(rows[1].data) as { items: unknown[] }).items).toHaveLength(2);
    await t.app.mail.flush(() => new Date(Date.now() + 6 * 60_000));
    const mails = smtp.to(asker.email).filter((m) => m.subject.includes('answered your question'));
    expect(mails).toHaveLength(2);
    expect(mails[1].subject).toMatch(/\(and 1 more\)$/);
    expect(mails[1].text.match(/answered your question/g)).toHaveLength(2);
  });

  it('a comment mentioning 100 members (as many as 600 characters hold) notifies at most mentionsPerComment of them, and the post author', async () => {
    const asker = await member();
    const q = ask(asker);
    const names: string[] = [];
    const insert = t.db.$client.prepare("insert into users (username, username_key, email, email_key, display_name, password_hash) values (?, ?, ?, ?, ?, 'x')");
    t.db.$client.transaction(() => {
      for (let i = 0; i < 100; i++) {
        const name = `q${String(i).padStart(2, '0')}`;
        names.push(name);
        insert.run(name, name, `${name}@example.com`, `${name}@example.com`, name);
      }
    })();
    const commenter = await member('moderator');
    addComment(t.db, commenter, { postType: 'question', postId: q.id, body: names.map((n) => '@' + n).join(' ') }, t.app.settings());
    await deliverAll();
    const mentions = t.db.select().from(notifications).where(eq(notifications.kind, 'mention')).all().filter((r) => r.questionId === q.id);
    expect(mentions).toHaveLength(10);
    expect(inbox(asker.id).map((r) => r.kind)).toEqual(['comment_on_your_post']);
  });

  it('a moderator action on a post (an event moderation will emit) tells its author, in the inbox and by mail at once', async () => {
    const author = await member();
    const q = ask(author);
    const moderator = await member('moderator');
    t.db.transaction((tx) => emit(tx, { type: 'post.moderated', questionId: q.id, postType: 'question', postId: q.id, authorId: author.id, actorId: moderator.id, action: 'closed', at: new Date() }));
    await deliverAll();
    expect(inbox(author.id).map((r) => r.kind)).toEqual(['moderation_action']);
    await smtp.waitFor((m) => m.to.includes(author.email) && m.subject.startsWith('A moderator acted on your post'));
  });

  it('a member who gains a privilege from reputation is told', async () => {
    const author = await member();
    const q = ask(author);
    const { id } = answer(author, q.id);
    for (let i = 0; i < 2; i++) castVote(t.db, await member('moderator'), { postType: 'answer', postId: id, value: 1 }, t.app.settings());
    await deliverAll();
    // 21 reputation: the two privileges of 15 (voting up and flagging), one notice each.
    const rows = inbox(author.id).filter((r) => r.kind === 'privilege_gained');
    expect(rows).toHaveLength(2);
    const browser = await signIn(author);
    expect((await browser.get('/notifications')).body).toContain('You gained a privilege: Vote up');
  });
});

describe('JSON API', () => {
  it('lists, filters and marks notifications, follows and unfollows, and reads and writes preferences', async () => {
    const asker = await member();
    const q = ask(asker);
    answer(await member(), q.id);
    answer(await member(), q.id);
    await deliverAll();
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/session', payload: { login: asker.username, password: STRONG_PASSWORD } });
    const auth = { authorization: `Bearer ${login.json().token}`, 'accept-language': 'en' };
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/notifications?unread=true&pageSize=1', headers: auth });
    expect(list.statusCode).toBe(200);
    const body = list.json();
    expect(body).toMatchObject({ page: 1, pageSize: 1, total: 2, unread: 2 });
    expect(body.items[0]).toMatchObject({ kind: 'answer_on_your_question', read: false });
    expect(body.items[0].url).toMatch(new RegExp(`^${BASE}/questions/${q.id}/`));
    const read = await t.app.inject({ method: 'POST', url: '/api/v1/notifications/read', headers: auth, payload: { ids: [body.items[0].id] } });
    expect(read.json()).toEqual({ unread: 1 });
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/notifications/read', headers: auth, payload: {} })).json()).toEqual({ unread: 0 });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/notifications?unread=true', headers: auth })).json().total).toBe(0);

    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/questions/${q.id}/follow`, headers: auth })).json()).toEqual({ following: false });
    expect((await t.app.inject({ method: 'PUT', url: `/api/v1/questions/${q.id}/follow`, headers: auth })).json()).toEqual({ following: true });
    expect((await t.app.inject({ method: 'PUT', url: '/api/v1/questions/99999999/follow', headers: auth })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'PUT', url: '/api/v1/tags/router/follow', headers: auth })).json()).toEqual({ following: true });
    expect((await t.app.inject({ method: 'PUT', url: '/api/v1/tags/no-such-tag/follow', headers: auth })).statusCode).toBe(404);

    const prefs = await t.app.inject({ method: 'GET', url: '/api/v1/notifications/preferences', headers: auth });
    expect(prefs.json().preferences).toMatchObject({ answer_on_your_question: 'immediately', followed_question_activity: 'daily', mention: 'immediately' });
    const put = await t.app.inject({ method: 'PUT', url: '/api/v1/notifications/preferences', headers: auth, payload: { mention: 'never', followed_tag_question: 'immediately' } });
    expect(put.json().preferences).toMatchObject({ mention: 'never', followed_tag_question: 'immediately' });
    const bad = await t.app.inject({ method: 'PUT', url: '/api/v1/notifications/preferences', headers: auth, payload: { mention: 'hourly' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('invalid_input');
    const badKind = await t.app.inject({ method: 'PUT', url: '/api/v1/notifications/preferences', headers: auth, payload: { security: 'never' } });
    expect(badKind.statusCode).toBe(400);

    // Signed out: 401 in the error shape; a cookie write without the CSRF header: 403.
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/notifications' })).statusCode).toBe(401);
    const browser = await signIn(asker);
    expect((await browser.api('POST', '/api/v1/notifications/read', {})).statusCode).toBe(403);
  });

  it('bad input is a 4xx in the error shape, never a 500', async () => {
    const user = await member();
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/session', payload: { login: user.username, password: STRONG_PASSWORD } });
    const auth = { authorization: `Bearer ${login.json().token}` };
    for (const [method, url, payload] of [
      ['GET', '/api/v1/notifications?page=abc', undefined],
      ['GET', '/api/v1/notifications?page=0', undefined],
      ['GET', '/api/v1/notifications?pageSize=1000', undefined],
      ['GET', '/api/v1/notifications?unread=maybe', undefined],
      ['POST', '/api/v1/notifications/read', { ids: ['x'] }],
      ['POST', '/api/v1/notifications/read', { ids: Array.from({ length: 1001 }, (_, i) => i + 1) }],
      ['PUT', '/api/v1/questions/abc/follow', undefined],
      ['PUT', '/api/v1/questions/-1/follow', undefined],
      ['PUT', `/api/v1/tags/${'x'.repeat(150)}/follow`, undefined],
      ['PUT', '/api/v1/notifications/preferences', ['mention']],
      ['PUT', '/api/v1/notifications/preferences', { mention: 3 }],
    ] as const) {
      const response = await t.app.inject({ method, url, headers: auth, payload: payload as object | undefined });
      expect(response.statusCode, `${method} ${url}`).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, `${method} ${url}`).toBeLessThan(500);
      expect(response.json().error.code, `${method} ${url}`).toBeTypeOf('string');
    }
    // Only your own notifications are marked: ids of someone else's change nothing.
    const asker = await member();
    const q = ask(asker);
    answer(await member(), q.id);
    await deliverAll();
    const theirs = inbox(asker.id)[0].id;
    await t.app.inject({ method: 'POST', url: '/api/v1/notifications/read', headers: auth, payload: { ids: [theirs] } });
    expect(inbox(asker.id)[0].readAt).toBeNull();
  });

  it('the preferences page changes deliveries without JavaScript', async () => {
    const user = await member();
    const browser = await signIn(user);
    const page = await browser.get('/settings/notifications');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('id="pref-mention-never"');
    const saved = await browser.submit('/settings/notifications', { mention: 'never', post_edited: 'immediately' });
    expect(saved.statusCode).toBe(200);
    expect(saved.body).toContain('checked');
    const api = await browser.api('GET', '/api/v1/notifications/preferences');
    expect(api.json().preferences).toMatchObject({ mention: 'never', post_edited: 'immediately' });
    expect((await browser.submit('/settings/notifications', { mention: 'sometimes' })).statusCode).toBe(400);
  });
});
