// Who may do what: every role against every action, through the JSON API with bearer tokens and through the
// HTML forms with a session cookie and the CSRF token. A refused action answers 401 or 403 and writes nothing.
import type { LightMyRequestResponse } from 'fastify';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users } from '../../src/db/schema.ts';
import { postAnswer } from '../../src/features/answers/service.ts';
import type { Poster } from '../../src/features/questions/limits.ts';
import { askQuestion } from '../../src/features/questions/service.ts';
import { getSettings, setSetting } from '../../src/features/settings/service.ts';
import { record } from '../../src/features/votes/reputation.ts';
import { Browser, buildTestApp, createUser, tokenFor, type TestApp } from '../helper.ts';

type RoleName = 'visitor' | 'member' | 'trusted' | 'moderator' | 'staff' | 'admin';
type Outcome = 'ok' | 401 | 403;
type Transport = 'api' | 'html';

interface Actor {
  role: RoleName;
  /** Absent for the visitor. */
  user?: { id: number; username: string };
  /** Bearer header for the API (empty for the visitor). */
  auth: Record<string, string>;
  /** A browser signed in through the sign-in form (a fresh anonymous one for the visitor). */
  browser: Browser;
}

const ROLE_NAMES: RoleName[] = ['visitor', 'member', 'trusted', 'moderator', 'staff', 'admin'];

let t: TestApp;
let other: number;
let third: number;
const actors = new Map<RoleName, Actor>();
let seq = 0;

beforeAll(async () => {
  t = await buildTestApp();
  setSetting(t.db, 'secondsBetweenPosts', 0);
  setSetting(t.db, 'newMemberSecondsBetweenPosts', 0);
  setSetting(t.db, 'newMemberQuestionsPerDay', 1000);
  setSetting(t.db, 'newMemberAnswersPerDay', 1000);
  setSetting(t.db, 'postsPerIpPerMinute', 10_000);
  // Every actor signs in twice (form and API) from one address: more than one address's sign-in budget.
  setSetting(t.db, 'signInPerIpPerMinute', 10_000);

  other = (await createUser(t.db)).id;
  third = (await createUser(t.db)).id;
  actors.set('visitor', { role: 'visitor', auth: {}, browser: new Browser(t.app) });
  for (const role of ROLE_NAMES.slice(1)) {
    const { user, auth } = await tokenFor(t.app, t.db, role === 'trusted' ? 'member' : (role as Exclude<RoleName, 'visitor' | 'trusted'>));
    // "trusted": a member with every privilege earned by reputation (editing others needs 2,000).
    if (role === 'trusted') t.db.transaction((tx) => record(tx, [{ userId: user.id, delta: 2_499, reason: 'test_grant' }], new Date()));
    const browser = new Browser(t.app);
    const signIn = await browser.submit('/signin', { login: user.username, password: user.password });
    expect(signIn.statusCode).toBe(303);
    actors.set(role, { role, user, auth, browser });
  }
});
afterAll(async () => {
  await t?.close();
});

function poster(id: number): Poster {
  return t.db.select({ id: users.id, role: users.role, reputation: users.reputation, createdAt: users.createdAt }).from(users).where(eq(users.id, id)).get()!;
}

function question(authorId: number): { id: number; title: string } {
  const n = ++seq;
  const title = `Fixture question ${n} about the set-top box`;
  const { id } = askQuestion(t.db, poster(authorId), { title, body: `Fixture body ${n}: the box restarts every hour.`, tags: ['tv', 'box'] }, getSettings(t.db));
  return { id, title };
}

function answer(authorId: number, questionId: number): number {
  return postAnswer(t.db, poster(authorId), questionId, { body: `Fixture answer ${++seq}: update the firmware first.` }, getSettings(t.db)).id;
}

/** Whose "own" post: the actor's, or (for the visitor, who has none) someone else's. */
const ownerOf = (actor: Actor) => actor.user?.id ?? other;

