// Issue 16 in a real Chromium, the pages around the threads: first-run setup to the admin's checklist, every
// setting editable, the compact header (a menu without JavaScript on a phone), the visitor's language first
// and the language filter, weak searches, malformed addresses, the report's date fields, the Markdown editor,
// avatars, the users directory, profiles and tag pages. Every page: html-validate and axe, in both colour
// schemes and at 390 px, in Spanish and English.
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setSetting } from '../../src/features/settings/service.ts';
import { STRONG_PASSWORD } from '../helper.ts';
import { expectCleanEverywhere, expectNoBrowserErrors, open, signInAs, startE2E, validateHtml, waitForDocument, type E2E } from './harness.ts';

const SETUP_TOKEN = 'setup-' + 'x7'.repeat(12);
let e2e: E2E;

beforeAll(async () => {
  e2e = await startE2E({ setupToken: SETUP_TOKEN });
  const { db } = e2e.server;
  setSetting(db, 'postsPerIpPerMinute', 10_000);
  setSetting(db, 'signInPerIpPerMinute', 10_000);
  setSetting(db, 'signUpPerIpPerHour', 10_000);
  setSetting(db, 'newMemberSecondsBetweenPosts', 0);
  setSetting(db, 'secondsBetweenPosts', 0);
  setSetting(db, 'newMemberQuestionsPerDay', 1000);
  setSetting(db, 'newMemberAnswersPerDay', 1000);
});

afterAll(async () => {
  await e2e?.close();
});

afterEach(() => expectNoBrowserErrors(e2e));

async function apiAs(role: 'member' | 'staff') {
  const user = await e2e.server.createUser(role);
  const session = await fetch(e2e.server.url('/api/v1/session'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: user.username, password: user.password }) });
  const { token } = (await session.json()) as { token: string };
  const call = async <T,>(method: string, pathname: string, body?: unknown): Promise<T> => {
    const response = await fetch(e2e.server.url(`/api/v1${pathname}`), {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`${method} ${pathname}: ${response.status} ${text}`);
    return JSON.parse(text) as T;
  };
  return { ...user, call };
}

describe('first run and settings (items 12, 13)', () => {
  it('setup lands on the checklist; the admin names the forum and sets the support contact; the checklist shows them done', async () => {
    const { page, server } = e2e;
    await open(page, server.url(`/setup/${SETUP_TOKEN}`));
    await page.locator('#field-username').fill('admin.ana');
    await page.locator('#field-email').fill('ana@example.com');
    await page.locator('#field-password').fill(STRONG_PASSWORD);
    const welcome = await waitForDocument(page, () => page.locator('main form button[type="submit"]').click());
    expect(new URL(page.url()).pathname).toBe('/admin/welcome');
    expect(await page.locator('main h1').innerText()).toBe('First steps for your forum');
    expect(await page.locator('.checklist .is-todo').count()).toBeGreaterThanOrEqual(3);
    await expectCleanEverywhere(page, await welcome.text());

    const settings = await waitForDocument(page, () => page.locator('.checklist').getByRole('link', { name: 'Name the forum' }).click());
    expect(new URL(page.url()).pathname).toBe('/admin/settings');
    await expectCleanEverywhere(page, await settings.text());
    expect(await page.locator('#hint-privilegeVoteUp').innerText()).toContain('Default: 15');
    await page.locator('#field-siteName').fill('Ayuda de Acme');
    await page.locator('#field-supportUrl').fill('https://acme.example/contacto');
    await page.locator('#field-privilegeVoteUp').fill('0');
    const refused = await waitForDocument(page, () => page.getByRole('button', { name: 'Save settings' }).click());
    expect(refused.status()).toBe(400);
    expect(await page.locator('#error-summary a').evaluateAll((links) => links.map((a) => a.getAttribute('href')))).toEqual(['#field-privilegeVoteUp']);
    expect(await page.locator('#field-siteName').inputValue()).toBe('Ayuda de Acme');
    await page.locator('#field-privilegeVoteUp').fill('15');
    await waitForDocument(page, () => page.getByRole('button', { name: 'Save settings' }).click());
    expect(await page.locator('.brand').innerText()).toBe('Ayuda de Acme');
    await open(page, server.url('/admin/welcome'));
    expect(await page.locator('.checklist .is-done').count()).toBe(2);
    // The other tests measure the header with the product's own name.
    setSetting(server.db, 'siteName', '');
  });
});

