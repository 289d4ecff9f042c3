// Choosing a duplicate's original by search, in a real Chromium: without JavaScript a member types words in the
// flag form, gets the "choose the original" page and flags; a moderator does the same with the close form in
// Spanish. With JavaScript the field is a combobox (arrows, Enter, Escape) at 390 px. Pages pass axe and
// html-validate in both languages.
import type { Page } from 'playwright-core';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { flags, questions, users } from '../../src/db/schema.ts';
import { acceptAnswer, postAnswer } from '../../src/features/answers/service.ts';
import { askQuestion } from '../../src/features/questions/service.ts';
import { getSettings, setSetting } from '../../src/features/settings/service.ts';
import { record } from '../../src/features/votes/reputation.ts';
import { checkA11y, expectClean, expectNoBrowserErrors, formatViolations, open, signIn, startE2E, validateHtml, waitForDocument, type E2E } from './harness.ts';

let e2e: E2E;
type Q = { id: number; url: string; title: string };
let original: Q;
let closedOne: Q;
let dupFlagged: Q;
let dupClosedNoJs: Q;
let dupClosedJs: Q;

beforeAll(async () => {
  e2e = await startE2E();
  const { server } = e2e;
  for (const key of ['secondsBetweenPosts', 'newMemberSecondsBetweenPosts'] as const) setSetting(server.db, key, 0);
  setSetting(server.db, 'newMemberQuestionsPerDay', 100);
  const settings = getSettings(server.db);
  const poster = (id: number) => server.db.select({ id: users.id, role: users.role, reputation: users.reputation, createdAt: users.createdAt }).from(users).where(eq(users.id, id)).get()!;
  const asker = await server.createUser('member', 'rosa.cliente');
  const helper = await server.createUser('member', 'tomas.ayuda');
  const ask = (title: string, body: string): Q => ({ ...askQuestion(server.db, poster(asker.id), { title, body, tags: ['wifi'] }, settings), title });
  original = ask('Wifi drops every few minutes on the new router', 'Since the router was replaced the wifi drops every few minutes on every device.');
  const a = postAnswer(server.db, poster(helper.id), original.id, { body: 'Change the wifi channel to 1, 6 or 11 in the router settings.' }, settings);
  acceptAnswer(server.db, poster(asker.id), original.id, a.id, settings);
  closedOne = ask('Wifi drops every few minutes, closed thread', 'Wifi drops every few minutes; this thread was closed as off-topic.');
  server.db.update(questions).set({ status: 'closed', closedReason: 'off_topic', closedAt: new Date() }).where(eq(questions.id, closedOne.id)).run();
  dupFlagged = ask('My wifi keeps dropping with the new router', 'The new router makes my wifi drop all the time, every few minutes.');
  dupClosedNoJs = ask('Wifi disconnects every few minutes since the router swap', 'Every few minutes the wifi disconnects since the router swap.');
  dupClosedJs = ask('New router and the wifi drops constantly', 'With the new router the wifi drops constantly during the day.');
  await server.app.searchIndex.sync();
});
afterAll(async () => {
  await e2e?.close();
});
afterEach(() => expectNoBrowserErrors(e2e));

/**
 * A page reached without JavaScript: html-validate on its markup, and axe (which needs JavaScript) on the same
 * markup loaded into a JavaScript-enabled page of the same origin.
 */
async function expectCleanNoJs(page: Page, html: string, locale: string): Promise<void> {
  expect(await validateHtml(html, page.url()), 'html-validate').toEqual([]);
  const checker = await e2e.newVisitor({ locale });
  await open(checker.page, e2e.server.url('/'));
  await checker.page.setContent(html, { waitUntil: 'load' });
  const violations = await checkA11y(checker.page);
  expect(violations.map((violation) => violation.id), formatViolations(violations)).toEqual([]);
  await checker.context.close();
}

const row = (id: number) => e2e.server.db.select().from(questions).where(eq(questions.id, id)).get()!;

