// Attempts to gain a role or authority one was not given: extra fields on sign-up and posts, the setup link
// once an admin exists, stale sessions after a demotion, forged and swapped tokens and cookies. All denied.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/features/accounts/sessions.ts';
import { setRole } from '../../src/features/accounts/service.ts';
import { setSetting } from '../../src/features/settings/service.ts';
import { Visitor, nextIp } from '../fixtures/hostile.ts';
import { STRONG_PASSWORD, buildTestApp, createUser, tokenFor, type TestApp } from '../helper.ts';

const SETUP_TOKEN = 'tok_' + '0badc0ffee99'.repeat(3);
const REPORT = '/staff/reports/deflection';
const REPORT_API = '/api/v1/reports/deflection';

let t: TestApp;
let seq = 0;
const fresh = (prefix = 'esc') => `${prefix}${++seq}_${process.pid}`;
const roleOf = (username: string) =>
  (t.db.$client.prepare('select role, reputation from users where username_key = ?').get(username.toLowerCase()) as { role: string; reputation: number } | undefined);

beforeAll(async () => {
  t = await buildTestApp({ setupToken: SETUP_TOKEN });
  for (const key of ['postsPerIpPerMinute', 'signInPerIpPerMinute', 'signUpPerIpPerHour'] as const) setSetting(t.db, key, 10_000);
  setSetting(t.db, 'secondsBetweenPosts', 0);
  setSetting(t.db, 'newMemberSecondsBetweenPosts', 0);
  await createUser(t.db, 'admin', fresh('firstadmin'));
});
afterAll(async () => {
  await t?.close();
});

describe('a new account is a member, whatever the request says', () => {
  const extras = { role: 'admin', reputation: '100000', id: '1', suspendedAt: '', usernameKey: 'root', displayName: 'Administrator' };

  it('the sign-up form ignores role, reputation and other columns it does not ask for', async () => {
    const username = fresh();
    const response = await new Visitor(t.app).submit('/signup', { username, email: `${username}@example.com`, password: STRONG_PASSWORD, ...extras });
    expect(response.statusCode).toBe(303);
    expect(roleOf(username)).toEqual({ role: 'member', reputation: 1 });
  });

  it('POST /api/v1/users ignores them too: the account it made is a member', async () => {
    const username = fresh();
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      remoteAddress: nextIp(),
      payload: { username, email: `${username}@example.com`, password: STRONG_PASSWORD, ...extras, reputation: 100000, role: 'admin' },
    });
    expect(response.statusCode).toBe(202);
    expect(roleOf(username)).toEqual({ role: 'member', reputation: 1 });
    const profile = await t.app.inject({ method: 'GET', url: `/api/v1/users/${username}` });
    expect(profile.json().role).toBe('member');
  });

  it('the setup link makes no second administrator once there is one: 404, nobody created', async () => {
    const visitor = new Visitor(t.app);
    expect((await visitor.get(`/setup/${SETUP_TOKEN}`)).statusCode).toBe(404);
    const username = fresh('setupagain');
    const response = await visitor.submit(`/setup/${SETUP_TOKEN}`, { username, email: `${username}@example.com`, password: STRONG_PASSWORD });
    expect(response.statusCode).toBe(404);
    expect(roleOf(username)).toBeUndefined();
  });
});

