// Issue 16 in a real Chromium, forms and threads: the error summary at the top of the form's region with
// focus (the text kept), every field's error at once, letters required in titles, the character limit and
// an over-long text kept, privilege walls shown, the feedback buttons hidden once answered, answer sorting
// and pagination, a moderator's accept attributed, profiles written for the viewer. Every page is checked
// with html-validate and axe, in both colour schemes and at 390 px, in Spanish and English.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setSetting } from '../../src/features/settings/service.ts';
import { expectCleanEverywhere, expectNoBrowserErrors, open, signInAs, startE2E, waitForDocument, type E2E } from './harness.ts';

let e2e: E2E;

beforeAll(async () => {
  e2e = await startE2E();
  const { db } = e2e.server;
  // Test-run settings: one address and brand-new accounts post many times here (limits have their own tests).
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

// ---------------------------------------------------------------------------------------------------
// Helpers

type Call = <T = unknown>(method: 'GET' | 'POST', pathname: string, body?: unknown) => Promise<T>;

/** A user created in the database who talks to the JSON API (fast seeding). */
async function apiUser(role: 'member' | 'moderator' | 'staff' = 'staff'): Promise<{ id: number; username: string; displayName: string; call: Call }> {
  const user = await e2e.server.createUser(role);
  const session = await fetch(e2e.server.url('/api/v1/session'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: user.username, password: user.password }),
  });
  const { token } = (await session.json()) as { token: string };
  const call: Call = async <T,>(method: string, pathname: string, body?: unknown) => {
    const response = await fetch(e2e.server.url(`/api/v1${pathname}`), {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`${method} ${pathname}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  return { id: user.id, username: user.username, displayName: user.displayName, call };
}

let seq = 0;
async function thread(staff: { call: Call }, answers: string[] = [], answerer: { call: Call } = staff) {
  const { id, slug } = await staff.call<{ id: number; slug: string }>('POST', '/questions', {
    title: `El router pierde la conexión cada noche, caso ${++seq}`,
    body: 'Desde el lunes la conexión se corta todas las noches a las nueve y vuelve sola al cabo de diez minutos.',
    tags: ['router'],
  });
  const answerIds: number[] = [];
  for (const body of answers) answerIds.push((await answerer.call<{ id: number }>('POST', `/questions/${id}/answers`, { body })).id);
  return { id, url: e2e.server.url(`/questions/${id}/${slug}`), answerIds };
}

async function spanishVisitor(): Promise<{ page: Page; context: BrowserContext }> {
  const visitor = await e2e.newVisitor({ locale: 'es-ES' });
  return { page: visitor.page, context: visitor.context };
}

const inViewport = (page: Page, selector: string) =>
  page.locator(selector).evaluate((element) => {
    const box = element.getBoundingClientRect();
    return box.top >= 0 && box.top < window.innerHeight;
  });

// ---------------------------------------------------------------------------------------------------

describe('errors where the eye is (items 1, 4, 5)', () => {
  it('a rejected answer on a long thread: the summary at the top of the form region, focused and in view, the text kept; then page 2 of the answers', async () => {
    const staff = await apiUser('staff');
    const long = 'Revisa el cable, reinicia el router y espera dos minutos antes de volver a probar la conexión. '.repeat(6);
    const { url, answerIds } = await thread(staff, Array.from({ length: 32 }, (_, i) => `Respuesta ${i + 1}. ${long}`));
    const { page, context } = await spanishVisitor();
    try {
      await signInAs(page, e2e.server, 'member');
      await open(page, url);
      const typed = 'Gracias';
      await page.locator('#answer-body').fill(typed);
      const response = await waitForDocument(page, () => page.getByRole('button', { name: 'Publicar la respuesta' }).click());
      expect(response.status()).toBe(400);
      expect(new URL(page.url()).hash).toBe('#error-summary');
      const summary = page.locator('#answer-form #error-summary');
      expect(await summary.isVisible()).toBe(true);
      expect(await inViewport(page, '#error-summary')).toBe(true);
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('error-summary');
      expect(await summary.getByRole('link').getAttribute('href')).toBe('#answer-body');
      expect(await page.locator('#answer-body').inputValue()).toBe(typed);
      await expectCleanEverywhere(page, await response.text());

      // Posting too fast: "Espera N segundos", same place, the text kept.
      setSetting(e2e.server.db, 'newMemberSecondsBetweenPosts', 600);
      const real = 'Cambia el canal del wifi al 1, al 6 o al 11 en los ajustes del router.';
      await page.locator('#answer-body').fill(real);
      const posted = await waitForDocument(page, () => page.getByRole('button', { name: 'Publicar la respuesta' }).click());
      expect(posted.status()).toBe(200);
      await open(page, url);
      const again = 'Prueba también a actualizar el firmware desde la página de administración.';
      await page.locator('#answer-body').fill(again);
      const tooFast = await waitForDocument(page, () => page.getByRole('button', { name: 'Publicar la respuesta' }).click());
      expect(tooFast.status()).toBe(429);
      expect(await page.locator('#error-summary').innerText()).toMatch(/Espera \d+ segundos/);
      expect(await inViewport(page, '#error-summary')).toBe(true);
      expect(await page.locator('#answer-body').inputValue()).toBe(again);
    } finally {
      setSetting(e2e.server.db, 'newMemberSecondsBetweenPosts', 0);
      await context.close();
    }

    // Long threads are numbered pages of answers (30 a page).
    const { page: reader } = e2e;
    await open(reader, url);
    expect(await reader.locator('article.answer').count()).toBe(30);
    const pagination = reader.getByRole('navigation', { name: 'Pages' });
    expect(await pagination.isVisible()).toBe(true);
    const second = await waitForDocument(reader, () => pagination.getByRole('link', { name: /Next/ }).click());
    expect(second.status()).toBe(200);
    expect(new URL(reader.url()).searchParams.get('page')).toBe('2');
    expect(await reader.locator('article.answer').count()).toBe(answerIds.length + 1 - 30);
  });

  it('sign-up reports a bad username, a bad e-mail and a common password at once (Spanish), the values kept', async () => {
    const { page, context } = await spanishVisitor();
    try {
      await open(page, e2e.server.url('/signup'));
      await page.locator('#field-username').fill('a b');
      await page.locator('#field-email').fill('no-es-un-correo');
      await page.locator('#field-password').fill('password');
      const response = await waitForDocument(page, () => page.locator('main form button[type="submit"]').click());
      expect(response.status()).toBe(400);
      const links = page.locator('#error-summary a');
      expect(await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual(['#field-username', '#field-email', '#field-password']);
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('error-summary');
      expect(await page.locator('#field-email').inputValue()).toBe('no-es-un-correo');
      await expectCleanEverywhere(page, await response.text());
    } finally {
      await context.close();
    }
  });

  it('an emoji-only title is refused next to the title, with the other fields kept (English)', async () => {
    const { page } = e2e;
    await signInAs(page, e2e.server, 'member');
    await open(page, e2e.server.url('/questions/ask?title=' + encodeURIComponent('😡'.repeat(16))));
    await page.getByLabel('Details', { exact: true }).fill('The router restarts every evening and I lose every call I am on.');
    await page.getByLabel('Tags', { exact: true }).fill('router');
    const response = await waitForDocument(page, () => page.getByRole('button', { name: 'Post your question' }).click());
    expect(response.status()).toBe(400);
    expect(await page.locator('#error-title').innerText()).toContain('letters or digits');
    expect(await page.getByLabel('Tags', { exact: true }).inputValue()).toBe('router');
    await expectCleanEverywhere(page, await response.text());
  });
});

describe('limits said before, and an over-long text kept (item 3)', () => {
  it('a live counter with JavaScript; past the limit the form comes back with the text and the reason', async () => {
    const staff = await apiUser('staff');
    const { url } = await thread(staff);
    const { page } = e2e;
    await open(page, url);
    const counter = page.locator('#count-answer-body');
    expect(await page.locator('#answer-body').getAttribute('maxlength')).toBe('30000');
    await page.locator('#answer-body').fill('Twelve chars');
    expect(await counter.innerText()).toBe('12 of 30,000 characters');
    // A client that ignores maxlength (or a paste through an old browser): the server says why and keeps it.
    await page.locator('#answer-body').evaluate((textarea) => textarea.removeAttribute('maxlength'));
    const text = 'Step by step: '.padEnd(40_000, 'x');
    await page.locator('#answer-body').fill(text);
    const response = await waitForDocument(page, () => page.getByRole('button', { name: 'Post your answer' }).click());
    expect(response.status()).toBe(400);
    expect(await page.locator('#error-summary').innerText()).toContain('40,000 characters; the limit is 30,000');
    expect((await page.locator('#answer-body').inputValue()).length).toBe(40_000);
  });
});

describe('privilege walls are shown (item 2) and the feedback buttons go away (item 6)', () => {
  it('a new member sees the locked arrows and comment link, which explain and lead to /help/reputation', async () => {
    const staff = await apiUser('staff');
    const { url } = await thread(staff, ['Reinicia el router y espera dos minutos antes de probar otra vez.']);
    const { page, context } = await spanishVisitor();
    try {
      await signInAs(page, e2e.server, 'member');
      const response = await open(page, url);
      const up = page.locator('#question .vote-up');
      expect(await up.isVisible()).toBe(true);
      expect(await up.getAttribute('title')).toBe('Votar a favor requiere 15 de reputación — cómo funciona la reputación');
      expect(await page.locator('#question .vote-down').isVisible()).toBe(true);
      expect(await page.locator('.answer .locked-action a').first().innerText()).toContain('requiere 50 de reputación');
      await expectCleanEverywhere(page, await response.text());
      const help = await waitForDocument(page, () => up.click());
      expect(new URL(page.url()).pathname).toBe('/help/reputation');
      expect(new URL(page.url()).hash).toBe('#privileges');
      await expectCleanEverywhere(page, await help.text());
    } finally {
      await context.close();
    }
  });

  it('with JavaScript, “Yes” hides the buttons and shows the thanks', async () => {
    const staff = await apiUser('staff');
    const { url } = await thread(staff, ['Update the firmware from the admin page and restart it.']);
    const visitor = await e2e.newVisitor();
    try {
      await open(visitor.page, url);
      const form = visitor.page.locator('form[data-feedback]');
      expect(await form.isVisible()).toBe(true);
      await form.getByRole('button', { name: 'Yes' }).click();
      await visitor.page.locator('.feedback-thanks').waitFor({ state: 'visible' });
      expect(await form.isVisible()).toBe(false);
      expect(await visitor.page.getByRole('button', { name: 'No' }).isVisible()).toBe(false);
    } finally {
      await visitor.context.close();
    }
  });
});

describe('threads and profiles (items 7, 15, 16)', () => {
  it('sorts answers without JavaScript; a moderator’s accept says who accepted; the profile speaks to its reader', async () => {
    const staff = await apiUser('staff');
    const { id, url, answerIds } = await thread(staff, ['Primera: desenchufa el router treinta segundos.', 'Segunda: revisa el cable de la pared.', 'Tercera: llama a la línea de pruebas.'], await apiUser('staff'));
    const moderator = await apiUser('moderator');
    await moderator.call('POST', `/questions/${id}/accept`, { answerId: answerIds[0] });
    const { page, context } = await spanishVisitor();
    try {
      await open(page, url);
      expect(await page.locator('.accepted-by').innerText()).toBe(`Aceptada por ${moderator.displayName} en nombre de quien preguntó`);
      await page.locator('#answer-sort').selectOption('newest');
      const sorted = await waitForDocument(page, () => page.getByRole('button', { name: 'Ordenar' }).click());
      expect(new URL(page.url()).searchParams.get('answers')).toBe('newest');
      const order = await page.locator('article.answer').evaluateAll((list) => list.map((a) => Number(a.id.replace('answer-', ''))));
      expect(order).toEqual([answerIds[0], answerIds[2], answerIds[1]]);
      await expectCleanEverywhere(page, await sorted.text());

      // The moderator's profile, read by someone else: not "You accepted an answer".
      const profile = await open(page, e2e.server.url(`/users/${moderator.username}`));
      const text = await page.locator('main').innerText();
      expect(text).not.toContain('Aceptaste una respuesta');
      expect(text).toContain(`${moderator.displayName} aceptó una respuesta`);
      await expectCleanEverywhere(page, await profile.text());
    } finally {
      await context.close();
    }
  });
});