describe('the header (item 10)', () => {
  it('at 1280 px in Spanish the staff header is one row and the search placeholder fits', async () => {
    const visitor = await e2e.newVisitor({ locale: 'es-ES', viewport: { width: 1280, height: 800 } });
    try {
      await signInAs(visitor.page, e2e.server, 'admin');
      await open(visitor.page, e2e.server.url('/questions'));
      const height = await visitor.page.locator('header.site-header').evaluate((header) => header.getBoundingClientRect().height);
      expect(height).toBeLessThan(70);
      const fits = await visitor.page.locator('#header-q').evaluate((input) => {
        const field = input as HTMLInputElement;
        const style = getComputedStyle(field);
        const context = document.createElement('canvas').getContext('2d')!;
        context.font = `${style.fontSize} ${style.fontFamily}`;
        const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
        return context.measureText(field.placeholder).width + padding <= field.clientWidth;
      });
      expect(fits).toBe(true);
    } finally {
      await visitor.context.close();
    }
  });

  it('on a phone: a compact header whose menu (a plain disclosure, no JavaScript) opens and holds every link', async () => {
    const phone = await e2e.newVisitor({ locale: 'es-ES', viewport: { width: 390, height: 844 } });
    try {
      const response = await open(phone.page, e2e.server.url('/'));
      const height = await phone.page.locator('header.site-header').evaluate((header) => header.getBoundingClientRect().height);
      expect(height).toBeLessThan(120);
      // "Ask" does not touch anything next to it.
      const gap = await phone.page.evaluate(() => {
        const ask = document.querySelector('.ask-button')!.getBoundingClientRect();
        const menu = document.querySelector('.mobile-menu summary')!.getBoundingClientRect();
        return menu.left - ask.right;
      });
      expect(gap).toBeGreaterThanOrEqual(4);
      await expectCleanEverywhere(phone.page, await response.text());
      // The list's "Ask" button keeps clear of the count under it.
      await open(phone.page, e2e.server.url('/questions'));
      const clearance = await phone.page.evaluate(() => document.querySelector('.count')!.getBoundingClientRect().top - document.querySelector('.page-head .button')!.getBoundingClientRect().bottom);
      expect(clearance).toBeGreaterThanOrEqual(4);
    } finally {
      await phone.context.close();
    }
    const noScript = await e2e.newVisitor({ locale: 'es-ES', viewport: { width: 390, height: 844 }, javaScriptEnabled: false });
    try {
      await open(noScript.page, e2e.server.url('/'));
      expect(await noScript.page.getByRole('link', { name: 'Etiquetas' }).isVisible()).toBe(false);
      await noScript.page.locator('.mobile-menu summary').click();
      expect(await noScript.page.getByRole('navigation', { name: 'Principal (menú)' }).getByRole('link', { name: 'Etiquetas' }).isVisible()).toBe(true);
      expect(await noScript.page.getByRole('navigation', { name: 'Tu cuenta (menú)' }).getByRole('link', { name: 'Iniciar sesión' }).isVisible()).toBe(true);
    } finally {
      await noScript.context.close();
    }
  });
});

