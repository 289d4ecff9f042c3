// Choosing a duplicate's original by search: the flag and close forms take a number, a link or words; words
// answer with a "choose the original" page (the search engine's open questions, radio buttons, the other
// fields kept), and the combobox's JSON endpoint. Real temporary database, real search index.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeVotes, flags, moderationLog, questions } from '../../src/db/schema.ts';
import { postAnswer } from '../../src/features/answers/service.ts';
import { askQuestion } from '../../src/features/questions/service.ts';
import { getSettings } from '../../src/features/settings/service.ts';
import { record } from '../../src/features/votes/reputation.ts';
import { BLNS } from '../fixtures/hostile.ts';
import { Browser, buildTestApp, createUser, loginAs, posterOf, relaxPostingLimits, tokenFor, type TestApp } from '../helper.ts';

let t: TestApp;
const poster = (id: number) => posterOf(t.db, id);
const grant = (userId: number, delta: number) => t.db.transaction((tx) => record(tx, [{ userId, delta, reason: 'test_grant' }], new Date()));
const row = (id: number) => t.db.select().from(questions).where(eq(questions.id, id)).get()!;
const flagsOn = (id: number) => t.db.select().from(flags).where(eq(flags.postId, id)).all();
const logOf = (id: number) => t.db.select().from(moderationLog).where(eq(moderationLog.questionId, id)).all();

let author: Awaited<ReturnType<typeof createUser>>;
function ask(title: string, body: string) {
  const q = askQuestion(t.db, poster(author.id), { title, body, tags: ['printer'] }, getSettings(t.db));
  return { ...q, title };
}

let original: ReturnType<typeof ask>;
let second: ReturnType<typeof ask>;
let closedOne: ReturnType<typeof ask>;
let deletedOne: ReturnType<typeof ask>;
let dup: ReturnType<typeof ask>;

beforeAll(async () => {
  t = await buildTestApp();
  relaxPostingLimits(t.db);
  author = await createUser(t.db);
  original = ask('Printer prints blank pages after changing the ink cartridge', 'I changed the cartridge of my printer and now every page comes out blank.');
  const helper = await createUser(t.db);
  const { id: answerId } = postAnswer(t.db, poster(helper.id), original.id, { body: 'Remove the protective tape from the new cartridge.' }, getSettings(t.db));
  t.db.update(questions).set({ acceptedAnswerId: answerId }).where(eq(questions.id, original.id)).run();
  second = ask('Printer cartridge not recognised after refill', 'My printer says the ink cartridge is not recognised since I refilled it.');
  closedOne = ask('Printer blank pages with the new ink cartridge again', 'Blank pages again from my printer with a new ink cartridge.');
  t.db.update(questions).set({ status: 'closed', closedReason: 'off_topic', closedAt: new Date() }).where(eq(questions.id, closedOne.id)).run();
  deletedOne = ask('Blank printer pages after the ink cartridge change, deleted', 'Printer blank pages after an ink cartridge change; this one is deleted.');
  t.db.update(questions).set({ deletedAt: new Date() }).where(eq(questions.id, deletedOne.id)).run();
  dup = ask('Blank pages from my printer since the new ink cartridge', 'Since I put in a new ink cartridge the printer only gives blank pages.');
  await t.app.searchIndex.sync();
});
afterAll(async () => t?.close());

async function flagger() {
  const m = await loginAs(t.app, t.db);
  grant(m.user.id, 20);
  return m;
}

