// The desk's alerts and public feeds in a real Chromium with a real loopback SMTP server (issue 13): a question
// passes its first-response target, the loop mails the staff member, who follows the mail's link and answers,
// which clears the alert; members find the unanswered feeds of a tag and a language on the list pages; staff read
// the weekly response health in the deflection report. Every page checked with axe and html-validate, in
// English and in Spanish.
import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deskAlerts, users } from '../../src/db/schema.ts';
import { askQuestion } from '../../src/features/questions/service.ts';
import { setSetting } from '../../src/features/settings/service.ts';
import { linkIn, startMailServer, type MailServer } from '../mail-server.ts';
import { expectClean, expectNoBrowserErrors, open, signIn, startE2E, waitForDocument, type E2E } from './harness.ts';

let smtp: MailServer;
let e2e: E2E;

beforeAll(async () => {
  smtp = await startMailServer();
  e2e = await startE2E({ env: { SMTP_URL: smtp.smtpUrl } });
  // The loop runs when the test says (with the moment it chooses); the mail sender keeps running on its own.
  e2e.server.app.deskAlerts.pause();
  setSetting(e2e.server.db, 'secondsBetweenPosts', 0);
  setSetting(e2e.server.db, 'newMemberSecondsBetweenPosts', 0);
  setSetting(e2e.server.db, 'newMemberQuestionsPerDay', 100);
  setSetting(e2e.server.db, 'firstResponseTargetHours', 4);
  setSetting(e2e.server.db, 'deskBusinessHours', '');
});
afterAll(async () => {
  await e2e?.close();
  await smtp?.close();
});
afterEach(() => expectNoBrowserErrors(e2e));

describe('a breach alert, end to end', () => {
  it('the loop mails staff when a question passes its target; staff follow the link and answer; the alert clears', async () => {
    const { server, page } = e2e;
    const customer = await server.createUser('member');
    const agent = await server.createUser('staff');
    for (const id of [customer.id, agent.id]) server.db.update(users).set({ emailVerifiedAt: new Date(), locale: 'en' }).where(eq(users.id, id)).run();
    const asked = new Date(Date.now() - 5 * 3_600_000);
    const question = askQuestion(
      server.db,
      { ...customer, reputation: 1, createdAt: new Date(0) } as never,
      { title: 'My dishwasher stops halfway through every cycle', body: 'It stops after twenty minutes with water still inside and a blinking light.', tags: 'dishwashers' },
      server.app.settings(),
      asked,
    );
    expect(server.app.deskAlerts.run().breached).toBe(1);

    const alert = await smtp.waitFor((m) => m.to.includes(`${agent.username}@example.com`) && m.subject.startsWith('Past the first-response target'), 15_000);
    expect(alert.subject).toBe('Past the first-response target: My dishwasher stops halfway through every cycle');
    await signIn(page, server, agent.username, agent.password);
    const thread = await open(page, linkIn(alert, `${server.baseUrl}/questions/${question.id}`));
    expect(thread.status()).toBe(200);
    await expectClean(page, await thread.text());
    await page.locator('#answer-body').fill('Clean the filter at the bottom of the tub, then run the cycle again.');
    const answered = await waitForDocument(page, () => page.getByRole('button', { name: 'Post your answer' }).click());
    expect(answered.status()).toBe(200);

    expect(server.app.deskAlerts.run().cleared).toBe(1);
    expect(server.db.select().from(deskAlerts).where(eq(deskAlerts.questionId, question.id)).all()).toEqual([]);
    // Answered: no second alert, whatever the clock says.
    expect(server.app.deskAlerts.run(new Date(Date.now() + 86_400_000))).toMatchObject({ close: 0, breached: 0 });
  });
});

describe('feeds and weekly health, in Spanish and English', () => {
  it('the unanswered list of a tag and a language links its feeds; each answers Atom', async () => {
    const { server } = e2e;
    const asker = { ...(await server.createUser('member')), reputation: 1, createdAt: new Date(0) } as never;
    askQuestion(server.db, asker, { title: 'Mi lavavajillas no seca los platos', body: 'Los platos salen mojados al final de cada programa, incluso con abrillantador.', tags: 'lavavajillas' }, server.app.settings());
    for (const [locale, name] of [
      ['es-ES', 'Preguntas sin respuesta con la etiqueta «lavavajillas»'],
      ['en-GB', 'Unanswered questions tagged “lavavajillas”'],
    ] as const) {
      const { page } = await e2e.newVisitor({ locale });
      const list = await open(page, server.url('/questions?sort=unanswered&tag=lavavajillas&lang=es'));
      expect(list.status()).toBe(200);
      await expectClean(page, await list.text());
      await expect(page.locator('link[rel="alternate"][href="/feeds/unanswered/tags/lavavajillas"]').count()).resolves.toBe(1);
      await expect(page.locator('link[rel="alternate"][href="/feeds/unanswered/languages/es"]').count()).resolves.toBe(1);
      const link = page.getByRole('link', { name });
      await expect(link.isVisible()).resolves.toBe(true);
      const feed = await page.request.get(server.url((await link.getAttribute('href'))!));
      expect(feed.status()).toBe(200);
      expect(feed.headers()['content-type']).toBe('application/atom+xml; charset=utf-8');
      expect(await feed.text()).toContain('Mi lavavajillas no seca los platos');
    }
  });

  it('staff read the weekly response health in the deflection report, and download it as CSV', async () => {
    const { server } = e2e;
    const { page } = await e2e.newVisitor();
    const agent = await server.createUser('staff');
    await signIn(page, server, agent.username, agent.password);
    for (const [lang, heading] of [
      ['es', 'Salud de las respuestas por semana'],
      ['en', 'Response health per week'],
    ] as const) {
      server.db.update(users).set({ locale: lang }).where(eq(users.id, agent.id)).run();
      const report = await open(page, server.url('/staff/reports/deflection'));
      expect(report.status()).toBe(200);
      await expect(page.getByRole('heading', { name: heading }).isVisible()).resolves.toBe(true);
      await expect(page.locator('svg[aria-labelledby="health-chart-title health-chart-desc"]').count()).resolves.toBe(1);
      await expectClean(page, await report.text());
      const href = await page.locator('a[href*="series=health"]').getAttribute('href');
      const csv = await page.request.get(server.url(href!));
      expect(csv.status()).toBe(200);
      expect((await csv.text()).split('\r\n')[0]).toMatch(/^week_start,questions_asked,answered_within_target_share/);
    }
  });
});