describe('without JavaScript', () => {
  it('a member flags a duplicate by typing words and choosing the original on the choose page (English)', async () => {
    const member = await e2e.server.createUser('member', 'nora.flag');
    e2e.server.db.transaction((tx) => record(tx, [{ userId: member.id, delta: 30, reason: 'e2e_grant' }], new Date()));
    const visitor = await e2e.newVisitor({ locale: 'en-US', javaScriptEnabled: false });
    await signIn(visitor.page, e2e.server, member.username, member.password);
    await open(visitor.page, e2e.server.url(dupFlagged.url));
    const form = visitor.page.locator(`form[action="/flags"]:has(input[name="postId"][value="${dupFlagged.id}"])`);
    await visitor.page.locator('details.flag-disclosure:has(form input[name="postType"][value="question"]) > summary').click();
    await form.getByLabel('Duplicate of another question').check();
    await form.getByLabel('Original question (for duplicates)').fill('wifi drops every few minutes');
    await visitor.page.locator(`#flag-question-${dupFlagged.id}-note`).fill('Same router problem as the older thread.');
    const choose = await waitForDocument(visitor.page, () => form.getByRole('button', { name: 'Send flag' }).click());
    expect(choose.status()).toBe(200);
    await expect(visitor.page.locator('h1').innerText()).resolves.toBe('Choose the original question');
    const main = await visitor.page.locator('main').innerText();
    expect(main).toContain(original.title);
    expect(main).toContain('Accepted answer');
    expect(main).not.toContain(closedOne.title);
    expect(main).toContain('Your note is kept');
    await expectCleanNoJs(visitor.page, await choose.text(), 'en-US');
    await visitor.page.getByLabel(original.title).check();
    const done = await waitForDocument(visitor.page, () => visitor.page.getByRole('button', { name: 'Flag as a duplicate of the chosen question' }).click());
    expect(done.status()).toBe(200);
    expect(new URL(visitor.page.url()).pathname).toBe(dupFlagged.url);
    await expect(visitor.page.locator(`#my-flag-question-${dupFlagged.id}`).innerText()).resolves.toContain('waiting for a moderator');
    expect(e2e.server.db.select().from(flags).where(eq(flags.postId, dupFlagged.id)).all()).toMatchObject([{ reason: 'duplicate', duplicateOfId: original.id, note: 'Same router problem as the older thread.' }]);
    await visitor.context.close();
  });

  it('a moderator closes as a duplicate by words in Spanish; no match keeps the words; then a signed-out visitor sees the banner', async () => {
    const moderator = await e2e.server.createUser('moderator', 'mod.elena');
    const mod = await e2e.newVisitor({ locale: 'es-ES', javaScriptEnabled: false });
    await signIn(mod.page, e2e.server, moderator.username, moderator.password);
    await open(mod.page, e2e.server.url(dupClosedNoJs.url));
    const controls = mod.page.locator('.moderation-controls');
    await controls.locator('input[name="reason"][value="duplicate"]').check();
    await controls.getByLabel('Pregunta original (para duplicadas)').fill('zzqx nadaquever');
    const none = await waitForDocument(mod.page, () => controls.getByRole('button', { name: 'Cerrar', exact: true }).click());
    expect(none.status()).toBe(200);
    await expect(mod.page.locator('main').innerText()).resolves.toContain('Ninguna pregunta abierta coincide con «zzqx nadaquever»');
    await expect(mod.page.getByLabel('Pregunta original (para duplicadas)').inputValue()).resolves.toBe('zzqx nadaquever');
    await expectCleanNoJs(mod.page, await none.text(), 'es-ES');
    await mod.page.getByLabel('Pregunta original (para duplicadas)').fill('wifi drops every few minutes');
    const choose = await waitForDocument(mod.page, () => mod.page.getByRole('button', { name: 'Buscar de nuevo' }).click());
    expect(choose.status()).toBe(200);
    await expect(mod.page.locator('h1').innerText()).resolves.toBe('Elige la pregunta original');
    await expectCleanNoJs(mod.page, await choose.text(), 'es-ES');
    await mod.page.getByLabel(original.title).check();
    const closed = await waitForDocument(mod.page, () => mod.page.getByRole('button', { name: 'Cerrar como duplicada de la pregunta elegida' }).click());
    expect(closed.status()).toBe(200);
    expect(row(dupClosedNoJs.id)).toMatchObject({ status: 'closed', closedReason: 'duplicate', duplicateOfId: original.id });
    await mod.context.close();

    const visitor = await e2e.newVisitor({ locale: 'es-ES', javaScriptEnabled: false });
    await open(visitor.page, e2e.server.url(dupClosedNoJs.url));
    await expect(visitor.page.locator('.duplicate-notice').innerText()).resolves.toContain('channel to 1, 6 or 11');
    await visitor.context.close();
  });
});

