// The deflection report in a real Chromium: visitors search, open a thread and say "Yes, this solved it"
// (with JavaScript, and once without), then staff open the report from the header and an admin edits the
// settings. Checks the chart, axe-core and html-validate on every page, with the CSP enforced.
import type { BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setSetting } from '../../src/features/settings/service.ts';
import { tokenFor } from '../helper.ts';
import { checkA11y, formatViolations, open, signInAs, expectNoBrowserErrors, startE2E, validateHtml, waitForDocument, type E2E, PERSON_USER_AGENT } from './harness.ts';

let e2e: E2E;
let question: { id: number; url: string };

/** A real visitor's browser (every context of the harness says so unless told otherwise; explicit here). */
const PERSON: BrowserContextOptions = { userAgent: PERSON_USER_AGENT };

beforeAll(async () => {
  e2e = await startE2E();
  const { app, db } = e2e.server;
  // One address (127.0.0.1) posts and signs in many times here; the limits have their own tests.
  setSetting(db, 'postsPerIpPerMinute', 10_000);
  setSetting(db, 'signInPerIpPerMinute', 10_000);
  setSetting(db, 'newMemberSecondsBetweenPosts', 0);
  setSetting(db, 'secondsBetweenPosts', 0);
  const asker = (await tokenFor(app, db, 'member')).auth;
  const helper = (await tokenFor(app, db, 'member')).auth;
  const asked = await app.inject({
    method: 'POST',
    url: '/api/v1/questions',
    headers: asker,
    payload: { title: 'The router drops Wi-Fi every evening', body: 'Every evening around eight the wireless network disappears for a few minutes.', tags: ['wifi', 'router'] },
  });
  if (asked.statusCode !== 201) throw new Error(`ask failed: ${asked.statusCode} ${asked.body}`);
  question = { id: asked.json().id, url: new URL(asked.json().url).pathname };
  const answer = await app.inject({ method: 'POST', url: `/api/v1/questions/${question.id}/answers`, headers: helper, payload: { body: 'Change the Wi-Fi channel to 1, 6 or 11; the neighbours crowd the automatic one in the evening.' } });
  if (answer.statusCode !== 201) throw new Error(`answer failed: ${answer.statusCode} ${answer.body}`);
  const accepted = await app.inject({ method: 'POST', url: `/api/v1/questions/${question.id}/accept`, headers: asker, payload: { answerId: answer.json().id } });
  if (accepted.statusCode !== 200) throw new Error(`accept failed: ${accepted.statusCode} ${accepted.body}`);
  await app.searchIndex.sync();
});

afterAll(async () => {
  await e2e?.close();
});

afterEach(() => expectNoBrowserErrors(e2e));

const header = (page: Page) => page.locator('header.site-header');
const main = (page: Page) => page.locator('main');
const figure = (page: Page, label: string) => main(page).locator('dt', { hasText: new RegExp(`^${label.replace(/[()]/g, '\\$&')}$`) }).locator('xpath=following-sibling::dd[1]').innerText();

async function expectClean(page: Page, html: string): Promise<void> {
  expect.soft(await validateHtml(html, page.url()), `html-validate on ${page.url()}`).toEqual([]);
  const violations = await checkA11y(page);
  expect.soft(violations.map((violation) => violation.id), `axe on ${page.url()}\n${formatViolations(violations)}`).toEqual([]);
}

function eventKinds(): string[] {
  e2e.server.app.deflectionEvents.flush(); // events are written in batches off the request path
  return (e2e.server.db.$client.prepare('select kind from deflection_events order by id').all() as { kind: string }[]).map((row) => row.kind);
}

/** Searches from the header box and opens the question from the results. */
async function searchAndOpen(page: Page): Promise<void> {
  await open(page, e2e.server.url('/'));
  await header(page).getByRole('searchbox').fill('router wifi evening');
  await waitForDocument(page, () => header(page).getByRole('button', { name: 'Search' }).click());
  expect(new URL(page.url()).pathname).toBe('/search');
  await waitForDocument(page, () => main(page).getByRole('link', { name: /The router drops Wi-Fi every evening/ }).click());
  expect(new URL(page.url()).pathname).toBe(question.url);
}

