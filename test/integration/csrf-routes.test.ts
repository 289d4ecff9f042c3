// CSRF on every state-changing route, as the app itself lists them (not a hand-kept list): a cookie-authenticated
// write without a token, or with one from another browser, is 403 and writes nothing, for an administrator too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askQuestion } from '../../src/features/questions/service.ts';
import { getSettings, setSetting } from '../../src/features/settings/service.ts';
import { postAnswer } from '../../src/features/answers/service.ts';
import { Browser, buildTestApp, createUser, type TestApp } from '../helper.ts';

const SETUP_TOKEN = 'tok_' + 'f00dcafe1234'.repeat(3);
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const isApiPath = (path: string) => path.startsWith('/api/');

let t: TestApp;
let admin: { user: { username: string }; browser: Browser };
let values: Record<string, string>;

/** Every (method, path) the app routes, read from Fastify's own route tree (printRoutes). */
function routesOf(tree: string): { method: string; path: string }[] {
  const routes: { method: string; path: string }[] = [];
  const stack: { depth: number; path: string }[] = [];
  for (const line of tree.split('\n')) {
    const match = /^((?:[│ ] {3})*)(?:[├└]── )?(\S+) \(([A-Z, ]+)\)$/.exec(line.trimEnd());
    if (!match) continue;
    const depth = match[1].length / 4 + (line.includes('── ') ? 1 : 0);
    while (stack.length && stack[stack.length - 1].depth >= depth) stack.pop();
    const parent = stack.at(-1)?.path ?? '';
    const segment = match[2];
    const path = parent === '' ? segment : parent.endsWith('/') || segment.startsWith('/') ? parent + segment : `${parent}/${segment}`;
    stack.push({ depth, path });
    for (const method of match[3].split(', ')) routes.push({ method, path });
  }
  return routes;
}

/**
 * Routes that take no CSRF token by design, each authenticated another way: one-click unsubscribe (RFC 8058)
 * is POSTed by mail clients with no session, and its link carries an HMAC signature instead (a forged or
 * missing signature is a 404, tested in notifications.test.ts). Nothing else may be here.
 */
const SIGNED_LINK_ROUTES = new Set(['POST /unsubscribe/:userId/:kind/:signature']);
const csrfProtected = (route: { method: string; path: string }) => !SIGNED_LINK_ROUTES.has(`${route.method} ${route.path}`);