/** Everything an action could write, in one comparable string. */
function snapshot(): string {
  return JSON.stringify(
    t.db.$client
      .prepare(
        `select
          (select count(*) from questions) as questions,
          (select count(*) from questions where deleted_at is not null) as deletedQuestions,
          (select count(*) from answers) as answers,
          (select count(*) from answers where deleted_at is not null) as deletedAnswers,
          (select count(*) from answers where official = 1) as official,
          (select coalesce(sum(accepted_answer_id), 0) from questions) as accepted,
          (select count(*) from comments) as comments,
          (select count(*) from votes) as votes,
          (select count(*) from revisions) as revisions,
          (select count(*) from reputation_events) as ledger,
          (select count(*) from search_changes) as searchChanges`,
      )
      .get(),
  );
}

interface Action {
  name: string;
  expected: Record<RoleName, Outcome>;
  /** Creates what the action needs; returns what the requests use. */
  prepare: (actor: Actor) => Record<string, number | string>;
  api?: (actor: Actor, fx: Record<string, number | string>) => Promise<LightMyRequestResponse>;
  html?: (actor: Actor, fx: Record<string, number | string>) => Promise<LightMyRequestResponse>;
}

const everyone = (outcome: Outcome): Record<RoleName, Outcome> => ({ visitor: 401, member: outcome, trusted: outcome, moderator: outcome, staff: outcome, admin: outcome });
const byReputation: Record<RoleName, Outcome> = { visitor: 401, member: 403, trusted: 'ok', moderator: 'ok', staff: 'ok', admin: 'ok' };
const moderatorsUp: Record<RoleName, Outcome> = { visitor: 401, member: 403, trusted: 403, moderator: 'ok', staff: 'ok', admin: 'ok' };
const staffUp: Record<RoleName, Outcome> = { visitor: 401, member: 403, trusted: 403, moderator: 403, staff: 'ok', admin: 'ok' };

const api = (actor: Actor, method: 'POST' | 'PATCH', url: string, payload: unknown) => t.app.inject({ method, url: `/api/v1${url}`, headers: actor.auth, payload: payload as object });
const form = (actor: Actor, url: string, fields: Record<string, string | number>) =>
  actor.browser.submit(url, Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v)])));

const body = () => `A body written for this test, number ${++seq}, long enough.`;
const comment = () => `A comment for this test, number ${++seq}.`;

