// Close / reopen (a moderator alone, members with the close privilege by votes), lock, pin and the public log,
// through the pages and the JSON API against a real temporary database.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeVotes, moderationLog, questions, searchChanges } from '../../src/db/schema.ts';
import { postAnswer } from '../../src/features/answers/service.ts';
import { askQuestion } from '../../src/features/questions/service.ts';
import { getSettings, setSetting } from '../../src/features/settings/service.ts';
import { record } from '../../src/features/votes/reputation.ts';
import { buildTestApp, createUser, loginAs, posterOf, relaxPostingLimits, tokenFor, type TestApp } from '../helper.ts';

let t: TestApp;
let seq = 0;

beforeAll(async () => {
  t = await buildTestApp();
  relaxPostingLimits(t.db);
});
afterAll(async () => t?.close());

const poster = (id: number) => posterOf(t.db, id);

async function question(title = `Router number ${++seq} drops the connection every night`) {
  const author = await createUser(t.db);
  const q = askQuestion(t.db, poster(author.id), { title, body: `Since the update, router ${seq} restarts at 3am and the wifi is gone.`, tags: ['router'] }, getSettings(t.db));
  return { ...q, authorId: author.id };
}

async function trustedToken(rep = 600) {
  const member = await tokenFor(t.app, t.db);
  t.db.transaction((tx) => record(tx, [{ userId: member.user.id, delta: rep, reason: 'test_grant' }], new Date()));
  return member;
}

const row = (id: number) => t.db.select().from(questions).where(eq(questions.id, id)).get()!;
const logFor = (id: number) => t.db.select().from(moderationLog).where(eq(moderationLog.questionId, id)).all();

