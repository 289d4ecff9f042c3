// Accounts through HTTP: sign-up, sign-in, sign-out, sessions, throttling, the JSON API and first-run setup.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import argon2 from 'argon2';
import { ARGON2_OPTIONS } from '../../src/features/accounts/passwords.ts';
import { eq } from 'drizzle-orm';
import { users } from '../../src/db/schema.ts';
import { postAnswer } from '../../src/features/answers/service.ts';
import { addComment } from '../../src/features/comments/service.ts';
import { askQuestion } from '../../src/features/questions/service.ts';
import { getSettings, setSetting } from '../../src/features/settings/service.ts';
import { setRole } from '../../src/features/accounts/service.ts';
import { buildApp } from '../../src/app.ts';
import { BROWSER_USER_AGENT, buildTestApp, createUser, posterOf, STRONG_PASSWORD, type TestApp } from '../helper.ts';
import { Visitor, inputValue, nextIp } from '../fixtures/hostile.ts';

const SETUP_TOKEN = 'tok_' + 'a1b2c3d4e5f6'.repeat(3);

let t: TestApp;
let seq = 0;
/** A username nobody in this file has used. */
const fresh = (prefix = 'u') => `${prefix}${++seq}_${process.pid}`;

beforeAll(async () => {
  t = await buildTestApp({ setupToken: SETUP_TOKEN });
});
afterAll(async () => {
  await t?.close();
});

const userRow = (username: string) =>
  t.db.$client.prepare('select * from users where username_key = ?').get(username.toLowerCase()) as
    | { id: number; username: string; email: string; role: string; password_hash: string }
    | undefined;
const userCount = () => (t.db.$client.prepare('select count(*) as n from users').get() as { n: number }).n;

function sessionCookie(response: { cookies: { name: string; value: string }[] }) {
  return response.cookies.find((c) => c.name === 'resuelto_session');
}

/** A signed-in visitor: the account is created through the service (fast), the sign-in through the form. */
async function signedIn(lang?: string) {
  const user = await createUser(t.db, 'member', fresh('m'));
  const visitor = new Visitor(t.app, { lang });
  const response = await visitor.submit('/signin', { login: user.username, password: user.password });
  expect(response.statusCode).toBe(303);
  return { user, visitor };
}

