// Who may do what in moderation: every new route (pages with a session cookie and the CSRF token, and the JSON API
// with bearer tokens) against anonymous, member (low and high reputation), suspended member, moderator, staff and
// admin. A refused action answers 401 or 403 and writes nothing.
import type { LightMyRequestResponse } from 'fastify';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users } from '../../src/db/schema.ts';
import { postAnswer } from '../../src/features/answers/service.ts';
import { askQuestion } from '../../src/features/questions/service.ts';
import { getSettings, setSetting } from '../../src/features/settings/service.ts';
import { record } from '../../src/features/votes/reputation.ts';
import { Browser, buildTestApp, createUser, posterOf, relaxPostingLimits, tokenFor, type TestApp } from '../helper.ts';

type RoleName = 'visitor' | 'member' | 'trusted' | 'suspended' | 'moderator' | 'staff' | 'admin';
type Outcome = 'ok' | 401 | 403;
const ROLE_NAMES: RoleName[] = ['visitor', 'member', 'trusted', 'suspended', 'moderator', 'staff', 'admin'];

interface Actor {
  role: RoleName;
  user?: { id: number };
  auth: Record<string, string>;
  browser: Browser;
}

let t: TestApp;
let other: number;
let seq = 0;
const actors = new Map<RoleName, Actor>();

beforeAll(async () => {
  t = await buildTestApp();
  relaxPostingLimits(t.db);
  setSetting(t.db, 'flagsPerDay', 1000);
  setSetting(t.db, 'closeVotesNeeded', 50);
  other = (await createUser(t.db)).id;
  actors.set('visitor', { role: 'visitor', auth: {}, browser: new Browser(t.app) });
  for (const role of ROLE_NAMES.slice(1)) {
    const base = role === 'trusted' || role === 'suspended' ? 'member' : (role as 'member' | 'moderator' | 'staff' | 'admin');
    const { user, auth } = await tokenFor(t.app, t.db, base);
    if (role === 'trusted' || role === 'suspended') t.db.transaction((tx) => record(tx, [{ userId: user.id, delta: 2_499, reason: 'test_grant' }], new Date()));
    const browser = new Browser(t.app);
    expect((await browser.submit('/signin', { login: user.username, password: user.password })).statusCode).toBe(303);
    if (role === 'suspended') t.db.update(users).set({ suspendedUntil: new Date(Date.now() + 86_400_000), suspensionReason: 'matrix' }).where(eq(users.id, user.id)).run();
    actors.set(role, { role, user, auth, browser });
  }
});
afterAll(async () => t?.close());

const poster = (id: number) => posterOf(t.db, id);
function question(authorId = other): number {
  return askQuestion(t.db, poster(authorId), { title: `Matrix question ${++seq} about the modem lights`, body: `Matrix body ${seq}: the modem blinks orange.`, tags: ['modem'] }, getSettings(t.db)).id;
}
function answer(questionId: number): number {
  return postAnswer(t.db, poster(other), questionId, { body: `Matrix answer ${++seq}: restart it from the app.` }, getSettings(t.db)).id;
}
const target = async () => (await createUser(t.db)).id;
const closed = (id: number) => t.db.$client.prepare("update questions set status = 'closed', closed_reason = 'off_topic' where id = ?").run(id) && id;

function snapshot(): string {
  return JSON.stringify(
    t.db.$client
      .prepare(
        `select (select count(*) from moderation_log) as log, (select count(*) from flags) as flags, (select count(*) from close_votes) as closeVotes,
          (select count(*) from moderator_messages) as messages, (select count(*) from questions where status = 'closed') as closed,
          (select count(*) from questions where locked_at is not null) as locked, (select count(*) from questions where pinned_at is not null) as pinned,
          (select count(*) from questions where deleted_at is not null) + (select count(*) from answers where deleted_at is not null) as deleted,
          (select count(*) from users where suspended_until is not null) as suspended, (select count(*) from sessions where revoked_at is not null) as revoked,
          (select count(*) from reputation_events) as ledger`,
      )
      .get(),
  );
}

const everyone = (o: Outcome): Record<RoleName, Outcome> => ({ visitor: 401, member: o, trusted: o, suspended: 403, moderator: o, staff: o, admin: o });
const byReputation: Record<RoleName, Outcome> = { ...everyone('ok'), member: 403 };
const moderatorsUp: Record<RoleName, Outcome> = { ...everyone('ok'), member: 403, trusted: 403 };
const staffUp: Record<RoleName, Outcome> = { ...moderatorsUp, moderator: 403 };

interface Action {
  name: string;
  expected: Record<RoleName, Outcome>;
  prepare: () => Promise<Record<string, number>> | Record<string, number>;
  api: (fx: Record<string, number>) => { url: string; payload?: object };
  html: (fx: Record<string, number>) => { url: string; fields?: Record<string, string> };
}