function counts(): string {
  const tables = (t.db.$client.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '__drizzle%'").all() as { name: string }[])
    .map((row) => row.name)
    .sort();
  return JSON.stringify(Object.fromEntries(tables.map((table) => [table, (t.db.$client.prepare(`select count(*) as n from "${table}"`).get() as { n: number }).n])));
}

function settingsRow(): string {
  return JSON.stringify(t.db.$client.prepare('select key, value from settings order by key').all());
}

beforeAll(async () => {
  t = await buildTestApp({ setupToken: SETUP_TOKEN });
  for (const key of ['postsPerIpPerMinute', 'signInPerIpPerMinute', 'signUpPerIpPerHour'] as const) setSetting(t.db, key, 10_000);
  const staff = await createUser(t.db, 'staff');
  const member = await createUser(t.db, 'member');
  const settings = getSettings(t.db);
  const poster = { id: staff.id, role: staff.role, reputation: 1, createdAt: new Date(0) };
  const q = askQuestion(t.db, poster, { title: 'A question for the CSRF route sweep', body: 'Every write route gets tried against it.', tags: ['csrf'] }, settings);
  const a = postAnswer(t.db, { ...poster, id: member.id, role: 'member' }, q.id, { body: 'An answer the sweep tries to edit, accept and delete.' }, settings);
  values = { id: String(q.id), slug: q.slug, token: SETUP_TOKEN, type: 'question', username: member.username, answerId: String(a.id) };

  const browser = new Browser(t.app);
  const user = await createUser(t.db, 'admin');
  const response = await browser.submit('/signin', { login: user.username, password: user.password });
  expect(response.statusCode).toBe(303);
  admin = { user, browser };
  // Background work the setup caused (notification fan-out, mail) done now, so that the sweep's before/after
  // counts see only what the tried requests wrote.
  await t.app.notifications.flush();
  await t.app.mail.flush();
  t.app.deflectionEvents.flush();
});
afterAll(async () => {
  await t?.close();
});

describe('every state-changing route refuses a cookie request without a valid CSRF token', () => {
  it('finds the write routes in the app', () => {
    const writes = routesOf(t.app.printRoutes({ commonPrefix: false })).filter((route) => WRITE_METHODS.has(route.method) && csrfProtected(route));
    // The sweep must really see the app's routes: sign-in, posting, the admin page and the API.
    expect(writes.length).toBeGreaterThanOrEqual(25);
    for (const expected of ['POST /signin', 'POST /signout', 'POST /questions/ask', 'POST /admin/settings', 'DELETE /api/v1/session', 'PATCH /api/v1/answers/:id']) {
      expect(writes.map((route) => `${route.method} ${route.path}`)).toContain(expected);
    }
  });

  it('refuses each one as a signed-in administrator, without a token and with another browser’s token: 403, nothing written', async () => {
    const writes = routesOf(t.app.printRoutes({ commonPrefix: false })).filter((route) => WRITE_METHODS.has(route.method) && csrfProtected(route));
    const stranger = new Browser(t.app);
    const foreignToken = await stranger.csrfToken();
    const refused: string[] = [];
    for (const route of writes) {
      const url = route.path.replace(/:(\w+)/g, (_match, name: string) => (name === 'id' && route.path.startsWith('/answers') ? values.answerId : values[name] ?? '1'));
      for (const token of [undefined, foreignToken]) {
        const before = counts() + settingsRow();
        const api = isApiPath(url);
        const response = await t.app.inject({
          method: route.method as 'POST',
          url,
          headers: {
            cookie: admin.browser.header(),
            'content-type': api ? 'application/json' : 'application/x-www-form-urlencoded',
            ...(api && token ? { 'x-csrf-token': token } : {}),
          },
          payload: api ? JSON.stringify({ body: 'written by a forged request', role: 'admin' }) : new URLSearchParams({ body: 'forged', role: 'admin', ...(token ? { _csrf: token } : {}) }).toString(),
        });
        const label = `${route.method} ${url} ${token ? 'foreign token' : 'no token'}`;
        expect(response.statusCode, label).toBe(403);
        if (api) expect(response.json().error.code, label).toBe('csrf_invalid');
        else expect(response.headers['content-type'], label).toMatch(/^text\/html/);
        expect(counts() + settingsRow(), `${label} wrote something`).toBe(before);
        refused.push(label);
      }
    }
    expect(refused.length).toBe(writes.length * 2);
    // Still signed in: the refused sign-out did not sign the administrator out.
    expect((await admin.browser.get('/')).body).toContain('action="/signout"');
  });

  it('a signed-out browser is refused on every page form without a token too (login CSRF, sign-up, language…), and no session or language cookie is set', async () => {
    const writes = routesOf(t.app.printRoutes({ commonPrefix: false })).filter((route) => WRITE_METHODS.has(route.method) && !isApiPath(route.path) && csrfProtected(route));
    const visitor = new Browser(t.app);
    await visitor.csrfToken();
    for (const route of writes) {
      const url = route.path.replace(/:(\w+)/g, (_match, name: string) => values[name] ?? '1');
      const before = counts();
      const response = await t.app.inject({
        method: route.method as 'POST',
        url,
        headers: { cookie: visitor.header(), 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'login=x&password=y&username=abc&email=a%40example.com&lang=en',
      });
      // 403 for the missing token; a page that needs a signed-in role may say 401 first. Never done.
      expect([401, 403], `${route.method} ${url}`).toContain(response.statusCode);
      expect(counts(), `${route.method} ${url} wrote something`).toBe(before);
      expect(response.cookies.some((cookie) => /resuelto_(session|lang)$/.test(cookie.name)), `${route.method} ${url} set a cookie`).toBe(false);
    }
  });
});
