// What search engines and link previews read on each page, through app.inject on a real SQLite file: QAPage
// JSON-LD on answered threads (imported, Spanish, official answer; none without answers), escaped so no post can
// close its script element; WebSite with a SearchAction on home and lists; meta description, Open Graph,
// Twitter card and canonical on every page; numbered pagination without rel=prev/next.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users } from '../../src/db/schema.ts';
import { postAnswer } from '../../src/features/answers/service.ts';
import { askQuestion } from '../../src/features/questions/service.ts';
import { buildTestApp, type TestApp } from '../helper.ts';
import { seedSeoForum, type SeoForum } from '../fixtures/seo-forum.ts';

let t: TestApp;
let forum: SeoForum;
const CRAWLER = { 'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' };

/** The JSON-LD documents of a page, parsed as a search engine does (the script element's text as JSON). */
function jsonLdOf(html: string): Record<string, any>[] {
  return [...html.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)].map((m) => JSON.parse(m[1]));
}
function meta(html: string, attribute: 'name' | 'property', key: string): string | undefined {
  const match = new RegExp(`<meta ${attribute}="${key.replace(/[:.]/g, '\\$&')}" content="([^"]*)">`).exec(html);
  return match?.[1];
}
const canonical = (html: string) => /<link rel="canonical" href="([^"]*)">/.exec(html)?.[1].replace(/&amp;/g, "&");
const staffPoster = () => t.db.select({ id: users.id, role: users.role, reputation: users.reputation, createdAt: users.createdAt }).from(users).where(eq(users.username, 'ana_soporte')).get()!;

/** The QAPage shape Google documents, checked field by field. */
function expectQaPage(ld: Record<string, any>, thread: { url: string }, answerCount: number) {
  const base = t.config.baseUrl;
  expect(ld['@context']).toBe('https://schema.org');
  expect(ld['@type']).toBe('QAPage');
  const q = ld.mainEntity;
  expect(q['@type']).toBe('Question');
  expect(typeof q.name).toBe('string');
  expect(q.name.length).toBeGreaterThan(5);
  expect(typeof q.text).toBe('string');
  expect(q.text).not.toMatch(/<[a-z/]/i);
  expect(q.answerCount).toBe(answerCount);
  expect(Number.isInteger(q.upvoteCount)).toBe(true);
  expect(Number.isNaN(Date.parse(q.dateCreated))).toBe(false);
  expect(q.author['@type']).toBe('Person');
  expect(q.author.name.length).toBeGreaterThan(0);
  expect(q.author.url).toMatch(new RegExp(`^${base}/users/`));
  expect(q.url).toBe(base + thread.url);
  const accepted = [q.acceptedAnswer ?? []].flat();
  const suggested = q.suggestedAnswer ?? [];
  expect(accepted.length + suggested.length).toBe(answerCount);
  for (const a of [...accepted, ...suggested]) {
    expect(a['@type']).toBe('Answer');
    expect(a.text.length).toBeGreaterThan(0);
    expect(a.text).not.toMatch(/<[a-z/]/i);
    expect(Number.isInteger(a.upvoteCount)).toBe(true);
    expect(a.url).toMatch(new RegExp(`^${base}${thread.url}#answer-\\d+$`));
    expect(Number.isNaN(Date.parse(a.dateCreated))).toBe(false);
    expect(a.author['@type']).toBe('Person');
    expect(a.author.url).toMatch(new RegExp(`^${base}/users/`));
  }
  return { q, accepted, suggested };
}

beforeAll(async () => {
  t = await buildTestApp();
  forum = await seedSeoForum(t.db, t.dir);
});
afterAll(async () => {
  await t.close();
});