const ACTIONS: Action[] = [
  {
    name: 'ask',
    expected: everyone('ok'),
    prepare: () => ({}),
    api: (a) => api(a, 'POST', '/questions', { title: `Asked in test number ${++seq}`, body: body(), tags: ['router'] }),
    html: (a) => form(a, '/questions/ask', { title: `Asked in test number ${++seq}`, body: body(), tags: 'router wifi' }),
  },
  {
    name: 'answer',
    expected: everyone('ok'),
    prepare: () => ({ q: question(other).id }),
    api: (a, fx) => api(a, 'POST', `/questions/${fx.q}/answers`, { body: body() }),
    html: (a, fx) => form(a, `/questions/${fx.q}/answers`, { body: body() }),
  },
  {
    name: 'edit own question',
    expected: everyone('ok'),
    prepare: (a) => {
      const q = question(ownerOf(a));
      return { q: q.id, title: q.title };
    },
    api: (a, fx) => api(a, 'PATCH', `/questions/${fx.q}`, { body: body(), comment: 'clarified' }),
    html: (a, fx) => form(a, `/questions/${fx.q}/edit`, { title: fx.title, body: body(), tags: 'tv box', comment: 'clarified' }),
  },
  {
    name: 'edit own answer',
    expected: everyone('ok'),
    prepare: (a) => ({ a: answer(ownerOf(a), question(third).id) }),
    api: (a, fx) => api(a, 'PATCH', `/answers/${fx.a}`, { body: body(), comment: 'typo' }),
    html: (a, fx) => form(a, `/answers/${fx.a}/edit`, { body: body(), comment: 'typo' }),
  },
  {
    name: "edit others' question",
    expected: byReputation,
    prepare: () => {
      const q = question(other);
      return { q: q.id, title: q.title };
    },
    api: (a, fx) => api(a, 'PATCH', `/questions/${fx.q}`, { body: body(), comment: 'copy-edited' }),
    html: (a, fx) => form(a, `/questions/${fx.q}/edit`, { title: fx.title, body: body(), tags: 'tv box', comment: 'copy-edited' }),
  },
  {
    name: "edit others' answer",
    expected: byReputation,
    prepare: () => ({ a: answer(other, question(third).id) }),
    api: (a, fx) => api(a, 'PATCH', `/answers/${fx.a}`, { body: body() }),
    html: (a, fx) => form(a, `/answers/${fx.a}/edit`, { body: body() }),
  },
  {
    name: 'vote up',
    expected: byReputation,
    prepare: () => ({ q: question(other).id }),
    api: (a, fx) => api(a, 'POST', '/votes', { postType: 'question', postId: fx.q, value: 1 }),
    html: (a, fx) => form(a, '/votes', { postType: 'question', postId: fx.q, value: 1 }),
  },
  {
    name: 'vote down',
    expected: byReputation,
    prepare: () => ({ a: answer(other, question(third).id) }),
    api: (a, fx) => api(a, 'POST', '/votes', { postType: 'answer', postId: fx.a, value: -1 }),
    html: (a, fx) => form(a, '/votes', { postType: 'answer', postId: fx.a, value: -1 }),
  },
  {
    name: 'vote on own post',
    expected: { ...everyone(403), visitor: 401 },
    prepare: (a) => ({ q: question(ownerOf(a)).id }),
    api: (a, fx) => api(a, 'POST', '/votes', { postType: 'question', postId: fx.q, value: 1 }),
    html: (a, fx) => form(a, '/votes', { postType: 'question', postId: fx.q, value: 1 }),
  },
  {
    name: "comment on others' question",
    expected: byReputation,
    prepare: () => ({ q: question(other).id }),
    api: (a, fx) => api(a, 'POST', '/comments', { postType: 'question', postId: fx.q, body: comment() }),
    html: (a, fx) => form(a, '/comments', { postType: 'question', postId: fx.q, body: comment() }),
  },
  {
    name: 'comment on own question',
    expected: everyone('ok'),
    prepare: (a) => ({ q: question(ownerOf(a)).id }),
    api: (a, fx) => api(a, 'POST', '/comments', { postType: 'question', postId: fx.q, body: comment() }),
    html: (a, fx) => form(a, '/comments', { postType: 'question', postId: fx.q, body: comment() }),
  },
  {
    name: 'comment on an answer to own question',
    expected: everyone('ok'),
    prepare: (a) => ({ a: answer(other === ownerOf(a) ? third : other, question(ownerOf(a)).id) }),
    api: (a, fx) => api(a, 'POST', '/comments', { postType: 'answer', postId: fx.a, body: comment() }),
    html: (a, fx) => form(a, '/comments', { postType: 'answer', postId: fx.a, body: comment() }),
  },
  {
    name: 'accept as the asker',
    expected: everyone('ok'),
    prepare: (a) => {
      const q = question(ownerOf(a)).id;
      return { q, a: answer(other === ownerOf(a) ? third : other, q) };
    },
    api: (a, fx) => api(a, 'POST', `/questions/${fx.q}/accept`, { answerId: fx.a }),
    html: (a, fx) => form(a, `/questions/${fx.q}/accept`, { answerId: fx.a }),
  },
  {
    name: "accept on someone else's question",
    expected: moderatorsUp,
    prepare: () => {
      const q = question(other).id;
      return { q, a: answer(third, q) };
    },
    api: (a, fx) => api(a, 'POST', `/questions/${fx.q}/accept`, { answerId: fx.a }),
    html: (a, fx) => form(a, `/questions/${fx.q}/accept`, { answerId: fx.a }),
  },
  {
    name: 'mark an answer official',
    expected: staffUp,
    prepare: () => ({ a: answer(other, question(third).id) }),
    html: (a, fx) => form(a, `/answers/${fx.a}/official`, { official: 'true' }),
  },
  {
    name: "delete others' answer",
    expected: moderatorsUp,
    prepare: () => ({ a: answer(other, question(third).id) }),
    html: (a, fx) => form(a, `/answers/${fx.a}/delete`, {}),
  },
  {
    name: "delete others' question",
    expected: moderatorsUp,
    prepare: () => ({ q: question(other).id }),
    html: (a, fx) => form(a, `/questions/${fx.q}/delete`, {}),
  },
  {
    name: 'delete own question without answers',
    expected: everyone('ok'),
    prepare: (a) => ({ q: question(ownerOf(a)).id }),
    html: (a, fx) => form(a, `/questions/${fx.q}/delete`, {}),
  },
  {
    name: 'delete own answer',
    expected: everyone('ok'),
    prepare: (a) => ({ a: answer(ownerOf(a), question(third).id) }),
    html: (a, fx) => form(a, `/answers/${fx.a}/delete`, {}),
  },
];

