// Failed sign-ins in a real Chromium: strangers guessing a member's password from other addresses are delayed,
// and so is a browser that never signed in to the account, but the member's own browser (its device cookie)
// signs in at once. The forum trusts X-Forwarded-For here (TRUST_PROXY) so that browsers can play several
// addresses on 127.0.0.1, as clients behind a reverse proxy do.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkA11y, expectNoBrowserErrors, formatViolations, open, signIn, startE2E, validateHtml, waitForDocument, type E2E } from './harness.ts';

let e2e: E2E;
const OWNER_ADDRESS = '203.0.113.10';

beforeAll(async () => {
  e2e = await startE2E({ env: { TRUST_PROXY: 'true' }, context: { extraHTTPHeaders: { 'x-forwarded-for': OWNER_ADDRESS } } });
});
afterAll(async () => {
  await e2e?.close();
});
afterEach(() => expectNoBrowserErrors(e2e));

const header = (page: Page) => page.locator('header.site-header');

async function tryPassword(page: Page, login: string, password: string) {
  await page.locator('#field-login').fill(login);
  await page.locator('#field-password').fill(password);
  return waitForDocument(page, () => page.locator('form[action="/signin"] button[type="submit"]').click());
}

describe("a stranger's failed sign-ins do not lock the owner's browser out", () => {
  let owner: Awaited<ReturnType<E2E['server']['createUser']>>;

  it('the owner signs in once, then signs out: the browser keeps a device cookie', async () => {
    const { page, server, context } = e2e;
    owner = await server.createUser('member', 'laura.ondara');
    const response = await signIn(page, server, owner.username, owner.password);
    expect(response.status()).toBe(200);
    await expect(header(page).getByRole('button', { name: 'Sign out' }).isVisible()).resolves.toBe(true);
    await waitForDocument(page, () => header(page).getByRole('button', { name: 'Sign out' }).click());
    const device = (await context.cookies()).find((cookie) => cookie.name === 'resuelto_device');
    expect(device?.httpOnly).toBe(true);
    expect(device?.sameSite).toBe('Lax');
  });

  it('a stranger tries 25 wrong passwords from 5 addresses and is delayed, with an accessible page in both languages', async () => {
    const { server } = e2e;
    const stranger = await e2e.newVisitor();
    const context: BrowserContext = stranger.context;
    let lastStatus = 0;
    for (let address = 0; address < 5; address++) {
      await context.setExtraHTTPHeaders({ 'x-forwarded-for': `198.51.100.${address + 1}` });
      await open(stranger.page, server.url('/signin'));
      for (let attempt = 0; attempt < 5; attempt++) {
        const response = await tryPassword(stranger.page, owner.username, `guess ${address}-${attempt}`);
        lastStatus = response.status();
        expect([401, 429]).toContain(lastStatus);
        if (lastStatus === 429) await open(stranger.page, server.url('/signin'));
      }
    }
    // Even the right password from the stranger's browser is delayed now.
    await context.setExtraHTTPHeaders({ 'x-forwarded-for': '198.51.100.99' });
    await open(stranger.page, server.url('/signin'));
    const blocked = await tryPassword(stranger.page, owner.username, owner.password);
    expect(blocked.status()).toBe(429);
    await expect(stranger.page.locator('main').innerText()).resolves.toContain('Too many attempts.');
    expect(await validateHtml(await blocked.text(), stranger.page.url()), 'html-validate').toEqual([]);
    const violations = await checkA11y(stranger.page);
    expect(violations.map((v) => v.id), formatViolations(violations)).toEqual([]);

    // The same page in Spanish.
    const spanish = await e2e.newVisitor({ locale: 'es-ES', extraHTTPHeaders: { 'x-forwarded-for': '198.51.100.100', 'accept-language': 'es' } });
    await open(spanish.page, server.url('/signin'));
    const refused = await tryPassword(spanish.page, owner.username, owner.password);
    expect(refused.status()).toBe(429);
    await expect(spanish.page.locator('html').getAttribute('lang')).resolves.toBe('es');
    await expect(spanish.page.locator('main').innerText()).resolves.toContain('Demasiados intentos.');
    expect(await validateHtml(await refused.text(), spanish.page.url()), 'html-validate').toEqual([]);
    const esViolations = await checkA11y(spanish.page);
    expect(esViolations.map((v) => v.id), formatViolations(esViolations)).toEqual([]);
    await spanish.context.close();
    await context.close();
  });

  it("the owner's own browser signs in at once", async () => {
    const { page, server } = e2e;
    const response = await signIn(page, server, owner.username, owner.password);
    expect(response.status()).toBe(200);
    expect(page.url()).toBe(server.url('/'));
    await expect(header(page).getByRole('link', { name: owner.username }).isVisible()).resolves.toBe(true);
  });
});