describe('sign-up form', () => {
  it('shows the form with a CSRF token, in a page that is not indexed', async () => {
    const visitor = new Visitor(t.app, { lang: 'en' });
    const page = await visitor.get('/signup');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('<h1>Create your account</h1>');
    expect(page.body).toMatch(/<input type="hidden" name="_csrf" value="[^"]+">/);
    expect(page.body).toContain('<meta name="robots" content="noindex">');
  });

  it('creates the account without signing in (the answer is the same for a known address), then the password signs in with an HttpOnly SameSite=Lax cookie', async () => {
    const visitor = new Visitor(t.app, { lang: 'en' });
    const username = fresh('New.User-');
    const response = await visitor.submit('/signup', { username, email: `${username}@Example.com`, password: STRONG_PASSWORD });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/signup/check-email?next=%2F');
    expect(sessionCookie(response)).toBeUndefined();

    const row = userRow(username)!;
    expect(row.username).toBe(username);
    expect(row.role).toBe('member');
    expect(row.email).toBe(`${username}@Example.com`);
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    expect(row.password_hash).not.toContain(STRONG_PASSWORD);

    // The account works before its address is confirmed.
    const signIn = await visitor.submit('/signin', { login: username, password: STRONG_PASSWORD });
    expect(signIn.statusCode).toBe(303);
    const cookie = sessionCookie(signIn);
    expect(cookie).toBeDefined();
    expect(cookie!.value.length).toBeGreaterThanOrEqual(32);
    const raw = ([] as string[]).concat(signIn.headers['set-cookie'] ?? []).find((c) => c.startsWith('resuelto_session='))!;
    expect(raw).toMatch(/;\s*HttpOnly/i);
    expect(raw).toMatch(/;\s*SameSite=Lax/i);
    expect(raw).toMatch(/;\s*Path=\//i);
    expect(raw).not.toMatch(/;\s*Secure/i);
    expect(raw).not.toMatch(/;\s*Domain=/i);

    const home = await visitor.get('/');
    expect(home.body).toContain(`href="/users/${encodeURIComponent(username)}"`);
    expect(home.body).toContain('action="/signout"');
  });

  it('keeps a safe `next` path through "check your inbox", and never another site', async () => {
    const a = new Visitor(t.app);
    const ok = await a.submit('/signup', { username: fresh('n'), email: `${fresh('n')}@example.com`, password: STRONG_PASSWORD, next: '/search?q=x' });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe(`/signup/check-email?next=${encodeURIComponent('/search?q=x')}`);
    expect((await a.get(ok.headers.location as string)).body).toContain(`href="/signin?next=${encodeURIComponent('/search?q=x')}"`);

    const b = new Visitor(t.app);
    const evil = await b.submit('/signup', { username: fresh('n'), email: `${fresh('n')}@example.com`, password: STRONG_PASSWORD, next: 'https://evil.example/' });
    expect(evil.statusCode).toBe(303);
    expect(evil.headers.location).toBe('/signup/check-email?next=%2F');
  });

  it.each([
    ['ab', 'too short'],
    ['a'.repeat(31), 'too long'],
    ['has space', 'a space'],
    ['ñandú', 'non-ASCII letters'],
    ['name@host', 'an @'],
    ['<b>bold</b>', 'markup'],
    ['', 'empty'],
  ])('refuses the username %j (%s) with 400 and re-renders the form with the message', async (username) => {
    const visitor = new Visitor(t.app, { lang: 'en' });
    const before = userCount();
    const response = await visitor.submit('/signup', { username, email: `${fresh('e')}@example.com`, password: STRONG_PASSWORD });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toContain('<h1>Create your account</h1>');
    expect(response.body).toContain('Usernames have 3 to 30 characters: letters, digits, dot, dash or underscore.');
    expect(response.body).toContain('aria-invalid="true"');
    expect(response.cookies.find((c) => c.name === 'resuelto_session')).toBeUndefined();
    expect(userCount()).toBe(before);
  });

  it('accepts usernames of exactly 3 and 30 characters using every allowed character class', async () => {
    for (const username of ['x.9', 'A-b_c.9' + 'z'.repeat(17) + String(++seq).padStart(6, '0')]) {
      expect([3, 30]).toContain(username.length);
      const visitor = new Visitor(t.app);
      const response = await visitor.submit('/signup', { username, email: `${fresh('len')}@example.com`, password: STRONG_PASSWORD });
      expect(response.statusCode, username).toBe(303);
      expect(userRow(username)?.username).toBe(username);
    }
  });

  it('refuses a username that differs only in case with 409, keeping what was typed', async () => {
    const taken = fresh('Taken');
    await createUser(t.db, 'member', taken);
    const visitor = new Visitor(t.app, { lang: 'en' });
    const response = await visitor.submit('/signup', { username: taken.toUpperCase(), email: `${fresh('e')}@example.com`, password: STRONG_PASSWORD });
    expect(response.statusCode).toBe(409);
    expect(response.body).toContain('That username is taken.');
    expect(inputValue(response.body, 'username')).toBe(taken.toUpperCase());
    expect(inputValue(response.body, 'password')).toBeUndefined();
    expect(userRow(taken)!.username).toBe(taken);
  });

  it('answers the taken-username page in Spanish for a Spanish visitor', async () => {
    const taken = fresh('tomado');
    await createUser(t.db, 'member', taken);
    const visitor = new Visitor(t.app, { lang: 'es-ES,es;q=0.9' });
    const response = await visitor.submit('/signup', { username: taken, email: `${fresh('e')}@example.com`, password: STRONG_PASSWORD });
    expect(response.statusCode).toBe(409);
    expect(response.body).toContain('<html lang="es">');
    expect(response.body).toContain('Ese nombre de usuario ya está en uso.');
  });

  it.each(['not-an-email', 'a@b', '@example.com', 'two@@example.com', 'sp ace@example.com', ''])(
    'refuses the email %j with 400',
    async (email) => {
      const visitor = new Visitor(t.app, { lang: 'en' });
      const username = fresh('badmail');
      const response = await visitor.submit('/signup', { username, email, password: STRONG_PASSWORD });
      expect(response.statusCode).toBe(400);
      expect(response.body).toContain('Please enter a valid email address.');
      expect(inputValue(response.body, 'username')).toBe(username);
      expect(userRow(username)).toBeUndefined();
    },
  );

  it('answers an email that is taken (ignoring case and surrounding spaces) like a new one, and creates nothing (issue 10, point 5)', async () => {
    const owner = await createUser(t.db, 'member', fresh('owner'));
    const visitor = new Visitor(t.app, { lang: 'en' });
    for (const email of [owner.username.toUpperCase() + '@EXAMPLE.COM', `  ${owner.username}@example.com `]) {
      const username = fresh('second');
      const response = await visitor.submit('/signup', { username, email, password: STRONG_PASSWORD });
      expect(response.statusCode, email).toBe(303);
      expect(response.headers.location).toBe('/signup/check-email?next=%2F');
      expect(response.body).not.toContain('already exists');
      expect(userRow(username)).toBeUndefined();
    }
  });

  it.each([
    ['1234567', 'error.passwordLength'],
    ['x'.repeat(257), 'error.passwordLength'],
    ['😀'.repeat(7), 'error.passwordLength'],
    ['', 'error.passwordLength'],
    ['password1', 'error.passwordCommon'],
    ['12345678', 'error.passwordCommon'],
    ['qwertyuiop', 'error.passwordCommon'],
    ['PASSWORD1', 'error.passwordCommon'],
  ])('refuses the password %j with 400 (%s)', async (password, key) => {
    const visitor = new Visitor(t.app, { lang: 'en' });
    const username = fresh('pw');
    const response = await visitor.submit('/signup', { username, email: `${username}@example.com`, password });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain(
      key === 'error.passwordLength' ? 'Passwords have 8 to 256 characters.' : 'That password is one of the most common ones; please choose another.',
    );
    expect(inputValue(response.body, 'password')).toBeUndefined();
    expect(userRow(username)).toBeUndefined();
  });

  it.each([
    ['eight spaces', ' '.repeat(8)],
    ['tabs, newlines and no-break spaces', '\t\n\u00a0\u3000\u2003 \t\n\u00a0'],
  ])('refuses a password of only whitespace (%s): 400, by form and by API', async (_label, password) => {
    const visitor = new Visitor(t.app, { lang: 'en' });
    const username = fresh('blank');
    const response = await visitor.submit('/signup', { username, email: `${username}@example.com`, password });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('A password cannot be only spaces.');
    const api = await t.app.inject({ method: 'POST', url: '/api/v1/users', remoteAddress: nextIp(), payload: { username, email: `${username}@example.com`, password } });
    expect(api.statusCode).toBe(400);
    expect(api.json().error.code).toBe('invalid_input');
    expect(userRow(username)).toBeUndefined();
  });

  it('refuses a password equal to the username or the email, whatever the case, in both languages', async () => {
    const username = fresh('Same.Name');
    const email = `${username}@Example.com`;
    for (const password of [username, username.toUpperCase(), email, email.toLowerCase(), ` ${email.toUpperCase()}`.trim()]) {
      const visitor = new Visitor(t.app, { lang: 'en' });
      const response = await visitor.submit('/signup', { username, email, password });
      expect(response.statusCode, password).toBe(400);
      expect(response.body).toContain('Your password cannot be your username or your email address.');
      expect(inputValue(response.body, 'password')).toBeUndefined();
    }
    const spanish = await new Visitor(t.app, { lang: 'es' }).submit('/signup', { username, email, password: username });
    expect(spanish.body).toContain('La contraseña no puede ser tu nombre de usuario ni tu correo electrónico.');
    expect(userRow(username)).toBeUndefined();
    // A password that merely contains the name is fine.
    const ok = await new Visitor(t.app).submit('/signup', { username, email, password: `${username} likes long walks` });
    expect(ok.statusCode).toBe(303);
  });

  it('normalizes passwords to NFC: "é" as one code point or as e + combining accent is the same password', async () => {
    const composed = 'Café con leche, señor'.normalize('NFC');
    const decomposed = composed.normalize('NFD');
    expect(decomposed).not.toBe(composed);
    const username = fresh('nfc');
    const created = await new Visitor(t.app).submit('/signup', { username, email: `${username}@example.com`, password: decomposed });
    expect(created.statusCode).toBe(303);
    for (const password of [composed, decomposed]) {
      expect((await new Visitor(t.app).submit('/signin', { login: username, password })).statusCode, password === composed ? 'NFC' : 'NFD').toBe(303);
      const api = await t.app.inject({ method: 'POST', url: '/api/v1/session', remoteAddress: nextIp(), payload: { login: username, password } });
      expect(api.statusCode).toBe(200);
    }
    expect((await new Visitor(t.app).submit('/signin', { login: username, password: 'Cafe con leche, senor' })).statusCode).toBe(401);
  });

  it('hashes written before normalization keep working', async () => {
    // As the forum stored them before: argon2id of the password exactly as typed.
    const composed = 'Contraseña antigua 2024'.normalize('NFC');
    const decomposed = composed.normalize('NFD');
    for (const [label, typed] of [['already NFC', composed], ['typed as NFD', decomposed]] as const) {
      const user = await createUser(t.db, 'member', fresh('legacy'));
      t.db.$client.prepare('update users set password_hash = ? where id = ?').run(await argon2.hash(typed, ARGON2_OPTIONS), user.id);
      const response = await new Visitor(t.app).submit('/signin', { login: user.username, password: typed });
      expect(response.statusCode, label).toBe(303);
    }
  });

  it('accepts passwords of exactly 8 and 256 characters', async () => {
    for (const password of ['Zq8#vL1!', 'k9'.repeat(128)]) {
      const visitor = new Visitor(t.app);
      const username = fresh('pwok');
      const response = await visitor.submit('/signup', { username, email: `${username}@example.com`, password });
      expect(response.statusCode, `${password.length} characters`).toBe(303);
      const signIn = await new Visitor(t.app).submit('/signin', { login: username, password });
      expect(signIn.statusCode).toBe(303);
    }
  });

  it('a signed-in visitor who signs up another account keeps their own session (sign-up signs nobody in)', async () => {
    const { visitor } = await signedIn();
    const oldToken = visitor.cookies.get('resuelto_session')!;
    const username = fresh('second');
    const response = await visitor.submit('/signup', { username, email: `${username}@example.com`, password: STRONG_PASSWORD });
    expect(response.statusCode).toBe(303);
    expect(sessionCookie(response)).toBeUndefined();
    const old = await t.app.inject({ method: 'GET', url: '/', headers: { cookie: `resuelto_session=${oldToken}` } });
    expect(old.body).toContain('action="/signout"');
  });
});

describe('sign in and sign out', () => {
  it('shows the sign-in form', async () => {
    const page = await new Visitor(t.app, { lang: 'en' }).get('/signin?next=/search');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1>Sign in</h1>');
    expect(inputValue(page.body, 'next')).toBe('/search');
  });

  it('signs in with the username or the email, in any case, and redirects 303 to a safe next', async () => {
    const user = await createUser(t.db, 'member', fresh('Mixed.Case'));
    const logins = [user.username, user.username.toUpperCase(), user.username.toLowerCase(), `${user.username}@example.com`, `${user.username.toUpperCase()}@EXAMPLE.COM`];
    for (const login of logins) {
      const visitor = new Visitor(t.app);
      const response = await visitor.submit('/signin', { login, password: user.password, next: '/users/' + user.username });
      expect(response.statusCode, login).toBe(303);
      expect(response.headers.location).toBe('/users/' + user.username);
      expect(sessionCookie(response)).toBeDefined();
      const home = await visitor.get('/');
      expect(home.body).toContain(`href="/users/${encodeURIComponent(user.username)}"`);
    }
  });

  it('does not follow an absolute or protocol-relative next after signing in', async () => {
    const user = await createUser(t.db, 'member', fresh('nx'));
    for (const next of ['https://evil.example/', '//evil.example', '/\\evil.example', 'javascript:alert(1)']) {
      const response = await new Visitor(t.app).submit('/signin', { login: user.username, password: user.password, next });
      expect(response.statusCode).toBe(303);
      expect(response.headers.location, next).toBe('/');
    }
  });

  it('gives a wrong password and an unknown user the same 401 and the same message', async () => {
    const user = await createUser(t.db, 'member', fresh('known'));
    const wrong = await new Visitor(t.app, { lang: 'en' }).submit('/signin', { login: user.username, password: 'not the password at all' });
    const unknown = await new Visitor(t.app, { lang: 'en' }).submit('/signin', { login: fresh('nobody'), password: 'not the password at all' });
    for (const response of [wrong, unknown]) {
      expect(response.statusCode).toBe(401);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.body).toContain('Wrong username, email or password.');
      expect(response.body).toContain('<h1>Sign in</h1>');
      expect(sessionCookie(response)).toBeUndefined();
    }
    const message = (body: string) => /<p class="field-error" id="error-login">([^<]*)<\/p>/.exec(body)?.[1];
    expect(message(wrong.body)).toBeDefined();
    expect(message(wrong.body)).toBe(message(unknown.body));
    expect(inputValue(wrong.body, 'login')).toBe(user.username);
    expect(inputValue(wrong.body, 'password')).toBeUndefined();
  });

  it('refuses an empty login or password with 400, never a 500', async () => {
    const visitor = new Visitor(t.app, { lang: 'en' });
    expect((await visitor.submit('/signin', { login: '', password: 'whatever12' })).statusCode).toBe(400);
    expect((await visitor.submit('/signin', { login: 'someone', password: '' })).statusCode).toBe(400);
    expect((await visitor.submit('/signin', { login: '   ', password: 'whatever12' })).statusCode).toBe(400);
    const missing = await visitor.submit('/signin', { password: 'whatever12' });
    expect(missing.statusCode).toBe(400);
    expect(missing.headers['content-type']).toMatch(/^text\/html/);
  });

  it('signs out with POST /signout: the old cookie no longer authenticates', async () => {
    const { user, visitor } = await signedIn('en');
    const token = visitor.cookies.get('resuelto_session')!;
    const before = await visitor.get('/');
    expect(before.body).toContain('action="/signout"');

    const response = await visitor.submit('/signout', {});
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/');
    const cleared = response.cookies.find((c) => c.name === 'resuelto_session');
    expect(cleared).toBeDefined();
    expect(cleared!.value === '' || (cleared!.expires !== undefined && cleared!.expires.getTime() <= Date.now())).toBe(true);

    // Replaying the old cookie, as an attacker who copied it would.
    const replay = await t.app.inject({ method: 'GET', url: '/', headers: { cookie: `resuelto_session=${token}`, 'accept-language': 'en' } });
    expect(replay.statusCode).toBe(200);
    expect(replay.body).not.toContain('action="/signout"');
    expect(replay.body).not.toContain(`href="/users/${encodeURIComponent(user.username)}"`);
    expect(replay.body).toContain('href="/signin?next=');

    const apiReplay = await t.app.inject({
      method: 'DELETE',
      url: '/api/v1/session',
      headers: { cookie: `resuelto_session=${token}`, 'x-csrf-token': await visitor.token() },
    });
    expect(apiReplay.statusCode).toBe(401);
  });

  it('sign-out is not reachable by GET', async () => {
    const { visitor } = await signedIn();
    const response = await visitor.get('/signout');
    expect(response.statusCode).toBe(404);
    expect((await visitor.get('/')).body).toContain('action="/signout"');
  });

  it('rotates the session on sign-in: a cookie held before signing in stops working', async () => {
    const first = await createUser(t.db, 'member', fresh('rot'));
    const visitor = new Visitor(t.app);
    await visitor.submit('/signin', { login: first.username, password: first.password });
    const oldToken = visitor.cookies.get('resuelto_session')!;
    expect(oldToken).toBeTruthy();

    const again = await visitor.submit('/signin', { login: first.username, password: first.password });
    expect(again.statusCode).toBe(303);
    const newToken = sessionCookie(again)!.value;
    expect(newToken).not.toBe(oldToken);

    const withOld = await t.app.inject({ method: 'GET', url: '/', headers: { cookie: `resuelto_session=${oldToken}` } });
    expect(withOld.body).not.toContain('action="/signout"');
    const withNew = await t.app.inject({ method: 'GET', url: '/', headers: { cookie: `resuelto_session=${newToken}` } });
    expect(withNew.body).toContain('action="/signout"');
  });

  it('a session id planted before sign-in (fixation) is worthless afterwards', async () => {
    const user = await createUser(t.db, 'member', fresh('fix'));
    const visitor = new Visitor(t.app);
    visitor.cookies.set('resuelto_session', 'attacker-chosen-session-id-000000000000000');
    const response = await visitor.submit('/signin', { login: user.username, password: user.password });
    expect(response.statusCode).toBe(303);
    expect(sessionCookie(response)!.value).not.toBe('attacker-chosen-session-id-000000000000000');
    const planted = await t.app.inject({ method: 'GET', url: '/', headers: { cookie: 'resuelto_session=attacker-chosen-session-id-000000000000000' } });
    expect(planted.body).not.toContain('action="/signout"');
  });

  it('a garbage session cookie is simply ignored (signed out), never an error', async () => {
    for (const value of ['x', '%00', 'a'.repeat(5000), '"quoted"', 'é']) {
      const response = await t.app.inject({ method: 'GET', url: '/', headers: { cookie: `resuelto_session=${encodeURIComponent(value)}` } });
      expect(response.statusCode, value).toBe(200);
      expect(response.body).not.toContain('action="/signout"');
    }
  });
});

