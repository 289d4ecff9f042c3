// The desk's first-response alerts, end to end on a real SQLite file and a real SMTP server on loopback: the
// loop takes a fake "now" across business hours, raises "about to breach" at 75 % of the target and "breached"
// at 100 %, once per question and stage (a restarted app sends nothing twice), clears them on an answer, and
// mails each staff member per their preference — at once, or one daily summary of everything, in their language.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { deskAlerts, mailOutbox, users } from '../../src/db/schema.ts';
import { postAnswer } from '../../src/features/answers/service.ts';
import { openCase } from '../../src/features/cases/service.ts';
import { createStaffFeedToken } from '../../src/features/desk/feed.ts';
import { setDelivery } from '../../src/features/mail/preferences.ts';
import { askQuestion } from '../../src/features/questions/service.ts';
import { setSetting } from '../../src/features/settings/service.ts';
import { Browser, buildTestApp, createUser, STRONG_PASSWORD, type TestApp } from '../helper.ts';
import { linkIn, startMailServer, type MailServer } from '../mail-server.ts';

const BASE = 'https://forum.example.com';
let smtp: MailServer;
let t: TestApp;
type Person = Awaited<ReturnType<typeof person>>;
let asker: Person, staffNow: Person, staffDaily: Person;

/** A confirmed account whose mail is in `locale`. */
async function person(role: 'member' | 'staff' | 'admin', locale: 'en' | 'es' = 'en') {
  const user = await createUser(t.db, role);
  t.db.update(users).set({ emailVerifiedAt: new Date(0), locale }).where(eq(users.id, user.id)).run();
  return { ...user, email: `${user.username}@example.com`.toLowerCase(), reputation: 1, createdAt: new Date(0) };
}

// Business hours Monday to Friday 09:00–17:00 UTC, target 8 h. 2026-11-06 is a Friday.
const at = (iso: string) => new Date(iso);
let seq = 0;
const ask = (when: string, title = `Router number ${++seq} drops the connection`, author: Person = asker) =>
  askQuestion(t.db, author as never, { title, body: `My router ${seq} keeps dropping the connection every few minutes.`, tags: 'routers' }, t.app.settings(), at(when));
const alertsOf = (questionId: number) => t.db.select({ stage: deskAlerts.stage }).from(deskAlerts).where(eq(deskAlerts.questionId, questionId)).all().map((r) => r.stage).sort();
const outboxFor = (userId: number) => t.db.select().from(mailOutbox).where(eq(mailOutbox.toUserId, userId)).all();

