// Moderation in a real Chromium: members flag a spam answer through the thread's flag form, three flags hide it,
// a moderator reviews it in the queue and marks its author a spammer; a moderator closes a question as a duplicate
// and a signed-out visitor sees the banner with the original's accepted answer. Pages pass axe and html-validate
// in English and Spanish.
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { answers, questions, users } from '../../src/db/schema.ts';
import { acceptAnswer, postAnswer } from '../../src/features/answers/service.ts';
import { askQuestion } from '../../src/features/questions/service.ts';
import { getSettings, setSetting } from '../../src/features/settings/service.ts';
import { record } from '../../src/features/votes/reputation.ts';
import { expectClean, expectNoBrowserErrors, open, signIn, startE2E, waitForDocument, type E2E } from './harness.ts';

let e2e: E2E;
let spamThread: string;
let spamAnswerId: number;
let spammerId: number;
let original: { id: number; url: string };
let duplicate: { id: number; url: string };

beforeAll(async () => {
  e2e = await startE2E();
  const { server } = e2e;
  for (const key of ['secondsBetweenPosts', 'newMemberSecondsBetweenPosts'] as const) setSetting(server.db, key, 0);
  const settings = getSettings(server.db);
  const poster = (id: number) => server.db.select({ id: users.id, role: users.role, reputation: users.reputation, createdAt: users.createdAt }).from(users).where(eq(users.id, id)).get()!;
  const asker = await server.createUser('member', 'ana.cliente');
  const spammer = await server.createUser('member', 'ofertas.baratas');
  spammerId = spammer.id;
  const q = askQuestion(server.db, poster(asker.id), { title: 'The TV box loses the signal every evening', body: 'Every evening around 9pm the TV box says no signal for a minute.', tags: ['tv'] }, settings);
  spamThread = q.url;
  spamAnswerId = postAnswer(server.db, poster(spammer.id), q.id, { body: 'Cheap watches and phones, best prices, write to me for the deal.' }, settings).id;
  const o = askQuestion(server.db, poster(asker.id), { title: 'How do I reset the router to factory settings', body: 'I changed too many settings and want to start again.', tags: ['router'] }, settings);
  const helper = await server.createUser('member', 'pablo.ayuda');
  const a = postAnswer(server.db, poster(helper.id), o.id, { body: 'Hold the reset button for thirty seconds with a pin until the lights blink.' }, settings);
  acceptAnswer(server.db, poster(asker.id), o.id, a.id, settings);
  original = { id: o.id, url: o.url };
  const d = askQuestion(server.db, poster(helper.id), { title: 'Router factory reset, how to do it', body: 'Where is the reset button and how long do I press it?', tags: ['router'] }, settings);
  duplicate = { id: d.id, url: d.url };
});
afterAll(async () => {
  await e2e?.close();
});
afterEach(() => expectNoBrowserErrors(e2e));

async function memberWithFlagPrivilege(name: string) {
  const user = await e2e.server.createUser('member', name);
  e2e.server.db.transaction((tx) => record(tx, [{ userId: user.id, delta: 30, reason: 'e2e_grant' }], new Date()));
  return user;
}

describe('flags, hiding and the spammer action', () => {
  it('three members flag an answer as spam, it is hidden, and a moderator marks its author a spammer from the queue', async () => {
    for (const [i, name] of ['marta.flag', 'jorge.flag', 'lucia.flag'].entries()) {
      const member = await memberWithFlagPrivilege(name);
      const visitor = await e2e.newVisitor({ locale: 'en-US' });
      await signIn(visitor.page, e2e.server, member.username, member.password);
      const thread = await open(visitor.page, e2e.server.url(spamThread));
      const answer = visitor.page.locator(`#answer-${spamAnswerId}`);
      await answer.locator('summary', { hasText: 'Flag' }).click();
      if (i === 0) await expectClean(visitor.page, await thread.text());
      await answer.getByLabel('Spam', { exact: true }).check();
      const sent = await waitForDocument(visitor.page, () => answer.getByRole('button', { name: 'Send flag' }).click());
      expect(sent.status()).toBe(200);
      if (i < 2) await expect(visitor.page.locator(`#my-flag-answer-${spamAnswerId}`).innerText()).resolves.toContain('waiting for a moderator');
      await visitor.context.close();
    }
    expect(e2e.server.db.select().from(answers).where(eq(answers.id, spamAnswerId)).get()!.hiddenReason).toBe('spam');
    const anonymous = await e2e.newVisitor({ locale: 'en-US' });
    await open(anonymous.page, e2e.server.url(spamThread));
    await expect(anonymous.page.locator('main').innerText()).resolves.not.toContain('Cheap watches');
    await anonymous.context.close();

    const moderator = await e2e.server.createUser('moderator', 'mod.carmen');
    const page = e2e.page;
    await signIn(page, e2e.server, moderator.username, moderator.password);
    const queue = await open(page, e2e.server.url('/moderation'));
    await expect(page.locator('.wide-only .site-nav').innerText()).resolves.toMatch(/Review \(1\)|Revisar \(1\)/);
    const item = page.locator(`#queue-answer-${spamAnswerId}`);
    await expect(item.innerText()).resolves.toContain('Cheap watches');
    await expect(item.innerText()).resolves.toContain('ofertas.baratas');
    await expectClean(page, await queue.text());
    const done = await waitForDocument(page, () => item.locator('form[action$="/spammer"] button').click());
    expect(done.status()).toBe(200);
    await expect(page.locator(`#queue-answer-${spamAnswerId}`).count()).resolves.toBe(0);
    expect(e2e.server.db.select().from(answers).where(eq(answers.id, spamAnswerId)).get()!.deletedAt).not.toBeNull();
    expect(e2e.server.db.select().from(users).where(eq(users.id, spammerId)).get()!.suspendedUntil).not.toBeNull();

    for (const locale of ['en-US', 'es-ES']) {
      const reader = await e2e.newVisitor({ locale });
      const log = await open(reader.page, e2e.server.url('/moderation/log'));
      await expect(reader.page.locator('main').innerText()).resolves.toMatch(locale === 'en-US' ? /marked as a spammer/ : /marcó como spammer/);
      await expect(reader.page.locator('main').innerText()).resolves.not.toContain('marta.flag');
      await expectClean(reader.page, await log.text());
      await reader.context.close();
    }
  });
});