describe('throttling', () => {
  it('after 5 failed sign-ins for one login from one client, that client gets 429 with Retry-After, even with the right password', async () => {
    const user = await createUser(t.db, 'member', fresh('victim'));
    const ip = nextIp();
    for (let i = 0; i < 5; i++) {
      const response = await new Visitor(t.app, { ip, lang: 'en' }).submit('/signin', { login: user.username, password: `wrong password ${i}` });
      expect(response.statusCode, `attempt ${i + 1}`).toBe(401);
    }
    // From the same address, in another case, with the correct password: blocked.
    const blocked = await new Visitor(t.app, { ip, lang: 'en' }).submit('/signin', { login: user.username.toUpperCase(), password: user.password });
    expect(blocked.statusCode).toBe(429);
    const retryAfter = Number(blocked.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThan(0);
    expect(blocked.body).toContain('Too many attempts.');
    expect(sessionCookie(blocked)).toBeUndefined();

    // The API shares the same throttle.
    const api = await t.app.inject({ method: 'POST', url: '/api/v1/session', remoteAddress: ip, payload: { login: user.username, password: user.password } });
    expect(api.statusCode).toBe(429);
    expect(Number(api.headers['retry-after'])).toBeGreaterThan(0);
    expect(api.json().error.code).toBe('rate_limited');

    // Another client is not blocked by these five: the owner elsewhere still signs in.
    expect((await new Visitor(t.app).submit('/signin', { login: user.username, password: user.password })).statusCode).toBe(303);
  });

  it("strangers' failures from many addresses never lock the owner out of the browser they signed in with before", async () => {
    const user = await createUser(t.db, 'member', fresh('owner'));
    const owner = new Visitor(t.app, { lang: 'en' });
    expect((await owner.submit('/signin', { login: user.username, password: user.password })).statusCode).toBe(303);
    expect(owner.cookies.get('resuelto_device')).toMatch(/^\d+\.[A-Za-z0-9_-]{22}\.[^.]+$/);
    expect((await owner.submit('/signout', {})).statusCode).toBe(303);
    expect(owner.cookies.has('resuelto_device')).toBe(true);

    // 25 wrong passwords from 25 addresses: past the account-wide allowance (20).
    for (let i = 0; i < 25; i++) {
      const response = await new Visitor(t.app).submit('/signin', { login: user.username, password: `stranger guess ${i}` });
      expect([401, 429], `stranger ${i + 1}`).toContain(response.statusCode);
    }
    // A browser that never signed in to the account is delayed, whatever its address...
    const unknownBrowser = await new Visitor(t.app, { lang: 'en' }).submit('/signin', { login: user.username, password: user.password });
    expect(unknownBrowser.statusCode).toBe(429);
    // ...and so is the API (no device cookie)...
    const api = await t.app.inject({ method: 'POST', url: '/api/v1/session', remoteAddress: nextIp(), payload: { login: user.username, password: user.password } });
    expect(api.statusCode).toBe(429);
    // ...but the owner's usual browser signs in at once.
    const response = await owner.submit('/signin', { login: user.username, password: user.password });
    expect(response.statusCode).toBe(303);
    expect(sessionCookie(response)).toBeDefined();
  });

  it("a device cookie only spares its own account, is throttled itself, and cannot be forged", async () => {
    const owner = await createUser(t.db, 'member', fresh('devowner'));
    const other = await createUser(t.db, 'member', fresh('devother'));
    const browser = new Visitor(t.app, { lang: 'en' });
    expect((await browser.submit('/signin', { login: owner.username, password: owner.password })).statusCode).toBe(303);
    await browser.submit('/signout', {});
    const device = browser.cookies.get('resuelto_device')!;

    for (let i = 0; i < 25; i++) await new Visitor(t.app).submit('/signin', { login: other.username, password: `stranger guess ${i}` });
    // The owner's device cookie does nothing for another account.
    expect((await browser.submit('/signin', { login: other.username, password: other.password })).statusCode).toBe(429);

    // A device cookie with a changed account number or signature is ignored (treated as no device cookie).
    const [, id, signature] = device.split('.');
    for (const forged of [`${other.id}.${id}.${signature}`, `${other.id}.${id}`, `${other.id}.${id}.AAAA`]) {
      const visitor = new Visitor(t.app, { lang: 'en' });
      visitor.cookies.set('resuelto_device', forged);
      expect((await visitor.submit('/signin', { login: other.username, password: other.password })).statusCode, forged).toBe(429);
    }

    // The device itself gets the per-(account, client) allowance: five wrong passwords through it, and it waits too.
    for (let i = 0; i < 5; i++) {
      const viaDevice = new Visitor(t.app, { lang: 'en' });
      viaDevice.cookies.set('resuelto_device', device);
      expect((await viaDevice.submit('/signin', { login: owner.username, password: `typo ${i}` })).statusCode).toBe(401);
    }
    const viaDevice = new Visitor(t.app, { lang: 'en' });
    viaDevice.cookies.set('resuelto_device', device);
    expect((await viaDevice.submit('/signin', { login: owner.username, password: owner.password })).statusCode).toBe(429);
  });

  it('one client trying many login names is delayed after 30 failures, whatever the names', async () => {
    const ip = nextIp();
    // Fresh CSRF pages and under the 10-a-minute request limit: the limit counts requests, this counts failures.
    setSetting(t.db, 'signInPerIpPerMinute', 1000);
    try {
      for (let i = 0; i < 30; i++) {
        const response = await new Visitor(t.app, { ip }).submit('/signin', { login: fresh('spray'), password: 'a wrong password' });
        expect(response.statusCode, `attempt ${i + 1}`).toBe(401);
      }
      const user = await createUser(t.db, 'member', fresh('sprayed'));
      expect((await new Visitor(t.app, { ip }).submit('/signin', { login: user.username, password: user.password })).statusCode).toBe(429);
      expect((await new Visitor(t.app).submit('/signin', { login: user.username, password: user.password })).statusCode).toBe(303);
    } finally {
      setSetting(t.db, 'signInPerIpPerMinute', 10);
    }
  });

  it('throttles unknown login names the same way, so throttling reveals nothing', async () => {
    const ghost = fresh('ghost');
    const ip = nextIp();
    for (let i = 0; i < 5; i++) {
      const response = await new Visitor(t.app, { ip }).submit('/signin', { login: ghost, password: `guess number ${i}` });
      expect(response.statusCode).toBe(401);
    }
    const sixth = await new Visitor(t.app, { ip }).submit('/signin', { login: ghost, password: 'guess number 6' });
    expect(sixth.statusCode).toBe(429);
    expect(Number(sixth.headers['retry-after'])).toBeGreaterThan(0);
    // And across addresses after 20, as for a real account.
    const spread = fresh('ghost');
    for (let i = 0; i < 20; i++) expect((await new Visitor(t.app).submit('/signin', { login: spread, password: `guess ${i}` })).statusCode).toBe(401);
    expect((await new Visitor(t.app).submit('/signin', { login: spread, password: 'guess 21' })).statusCode).toBe(429);
  });

  it('a successful sign-in clears that client’s failures for the account', async () => {
    const user = await createUser(t.db, 'member', fresh('clears'));
    const ip = nextIp();
    const wrong = () => new Visitor(t.app, { ip }).submit('/signin', { login: user.username, password: 'definitely wrong' });
    for (let i = 0; i < 4; i++) expect((await wrong()).statusCode).toBe(401);
    expect((await new Visitor(t.app, { ip }).submit('/signin', { login: user.username, password: user.password })).statusCode).toBe(303);
    for (let i = 0; i < 4; i++) expect((await wrong()).statusCode).toBe(401);
    expect((await new Visitor(t.app, { ip }).submit('/signin', { login: user.username, password: user.password })).statusCode).toBe(303);
  });

  it('the throttle table keeps no login name or address in the clear', async () => {
    const login = fresh('cleartext');
    const ip = nextIp();
    await new Visitor(t.app, { ip }).submit('/signin', { login, password: 'a wrong password' });
    const keys = (t.db.$client.prepare('select login_key from login_throttle').all() as { login_key: string }[]).map((row) => row.login_key);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(keys.join(' ')).not.toContain(login.toLowerCase());
    expect(keys.join(' ')).not.toContain(ip);
  });

  it('the 11th POST /signin from one address within a minute gets 429 with Retry-After, as a page in English', async () => {
    const ip = nextIp();
    const visitor = new Visitor(t.app, { ip, lang: 'en' });
    await visitor.token();
    for (let i = 0; i < 10; i++) {
      const response = await visitor.submit('/signin', { login: '', password: '' });
      expect(response.statusCode, `request ${i + 1}`).toBe(400);
    }
    const limited = await visitor.submit('/signin', { login: '', password: '' });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['content-type']).toMatch(/^text\/html/);
    expect(limited.body).toContain('<html lang="en">');
    expect(limited.body).toContain('Slow down');
    expect(limited.body).toContain('Too many attempts.');

    // Another address is not affected.
    expect((await new Visitor(t.app).submit('/signin', { login: '', password: '' })).statusCode).toBe(400);
  });

  it('the rate-limit page speaks Spanish when the language cookie says so', async () => {
    const visitor = new Visitor(t.app, { lang: 'en' });
    visitor.cookies.set('resuelto_lang', 'es');
    await visitor.token();
    for (let i = 0; i < 10; i++) await visitor.submit('/signin', { login: '', password: '' });
    const limited = await visitor.submit('/signin', { login: '', password: '' });
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
    expect(limited.body).toContain('<html lang="es">');
    expect(limited.body).toContain('Más despacio');
    expect(limited.body).toContain('Demasiados intentos.');
  });

  it('the sign-in API counts against the same per-address limit and answers 429 in the error shape', async () => {
    const ip = nextIp();
    const call = () => t.app.inject({ method: 'POST', url: '/api/v1/session', remoteAddress: ip, payload: { login: '', password: '' } });
    for (let i = 0; i < 10; i++) expect((await call()).statusCode).toBe(400);
    const limited = await call();
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['content-type']).toMatch(/^application\/json/);
    expect(limited.json()).toEqual({ error: { code: 'rate_limited', message: expect.any(String) } });
  });

  it('the 11th sign-up from one address within an hour gets 429', async () => {
    const visitor = new Visitor(t.app, { lang: 'en' });
    await visitor.token();
    for (let i = 0; i < 10; i++) {
      const response = await visitor.submit('/signup', { username: 'x', email: 'x', password: 'x' });
      expect(response.statusCode).toBe(400);
    }
    const late = fresh('late');
    const limited = await visitor.submit('/signup', { username: late, email: `${late}@example.com`, password: STRONG_PASSWORD });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.body).toContain('Slow down');
    expect(userRow(late)).toBeUndefined();
  });

  it('the sign-up API is limited per address too', async () => {
    const ip = nextIp();
    const call = (username: string) =>
      t.app.inject({ method: 'POST', url: '/api/v1/users', remoteAddress: ip, payload: { username, email: 'bad', password: 'x' } });
    for (let i = 0; i < 10; i++) expect((await call('ab')).statusCode).toBe(400);
    const limited = await call('ab');
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
    expect(limited.json().error.code).toBe('rate_limited');
  });
});

