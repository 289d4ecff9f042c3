// Duplicates and learned searches in a real Chromium: a duplicate's thread leads to its original (both
// languages), and staff remove a learned search from a thread's staff-only section. axe-core and
// html-validate on every page, with the CSP enforced.
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { searchPhrasings } from '../../src/db/schema.ts';
import { closeAsDuplicate } from '../../src/features/questions/duplicates.ts';
import { logSearchChange } from '../../src/features/questions/service.ts';
import { setSetting } from '../../src/features/settings/service.ts';
import { tokenFor } from '../helper.ts';
import { checkA11y, expectNoBrowserErrors, formatViolations, open, PERSON_USER_AGENT, signInAs, startE2E, validateHtml, waitForDocument, type E2E } from './harness.ts';

let e2e: E2E;
let original: { id: number; url: string };
let duplicate: { id: number; url: string };
// No word of it is one edit away from a word of the threads (typo correction would find them anyway).
const PHRASE = 'amber lamp flashing';

async function expectClean(page: Page, html: string): Promise<void> {
  expect.soft(await validateHtml(html, page.url()), `html-validate on ${page.url()}`).toEqual([]);
  const violations = await checkA11y(page);
  expect.soft(violations.map((violation) => violation.id), `axe on ${page.url()}\n${formatViolations(violations)}`).toEqual([]);
}

async function search(q: string): Promise<number[]> {
  await e2e.server.app.searchIndex.sync();
  const response = await e2e.server.app.inject({ url: `/api/v1/search?q=${encodeURIComponent(q)}` });
  return response.json().items.map((item: { id: number }) => item.id);
}

beforeAll(async () => {
  e2e = await startE2E();
  const { app, db } = e2e.server;
  setSetting(db, 'postsPerIpPerMinute', 10_000);
  setSetting(db, 'signInPerIpPerMinute', 10_000);
  setSetting(db, 'newMemberSecondsBetweenPosts', 0);
  setSetting(db, 'secondsBetweenPosts', 0);
  const asker = (await tokenFor(app, db, 'member')).auth;
  const helper = (await tokenFor(app, db, 'member')).auth;
  const ask = async (title: string, body: string) => {
    const asked = await app.inject({ method: 'POST', url: '/api/v1/questions', headers: asker, payload: { title, body, tags: ['router'] } });
    if (asked.statusCode !== 201) throw new Error(`ask failed: ${asked.statusCode} ${asked.body}`);
    return { id: asked.json().id as number, url: new URL(asked.json().url).pathname };
  };
  original = await ask('The router drops Wi-Fi every evening', 'Every evening around eight the wireless network disappears for a few minutes.');
  duplicate = await ask('Internet stops working at night', 'At night the internet stops for a while, then it comes back by itself.');
  const answer = await app.inject({ method: 'POST', url: `/api/v1/questions/${original.id}/answers`, headers: helper, payload: { body: 'Change the Wi-Fi channel to 1, 6 or 11; the neighbours crowd the automatic one in the evening.' } });
  if (answer.statusCode !== 201) throw new Error(`answer failed: ${answer.statusCode} ${answer.body}`);
  const accepted = await app.inject({ method: 'POST', url: `/api/v1/questions/${original.id}/accept`, headers: asker, payload: { answerId: answer.json().id } });
  if (accepted.statusCode !== 200) throw new Error(`accept failed: ${accepted.statusCode} ${accepted.body}`);
  db.transaction((tx) => {
    closeAsDuplicate(tx, { questionId: duplicate.id, originalId: original.id, byUserId: null });
    // A learned search two visitors confirmed (how it is learned has its own integration test).
    tx.insert(searchPhrasings).values({ questionId: original.id, phrase: PHRASE, confirmations: 2 }).run();
    logSearchChange(tx, original.id, new Date());
  });
});

afterAll(async () => {
  await e2e?.close();
});

afterEach(() => expectNoBrowserErrors(e2e));

describe('a duplicate leads to its original', () => {
  it('shows the original and its accepted answer on the duplicate, in English and Spanish', async () => {
    for (const [locale, heading, linkText] of [
      ['en-US', 'This question has an answer elsewhere', 'Read the original question and its answers'],
      ['es-ES', 'Esta pregunta ya tiene respuesta en otro lugar', 'Leer la pregunta original y sus respuestas'],
    ] as const) {
      const { page } = await e2e.newVisitor({ locale, userAgent: PERSON_USER_AGENT });
      const response = await open(page, e2e.server.url(duplicate.url));
      const banner = page.getByRole('region', { name: heading });
      await expect.soft(banner.innerText()).resolves.toContain('Change the Wi-Fi channel');
      await expectClean(page, await response.text());
      await waitForDocument(page, () => banner.getByRole('link', { name: linkText }).click());
      expect(new URL(page.url()).pathname).toBe(original.url);
    }
  });
});

describe('staff remove a learned search', () => {
  it('lists learned searches to staff only, and removes one with its form', async () => {
    expect(await search(PHRASE)).toEqual([original.id]);
    const { page: visitor } = await e2e.newVisitor({ userAgent: PERSON_USER_AGENT });
    await open(visitor, e2e.server.url(original.url));
    expect(await visitor.getByRole('heading', { name: 'Learned searches (staff only)' }).count()).toBe(0);

    const page = e2e.page;
    await signInAs(page, e2e.server, 'staff');
    const response = await open(page, e2e.server.url(original.url));
    const section = page.getByRole('region', { name: 'Learned searches (staff only)' });
    await expect.soft(section.innerText()).resolves.toContain(PHRASE);
    await expectClean(page, await response.text());
    await waitForDocument(page, () => section.getByRole('button', { name: `Remove the learned search “${PHRASE}”` }).click());
    expect(new URL(page.url()).pathname).toBe(original.url);
    expect(await page.getByRole('region', { name: 'Learned searches (staff only)' }).innerText()).toContain('No learned searches yet.');
    expect(await search(PHRASE)).toEqual([]);

    // The staff section in Spanish.
    const { page: es } = await e2e.newVisitor({ locale: 'es-ES', userAgent: PERSON_USER_AGENT });
    await signInAs(es, e2e.server, 'staff');
    const spanish = await open(es, e2e.server.url(original.url));
    expect(await es.getByRole('region', { name: 'Búsquedas aprendidas (solo personal)' }).count()).toBe(1);
    await expectClean(es, await spanish.text());
  });
});
