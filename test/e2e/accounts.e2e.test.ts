// Accounts and languages in a real Chromium: sign up, sign out, sign in, the language switcher, and the
// accessibility and markup of the account pages. Runs against a real server on 127.0.0.1.
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { STRONG_PASSWORD } from '../helper.ts';
import { expectClean, expectNoBrowserErrors, open, startE2E, waitForDocument, type E2E } from './harness.ts';

let e2e: E2E;

beforeAll(async () => {
  e2e = await startE2E();
});

afterAll(async () => {
  await e2e?.close();
});

afterEach(() => expectNoBrowserErrors(e2e));

const header = (page: Page) => page.locator('header.site-header');
const htmlLang = (page: Page) => page.locator('html').getAttribute('lang');
const heading = (page: Page) => page.locator('main h1').innerText();

describe('signing up, out and in', () => {
  const username = 'ana.garcia';
  const email = 'Ana.Garcia@example.com';

  it('signs up through the real form, is told to check the inbox, and signs in', async () => {
    const { page, server } = e2e;
    await open(page, server.url('/'));
    await waitForDocument(page, () => header(page).getByRole('link', { name: 'Sign up' }).click());
    expect(new URL(page.url()).pathname).toBe('/signup');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/');

    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(STRONG_PASSWORD);
    const created = await waitForDocument(page, () => page.getByRole('button', { name: 'Create account' }).click());
    // Sign-up answers a new and a known address alike ("check your inbox"), and signs nobody in.
    expect(created.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/signup/check-email');
    await expect(page.getByRole('heading', { name: 'Check your inbox' }).isVisible()).resolves.toBe(true);
    await expectClean(page, await created.text());
    // The account works before its address is confirmed.
    await waitForDocument(page, () => page.locator('main').getByRole('link', { name: 'Sign in' }).click());
    await page.getByLabel('Username or email').fill(username);
    await page.getByLabel('Password').fill(STRONG_PASSWORD);
    const response = await waitForDocument(page, () => page.locator('main').getByRole('button', { name: 'Sign in' }).click());

    expect(response.status()).toBe(200);
    expect(page.url()).toBe(server.url('/'));
    await expect(header(page).getByRole('link', { name: username }).isVisible()).resolves.toBe(true);
    await expect(header(page).getByRole('button', { name: 'Sign out' }).isVisible()).resolves.toBe(true);
    await expect(header(page).getByRole('link', { name: 'Sign in' }).count()).resolves.toBe(0);
    // The signed-in header (a sign-out form) is valid and accessible too.
    await expectClean(page, await response.text());
  });

  it('signs out', async () => {
    const { page, server } = e2e;
    const response = await waitForDocument(page, () => header(page).getByRole('button', { name: 'Sign out' }).click());
    expect(response.status()).toBe(200);
    expect(page.url()).toBe(server.url('/'));
    await expect(header(page).getByRole('link', { name: 'Sign in' }).isVisible()).resolves.toBe(true);
    await expect(header(page).getByRole('button', { name: 'Sign out' }).count()).resolves.toBe(0);
    await expect(header(page).getByText(username).count()).resolves.toBe(0);
  });

  it('signs in with the email address', async () => {
    const { page, server } = e2e;
    await waitForDocument(page, () => header(page).getByRole('link', { name: 'Sign in' }).click());
    expect(new URL(page.url()).pathname).toBe('/signin');
    await page.getByLabel('Username or email').fill(email.toLowerCase());
    await page.getByLabel('Password').fill(STRONG_PASSWORD);
    const response = await waitForDocument(page, () => page.locator('main').getByRole('button', { name: 'Sign in' }).click());
    expect(response.status()).toBe(200);
    expect(page.url()).toBe(server.url('/'));
    await expect(header(page).getByRole('link', { name: username }).isVisible()).resolves.toBe(true);
    await expect(header(page).getByRole('button', { name: 'Sign out' }).isVisible()).resolves.toBe(true);
  });

  it('keeps a signed-in member’s language on the account, not only in the cookie', async () => {
    const { page, context } = e2e;
    await waitForDocument(page, () => page.getByRole('button', { name: 'Español' }).click());
    expect(await htmlLang(page)).toBe('es');
    await context.clearCookies({ name: 'resuelto_lang' });
    await page.reload();
    expect(await htmlLang(page)).toBe('es');
    expect(await heading(page)).toBe('Ayuda de la comunidad');
    await waitForDocument(page, () => page.getByRole('button', { name: 'English' }).click());
    expect(await htmlLang(page)).toBe('en');
  });
});

describe('the language switcher', () => {
  it('changes the text and <html lang>, and the choice persists across pages and on the 404 page', async () => {
    const { page, context } = await e2e.newVisitor();
    try {
      const home = e2e.server.url('/');
      await open(page, home);
      expect(await htmlLang(page)).toBe('en');
      expect(await heading(page)).toBe('Community help');
      expect(await page.getByRole('button', { name: 'English' }).getAttribute('aria-pressed')).toBe('true');

      const switched = await waitForDocument(page, () => page.locator('footer').getByRole('button', { name: 'Español' }).click());
      expect(switched.status()).toBe(200);
      expect(page.url()).toBe(home);
      expect(await htmlLang(page)).toBe('es');
      expect(await heading(page)).toBe('Ayuda de la comunidad');
      expect(await page.getByRole('button', { name: 'Español' }).getAttribute('aria-pressed')).toBe('true');
      expect(await page.getByRole('button', { name: 'English' }).getAttribute('aria-pressed')).toBe('false');
      expect(await header(page).getByRole('link', { name: 'Crear cuenta' }).isVisible()).toBe(true);

      // Follow a link: the next page is Spanish too.
      await waitForDocument(page, () => header(page).getByRole('link', { name: 'Iniciar sesión' }).click());
      expect(new URL(page.url()).pathname).toBe('/signin');
      expect(await htmlLang(page)).toBe('es');
      expect(await heading(page)).toBe('Iniciar sesión');
      expect(await page.getByLabel('Usuario o correo electrónico').isVisible()).toBe(true);

      // The 404 page speaks the chosen language.
      const missing = await open(page, e2e.server.url('/no-such-page'));
      expect(missing.status()).toBe(404);
      expect(await htmlLang(page)).toBe('es');
      expect(await heading(page)).toBe('Página no encontrada');

      // Switching back from the 404 page returns to it, now in English, and English sticks.
      const back = await waitForDocument(page, () => page.getByRole('button', { name: 'English' }).click());
      expect(back.status()).toBe(404);
      expect(new URL(page.url()).pathname).toBe('/no-such-page');
      expect(await htmlLang(page)).toBe('en');
      expect(await heading(page)).toBe('Page not found');
      await open(page, home);
      expect(await htmlLang(page)).toBe('en');
      expect(await heading(page)).toBe('Community help');
    } finally {
      await context.close();
    }
  });
});

describe('accessibility and markup', () => {
  for (const locale of ['en-US', 'es-ES']) {
    it(`home, sign-in, sign-up and 404 pages have no axe violations and valid HTML (${locale})`, async () => {
      const { page, context } = await e2e.newVisitor({ locale });
      try {
        for (const [pathname, status] of [
          ['/', 200],
          ['/signin', 200],
          ['/signup', 200],
          ['/no-such-page', 404],
        ] as const) {
          const response = await open(page, e2e.server.url(pathname));
          expect(response.status(), pathname).toBe(status);
          expect(await htmlLang(page)).toBe(locale.slice(0, 2));
          await expectClean(page, await response.text());
        }
      } finally {
        await context.close();
      }
    });
  }

  it('a sign-up form with errors is announced, valid and accessible', async () => {
    const { page, context } = await e2e.newVisitor();
    try {
      await open(page, e2e.server.url('/signup'));
      await page.getByLabel('Username').fill('x');
      await page.getByLabel('Email').fill('not-an-email');
      await page.getByLabel('Password').fill(STRONG_PASSWORD);
      const response = await waitForDocument(page, () => page.getByRole('button', { name: 'Create account' }).click());
      expect(response.status()).toBe(400);
      const summary = page.locator('#error-summary');
      expect(await summary.isVisible()).toBe(true);
      // Every wrong field at once (issue 16): the username and the e-mail.
      expect(await summary.getByRole('link').first().innerText()).toContain('3 to 30 characters');
      expect(await summary.getByRole('link').count()).toBe(2);
      // site.js moves focus to the summary so that screen readers read it out.
      await page.waitForFunction(() => document.activeElement?.id === 'error-summary');
      expect(await page.getByLabel('Username').getAttribute('aria-invalid')).toBe('true');
      expect(await page.getByLabel('Username').inputValue()).toBe('x');
      await expectClean(page, await response.text());
    } finally {
      await context.close();
    }
  });

  it('a refused sign-in is announced, valid and accessible', async () => {
    const { page, context } = await e2e.newVisitor();
    try {
      const user = await e2e.server.createUser();
      await open(page, e2e.server.url('/signin'));
      await page.getByLabel('Username or email').fill(user.username);
      await page.getByLabel('Password').fill('not the password at all');
      const response = await waitForDocument(page, () => page.locator('main').getByRole('button', { name: 'Sign in' }).click());
      expect(response.status()).toBe(401);
      expect(await page.locator('#error-summary').innerText()).toContain('Wrong username, email or password.');
      expect(await page.getByLabel('Username or email').inputValue()).toBe(user.username);
      expect(await page.getByLabel('Password').inputValue()).toBe('');
      await expectClean(page, await response.text());
    } finally {
      await context.close();
    }
  });
});