describe('one budget per action and address, whichever door', () => {
  const emptySignIn = { login: '', password: '' };
  const badSignUp = { username: 'x', email: 'x', password: 'x' };

  it('sign-in: the form and POST /api/v1/session draw on the same 10 per minute', async () => {
    const ip = nextIp();
    const visitor = new Visitor(t.app, { ip, lang: 'en' });
    await visitor.token();
    const api = () => t.app.inject({ method: 'POST', url: '/api/v1/session', remoteAddress: ip, payload: emptySignIn });
    for (let i = 0; i < 5; i++) {
      expect((await visitor.submit('/signin', emptySignIn)).statusCode, `form ${i + 1}`).toBe(400);
      expect((await api()).statusCode, `api ${i + 1}`).toBe(400);
    }
    const viaApi = await api();
    expect(viaApi.statusCode).toBe(429);
    expect(viaApi.json().error.code).toBe('rate_limited');
    const viaForm = await visitor.submit('/signin', emptySignIn);
    expect(viaForm.statusCode).toBe(429);
    expect(viaForm.body).toContain('Too many attempts.');
    // Sign-up is another action with its own budget.
    expect((await visitor.submit('/signup', badSignUp)).statusCode).toBe(400);
  });

  it('sign-up: the form, POST /api/v1/users and the setup form draw on the same 10 per hour', async () => {
    const ip = nextIp();
    const visitor = new Visitor(t.app, { ip, lang: 'en' });
    await visitor.token();
    const api = () => t.app.inject({ method: 'POST', url: '/api/v1/users', remoteAddress: ip, payload: badSignUp });
    for (let i = 0; i < 4; i++) {
      expect((await visitor.submit('/signup', badSignUp)).statusCode, `form ${i + 1}`).toBe(400);
      expect((await api()).statusCode, `api ${i + 1}`).toBe(400);
    }
    for (let i = 0; i < 2; i++) expect((await visitor.submit(`/setup/${SETUP_TOKEN}`, badSignUp)).statusCode).not.toBe(429);
    const late = fresh('door');
    const viaForm = await visitor.submit('/signup', { username: late, email: `${late}@example.com`, password: STRONG_PASSWORD });
    expect(viaForm.statusCode).toBe(429);
    expect(userRow(late)).toBeUndefined();
    expect((await api()).statusCode).toBe(429);
    // Sign-in keeps its own budget.
    expect((await visitor.submit('/signin', emptySignIn)).statusCode).toBe(400);
  });
});

