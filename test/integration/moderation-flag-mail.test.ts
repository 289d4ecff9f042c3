// Flaggers told their flag's fate (inbox line and mail, per their preference) and staff alerted of "needs staff
// attention" flags, read from a real loopback SMTP server against a real temporary database.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailOutbox, notifications, users } from '../../src/db/schema.ts';
import { postAnswer } from '../../src/features/answers/service.ts';
import { setDelivery } from '../../src/features/mail/preferences.ts';
import { askQuestion } from '../../src/features/questions/service.ts';
import { getSettings } from '../../src/features/settings/service.ts';
import { record } from '../../src/features/votes/reputation.ts';
import { buildTestApp, createUser, posterOf, relaxPostingLimits, tokenFor, type TestApp } from '../helper.ts';
import { startMailServer, type MailServer } from '../mail-server.ts';

let smtp: MailServer;
let t: TestApp;
let seq = 0;

beforeAll(async () => {
  smtp = await startMailServer();
  t = await buildTestApp({ env: { SMTP_URL: smtp.smtpUrl, MAIL_FROM: 'Foro <foro@example.com>', BASE_URL: 'https://forum.example.com' } });
  t.app.notifications.pause();
  t.app.mail.pause();
  relaxPostingLimits(t.db);
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

const poster = (id: number) => posterOf(t.db, id);
const verify = (id: number, locale: 'en' | 'es') => t.db.update(users).set({ emailVerifiedAt: new Date(), locale }).where(eq(users.id, id)).run();

async function member(locale: 'en' | 'es' = 'en', role: 'member' | 'moderator' | 'staff' = 'member') {
  const m = await tokenFor(t.app, t.db, role);
  t.db.transaction((tx) => record(tx, [{ userId: m.user.id, delta: 20, reason: 'test_grant' }], new Date()));
  verify(m.user.id, locale);
  return { ...m, email: `${m.user.username}@example.com` };
}

async function thread(title = `Decoder ${++seq} loses every channel after the night update`) {
  const author = await createUser(t.db);
  const q = askQuestion(t.db, poster(author.id), { title, body: `Decoder ${seq}: all channels are gone since the update last night.`, tags: ['tv'] }, getSettings(t.db));
  return { ...q, title, authorId: author.id };
}

const api = (method: 'POST' | 'GET', url: string, auth: Record<string, string>, payload?: Record<string, unknown>) =>
  t.app.inject({ method, url, headers: { ...auth, 'accept-language': 'en' }, ...(payload ? { payload } : {}) });
// A member's inbox lines about flags (the test's reputation grant also brings a privilege line).
const inbox = (userId: number) => t.db.select().from(notifications).where(eq(notifications.userId, userId)).all().filter((n) => JSON.parse(n.data).textKey?.startsWith('notifications.text.flag_'));
async function deliver() {
  await t.app.notifications.flush();
  await t.app.mail.flush();
}

describe('flaggers hear their flag’s fate', () => {
  it('a deleted post: each flagger gets an inbox line and a mail in their language saying helpful; no other flagger or moderator is named', async () => {
    const q = await thread();
    const answerer = await createUser(t.db);
    const { id: answerId } = postAnswer(t.db, poster(answerer.id), q.id, { body: 'Cheap satellite cards at example dot com, buy now!' }, getSettings(t.db));
    const ana = await member('en');
    const bea = await member('es');
    const mod = await member('en', 'moderator');
    expect((await api('POST', '/api/v1/flags', ana.auth, { postType: 'answer', postId: answerId, reason: 'spam' })).statusCode).toBe(201);
    expect((await api('POST', '/api/v1/flags', bea.auth, { postType: 'answer', postId: answerId, reason: 'rude' })).statusCode).toBe(201);
    const res = await api('POST', `/api/v1/moderation/posts/answer/${answerId}/delete`, mod.auth, { reason: 'Advertising' });
    expect(res.statusCode).toBeLessThan(300);
    await deliver();

    for (const [who, other] of [
      [ana, bea],
      [bea, ana],
    ] as const) {
      const rows = inbox(who.user.id);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ kind: 'moderation_action', questionId: q.id, actorId: null });
      expect(JSON.parse(rows[0].data)).toMatchObject({ textKey: 'notifications.text.flag_helpful', title: q.title, actor: '' });
      const mail = await smtp.waitFor((m) => m.to.includes(who.email) && m.subject.includes(q.title));
      for (const name of [other.user.username, mod.user.username, answerer.username]) {
        expect(mail.text).not.toContain(name);
        expect(mail.html).not.toContain(name);
      }
      expect(mail.text).toContain(`https://forum.example.com${q.url}#my-flag-answer-${answerId}`);
    }
    expect(smtp.to(ana.email).find((m) => m.subject.includes(q.title))?.subject).toBe(`Your flag on “${q.title}” was marked helpful: a moderator acted on it`);
    expect(smtp.to(bea.email).find((m) => m.subject.includes(q.title))?.subject).toBe(`Tu marca en «${q.title}» se consideró útil: un moderador actuó`);
    // The member's own flags say the same.
    expect((await api('GET', '/api/v1/flags/mine', ana.auth)).json().items[0]).toMatchObject({ postId: answerId, status: 'helpful' });
  });

  it('dismissed flags are declined; a flagger who turned moderator-action mail off gets the inbox line only', async () => {
    const q = await thread();
    const cam = await member('en');
    const dan = await member('en');
    setDelivery(t.db, dan.user.id, 'moderation_action', 'never');
    const mod = await member('en', 'moderator');
    for (const m of [cam, dan]) expect((await api('POST', '/api/v1/flags', m.auth, { postType: 'question', postId: q.id, reason: 'needs_improvement' })).statusCode).toBe(201);
    expect((await api('POST', `/api/v1/moderation/posts/question/${q.id}/dismiss`, mod.auth, {})).statusCode).toBeLessThan(300);
    await deliver();
    for (const m of [cam, dan]) expect(JSON.parse(inbox(m.user.id)[0].data).textKey).toBe('notifications.text.flag_declined');
    const mail = await smtp.waitFor((m) => m.to.includes(cam.email) && m.subject.includes(q.title));
    expect(mail.subject).toBe(`Your flag on “${q.title}” was declined: a moderator found nothing to act on`);
    expect(t.db.select().from(mailOutbox).where(eq(mailOutbox.toUserId, dan.user.id)).all().filter((r) => r.kind === 'moderation_action')).toEqual([]);
    // The inbox shows the line in the member's language (theirs is English).
    const page = await t.app.inject({ url: '/api/v1/notifications', headers: dan.auth });
    expect(page.statusCode).toBe(200);
    expect(JSON.stringify(page.json())).toContain(`Your flag on “${q.title}” was declined`);
  });

  it('“spammer”: the flaggers of each deleted post are told about that post, even when the thread itself is gone', async () => {
    const spammer = await createUser(t.db);
    t.db.transaction((tx) => record(tx, [{ userId: spammer.id, delta: 20, reason: 'test_grant' }], new Date()));
    const ownTitle = 'Best cheap replica watches shipping worldwide today';
    const own = askQuestion(t.db, poster(spammer.id), { title: ownTitle, body: 'Visit example dot com for the best replica watches.', tags: ['tv'] }, getSettings(t.db));
    const other = await thread();
    const { id: answerId } = postAnswer(t.db, poster(spammer.id), other.id, { body: 'Replica watches at example dot com, cheapest prices!' }, getSettings(t.db));
    const eva = await member('en');
    const fer = await member('es');
    const mod = await member('en', 'moderator');
    expect((await api('POST', '/api/v1/flags', eva.auth, { postType: 'question', postId: own.id, reason: 'spam' })).statusCode).toBe(201);
    expect((await api('POST', '/api/v1/flags', fer.auth, { postType: 'answer', postId: answerId, reason: 'spam' })).statusCode).toBe(201);
    expect((await api('POST', `/api/v1/moderation/users/${spammer.id}/spammer`, mod.auth, {})).statusCode).toBeLessThan(300);
    await deliver();
    expect(JSON.parse(inbox(eva.user.id)[0].data)).toMatchObject({ textKey: 'notifications.text.flag_helpful', title: ownTitle, path: '/notifications' });
    expect(JSON.parse(inbox(fer.user.id)[0].data)).toMatchObject({ textKey: 'notifications.text.flag_helpful', title: other.title });
    expect(inbox(eva.user.id)).toHaveLength(1);
    expect(inbox(fer.user.id)).toHaveLength(1);
    expect((await smtp.waitFor((m) => m.to.includes(fer.email) && m.subject.includes(other.title))).subject).toBe(`Tu marca en «${other.title}» se consideró útil: un moderador actuó`);
  });
});

