// What crawlers fetch by name, through app.inject on a real SQLite file: robots.txt, the sitemap index and its
// files (live content only, with lastmod, at most 50,000 URLs a file, streamed in batches), 410 for deleted
// threads, and that none of it leaks an e-mail address.
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sax from 'sax';
import { eq } from 'drizzle-orm';
import { users } from '../../src/db/schema.ts';
import { fileCount, sitemapStream, writeSitemapFile } from '../../src/features/feeds/sitemap.ts';
import { collect } from '../../src/features/feeds/document-cache.ts';
import { askQuestion } from '../../src/features/questions/service.ts';
import { buildTestApp, createUser, type TestApp } from '../helper.ts';
import { seedSeoForum, type SeoForum } from '../fixtures/seo-forum.ts';

let t: TestApp;
let forum: SeoForum;
const CRAWLER = { 'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' };

/** Every <loc> with its <lastmod>, from a sitemap or a sitemap index, read by a real XML parser (strict). */
function locations(xml: string): { root: string; entries: { loc: string; lastmod?: string }[] } {
  const parser = sax.parser(true, { xmlns: false });
  let root = '';
  let text = '';
  let current: { loc: string; lastmod?: string } | undefined;
  const entries: { loc: string; lastmod?: string }[] = [];
  parser.onopentag = (tag) => {
    if (!root) root = tag.name;
    if (tag.name === 'url' || tag.name === 'sitemap') current = { loc: '' };
    text = '';
  };
  parser.ontext = (value) => (text += value);
  parser.onclosetag = (name) => {
    if (name === 'loc' && current) current.loc = text.trim();
    if (name === 'lastmod' && current) current.lastmod = text.trim();
    if ((name === 'url' || name === 'sitemap') && current) {
      entries.push(current);
      current = undefined;
    }
  };
  parser.write(xml).close();
  return { root, entries };
}

beforeAll(async () => {
  t = await buildTestApp();
  forum = await seedSeoForum(t.db, t.dir);
});
afterAll(async () => {
  await t.close();
});

describe('robots.txt', () => {
  it('allows content, keeps crawlers out of search, the API, staff, admin, moderation and forms, and names the sitemap', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/robots.txt', headers: CRAWLER });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    const lines = response.body.split('\n');
    expect(lines[0]).toBe('User-agent: *');
    for (const path of ['/search', '/api/', '/admin', '/staff', '/moderation', '/signin', '/signup', '/questions/ask', '/questions/*/edit$']) {
      expect(lines).toContain(`Disallow: ${path}`);
    }
    expect(lines).toContain('Allow: /');
    expect(lines).toContain(`Sitemap: ${t.config.baseUrl}/sitemap.xml`);
    // Read as Google reads it (RFC 9309: * matches anything, $ ends the path, the longest matching rule wins,
    // Allow on a tie): threads (even one whose slug starts with "edit"), tags, lists, profiles and feeds are
    // allowed; search, forms and staff pages are not.
    const rules = lines
      .map((l) => /^(Allow|Disallow): (.+)$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map(([, kind, path]) => ({ allow: kind === 'Allow', path, re: new RegExp(`^${path.replace(/[.?+^()[\]{}|\\]/g, '\\$&').replace(/\*/g, '.*')}`) })); // a final $ stays an anchor
    const allowed = (url: string) => {
      const matching = rules.filter((r) => r.re.test(url)).sort((a, b) => b.path.length - a.path.length || Number(b.allow) - Number(a.allow));
      return matching.length === 0 || matching[0].allow;
    };
    for (const page of ['/', forum.english.url, '/questions/5/edit-my-profile', '/questions', '/questions?tag=router', '/questions?sort=unanswered&page=2', '/tags', '/users/marta_gil', '/feeds/questions', '/sitemap.xml', '/static/css/site.css']) {
      expect(allowed(page), page).toBe(true);
    }
    for (const page of ['/search?q=wifi', '/api/v1/questions', '/admin/settings', '/staff/reports/deflection', '/signin?next=/', '/signup', '/questions/ask', '/questions/5/edit', '/answers/7/edit', '/posts/question/5/revisions', '/setup/abc']) {
      expect(allowed(page), page).toBe(false);
    }
  });
});

