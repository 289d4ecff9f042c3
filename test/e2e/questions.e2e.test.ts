// The questions-and-answers core in a real Chromium: asking (with the no-JavaScript preview),
// answering, accepting (asker and moderator), voting, comments without JavaScript, XSS vectors that
// must stay inert, and the accessibility and markup of every Q&A page. Runs against a real server.
import { eq } from 'drizzle-orm';
import type { BrowserContext, BrowserContextOptions, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { users, type Role } from '../../src/db/schema.ts';
import { setSetting } from '../../src/features/settings/service.ts';
import { checkA11y, formatViolations, open, signIn, signInAs, startE2E, validateHtml, waitForDocument, type E2E } from './harness.ts';

let e2e: E2E;
/** Every alert/confirm/prompt any page of this run opened: XSS that got through. Expected empty. */
const dialogs: string[] = [];

function watchDialogs(context: BrowserContext): void {
  context.on('dialog', (dialog) => {
    dialogs.push(`${dialog.type()} "${dialog.message()}" on ${dialog.page()?.url() ?? '?'}`);
    void dialog.dismiss().catch(() => {});
  });
}

beforeAll(async () => {
  e2e = await startE2E();
  watchDialogs(e2e.context);
  // Operator settings for a test run: one address (127.0.0.1) and brand-new accounts post dozens of
  // times a minute here, which the default anti-flood limits rightly refuse. The limits have their
  // own integration tests; these tests are about the pages.
  const { db } = e2e.server;
  setSetting(db, 'postsPerIpPerMinute', 10_000);
  setSetting(db, 'signInPerIpPerMinute', 10_000);
  setSetting(db, 'newMemberSecondsBetweenPosts', 0);
  setSetting(db, 'secondsBetweenPosts', 0);
  setSetting(db, 'newMemberQuestionsPerDay', 1000);
  // These threads are written by brand-new accounts with links; holding them for review is moderation's own test (moderation.e2e).
  setSetting(db, 'holdFirstPostsWithLinks', 'off');
  setSetting(db, 'newMemberAnswersPerDay', 1000);
});

afterAll(async () => {
  await e2e?.close();
});

// No page may log an error and no dialog may ever open. A CSP violation is an error too: one about an
// inline script or handler means either our own templates slipped one in or the sanitizer let a vector
// through (the CSP only stopped it from running), so both fail the test.
afterEach(() => {
  const errors = [...(e2e?.problems.errors ?? [])];
  const opened = dialogs.splice(0);
  e2e?.problems.clear();
  expect(errors, 'browser console errors').toEqual([]);
  expect(opened, 'dialogs opened by page content').toEqual([]);
});

// ---------------------------------------------------------------------------------------------------
// Helpers

const header = (page: Page) => page.locator('header.site-header');
const htmlLang = (page: Page) => page.locator('html').getAttribute('lang');
const path = (page: Page) => new URL(page.url()).pathname;
const answerArticle = (page: Page, id: number) => page.locator(`#answer-${id}`);
const reputationIn = (card: Locator) => card.locator('.user-card .reputation').first().innerText();
const answerIdFromUrl = (url: string) => Number(/#answer-(\d+)$/.exec(url)?.[1]);

async function expectClean(page: Page, html: string): Promise<void> {
  // Soft: one run reports every page's problems, not only the first page's.
  expect.soft(await validateHtml(html, page.url()), `html-validate on ${page.url()}`).toEqual([]);
  const violations = await checkA11y(page);
  expect.soft(violations.map((violation) => violation.id), `axe on ${page.url()}\n${formatViolations(violations)}`).toEqual([]);
}

/** Another visitor (own cookies), watched for dialogs like the main one. */
async function visitor(options?: BrowserContextOptions) {
  const created = await e2e.newVisitor(options);
  watchDialogs(created.context);
  return created;
}

/**
 * Fills the ask form through the browser, in its two steps: the title alone ("Continue", a plain GET),
 * then the rest of the form under the questions similar to that title.
 */
async function fillAskForm(page: Page, fields: { title: string; body: string; tags: string }): Promise<void> {
  await page.getByLabel('Title', { exact: true }).fill(fields.title);
  await waitForDocument(page, () => page.getByRole('button', { name: 'Continue' }).click());
  expect(await page.getByLabel('Title', { exact: true }).inputValue()).toBe(fields.title);
  await page.getByLabel('Details', { exact: true }).fill(fields.body);
  await page.getByLabel('Tags', { exact: true }).fill(fields.tags);
}

interface ApiMember {
  id: number;
  username: string;
  password: string;
  call: <T = unknown>(method: 'GET' | 'POST' | 'PATCH', pathname: string, body?: unknown) => Promise<T>;
}

/** Signs in to the JSON API and returns a caller with the bearer token (fast seeding). */
async function apiLogin(username: string, password: string): Promise<ApiMember['call']> {
  const session = await fetch(e2e.server.url('/api/v1/session'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: username, password }),
  });
  if (session.status !== 200) throw new Error(`API sign-in of ${username}: ${session.status} ${await session.text()}`);
  const { token } = (await session.json()) as { token: string };
  return async <T,>(method: string, pathname: string, body?: unknown) => {
    const response = await fetch(e2e.server.url(`/api/v1${pathname}`), {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`${method} ${pathname}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
}

/** A user created in the database who talks to the JSON API. */
async function apiMember(role: Role = 'member'): Promise<ApiMember> {
  const user = await e2e.server.createUser(role);
  return { id: user.id, username: user.username, password: user.password, call: await apiLogin(user.username, user.password) };
}

/** Asks through the API; returns the id and the thread's absolute URL. */
async function askVia(member: ApiMember, question: { title: string; body: string; tags: string[] }) {
  const { id, slug } = await member.call<{ id: number; slug: string }>('POST', '/questions', question);
  return { id, url: e2e.server.url(`/questions/${id}/${slug}`) };
}

async function answerVia(member: ApiMember, questionId: number, body: string): Promise<number> {
  return (await member.call<{ id: number }>('POST', `/questions/${questionId}/answers`, { body })).id;
}

// ---------------------------------------------------------------------------------------------------

describe('asking, answering and accepting', () => {
  it('asks through the real forms (sign in first, preview, post), gets two answers and accepts the second', async () => {
    const { page, server } = e2e;
    const title = 'The router drops Wi-Fi every evening at nine';
    const body = 'Since Monday the **Wi-Fi drops** every evening.\n\n- I restarted the router\n- I updated `firmware 2.1`\n\nSee [the status page](https://example.com/status).';

    // An anonymous visitor follows the header's "Ask a question": sign in first, then back to the form.
    await open(page, server.url('/'));
    // (Issue 16: the compact header says "Ask".)
    await waitForDocument(page, () => header(page).getByRole('link', { name: 'Ask', exact: true }).click());
    expect(path(page)).toBe('/signin');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/questions/ask');
    const asker = await server.createUser();
    await page.locator('#field-login').fill(asker.username);
    await page.locator('#field-password').fill(asker.password);
    await waitForDocument(page, () => page.locator('main').getByRole('button', { name: 'Sign in' }).click());
    expect(path(page)).toBe('/questions/ask');
    expect(await page.locator('main h1').innerText()).toBe('Ask a question');

    // Preview: a plain form submission (POST) that re-shows the form with the rendered Markdown.
    await fillAskForm(page, { title, body, tags: 'router wifi' });
    const preview = await waitForDocument(page, () => page.getByRole('button', { name: 'Preview' }).click());
    expect(preview.request().method()).toBe('POST');
    expect(preview.status()).toBe(200);
    const rendered = page.getByRole('region', { name: 'Preview' }).locator('.post-body');
    expect(await rendered.locator('strong').innerText()).toBe('Wi-Fi drops');
    expect(await rendered.locator('li').allInnerTexts()).toEqual(['I restarted the router', 'I updated firmware 2.1']);
    expect(await rendered.locator('code').innerText()).toBe('firmware 2.1');
    expect(await rendered.getByRole('link', { name: 'the status page' }).getAttribute('rel')).toBe('nofollow ugc noopener');
    // Nothing was lost on the way, and nothing was posted yet.
    expect(await page.getByLabel('Title', { exact: true }).inputValue()).toBe(title);
    expect(await page.getByLabel('Details', { exact: true }).inputValue()).toBe(body);
    expect(await page.getByLabel('Tags', { exact: true }).inputValue()).toBe('router wifi');
    // The ask page with a preview shown is valid and accessible.
    await expectClean(page, await preview.text());

    const posted = await waitForDocument(page, () => page.getByRole('button', { name: 'Post your question' }).click());
    expect(posted.status()).toBe(200);
    expect(path(page)).toMatch(/^\/questions\/\d+\/the-router-drops-wi-fi-every-evening-at-nine$/);
    const threadUrl = page.url();
    const questionId = Number(/\/questions\/(\d+)\//.exec(threadUrl)?.[1]);
    expect(await page.locator('main h1').innerText()).toBe(title);
    expect(await page.locator('.question .post-body strong').innerText()).toBe('Wi-Fi drops');
    expect(await page.locator('.question .tags').getByRole('link').allInnerTexts()).toEqual(['router', 'wifi']);
    expect(await page.getByRole('heading', { name: '0 answers' }).isVisible()).toBe(true);

    // Two other members answer: one through the API, then one through the thread's form, the one accepted.
    const firstId = await answerVia(await apiMember(), questionId, 'Try moving the router away from the microwave oven.');
    const other = await visitor();
    let secondId: number;
    let second: { username: string };
    try {
      second = await signInAs(other.page, server);
      await open(other.page, threadUrl);
      const text = 'Change the Wi-Fi channel to 1, 6 or 11 in the router settings.';
      await other.page.locator('#answer-body').fill(text);
      const response = await waitForDocument(other.page, () => other.page.getByRole('button', { name: 'Post your answer' }).click());
      expect(response.status()).toBe(200);
      secondId = answerIdFromUrl(other.page.url());
      expect(await answerArticle(other.page, secondId).locator('.post-body').innerText()).toBe(text);
      expect(await other.page.locator('#answers-heading').innerText()).toBe('2 answers');
      // An answerer who did not ask sees no accept button.
      expect(await other.page.getByRole('button', { name: 'Accept this answer' }).count()).toBe(0);
    } finally {
      await other.context.close();
    }

    // Before accepting: oldest first, no badge, reputation 1.
    await open(page, threadUrl);
    const articles = page.locator('section.answers article.answer');
    expect(await articles.evaluateAll((nodes) => nodes.map((node) => node.id))).toEqual([`answer-${firstId}`, `answer-${secondId}`]);
    expect(await page.locator('section.answers .badge-accepted').count()).toBe(0);
    expect(await reputationIn(answerArticle(page, secondId))).toBe('reputation 1');

    const accepted = await waitForDocument(page, () => answerArticle(page, secondId).getByRole('button', { name: 'Accept this answer' }).click());
    expect(accepted.status()).toBe(200);
    expect(new URL(page.url()).hash).toBe(`#answer-${secondId}`);
    // The accepted answer comes first, with its badge, and its author gained 15.
    expect(await articles.evaluateAll((nodes) => nodes.map((node) => node.id))).toEqual([`answer-${secondId}`, `answer-${firstId}`]);
    const first = articles.first();
    expect(await first.evaluate((node) => node.classList.contains('is-accepted'))).toBe(true);
    expect(await first.locator('.badge-accepted').innerText()).toBe('✓ Accepted answer');
    expect(await page.locator('section.answers .badge-accepted').count()).toBe(1);
    expect(await reputationIn(first)).toBe('reputation 16');
    expect(await first.getByRole('button', { name: 'Remove the accepted mark' }).isVisible()).toBe(true);
    expect(await answerArticle(page, firstId).getByRole('button', { name: 'Accept this answer' }).isVisible()).toBe(true);

    // The profile says the same, reached through the user card's link.
    await waitForDocument(page, () => first.locator('.user-card').getByRole('link', { name: second.username }).click());
    expect(path(page)).toBe(`/users/${second.username}`);
    expect(await page.locator('.facts div', { hasText: 'Reputation' }).locator('dd').innerText()).toBe('16');
    expect(await page.getByRole('row', { name: /Answer accepted/ }).getByRole('cell').nth(1).innerText()).toBe('+15');
    expect(await page.locator('#profile-answers + ul .badge-accepted').innerText()).toBe('Accepted answer');

    // The question list shows the accepted mark too.
    await open(page, server.url('/questions'));
    const summary = page.locator('.question-summary', { hasText: title });
    expect(await summary.locator('.stat-accepted').innerText()).toContain('2 answers');
  });

  it('lets a moderator accept on the asker’s behalf', async () => {
    const asker = await apiMember();
    const answerer = await apiMember();
    const question = await askVia(asker, { title: 'Invoice shows a charge I did not make', body: 'My March invoice has a 12 € charge for a service I never ordered.', tags: ['billing'] });
    const answerId = await answerVia(answerer, question.id, 'That is the paper-invoice fee; switch to e-invoices in your account settings.');

    const { page, context } = await visitor();
    try {
      await signInAs(page, e2e.server, 'moderator');
      await open(page, question.url);
      const answer = answerArticle(page, answerId);
      expect(await reputationIn(answer)).toBe('reputation 1');
      await waitForDocument(page, () => answer.getByRole('button', { name: 'Accept this answer' }).click());
      expect(await answer.locator('.badge-accepted').innerText()).toBe('✓ Accepted answer');
      expect(await reputationIn(answer)).toBe('reputation 16');
      // The asker's +2 for accepting goes to the asker only when they accept themselves.
      expect(await reputationIn(page.locator('article.question'))).toBe('reputation 1');
    } finally {
      await context.close();
    }
    const thread = await asker.call<{ acceptedAnswerId: number | null }>('GET', `/questions/${question.id}`);
    expect(thread.acceptedAnswerId).toBe(answerId);
  });
});