describe('flag as duplicate: words → choose the original', () => {
  it('words answer with a choose page of open questions (never itself, closed or deleted ones), the note kept; choosing completes the flag', async () => {
    const { browser } = await flagger();
    const csrf = await browser.csrfToken(dup.url);
    const note = 'Same problem as the older thread, word for word.';
    const page = await browser.submit('/flags', { postType: 'question', postId: String(dup.id), reason: 'duplicate', duplicateOfId: 'blank pages ink cartridge', note }, { csrf, headers: { 'accept-language': 'en' } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1>Choose the original question</h1>');
    expect(page.body).toContain(`value="${original.id}"`);
    expect(page.body).toContain(original.title);
    expect(page.body).toContain('Accepted answer');
    for (const other of [dup, closedOne, deletedOne]) expect(page.body).not.toContain(`name="duplicateOfId" value="${other.id}"`);
    expect(page.body).toContain(`<input type="hidden" name="note" value="${note}">`);
    expect(page.body).toContain('<input type="hidden" name="reason" value="duplicate">');
    expect(page.body).toContain('Your note is kept');
    expect(flagsOn(dup.id)).toEqual([]);

    const done = await browser.submit('/flags', { postType: 'question', postId: String(dup.id), reason: 'duplicate', note, duplicateOfId: String(original.id) }, { csrf });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toContain(`/questions/${dup.id}/`);
    expect(flagsOn(dup.id)).toMatchObject([{ reason: 'duplicate', duplicateOfId: original.id, note }]);
  });

  it('in Spanish; zero results say so and keep what was typed', async () => {
    const { browser } = await flagger();
    const csrf = await browser.csrfToken(dup.url);
    const page = await browser.submit('/flags', { postType: 'question', postId: String(dup.id), reason: 'duplicate', duplicateOfId: 'zzqx wobblefrump' }, { csrf, headers: { 'accept-language': 'es' } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Elige la pregunta original');
    expect(page.body).toContain('Ninguna pregunta abierta coincide con «zzqx wobblefrump»');
    expect(page.body).toContain('value="zzqx wobblefrump"');
    expect(page.body).not.toContain('type="radio"');
    expect(flagsOn(dup.id).filter((f) => f.status === 'open')).toHaveLength(1); // only the first test's flag
  });

  it('a number, a link of this forum, or "#n" flag at once; a link elsewhere is a clear 400', async () => {
    for (const value of [String(original.id), `http://localhost${original.url}`, `#${original.id}`]) {
      const { browser, user } = await flagger();
      const res = await browser.submit('/flags', { postType: 'question', postId: String(dup.id), reason: 'duplicate', duplicateOfId: value }, { csrf: await browser.csrfToken(dup.url) });
      expect(res.statusCode).toBe(303);
      expect(flagsOn(dup.id).find((f) => f.flaggerId === user.id)).toMatchObject({ duplicateOfId: original.id });
    }
    const { browser, user } = await flagger();
    const bad = await browser.submit('/flags', { postType: 'question', postId: String(dup.id), reason: 'duplicate', duplicateOfId: 'https://example.com/somewhere' }, { csrf: await browser.csrfToken(dup.url), headers: { 'accept-language': 'en' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('That link is not to a question of this forum');
    expect(flagsOn(dup.id).find((f) => f.flaggerId === user.id)).toBeUndefined();
  });

  it('self, closed, missing and deleted originals: clear 4xx, nothing written', async () => {
    const { browser, user } = await flagger();
    const csrf = await browser.csrfToken(dup.url);
    for (const [target, status, message] of [
      [dup.id, 400, 'cannot be a duplicate of itself'],
      [closedOne.id, 400, 'The original must be an open question'],
      [999_999, 400, ''],
      [deletedOne.id, 400, ''],
    ] as const) {
      const res = await browser.submit('/flags', { postType: 'question', postId: String(dup.id), reason: 'duplicate', duplicateOfId: String(target) }, { csrf, headers: { 'accept-language': 'en' } });
      expect(res.statusCode, String(target)).toBe(status);
      if (message) expect(res.body).toContain(message);
    }
    expect(flagsOn(dup.id).find((f) => f.flaggerId === user.id)).toBeUndefined();
  });

  it('refused before choosing: below the flag privilege, on one’s own question, or a second open flag', async () => {
    const low = await loginAs(t.app, t.db);
    const res = await low.browser.submit('/flags', { postType: 'question', postId: String(dup.id), reason: 'duplicate', duplicateOfId: 'blank pages' }, { csrf: await low.browser.csrfToken(dup.url) });
    expect(res.statusCode).toBe(403);
    expect(res.body).not.toContain('Choose the original');
    grant(author.id, 20);
    const asker = new Browser(t.app);
    await asker.submit('/signin', { login: author.username, password: author.password });
    const own = await asker.submit('/flags', { postType: 'question', postId: String(dup.id), reason: 'duplicate', duplicateOfId: 'blank pages' }, { csrf: await asker.csrfToken(dup.url) });
    expect(own.statusCode).toBe(403);
    expect(own.body).not.toContain('type="radio" name="duplicateOfId"');
    // The first test's flagger already has an open flag here: a second is refused before any choosing.
    const first = t.db.select().from(flags).where(eq(flags.postId, dup.id)).all()[0];
    expect(first.status).toBe('open');
  });

  it('survives the Big List of Naughty Strings as words: a page or a clear 400, never a 500, nothing written', async () => {
    const { browser, user } = await flagger();
    const csrf = await browser.csrfToken(dup.url);
    const statuses = new Set<number>();
    for (const words of BLNS.filter((s) => s.trim() !== '').slice(0, 200)) {
      const res = await browser.submit('/flags', { postType: 'question', postId: String(dup.id), reason: 'duplicate', duplicateOfId: words.slice(0, 400) }, { csrf });
      statuses.add(res.statusCode);
      // 409: a number in the list ("1") flagged a valid original at once, and the member's flag is then open.
      expect([200, 303, 400, 409], JSON.stringify(words)).toContain(res.statusCode);
      if (res.statusCode === 200) expect(res.body).not.toContain('<script>alert');
    }
    expect(statuses.has(200)).toBe(true);
    // Digits in the list (e.g. "1") name questions: any flag written names a valid original.
    for (const f of flagsOn(dup.id).filter((f) => f.flaggerId === user.id)) expect(row(f.duplicateOfId!).status).toBe('open');
  });
});

describe('close as duplicate: words → choose the original', () => {
  it('a moderator types words, chooses, and the question is closed as a duplicate with its log row', async () => {
    const target = ask('New ink cartridge and the printer gives blank pages', 'Blank pages from the printer after I changed the ink cartridge yesterday.');
    await t.app.searchIndex.sync();
    const { browser } = await loginAs(t.app, t.db, 'moderator');
    const csrf = await browser.csrfToken(target.url);
    const page = await browser.submit(`/questions/${target.id}/close`, { reason: 'duplicate', duplicateOfId: 'blank pages cartridge' }, { csrf, headers: { 'accept-language': 'en' } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`You are closing “${target.title}” as a duplicate`);
    expect(page.body).toContain(`value="${original.id}"`);
    expect(page.body).not.toContain(`name="duplicateOfId" value="${target.id}"`);
    expect(page.body).toContain('Close as a duplicate of the chosen question');
    expect(row(target.id).status).toBe('open');
    const done = await browser.submit(`/questions/${target.id}/close`, { reason: 'duplicate', duplicateOfId: String(original.id) }, { csrf });
    expect(done.statusCode).toBe(303);
    expect(row(target.id)).toMatchObject({ status: 'closed', closedReason: 'duplicate', duplicateOfId: original.id });
    expect(logOf(target.id).map((l) => l.action)).toContain('closed');
  });

  it('a closed or deleted original, or itself: clear 400, the question stays open, no vote or log written', async () => {
    const target = ask('Ink cartridge swap leaves the printer printing nothing', 'After swapping the ink cartridge the printer prints nothing at all.');
    const { browser } = await loginAs(t.app, t.db, 'moderator');
    const csrf = await browser.csrfToken(target.url);
    for (const id of [closedOne.id, deletedOne.id, target.id, 999_999]) {
      const res = await browser.submit(`/questions/${target.id}/close`, { reason: 'duplicate', duplicateOfId: String(id) }, { csrf });
      expect(res.statusCode, String(id)).toBe(400);
    }
    const mod = await tokenFor(t.app, t.db, 'moderator');
    const api = await t.app.inject({ method: 'POST', url: `/api/v1/questions/${target.id}/close`, headers: mod.auth, payload: { reason: 'duplicate', duplicateOfId: closedOne.id } });
    expect(api.statusCode).toBe(400);
    expect(api.json().error.code).toBe('invalid_input');
    expect(row(target.id).status).toBe('open');
    expect(logOf(target.id)).toEqual([]);
    expect(t.db.select().from(closeVotes).where(eq(closeVotes.questionId, target.id)).all()).toEqual([]);
  });

  it('a member below the close privilege gets a 403, not a choose page', async () => {
    const { browser } = await loginAs(t.app, t.db);
    const res = await browser.submit(`/questions/${dup.id}/close`, { reason: 'duplicate', duplicateOfId: 'blank pages' }, { csrf: await browser.csrfToken(dup.url) });
    expect(res.statusCode).toBe(403);
    expect(res.body).not.toContain('type="radio" name="duplicateOfId"');
  });
});

describe('GET /api/v1/questions/:id/original-candidates (the combobox)', () => {
  it('signed-in members get open questions for words or a number; never itself, closed or deleted; any string is valid', async () => {
    const member = await tokenFor(t.app, t.db);
    const get = (q: string, id = dup.id) => t.app.inject({ url: `/api/v1/questions/${id}/original-candidates?q=${encodeURIComponent(q)}`, headers: member.auth });
    const words = await get('blank pages ink cartridge');
    expect(words.statusCode).toBe(200);
    const ids = words.json().items.map((i: { id: number }) => i.id);
    expect(ids).toContain(original.id);
    for (const other of [dup.id, closedOne.id, deletedOne.id]) expect(ids).not.toContain(other);
    expect(words.json().items.find((i: { id: number }) => i.id === original.id)).toMatchObject({ title: original.title, hasAcceptedAnswer: true, answerCount: 1, url: expect.stringContaining(original.url) });
    expect((await get(String(original.id))).json().items).toMatchObject([{ id: original.id }]);
    expect((await get(String(closedOne.id))).json().items).toEqual([]);
    expect((await get(String(dup.id))).json().items).toEqual([]);
    expect((await get('https://example.com/x')).json().items).toEqual([]);
    expect((await get('')).json().items).toEqual([]);
    for (const s of BLNS.slice(0, 120)) expect((await get(s.slice(0, 400))).statusCode, JSON.stringify(s)).toBe(200);
    expect((await get('x', 999_999)).statusCode).toBe(404);
    expect((await t.app.inject({ url: `/api/v1/questions/${dup.id}/original-candidates?q=printer` })).statusCode).toBe(401);
  });
});