describe('sitemaps', () => {
  it('/sitemap.xml is an index of the fixed pages, threads, tags and users with content', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/sitemap.xml', headers: CRAWLER });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/xml/);
    const { root, entries } = locations(response.body);
    expect(root).toBe('sitemapindex');
    expect(entries.map((e) => e.loc)).toEqual(['pages.xml', 'questions-1.xml', 'tags-1.xml', 'users-1.xml'].map((f) => `${t.config.baseUrl}/sitemaps/${f}`));
    for (const entry of entries) expect(new Date(entry.lastmod!).getTime()).toBeGreaterThan(0);
  });

  it('lists every live thread once with its last activity, and never the deleted one', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/sitemaps/questions-1.xml', headers: CRAWLER });
    expect(response.statusCode).toBe(200);
    const { root, entries } = locations(response.body);
    expect(root).toBe('urlset');
    const urls = entries.map((e) => e.loc);
    for (const thread of [forum.english, forum.spanish, forum.unanswered, forum.imported]) expect(urls).toContain(t.config.baseUrl + thread.url);
    expect(urls.some((u) => u.includes(`/questions/${forum.deleted.id}/`))).toBe(false);
    expect(urls).toHaveLength(4);
    const english = entries.find((e) => e.loc === t.config.baseUrl + forum.english.url)!;
    // Last activity: the accept, three hours after the question was asked.
    expect(english.lastmod).toBe(new Date(Date.UTC(2026, 10, 1, 11)).toISOString());
  });

  it('lists tag pages and the profiles of people with live posts, never their e-mail', async () => {
    const tags = locations((await t.app.inject({ method: 'GET', url: '/sitemaps/tags-1.xml' })).body).entries.map((e) => e.loc);
    expect(tags).toContain(`${t.config.baseUrl}/questions?tag=factura`);
    expect(tags).toContain(`${t.config.baseUrl}/questions?tag=stout`);
    const usersXml = (await t.app.inject({ method: 'GET', url: '/sitemaps/users-1.xml' })).body;
    const profiles = locations(usersXml).entries.map((e) => e.loc);
    expect(profiles).toContain(`${t.config.baseUrl}/users/marta_gil`);
    expect(profiles).toContain(`${t.config.baseUrl}/users/ana_soporte`);
    // Someone who never posted has no profile in the sitemap.
    const silent = await createUser(t.db, 'member', 'silent_sam');
    expect(locations((await t.app.inject({ method: 'GET', url: '/sitemaps/users-1.xml' })).body).entries.map((e) => e.loc)).not.toContain(`${t.config.baseUrl}/users/${silent.username}`);
    for (const url of ['/sitemap.xml', '/sitemaps/pages.xml', '/sitemaps/questions-1.xml', '/sitemaps/tags-1.xml', '/sitemaps/users-1.xml', '/robots.txt']) {
      const body = (await t.app.inject({ method: 'GET', url })).body;
      expect(body).not.toContain(forum.staffEmail);
      expect(body).not.toContain(forum.memberEmail);
      expect(body).not.toMatch(/@example\.com/);
    }
  });

  it('answers 404 past the last file and for names that are no sitemap', async () => {
    for (const url of ['/sitemaps/questions-2.xml', '/sitemaps/tags-0.xml', '/sitemaps/secrets-1.xml', '/sitemaps/questions-1.xml.bak', '/sitemaps/..%2fsitemap.xml']) {
      expect((await t.app.inject({ method: 'GET', url })).statusCode, url).toBe(404);
    }
  });

  it('is kept until the content changes (the page cache signal), then made again', async () => {
    const before = (await t.app.inject({ method: 'GET', url: '/sitemaps/questions-1.xml' })).body;
    // Behind the app's back (no change-log row): the kept file does not know.
    t.db.$client.prepare('update questions set slug = ? where id = ?').run('renamed-behind-the-back', forum.unanswered.id);
    expect((await t.app.inject({ method: 'GET', url: '/sitemaps/questions-1.xml' })).body).toBe(before);
    const staff = t.db.select({ id: users.id, role: users.role, reputation: users.reputation, createdAt: users.createdAt }).from(users).where(eq(users.username, 'ana_soporte')).get()!;
    const added = askQuestion(t.db, staff, { title: 'Where do I change my delivery address?', body: 'I moved and need to change the delivery address of my next order.', tags: 'account' }, t.app.settings());
    const after = (await t.app.inject({ method: 'GET', url: '/sitemaps/questions-1.xml' })).body;
    expect(after).toContain(added.url);
    expect(after).toContain('renamed-behind-the-back');
    t.db.$client.prepare('update questions set slug = ? where id = ?').run(forum.unanswered.url.split('/').pop(), forum.unanswered.id);
  });

  it('is gzipped for crawlers that accept it', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/sitemaps/questions-1.xml', headers: { 'accept-encoding': 'gzip' } });
    expect(response.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(response.rawPayload).toString()).toContain('<urlset');
  });

  it('splits threads into files of at most the given size, in id order, each thread once', async () => {
    const perFile = 2;
    const files = fileCount(t.db, 'questions', perFile);
    const live = t.db.$client.prepare('select count(*) from questions where deleted_at is null').pluck().get() as number;
    expect(files).toBe(Math.ceil(live / perFile));
    const seen: string[] = [];
    for (let file = 1; file <= files; file++) {
      const stream = sitemapStream(t.config.baseUrl);
      const [body, exists] = await Promise.all([collect(stream), writeSitemapFile(t.db, 'questions', file, stream, perFile)]);
      expect(exists).toBe(true);
      const urls = locations(body.toString()).entries.map((e) => e.loc);
      expect(urls.length).toBeLessThanOrEqual(perFile);
      seen.push(...urls);
    }
    expect(seen).toHaveLength(live);
    expect(new Set(seen).size).toBe(live);
    const ids = seen.map((url) => Number(/\/questions\/(\d+)\//.exec(url)![1]));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });
});

describe('deleted threads', () => {
  it('answer 410 Gone with a page in the visitor’s language, under any slug', async () => {
    for (const url of [forum.deleted.url, `/questions/${forum.deleted.id}`, `/questions/${forum.deleted.id}/other-slug`]) {
      const response = await t.app.inject({ method: 'GET', url, headers: { 'accept-language': 'es' } });
      expect(response.statusCode, url).toBe(410);
      expect(response.body).toContain('Esta pregunta se borró');
      expect(response.body).toContain('<meta name="robots" content="noindex">');
      expect(response.body).not.toContain('A question that its author deleted again');
    }
  });

  it('a question that never existed is still 404', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/questions/999999/nothing' })).statusCode).toBe(404);
  });
});