describe('voting through the buttons', () => {
  it('votes an answer up and takes the vote back; the score and the author’s reputation follow', async () => {
    const asker = await apiMember();
    const answerer = await apiMember();
    const question = await askVia(asker, { title: 'How do I change the Wi-Fi password?', body: 'I want a new password for my home network, where do I set it?', tags: ['wifi'] });
    const answerId = await answerVia(answerer, question.id, 'Open 192.168.1.1, sign in, then go to Wireless → Security and type the new key.');

    const { page, context } = await visitor();
    try {
      const voter = await e2e.server.createUser();
      // Just enough reputation for the up-vote privilege (15), not for down-votes (125).
      e2e.server.db.update(users).set({ reputation: 15 }).where(eq(users.id, voter.id)).run();
      await signIn(page, e2e.server, voter.username, voter.password);
      await open(page, question.url);
      const answer = answerArticle(page, answerId);
      const score = answer.locator('.vote .score-value');
      expect(await score.innerText()).toBe('0');
      expect(await answer.getByRole('button', { name: 'Vote down: this is not useful' }).count()).toBe(0);

      const up = answer.getByRole('button', { name: 'Vote up: this is useful' });
      expect(await up.getAttribute('aria-pressed')).toBe('false');
      await waitForDocument(page, () => up.click());
      expect(new URL(page.url()).hash).toBe(`#answer-${answerId}`);
      expect(await score.innerText()).toBe('1');
      const undo = answer.getByRole('button', { name: 'Remove your up-vote' });
      expect(await undo.getAttribute('aria-pressed')).toBe('true');
      expect(await reputationIn(answer)).toBe('reputation 11');

      // Clicking the pressed button again retracts the vote.
      await waitForDocument(page, () => undo.click());
      expect(await score.innerText()).toBe('0');
      expect(await answer.getByRole('button', { name: 'Vote up: this is useful' }).getAttribute('aria-pressed')).toBe('false');
      expect(await reputationIn(answer)).toBe('reputation 1');
    } finally {
      await context.close();
    }
  });
});