describe('with JavaScript: the combobox', () => {
  it.each([
    ['en-US', 'Original question (for duplicates)', 'Chosen: #', 'Close'],
    ['es-ES', 'Pregunta original (para duplicadas)', 'Elegida: n.º', 'Cerrar'],
  ])('suggests as one types, arrows and Enter choose, Escape closes; usable at 390 px (%s)', async (locale, label, chosenText, closeLabel) => {
    const moderator = await e2e.server.createUser('moderator');
    const mod = await e2e.newVisitor({ locale, viewport: { width: 390, height: 844 } });
    await signIn(mod.page, e2e.server, moderator.username, moderator.password);
    const thread = await open(mod.page, e2e.server.url(dupClosedJs.url));
    const field = mod.page.locator('#close-original');
    await expect(mod.page.locator('label[for="close-original"]').innerText()).resolves.toBe(label);
    await expect(field.getAttribute('role')).resolves.toBe('combobox');
    await field.pressSequentially('wifi drops', { delay: 20 });
    const listbox = mod.page.locator('#close-original-listbox');
    await listbox.locator('[role="option"]').first().waitFor();
    await expect(field.getAttribute('aria-expanded')).resolves.toBe('true');
    const options = await listbox.locator('[role="option"]').allInnerTexts();
    expect(options.some((o) => o.includes(original.title))).toBe(true);
    expect(options.some((o) => o.includes(closedOne.title) || o.includes(dupClosedJs.title))).toBe(false);
    await expectClean(mod.page, await thread.text());
    // Escape closes the list and keeps the words.
    await field.press('Escape');
    await expect(listbox.isHidden()).resolves.toBe(true);
    await expect(field.inputValue()).resolves.toBe('wifi drops');
    // Arrow down reopens and moves the active option; Enter chooses it (and does not submit the form).
    const index = options.findIndex((o) => o.includes(original.title));
    for (let i = 0; i <= index; i++) await field.press('ArrowDown');
    await expect(field.getAttribute('aria-activedescendant')).resolves.toBe(`close-original-listbox-option-${index}`);
    await expect(listbox.locator(`#close-original-listbox-option-${index}`).getAttribute('aria-selected')).resolves.toBe('true');
    await field.press('Enter');
    await expect(field.inputValue()).resolves.toBe(String(original.id));
    await expect(mod.page.locator('#close-original-chosen').innerText()).resolves.toContain(`${chosenText}`);
    await expect(mod.page.locator('#close-original-chosen').innerText()).resolves.toContain(original.title);
    await expect(field.getAttribute('aria-expanded')).resolves.toBe('false');
    expect(new URL(mod.page.url()).pathname).toBe(dupClosedJs.url);
    const radio = mod.page.locator('.moderation-controls input[name="reason"][value="duplicate"]');
    await expect(radio.isChecked()).resolves.toBe(true);
    // Nothing overflows the narrow screen.
    const overflow = await mod.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    if (locale === 'es-ES') {
      const closed = await waitForDocument(mod.page, () => mod.page.locator('.moderation-controls').getByRole('button', { name: closeLabel, exact: true }).click());
      expect(closed.status()).toBe(200);
      expect(row(dupClosedJs.id)).toMatchObject({ status: 'closed', duplicateOfId: original.id });
    }
    await mod.context.close();
  });
});
