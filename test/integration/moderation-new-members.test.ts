// New-member limits: links per post in the first day, first posts with links held for review (the second queue),
// the same body twice refused, and the honeypot field of the sign-up and ask forms.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answers, questions, users } from '../../src/db/schema.ts';
import { askQuestion } from '../../src/features/questions/service.ts';
import { getSettings, setSetting } from '../../src/features/settings/service.ts';
import { countLinks } from '../../src/features/moderation/new-members.ts';
import { Browser, buildTestApp, createUser, loginAs, posterOf, tokenFor, type TestApp } from '../helper.ts';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
  for (const [key, value] of [
    ['secondsBetweenPosts', 0],
    ['newMemberSecondsBetweenPosts', 0],
    ['postsPerIpPerMinute', 10_000],
    ['signInPerIpPerMinute', 10_000],
    ['signUpPerIpPerHour', 10_000],
  ] as const)
    setSetting(t.db, key, value);
});
afterAll(async () => t?.close());

const poster = (id: number) => posterOf(t.db, id);

describe('new-member limits', () => {
  it('counts links in every form they are written', () => {
    expect(countLinks('see https://a.example and [b](http://b.example) or www.c.example, not mailto or a.example')).toBe(3);
    expect(countLinks('no links here at all')).toBe(0);
  });

  it('a new member may put at most 2 links in a post; a third is a clear 400 and nothing is written', async () => {
    const member = await tokenFor(t.app, t.db);
    const before = t.db.select().from(questions).all().length;
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/questions',
      headers: { ...member.auth, 'accept-language': 'en' },
      payload: { title: 'Which of these three router firmware sites is official', body: 'https://one.example https://two.example https://three.example', tags: ['router'] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'too_many_links' });
    expect(res.json().error.message).toContain('at most 2 links');
    expect(t.db.select().from(questions).all().length).toBe(before);
    // An older account is not limited.
    t.db.update(users).set({ createdAt: new Date(Date.now() - 3 * 86_400_000) }).where(eq(users.id, member.user.id)).run();
    const older = await t.app.inject({
      method: 'POST',
      url: '/api/v1/questions',
      headers: member.auth,
      payload: { title: 'Which of these three router firmware sites is official', body: 'https://one.example https://two.example https://three.example', tags: ['router'] },
    });
    expect(older.statusCode).toBe(201);
    expect(t.db.select().from(questions).where(eq(questions.id, older.json().id)).get()!.hiddenReason).toBeNull();
  });

  it('a new member’s first post with a link is held: the author sees "waiting for review", others do not see it, a moderator approves it from the second queue', async () => {
    const { user, browser } = await loginAs(t.app, t.db);
    const res = await browser.submit('/questions/ask', { title: 'Is this the right page to download the TV app', body: 'I found https://tv.example/download, is it ours?', tags: 'tv' }, { csrf: await browser.csrfToken('/questions/ask') });
    expect(res.statusCode).toBe(303);
    const id = Number(/\/questions\/(\d+)/.exec(res.headers.location as string)![1]);
    expect(t.db.select().from(questions).where(eq(questions.id, id)).get()!.hiddenReason).toBe('held');
    expect((await browser.get(res.headers.location as string, { 'accept-language': 'en' })).body).toContain('waiting for review');
    expect((await t.app.inject({ url: res.headers.location as string })).statusCode).toBe(404);
    expect((await t.app.inject({ url: '/questions' })).body).not.toContain('Is this the right page to download the TV app');
    const mod = await tokenFor(t.app, t.db, 'moderator');
    const queue = (await t.app.inject({ url: '/api/v1/moderation/queue', headers: mod.auth })).json();
    expect(queue.held.map((i: { postId: number }) => i.postId)).toContain(id);
    expect(queue.counts.held).toBeGreaterThan(0);
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/moderation/posts/question/${id}/dismiss`, headers: mod.auth })).statusCode).toBe(200);
    expect((await t.app.inject({ url: res.headers.location as string })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/v1/moderation/log' })).json().items[0]).toMatchObject({ action: 'approved', targetId: id });
    // With the setting off, nothing is held.
    setSetting(t.db, 'holdFirstPostsWithLinks', 'off');
    const q = askQuestion(t.db, poster(user.id), { title: 'Another question with one link inside it', body: 'See https://status.example for the outage.', tags: ['tv'] }, getSettings(t.db));
    expect(t.db.select().from(questions).where(eq(questions.id, q.id)).get()!.hiddenReason).toBeNull();
    setSetting(t.db, 'holdFirstPostsWithLinks', 'on');
  });

  it('the same body twice within 5 minutes is refused', async () => {
    const member = await tokenFor(t.app, t.db);
    const q = askQuestion(t.db, poster((await createUser(t.db)).id), { title: 'Remote control does not pair with the box', body: 'Pairing fails with a blinking red light.', tags: ['tv'] }, getSettings(t.db));
    const body = { body: 'Hold OK and the volume down key for five seconds.' };
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/questions/${q.id}/answers`, headers: member.auth, payload: body })).statusCode).toBe(201);
    const again = await t.app.inject({ method: 'POST', url: `/api/v1/questions/${q.id}/answers`, headers: member.auth, payload: body });
    expect(again.statusCode).toBe(409);
    expect(t.db.select().from(answers).where(eq(answers.questionId, q.id)).all()).toHaveLength(1);
  });

  it('a filled honeypot on sign-up or ask is refused with 400 and writes nothing; the field is on both forms', async () => {
    const visitor = new Browser(t.app);
    const form = await visitor.get('/signup', { 'accept-language': 'en' });
    expect(form.body).toContain('name="website"');
    const usersBefore = t.db.select().from(users).all().length;
    const bot = await visitor.submit('/signup', { username: 'botty_mcbotface', email: 'bot@example.com', password: 'correct horse battery staple 42', website: 'http://spam.example' }, { csrf: await visitor.csrfToken('/signup') });
    expect(bot.statusCode).toBe(400);
    expect(t.db.select().from(users).all().length).toBe(usersBefore);
    const { browser } = await loginAs(t.app, t.db);
    expect((await browser.get('/questions/ask?title=Something+about+my+bill', { 'accept-language': 'en' })).body).toContain('name="website"');
    const before = t.db.select().from(questions).all().length;
    const ask = await browser.submit('/questions/ask', { title: 'Why is my bill higher this month than last', body: 'The bill went up by ten euros without notice.', tags: 'billing', website: 'x' }, { csrf: await browser.csrfToken('/questions/ask') });
    expect(ask.statusCode).toBe(400);
    expect(t.db.select().from(questions).all().length).toBe(before);
  });
});