describe('the comment form without JavaScript', () => {
  it('opens the <details>, refuses a too-short comment keeping the text, then posts one', async () => {
    const asker = await apiMember();
    const question = await askVia(asker, { title: 'Fibre light blinks red after a storm', body: 'After last night’s storm the fibre light on the box blinks red.', tags: ['fibre'] });

    const { page, context } = await visitor({ javaScriptEnabled: false });
    try {
      await signIn(page, e2e.server, asker.username, asker.password);
      await open(page, question.url);
      const comments = page.locator('article.question .comments');
      const details = comments.locator('details');
      expect(await details.getAttribute('open')).toBeNull();
      const field = comments.getByLabel('Comment', { exact: true });
      expect(await field.isVisible()).toBe(false);
      await comments.getByText('Add a comment').click();
      expect(await details.getAttribute('open')).toBe('');
      expect(await field.isVisible()).toBe(true);

      await field.fill('Too short');
      const refused = await waitForDocument(page, () => comments.getByRole('button', { name: 'Post comment' }).click());
      expect(refused.status()).toBe(400);
      // The form comes back open, with the error and the text typed.
      expect(await details.getAttribute('open')).toBe('');
      expect(await comments.locator('.field-error').innerText()).toBe('Comments have 15 to 600 characters.');
      expect(await field.inputValue()).toBe('Too short');

      const text = 'Did you check the cable behind the box for damage?';
      await field.fill(text);
      const posted = await waitForDocument(page, () => comments.getByRole('button', { name: 'Post comment' }).click());
      expect(posted.status()).toBe(200);
      const commentId = /#comment-(\d+)$/.exec(page.url())?.[1];
      expect(commentId).toBeDefined();
      expect(await page.locator(`#comment-${commentId} .comment-body`).innerText()).toBe(text);
      expect(await page.locator(`#comment-${commentId}`).getByRole('link', { name: asker.username }).isVisible()).toBe(true);
      expect(await details.getAttribute('open')).toBeNull();
    } finally {
      await context.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// XSS: content posted by members must never run, wherever it is shown.

const VECTORS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '[x](javascript:alert(1))',
  '<svg onload=alert(1)>',
  '<iframe srcdoc="<script>alert(1)</script>">',
  '<math><mi><xmp></mi><mglyph><svg><mtext><textarea><path id="</textarea><img onerror=alert(1) src=1>">',
  '<a href="javascript:alert(1)">x</a>',
  '<details open ontoggle=alert(1)>',
  '<a href="JaVaScRiPt:alert(1)">mixed case</a>',
  '<a href="&#106;avascript:alert(1)">entity</a>',
  '<a href="java\tscript:alert(1)">tab</a>',
  '[reference][1]\n\n[1]: javascript:alert(1)',
  '<javascript:alert(1)>',
  '[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
  '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">svg link</text></a></svg>',
  '<form action="javascript:alert(1)"><button>form</button></form>',
  '<object data="javascript:alert(1)"></object>',
  '<style>*{background:url("javascript:alert(1)")}</style>',
  '<body onload=alert(1)>',
  '"><img src=x onerror=alert(1)>',
  "'-alert(1)-'",
  '<a href="https://example.com/" onmouseover=alert(1)>hover</a>',
];

// An unclosed <svg>, <math>, <iframe> or <noscript> makes the sanitizer drop everything after it (as
// text that must vanish with its tag), so in the one post that holds every vector they come last.
const SWALLOWS_REST = /<(svg|math|iframe|noscript)\b/;
const ALL_VECTORS_BODY = `Vectors below, one per paragraph.\n\n${[...VECTORS]
  .sort((a, b) => Number(SWALLOWS_REST.test(a)) - Number(SWALLOWS_REST.test(b)))
  .join('\n\n')}`;

const collapse = (text: string) => text.replace(/\s+/g, ' ').trim();

/**
 * The page as the browser built it holds nothing that could run: only our own scripts, no event
 * handler attributes, no dangerous URL anywhere, no embedded documents or foreign content, and the
 * only forms are ours.
 */
async function expectInert(page: Page): Promise<void> {
  const found = await page.evaluate(() => {
    const problems: string[] = [];
    // Our own scripts only: files under /static/, never an inline one.
    for (const script of document.scripts) {
      // Structured data (JSON-LD) is a data block in the head, never run: it must be JSON and nothing else.
      if (script.type === 'application/ld+json' && script.parentElement === document.head && script.children.length === 0) {
        try {
          JSON.parse(script.textContent ?? '');
          continue;
        } catch {
          problems.push(`<script type="application/ld+json"> that is not JSON: ${script.textContent?.slice(0, 60)}`);
          continue;
        }
      }
      const src = script.getAttribute('src');
      if (src === null || !src.startsWith('/static/')) problems.push(`<script> ${src ?? `inline: ${script.textContent?.slice(0, 60)}`}`);
    }
    const urlAttributes = /^(href|src|action|formaction|xlink:href|data|poster|background|srcdoc|srcset)$/i;
    for (const element of document.querySelectorAll('*')) {
      for (const attribute of element.attributes) {
        if (/^on/i.test(attribute.name)) problems.push(`<${element.localName} ${attribute.name}="${attribute.value}">`);
        if (attribute.name.toLowerCase() === 'srcdoc') problems.push(`<${element.localName} srcdoc>`);
        if (urlAttributes.test(attribute.name) && !/^(https?:|mailto:|\/|#)/i.test(attribute.value.trim())) {
          problems.push(`<${element.localName} ${attribute.name}="${attribute.value}">`);
        }
      }
    }
    const foreign = document.querySelectorAll('main :is(script, style, link, meta, base, iframe, frame, object, embed, svg, math, xmp, noscript, template, img)');
    for (const element of foreign) {
      // The forum's own avatars (issue 16): drawn by the server from a username, never inside member content.
      const ownAvatar = element.matches('img.avatar[alt=""]') && /^\/users\/[^/]+\/avatar\.svg$/.test(element.getAttribute('src') ?? '') && !element.closest('.post-body, .comment-body');
      if (!ownAvatar) problems.push(`<${element.localName}> in main`);
    }
    for (const details of document.querySelectorAll('details')) {
      // (The header's menu on narrow screens is a <details> too, issue 16.)
      if (!details.parentElement?.classList.contains('comments') && !details.classList.contains('mobile-menu')) problems.push('<details> outside a comment form');
    }
    // Member text shown as text (titles, comments) has no markup at all; post bodies have no forms.
    for (const element of document.querySelectorAll('main .post-body form, main .comment-body *, main h1 *, .summary-title a *')) {
      problems.push(`<${element.localName}> inside member text`);
    }
    return problems;
  });
  expect(found, `active content on ${page.url()}`).toEqual([]);
}

/**
 * Clicks the links of the posts (and of the preview) that lead nowhere safe: links to other sites
 * (http, https, mailto) are left alone, there is no network here. Each kind of link (same attributes)
 * gets a real mouse click; the others of that kind a DOM click(), which runs the same activation.
 */
async function pokeLinks(page: Page): Promise<number> {
  const links = page.locator('.post-body a');
  const kinds = await links.evaluateAll((nodes) =>
    nodes.map((node) => ({
      offSite: /^(https?:|mailto:)/i.test(node.getAttribute('href') ?? ''),
      signature: [...node.attributes].map((attribute) => `${attribute.name}=${attribute.value}`).sort().join(' '),
    })),
  );
  const before = page.url();
  const clicked = new Set<string>();
  for (const [index, { offSite, signature }] of kinds.entries()) {
    if (offSite || clicked.has(signature)) continue;
    clicked.add(signature);
    await links.nth(index).click();
  }
  await links.evaluateAll((nodes) => {
    for (const node of nodes) if (!/^(https?:|mailto:)/i.test(node.getAttribute('href') ?? '')) (node as HTMLElement).click();
  });
  // One round trip through the page's event loop lets anything a click queued happen before we look.
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
  expect(page.url()).toBe(before);
  return kinds.length;
}

describe('XSS vectors stay inert', () => {
  it('in titles, bodies, comments, tags, previews, edits and their history, on every page that shows them', async () => {
    const { server } = e2e;
    const { page, context } = await visitor();
    try {
      const asker = await signInAs(page, server);
      const title = '<script>alert(1)</script> <img src=x onerror=alert(1)> router';
      const body = ALL_VECTORS_BODY;
      await open(page, server.url('/questions/ask'));
      // A tag that is a vector is refused, and the form shows it back as typed, inert.
      const tagVector = '<svg/onload=alert(1)> "><script>alert(1)</script>';
      await fillAskForm(page, { title, body, tags: tagVector });
      await expectInert(page);
      const refused = await waitForDocument(page, () => page.getByRole('button', { name: 'Post your question' }).click());
      expect(refused.status()).toBe(400);
      expect(await page.getByLabel('Tags', { exact: true }).inputValue()).toBe(tagVector);
      expect(await page.getByLabel('Title', { exact: true }).inputValue()).toBe(title);
      expect(await page.getByLabel('Details', { exact: true }).inputValue()).toBe(body);
      await expectInert(page);

      // The preview renders the vectors through the same sanitizer as a post.
      await page.getByLabel('Tags', { exact: true }).fill('xss router');
      await waitForDocument(page, () => page.getByRole('button', { name: 'Preview' }).click());
      expect(await page.locator('.preview .post-body').innerText()).toContain('Vectors below');
      await expectInert(page);
      expect(await pokeLinks(page)).toBeGreaterThan(5);

      await waitForDocument(page, () => page.getByRole('button', { name: 'Post your question' }).click());
      const threadUrl = page.url();
      const questionId = Number(/\/questions\/(\d+)\//.exec(threadUrl)?.[1]);
      expect(await page.locator('main h1').innerText()).toBe(title);
      expect((await page.title()).startsWith(`${title} – `)).toBe(true);

      // Through the API: an answer per vector, a comment per vector, a question per vector in its title.
      const answerer = await apiMember();
      const titled = await apiMember();
      const answerIds: number[] = [];
      // (Titles and comments are plain text: the first vectors are enough there; bodies get them all.)
      for (const [index, vector] of VECTORS.entries()) {
        answerIds.push(await answerVia(answerer, questionId, `${vector}\n\nAnswer ${index} carries the vector above.`));
        if (index < 8) await askVia(titled, { title: `${vector} title ${index}`, body: `${vector}\n\nQuestion ${index} carries a vector in its title.`, tags: ['xss'] });
      }
      // The asker may comment on their question and on the answers to it.
      const askerApi = await apiLogin(asker.username, asker.password);
      for (const [index, vector] of VECTORS.slice(0, 8).entries()) {
        const target = index % 2 === 0 ? { postType: 'question', postId: questionId } : { postType: 'answer', postId: answerIds[0] };
        await askerApi('POST', '/comments', { ...target, body: `${vector} (comment ${index})` });
      }

      // One comment through the form too.
      await open(page, threadUrl);
      const questionComments = page.locator('article.question .comments');
      await questionComments.getByText('Add a comment').click();
      await questionComments.getByLabel('Comment', { exact: true }).fill('<img src=x onerror=alert(1)> via the form');
      await waitForDocument(page, () => questionComments.getByRole('button', { name: 'Post comment' }).click());
      expect(await page.locator('.comment-body', { hasText: 'via the form' }).innerText()).toBe('<img src=x onerror=alert(1)> via the form');
      for (const [index, vector] of VECTORS.slice(0, 8).entries()) {
        expect(await page.locator('.comment-body', { hasText: `(comment ${index})` }).innerText()).toBe(collapse(`${vector} (comment ${index})`));
      }
      await expectInert(page);
      expect(await pokeLinks(page)).toBeGreaterThan(10);

      // Editing shows the raw Markdown back in the fields (a </textarea> in it must not break out).
      await open(page, server.url(`/questions/${questionId}/edit`));
      expect(await page.getByLabel('Details', { exact: true }).inputValue()).toBe(body);
      expect(await page.getByLabel('Title', { exact: true }).inputValue()).toBe(title);
      await expectInert(page);
      await page.getByLabel('Details', { exact: true }).fill(`${body}\n\n<script>alert("edited")</script> Edited.`);
      await page.getByLabel('Edit summary', { exact: true }).fill('<img src=x onerror=alert(1)> summary');
      await waitForDocument(page, () => page.getByRole('button', { name: 'Save edits' }).click());
      expect(page.url()).toBe(threadUrl);
      await open(page, server.url(`/posts/question/${questionId}/revisions`));
      expect(await page.locator('#revision-2 .revision-meta').innerText()).toContain('<img src=x onerror=alert(1)> summary');
      expect(await page.locator('#revision-2 .diff-body ins').innerText()).toContain('<script>alert("edited")</script> Edited.');

      // Every page that shows member text, signed in; the main ones anonymous too (no forms there).
      const anonymous = await visitor();
      try {
        const everywhere = [threadUrl, '/questions', '/questions?tag=xss', '/'];
        const signedInOnly = [
          `/posts/question/${questionId}/revisions`,
          `/posts/answer/${answerIds[5]}/revisions`,
          `/questions?tag=${encodeURIComponent('<script>alert(1)</script>')}`,
          '/tags',
          `/users/${asker.username}`,
          `/users/${answerer.username}`,
          `/users/${titled.username}`,
        ];
        for (const [viewer, pages] of [
          [page, [...everywhere, ...signedInOnly]],
          [anonymous.page, everywhere],
        ] as const) {
          for (const pathname of pages) {
            await open(viewer, server.url(pathname));
            await expectInert(viewer);
            await pokeLinks(viewer);
          }
        }
      } finally {
        await anonymous.context.close();
      }
    } finally {
      await context.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// Accessibility (axe-core) and markup (html-validate) of the Q&A pages, with real content on them.

describe('accessibility and markup of the Q&A pages', () => {
  let thread: { id: number; url: string };
  let asker: ApiMember;
  let memberAnswerId: number;
  let staffAnswerId: number;

  beforeAll(async () => {
    asker = await apiMember();
    const member = await apiMember();
    const staff = await apiMember('staff');
    const admin = await apiMember('admin');
    const body = [
      'Since yesterday’s update the webmail says **“Sending failed”** for every message.',
      '',
      '1. I cleared the browser cache',
      '2. I tried another browser',
      '',
      '```',
      'Error 550: relay not permitted',
      '```',
      '',
      '> The message was saved in Drafts.',
      '',
      'The [help page](https://example.com/help) did not mention it.',
    ].join('\n');
    thread = await askVia(asker, { title: 'Cannot send email from the webmail since the update', body, tags: ['email', 'webmail'] });
    memberAnswerId = await answerVia(member, thread.id, 'Sign out and in again: the update changed the outgoing server settings, and `Error 550` is what the old ones give.');
    staffAnswerId = await answerVia(staff, thread.id, 'We rolled back the relay change at 10:00. Please try again, and tell us here if it still fails.');
    await asker.call('POST', `/questions/${thread.id}/accept`, { answerId: memberAnswerId });
    await asker.call('POST', '/comments', { postType: 'question', postId: thread.id, body: 'It happens with attachments and without them.' });
    await asker.call('POST', '/comments', { postType: 'answer', postId: memberAnswerId, body: 'Signing out and in fixed it, thank you!' });
    // An edit by someone else, for the revisions page.
    await admin.call('PATCH', `/questions/${thread.id}`, { body: `${body}\n\nUpdate: it works again.`, comment: 'Added the outcome' });
    // More questions for the lists, one of them tagged like the thread.
    const other = await apiMember();
    await askVia(other, { title: 'Webmail logs me out every five minutes', body: 'Every five minutes the webmail asks me to sign in again.', tags: ['webmail', 'account'] });
    await askVia(other, { title: 'How do I set up an out-of-office reply?', body: 'I am away next week and want an automatic reply in the webmail.', tags: ['email'] });
  });

  it('anonymous views: lists, thread, tags, reputation help, profile and revisions', async () => {
    const { page, context } = await visitor();
    try {
      for (const pathname of [
        '/questions',
        '/questions?tag=webmail',
        new URL(thread.url).pathname,
        '/tags',
        '/help/reputation',
        `/users/${asker.username}`,
        `/posts/question/${thread.id}/revisions`,
      ]) {
        const response = await open(page, e2e.server.url(pathname));
        expect(response.status(), pathname).toBe(200);
        await expectClean(page, await response.text());
      }
    } finally {
      await context.close();
    }
  });

  it('signed-in views: the thread with every control, ask (empty and with errors), edit pages and revisions after an edit', async () => {
    const { page, context } = await visitor();
    try {
      await signInAs(page, e2e.server, 'admin');
      let response = await open(page, thread.url);
      // Everything an admin can do is on the page: votes, accept, official, edit, delete, comment.
      const memberAnswer = answerArticle(page, memberAnswerId);
      const staffAnswer = answerArticle(page, staffAnswerId);
      expect(await memberAnswer.locator('.badge-accepted').innerText()).toBe('✓ Accepted answer');
      expect(await staffAnswer.locator('.badge-official').innerText()).toBe('Official answer');
      expect(await staffAnswer.locator('.badge-staff').innerText()).toBe('Staff');
      expect(await memberAnswer.getByRole('button', { name: 'Vote down: this is not useful' }).isVisible()).toBe(true);
      expect(await staffAnswer.getByRole('button', { name: 'Accept this answer' }).isVisible()).toBe(true);
      expect(await memberAnswer.getByRole('button', { name: 'Mark as official' }).isVisible()).toBe(true);
      expect(await page.locator('details > summary', { hasText: 'Add a comment' }).count()).toBe(3);
      await expectClean(page, await response.text());
      // With a comment form open (its <details> expanded), too.
      await page.locator('article.question .comments > details > summary').click();
      expect(await page.locator('article.question .comments > details').getAttribute('open')).toBe('');
      const violations = await checkA11y(page);
      expect.soft(violations.map((violation) => violation.id), formatViolations(violations)).toEqual([]);

      for (const pathname of [`/questions/${thread.id}/edit`, `/answers/${memberAnswerId}/edit`, `/posts/answer/${memberAnswerId}/revisions`]) {
        response = await open(page, e2e.server.url(pathname));
        expect(response.status(), pathname).toBe(200);
        await expectClean(page, await response.text());
      }

      // An edit through the form, then its revisions page.
      await open(page, e2e.server.url(`/answers/${staffAnswerId}/edit`));
      await page.getByLabel('Your answer', { exact: true }).fill('We rolled back the relay change at 10:00. Please try again, and tell us here if it still fails. Update: fixed for everyone.');
      await page.getByLabel('Edit summary', { exact: true }).fill('Confirmed the fix');
      await waitForDocument(page, () => page.getByRole('button', { name: 'Save edits' }).click());
      expect(new URL(page.url()).hash).toBe(`#answer-${staffAnswerId}`);
      await waitForDocument(page, () => answerArticle(page, staffAnswerId).getByRole('link', { name: 'History' }).click());
      expect(path(page)).toBe(`/posts/answer/${staffAnswerId}/revisions`);
      expect(await page.locator('#revision-2 .revision-meta').innerText()).toContain('Confirmed the fix');
      expect(await page.locator('#revision-2 ins').first().innerText()).toContain('Update: fixed for everyone.');
      response = await open(page, page.url());
      await expectClean(page, await response.text());

      // The ask page: step 1 (empty), step 2 (similar questions and the rest), then refused with errors.
      response = await open(page, e2e.server.url('/questions/ask'));
      await expectClean(page, await response.text());
      await page.getByLabel('Title', { exact: true }).fill('Webmail');
      response = await waitForDocument(page, () => page.getByRole('button', { name: 'Continue' }).click());
      await expectClean(page, await response.text());
      await page.getByLabel('Details', { exact: true }).fill('Too short.');
      await page.getByLabel('Tags', { exact: true }).fill('not_a_tag!');
      response = await waitForDocument(page, () => page.getByRole('button', { name: 'Post your question' }).click());
      expect(response.status()).toBe(400);
      // Every wrong field at once (issue 16), in the form's order.
      expect(await page.locator('#error-summary').getByRole('link').first().innerText()).toBe('Titles have 15 to 150 characters.');
      expect(await page.locator('#error-summary').getByRole('link').count()).toBe(3);
      await page.waitForFunction(() => document.activeElement?.id === 'error-summary');
      expect(await page.getByLabel('Title', { exact: true }).getAttribute('aria-invalid')).toBe('true');
      expect(await page.getByLabel('Details', { exact: true }).inputValue()).toBe('Too short.');
      await expectClean(page, await response.text());
    } finally {
      await context.close();
    }
  });

  it('the thread in Spanish through the language switcher, accessible too', async () => {
    const { page, context } = await visitor();
    try {
      await open(page, thread.url);
      const response = await waitForDocument(page, () => page.locator('footer').getByRole('button', { name: 'Español' }).click());
      expect(page.url()).toBe(thread.url);
      expect(await htmlLang(page)).toBe('es');
      expect(await page.locator('#answers-heading').innerText()).toBe('2 respuestas');
      expect(await answerArticle(page, memberAnswerId).locator('.badge-accepted').innerText()).toBe('✓ Respuesta aceptada');
      expect(await answerArticle(page, staffAnswerId).locator('.badge-official').innerText()).toBe('Respuesta oficial');
      expect(await header(page).getByRole('link', { name: 'Preguntar', exact: true }).isVisible()).toBe(true);
      // The question itself stays in its own language, marked as such.
      expect(await page.locator('#question-title').getAttribute('lang')).toBe('en');
      await expectClean(page, await response.text());
      await waitForDocument(page, () => page.getByRole('button', { name: 'English' }).click());
      expect(await htmlLang(page)).toBe('en');
      expect(await page.locator('#answers-heading').innerText()).toBe('2 answers');
    } finally {
      await context.close();
    }
  });
});