/** What the response means: done, sign-in needed, or not allowed. Anything else is shown as is. */
function outcomeOf(transport: Transport, response: LightMyRequestResponse): Outcome | string {
  if (transport === 'api') {
    if (response.statusCode === 200 || response.statusCode === 201) return 'ok';
    if (response.statusCode === 401 || response.statusCode === 403) {
      expect(response.json().error.code).toMatch(/^[a-z_]+$/);
      return response.statusCode;
    }
    return `${response.statusCode} ${response.body.slice(0, 200)}`;
  }
  if (response.statusCode === 303) {
    const location = String(response.headers.location);
    // The answer form sends a visitor to sign in first and back to the thread.
    return location.startsWith('/signin?next=') ? 401 : 'ok';
  }
  if (response.statusCode === 401 || response.statusCode === 403) {
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    return response.statusCode;
  }
  return `${response.statusCode} ${response.body.slice(0, 200)}`;
}

describe.each(ACTIONS)('$name', (action) => {
  const cases = ROLE_NAMES.flatMap((role) =>
    (['api', 'html'] as Transport[]).filter((transport) => action[transport]).map((transport) => ({ role, transport, expected: action.expected[role] })),
  );
  it.each(cases)('$role via $transport → $expected', async ({ role, transport, expected }) => {
    const actor = actors.get(role)!;
    const fixture = action.prepare(actor);
    const before = snapshot();
    const response = await action[transport]!(actor, fixture);
    expect(outcomeOf(transport, response)).toBe(expected);
    if (expected === 'ok') expect(snapshot(), 'an allowed action changes something').not.toBe(before);
    else expect(snapshot(), 'a refused action writes nothing').toBe(before);
  });
});