describe('“needs staff attention” flags alert staff', () => {
  it('a staff flag mails each staff member in their language with the note; a spam flag mails nobody', async () => {
    const staff = await member('es', 'staff');
    const q = await thread();
    const gil = await member('en');
    const hal = await member('en');
    const before = t.db.select().from(mailOutbox).where(eq(mailOutbox.kind, 'desk_flagged')).all().length;
    expect((await api('POST', '/api/v1/flags', hal.auth, { postType: 'question', postId: q.id, reason: 'spam' })).statusCode).toBe(201);
    expect(t.db.select().from(mailOutbox).where(eq(mailOutbox.kind, 'desk_flagged')).all()).toHaveLength(before);
    const res = await api('POST', '/api/v1/flags', gil.auth, { postType: 'question', postId: q.id, reason: 'staff', note: 'The customer posted their account number here.' });
    expect(res.statusCode).toBe(201);
    await deliver();
    const mail = await smtp.waitFor((m) => m.to.includes(staff.email) && m.subject.includes(q.title));
    expect(mail.subject).toBe(`Marcada para atención del equipo: ${q.title}`);
    expect(mail.text).toContain('Su nota: The customer posted their account number here.');
    expect(mail.text).toContain('https://forum.example.com/moderation');
    expect(mail.text).not.toContain(gil.user.username);
    const rows = t.db.select().from(mailOutbox).where(and(eq(mailOutbox.kind, 'desk_flagged'), eq(mailOutbox.toUserId, staff.user.id))).all();
    expect(rows).toHaveLength(1);
    // Only the staff flag wrote one: the spam flag before it none.
    expect(smtp.to(staff.email).filter((m) => m.subject.includes(q.title))).toHaveLength(1);
  });

  it('a staff member who chose “never” for flag alerts gets none; a refused flag alerts nobody', async () => {
    const staff = await member('en', 'staff');
    setDelivery(t.db, staff.user.id, 'desk_flagged', 'never');
    const q = await thread();
    const ivy = await member('en');
    const refused = await api('POST', '/api/v1/flags', { ...ivy.auth }, { postType: 'question', postId: 999_999, reason: 'staff' });
    expect(refused.statusCode).toBe(404);
    expect((await api('POST', '/api/v1/flags', ivy.auth, { postType: 'question', postId: q.id, reason: 'staff' })).statusCode).toBe(201);
    expect(t.db.select().from(mailOutbox).where(and(eq(mailOutbox.kind, 'desk_flagged'), eq(mailOutbox.toUserId, staff.user.id))).all()).toEqual([]);
  });
});

