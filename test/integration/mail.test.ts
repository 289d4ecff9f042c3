// The mail module through a real loopback SMTP server: outbox rows, headers, both parts, retries, keeping
// mail without SMTP_URL, the admin outbox and one-click unsubscribe.
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mailOutbox, users } from '../../src/db/schema.ts';
import { enqueueMail } from '../../src/features/mail/outbox.ts';
import { deliveryFor } from '../../src/features/mail/preferences.ts';
import { GIVE_UP_AFTER_MS } from '../../src/features/mail/sender.ts';
import { loadConfig } from '../../src/config.ts';
import { Browser, buildTestApp, createUser, loginAs, type TestApp } from '../helper.ts';
import { linkIn, startMailServer, type MailServer } from '../mail-server.ts';

let smtp: MailServer;
beforeAll(async () => {
  smtp = await startMailServer();
});
afterAll(async () => {
  await smtp.close();
});

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

async function verifiedUser(t: TestApp, locale: 'es' | 'en' = 'en') {
  const user = await createUser(t.db);
  t.db.update(users).set({ emailVerifiedAt: new Date(), locale }).where(eq(users.id, user.id)).run();
  return { ...user, email: `${user.username}@example.com` };
}

const notification = (subject: string) => ({
  kind: 'answer_on_your_question',
  template: 'notification',
  data: { username: 'ana', subject, linkPath: '/questions/1/x', items: [{ key: 'notifications.text.answer_on_your_question', actor: 'bob', title: subject }] },
});

