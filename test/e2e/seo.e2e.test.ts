// Crawlers and link previews in a real Chromium: the pages a search engine lands on (home, a tag page with
// numbered pagination, an English and a Spanish thread, a deleted thread) pass axe and html-validate in both
// languages; the browser itself parses the JSON-LD (and the strict CSP lets the page load cleanly with it);
// pagination is followed by clicking numbers; an admin renames the site and the header shows it.
import type { Page, Response } from 'playwright-core';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { users } from '../../src/db/schema.ts';
import { askQuestion } from '../../src/features/questions/service.ts';
import { checkA11y, expectNoBrowserErrors, formatViolations, open, signInAs, startE2E, validateHtml, waitForDocument, type E2E } from './harness.ts';
import { seedSeoForum, type SeoForum } from '../fixtures/seo-forum.ts';

let e2e: E2E;
let forum: SeoForum;

beforeAll(async () => {
  e2e = await startE2E();
  forum = await seedSeoForum(e2e.server.db, e2e.server.dir);
  const { db, app } = e2e.server;
  const staff = db.select({ id: users.id, role: users.role, reputation: users.reputation, createdAt: users.createdAt }).from(users).where(eq(users.username, 'ana_soporte')).get()!;
  for (let i = 0; i < 70; i++) {
    askQuestion(db, staff, { title: `Paged question number ${i} about the modem`, body: `Body of paged question number ${i}, long enough to pass.`, tags: 'paged' }, app.settings(), new Date(Date.UTC(2026, 0, 1) + i * 60_000));
  }
});
afterAll(async () => {
  await e2e?.close();
});
afterEach(() => expectNoBrowserErrors(e2e));

/** The markup as the server sent it (html-validate), and the page as rendered (axe). */
async function expectClean(page: Page, response: Response, label: string): Promise<void> {
  expect(await validateHtml(await response.text(), page.url()), `html-validate ${label}`).toEqual([]);
  const violations = await checkA11y(page);
  expect(violations.map((v) => v.id), `${label}: ${formatViolations(violations)}`).toEqual([]);
}

const jsonLd = (page: Page) =>
  page.evaluate(() => [...document.querySelectorAll('script[type="application/ld+json"]')].map((s) => JSON.parse(s.textContent ?? 'null')));

describe('pages search engines land on', () => {
  for (const locale of ['en-US', 'es-ES']) {
    it(`pass axe and html-validate, with their structured data read by the browser (${locale})`, async () => {
      const { page } = await e2e.newVisitor({ locale });
      const pages = ['/', '/questions?tag=paged&page=2', forum.english.url, forum.spanish.url, '/tags'];
      for (const url of pages) {
        const response = await open(page, e2e.server.url(url));
        expect(response.status(), url).toBe(200);
        await expectClean(page, response, `${url} ${locale}`);
        expect(await page.locator('link[rel="canonical"]').getAttribute('href'), url).toMatch(/^http/);
        expect(await page.locator('meta[name="description"]').getAttribute('content'), url).toBeTruthy();
      }
      await open(page, e2e.server.url(forum.spanish.url));
      const [qa] = (await jsonLd(page)).filter((d) => d['@type'] === 'QAPage');
      expect(qa.mainEntity.name).toBe('¿Cómo descargo la factura de este mes?');
      expect(qa.mainEntity.acceptedAnswer.url).toBe(`${e2e.server.baseUrl}${forum.spanish.url}#answer-${forum.spanish.officialAnswerId}`);
      expect(await page.locator(`#answer-${forum.spanish.officialAnswerId} .badge-official`).isVisible()).toBe(true);
      await open(page, e2e.server.url('/'));
      expect((await jsonLd(page)).find((d) => d['@type'] === 'WebSite').potentialAction.target.urlTemplate).toBe(`${e2e.server.baseUrl}/search?q={search_term_string}`);
      // A deleted thread: 410, a clean page that says so.
      const gone = await open(page, e2e.server.url(forum.deleted.url));
      expect(gone.status()).toBe(410);
      await expectClean(page, gone, `gone ${locale}`);
      await page.context().close();
    });
  }

  it('numbered pagination is followed by clicking page numbers, without JavaScript', async () => {
    const { page } = await e2e.newVisitor({ javaScriptEnabled: false });
    await open(page, e2e.server.url('/questions?tag=paged'));
    const nav = page.locator('nav.pagination');
    expect(await nav.locator('a[aria-current="page"]').textContent()).toBe('1');
    await waitForDocument(page, () => nav.locator('a', { hasText: /^4$/ }).click());
    expect(new URL(page.url()).search).toBe('?tag=paged&page=4');
    expect(await page.locator('nav.pagination a[aria-current="page"]').textContent()).toBe('4');
    await waitForDocument(page, () => page.locator('nav.pagination a[aria-label="First, Page 1"]').click());
    expect(new URL(page.url()).search).toBe('?tag=paged');
    expect(await page.locator('nav.pagination a[rel]').count()).toBe(0);
    await page.context().close();
  });
});

describe('site settings', () => {
  it('an admin renames the site and sets its description; the header and the home page show them', async () => {
    const { page } = e2e;
    await signInAs(page, e2e.server, 'admin');
    await expectClean(page, await open(page, e2e.server.url('/admin/settings')), 'admin settings');
    await page.locator('#field-siteName').fill('Acme Ayuda');
    await page.locator('#field-homeDescription').fill('Respuestas de la comunidad de Acme.');
    await page.locator('#field-defaultLocale').selectOption('en');
    await waitForDocument(page, () => page.locator('form.settings-form button[type="submit"]').click());
    expect(new URL(page.url()).search).toBe('?saved=1');
    await open(page, e2e.server.url('/'));
    expect(await page.locator('a.brand').textContent()).toContain('Acme Ayuda');
    expect(await page.locator('meta[name="description"]').getAttribute('content')).toBe('Respuestas de la comunidad de Acme.');
    expect(await page.title()).toContain('Acme Ayuda');
  });
});
