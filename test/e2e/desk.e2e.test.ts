// Private support cases and the staff desk in a real Chromium with a real loopback SMTP server: a customer
// escalates their question, staff answer privately, the customer reads the delivered mail and replies, staff
// solve the case and post the public summary. Every page of the flow is checked with axe and html-validate,
// in English and in Spanish.
import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { users } from '../../src/db/schema.ts';
import { askQuestion } from '../../src/features/questions/service.ts';
import { setSetting } from '../../src/features/settings/service.ts';
import { linkIn, startMailServer, type MailServer } from '../mail-server.ts';
import { expectClean, expectNoBrowserErrors, open, signIn, startE2E, waitForDocument, type E2E } from './harness.ts';

let smtp: MailServer;
let e2e: E2E;

beforeAll(async () => {
  smtp = await startMailServer();
  e2e = await startE2E({ env: { SMTP_URL: smtp.smtpUrl } });
  setSetting(e2e.server.db, 'secondsBetweenPosts', 0);
  setSetting(e2e.server.db, 'newMemberSecondsBetweenPosts', 0);
});
afterAll(async () => {
  await e2e?.close();
  await smtp?.close();
});
afterEach(() => expectNoBrowserErrors(e2e));

describe('escalation to a private support case, end to end', () => {
  it('customer escalates, staff answer privately, the customer replies from the mail, staff solve and post the summary', async () => {
    const { server, page } = e2e;
    const customer = await server.createUser('member');
    const agent = await server.createUser('staff');
    for (const id of [customer.id, agent.id]) server.db.update(users).set({ emailVerifiedAt: new Date(), locale: 'en' }).where(eq(users.id, id)).run();
    const question = askQuestion(server.db, { ...customer, reputation: 1, createdAt: new Date(0) } as never, { title: 'My order arrived with a broken lid', body: 'The kettle I ordered last week arrived with a broken lid. What can I do?', tags: 'orders' }, server.app.settings());

    // The customer escalates from the thread.
    await signIn(page, server, customer.username, customer.password);
    await open(page, server.url(question.url));
    const form = await waitForDocument(page, () => page.getByRole('link', { name: 'This needs the support team' }).click());
    await expectClean(page, await form.text());
    await page.getByLabel('What happened').fill('The lid is cracked in two places; I have photos of the box.');
    await page.getByLabel('Private details (optional)').fill('Order 4471-PRIVATE');
    const opened = await waitForDocument(page, () => page.locator('main').getByRole('button', { name: 'Open a support case' }).click());
    expect(opened.status()).toBe(200);
    const casePath = new URL(page.url()).pathname;
    expect(casePath).toMatch(/^\/support\/cases\/\d+$/);
    await expect(page.locator('main').innerText()).resolves.toContain('Order 4471-PRIVATE');
    await expectClean(page, await opened.text());

    // Staff hear of it by mail, and answer privately from the case page.
    const alert = await smtp.waitFor((m) => m.to.includes(`${agent.username}@example.com`) && m.subject.startsWith('Escalated to the support team'), 15_000);
    expect(alert.text).not.toContain('4471');
    const staffPage = (await e2e.newVisitor()).page;
    await signIn(staffPage, server, agent.username, agent.password);
    const staffCase = await open(staffPage, linkIn(alert, `${server.baseUrl}/support/cases/`));
    expect(staffCase.status()).toBe(200);
    await expectClean(staffPage, await staffCase.text());
    await waitForDocument(staffPage, () => staffPage.getByRole('button', { name: 'Assign to me' }).click());
    await staffPage.getByLabel('Your message').fill('Sorry about that! We are sending a **new lid** today.');
    await waitForDocument(staffPage, () => staffPage.locator('main').getByRole('button', { name: 'Send' }).click());
    await expect(staffPage.locator('[data-case-status]').innerText()).resolves.toBe('Waiting for the customer');

    // The customer gets the mail, follows its link and replies.
    const mail = await smtp.waitFor((m) => m.to.includes(`${customer.username}@example.com`) && m.subject.startsWith('New message on support case'), 15_000);
    expect(mail.text).not.toContain('new lid');
    await open(page, linkIn(mail, `${server.baseUrl}/support/cases/`));
    await expect(page.locator('main').innerText()).resolves.toContain('new lid');
    await page.getByLabel('Your message').fill('Thank you, the new lid arrived and fits perfectly.');
    await waitForDocument(page, () => page.locator('main').getByRole('button', { name: 'Send' }).click());
    await expect(page.locator('[data-case-status]').innerText()).resolves.toBe('Open');

    // The public thread says the team is on it, and shows nothing private.
    const visitor = (await e2e.newVisitor()).page;
    await open(visitor, server.url(question.url));
    await expect(visitor.locator('.support-banner').innerText()).resolves.toContain('The support team is looking into this');
    expect(await visitor.content()).not.toContain('4471');

    // Staff solve the case and post the official public summary.
    await open(staffPage, server.url(casePath));
    await staffPage.locator('#case-status').selectOption('solved');
    const solved = await waitForDocument(staffPage, () => staffPage.getByRole('button', { name: 'Save the status' }).click());
    await expectClean(staffPage, await solved.text());
    await staffPage.getByLabel('Public answer').fill('A lid that arrives broken is replaced for free: open a support case with a photo.');
    const posted = await waitForDocument(staffPage, () => staffPage.getByRole('button', { name: 'Post the official answer' }).click());
    expect(posted.status()).toBe(200);
    await open(visitor, server.url(question.url));
    await expect(visitor.locator('.answer.is-official').innerText()).resolves.toContain('replaced for free');
    await expect(visitor.locator('.support-banner').count()).resolves.toBe(0);
  });
});

describe('the pages in Spanish and English', () => {
  it('desk, case list and case page pass axe and html-validate in both languages', async () => {
    const { server } = e2e;
    const { page } = await e2e.newVisitor();
    const agent = await server.createUser('staff');
    await signIn(page, server, agent.username, agent.password);
    for (const lang of ['es', 'en']) {
      server.db.update(users).set({ locale: lang }).where(eq(users.id, agent.id)).run();
      for (const path of ['/staff/desk', '/staff/desk?noAnswer=1&lang=en', '/support/cases', '/support/cases/1']) {
        const response = await open(page, server.url(path));
        expect(response.status(), path).toBe(200);
        await expectClean(page, await response.text());
      }
    }
  });
});
