// Languages through HTTP: negotiation (cookie, account, Accept-Language, default), the switcher, localized errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createUser, type TestApp } from '../helper.ts';
import { Visitor, nextIp } from '../fixtures/hostile.ts';

let t: TestApp;
let seq = 0;
const fresh = (prefix = 'l') => `${prefix}${++seq}_${process.pid}`;

beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => {
  await t?.close();
});

const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });
const htmlLang = (body: string) => /<html lang="([^"]+)">/.exec(body)?.[1];
const setCookies = (response: { headers: Record<string, unknown> }) => ([] as string[]).concat((response.headers['set-cookie'] as string | string[]) ?? []);

describe('the 404 page', () => {
  it('is a real HTML page in Spanish for Accept-Language es', async () => {
    const response = await get('/esta/pagina/no/existe', { 'accept-language': 'es-ES,es;q=0.9' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^text\/html; charset=utf-8/);
    expect(htmlLang(response.body)).toBe('es');
    expect(response.body).toMatch(/^<!doctype html>/i);
    expect(response.body).toContain('<h1>Página no encontrada</h1>');
    expect(response.body).toContain('No encontramos esa página.');
    expect(response.body).toContain('<meta name="robots" content="noindex">');
    expect(response.body).toContain('href="/"');
  });

  it('is in English for Accept-Language en', async () => {
    const response = await get('/this/page/does/not/exist', { 'accept-language': 'en-GB,en;q=0.9' });
    expect(response.statusCode).toBe(404);
    expect(htmlLang(response.body)).toBe('en');
    expect(response.body).toContain('<h1>Page not found</h1>');
    expect(response.body).toContain('We could not find that page.');
  });

  it('follows q-values: the best supported language wins', async () => {
    expect(htmlLang((await get('/nope', { 'accept-language': 'fr-FR,fr;q=0.9,en;q=0.8,es;q=0.7' })).body)).toBe('en');
    expect(htmlLang((await get('/nope', { 'accept-language': 'en;q=0.2, es;q=0.8' })).body)).toBe('es');
    expect(htmlLang((await get('/nope', { 'accept-language': 'en;q=0, es' })).body)).toBe('es');
  });

  it('falls back to the forum default (Spanish) without a usable Accept-Language', async () => {
    for (const header of [undefined, 'fr', 'de-DE, ja;q=0.5', '*', '']) {
      const response = await get('/nope', header === undefined ? {} : { 'accept-language': header });
      expect(response.statusCode).toBe(404);
      expect(htmlLang(response.body), String(header)).toBe('es');
    }
  });

  it('a resuelto_lang=en cookie beats Accept-Language es, and es beats en', async () => {
    const en = await get('/nope', { 'accept-language': 'es', cookie: 'resuelto_lang=en' });
    expect(htmlLang(en.body)).toBe('en');
    expect(en.body).toContain('Page not found');
    const es = await get('/nope', { 'accept-language': 'en', cookie: 'resuelto_lang=es' });
    expect(htmlLang(es.body)).toBe('es');
    expect(es.body).toContain('Página no encontrada');
  });

  it('an unknown language cookie is ignored', async () => {
    const response = await get('/nope', { 'accept-language': 'en', cookie: 'resuelto_lang=fr' });
    expect(htmlLang(response.body)).toBe('en');
  });

  it('the API answers 404 in its error shape, in the visitor’s language', async () => {
    const en = await get('/api/v1/nope', { 'accept-language': 'en' });
    expect(en.statusCode).toBe(404);
    expect(en.json()).toEqual({ error: { code: 'not_found', message: 'We could not find that page. It may have been moved or deleted.' } });
    const es = await get('/api/v1/nope', { 'accept-language': 'es' });
    expect(es.json().error.message).toBe('No encontramos esa página. Puede que se haya movido o eliminado.');
  });

  it('pages say they vary by language and cookie', async () => {
    const response = await get('/', { 'accept-language': 'en' });
    expect(String(response.headers.vary)).toMatch(/Accept-Language/i);
    expect(String(response.headers.vary)).toMatch(/Cookie/i);
  });
});

describe('every page speaks the negotiated language', () => {
  it.each([
    ['/', 'en', 'Community help'],
    ['/', 'es', 'Ayuda de la comunidad'],
    ['/signin', 'en', '<h1>Sign in</h1>'],
    ['/signin', 'es', '<h1>Iniciar sesión</h1>'],
    ['/signup', 'en', '<h1>Create your account</h1>'],
  ])('%s in %s', async (url, lang, text) => {
    const response = await get(url, { 'accept-language': lang });
    expect(response.statusCode).toBe(200);
    expect(htmlLang(response.body)).toBe(lang);
    expect(response.body).toContain(text);
  });

  it('the language switcher marks the current language', async () => {
    const response = await get('/', { 'accept-language': 'en' });
    expect(response.body).toMatch(/<button type="submit" name="lang" value="en" lang="en" aria-pressed="true">/);
    expect(response.body).toMatch(/<button type="submit" name="lang" value="es" lang="es" aria-pressed="false">/);
    expect(response.body).toContain('<input type="hidden" name="next" value="/">');
  });

  it('form errors are in the visitor’s language', async () => {
    const visitor = new Visitor(t.app, { lang: 'es' });
    const response = await visitor.submit('/signup', { username: 'x', email: 'x@example.com', password: 'correct horse battery staple 42' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('El nombre de usuario tiene de 3 a 30 caracteres');
    const english = new Visitor(t.app, { lang: 'en' });
    const again = await english.submit('/signup', { username: 'x', email: 'x@example.com', password: 'correct horse battery staple 42' });
    expect(again.body).toContain('Usernames have 3 to 30 characters');
  });

  it('the CSRF refusal page is in the visitor’s language', async () => {
    const visitor = new Visitor(t.app, { lang: 'es' });
    await visitor.get('/');
    const response = await visitor.submit('/language', { lang: 'en' }, { csrf: null });
    expect(response.statusCode).toBe(403);
    expect(htmlLang(response.body)).toBe('es');
    expect(response.body).toContain('Este formulario caducó');
  });
});

describe('POST /language', () => {
  it('sets the resuelto_lang cookie and redirects 303 to the page it came from', async () => {
    const visitor = new Visitor(t.app, { lang: 'es' });
    await visitor.get('/signin');
    const response = await visitor.submit('/language', { lang: 'en', next: '/signin?next=%2Fsearch' });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/signin?next=%2Fsearch');
    const raw = setCookies(response).find((c) => c.startsWith('resuelto_lang=en'));
    expect(raw).toBeDefined();
    expect(raw).toMatch(/;\s*Path=\//i);
    expect(raw).toMatch(/;\s*Max-Age=\d{7,}/i);
    expect(raw).toMatch(/;\s*SameSite=Lax/i);
    expect(raw).not.toMatch(/;\s*Secure/i);

    const page = await visitor.get('/signin');
    expect(htmlLang(page.body)).toBe('en');
    expect(page.body).toContain('<h1>Sign in</h1>');

    const back = await visitor.submit('/language', { lang: 'es', next: '/' });
    expect(back.statusCode).toBe(303);
    expect(htmlLang((await visitor.get('/')).body)).toBe('es');
  });

  it.each([
    ['https://evil.example', '/'],
    ['https://evil.example/path', '/'],
    ['//evil.example', '/'],
    ['//evil.example/path', '/'],
    ['/\\evil.example', '/'],
    ['\\\\evil.example', '/'],
    ['http:/evil.example', '/'],
    ['javascript:alert(1)', '/'],
    ['evil.example', '/'],
    ['/\t/evil.example', '/'],
    ['', '/'],
    ['/questions?sort=votes', '/questions?sort=votes'],
    ['/search?q=caf%C3%A9', '/search?q=caf%C3%A9'],
    ['/search?q=café', '/search?q=caf%C3%A9'],
  ])('next=%j redirects to %j', async (next, location) => {
    const visitor = new Visitor(t.app);
    const response = await visitor.submit('/language', { lang: 'en', next });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(location);
  });

  it('without next it goes home', async () => {
    const visitor = new Visitor(t.app);
    const response = await visitor.submit('/language', { lang: 'es' });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/');
  });

  it('refuses an unsupported language with 400 and sets no cookie', async () => {
    const visitor = new Visitor(t.app, { lang: 'en' });
    for (const lang of ['fr', 'EN', '', 'en; Path=/', '<script>']) {
      const response = await visitor.submit('/language', { lang, next: '/' });
      expect(response.statusCode, lang).toBe(400);
      expect(setCookies(response).some((c) => c.startsWith('resuelto_lang=')), lang).toBe(false);
    }
  });

  it('needs the CSRF token', async () => {
    const visitor = new Visitor(t.app);
    await visitor.get('/');
    const response = await visitor.submit('/language', { lang: 'en', next: '/' }, { csrf: null });
    expect(response.statusCode).toBe(403);
    expect(setCookies(response).some((c) => c.startsWith('resuelto_lang='))).toBe(false);
  });

  it('remembers a signed-in member’s choice on their account, for their other browsers', async () => {
    const user = await createUser(t.db, 'member', fresh('poly'));
    const laptop = new Visitor(t.app, { lang: 'es' });
    expect((await laptop.submit('/signin', { login: user.username, password: user.password })).statusCode).toBe(303);
    expect((await laptop.submit('/language', { lang: 'en', next: '/' })).statusCode).toBe(303);
    const row = t.db.$client.prepare('select locale from users where id = ?').get(user.id) as { locale: string };
    expect(row.locale).toBe('en');

    // Another browser, Spanish by its headers and with no language cookie: the account's choice wins.
    const phone = new Visitor(t.app, { lang: 'es', ip: nextIp() });
    expect((await phone.submit('/signin', { login: user.username, password: user.password })).statusCode).toBe(303);
    expect(phone.cookies.has('resuelto_lang')).toBe(false);
    expect(htmlLang((await phone.get('/')).body)).toBe('en');
    expect(htmlLang((await phone.get('/nope')).body)).toBe('en');

    // Signed out, the same browser is Spanish again.
    await phone.submit('/signout', {});
    expect(htmlLang((await phone.get('/')).body)).toBe('es');
  });
});
