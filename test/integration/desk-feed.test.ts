// The private staff feed of desk alerts: the token made and revoked on /settings/staff-feed (stored hashed),
// the feed checked as Atom 1.0 with a strict XML parser, and nobody else reading it.
import sax from 'sax';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loggableUrl as redactUrl } from '../../src/plugins/access-log.ts';
import { staffFeedTokens } from '../../src/db/schema.ts';
import { openCase } from '../../src/features/cases/service.ts';
import { askQuestion } from '../../src/features/questions/service.ts';
import { setSetting } from '../../src/features/settings/service.ts';
import { buildTestApp, loginAs, type TestApp } from '../helper.ts';

const ATOM = 'http://www.w3.org/2005/Atom';
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
let t: TestApp;
type Person = Awaited<ReturnType<typeof loginAs>>;
let staff: Person, member: Person;

interface Node { name: string; attributes: Record<string, string>; children: Node[]; text: string }
function parseXml(xml: string): Node {
  const parser = sax.parser(true, { xmlns: true });
  const root: Node = { name: '', attributes: {}, children: [], text: '' };
  const stack = [root];
  parser.onopentag = (tag) => {
    const node: Node = { name: `${(tag as sax.QualifiedTag).uri}|${(tag as sax.QualifiedTag).local}`, attributes: Object.fromEntries(Object.entries((tag as sax.QualifiedTag).attributes).map(([k, v]) => [k, v.value])), children: [], text: '' };
    stack.at(-1)!.children.push(node);
    stack.push(node);
  };
  parser.onclosetag = () => void stack.pop();
  parser.ontext = (text) => void (stack.at(-1)!.text += text);
  parser.oncdata = (text) => void (stack.at(-1)!.text += text);
  parser.onerror = (error) => {
    throw error;
  };
  parser.write(xml).close();
  return root.children[0];
}
const kids = (node: Node, name: string) => node.children.filter((c) => c.name === `${ATOM}|${name}`);

beforeAll(async () => {
  t = await buildTestApp();
  for (const key of ['postsPerIpPerMinute', 'signInPerIpPerMinute', 'signUpPerIpPerHour'] as const) setSetting(t.db, key, 10_000);
  setSetting(t.db, 'secondsBetweenPosts', 0);
  setSetting(t.db, 'newMemberSecondsBetweenPosts', 0);
  staff = await loginAs(t.app, t.db, 'staff');
  member = await loginAs(t.app, t.db, 'member');
  const poster = { ...member.user, reputation: 1, createdAt: new Date(0) } as never;
  const settings = t.app.settings();
  const late = askQuestion(t.db, poster, { title: 'Nobody answered my kettle question', body: 'My kettle <makes> a noise & nobody has answered me for days.', tags: 'kettles' }, settings, new Date(Date.now() - 30 * 3_600_000));
  const escalated = askQuestion(t.db, poster, { title: 'The refund for my kettle never came', body: 'I returned my kettle a month ago and the refund never came.', tags: 'refunds' }, settings);
  openCase(t.db, member.user, { questionId: escalated.id, summary: 'The refund of order SECRET-7781 never arrived on my card.', details: 'SECRET-7781' });
  void late;
});
afterAll(async () => {
  await t?.close();
});