describe('the visitor’s language first (item 9), weak searches (item 11), malformed addresses (item 8)', () => {
  it('an English-speaking visitor who picks Español in the footer sees Spanish questions first; the list filters by language', async () => {
    const staff = await apiAs('staff');
    const es = await staff.call<{ id: number }>('POST', '/questions', { title: 'La impresora no imprime en color desde ayer', body: 'La impresora de la oficina solo imprime en blanco y negro desde ayer por la tarde.', tags: ['impresora'] });
    const en = await staff.call<{ id: number }>('POST', '/questions', { title: 'The printer prints only in black since yesterday', body: 'The office printer has printed only in black and white since yesterday afternoon.', tags: ['printer'] });
    const visitor = await e2e.newVisitor({ locale: 'en-US' });
    try {
      await open(visitor.page, e2e.server.url('/'));
      const order = () => visitor.page.locator('main .summary-title a').evaluateAll((links) => links.map((a) => Number(/\/questions\/(\d+)\//.exec(a.getAttribute('href')!)![1])));
      let ids = await order();
      expect(ids.indexOf(en.id)).toBeLessThan(ids.indexOf(es.id));
      const home = await waitForDocument(visitor.page, () => visitor.page.locator('.language-switcher').getByRole('button', { name: 'Español' }).click());
      expect(await visitor.page.locator('html').getAttribute('lang')).toBe('es');
      ids = await order();
      expect(ids.indexOf(es.id)).toBeLessThan(ids.indexOf(en.id));
      await expectCleanEverywhere(visitor.page, await home.text());

      const list = await open(visitor.page, e2e.server.url('/questions'));
      await expectCleanEverywhere(visitor.page, await list.text());
      await waitForDocument(visitor.page, () => visitor.page.getByRole('navigation', { name: 'Preguntas escritas en' }).getByRole('link', { name: 'English' }).click());
      ids = await order();
      expect(ids).toContain(en.id);
      expect(ids).not.toContain(es.id);

      // A nonsense search says so and offers to ask.
      await e2e.server.app.searchIndex.sync();
      await open(visitor.page, e2e.server.url('/'));
      await visitor.page.locator('#header-q').fill('xyzzy plugh impresora');
      const search = await waitForDocument(visitor.page, () => visitor.page.locator('.header-search button').click());
      expect(await visitor.page.getByRole('link', { name: 'Hacer una pregunta' }).first().isVisible()).toBe(true);
      await expectCleanEverywhere(visitor.page, await search.text());

      // A malformed id is the 404 page in the visitor's language.
      const missing = await open(visitor.page, e2e.server.url('/questions/abc'));
      expect(missing.status()).toBe(404);
      expect(await visitor.page.locator('main h1').innerText()).toBe('Página no encontrada');
      await expectCleanEverywhere(visitor.page, await missing.text());
    } finally {
      await visitor.context.close();
    }
  });
});

describe('the deflection report’s dates (item 14)', () => {
  it('are native date fields under a hint that names no format', async () => {
    const visitor = await e2e.newVisitor({ locale: 'es-ES' });
    try {
      await signInAs(visitor.page, e2e.server, 'staff');
      const report = await open(visitor.page, e2e.server.url('/staff/reports/deflection'));
      expect(await visitor.page.locator('#field-from').getAttribute('type')).toBe('date');
      const hint = await visitor.page.locator('#period-hint').innerText();
      expect(hint).not.toMatch(/AAAA|YYYY|MM-DD/);
      await expectCleanEverywhere(visitor.page, await report.text());
    } finally {
      await visitor.context.close();
    }
  });
});

describe('the Markdown editor, avatars, users, profiles and tags', () => {
  it('the toolbar formats the selection and the preview follows the text; without JavaScript the Preview button renders it', async () => {
    const staff = await apiAs('staff');
    const { id, slug } = await staff.call<{ id: number; slug: string }>('POST', '/questions', { title: 'The router restarts every evening at nine', body: 'Every evening at nine the router restarts and the calls drop.', tags: ['router'] });
    const url = e2e.server.url(`/questions/${id}/${slug}`);
    const { page } = e2e;
    await signInAs(page, e2e.server, 'member');
    const thread = await open(page, url);
    await expectCleanEverywhere(page, await thread.text());
    const editor = page.locator('#answer-body');
    await editor.fill('Restart it');
    await editor.evaluate((textarea) => (textarea as HTMLTextAreaElement).setSelectionRange(0, 7));
    await page.getByRole('toolbar', { name: 'Formatting' }).getByRole('button', { name: 'Bold' }).click();
    expect(await editor.inputValue()).toBe('**Restart** it');
    const preview = page.locator('[data-preview-for="answer-body"]');
    await preview.locator('strong').waitFor();
    expect(await preview.locator('strong').innerText()).toBe('Restart');
    // An avatar next to the asker's name, drawn here.
    const avatar = page.locator('.question .user-card img.avatar');
    expect(await avatar.getAttribute('src')).toBe(`/users/${encodeURIComponent(staff.username)}/avatar.svg`);
    expect(await avatar.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);

    const noJs = await e2e.newVisitor({ javaScriptEnabled: false });
    try {
      await signInAs(noJs.page, e2e.server, 'member');
      await open(noJs.page, url);
      await noJs.page.locator('#answer-body').fill('Try `reset` then:\n\n- unplug\n- wait');
      const shown = await waitForDocument(noJs.page, () => noJs.page.getByRole('button', { name: 'Preview' }).click());
      expect(shown.status()).toBe(200);
      expect(await noJs.page.locator('[data-preview-for="answer-body"] li').allInnerTexts()).toEqual(['unplug', 'wait']);
      expect(await noJs.page.locator('#answer-body').inputValue()).toBe('Try `reset` then:\n\n- unplug\n- wait');
      // (axe needs script in the page; the same markup is checked with the preview shown below.)
      expect(await validateHtml(await shown.text(), noJs.page.url())).toEqual([]);
    } finally {
      await noJs.context.close();
    }
  });

  it('a member edits the profile (name, about, location, language); the directory finds them; staff describe a tag', async () => {
    const { page, server } = e2e;
    const member = await signInAs(page, server, 'member');
    await open(page, server.url(`/users/${member.username}`));
    const form = await waitForDocument(page, () => page.getByRole('link', { name: 'Edit your profile' }).click());
    await expectCleanEverywhere(page, await form.text());
    await page.getByLabel('Display name').fill('Lucía Martín');
    await page.getByLabel('About you').fill('I fix **routers** for a living.');
    await page.getByLabel('Location').fill('Sevilla');
    await page.getByLabel('Language of the forum').selectOption('es');
    const saved = await waitForDocument(page, () => page.getByRole('button', { name: 'Save profile' }).click());
    expect(await page.locator('html').getAttribute('lang')).toBe('es');
    expect(await page.locator('main h1').innerText()).toBe('Lucía Martín');
    expect(await page.locator('.profile .post-body strong').innerText()).toBe('routers');
    expect(await page.locator('main').innerText()).toContain('Sevilla');
    await expectCleanEverywhere(page, await saved.text());

    const directory = await open(page, server.url('/users'));
    await expectCleanEverywhere(page, await directory.text());
    await page.locator('#users-q').fill('Lucía');
    await waitForDocument(page, () => page.locator('.users-search button').click());
    expect(await page.locator('.user-grid a').allInnerTexts()).toEqual(['Lucía Martín']);

    const staff = await e2e.newVisitor();
    try {
      await signInAs(staff.page, server, 'staff');
      await open(staff.page, server.url('/tags'));
      await waitForDocument(staff.page, () => staff.page.locator('.tag-grid').getByRole('link', { name: 'router' }).click());
      expect(new URL(staff.page.url()).pathname).toBe('/tags/router');
      await waitForDocument(staff.page, () => staff.page.getByRole('link', { name: 'Edit the description' }).click());
      await staff.page.getByLabel('Description').fill('Routers, modems and **Wi-Fi** at home.');
      const tag = await waitForDocument(staff.page, () => staff.page.getByRole('button', { name: 'Save description' }).click());
      expect(await staff.page.locator('.tag-description strong').innerText()).toBe('Wi-Fi');
      expect(await staff.page.getByRole('heading', { name: 'Top answerers' }).isVisible()).toBe(true);
      await expectCleanEverywhere(staff.page, await tag.text());
    } finally {
      await staff.context.close();
    }
  });
});
