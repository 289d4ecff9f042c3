// Mail, accounts by mail and notifications in a real Chromium, with a real loopback SMTP server: "forgot your
// password" end to end (the link read from the delivered mail), the inbox and its bell, following a thread, and
// the accessibility and markup of every page this feature adds, in both languages.
import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { users } from '../../src/db/schema.ts';
import { postAnswer } from '../../src/features/answers/service.ts';
import { askQuestion } from '../../src/features/questions/service.ts';
import { linkIn, startMailServer, type MailServer } from '../mail-server.ts';
import { expectClean, expectNoBrowserErrors, open, signIn, startE2E, waitForDocument, type E2E } from './harness.ts';

let smtp: MailServer;
let e2e: E2E;

beforeAll(async () => {
  smtp = await startMailServer();
  e2e = await startE2E({ env: { SMTP_URL: smtp.smtpUrl } });
});
afterAll(async () => {
  await e2e?.close();
  await smtp?.close();
});
afterEach(() => expectNoBrowserErrors(e2e));

const header = (page: Page) => page.locator('header.site-header');

describe('forgot your password, end to end', () => {
  it('asks for a link, reads it from the delivered mail, sets a new password and signs in with it', async () => {
    const { page, server } = e2e;
    const user = await server.createUser('member');
    server.db.update(users).set({ locale: 'en' }).where(eq(users.id, user.id)).run();

    await open(page, server.url('/signin'));
    await waitForDocument(page, () => page.getByRole('link', { name: 'Forgot your password?' }).click());
    expect(new URL(page.url()).pathname).toBe('/signin/forgot');
    await page.getByLabel('Username or e-mail').fill(user.username);
    const sent = await waitForDocument(page, () => page.locator('main').getByRole('button', { name: 'Send the link' }).click());
    expect(sent.status()).toBe(200);
    await expect(page.getByRole('status').innerText()).resolves.toContain('If this belongs to an account');
    await expectClean(page, await sent.text());

    // The sender loop delivers it to the loopback SMTP server on its own.
    const mail = await smtp.waitFor((m) => m.to.includes(`${user.username}@example.com`) && m.subject === 'Choose a new password', 15_000);
    expect(mail.html).toContain('<a href="' + server.baseUrl + '/reset/');
    const link = linkIn(mail, `${server.baseUrl}/reset/`);

    const form = await open(page, link);
    expect(form.status()).toBe(200);
    await expectClean(page, await form.text());
    await page.getByLabel('New password').fill('a brand new long passphrase 7');
    const done = await waitForDocument(page, () => page.locator('main').getByRole('button', { name: 'Set the new password' }).click());
    expect(done.status()).toBe(200);
    await expect(page.getByRole('status').innerText()).resolves.toContain('Your password is changed');
    await expectClean(page, await done.text());

    const signedIn = await signIn(page, server, user.username, 'a brand new long passphrase 7');
    expect(signedIn.status()).toBe(200);
    await expect(header(page).getByRole('link', { name: user.username }).isVisible()).resolves.toBe(true);

    // The link worked once.
    const again = await open(page, link);
    expect(again.status()).toBe(400);
    await expect(page.locator('main h1').innerText()).resolves.toBe('This link does not work');
    await expectClean(page, await again.text());
    await waitForDocument(page, () => header(page).getByRole('button', { name: 'Sign out' }).click());
  });
});

describe('the inbox', () => {
  it('shows the bell with the unread count, lists what happened, and follows a thread with a plain form', async () => {
    const { server } = e2e;
    // (axe needs scripts in the page; the bell and the follow button are a plain link and a plain form.)
    const { page, context } = await e2e.newVisitor();
    try {
      const asker = await server.createUser('member');
      const answerer = await server.createUser('member');
      const poster = (u: typeof asker) => ({ ...u, createdAt: new Date(0) });
      const settings = server.app.settings();
      const q = askQuestion(server.db, poster(asker), { title: 'The modem light blinks orange all night', body: 'Since yesterday the modem light blinks orange and the internet drops.', tags: 'modem' }, settings);
      postAnswer(server.db, poster(answerer), q.id, { body: 'An orange light means no signal from the street: check the cable.' }, settings);
      await server.app.notifications.flush();

      await signIn(page, server, asker.username, asker.password);
      const bell = header(page).getByRole('link', { name: 'Notifications (1 unread)' });
      await expect(bell.isVisible()).resolves.toBe(true);
      const inbox = await waitForDocument(page, () => bell.click());
      expect(new URL(page.url()).pathname).toBe('/notifications');
      await expect(page.locator('main').getByRole('link', { name: `${answerer.username} answered your question “The modem light blinks orange all night”` }).isVisible()).resolves.toBe(true);
      await expectClean(page, await inbox.text());
      // Seen: the bell is quiet on the next page.
      const thread = await waitForDocument(page, () => page.locator('main ol').getByRole('link').first().click());
      expect(new URL(page.url()).pathname).toBe(q.url);
      await expect(header(page).getByRole('link', { name: 'Notifications', exact: true }).isVisible()).resolves.toBe(true);
      // The asker follows their own question; the button says so and works.
      await expect(page.getByRole('button', { name: 'Stop following' }).isVisible()).resolves.toBe(true);
      await expectClean(page, await thread.text());
      await waitForDocument(page, () => page.getByRole('button', { name: 'Stop following' }).click());
      await expect(page.getByRole('button', { name: 'Follow this question' }).isVisible()).resolves.toBe(true);
    } finally {
      await context.close();
    }
  });
});

describe('accessibility and markup of the mail pages', () => {
  for (const locale of ['en-US', 'es-ES']) {
    it(`forgot, reset (bad link), check-email, account and mail settings, inbox, unsubscribe and the admin outbox (${locale})`, async () => {
      const { server } = e2e;
      const { page, context } = await e2e.newVisitor({ locale });
      try {
        const admin = await server.createUser('admin');
        const unsubscribe = server.app.unsubscribeLinks.path(admin.id, 'mention');
        const confirmation = await smtp.waitFor((m) => m.to.includes(`${admin.username}@example.com`), 15_000);
        const verify = linkIn(confirmation, `${server.baseUrl}/verify/`).slice(server.baseUrl.length);
        for (const [pathname, status] of [
          [verify, 200],
          ['/signin/forgot', 200],
          ['/reset/1.' + 'x'.repeat(43), 400],
          ['/signup/check-email?next=/', 200],
          [unsubscribe, 200],
        ] as const) {
          const response = await open(page, server.url(pathname));
          expect(response.status(), pathname).toBe(status);
          await expectClean(page, await response.text());
        }
        await signIn(page, server, admin.username, admin.password);
        for (const pathname of ['/settings/account', '/settings/notifications', '/notifications', '/admin/mail', `/users/${admin.username}`]) {
          const response = await open(page, server.url(pathname));
          expect(response.status(), pathname).toBe(200);
          await expectClean(page, await response.text());
        }
        // One message of the outbox (the admin's own confirmation mail).
        const list = await open(page, server.url('/admin/mail'));
        expect(list.status()).toBe(200);
        const message = await waitForDocument(page, () => page.locator('main table a').first().click());
        expect(message.status()).toBe(200);
        await expectClean(page, await message.text());
      } finally {
        await context.close();
      }
    });
  }
});