beforeAll(async () => {
  smtp = await startMailServer();
  t = await buildTestApp({ env: { SMTP_URL: smtp.smtpUrl, BASE_URL: BASE } });
  // Background loops off: the tests run them at the moments they choose.
  t.app.deskAlerts.pause();
  t.app.mail.pause();
  t.app.notifications.pause();
  setSetting(t.db, 'firstResponseTargetHours', 8);
  setSetting(t.db, 'deskBusinessHours', 'mon-fri 09:00-17:00');
  setSetting(t.db, 'digestHourUtc', 7);
  setSetting(t.db, 'secondsBetweenPosts', 0);
  setSetting(t.db, 'newMemberSecondsBetweenPosts', 0);
  asker = await person('member');
  staffNow = await person('staff', 'en');
  staffDaily = await person('admin', 'es');
  for (const kind of ['desk_breach', 'desk_escalation', 'desk_flagged']) setDelivery(t.db, staffDaily.id, kind, 'daily');
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

describe('the first-response clock raises each alert once, across business hours', () => {
  let questionId = 0;

  it('a question asked Friday 15:00 is not alerted over the weekend (2 h of 8 h used)', () => {
    questionId = ask('2026-11-06T15:00:00Z').id;
    expect(t.app.deskAlerts.run(at('2026-11-07T12:00:00Z'))).toMatchObject({ close: 0, breached: 0 });
    expect(t.app.deskAlerts.run(at('2026-11-09T12:59:00Z'))).toMatchObject({ close: 0, breached: 0 });
    expect(alertsOf(questionId)).toEqual([]);
  });

  it('Monday 13:00 (6 h of business time, 75 %) raises "about to breach" once, mailed to the immediate staff member', async () => {
    expect(t.app.deskAlerts.run(at('2026-11-09T13:00:00Z')).close).toBe(1);
    expect(t.app.deskAlerts.run(at('2026-11-09T13:30:00Z')).close).toBe(0);
    expect(alertsOf(questionId)).toEqual(['close']);
    await t.app.mail.flush(() => at('2026-11-09T13:31:00Z'));
    const mail = await smtp.waitFor((m) => m.to.includes(staffNow.email) && m.subject.includes('About to pass'));
    expect(mail.subject).toBe(`About to pass the first-response target: Router number ${seq} drops the connection`);
    expect(mail.text).toContain('has waited 6 h of its 8 h first-response target');
    expect(mail.text).toContain(`${BASE}/questions/${questionId}/`);
    // The daily staff member got nothing yet: the line waits in their summary.
    expect(smtp.to(staffDaily.email)).toHaveLength(0);
  });

  it('Monday 15:00 (8 h) raises "breached" once; a restarted app over the same database sends nothing twice', async () => {
    expect(t.app.deskAlerts.run(at('2026-11-09T15:00:00Z')).breached).toBe(1);
    expect(alertsOf(questionId)).toEqual(['breached', 'close']);
    await t.app.mail.flush(() => at('2026-11-09T15:01:00Z'));
    await smtp.waitFor((m) => m.to.includes(staffNow.email) && m.subject.startsWith('Past the first-response target'));
    const before = t.db.select().from(mailOutbox).all().length;
    // A second process start on the same file: its loop looks again at a later moment and finds nothing new.
    const again = await buildApp(t.config, { db: t.db });
    await again.ready();
    again.deskAlerts.pause();
    again.mail.pause();
    again.notifications.pause();
    try {
      expect(again.deskAlerts.run(at('2026-11-09T16:00:00Z'))).toMatchObject({ close: 0, breached: 0 });
      expect(again.deskAlerts.run(at('2026-11-10T16:00:00Z'))).toMatchObject({ close: 0, breached: 0 });
    } finally {
      await again.close();
    }
    expect(t.db.select().from(mailOutbox).all().length).toBe(before);
    expect(smtp.to(staffNow.email).filter((m) => m.subject.includes(`number ${seq} `))).toHaveLength(2);
  });

  it('the alerts show in the private staff feed, dated when raised; an answer clears them', async () => {
    const token = createStaffFeedToken(t.db, { id: staffNow.id, role: 'staff' });
    const feed = await t.app.inject({ method: 'GET', url: `/staff/feed/${token}.atom`, headers: { 'accept-language': 'en' } });
    expect(feed.statusCode).toBe(200);
    expect(feed.body).toContain(`/questions/${questionId}/`);
    expect(feed.body).toContain('#breached</id>');
    expect(feed.body).toContain('2026-11-09T15:00:00.000Z');
    postAnswer(t.db, staffNow as never, questionId, { body: 'Hold the reset button for ten seconds, then wait.' }, t.app.settings(), at('2026-11-09T16:00:00Z'));
    expect(t.app.deskAlerts.run(at('2026-11-09T16:05:00Z')).cleared).toBeGreaterThanOrEqual(1);
    expect(alertsOf(questionId)).toEqual([]);
    const after = await t.app.inject({ method: 'GET', url: `/staff/feed/${token}.atom`, headers: { 'accept-language': 'en' } });
    expect(after.body).not.toContain(`/questions/${questionId}/`);
  });

  it('a question already past the target a week before the loop first saw it is recorded without a mail', async () => {
    // Asked by someone else: the asker's posting interval counts from their latest post, which is later.
    const old = ask('2026-10-01T10:00:00Z', 'An old question nobody answered for weeks', await person('member')).id;
    const outbox = t.db.select().from(mailOutbox).all().length;
    expect(t.app.deskAlerts.run(at('2026-11-09T16:10:00Z')).silent).toBeGreaterThanOrEqual(1);
    expect(alertsOf(old)).toEqual(['breached']);
    expect(t.db.select().from(mailOutbox).all().length).toBe(outbox);
    // Answered, so it does not linger in later tests.
    postAnswer(t.db, staffNow as never, old, { body: 'Hold the reset button for ten seconds, then wait.' }, t.app.settings(), at('2026-11-09T16:11:00Z'));
  });

  it('a question assigned to a staff member alerts only them', async () => {
    const other = await person('staff');
    const q = ask('2026-11-10T09:00:00Z').id;
    t.db.$client.prepare('insert into desk_assignments (question_id, staff_id, assigned_at) values (?, ?, ?)').run(q, other.id, Date.now());
    const everyone = new Set(t.db.select().from(mailOutbox).all().map((r) => r.id));
    expect(t.app.deskAlerts.run(at('2026-11-10T17:00:00Z')).breached).toBe(1);
    const added = t.db.select().from(mailOutbox).all().filter((r) => !everyone.has(r.id));
    expect(added.map((r) => r.toUserId)).toEqual([other.id]);
    postAnswer(t.db, other as never, q, { body: 'Hold the reset button for ten seconds, then wait.' }, t.app.settings(), at('2026-11-10T17:05:00Z'));
  });
});

describe('the daily summary: one mail per staff member per day, in their language', () => {
  it('three alerts held (a breach, an almost-breach and an escalation) → one mail listing three items at the digest hour', async () => {
    // Everything raised so far for the daily admin is already in one held row; start a clean day.
    t.db.delete(mailOutbox).where(eq(mailOutbox.toUserId, staffDaily.id)).run();
    const first = ask('2026-11-16T09:00:00Z', 'El router de la cocina pierde la conexión');
    const second = ask('2026-11-16T09:30:00Z', 'El router del salón pierde la conexión');
    // Asked at noon: at 17:00 it has used 5 h of 8, not yet 75 %; its escalation is the third alert.
    const third = ask('2026-11-16T12:00:00Z', 'Mi pedido de un router no ha llegado');
    // At 17:00 the first has used its 8 h (breached), the second 7.5 h (about to breach).
    expect(t.app.deskAlerts.run(at('2026-11-16T17:00:00Z'))).toMatchObject({ close: 1, breached: 1 });
    openCase(t.db, asker as never, { questionId: third.id, summary: 'The router I ordered never arrived, order number in the details.', details: 'ORDER-4412' }, at('2026-11-16T17:10:00Z'));
    const held = outboxFor(staffDaily.id);
    expect(held).toHaveLength(1);
    expect(held[0].nextAttemptAt.toISOString()).toBe('2026-11-17T07:00:00.000Z');
    // Before the digest hour nothing goes out to them.
    await t.app.mail.flush(() => at('2026-11-17T06:59:00Z'));
    expect(smtp.to(staffDaily.email)).toHaveLength(0);
    await t.app.mail.flush(() => at('2026-11-17T07:00:00Z'));
    const mail = await smtp.waitFor((m) => m.to.includes(staffDaily.email));
    expect(smtp.to(staffDaily.email)).toHaveLength(1);
    expect(mail.subject).toBe('Mostrador del equipo, resumen diario: 3 alertas');
    expect(mail.text).toContain('Objetivo de primera respuesta superado: El router de la cocina pierde la conexión');
    expect(mail.text).toContain('A punto de superar el objetivo de primera respuesta: El router del salón pierde la conexión');
    expect(mail.text).toContain('Escalada al equipo de soporte: Mi pedido de un router no ha llegado');
    expect(mail.text).toContain(`${BASE}/staff/desk`);
    expect(mail.html.match(/<li>/g)).toHaveLength(3);
    // The private details of the case never leave the site.
    expect(mail.text + mail.html).not.toContain('ORDER-4412');
    for (const q of [first, second, third]) postAnswer(t.db, staffNow as never, q.id, { body: `Thanks for the details, we are on it now (question ${q.id}).` }, t.app.settings(), at('2026-11-17T08:00:00Z'));
  });

  it('an alert after the summary was sent starts the next day’s summary', () => {
    const q = ask('2026-11-17T09:00:00Z', 'El router del despacho pierde la conexión');
    expect(t.app.deskAlerts.run(at('2026-11-17T15:00:00Z')).close).toBe(1);
    const pending = outboxFor(staffDaily.id).filter((r) => r.status === 'pending');
    expect(pending).toHaveLength(1);
    expect(pending[0].nextAttemptAt.toISOString()).toBe('2026-11-18T07:00:00.000Z');
    expect(JSON.parse(pending[0].data)).toMatchObject({ count: 1, items: [{ key: 'desk.summary.close', title: 'El router del despacho pierde la conexión' }] });
    void q;
  });

  it('one click on the summary’s unsubscribe link stops the summaries; choosing "daily" again on the preferences page brings them back', async () => {
    const sent = smtp.to(staffDaily.email)[0];
    const link = linkIn(sent, `${BASE}/unsubscribe/`);
    expect(link).toContain('/desk_summary/');
    const page = await t.app.inject({ method: 'GET', url: link.slice(BASE.length), headers: { 'accept-language': 'es' } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Resumen diario de las alertas del equipo (equipo)');
    expect((await t.app.inject({ method: 'POST', url: link.slice(BASE.length), payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).statusCode).toBe(200);
    t.db.delete(mailOutbox).where(eq(mailOutbox.toUserId, staffDaily.id)).run();
    ask('2026-11-18T09:00:00Z', 'El router del garaje pierde la conexión');
    expect(t.app.deskAlerts.run(at('2026-11-18T15:00:00Z')).close).toBe(1);
    expect(outboxFor(staffDaily.id)).toHaveLength(0);
    // Back on the preferences page, "daily" for breaches means the summary again.
    const browser = new Browser(t.app);
    expect((await browser.submit('/signin', { login: staffDaily.username, password: STRONG_PASSWORD })).statusCode).toBe(303);
    expect((await browser.submit('/settings/notifications', { desk_breach: 'daily' })).statusCode).toBe(200);
    ask('2026-11-19T09:00:00Z', 'El router del ático pierde la conexión');
    expect(t.app.deskAlerts.run(at('2026-11-19T15:00:00Z')).close).toBe(1);
    expect(outboxFor(staffDaily.id).map((r) => r.kind)).toEqual(['desk_summary']);
  });
});