describe('authority that a request claims but was not given', () => {
  it('a member’s answer is not official, even when the request says so', async () => {
    const member = await tokenFor(t.app, t.db, 'member');
    const staff = await tokenFor(t.app, t.db, 'staff');
    const asked = await t.app.inject({ method: 'POST', url: '/api/v1/questions', headers: staff.auth, payload: { title: 'A question where a member claims to be staff', body: 'Answers by members are never official.', tags: ['roles'] } });
    expect(asked.statusCode).toBe(201);
    const answered = await t.app.inject({ method: 'POST', url: `/api/v1/questions/${asked.json().id}/answers`, headers: member.auth, payload: { body: 'An answer that says it is official.', official: true } });
    expect(answered.statusCode).toBe(201);
    const row = t.db.$client.prepare('select official from answers where id = ?').get(answered.json().id) as { official: number };
    expect(row.official).toBe(0);
  });

  it('members and moderators get 403 from the staff report, page and API; staff get it', async () => {
    for (const role of ['member', 'moderator'] as const) {
      const { auth } = await tokenFor(t.app, t.db, role);
      expect((await t.app.inject({ method: 'GET', url: REPORT_API, headers: auth })).statusCode, role).toBe(403);
      const user = await createUser(t.db, role);
      const visitor = new Visitor(t.app);
      await visitor.submit('/signin', { login: user.username, password: user.password });
      expect((await visitor.get(REPORT)).statusCode, role).toBe(403);
    }
    const { auth } = await tokenFor(t.app, t.db, 'staff');
    expect((await t.app.inject({ method: 'GET', url: REPORT_API, headers: auth })).statusCode).toBe(200);
  });

  it('a demotion takes effect at once: the old cookie session and bearer token stop working', async () => {
    const staff = await createUser(t.db, 'staff');
    const visitor = new Visitor(t.app);
    expect((await visitor.submit('/signin', { login: staff.username, password: staff.password })).statusCode).toBe(303);
    const token = await t.app.inject({ method: 'POST', url: '/api/v1/session', remoteAddress: nextIp(), payload: { login: staff.username, password: staff.password } });
    const auth = { authorization: `Bearer ${token.json().token}` };
    expect((await visitor.get(REPORT)).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: REPORT_API, headers: auth })).statusCode).toBe(200);

    setRole(t.db, staff.username, 'member');
    expect((await visitor.get(REPORT)).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: REPORT_API, headers: auth })).statusCode).toBe(401);
    // Signing in again gives a member's session, not the old role.
    const again = new Visitor(t.app);
    await again.submit('/signin', { login: staff.username, password: staff.password });
    expect((await again.get(REPORT)).statusCode).toBe(403);
  });

  it('a suspended account’s sessions and tokens are refused, and it cannot sign in', async () => {
    const { user, auth } = await tokenFor(t.app, t.db, 'staff');
    t.db.$client.prepare('update users set suspended_at = ? where id = ?').run(Date.now(), user.id);
    expect((await t.app.inject({ method: 'GET', url: REPORT_API, headers: auth })).statusCode).toBe(401);
    const signIn = await t.app.inject({ method: 'POST', url: '/api/v1/session', remoteAddress: nextIp(), payload: { login: user.username, password: user.password } });
    expect(signIn.statusCode).toBe(403);
  });
});

describe('forged and swapped credentials', () => {
  it('what the database stores (the SHA-256 of a session) is not a session', async () => {
    const { user, auth } = await tokenFor(t.app, t.db, 'admin');
    const stored = t.db.$client.prepare('select id from sessions where user_id = ?').get(user.id) as { id: string };
    expect(stored.id).toBe(hashToken(auth.authorization.slice('Bearer '.length)));
    expect((await t.app.inject({ method: 'GET', url: REPORT_API, headers: { authorization: `Bearer ${stored.id}` } })).statusCode).toBe(401);
    const page = await t.app.inject({ method: 'GET', url: REPORT, headers: { cookie: `resuelto_session=${stored.id}` } });
    expect(page.statusCode).toBe(401);
  });

  it('a bearer token is not a cookie session, and a cookie session is not a bearer token', async () => {
    const { auth } = await tokenFor(t.app, t.db, 'staff');
    const bearer = auth.authorization.slice('Bearer '.length);
    expect((await t.app.inject({ method: 'GET', url: REPORT, headers: { cookie: `resuelto_session=${bearer}` } })).statusCode).toBe(401);

    const staff = await createUser(t.db, 'staff');
    const visitor = new Visitor(t.app);
    await visitor.submit('/signin', { login: staff.username, password: staff.password });
    const cookieToken = visitor.cookies.get('resuelto_session')!;
    expect((await t.app.inject({ method: 'GET', url: REPORT_API, headers: { authorization: `Bearer ${cookieToken}` } })).statusCode).toBe(401);
  });

  it('a device cookie naming an administrator signs nobody in and grants nothing', async () => {
    const admin = (t.db.$client.prepare("select id from users where role = 'admin' limit 1").get() as { id: number }).id;
    const visitor = new Visitor(t.app);
    visitor.cookies.set('resuelto_device', `${admin}.AAAAAAAAAAAAAAAAAAAAAA`);
    expect((await visitor.get(REPORT)).statusCode).toBe(401);
    expect((await visitor.get('/')).body).not.toContain('action="/signout"');
  });

  it('an Authorization header with a bad token is refused outright, even with a good session cookie beside it', async () => {
    const staff = await createUser(t.db, 'staff');
    const visitor = new Visitor(t.app);
    await visitor.submit('/signin', { login: staff.username, password: staff.password });
    const response = await t.app.inject({ method: 'GET', url: REPORT_API, headers: { cookie: visitor.cookieHeader(), authorization: 'Bearer not-a-token' } });
    expect(response.statusCode).toBe(401);
  });
});