describe('sending through SMTP', () => {
  it('sends text and HTML parts in the recipient language, with a stable Message-ID and RFC 8058 headers', async () => {
    t = await buildTestApp({ env: { SMTP_URL: smtp.smtpUrl, MAIL_FROM: 'Foro <foro@example.com>', BASE_URL: 'https://forum.example.com' } });
    t.app.mail.pause(); // the test drives the sender (and its clock) itself
    const user = await verifiedUser(t, 'es');
    const id = t.db.transaction((tx) => enqueueMail(tx, { to: { userId: user.id }, ...notification('¿Cómo <b>reinicio</b> el módem?') }))!;
    expect(id).toBeGreaterThan(0);
    // (The member's own address confirmation, from sign-up, goes out in the same pass.)
    expect(await t.app.mail.flush()).toBe(2);
    const mail = await smtp.waitFor((m) => m.to.includes(user.email) && m.subject.includes('módem'));
    expect(mail.subject).toBe('¿Cómo <b>reinicio</b> el módem?');
    expect(mail.headers.get('from')).toContain('foro@example.com');
    expect(mail.text).toContain('Hola, ');
    expect(mail.text).toContain('bob respondió tu pregunta «¿Cómo <b>reinicio</b> el módem?»');
    expect(mail.text).toContain('https://forum.example.com/questions/1/x');
    // The HTML part escapes member text.
    expect(mail.html).toContain('&lt;b&gt;reinicio&lt;/b&gt;');
    expect(mail.html).not.toContain('<b>reinicio');
    expect(mail.html).toContain('<a href="https://forum.example.com/questions/1/x">');
    const row = t.db.select().from(mailOutbox).where(eq(mailOutbox.id, id)).get()!;
    expect(row.status).toBe('sent');
    expect(mail.messageId).toBe(`<${row.messageToken}@forum.example.com>`);
    const unsubscribe = mail.headers.get('list-unsubscribe')!;
    expect(unsubscribe).toMatch(/^<https:\/\/forum\.example\.com\/unsubscribe\/\d+\/answer_on_your_question\/[\w-]+>$/);
    expect(mail.headers.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');

    // One-click: a mail client POSTs to the link, no cookie, no CSRF token; only that kind is switched off.
    const path = unsubscribe.slice(1, -1).replace('https://forum.example.com', '');
    const post = await t.app.inject({ method: 'POST', url: path, payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(post.statusCode).toBe(200);
    expect(deliveryFor(t.db, user.id, 'answer_on_your_question')).toBe('never');
    expect(deliveryFor(t.db, user.id, 'mention')).toBe('immediately');
    // Now that kind is not mailed at all.
    expect(t.db.transaction((tx) => enqueueMail(tx, { to: { userId: user.id }, ...notification('again') }))).toBeNull();
  });

  it('refuses forged, altered and other-kind unsubscribe links with a clear 404 page, and GET changes nothing', async () => {
    t = await buildTestApp({ env: { SMTP_URL: smtp.smtpUrl } });
    t.app.mail.pause(); // the test drives the sender (and its clock) itself
    const user = await verifiedUser(t);
    const good = t.app.unsubscribeLinks.path(user.id, 'mention');
    const get = await t.app.inject({ method: 'GET', url: good });
    expect(get.statusCode).toBe(200);
    expect(deliveryFor(t.db, user.id, 'mention')).toBe('immediately');
    for (const bad of [good.slice(0, -2) + 'xx', good.replace('/mention/', '/answer_accepted/'), good.replace(`/${user.id}/`, `/${user.id + 1}/`), '/unsubscribe/1/mention/' + 'A'.repeat(43)]) {
      const response = await t.app.inject({ method: 'POST', url: bad, payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'en' } });
      expect(response.statusCode, bad).toBe(404);
      expect(response.body).toContain('not valid');
    }
    expect(deliveryFor(t.db, user.id, 'mention')).toBe('immediately');
  });

  it('never lets CR/LF in a subject, a name or an address become a header', async () => {
    t = await buildTestApp({ env: { SMTP_URL: smtp.smtpUrl } });
    t.app.mail.pause(); // the test drives the sender (and its clock) itself
    const user = await verifiedUser(t);
    t.db.transaction((tx) => enqueueMail(tx, { to: { userId: user.id }, ...notification('Hello\r\nBcc: victim@example.com\r\nX-Evil: 1') }));
    expect(t.db.transaction((tx) => enqueueMail(tx, { to: { address: 'a@example.com\r\nBcc: victim@example.com', locale: 'en' }, ...notification('x'), security: true }))).toBeNull();
    expect(t.db.transaction((tx) => enqueueMail(tx, { to: { address: 'not an address', locale: 'en' }, ...notification('x'), security: true }))).toBeNull();
    await t.app.mail.flush();
    const mail = await smtp.waitFor((m) => m.to.includes(user.email) && m.subject.startsWith('Hello'));
    expect(mail.to).toEqual([user.email]);
    expect(mail.subject).toBe('Hello Bcc: victim@example.com X-Evil: 1');
    expect(mail.headers.has('x-evil')).toBe(false);
    expect(mail.headers.has('bcc')).toBe(false);
    expect(smtp.messages.some((m) => m.to.includes('victim@example.com'))).toBe(false);
  });

  it('sends no notification mail to an unconfirmed address, but does send security mail', async () => {
    t = await buildTestApp({ env: { SMTP_URL: smtp.smtpUrl } });
    t.app.mail.pause(); // the test drives the sender (and its clock) itself
    const user = await createUser(t.db);
    expect(t.db.transaction((tx) => enqueueMail(tx, { to: { userId: user.id }, ...notification('x') }))).toBeNull();
    expect(t.db.transaction((tx) => enqueueMail(tx, { to: { userId: user.id }, kind: 'security', template: 'password-changed', data: { username: user.username }, security: true }))).not.toBeNull();
    await t.app.mail.flush();
    const mail = await smtp.waitFor((m) => m.to.includes(`${user.username}@example.com`) && m.subject.includes('contraseña'));
    // No language chosen: the forum's default (Spanish).
    expect(mail.subject).toBe('Tu contraseña ha cambiado');
    expect(mail.headers.has('list-unsubscribe')).toBe(false);
  });

  it('a mail written in a transaction that rolls back is never sent', async () => {
    t = await buildTestApp({ env: { SMTP_URL: smtp.smtpUrl } });
    t.app.mail.pause(); // the test drives the sender (and its clock) itself
    const user = await verifiedUser(t);
    expect(() =>
      t.db.transaction((tx) => {
        enqueueMail(tx, { to: { userId: user.id }, ...notification('rolled back') });
        throw new Error('the event failed');
      }),
    ).toThrow('the event failed');
    await t.app.mail.flush();
    expect(t.db.select().from(mailOutbox).all().filter((row) => row.template === 'notification')).toHaveLength(0);
    expect(smtp.messages.some((m) => m.subject === 'rolled back')).toBe(false);
  });
});

describe('retries', () => {
  it('retries after 1, 5, 30 min and then every 2 h, keeps the Message-ID, and fails after 24 h', async () => {
    // A port where nothing listens: every attempt fails to connect.
    const dead = await startMailServer();
    const deadUrl = dead.smtpUrl;
    await dead.close();
    t = await buildTestApp({ env: { SMTP_URL: deadUrl } });
    t.app.mail.pause(); // the test drives the sender (and its clock) itself
    const user = await verifiedUser(t);
    const start = new Date();
    const id = t.db.transaction((tx) => enqueueMail(tx, { to: { userId: user.id }, ...notification('retry me') }, start))!;
    const row = () => t.db.select().from(mailOutbox).where(eq(mailOutbox.id, id)).get()!;
    const token = row().messageToken;
    let clock = start.getTime();
    const expected = [60_000, 300_000, 1_800_000, 7_200_000, 7_200_000];
    for (const delay of expected) {
      await t.app.mail.flush(() => new Date(clock));
      expect(row().status).toBe('pending');
      expect(row().nextAttemptAt.getTime() - clock).toBe(delay);
      // Not due a moment before its time.
      expect(await t.app.mail.flush(() => new Date(clock + delay - 1))).toBe(0);
      clock += delay;
    }
    expect(row().attempts).toBe(5);
    // Jump to just before the 24 h mark: the next failure is the last.
    clock = start.getTime() + GIVE_UP_AFTER_MS - 60_000;
    t.db.update(mailOutbox).set({ nextAttemptAt: new Date(clock) }).where(eq(mailOutbox.id, id)).run();
    await t.app.mail.flush(() => new Date(clock));
    expect(row().status).toBe('failed');
    expect(row().lastError).toBeTruthy();
    expect(row().messageToken).toBe(token);

    // The admin outbox shows it as failed, with the error.
    const { browser } = await loginAs(t.app, t.db, 'admin');
    const list = await browser.get('/admin/mail', { 'accept-language': 'en' });
    expect(list.body).toContain('retry me');
    expect(list.body).toContain('failed');
  });
});

describe('housekeeping', () => {
  it('deletes finished rows 30 days after they were written, and nothing pending', async () => {
    t = await buildTestApp();
    t.app.mail.pause(); // the test drives the sender (and its clock) itself
    const user = await verifiedUser(t);
    const old = new Date(Date.now() - 31 * 86_400_000);
    const kept = t.db.transaction((tx) => enqueueMail(tx, { to: { userId: user.id }, ...notification('old and kept') }, old))!;
    const waiting = t.db.transaction((tx) => enqueueMail(tx, { to: { userId: user.id }, ...notification('old and waiting') }, old))!;
    t.db.update(mailOutbox).set({ status: 'kept' }).where(eq(mailOutbox.id, kept)).run();
    t.db.update(mailOutbox).set({ nextAttemptAt: new Date(Date.now() + 3_600_000) }).where(eq(mailOutbox.id, waiting)).run();
    // Two hours on: past the hourly pruning whatever the background loop did meanwhile.
    await t.app.mail.flush(() => new Date(Date.now() + 2 * 3_600_000));
    const ids = t.db.select({ id: mailOutbox.id }).from(mailOutbox).all().map((r) => r.id);
    expect(ids).not.toContain(kept);
    expect(ids).toContain(waiting);
  });
});

describe('without SMTP_URL', () => {
  it('keeps mail for /admin/mail (admins only), shows the text part escaped, and the HTML part under a CSP that runs nothing', async () => {
    t = await buildTestApp();
    t.app.mail.pause(); // the test drives the sender (and its clock) itself
    expect(t.config.smtpUrl).toBeUndefined();
    const user = await verifiedUser(t);
    const id = t.db.transaction((tx) => enqueueMail(tx, { to: { userId: user.id }, ...notification('<script>alert(1)</script>') }))!;
    await t.app.mail.flush();
    expect(t.db.select().from(mailOutbox).where(eq(mailOutbox.id, id)).get()!.status).toBe('kept');

    const visitor = new Browser(t.app);
    expect((await visitor.get('/admin/mail')).statusCode).toBe(401);
    const { browser: member } = await loginAs(t.app, t.db, 'member');
    expect((await member.get('/admin/mail')).statusCode).toBe(403);
    expect((await member.get(`/admin/mail/${id}/html`)).statusCode).toBe(403);

    const { browser: admin } = await loginAs(t.app, t.db, 'admin');
    const list = await admin.get('/admin/mail', { 'accept-language': 'en' });
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('No SMTP server is configured');
    expect(list.body).toContain(`${user.username}@example.com`);
    expect(list.body).not.toContain('<script>alert(1)</script>');
    const message = await admin.get(`/admin/mail/${id}`);
    expect(message.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(message.body).not.toContain('<script>alert(1)');
    const html = await admin.get(`/admin/mail/${id}/html`);
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-security-policy']).toContain("default-src 'none'");
    expect(html.headers['content-security-policy']).toContain('sandbox');
    expect(html.body).not.toContain('<script>');
  });
});

describe('configuration', () => {
  it.each([
    [{ SMTP_URL: 'http://mail.example.com' }, /SMTP_URL must start with smtp:\/\//],
    [{ SMTP_URL: 'not a url' }, /SMTP_URL must be a URL/],
    [{ MAIL_FROM: 'a@example.com\r\nBcc: x@example.com' }, /MAIL_FROM/],
    [{ MAIL_FROM: 'nobody' }, /MAIL_FROM/],
  ])('refuses %j with a message naming the variable', (env, message) => {
    expect(() => loadConfig({ NODE_ENV: 'test', ...env })).toThrow(message);
  });

  it('accepts smtp and smtps URLs and a named From, and never prints the SMTP password', () => {
    expect(loadConfig({ SMTP_URL: 'smtp://u:p@mail.example.com:587', MAIL_FROM: 'Soporte ACME <soporte@acme.example>' }).mailFrom).toBe('Soporte ACME <soporte@acme.example>');
    expect(loadConfig({ SMTP_URL: 'smtps://mail.example.com' }).smtpUrl).toBe('smtps://mail.example.com');
    expect(loadConfig({ BASE_URL: 'https://forum.example.com' }).mailFrom).toBe('Resuelto <noreply@forum.example.com>');
    try {
      loadConfig({ SMTP_URL: 'ftp://user:s3cret@x' });
    } catch (error) {
      expect((error as Error).message).not.toContain('s3cret');
    }
  });
});

export { linkIn };