const ACTIONS: Action[] = [
  { name: 'close (vote)', expected: byReputation, prepare: () => ({ q: question() }), api: (f) => ({ url: `/questions/${f.q}/close`, payload: { reason: 'off_topic' } }), html: (f) => ({ url: `/questions/${f.q}/close`, fields: { reason: 'off_topic' } }) },
  { name: 'reopen (vote)', expected: byReputation, prepare: () => ({ q: closed(question()) as number }), api: (f) => ({ url: `/questions/${f.q}/reopen` }), html: (f) => ({ url: `/questions/${f.q}/reopen` }) },
  { name: 'lock', expected: moderatorsUp, prepare: () => ({ q: question() }), api: (f) => ({ url: `/questions/${f.q}/lock`, payload: { locked: true, note: 'cooling down' } }), html: (f) => ({ url: `/questions/${f.q}/lock`, fields: { note: 'cooling down' } }) },
  { name: 'pin', expected: staffUp, prepare: () => ({ q: question() }), api: (f) => ({ url: `/questions/${f.q}/pin`, payload: { pinned: true } }), html: (f) => ({ url: `/questions/${f.q}/pin` }) },
  { name: 'flag', expected: byReputation, prepare: () => ({ q: question() }), api: (f) => ({ url: '/flags', payload: { postType: 'question', postId: f.q, reason: 'needs_improvement' } }), html: (f) => ({ url: '/flags', fields: { postType: 'question', postId: String(f.q), reason: 'needs_improvement' } }) },
  { name: 'delete a post', expected: moderatorsUp, prepare: () => ({ a: answer(question()) }), api: (f) => ({ url: `/moderation/posts/answer/${f.a}/delete`, payload: { reason: 'noise' } }), html: (f) => ({ url: `/moderation/posts/answer/${f.a}/delete` }) },
  {
    name: 'undelete a post',
    expected: moderatorsUp,
    prepare: () => {
      const q = question();
      t.db.$client.prepare('update questions set deleted_at = ? where id = ?').run(Date.now(), q);
      return { q };
    },
    api: (f) => ({ url: `/moderation/posts/question/${f.q}/undelete` }),
    html: (f) => ({ url: `/moderation/posts/question/${f.q}/undelete` }),
  },
  {
    name: 'dismiss flags',
    expected: moderatorsUp,
    prepare: () => {
      const q = question();
      t.db.$client.prepare("insert into flags (post_type, post_id, question_id, author_id, flagger_id, reason, created_at) values ('question', ?, ?, ?, ?, 'staff', ?)").run(q, q, other, other, Date.now());
      return { q };
    },
    api: (f) => ({ url: `/moderation/posts/question/${f.q}/dismiss` }),
    html: (f) => ({ url: `/moderation/posts/question/${f.q}/dismiss` }),
  },
  { name: 'warn', expected: moderatorsUp, prepare: async () => ({ u: await target() }), api: (f) => ({ url: `/moderation/users/${f.u}/warn`, payload: { message: 'Please keep it civil here.' } }), html: (f) => ({ url: `/moderation/users/${f.u}/warn`, fields: { message: 'Please keep it civil here.' } }) },
  { name: 'suspend', expected: moderatorsUp, prepare: async () => ({ u: await target() }), api: (f) => ({ url: `/moderation/users/${f.u}/suspend`, payload: { days: 3, reason: 'insults' } }), html: (f) => ({ url: `/moderation/users/${f.u}/suspend`, fields: { days: '3', reason: 'insults' } }) },
  {
    name: 'lift a suspension',
    expected: moderatorsUp,
    prepare: async () => {
      const u = await target();
      t.db.update(users).set({ suspendedUntil: new Date(Date.now() + 86_400_000) }).where(eq(users.id, u)).run();
      return { u };
    },
    api: (f) => ({ url: `/moderation/users/${f.u}/unsuspend` }),
    html: (f) => ({ url: `/moderation/users/${f.u}/unsuspend` }),
  },
  { name: 'spammer', expected: moderatorsUp, prepare: async () => ({ u: await target() }), api: (f) => ({ url: `/moderation/users/${f.u}/spammer` }), html: (f) => ({ url: `/moderation/users/${f.u}/spammer` }) },
];

function check(role: RoleName, expected: Outcome, response: LightMyRequestResponse, transport: string) {
  const label = `${role} via ${transport}: ${response.statusCode} ${response.body.slice(0, 160)}`;
  if (expected === 'ok') expect(response.statusCode, label).toBeLessThan(400);
  else expect(response.statusCode, label).toBe(expected);
}