describe('JSON API: accounts', () => {
  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url, payload: payload as object, remoteAddress: nextIp(), headers });

  it('POST /api/v1/users creates a member: 202 {status: "check_email"}, without a session', async () => {
    const username = fresh('Api.User');
    const response = await post('/api/v1/users', { username, email: `${username}@example.com`, password: STRONG_PASSWORD });
    expect(response.statusCode).toBe(202);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toEqual({ status: 'check_email' });
    expect(userRow(username)!.username).toBe(username);
    // No session is started by the API sign-up.
    expect(response.cookies.find((c) => c.name === 'resuelto_session')).toBeUndefined();
  });

  it('POST /api/v1/users answers 409 for a taken username, and a taken email exactly like a new one (ignoring case)', async () => {
    const owner = await createUser(t.db, 'member', fresh('apiowner'));
    const byName = await post('/api/v1/users', { username: owner.username.toUpperCase(), email: `${fresh('x')}@example.com`, password: STRONG_PASSWORD });
    expect(byName.statusCode).toBe(409);
    expect(byName.json()).toEqual({ error: { code: 'username_taken', message: expect.any(String) } });

    const other = fresh('other');
    const byEmail = await post('/api/v1/users', { username: other, email: `${owner.username}@EXAMPLE.com`, password: STRONG_PASSWORD });
    expect(byEmail.statusCode).toBe(202);
    expect(byEmail.json()).toEqual({ status: 'check_email' });
    expect(userRow(other)).toBeUndefined();
  });

  it.each([
    [{ email: 'a@example.com', password: STRONG_PASSWORD }, 'username'],
    [{ username: 'validname', password: STRONG_PASSWORD }, 'email'],
    [{ username: 'validname', email: 'a@example.com' }, 'password'],
    [{ username: 'x', email: 'a@example.com', password: STRONG_PASSWORD }, 'username'],
    [{ username: 'a'.repeat(31), email: 'a@example.com', password: STRONG_PASSWORD }, 'username'],
    [{ username: 'validname', email: 'nope', password: STRONG_PASSWORD }, 'email'],
    [{ username: 'validname', email: 'a@example.com', password: 'short' }, 'password'],
    [{ username: 'validname', email: 'a@example.com', password: '12345678' }, 'password'],
    [{ username: 42, email: 'a@example.com', password: STRONG_PASSWORD }, 'username'],
    [{ username: { name: 'validname' }, email: 'a@example.com', password: STRONG_PASSWORD }, 'username'],
    [{ username: 'validname', email: ['a@example.com', 'b@example.com'], password: STRONG_PASSWORD }, 'email'],
    [{ username: 'validname', email: 'a@example.com', password: 'x'.repeat(5000) }, 'password'],
    [{ username: 'validname', email: 'a@example.com', password: null }, 'password'],
  ])('POST /api/v1/users %j → 400 naming %s', async (payload, field) => {
    for (const lang of ['en', 'es']) {
      const response = await post('/api/v1/users', payload, { 'accept-language': lang });
      expect(response.statusCode).toBe(400);
      const body = response.json();
      expect(body).toEqual({ error: { code: 'invalid_input', message: expect.any(String) } });
      expect(body.error.message.toLowerCase(), `${lang}: ${body.error.message}`).toContain(field);
    }
    expect(userRow('validname')).toBeUndefined();
  });

  it('POST /api/v1/users with no body or a non-object body → 400, never 500', async () => {
    for (const payload of ['null', '[]', '"text"', '42', '{}']) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/users',
        remoteAddress: nextIp(),
        payload,
        headers: { 'content-type': 'application/json' },
      });
      expect(response.statusCode, payload).toBe(400);
      expect(response.json().error.code).toBeTypeOf('string');
    }
    const empty = await t.app.inject({ method: 'POST', url: '/api/v1/users', remoteAddress: nextIp() });
    expect(empty.statusCode).toBe(400);
  });

  it('POST /api/v1/session → 200 {token, user:{id, username, role}} with a username or an email', async () => {
    const user = await createUser(t.db, 'moderator', fresh('Tok'));
    for (const login of [user.username, user.username.toLowerCase(), `${user.username}@example.com`]) {
      const response = await post('/api/v1/session', { login, password: user.password });
      expect(response.statusCode, login).toBe(200);
      const body = response.json();
      expect(Object.keys(body).sort()).toEqual(['token', 'user']);
      expect(body.user).toEqual({ id: user.id, username: user.username, role: 'moderator' });
      expect(body.token).toMatch(/^[A-Za-z0-9_-]{32,}$/);
      expect(response.cookies.find((c) => c.name === 'resuelto_session')).toBeUndefined();
    }
  });

  it('POST /api/v1/session: wrong password and unknown user are the same 401', async () => {
    const user = await createUser(t.db, 'member', fresh('apibad'));
    const wrong = await post('/api/v1/session', { login: user.username, password: 'wrong wrong wrong' }, { 'accept-language': 'en' });
    const unknown = await post('/api/v1/session', { login: fresh('ghost'), password: 'wrong wrong wrong' }, { 'accept-language': 'en' });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
    expect(wrong.json()).toEqual({ error: { code: 'bad_credentials', message: 'Wrong username, email or password.' } });
  });

  it('a bearer token authenticates; DELETE /api/v1/session → 204 and then the token gives 401', async () => {
    const user = await createUser(t.db, 'member', fresh('bearer'));
    const login = await post('/api/v1/session', { login: user.username, password: user.password });
    const { token } = login.json();
    const auth = { authorization: `Bearer ${token}` };

    const profile = await t.app.inject({ method: 'GET', url: `/api/v1/users/${user.username}`, headers: auth });
    expect(profile.statusCode).toBe(200);
    // The token is the person: an HTML page fetched with it shows them signed in.
    const page = await t.app.inject({ method: 'GET', url: '/', headers: auth });
    expect(page.body).toContain(`href="/users/${encodeURIComponent(user.username)}"`);

    // Bearer requests need no CSRF token.
    const logout = await t.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: auth });
    expect(logout.statusCode).toBe(204);
    expect(logout.body).toBe('');

    for (const url of [`/api/v1/users/${user.username}`, '/']) {
      const after = await t.app.inject({ method: 'GET', url, headers: auth });
      expect(after.statusCode, url).toBe(401);
    }
    const again = await t.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: auth });
    expect(again.statusCode).toBe(401);
    expect(again.json()).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
  });

  it('revoking one token leaves the user’s other tokens working', async () => {
    const user = await createUser(t.db, 'member', fresh('two'));
    const a = (await post('/api/v1/session', { login: user.username, password: user.password })).json().token;
    const b = (await post('/api/v1/session', { login: user.username, password: user.password })).json().token;
    expect(a).not.toBe(b);
    expect((await t.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: { authorization: `Bearer ${a}` } })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/users/${user.username}`, headers: { authorization: `Bearer ${b}` } })).statusCode).toBe(200);
  });

  it.each([
    'Bearer garbage',
    'Bearer ',
    'Bearer',
    'Basic dXNlcjpwYXNz',
    'bearer ' + 'A'.repeat(43),
    'Bearer a b',
    'Bearer \u0000',
    'Token abc',
  ])('Authorization %j → 401 in the error shape', async (authorization) => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/users/nobody', headers: { authorization } });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
  });

  it('a browser session cookie is not a bearer token, and an API token is not a session cookie', async () => {
    const { visitor } = await signedIn();
    const cookieToken = visitor.cookies.get('resuelto_session')!;
    const asBearer = await t.app.inject({ method: 'GET', url: '/api/v1/users/nobody', headers: { authorization: `Bearer ${cookieToken}` } });
    expect(asBearer.statusCode).toBe(401);

    const user = await createUser(t.db, 'member', fresh('kinds'));
    const apiToken = (await post('/api/v1/session', { login: user.username, password: user.password })).json().token;
    const asCookie = await t.app.inject({ method: 'GET', url: '/', headers: { cookie: `resuelto_session=${apiToken}` } });
    expect(asCookie.body).not.toContain('action="/signout"');
  });

  it('GET /api/v1/users/:username returns exactly the public fields', async () => {
    const user = await createUser(t.db, 'staff', fresh('Pub'));
    for (const name of [user.username, user.username.toUpperCase()]) {
      const response = await t.app.inject({ method: 'GET', url: `/api/v1/users/${encodeURIComponent(name)}` });
      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(Object.keys(body).sort()).toEqual(['answerCount', 'createdAt', 'displayName', 'id', 'questionCount', 'reputation', 'role', 'username']);
      expect(body).toMatchObject({ id: user.id, username: user.username, displayName: user.username, role: 'staff', questionCount: 0, answerCount: 0 });
      expect(Number.isInteger(body.reputation)).toBe(true);
      expect(body.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/);
      expect(new Date(body.createdAt).toISOString()).toBe(body.createdAt);
      expect(JSON.stringify(body)).not.toMatch(/example\.com|argon2|password|email/i);
    }
  });

  it('GET /api/v1/users/:username → 404 in the error shape for an unknown user', async () => {
    for (const name of ['no-such-user', '%3Cscript%3E', 'a'.repeat(200), '..%2F..%2Fetc%2Fpasswd']) {
      const response = await t.app.inject({ method: 'GET', url: `/api/v1/users/${name}` });
      expect(response.statusCode, name).toBe(404);
      expect(response.json()).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
    }
    const tooLong = await t.app.inject({ method: 'GET', url: `/api/v1/users/${'a'.repeat(400)}` });
    expect([400, 404, 414]).toContain(tooLong.statusCode);
  });

  it('an unknown API path is a 404 in the error shape', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
  });

  it('stores tokens and session ids hashed: the raw secrets appear nowhere in the database', async () => {
    const user = await createUser(t.db, 'member', fresh('hash'));
    const token: string = (await post('/api/v1/session', { login: user.username, password: user.password })).json().token;
    const { visitor } = await signedIn();
    const cookieToken = visitor.cookies.get('resuelto_session')!;

    const rows = t.db.$client.prepare('select * from sessions').all() as Record<string, unknown>[];
    expect(rows.length).toBeGreaterThan(0);
    const everything = JSON.stringify(rows);
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(cookieToken);
    for (const row of rows) expect(row.id).toMatch(/^[0-9a-f]{64}$/);
    const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
    expect(rows.some((row) => row.id === sha256(token))).toBe(true);
    expect(rows.some((row) => row.id === sha256(cookieToken))).toBe(true);

    const mine = rows.filter((row) => row.user_id === user.id);
    expect(mine).toHaveLength(1);
    expect(mine[0].kind).toBe('api');

    // Nowhere else either (sqlite_master lists every table, including ones added later).
    const tables = t.db.$client.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[];
    for (const { name } of tables) {
      const dump = JSON.stringify(t.db.$client.prepare(`select * from "${name}"`).all());
      expect(dump, name).not.toContain(token);
      expect(dump, name).not.toContain(cookieToken);
    }
  });
});

describe('look-alike usernames', () => {
  it('refuses a new username that looks like an existing one (Iaura.ondara next to laura.ondara), by form and by API', async () => {
    const staff = await createUser(t.db, 'staff', `laura.ondara${process.pid}`);
    const tail = String(process.pid).replace(/1/g, 'l').replace(/0/g, 'O');
    for (const lookAlike of [`Iaura.ondara${tail}`, `LAURA_0NDARA${tail}`, `1aura-ondara${tail}`]) {
      const email = `${fresh('look')}@example.com`;
      const form = await new Visitor(t.app, { lang: 'en' }).submit('/signup', { username: lookAlike, email, password: STRONG_PASSWORD });
      expect(form.statusCode, lookAlike).toBe(409);
      expect(form.body).toContain('That username looks too much like an existing one; please choose another.');
      const api = await t.app.inject({ method: 'POST', url: '/api/v1/users', remoteAddress: nextIp(), payload: { username: lookAlike, email, password: STRONG_PASSWORD } });
      expect(api.statusCode).toBe(409);
      expect(api.json().error.code).toBe('username_taken');
      expect(userRow(lookAlike)).toBeUndefined();
    }
    const spanish = await new Visitor(t.app, { lang: 'es' }).submit('/signup', { username: `Iaura.ondara${tail}`, email: `${fresh('look')}@example.com`, password: STRONG_PASSWORD });
    expect(spanish.body).toContain('Ese nombre de usuario se parece demasiado a uno que ya existe; elige otro.');
    // A name that merely resembles is fine.
    const distinct = `laura.ondara${process.pid}x`;
    expect((await new Visitor(t.app).submit('/signup', { username: distinct, email: `${fresh('ok')}@example.com`, password: STRONG_PASSWORD })).statusCode).toBe(303);
    expect(staff.role).toBe('staff');
  });

  it('keeps the skeleton in an indexed column, and fills it in for accounts that had none', async () => {
    const old = await createUser(t.db, 'member', fresh('rnarta'));
    const stored = t.db.$client.prepare('select username_skeleton from users where id = ?').get(old.id) as { username_skeleton: string };
    expect(stored.username_skeleton).toBe(old.username.toLowerCase().replace(/^rn/, 'm').replace(/_/g, '.').replace(/[1]/g, 'l').replace(/0/g, 'o'));
    const plan = t.db.$client.prepare("explain query plan select id from users where username_skeleton = 'x'").all() as { detail: string }[];
    expect(plan.map((row) => row.detail).join(' ')).toContain('users_username_skeleton');
    // As before the column existed; the forum starts again on that database and fills it in once.
    t.db.$client.prepare('update users set username_skeleton = null where id = ?').run(old.id);
    const restarted = await buildApp(t.config, { db: t.db });
    await restarted.ready();
    try {
      const lookAlike = old.username.replace(/^rn/, 'm');
      const response = await new Visitor(restarted, { lang: 'en' }).submit('/signup', { username: lookAlike, email: `${fresh('m')}@example.com`, password: STRONG_PASSWORD });
      expect(response.statusCode).toBe(409);
    } finally {
      await restarted.close();
    }
    expect((t.db.$client.prepare('select username_skeleton from users where id = ?').get(old.id) as { username_skeleton: string | null }).username_skeleton).not.toBeNull();
  });

  it('two look-alike sign-ups at the same moment: one account, one 409', async () => {
    // Different names (no unique index tells them apart), one skeleton: only the check inside the insert's transaction can.
    const base = fresh('twinl');
    const names = [base, base.replace('twinl', 'twinI')];
    const attempts = await Promise.all(
      names.map((username, i) =>
        t.app.inject({ method: 'POST', url: '/api/v1/users', remoteAddress: nextIp(), payload: { username, email: `${base}-${i}@example.com`, password: STRONG_PASSWORD } }),
      ),
    );
    expect(attempts.map((response) => response.statusCode).sort()).toEqual([202, 409]);
    expect(names.filter((name) => userRow(name) !== undefined)).toHaveLength(1);
  });
});

describe('public profile page', () => {
  it('shows a profile and 404s an unknown one as a page', async () => {
    const user = await createUser(t.db, 'member', fresh('Prof'));
    const page = await new Visitor(t.app, { lang: 'en' }).get(`/users/${user.username.toLowerCase()}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`<h1 id="profile-name">${user.username}</h1>`);
    expect(page.body).not.toContain('@example.com');

    const missing = await new Visitor(t.app, { lang: 'en' }).get('/users/nobody-at-all');
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^text\/html/);
    expect(missing.body).toContain('Page not found');
  });
});