describe('QAPage structured data', () => {
  it('an imported Stack Exchange thread: its accepted answer is the acceptedAnswer, the other a suggestedAnswer', async () => {
    const html = (await t.app.inject({ method: 'GET', url: forum.imported.url, headers: CRAWLER })).body;
    const docs = jsonLdOf(html).filter((d) => d['@type'] === 'QAPage');
    expect(docs).toHaveLength(1);
    const { q, accepted, suggested } = expectQaPage(docs[0], forum.imported, 2);
    expect(q.name).toBe('How long does a sealed stout keep?');
    expect(q.upvoteCount).toBe(12);
    expect(q.dateCreated).toBe('2016-03-01T10:00:00.000Z');
    expect(accepted).toHaveLength(1);
    expect(accepted[0].text).toBe('Strong stouts age well for several years at cellar temperature.');
    expect(accepted[0].upvoteCount).toBe(9);
    expect(suggested).toHaveLength(1);
    expect(suggested[0].upvoteCount).toBe(3);
  });

  it('a seeded Spanish thread with an official staff answer: the official answer is the acceptedAnswer and is marked on the page', async () => {
    const html = (await t.app.inject({ method: 'GET', url: forum.spanish.url, headers: CRAWLER })).body;
    const [doc] = jsonLdOf(html).filter((d) => d['@type'] === 'QAPage');
    const { q, accepted, suggested } = expectQaPage(doc, forum.spanish, 2);
    expect(doc.inLanguage).toBe('es');
    expect(q.name).toBe('¿Cómo descargo la factura de este mes?');
    expect(q.text).toContain('No encuentro la factura de noviembre');
    expect(accepted).toHaveLength(1);
    expect(accepted[0].url).toBe(`${t.config.baseUrl}${forum.spanish.url}#answer-${forum.spanish.officialAnswerId}`);
    expect(accepted[0].text).toBe('Entra en Mi cuenta → Facturas: allí están todas las facturas en PDF desde el primer mes.');
    expect(accepted[0].author.url).toBe(`${t.config.baseUrl}/users/ana_soporte`);
    expect(suggested.map((a: { url: string }) => a.url)).toEqual([`${t.config.baseUrl}${forum.spanish.url}#answer-${forum.spanish.memberAnswerId}`]);
    // Visible on the page too: the answer carries the official badge.
    const article = html.slice(html.indexOf(`id="answer-${forum.spanish.officialAnswerId}"`));
    expect(article.slice(0, article.indexOf('</article>'))).toMatch(/badge-official/);
  });

  it('an English thread whose accepted answer is also official lists it once', async () => {
    const html = (await t.app.inject({ method: 'GET', url: forum.english.url, headers: CRAWLER })).body;
    const [doc] = jsonLdOf(html).filter((d) => d['@type'] === 'QAPage');
    const { accepted, suggested } = expectQaPage(doc, forum.english, 2);
    expect(accepted.map((a: { url: string }) => a.url)).toEqual([`${t.config.baseUrl}${forum.english.url}#answer-${forum.english.acceptedAnswerId}`]);
    expect(suggested).toHaveLength(1);
  });

  it('every answered thread of the demo community (seed-demo, Spanish and English) has a valid QAPage', async () => {
    const { seedDemo, demoQuestionIds } = await import('../../src/features/demo/seed.ts');
    await seedDemo(t.db);
    let spanish = 0;
    let official = 0;
    for (const id of demoQuestionIds(t.db).values()) {
      const row = t.db.$client.prepare('select slug, answer_count as n, language from questions where id = ?').get(id) as { slug: string; n: number; language: string };
      const url = `/questions/${id}/${row.slug}`;
      const html = (await t.app.inject({ method: 'GET', url, headers: CRAWLER })).body;
      const docs = jsonLdOf(html).filter((d) => d['@type'] === 'QAPage');
      if (row.n === 0) {
        expect(docs, url).toHaveLength(0);
        continue;
      }
      expect(docs, url).toHaveLength(1);
      expect(docs[0].inLanguage).toBe(row.language);
      expectQaPage(docs[0], { url }, row.n);
      if (row.language === 'es') spanish++;
      if (html.includes('badge-official')) official++;
    }
    expect(spanish).toBeGreaterThan(5);
    expect(official).toBeGreaterThan(0);
  });

  it('a thread with no answer has no QAPage', async () => {
    const html = (await t.app.inject({ method: 'GET', url: forum.unanswered.url, headers: CRAWLER })).body;
    expect(jsonLdOf(html).filter((d) => d['@type'] === 'QAPage')).toHaveLength(0);
    expect(html).not.toContain('QAPage');
  });

  it('no post text can close the script element; the JSON still carries it exactly', async () => {
    const hostile = 'Closing tags </script><script>alert(1)</script> and <!-- comments --> and \u2028 separators & ampersands';
    const staff = staffPoster();
    const q = askQuestion(t.db, staff, { title: 'Hostile </script> title <b>bold</b>', body: `\`\`\`\n${hostile}\n\`\`\``, tags: 'security' }, t.app.settings());
    postAnswer(t.db, staff, q.id, { body: `\`${hostile}\`` }, t.app.settings());
    const html = (await t.app.inject({ method: 'GET', url: q.url, headers: CRAWLER })).body;
    const scripts = [...html.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    expect(scripts).toHaveLength(1);
    expect(scripts[0]).not.toMatch(/[<>]/);
    expect(scripts[0]).not.toContain('\u2028');
    const doc = JSON.parse(scripts[0]);
    expect(doc.mainEntity.name).toBe('Hostile </script> title <b>bold</b>');
    expect(doc.mainEntity.text).toContain('</script><script>alert(1)</script>');
    expect([doc.mainEntity.acceptedAnswer].flat()[0].text).toContain('<!-- comments -->');
    // The only executable script is the site's own file.
    expect([...html.matchAll(/<script(?![^>]*application\/ld\+json)[^>]*>/g)].map((m) => m[0])).toEqual(['<script src="/static/js/site.js" defer>']);
  });
});

describe('WebSite and its search box', () => {
  it('home and lists carry a WebSite with a SearchAction to /search?q=', async () => {
    for (const url of ['/', '/questions', '/questions?tag=router', '/tags']) {
      const docs = jsonLdOf((await t.app.inject({ method: 'GET', url, headers: CRAWLER })).body);
      const site = docs.find((d) => d['@type'] === 'WebSite');
      expect(site, url).toBeDefined();
      expect(site!.url).toBe(`${t.config.baseUrl}/`);
      expect(site!.name).toBe('Resuelto');
      expect(site!.potentialAction['@type']).toBe('SearchAction');
      expect(site!.potentialAction.target.urlTemplate).toBe(`${t.config.baseUrl}/search?q={search_term_string}`);
      expect(site!.potentialAction['query-input']).toBe('required name=search_term_string');
    }
  });
});

describe('meta tags', () => {
  it('every page has a description, Open Graph and Twitter tags and a canonical link', async () => {
    const pages = ['/', '/questions', '/questions?tag=factura', '/tags', forum.english.url, forum.spanish.url, '/users/marta_gil', '/search?q=router', '/signin', '/help/reputation'];
    for (const url of pages) {
      const html = (await t.app.inject({ method: 'GET', url, headers: { 'accept-language': 'en', ...CRAWLER } })).body;
      const description = meta(html, 'name', 'description');
      expect(description, url).toBeTruthy();
      expect(description!.length, url).toBeLessThanOrEqual(300);
      expect(meta(html, 'property', 'og:title'), url).toBeTruthy();
      expect(meta(html, 'property', 'og:description'), url).toBe(description);
      expect(meta(html, 'property', 'og:site_name'), url).toBe('Resuelto');
      expect(meta(html, 'property', 'og:type'), url).toMatch(/^(website|article)$/);
      expect(meta(html, 'property', 'og:locale'), url).toMatch(/^(es_ES|en_US)$/);
      expect(meta(html, 'property', 'og:url'), url).toBe(canonical(html));
      expect(meta(html, 'name', 'twitter:card'), url).toBe('summary');
      expect(meta(html, 'name', 'twitter:title'), url).toBeTruthy();
      expect(canonical(html), url).toMatch(new RegExp(`^${t.config.baseUrl}/`));
    }
  });

  it('a thread: its first sentences as description, an article in the content’s locale, its own URL as canonical', async () => {
    const html = (await t.app.inject({ method: 'GET', url: forum.spanish.url, headers: { 'accept-language': 'en' } })).body;
    expect(meta(html, 'name', 'description')).toBe('No encuentro la factura de noviembre en mi cuenta. ¿Dónde se descarga? Gracias por la ayuda.');
    expect(meta(html, 'property', 'og:type')).toBe('article');
    expect(meta(html, 'property', 'og:locale')).toBe('es_ES');
    expect(meta(html, 'property', 'og:title')).toBe('¿Cómo descargo la factura de este mes?');
    expect(canonical(html)).toBe(t.config.baseUrl + forum.spanish.url);
    // Markdown never leaks into the description.
    const english = (await t.app.inject({ method: 'GET', url: forum.english.url })).body;
    expect(meta(english, 'name', 'description')).toBe('Every evening at eight the wifi drops for a few minutes. The cable connection stays up. What could it be?');
  });

  it('canonical links keep what selects the content (tag, sort, page) and drop the rest', async () => {
    const cases: [string, string][] = [
      ['/questions?sort=newest', '/questions'],
      ['/questions?tag=router&sort=newest&utm_source=x', '/questions?tag=router'],
      ['/questions?sort=votes&page=1', '/questions?sort=votes'],
      [`${forum.english.url}?utm_campaign=mail`, forum.english.url],
      ['/tags?page=1', '/tags'],
      [`${forum.english.url}/`, forum.english.url],
      ['/users/MARTA_GIL', '/users/marta_gil'],
    ];
    for (const [url, expected] of cases) {
      expect(canonical((await t.app.inject({ method: 'GET', url })).body), url).toBe(t.config.baseUrl + expected);
    }
  });

  it('search results are noindex; content pages are not', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/search?q=factura' })).body).toContain('<meta name="robots" content="noindex">');
    for (const url of ['/', '/questions', forum.english.url, '/tags', '/questions?tag=router']) {
      expect((await t.app.inject({ method: 'GET', url })).body, url).not.toContain('name="robots"');
    }
  });

  it('the home page description is a setting; site name and logo too', async () => {
    const admin = await import('../../src/features/settings/service.ts');
    admin.setSettings(t.db, { homeDescription: 'Ayuda de la comunidad de Acme Fibra.', siteName: 'Acme Ayuda', siteLogoUrl: '/static/img/favicon.svg' });
    // Settings are read on the next render: a signed-out page kept from before is re-rendered within a minute,
    // a fresh URL at once.
    const html = (await t.app.inject({ method: 'GET', url: '/?fresh=1' })).body;
    expect(meta(html, 'name', 'description')).toBe('Ayuda de la comunidad de Acme Fibra.');
    expect(meta(html, 'property', 'og:site_name')).toBe('Acme Ayuda');
    expect(meta(html, 'property', 'og:image')).toBe(`${t.config.baseUrl}/static/img/favicon.svg`);
    expect(html).toContain('<title>Community help – Acme Ayuda</title>'.replace('Community help', 'Ayuda de la comunidad'));
    expect(jsonLdOf(html).find((d) => d['@type'] === 'WebSite')!.name).toBe('Acme Ayuda');
    admin.setSettings(t.db, { homeDescription: '', siteName: '', siteLogoUrl: '' });
  });
});