describe('the private staff feed', () => {
  let feedUrl = '';

  it('only staff make a feed address; it is shown once and stored hashed', async () => {
    expect((await member.browser.submit('/settings/staff-feed', { action: 'create' })).statusCode).toBe(403);
    expect((await member.browser.get('/settings/staff-feed')).statusCode).toBe(403);
    const page = await staff.browser.submit('/settings/staff-feed', { action: 'create' });
    expect(page.statusCode).toBe(200);
    feedUrl = /<code>([^<]+)<\/code>/.exec(page.body)![1].replace(t.config.baseUrl, '');
    expect(feedUrl).toMatch(/^\/staff\/feed\/\d+\.[\w-]+\.atom$/);
    const secret = feedUrl.split('.')[1];
    const row = t.db.select().from(staffFeedTokens).get()!;
    expect(row.secretHash).not.toContain(secret);
    expect(row.secretHash).toMatch(/^[0-9a-f]{64}$/);
    expect((await staff.browser.get('/settings/staff-feed')).body).not.toContain(secret);
  });

  it('is valid Atom 1.0 with the escalation and the breach, and nothing private of the case', async () => {
    const response = await t.app.inject({ method: 'GET', url: feedUrl });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('application/atom+xml');
    expect(response.headers['cache-control']).toContain('no-store');
    const feed = parseXml(response.body);
    expect(feed.name).toBe(`${ATOM}|feed`);
    expect(kids(feed, 'id')[0].text).toMatch(/^http/);
    expect(kids(feed, 'title')[0].text.length).toBeGreaterThan(0);
    expect(kids(feed, 'updated')[0].text).toMatch(RFC3339);
    expect(kids(feed, 'link').find((l) => l.attributes.rel === 'self')?.attributes.href).toBe(t.config.baseUrl + feedUrl);
    const entries = kids(feed, 'entry');
    const titles = entries.map((e) => kids(e, 'title')[0].text);
    expect(titles.some((title) => title.includes('The refund for my kettle never came'))).toBe(true);
    expect(titles.some((title) => title.includes('Nobody answered my kettle question'))).toBe(true);
    for (const entry of entries) {
      expect(kids(entry, 'id')[0].text).toMatch(/^https?:\/\//);
      expect(kids(entry, 'updated')[0].text).toMatch(RFC3339);
      expect(kids(entry, 'link')[0].attributes.href).toMatch(/^https?:\/\//);
    }
    expect(response.body).not.toContain('SECRET-7781');
  });

  it('a wrong token, a tampered one, or another member’s id is a 404; the token never reaches the logs', async () => {
    const [, id, secret] = /^\/staff\/feed\/(\d+)\.([\w-]+)\.atom$/.exec(feedUrl)!;
    for (const url of [`/staff/feed/${id}.${secret.slice(0, -2)}xx.atom`, `/staff/feed/${member.user.id}.${secret}.atom`, `/staff/feed/${id}.${secret}.rss`, '/staff/feed/nothing.atom']) {
      expect((await t.app.inject({ method: 'GET', url })).statusCode).toBe(404);
    }
    expect(redactUrl(feedUrl)).toBe('/staff/feed/[redacted]');
  });

  it('revoked, the address stops working', async () => {
    expect((await staff.browser.submit('/settings/staff-feed', { action: 'revoke' })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: feedUrl })).statusCode).toBe(404);
  });
});

describe('staff alert preferences', () => {
  it('staff (only) choose how desk alerts reach them, on the notification preferences page', async () => {
    const page = (await staff.browser.get('/settings/notifications')).body;
    for (const kind of ['desk_escalation', 'desk_breach', 'desk_flagged']) expect(page).toContain(`name="${kind}"`);
    expect((await member.browser.get('/settings/notifications')).body).not.toContain('desk_escalation');
    // A member sending the field changes nothing for them.
    await member.browser.submit('/settings/notifications', { desk_escalation: 'never' });
    expect(t.db.$client.prepare('select count(*) from notification_preferences where user_id = ? and kind = ?').pluck().get(member.user.id, 'desk_escalation')).toBe(0);
  });

  it('an escalation mails staff at once, puts it in the daily summary (held to the digest hour) for "daily", and skips "never"', async () => {
    const daily = await loginAs(t.app, t.db, 'staff');
    const never = await loginAs(t.app, t.db, 'admin');
    for (const p of [staff, daily, never]) t.db.$client.prepare('update users set email_verified_at = ? where id = ?').run(Date.now(), p.user.id);
    expect((await daily.browser.submit('/settings/notifications', { desk_escalation: 'daily' })).statusCode).toBe(200);
    expect((await never.browser.submit('/settings/notifications', { desk_escalation: 'never' })).statusCode).toBe(200);
    const poster = { ...member.user, reputation: 1, createdAt: new Date(0) } as never;
    const q = askQuestion(t.db, poster, { title: 'My kettle arrived without a plug', body: 'The kettle I received has no plug at all on its cable.', tags: 'kettles' }, t.app.settings());
    const now = new Date();
    openCase(t.db, member.user, { questionId: q.id, summary: 'There is no plug on the cable of my new kettle.' }, now);
    const rows = (userId: number, kind = 'desk_escalation') =>
      t.db.$client.prepare('select next_attempt_at as at, data from mail_outbox where to_user_id = ? and kind = ? and created_at = ?').all(userId, kind, now.getTime()) as { at: number; data: string }[];
    expect(rows(staff.user.id)).toHaveLength(1);
    expect(rows(staff.user.id)[0].at).toBe(now.getTime());
    expect(rows(daily.user.id)).toHaveLength(0);
    const summary = rows(daily.user.id, 'desk_summary');
    expect(summary).toHaveLength(1);
    expect(new Date(summary[0].at).getUTCHours()).toBe(t.app.settings().digestHourUtc);
    expect(summary[0].at).toBeGreaterThan(now.getTime());
    expect(JSON.parse(summary[0].data).items).toEqual([{ key: 'desk.summary.desk_escalation', title: 'My kettle arrived without a plug', path: expect.stringMatching(/^\/support\/cases\/\d+$/) }]);
    expect(rows(never.user.id)).toHaveLength(0);
    expect(rows(never.user.id, 'desk_summary')).toHaveLength(0);
  });
});