describe('closing and reopening', () => {
  it('a moderator closes alone, with the reason and closer on the thread, and the log row in the same step', async () => {
    const q = await question();
    const mod = await tokenFor(t.app, t.db, 'moderator');
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/questions/${q.id}/close`, headers: mod.auth, payload: { reason: 'off_topic' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'closed', votes: 0, needed: 3 });
    expect(row(q.id)).toMatchObject({ status: 'closed', closedReason: 'off_topic', closedById: mod.user.id });
    expect(logFor(q.id)).toMatchObject([{ action: 'closed', moderatorId: mod.user.id, reason: 'off_topic', targetType: 'question' }]);
    const page = await t.app.inject({ url: q.url, headers: { 'accept-language': 'en' } });
    expect(page.body).toContain('Closed as off-topic for this community.');
    expect(page.body).toContain(`Closed by ${mod.user.username}, a moderator`);
    expect(page.body).toContain('This question is closed: it takes no new answers.');
    expect(page.body).not.toContain('id="answer-body"');
  });

  it('a closed question takes no new answers: the API says why with 409, the page form too, and nothing is written', async () => {
    const q = await question();
    const mod = await tokenFor(t.app, t.db, 'moderator');
    await t.app.inject({ method: 'POST', url: `/api/v1/questions/${q.id}/close`, headers: mod.auth, payload: { reason: 'needs_details' } });
    const member = await tokenFor(t.app, t.db);
    const api = await t.app.inject({ method: 'POST', url: `/api/v1/questions/${q.id}/answers`, headers: { ...member.auth, 'accept-language': 'en' }, payload: { body: 'Unplug it for ten seconds and plug it back.' } });
    expect(api.statusCode).toBe(409);
    expect(api.json().error).toEqual({ code: 'question_closed', message: 'This question is closed: it takes no new answers.' });
    const { browser } = await loginAs(t.app, t.db);
    const form = await browser.submit(`/questions/${q.id}/answers`, { body: 'Unplug it for ten seconds and plug it back.' }, { csrf: await browser.csrfToken(q.url) });
    expect(form.statusCode).toBe(409);
    expect(form.body).toContain('no admite respuestas nuevas');
    expect(row(q.id).answerCount).toBe(0);
  });

  it('members with the close privilege close by three votes; below it they are refused; one vote each', async () => {
    const q = await question();
    const low = await tokenFor(t.app, t.db);
    const refused = await t.app.inject({ method: 'POST', url: `/api/v1/questions/${q.id}/close`, headers: low.auth, payload: { reason: 'off_topic' } });
    expect(refused.statusCode).toBe(403);
    const [a, b, c] = [await trustedToken(), await trustedToken(), await trustedToken()];
    const first = await t.app.inject({ method: 'POST', url: `/api/v1/questions/${q.id}/close`, headers: a.auth, payload: { reason: 'needs_details' } });
    expect(first.json()).toEqual({ status: 'open', votes: 1, needed: 3 });
    const again = await t.app.inject({ method: 'POST', url: `/api/v1/questions/${q.id}/close`, headers: a.auth, payload: { reason: 'needs_details' } });
    expect(again.statusCode).toBe(409);
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/questions/${q.id}/close`, headers: b.auth, payload: { reason: 'off_topic' } })).json().votes).toBe(2);
    const third = await t.app.inject({ method: 'POST', url: `/api/v1/questions/${q.id}/close`, headers: c.auth, payload: { reason: 'needs_details' } });
    expect(third.json()).toEqual({ status: 'closed', votes: 0, needed: 3 });
    expect(row(q.id)).toMatchObject({ status: 'closed', closedReason: 'needs_details', closedById: c.user.id });
    expect(logFor(q.id)).toMatchObject([{ action: 'closed', moderatorId: null, reason: 'needs_details' }]);
    expect(t.db.select().from(closeVotes).where(eq(closeVotes.questionId, q.id)).all().every((v) => v.settledAt !== null)).toBe(true);
    const page = await t.app.inject({ url: q.url, headers: { 'accept-language': 'en' } });
    expect(page.body).toContain(`Closed by members of the community (last vote by ${c.user.username})`);

    // Reopen by three votes too, then a moderator alone can close it again.
    for (const [i, voter] of [a, b, c].entries()) {
      const res = await t.app.inject({ method: 'POST', url: `/api/v1/questions/${q.id}/reopen`, headers: voter.auth });
      expect(res.json()).toEqual(i < 2 ? { status: 'closed', votes: i + 1, needed: 3 } : { status: 'open', votes: 0, needed: 3 });
    }
    expect(row(q.id)).toMatchObject({ status: 'open', closedReason: null, closedById: null });
  });

  it('closing as a duplicate goes through closeAsDuplicate: the banner shows the original and its accepted answer to a signed-out visitor', async () => {
    const original = await question('How do I reset the router to factory settings');
    const helper = await createUser(t.db);
    const { id: answerId } = postAnswer(t.db, poster(helper.id), original.id, { body: 'Hold the reset button for **thirty seconds** with a pin.' }, getSettings(t.db));
    t.db.update(questions).set({ acceptedAnswerId: answerId }).where(eq(questions.id, original.id)).run();
    const dup = await question('Router factory reset: how');
    const { browser } = await loginAs(t.app, t.db, 'moderator');
    const res = await browser.submit(`/questions/${dup.id}/close`, { reason: 'duplicate', duplicateOfId: `http://localhost/questions/${original.id}/how-do-i` }, { csrf: await browser.csrfToken(dup.url) });
    expect(res.statusCode).toBe(303);
    expect(row(dup.id)).toMatchObject({ status: 'closed', closedReason: 'duplicate', duplicateOfId: original.id });
    const page = await t.app.inject({ url: dup.url, headers: { 'accept-language': 'en' } });
    expect(page.body).toContain('This question has an answer elsewhere');
    expect(page.body).toContain('thirty seconds');
    expect(page.body).toContain(`href="${original.url}"`);
  });

  it('bad input: unknown reason, duplicate of itself, missing original, closing twice, reopening an open one — clear 4xx, nothing written', async () => {
    const q = await question();
    const mod = await tokenFor(t.app, t.db, 'moderator');
    const post = (payload: unknown) => t.app.inject({ method: 'POST', url: `/api/v1/questions/${q.id}/close`, headers: mod.auth, payload: payload as object });
    expect((await post({ reason: 'because' })).statusCode).toBe(400);
    expect((await post({ reason: 'duplicate' })).json().error.code).toBe('invalid_input');
    expect((await post({ reason: 'duplicate', duplicateOfId: q.id })).statusCode).toBe(400);
    expect((await post({ reason: 'duplicate', duplicateOfId: 999_999 })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/questions/${q.id}/reopen`, headers: mod.auth })).statusCode).toBe(409);
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/questions/999999/close`, headers: mod.auth, payload: { reason: 'off_topic' } })).statusCode).toBe(404);
    expect(row(q.id).status).toBe('open');
    expect(logFor(q.id)).toEqual([]);
    expect((await post({ reason: 'off_topic' })).statusCode).toBe(200);
    expect((await post({ reason: 'off_topic' })).statusCode).toBe(409);
    expect(logFor(q.id)).toHaveLength(1);
  });
});

