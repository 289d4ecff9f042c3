// The language crawlers get, through app.inject on a real SQLite file: a client that sends no Accept-Language
// gets a thread's chrome in the thread's language and lists in the site's default language (a setting, Spanish
// unless changed); every thread declares its content's language (lang, Content-Language); the signed-out page
// cache keeps each language apart and forgets a thread's language when an edit changes it.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users } from '../../src/db/schema.ts';
import { editQuestion } from '../../src/features/questions/service.ts';
import { setSettings } from '../../src/features/settings/service.ts';
import { BROWSER_USER_AGENT, buildTestApp, type TestApp } from '../helper.ts';
import { seedSeoForum, type SeoForum } from '../fixtures/seo-forum.ts';

let t: TestApp;
let forum: SeoForum;
const GOOGLEBOT = { 'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' };
const htmlLang = (html: string) => /<html lang="([^"]+)">/.exec(html)?.[1];

beforeAll(async () => {
  t = await buildTestApp();
  forum = await seedSeoForum(t.db, t.dir);
});
afterAll(async () => {
  await t.close();
});

describe('a client that sends no Accept-Language', () => {
  it('gets an English thread in English and a Spanish thread in Spanish, each declaring its language', async () => {
    const english = await t.app.inject({ method: 'GET', url: forum.english.url, headers: GOOGLEBOT });
    expect(htmlLang(english.body)).toBe('en');
    expect(english.headers['content-language']).toBe('en');
    expect(english.body).toContain('Your answer');
    const spanish = await t.app.inject({ method: 'GET', url: forum.spanish.url, headers: GOOGLEBOT });
    expect(htmlLang(spanish.body)).toBe('es');
    expect(spanish.headers['content-language']).toBe('es');
    expect(spanish.body).toContain('Tu respuesta');
    expect(spanish.body).toContain('<h1 id="question-title" lang="es">');
  });

  it('gets home and lists in the site default language: Spanish unless the setting says otherwise', async () => {
    for (const url of ['/', '/questions', '/tags', '/questions?tag=router']) {
      const page = await t.app.inject({ method: 'GET', url, headers: GOOGLEBOT });
      expect(htmlLang(page.body), url).toBe('es');
      expect(page.headers['content-language'], url).toBe('es');
    }
    // In a Spanish list, an English question says so (lang), so that it is read and indexed as English.
    const list = (await t.app.inject({ method: 'GET', url: '/questions', headers: GOOGLEBOT })).body;
    expect(list).toContain(`<h2 class="summary-title" lang="en"><a href="${forum.english.url}">`);
    expect(list).toContain(`<h2 class="summary-title"><a href="${forum.spanish.url}">`);
    setSettings(t.db, { defaultLocale: 'en' });
    for (const url of ['/', '/questions']) {
      const page = await t.app.inject({ method: 'GET', url, headers: GOOGLEBOT });
      expect(htmlLang(page.body), url).toBe('en');
    }
    // A thread still follows its own content.
    expect(htmlLang((await t.app.inject({ method: 'GET', url: forum.spanish.url, headers: GOOGLEBOT })).body)).toBe('es');
    setSettings(t.db, { defaultLocale: 'es' });
  });
});

describe('a visitor who asks for a language', () => {
  it('gets the chrome in their language around the content in its own, and Content-Language names the content', async () => {
    const page = await t.app.inject({ method: 'GET', url: forum.spanish.url, headers: { 'accept-language': 'en-GB,en;q=0.9', 'user-agent': BROWSER_USER_AGENT } });
    expect(htmlLang(page.body)).toBe('en');
    expect(page.headers['content-language']).toBe('es');
    expect(page.body).toContain('<h1 id="question-title" lang="es">');
    expect(page.body).toContain('<div class="post-body" lang="es">');
    expect(page.body).toContain('Your answer');
  });

  it('each answer declares its own language', async () => {
    const page = (await t.app.inject({ method: 'GET', url: forum.english.url, headers: GOOGLEBOT })).body;
    const langs = [...page.matchAll(/<article class="answer[^"]*" id="answer-\d+"[\s\S]*?<div class="post-body" lang="(\w+)">/g)].map((m) => m[1]);
    expect(langs).toEqual(['en', 'en']);
  });
});

describe('the signed-out page cache', () => {
  it('keeps the crawler’s page and the browser’s apart, and drops both when an edit changes the language', async () => {
    const crawler = await t.app.inject({ method: 'GET', url: forum.unanswered.url, headers: GOOGLEBOT });
    expect(htmlLang(crawler.body)).toBe('en');
    const spanishReader = await t.app.inject({ method: 'GET', url: forum.unanswered.url, headers: { 'accept-language': 'es', 'user-agent': BROWSER_USER_AGENT } });
    expect(htmlLang(spanishReader.body)).toBe('es');
    expect(htmlLang((await t.app.inject({ method: 'GET', url: forum.unanswered.url, headers: GOOGLEBOT })).body)).toBe('en');

    const asker = t.db.select({ id: users.id, role: users.role, reputation: users.reputation, createdAt: users.createdAt }).from(users).where(eq(users.username, 'marta_gil')).get()!;
    editQuestion(t.db, asker, forum.unanswered.id, { title: '¿Por qué la aplicación me saca después de cada actualización?', body: 'Después de cada actualización de la aplicación tengo que volver a entrar. ¿Es normal?' }, t.app.settings());
    const after = await t.app.inject({ method: 'GET', url: forum.unanswered.url.replace(/\/[^/]+$/, '/por-que-la-aplicacion-me-saca-despues-de-cada-actualizacion'), headers: GOOGLEBOT });
    expect(after.statusCode).toBe(200);
    expect(htmlLang(after.body)).toBe('es');
    expect(after.headers['content-language']).toBe('es');
    // Same URL, new language (only the body changed): the crawler's kept page and remembered language are dropped.
    const url = forum.english.url;
    expect(htmlLang((await t.app.inject({ method: 'GET', url, headers: GOOGLEBOT })).body)).toBe('en');
    editQuestion(t.db, asker, forum.english.id, { body: 'Todas las noches a las ocho se corta el wifi durante unos minutos y después vuelve. El cable sigue funcionando sin problema. ¿Qué puede ser? Gracias por la ayuda.' }, t.app.settings());
    const edited = await t.app.inject({ method: 'GET', url, headers: GOOGLEBOT });
    expect(edited.statusCode).toBe(200);
    expect(htmlLang(edited.body)).toBe('es');
    expect(edited.headers['content-language']).toBe('es');
    // The old slug redirects; the thread's id alone now resolves to Spanish for a crawler.
    const redirect = await t.app.inject({ method: 'GET', url: forum.unanswered.url, headers: GOOGLEBOT });
    expect(redirect.statusCode).toBe(301);
  });
});