describe('first-run setup', () => {
  const adminCount = () => (t.db.$client.prepare("select count(*) as n from users where role = 'admin'").get() as { n: number }).n;

  it('shows the setup form for the right token while there is no admin, and 404 for a wrong one', async () => {
    expect(adminCount()).toBe(0);
    const visitor = new Visitor(t.app, { lang: 'en' });
    const page = await visitor.get(`/setup/${SETUP_TOKEN}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Set up your forum');
    expect(page.body).toContain(`action="/setup/${SETUP_TOKEN}"`);
    expect(page.headers['referrer-policy']).toBe('no-referrer');

    for (const wrong of ['nope', SETUP_TOKEN + 'x', SETUP_TOKEN.slice(0, -1), SETUP_TOKEN.toUpperCase()]) {
      const response = await visitor.get(`/setup/${encodeURIComponent(wrong)}`);
      expect(response.statusCode, wrong).toBe(404);
      expect(response.body).not.toContain('name="password"');
    }
    const wrongPost = await visitor.submit('/setup/nope', { username: 'evil-admin', email: 'evil@example.com', password: STRONG_PASSWORD });
    expect(wrongPost.statusCode).toBe(404);
    expect(userRow('evil-admin')).toBeUndefined();
  });

  it('needs a CSRF token and re-renders bad input without creating anyone', async () => {
    const visitor = new Visitor(t.app, { lang: 'en' });
    await visitor.get(`/setup/${SETUP_TOKEN}`);
    const noCsrf = await visitor.submit(`/setup/${SETUP_TOKEN}`, { username: 'root-admin', email: 'root@example.com', password: STRONG_PASSWORD }, { csrf: null });
    expect(noCsrf.statusCode).toBe(403);
    const bad = await visitor.submit(`/setup/${SETUP_TOKEN}`, { username: 'root-admin', email: 'root@example.com', password: 'password1' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('That password is one of the most common ones');
    expect(adminCount()).toBe(0);
  });

  it('creates an admin, signs them in, and afterwards the link is a 404', async () => {
    const visitor = new Visitor(t.app, { lang: 'en' });
    await visitor.get(`/setup/${SETUP_TOKEN}`);
    const response = await visitor.submit(`/setup/${SETUP_TOKEN}`, { username: 'root-admin', email: 'root@example.com', password: STRONG_PASSWORD });
    expect(response.statusCode).toBe(303);
    // Issue 16: the new admin lands on the first-steps checklist.
    expect(response.headers.location).toBe('/admin/welcome');
    expect(userRow('root-admin')!.role).toBe('admin');
    expect(adminCount()).toBe(1);
    expect((await visitor.get('/')).body).toContain('href="/users/root-admin"');

    expect((await visitor.get(`/setup/${SETUP_TOKEN}`)).statusCode).toBe(404);
    const second = await new Visitor(t.app).submit(`/setup/${SETUP_TOKEN}`, { username: 'second-admin', email: 'second@example.com', password: STRONG_PASSWORD });
    expect(second.statusCode).toBe(404);
    expect(userRow('second-admin')).toBeUndefined();
    expect(adminCount()).toBe(1);
  });
});

// After first-run setup's tests: this one creates an administrator.
describe('role badges', () => {
  it('a promotion shows on pages kept for signed-out visitors at once', async () => {
    const member = await createUser(t.db, 'member', fresh('promoted'));
    const poster = t.db.select({ id: users.id, role: users.role, reputation: users.reputation, createdAt: users.createdAt }).from(users).where(eq(users.id, member.id)).get()!;
    const q = askQuestion(t.db, poster, { title: `A question by someone about to be promoted ${seq}`, body: 'Their badge must appear on the kept page.', tags: ['promotion'] }, getSettings(t.db));
    const visitor = new Visitor(t.app, { lang: 'en' });
    const headers = { 'user-agent': BROWSER_USER_AGENT };
    for (const url of [q.url, '/questions?tag=promotion']) {
      await visitor.get(url, headers);
      expect((await visitor.get(url, headers)).body, url).not.toContain('badge-role');
    }
    setRole(t.db, member.username, 'moderator');
    for (const url of [q.url, '/questions?tag=promotion']) expect((await visitor.get(url, headers)).body, url).toContain('<span class="badge badge-role badge-moderator">Moderator</span>');
  });

  it('marks staff, administrators and moderators, never members, on posts, comments, lists, revisions and profiles', async () => {
    const asker = await createUser(t.db, 'staff', fresh('badgestaff'));
    const moderator = await createUser(t.db, 'moderator', fresh('badgemod'));
    const admin = await createUser(t.db, 'admin', fresh('badgeadmin'));
    const member = await createUser(t.db, 'member', fresh('badgemember'));
    const settings = getSettings(t.db);
    const poster = (id: number) => posterOf(t.db, id);
    const q = askQuestion(t.db, poster(asker.id), { title: `How are staff shown in this thread ${seq}`, body: 'A question by staff, to see the badges.', tags: ['badges'] }, settings);
    postAnswer(t.db, poster(admin.id), q.id, { body: 'An answer by an administrator.' }, settings);
    postAnswer(t.db, poster(member.id), q.id, { body: 'An answer by a member, without a badge.' }, settings);
    addComment(t.db, poster(moderator.id), { postType: 'question', postId: q.id, body: 'A comment by a moderator.' }, settings);

    const visitor = new Visitor(t.app, { lang: 'en' });
    const badgeAfter = (html: string, username: string) => {
      const at = html.indexOf(`href="/users/${username}"`);
      expect(at, username).toBeGreaterThan(-1);
      return /^[^<]*<\/a>\s*<span class="badge badge-role[^"]*">([^<]+)<\/span>/.exec(html.slice(at + 1).replace(/^[^>]*>/, ''))?.[1];
    };
    const thread = (await visitor.get(q.url)).body;
    expect(badgeAfter(thread, asker.username)).toBe('Staff');
    expect(badgeAfter(thread, admin.username)).toBe('Administrator');
    expect(badgeAfter(thread, moderator.username)).toBe('Moderator');
    expect(badgeAfter(thread, member.username)).toBeUndefined();

    const list = (await visitor.get('/questions?tag=badges')).body;
    expect(list).toMatch(new RegExp(`by ${asker.username}</span> <span class="badge badge-role badge-staff">Staff</span>`));

    const revisions = (await visitor.get(`/posts/question/${q.id}/revisions`)).body;
    expect(badgeAfter(revisions, asker.username)).toBe('Staff');

    const profile = (await new Visitor(t.app, { lang: 'es' }).get(`/users/${moderator.username}`)).body;
    expect(profile).toContain(`<h1 id="profile-name">${moderator.username} <span class="badge badge-role badge-moderator">Moderador</span></h1>`);
    expect((await visitor.get(`/users/${member.username}`)).body).toContain(`<h1 id="profile-name">${member.username}</h1>`);
  });
});