describe('visitors leave events through the real pages', () => {
  it('with JavaScript: search, click a result, open the thread, “Yes, this solved it” without a reload', async () => {
    const { page, context } = await e2e.newVisitor(PERSON);
    try {
      const clicked = page.waitForResponse((r) => r.url().endsWith('/api/v1/deflection/events') && (r.request().postData() ?? '').includes('result_click'));
      await searchAndOpen(page);
      expect((await clicked).status()).toBe(202);
      const solved = page.waitForResponse((r) => r.url().endsWith('/api/v1/deflection/events') && (r.request().postData() ?? '').includes('"solved"'));
      await main(page).getByRole('button', { name: 'Yes, this solved it' }).click();
      expect((await solved).status()).toBe(202);
      await expect(main(page).getByText('Thanks! Glad it helped.').isVisible()).resolves.toBe(true);
      // The click's beacon and the thread's own request race (the thread may come from the page cache first).
      const kinds = eventKinds();
      expect(kinds).toHaveLength(4);
      expect([kinds[0], kinds[3]]).toEqual(['search', 'solved']);
      expect(kinds.slice(1, 3).sort()).toEqual(['result_click', 'thread_view']);
    } finally {
      await context.close();
    }
  });

  it('without JavaScript: the same journey through the plain form', async () => {
    const { page, context } = await e2e.newVisitor({ ...PERSON, javaScriptEnabled: false });
    try {
      await searchAndOpen(page);
      const response = await waitForDocument(page, () => main(page).getByRole('button', { name: 'Yes, this solved it' }).click());
      expect(response.status()).toBe(200);
      expect(new URL(page.url()).searchParams.get('feedback')).toBe('yes');
      await expect(main(page).getByText('Thanks! Glad it helped.').isVisible()).resolves.toBe(true);
      // No script, so no result_click: only what the server logs itself (the thread is shown again after the form).
      expect(eventKinds().slice(4)).toEqual(['search', 'thread_view', 'solved', 'thread_view']);
    } finally {
      await context.close();
    }
  });
});