describe('locking and pinning', () => {
  it('a locked thread takes no answers, comments or votes; the staff note shows; unlocking lifts it', async () => {
    const q = await question();
    const answerer = await createUser(t.db);
    const { id: answerId } = postAnswer(t.db, poster(answerer.id), q.id, { body: 'Try another channel in the router settings.' }, getSettings(t.db));
    const mod = await tokenFor(t.app, t.db, 'moderator');
    const lock = await t.app.inject({ method: 'POST', url: `/api/v1/questions/${q.id}/lock`, headers: mod.auth, payload: { locked: true, note: 'Heated thread: cooling down.' } });
    expect(lock.json()).toEqual({ locked: true });
    const voter = await trustedToken(100);
    const vote = await t.app.inject({ method: 'POST', url: '/api/v1/votes', headers: voter.auth, payload: { postType: 'answer', postId: answerId, value: 1 } });
    expect(vote.statusCode).toBe(409);
    expect(vote.json().error.code).toBe('thread_locked');
    const comment = await t.app.inject({ method: 'POST', url: '/api/v1/comments', headers: voter.auth, payload: { postType: 'answer', postId: answerId, body: 'This worked for me as well, thanks!' } });
    expect(comment.statusCode).toBe(409);
    const answer = await t.app.inject({ method: 'POST', url: `/api/v1/questions/${q.id}/answers`, headers: voter.auth, payload: { body: 'Another idea: change the DNS servers.' } });
    expect(answer.statusCode).toBe(409);
    const page = await t.app.inject({ url: q.url, headers: { 'accept-language': 'es' } });
    expect(page.body).toContain('Este hilo está bloqueado');
    expect(page.body).toContain('Heated thread: cooling down.');
    const member = await tokenFor(t.app, t.db);
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/questions/${q.id}/lock`, headers: member.auth, payload: { locked: false } })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/questions/${q.id}/lock`, headers: mod.auth, payload: { locked: false } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/votes', headers: voter.auth, payload: { postType: 'answer', postId: answerId, value: 1 } })).statusCode).toBe(200);
    expect(logFor(q.id).map((r) => r.action)).toEqual(['locked', 'unlocked']);
  });

  it('staff pin a thread to the home page; a moderator may not', async () => {
    const q = await question('Pinned: planned maintenance on Sunday night');
    const mod = await tokenFor(t.app, t.db, 'moderator');
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/questions/${q.id}/pin`, headers: mod.auth, payload: { pinned: true } })).statusCode).toBe(403);
    const { browser } = await loginAs(t.app, t.db, 'staff');
    expect((await browser.submit(`/questions/${q.id}/pin`, {}, { csrf: await browser.csrfToken(q.url) })).statusCode).toBe(303);
    const home = await t.app.inject({ url: '/', headers: { 'accept-language': 'en' } });
    expect(home.body).toMatch(/id="pinned-heading"[\s\S]*Pinned: planned maintenance on Sunday night/);
    expect((await browser.submit(`/questions/${q.id}/unpin`, {}, { csrf: await browser.csrfToken(q.url) })).statusCode).toBe(303);
    expect((await t.app.inject({ url: '/', headers: { 'accept-language': 'en' } })).body).not.toContain('id="pinned-heading"');
  });
});

describe('the public moderation log', () => {
  it('lists actions with moderator names, or "a moderator" per the setting; has an Atom feed and a JSON form; never private details', async () => {
    const q = await question('Log test: billing page shows the wrong currency');
    const mod = await tokenFor(t.app, t.db, 'moderator');
    await t.app.inject({ method: 'POST', url: `/api/v1/questions/${q.id}/close`, headers: mod.auth, payload: { reason: 'resolved_elsewhere' } });
    const page = await t.app.inject({ url: '/moderation/log', headers: { 'accept-language': 'en' } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(mod.user.username);
    expect(page.body).toContain('Log test: billing page shows the wrong currency');
    expect(page.body).toContain('resolved elsewhere');
    const feed = await t.app.inject({ url: '/moderation/log.atom', headers: { 'accept-language': 'en' } });
    expect(feed.headers['content-type']).toContain('application/atom+xml');
    expect(feed.body).toContain('<feed');
    expect(feed.body).toContain(`${mod.user.username} closed Log test: billing page shows the wrong currency`);
    const api = await t.app.inject({ url: '/api/v1/moderation/log' });
    expect(api.json().items[0]).toMatchObject({ action: 'closed', moderator: mod.user.username, reason: 'resolved_elsewhere' });

    setSetting(t.db, 'moderationLogNames', 'hidden');
    const hidden = await t.app.inject({ url: '/moderation/log?page=1', headers: { 'accept-language': 'es' } });
    expect(hidden.body).toContain('un moderador');
    expect(hidden.body).not.toContain(mod.user.username);
    expect((await t.app.inject({ url: '/api/v1/moderation/log' })).json().items[0].moderator).toBeNull();
    setSetting(t.db, 'moderationLogNames', 'shown');
  });
});

describe('search hears of moderation through events', () => {
  it('a lock, a close vote and a reopen each write the search change log of the thread (the thread.changed event), in the action’s transaction', async () => {
    const changes = (id: number) => t.db.select().from(searchChanges).where(eq(searchChanges.questionId, id)).all().length;
    const q = await question();
    const mod = await tokenFor(t.app, t.db, 'moderator');
    let before = changes(q.id);
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/questions/${q.id}/lock`, headers: mod.auth, payload: { locked: true } })).statusCode).toBe(200);
    expect(changes(q.id)).toBeGreaterThan(before);
    before = changes(q.id);
    const voter = await trustedToken();
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/questions/${q.id}/close`, headers: voter.auth, payload: { reason: 'off_topic' } })).json()).toMatchObject({ status: 'open', votes: 1 });
    expect(changes(q.id)).toBeGreaterThan(before);
    // A refused action writes none.
    before = changes(q.id);
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/questions/${q.id}/close`, headers: voter.auth, payload: { reason: 'off_topic' } })).statusCode).toBe(409);
    expect(changes(q.id)).toBe(before);
  });
});