describe('moderation writes, every role, both doors', () => {
  for (const action of ACTIONS) {
    for (const role of ROLE_NAMES) {
      it(`${action.name} — ${role}: ${action.expected[role]}`, async () => {
        const actor = actors.get(role)!;
        for (const transport of ['api', 'html'] as const) {
          const fx = await action.prepare();
          const before = snapshot();
          let response: LightMyRequestResponse;
          if (transport === 'api') {
            const { url, payload } = action.api(fx);
            response = await t.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: actor.auth, ...(payload ? { payload } : {}) });
          } else {
            const { url, fields } = action.html(fx);
            const csrf = await actor.browser.csrfToken(role === 'suspended' ? '/account/suspended' : '/');
            response = await actor.browser.submit(url, fields ?? {}, { csrf });
          }
          check(role, action.expected[role], response, transport);
          if (action.expected[role] !== 'ok') expect(snapshot(), `${role} via ${transport} wrote nothing`).toBe(before);
          else expect(snapshot(), `${role} via ${transport} wrote`).not.toBe(before);
        }
      });
    }
  }
});

describe('moderation reads, every role', () => {
  const READS: { name: string; url: string; expected: Record<RoleName, Outcome | 303>; api?: boolean }[] = [
    { name: 'review queue page', url: '/moderation', expected: { visitor: 303, member: 403, trusted: 403, suspended: 303, moderator: 'ok', staff: 'ok', admin: 'ok' } },
    { name: 'review queue API', url: '/api/v1/moderation/queue', api: true, expected: { visitor: 401, member: 403, trusted: 403, suspended: 403, moderator: 'ok', staff: 'ok', admin: 'ok' } },
    { name: 'public log page', url: '/moderation/log', expected: { visitor: 'ok', member: 'ok', trusted: 'ok', suspended: 303, moderator: 'ok', staff: 'ok', admin: 'ok' } },
    { name: 'public log feed', url: '/moderation/log.atom', expected: { visitor: 'ok', member: 'ok', trusted: 'ok', suspended: 303, moderator: 'ok', staff: 'ok', admin: 'ok' } },
    { name: 'public log API', url: '/api/v1/moderation/log', api: true, expected: { visitor: 'ok', member: 'ok', trusted: 'ok', suspended: 'ok', moderator: 'ok', staff: 'ok', admin: 'ok' } },
    { name: 'my flags API', url: '/api/v1/flags/mine', api: true, expected: { visitor: 401, member: 'ok', trusted: 'ok', suspended: 'ok', moderator: 'ok', staff: 'ok', admin: 'ok' } },
    { name: 'my messages API', url: '/api/v1/moderation/messages', api: true, expected: { visitor: 401, member: 'ok', trusted: 'ok', suspended: 'ok', moderator: 'ok', staff: 'ok', admin: 'ok' } },
    { name: 'suspension page', url: '/account/suspended', expected: { visitor: 303, member: 'ok', trusted: 'ok', suspended: 'ok', moderator: 'ok', staff: 'ok', admin: 'ok' } },
  ];
  for (const read of READS) {
    it(`${read.name}`, async () => {
      for (const role of ROLE_NAMES) {
        const actor = actors.get(role)!;
        const response = read.api ? await t.app.inject({ url: read.url, headers: actor.auth }) : await actor.browser.get(read.url);
        const expected = read.expected[role];
        const label = `${role}: ${response.statusCode}`;
        if (expected === 'ok') expect(response.statusCode, label).toBe(200);
        else expect(response.statusCode, label).toBe(expected);
      }
    });
  }
});

describe('choosing a duplicate’s original, every role', () => {
  // Words in the original field answer with the "choose the original" page: the same doors as the flag and the
  // close vote, and nothing is written by anyone until an original is chosen.
  const chooseOutcome: Record<RoleName, Outcome> = byReputation;
  for (const [name, form] of [
    ['flag as duplicate, words', (q: number) => ({ url: '/flags', fields: { postType: 'question', postId: String(q), reason: 'duplicate', duplicateOfId: 'modem lights' } })],
    ['close as duplicate, words', (q: number) => ({ url: `/questions/${q}/close`, fields: { reason: 'duplicate', duplicateOfId: 'modem lights' } })],
  ] as const) {
    it(`${name}: the choose page for those who may, nothing written by anyone`, async () => {
      for (const role of ROLE_NAMES) {
        const actor = actors.get(role)!;
        const { url, fields } = form(question());
        const before = snapshot();
        const csrf = await actor.browser.csrfToken(role === 'suspended' ? '/account/suspended' : '/');
        const response = await actor.browser.submit(url, fields, { csrf });
        check(role, chooseOutcome[role], response, 'html');
        if (chooseOutcome[role] === 'ok') expect(response.body, role).toContain('name="duplicateOfId"');
        expect(snapshot(), `${role} wrote nothing`).toBe(before);
      }
    });
  }

  it('original candidates API: every signed-in member (suspended too: it only reads public questions), not visitors', async () => {
    const q = question();
    for (const role of ROLE_NAMES) {
      const actor = actors.get(role)!;
      const response = await t.app.inject({ url: `/api/v1/questions/${q}/original-candidates?q=modem`, headers: actor.auth });
      expect(response.statusCode, role).toBe(role === 'visitor' ? 401 : 200);
    }
  });
});