describe('members warned or suspended are told where to read it', () => {
  it('a warning: an inbox line and a mail leading to the messages page, which shows it to a member who is not suspended', async () => {
    const warned = await member('es');
    const mod = await member('en', 'moderator');
    const text = 'Please do not post your phone number in public answers.';
    expect((await api('POST', `/api/v1/moderation/users/${warned.user.id}/warn`, mod.auth, { message: text })).statusCode).toBe(200);
    await deliver();
    const line = t.db.select().from(notifications).where(eq(notifications.userId, warned.user.id)).all().map((n) => JSON.parse(n.data)).find((d) => d.textKey === 'notifications.text.member_warned');
    expect(line).toMatchObject({ path: '/account/suspended', actor: '' });
    const mail = await smtp.waitFor((m) => m.to.includes(warned.email) && m.subject === 'Un moderador te envió un mensaje privado');
    expect(mail.text).toContain('https://forum.example.com/account/suspended');
    expect(mail.text).not.toContain(text); // the private text stays on the site
    expect(mail.text).not.toContain(mod.user.username);
    const page = await t.app.inject({ url: '/account/suspended', headers: { ...warned.auth, 'accept-language': 'es' } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Mensajes de los moderadores');
    expect(page.body).toContain(text);
    expect(page.body).toContain('Tu cuenta no está suspendida');
  });

  it('a suspension: the member is told to read why and until when', async () => {
    const suspended = await member('en');
    const mod = await member('en', 'moderator');
    expect((await api('POST', `/api/v1/moderation/users/${suspended.user.id}/suspend`, mod.auth, { days: 3, reason: 'Insults in three threads' })).statusCode).toBe(200);
    await deliver();
    const mail = await smtp.waitFor((m) => m.to.includes(suspended.email) && m.subject.startsWith('A moderator suspended your account'));
    expect(mail.text).toContain('https://forum.example.com/account/suspended');
  });
});