describe('close as duplicate', () => {
  it('a moderator closes a question as a duplicate; a signed-out visitor sees the banner with the original’s answer', async () => {
    const moderator = await e2e.server.createUser('moderator', 'mod.diego');
    const mod = await e2e.newVisitor({ locale: 'en-US' });
    await signIn(mod.page, e2e.server, moderator.username, moderator.password);
    const thread = await open(mod.page, e2e.server.url(duplicate.url));
    await expectClean(mod.page, await thread.text());
    const controls = mod.page.locator('.moderation-controls');
    await controls.getByLabel('duplicate of another question').check();
    await controls.getByLabel('Original question (for duplicates)').fill(String(original.id));
    const closed = await waitForDocument(mod.page, () => controls.getByRole('button', { name: 'Close', exact: true }).click());
    expect(closed.status()).toBe(200);
    expect(e2e.server.db.select().from(questions).where(eq(questions.id, duplicate.id)).get()).toMatchObject({ status: 'closed', duplicateOfId: original.id });
    await mod.context.close();

    for (const [locale, heading] of [
      ['en-US', 'This question has an answer elsewhere'],
      ['es-ES', 'Esta pregunta ya tiene respuesta en otro lugar'],
    ]) {
      const visitor = await e2e.newVisitor({ locale });
      const page = await open(visitor.page, e2e.server.url(duplicate.url));
      const banner = visitor.page.locator('.duplicate-notice');
      await expect(banner.innerText()).resolves.toContain(heading);
      await expect(banner.innerText()).resolves.toContain('thirty seconds');
      await expect(visitor.page.locator('#answer-body').count()).resolves.toBe(0);
      await expectClean(visitor.page, await page.text());
      await waitForDocument(visitor.page, () => banner.getByRole('link', { name: 'How do I reset the router to factory settings' }).click());
      expect(new URL(visitor.page.url()).pathname).toBe(original.url);
      await visitor.context.close();
    }
  });
});

describe('suspension', () => {
  it.each([
    ['en-US', 'Your account is suspended', 'Review queue'],
    ['es-ES', 'Tu cuenta está suspendida', 'Cola de revisión'],
  ])('a suspended member signs in and reads only why; the page and the moderator’s queue are accessible (%s)', async (locale, heading, queueHeading) => {
    const member = await e2e.server.createUser('member');
    e2e.server.db.update(users).set({ suspendedUntil: new Date(Date.now() + 3 * 86_400_000), suspensionReason: 'Insults in three threads' }).where(eq(users.id, member.id)).run();
    const visitor = await e2e.newVisitor({ locale });
    const landed = await signIn(visitor.page, e2e.server, member.username, member.password);
    expect(new URL(visitor.page.url()).pathname).toBe('/account/suspended');
    await expect(visitor.page.locator('h1').innerText()).resolves.toBe(heading);
    await expect(visitor.page.locator('main').innerText()).resolves.toContain('Insults in three threads');
    await expectClean(visitor.page, await landed.text());
    await open(visitor.page, e2e.server.url('/questions'));
    expect(new URL(visitor.page.url()).pathname).toBe('/account/suspended');
    await visitor.context.close();

    const moderator = await e2e.server.createUser('moderator');
    const mod = await e2e.newVisitor({ locale });
    await signIn(mod.page, e2e.server, moderator.username, moderator.password);
    const queue = await open(mod.page, e2e.server.url('/moderation'));
    await expect(mod.page.locator('h1').innerText()).resolves.toBe(queueHeading);
    await expectClean(mod.page, await queue.text());
    await mod.context.close();
  });
});