describe('numbered pagination', () => {
  it('links every nearby page, the first and the last, with no rel=prev/next', async () => {
    const staff = staffPoster();
    const settings = t.app.settings();
    for (let i = 0; i < 120; i++) {
      askQuestion(t.db, staff, { title: `Paged question number ${i} about the modem`, body: `Body of paged question number ${i}, long enough to pass.`, tags: 'paged' }, settings, new Date(Date.UTC(2026, 0, 1) + i * 60_000));
    }
    const html = (await t.app.inject({ method: 'GET', url: '/questions?tag=paged&page=3', headers: { 'accept-language': 'en' } })).body;
    const nav = html.slice(html.indexOf('<nav class="pagination"'), html.indexOf('</nav>', html.indexOf('<nav class="pagination"')));
    const hrefs = [...nav.matchAll(/href="([^"]*)"/g)].map((m) => m[1].replace(/&amp;/g, '&'));
    expect(hrefs).toContain('/questions?tag=paged');
    for (const n of [2, 3, 4, 5, 6]) expect(hrefs).toContain(`/questions?tag=paged&page=${n}`);
    expect(nav).toContain('aria-current="page"');
    expect(nav).not.toMatch(/rel="(prev|next)"/);
    expect(nav).toContain('aria-label="Last, Page 6"');
    expect(canonical(html)).toBe(`${t.config.baseUrl}/questions?tag=paged&page=3`);
  });
});