describe('the staff report', () => {
  it('staff open it from the header: figures, an SVG chart for screen readers, the data table, valid and accessible', async () => {
    const { page, server } = e2e;
    await signInAs(page, server, 'staff');
    await expect(header(page).getByRole('link', { name: 'Settings' }).count()).resolves.toBe(0);
    const response = await waitForDocument(page, () => header(page).getByRole('link', { name: 'Deflection report' }).click());
    expect(response.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/staff/reports/deflection');
    expect(await main(page).locator('h1').innerText()).toBe('Deflection report');
    expect(await header(page).getByRole('link', { name: 'Deflection report' }).getAttribute('aria-current')).toBe('page');

    // Two visitors confirmed today (still provisional); the staff member's own visits are not counted.
    expect(await figure(page, 'Low (confirmed)')).toBe('2');
    expect(await figure(page, 'Searches')).toBe('2');
    // Both searches were followed by an opened thread: with JavaScript a result_click, without it the
    // thread_view soon after the search counts as the click.
    expect(await figure(page, 'Searches without clicks')).toBe('0');
    // (2 confirmed + 1 question resolved by a member today) × ($8 − $1)
    expect(await figure(page, 'Savings, low')).toBe('$21.00');
    await expect(main(page).getByText(/are provisional: their window has not passed yet/).isVisible()).resolves.toBe(true);

    // The daily chart (the weekly response health has its own further down).
    const chart = main(page).locator('svg[role="img"][aria-labelledby^="deflection-chart"]');
    expect(await chart.count()).toBe(1);
    expect(await chart.isVisible()).toBe(true);
    await expect(page.getByRole('img', { name: 'Deflected contacts per day' }).count()).resolves.toBe(1);
    expect(await chart.locator('desc').textContent()).toMatch(/deflected contacts estimated in all, between 2 \(confirmed only\) and 2\./);

    await expectClean(page, await response.text());
    // The same figures as a table, once opened.
    await main(page).locator('summary', { hasText: 'Every day as a table' }).click();
    const table = main(page).locator('details table');
    expect(await table.isVisible()).toBe(true);
    expect(await table.locator('tbody tr').count()).toBe(30);
    expect(await table.locator('tbody tr').last().innerText()).toMatch(/\t2\t2\t2\t2\t1\tProvisional$/);
    const violations = await checkA11y(page);
    expect(violations.map((v) => v.id), formatViolations(violations)).toEqual([]);
  });

  it('the holdout comparison, the Spanish page and a refused period are valid and accessible too', async () => {
    setSetting(e2e.server.db, 'holdoutPercent', 20);
    const { page, context } = await e2e.newVisitor({ locale: 'es-ES' });
    try {
      await signInAs(page, e2e.server, 'admin');
      const response = await waitForDocument(page, () => header(page).getByRole('link', { name: 'Informe de desvío' }).click());
      expect(response.status()).toBe(200);
      expect(await main(page).locator('h1').innerText()).toBe('Informe de desvío');
      expect(await main(page).locator('#holdout-heading').innerText()).toBe('¿Ayudan las sugerencias? (grupo de control)');
      expect(await figure(page, 'Ahorro mínimo')).toMatch(/^21,00\sUS\$$/);
      await expectClean(page, await response.text());

      await page.locator('#field-from').fill('2024-03-05');
      await page.locator('#field-to').fill('2024-03-01');
      const refused = await waitForDocument(page, () => main(page).getByRole('button', { name: 'Ver informe' }).click());
      expect(refused.status()).toBe(400);
      expect(await page.locator('#error-summary').innerText()).toContain('El periodo debe empezar antes de terminar.');
      await page.waitForFunction(() => document.activeElement?.id === 'error-summary');
      await expectClean(page, await refused.text());
    } finally {
      setSetting(e2e.server.db, 'holdoutPercent', 0);
      await context.close();
    }
  });
});

describe('the admin settings page', () => {
  it('an admin opens it from the header, is refused a bad network, then saves', async () => {
    const { page, context } = await e2e.newVisitor();
    try {
      await signInAs(page, e2e.server, 'admin');
      const response = await waitForDocument(page, () => header(page).getByRole('link', { name: 'Settings' }).click());
      expect(response.status()).toBe(200);
      expect(new URL(page.url()).pathname).toBe('/admin/settings');
      await expectClean(page, await response.text());

      await page.getByLabel('Cost per assisted contact').fill('9.5');
      await page.getByLabel('Internal networks').fill('10.0.0.0/8\n10.0.0.0/33');
      const refused = await waitForDocument(page, () => main(page).getByRole('button', { name: 'Save settings' }).click());
      expect(refused.status()).toBe(400);
      await page.waitForFunction(() => document.activeElement?.id === 'error-summary');
      expect(await page.locator('#error-internalNetworks').innerText()).toContain('“10.0.0.0/33” is not an address or CIDR block.');
      expect(await page.getByLabel('Internal networks').getAttribute('aria-invalid')).toBe('true');
      expect(await page.getByLabel('Cost per assisted contact').inputValue()).toBe('9.5');
      expect(e2e.server.app.settings().costPerContact).toBe(8);
      await expectClean(page, await refused.text());

      await page.getByLabel('Internal networks').fill('10.0.0.0/8\n2001:db8::/32');
      const saved = await waitForDocument(page, () => main(page).getByRole('button', { name: 'Save settings' }).click());
      expect(saved.status()).toBe(200);
      expect(new URL(page.url()).search).toBe('?saved=1');
      await expect(main(page).getByRole('status').innerText()).resolves.toBe('Settings saved.');
      expect(e2e.server.app.settings().costPerContact).toBe(9.5);
      expect(e2e.server.app.settings().internalNetworks).toBe('10.0.0.0/8\n2001:db8::/32');
      await expectClean(page, await saved.text());
    } finally {
      await context.close();
    }
  });

  it('is refused to staff', async () => {
    const { page, context } = await e2e.newVisitor();
    try {
      await signInAs(page, e2e.server, 'staff');
      const response = await open(page, e2e.server.url('/admin/settings'));
      expect(response.status()).toBe(403);
    } finally {
      await context.close();
    }
  });
});
