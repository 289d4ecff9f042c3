// The one way tests build the forum: a real app on a fresh temporary SQLite file, plus sign-in helpers.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../src/app.ts';
import { loadConfig, type Config } from '../src/config.ts';
import { closeDatabase, openDatabase, type Db } from '../src/db/client.ts';
import { eq } from 'drizzle-orm';
import { users, type Role } from '../src/db/schema.ts';
import { setSetting } from '../src/features/settings/service.ts';
import { registerUser, setRole } from '../src/features/accounts/service.ts';

export interface TestApp {
  app: FastifyInstance;
  db: Db;
  dir: string;
  config: Config;
  close: () => Promise<void>;
}

export async function buildTestApp(options: { env?: Record<string, string>; setupToken?: string } = {}): Promise<TestApp> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resuelto-test-'));
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_PATH: path.join(dir, 'forum.db'), ...options.env });
  const db = openDatabase(config.databasePath);
  const app = await buildApp(config, { db, setupToken: options.setupToken });
  await app.ready();
  return {
    app,
    db,
    dir,
    config,
    close: async () => {
      await app.close();
      closeDatabase(db);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A desktop Chrome. */
export const BROWSER_USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

/** A cookie jar for app.inject(): remembers Set-Cookie answers like a browser would. */
export class Browser {
  readonly cookies = new Map<string, string>();
  constructor(private readonly app: FastifyInstance) {}

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  remember(response: LightMyRequestResponse): LightMyRequestResponse {
    for (const cookie of response.cookies) {
      if (cookie.value === '' || (cookie.expires && cookie.expires.getTime() < Date.now())) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    return response;
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.remember(await this.app.inject({ method: 'GET', url, headers: { cookie: this.header(), ...headers } }));
  }

  /**
   * The CSRF token of a page, as a form would send it. Fetched as a browser: crawlers (light-my-request's
   * own user agent is one) get signed-out pages without a CSRF secret.
   */
  async csrfToken(url = '/'): Promise<string> {
    const page = await this.get(url, { 'user-agent': BROWSER_USER_AGENT });
    const match = /<meta name="csrf-token" content="([^"]+)">/.exec(page.body);
    if (!match) throw new Error(`no csrf token on ${url}`);
    return match[1];
  }

  /** Submits a form the way a browser does: urlencoded, with the page's CSRF token unless one is given. */
  async submit(url: string, fields: Record<string, string>, options: { csrf?: string | null; headers?: Record<string, string> } = {}) {
    const token = options.csrf === undefined ? await this.csrfToken() : options.csrf;
    const body = new URLSearchParams({ ...fields, ...(token === null ? {} : { _csrf: token }) }).toString();
    return this.remember(
      await this.app.inject({
        method: 'POST',
        url,
        payload: body,
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: this.header(), ...options.headers },
      }),
    );
  }

  /** A JSON API call riding on this browser's cookies (so it needs the CSRF header for writes). */
  async api(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, csrf?: string) {
    return this.remember(
      await this.app.inject({
        method,
        url,
        payload: payload === undefined ? undefined : JSON.stringify(payload),
        headers: {
          cookie: this.header(),
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
          ...(csrf ? { 'x-csrf-token': csrf } : {}),
        },
      }),
    );
  }
}

let counter = 0;
export const STRONG_PASSWORD = 'correct horse battery staple 42';

/** Creates a user directly through the service (fast), with the given role. */
export async function createUser(db: Db, role: Role = 'member', username = `user${++counter}_${process.pid}`) {
  const user = await registerUser(db, { username, email: `${username}@example.com`, password: STRONG_PASSWORD });
  if (role !== 'member') setRole(db, username, role);
  return { ...user, role, password: STRONG_PASSWORD };
}

/** A browser signed in as a new user of the given role. */
export async function loginAs(app: FastifyInstance, db: Db, role: Role = 'member', username?: string) {
  const user = await createUser(db, role, username);
  const browser = new Browser(app);
  const response = await browser.submit('/signin', { login: user.username, password: user.password });
  if (response.statusCode !== 303) throw new Error(`sign-in failed: ${response.statusCode} ${response.body.slice(0, 200)}`);
  return { user, browser };
}

/** A bearer token for a new user of the given role. */
export async function tokenFor(app: FastifyInstance, db: Db, role: Role = 'member', username?: string) {
  const user = await createUser(db, role, username);
  const token = await bearerToken(app, user);
  return { user, token, auth: { authorization: `Bearer ${token}` } };
}

/** A new bearer token for an existing user (signing in through the API). */
export async function bearerToken(app: FastifyInstance, user: { username: string; password: string }): Promise<string> {
  const response = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { login: user.username, password: user.password } });
  if (response.statusCode !== 200) throw new Error(`token failed: ${response.statusCode} ${response.body}`);
  return response.json().token as string;
}

/** The people of an authorization matrix, each signed in in a browser of their own. */
export async function signInCast(app: FastifyInstance, db: Db) {
  return {
    asker: await loginAs(app, db, 'member'),
    other: await loginAs(app, db, 'member'),
    moderator: await loginAs(app, db, 'moderator'),
    staff: await loginAs(app, db, 'staff'),
    admin: await loginAs(app, db, 'admin'),
  };
}

export function openTestDb(): { db: Db; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resuelto-unit-'));
  return { db: openDatabase(path.join(dir, 'forum.db')), dir };
}

/** Turns off the posting pace and new-member limits (tests that post a lot quickly); the limits' own tests leave them on. */
export function relaxPostingLimits(db: Db): void {
  for (const [key, value] of [
    ['secondsBetweenPosts', 0],
    ['newMemberSecondsBetweenPosts', 0],
    ['newMemberQuestionsPerDay', 1000],
    ['newMemberAnswersPerDay', 1000],
    ['postsPerIpPerMinute', 10_000],
    ['signInPerIpPerMinute', 10_000],
  ] as const)
    setSetting(db, key, value);
}

/** A user as the posting services take them (id, role, reputation, age). */
export function posterOf(db: Db, id: number) {
  return db.select({ id: users.id, role: users.role, reputation: users.reputation, createdAt: users.createdAt }).from(users).where(eq(users.id, id)).get()!;
}