describe('what the roles are, as the forum sees them', () => {
  it('the member starts at reputation 1 and stays under every threshold; the trusted member is above all of them', async () => {
    const member = await t.app.inject({ method: 'GET', url: `/api/v1/users/${actors.get('member')!.user!.username}` });
    expect(member.json().role).toBe('member');
    expect(member.json().reputation).toBeLessThan(15);
    const trusted = await t.app.inject({ method: 'GET', url: `/api/v1/users/${actors.get('trusted')!.user!.username}` });
    expect(trusted.json().role).toBe('member');
    expect(trusted.json().reputation).toBeGreaterThanOrEqual(2000);
    for (const role of ['moderator', 'staff', 'admin'] as const) {
      const profile = await t.app.inject({ method: 'GET', url: `/api/v1/users/${actors.get(role)!.user!.username}` });
      expect(profile.json().role).toBe(role);
      expect(profile.json().reputation).toBeLessThan(15);
    }
  });

  it('the thread page offers each viewer only the controls they may use', async () => {
    const q = question(other).id;
    answer(third, q);
    const follow = async (role: RoleName) => {
      const first = await actors.get(role)!.browser.get(`/questions/${q}`);
      return first.statusCode === 301 ? (await actors.get(role)!.browser.get(String(first.headers.location))).body : first.body;
    };
    const visitor = await follow('visitor');
    expect(visitor).not.toContain('class="vote-up"');
    expect(visitor).not.toContain('action="/comments"');
    expect(visitor).toContain('/signin?next=');
    const member = await follow('member');
    expect(member).not.toContain('class="vote-up"');
    expect(member).not.toContain('class="vote-down"');
    expect(member).not.toContain(`action="/questions/${q}/accept"`);
    expect(member).not.toContain('/official"');
    const trusted = await follow('trusted');
    expect(trusted).toContain('class="vote-up"');
    expect(trusted).toContain('class="vote-down"');
    expect(trusted).toContain(`href="/questions/${q}/edit"`);
    expect(trusted).not.toContain(`action="/questions/${q}/accept"`);
    const moderator = await follow('moderator');
    expect(moderator).toContain(`action="/questions/${q}/accept"`);
    expect(moderator).not.toContain('/official"');
    expect(moderator).toContain(`action="/questions/${q}/delete"`);
    const staff = await follow('staff');
    expect(staff).toContain('/official"');
  });

  it('each privilege starts exactly at its threshold: 15 vote up, 50 comment everywhere, 125 vote down, 2,000 edit others', async () => {
    const { user, auth } = await tokenFor(t.app, t.db);
    const setReputation = (target: number) => {
      const current = t.db.select({ reputation: users.reputation }).from(users).where(eq(users.id, user.id)).get()!.reputation;
      t.db.transaction((tx) => record(tx, [{ userId: user.id, delta: target - current, reason: 'test_grant' }], new Date()));
    };
    const actor: Actor = { role: 'member', auth, browser: new Browser(t.app) };
    const attempts: [string, number, () => Promise<LightMyRequestResponse>][] = [
      ['vote up', 15, () => api(actor, 'POST', '/votes', { postType: 'question', postId: question(other).id, value: 1 })],
      ['comment everywhere', 50, () => api(actor, 'POST', '/comments', { postType: 'question', postId: question(other).id, body: comment() })],
      ['vote down', 125, () => api(actor, 'POST', '/votes', { postType: 'question', postId: question(other).id, value: -1 })],
      ['edit others', 2000, () => api(actor, 'PATCH', `/questions/${question(other).id}`, { body: body() })],
    ];
    for (const [privilege, threshold, attempt] of attempts) {
      setReputation(threshold - 1);
      expect((await attempt()).statusCode, `${privilege} at ${threshold - 1}`).toBe(403);
      setReputation(threshold);
      expect([200, 201], `${privilege} at ${threshold}`).toContain((await attempt()).statusCode);
    }
  });

  it('thresholds are settings: lowering one gives the privilege at once', async () => {
    const { auth } = await tokenFor(t.app, t.db);
    const attempt = () => t.app.inject({ method: 'POST', url: '/api/v1/comments', headers: auth, payload: { postType: 'question', postId: question(other).id, body: comment() } });
    expect((await attempt()).statusCode).toBe(403);
    setSetting(t.db, 'privilegeCommentEverywhere', 1);
    try {
      expect((await attempt()).statusCode).toBe(201);
    } finally {
      setSetting(t.db, 'privilegeCommentEverywhere', 50);
    }
    expect((await attempt()).statusCode).toBe(403);
  });

  it('an HTML form without its CSRF token is refused even for an admin, and writes nothing', async () => {
    const admin = actors.get('admin')!;
    const a = answer(other, question(third).id);
    const before = snapshot();
    const response = await admin.browser.submit(`/answers/${a}/official`, { official: 'true' }, { csrf: null });
    expect(response.statusCode).toBe(403);
    expect(snapshot()).toBe(before);
  });

  it('a cookie-authenticated API write needs the x-csrf-token header; a bearer one does not', async () => {
    const member = actors.get('member')!;
    const q = question(other).id;
    const without = await member.browser.api('POST', `/api/v1/questions/${q}/answers`, { body: body() });
    expect(without.statusCode).toBe(403);
    const token = await member.browser.csrfToken();
    const withToken = await member.browser.api('POST', `/api/v1/questions/${q}/answers`, { body: body() }, token);
    expect(withToken.statusCode).toBe(201);
    const bearer = await t.app.inject({ method: 'POST', url: `/api/v1/questions/${q}/answers`, headers: member.auth, payload: { body: body() } });
    expect(bearer.statusCode).toBe(201);
  });

  it('an answer written by staff or an admin is official from the start; a moderator’s or member’s is not', async () => {
    const q = question(other).id;
    const ids: Record<string, number> = {};
    for (const role of ['member', 'moderator', 'staff', 'admin'] as const) {
      const response = await t.app.inject({ method: 'POST', url: `/api/v1/questions/${q}/answers`, headers: actors.get(role)!.auth, payload: { body: body() } });
      expect(response.statusCode).toBe(201);
      ids[role] = response.json().id;
    }
    const thread = (await t.app.inject({ method: 'GET', url: `/api/v1/questions/${q}` })).json();
    const official = Object.fromEntries(thread.answers.map((a: { id: number; official: boolean }) => [a.id, a.official]));
    expect(official).toEqual({ [ids.member]: false, [ids.moderator]: false, [ids.staff]: true, [ids.admin]: true });
  });

  it('staff can take the official mark off again; the thread shows the badge only while it is on', async () => {
    const staff = actors.get('staff')!;
    const q = question(other);
    const a = answer(third, q.id);
    const threadPage = async () => (await actors.get('visitor')!.browser.get(`/questions/${q.id}/${q.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`)).body;
    expect(await threadPage()).not.toContain('badge-official');
    expect((await staff.browser.submit(`/answers/${a}/official`, { official: 'true' })).statusCode).toBe(303);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/questions/${q.id}` })).json().answers[0].official).toBe(true);
    expect(await threadPage()).toContain('badge-official');
    expect((await staff.browser.submit(`/answers/${a}/official`, { official: 'false' })).statusCode).toBe(303);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/questions/${q.id}` })).json().answers[0].official).toBe(false);
    expect(await threadPage()).not.toContain('badge-official');
  });

  it('an author may not delete their own question once it has answers; a moderator may', async () => {
    const member = actors.get('member')!;
    const q = question(member.user!.id).id;
    answer(other, q);
    const refused = await member.browser.submit(`/questions/${q}/delete`, {});
    expect(refused.statusCode).toBe(403);
    const byModerator = await actors.get('moderator')!.browser.submit(`/questions/${q}/delete`, {});
    expect(byModerator.statusCode).toBe(303);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/questions/${q}` })).statusCode).toBe(404);
  });

  it('a member refused an edit of someone else’s post does not even get the edit form (404)', async () => {
    const q = question(other).id;
    expect((await actors.get('member')!.browser.get(`/questions/${q}/edit`)).statusCode).toBe(404);
    expect((await actors.get('trusted')!.browser.get(`/questions/${q}/edit`)).statusCode).toBe(200);
    const visitor = await actors.get('visitor')!.browser.get(`/questions/${q}/edit`);
    expect(visitor.statusCode).toBe(303);
    expect(visitor.headers.location).toBe(`/signin?next=${encodeURIComponent(`/questions/${q}/edit`)}`);
  });
});
