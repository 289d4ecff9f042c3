// Look-alike usernames and role badges in a real Chromium: signing up as `Iaura.ondara` next to staff
// `laura.ondara` is refused on the form, and staff and moderators carry their badge on the thread and the
// question list, in English and Spanish, on pages that pass axe and html-validate.
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addComment } from '../../src/features/comments/service.ts';
import { askQuestion } from '../../src/features/questions/service.ts';
import { getSettings } from '../../src/features/settings/service.ts';
import { expectClean, expectNoBrowserErrors, open, startE2E, STRONG_PASSWORD, waitForDocument, type E2E } from './harness.ts';

let e2e: E2E;
let threadUrl: string;

beforeAll(async () => {
  e2e = await startE2E();
  const { server } = e2e;
  const staff = await server.createUser('staff', 'laura.ondara');
  const moderator = await server.createUser('moderator', 'kike.mod');
  const settings = getSettings(server.db);
  const poster = (user: { id: number; role: 'staff' | 'moderator' }) => ({ id: user.id, role: user.role, reputation: 1, createdAt: new Date(0) });
  const q = askQuestion(server.db, poster({ id: staff.id, role: 'staff' }), { title: 'Cómo reinicio el router sin perder la configuración', body: 'Pregunta del equipo de soporte para ver las insignias.', tags: ['router'] }, settings);
  addComment(server.db, poster({ id: moderator.id, role: 'moderator' }), { postType: 'question', postId: q.id, body: 'Comentario de un moderador.' }, settings);
  threadUrl = q.url;
});
afterAll(async () => {
  await e2e?.close();
});
afterEach(() => expectNoBrowserErrors(e2e));

describe('look-alike usernames', () => {
  it.each([
    ['en-US', 'Create account', 'That username looks too much like an existing one; please choose another.'],
    ['es-ES', 'Crear cuenta', 'Ese nombre de usuario se parece demasiado a uno que ya existe; elige otro.'],
  ])('signing up as Iaura.ondara next to laura.ondara is refused on the form (%s)', async (locale, submit, message) => {
    const visitor = await e2e.newVisitor({ locale });
    await open(visitor.page, e2e.server.url('/signup'));
    await visitor.page.locator('#field-username').fill('Iaura.ondara');
    await visitor.page.locator('#field-email').fill(`impostor-${locale}@example.com`);
    await visitor.page.locator('#field-password').fill(STRONG_PASSWORD);
    const response = await waitForDocument(visitor.page, () => visitor.page.getByRole('button', { name: submit }).click());
    expect(response.status()).toBe(409);
    await expect(visitor.page.locator('main').innerText()).resolves.toContain(message);
    await expect(visitor.page.locator('#field-username').inputValue()).resolves.toBe('Iaura.ondara');
    await expectClean(visitor.page, await response.text());
    await visitor.context.close();
  });
});

describe('role badges', () => {
  it.each([
    ['en-US', 'Staff', 'Moderator'],
    ['es-ES', 'Equipo', 'Moderador'],
  ])('the thread and the list show staff and moderators with their badge (%s)', async (locale, staffBadge, moderatorBadge) => {
    const visitor = await e2e.newVisitor({ locale });
    const thread = await open(visitor.page, e2e.server.url(threadUrl));
    expect(thread.status()).toBe(200);
    const card = visitor.page.locator('.user-card', { has: visitor.page.getByRole('link', { name: 'laura.ondara' }) }).first();
    await expect(card.locator('.badge-role').innerText()).resolves.toBe(staffBadge);
    const comment = visitor.page.locator('.comments li', { hasText: 'kike.mod' });
    await expect(comment.locator('.badge-role').innerText()).resolves.toBe(moderatorBadge);
    await expectClean(visitor.page, await thread.text());

    const list = await open(visitor.page, e2e.server.url('/questions'));
    const summary = visitor.page.locator('.question-summary', { hasText: 'reinicio el router' });
    await expect(summary.locator('.badge-role').innerText()).resolves.toBe(staffBadge);
    await expectClean(visitor.page, await list.text());
    await visitor.context.close();
  });
});
