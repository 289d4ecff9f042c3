// The one way browser tests run the forum: a real server on 127.0.0.1, Debian's Chromium driven by
// playwright-core, axe-core for accessibility and html-validate for the markup. See test/e2e/README.md.
import { expect } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { HtmlValidate, type ConfigData } from 'html-validate';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page, type Response } from 'playwright-core';
import { buildApp } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { closeDatabase, openDatabase, type Db } from '../../src/db/client.ts';
import type { Role } from '../../src/db/schema.ts';
import { BROWSER_USER_AGENT, createUser } from '../helper.ts';

export { STRONG_PASSWORD } from '../helper.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Debian's Chromium. Browser tests never download a browser. */
export const CHROMIUM_PATH = process.env.RESUELTO_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];
/** Upper bound for one browser action (click, fill, wait); a hung page fails the test instead of the run. */
export const ACTION_TIMEOUT_MS = 10_000;
export const NAVIGATION_TIMEOUT_MS = 15_000;

// ---------------------------------------------------------------------------------------------------
// The forum server

export interface ForumServer {
  app: FastifyInstance;
  db: Db;
  config: Config;
  /** Temporary folder holding the database and the secrets file; removed by close(). */
  dir: string;
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  baseUrl: string;
  /** An absolute URL for a path of this forum. */
  url: (pathname?: string) => string;
  /** Creates a user straight in the database (no browser round trip); the password is STRONG_PASSWORD. */
  createUser: (role?: Role, username?: string) => ReturnType<typeof createUser>;
  close: () => Promise<void>;
}

/** Starts a real forum on 127.0.0.1 with an ephemeral port and a fresh SQLite file in a temporary folder. */
export async function startForum(options: { env?: Record<string, string>; setupToken?: string } = {}): Promise<ForumServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resuelto-e2e-'));
  let db: Db | undefined;
  let app: FastifyInstance | undefined;
  try {
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_PATH: path.join(dir, 'forum.db'), PORT: '0', HOST: '127.0.0.1', ...options.env });
    db = openDatabase(config.databasePath);
    app = await buildApp(config, { db, setupToken: options.setupToken });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const baseUrl = `http://127.0.0.1:${port}`;
    // The port is only known now: canonical links should point at the address the browser really uses.
    if (!options.env?.BASE_URL) config.baseUrl = baseUrl;
    const forumDb = db;
    const forumApp = app;
    let closed = false;
    return {
      app,
      db,
      config,
      dir,
      baseUrl,
      url: (pathname = '/') => new URL(pathname, baseUrl + '/').toString(),
      createUser: (role = 'member', username) => createUser(forumDb, role, username),
      close: async () => {
        if (closed) return;
        closed = true;
        try {
          await forumApp.close();
        } finally {
          closeDatabase(forumDb);
          fs.rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    await app?.close().catch(() => {});
    if (db) closeDatabase(db);
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------
// The browser

/**
 * Launches Chromium. Playwright gives the browser a fresh temporary profile (--user-data-dir) and
 * deletes it on close, so nothing is read from or left in the user's home; each context made by
 * newContext() is a further isolated cookie jar, so one test can drive two users at once.
 */
export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) throw new Error(`Chromium not found at ${CHROMIUM_PATH} (browser tests never download one)`);
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    headless: true,
    timeout: 30_000,
    // Vitest owns the process: it must not have Playwright killing the browser on its own signals mid-test.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
}

/** Everything a page reported that a user's browser console would show as an error. */
export interface BrowserProblems {
  /** Console errors (CSP violations included), uncaught exceptions and CSP violation events. */
  readonly errors: string[];
  clear: () => void;
}

export interface TestContext {
  context: BrowserContext;
  problems: BrowserProblems;
}

/**
 * What a person's Chrome says it is. Headless Chromium says "HeadlessChrome", which the forum takes for a
 * bot (bots get signed-out pages without a CSRF secret and leave no deflection events), so the contexts
 * that play people say this instead; pass `userAgent` to play something else.
 */
export const PERSON_USER_AGENT = BROWSER_USER_AGENT;

/**
 * A new isolated browser context (its own cookies) with short timeouts and console tracking.
 * English by default so that tests start from a known language; pass `locale` to change it.
 * The site's CSP is enforced (no bypassCSP), so any violation is caught as a problem.
 */
export async function newContext(browser: Browser, options: BrowserContextOptions = {}, problems?: BrowserProblems): Promise<TestContext> {
  const context = await browser.newContext({ locale: 'en-US', userAgent: PERSON_USER_AGENT, ...options });
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
  return { context, problems: await trackProblems(context, problems) };
}

/**
 * Collects console errors, uncaught page errors and CSP violations of every page of a context.
 * Chromium also logs "Failed to load resource: … status of 4xx" for a document answered with an
 * error status; a test that navigates to a 404 or re-shown form checks that status itself, so those
 * lines are ignored for main-frame documents only (a missing stylesheet or script still counts).
 * Pass `into` to gather several contexts' problems in one list.
 */
export async function trackProblems(context: BrowserContext, into?: BrowserProblems): Promise<BrowserProblems> {
  const problems = into ?? newProblems();
  const { errors } = problems;
  const errorDocuments = new Set<string>();
  context.on('response', (response) => {
    const request = response.request();
    if (response.status() >= 400 && request.isNavigationRequest() && request.frame().parentFrame() === null) errorDocuments.add(response.url());
  });
  context.on('console', (message) => {
    if (message.type() !== 'error') return;
    const where = message.location().url;
    if (/^Failed to load resource: the server responded with a status of 4\d\d/.test(message.text()) && errorDocuments.has(where.replace(/#.*$/, ''))) return;
    errors.push(`console.error at ${where || '?'}: ${message.text()}`);
  });
  context.on('weberror', (webError) => errors.push(`uncaught error on ${webError.page()?.url() ?? '?'}: ${webError.error().message}`));
  // Belt and braces: CSP violation events, reported through a binding (bindings and init scripts are
  // installed through the DevTools protocol, so the page's own CSP does not block them).
  await context.exposeBinding('__resueltoCspViolation', (_source, report: string) => {
    errors.push(`CSP violation: ${report}`);
  });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { __resueltoCspViolation: (text: string) => void }).__resueltoCspViolation;
      void report(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'} on ${event.documentURI} (${event.sourceFile}:${event.lineNumber})`);
    });
  });
  return problems;
}

function newProblems(): BrowserProblems {
  const errors: string[] = [];
  return { errors, clear: () => void errors.splice(0) };
}

/**
 * Runs `action` (a click on a submit button, say) and waits for the new document: returns its final
 * response (after redirects), once the page has loaded. Use its text() to validate the HTML.
 */
export async function waitForDocument(page: Page, action: () => Promise<unknown>): Promise<Response> {
  const response = page.waitForResponse((candidate) => {
    const request = candidate.request();
    const status = candidate.status();
    return request.isNavigationRequest() && request.frame() === page.mainFrame() && (status < 300 || status >= 400);
  });
  const loaded = page.waitForEvent('load');
  await action();
  const [final] = await Promise.all([response, loaded]);
  return final;
}

/** Navigates and returns the document's response (never null for an http URL). */
export async function open(page: Page, url: string): Promise<Response> {
  const response = await page.goto(url, { waitUntil: 'load' });
  if (!response) throw new Error(`no response for ${url}`);
  return response;
}

// ---------------------------------------------------------------------------------------------------
// Accessibility: axe-core

const AXE_SOURCE_PATH = path.join(ROOT, 'node_modules/axe-core/axe.min.js');
let axeSource: string | undefined;

export interface A11yViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  targets: string[];
  summary: string[];
}

/**
 * Runs axe-core on the page as it is now and returns its violations (tests expect none).
 * axe is evaluated through the DevTools protocol rather than added as a <script>: the site's CSP
 * refuses inline scripts, and the tests keep that CSP enforced to catch violations of our own pages.
 * Every rule axe ships enabled runs: WCAG 2.x A/AA plus best practices (landmarks, headings...).
 */
export async function checkA11y(page: Page, options: { exclude?: string[] } = {}): Promise<A11yViolation[]> {
  axeSource ??= fs.readFileSync(AXE_SOURCE_PATH, 'utf8');
  const hasAxe = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe === 'object');
  if (!hasAxe) await page.evaluate(axeSource);
  return page.evaluate(async (exclude) => {
    interface AxeNode {
      target: unknown[];
      failureSummary?: string;
    }
    interface AxeResult {
      id: string;
      impact?: string | null;
      help: string;
      helpUrl: string;
      nodes: AxeNode[];
    }
    const axe = (window as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<{ violations: AxeResult[] }> } }).axe;
    const context = exclude.length ? { exclude: exclude.map((selector) => [selector]) } : document;
    const results = await axe.run(context, { resultTypes: ['violations'] });
    return results.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact ?? null,
      help: violation.help,
      helpUrl: violation.helpUrl,
      targets: violation.nodes.map((node) => node.target.map(String).join(' ')),
      summary: violation.nodes.map((node) => node.failureSummary ?? ''),
    }));
  }, options.exclude ?? []);
}

export function formatViolations(violations: A11yViolation[]): string {
  return violations
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.helpUrl}\n${v.targets.map((t, i) => `  - ${t}\n    ${v.summary[i].replace(/\n/g, '\n    ')}`).join('\n')}`)
    .join('\n');
}

// ---------------------------------------------------------------------------------------------------
// Markup: html-validate with the repository's .htmlvalidate.json (the relaxed rules are justified in
// test/e2e/README.md; JSON has no comments).

let validator: HtmlValidate | undefined;

function htmlValidator(): HtmlValidate {
  if (!validator) {
    const config = JSON.parse(fs.readFileSync(path.join(ROOT, '.htmlvalidate.json'), 'utf8')) as ConfigData;
    validator = new HtmlValidate({ ...config, root: true });
  }
  return validator;
}

/** Validates a page's HTML as the server sent it; returns one readable line per problem (tests expect none). */
export async function validateHtml(html: string, url: string): Promise<string[]> {
  const report = await htmlValidator().validateString(html, url);
  return report.results.flatMap((result) =>
    result.messages.map((m) => `${url}:${m.line}:${m.column} ${m.ruleId}: ${m.message}${m.selector ? ` (${m.selector})` : ''}`),
  );
}

// ---------------------------------------------------------------------------------------------------
// Everything at once

export interface E2E extends TestContext {
  server: ForumServer;
  browser: Browser;
  page: Page;
  /** A further isolated context (another visitor, its own cookies), closed with everything else. Its problems go to `problems`. */
  newVisitor: (options?: BrowserContextOptions) => Promise<TestContext & { page: Page }>;
  close: () => Promise<void>;
}

/**
 * Starts a forum and a browser with one context and page. Call close() in afterAll: it closes the
 * browser (and every context), then the server, and removes the temporary folders, even if one fails.
 */
export async function startE2E(options: { env?: Record<string, string>; setupToken?: string; context?: BrowserContextOptions } = {}): Promise<E2E> {
  const server = await startForum(options);
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser();
    const launched = browser;
    const main = await newContext(launched, options.context);
    const problems = main.problems;
    const page = await main.context.newPage();
    return {
      ...main,
      server,
      browser: launched,
      page,
      newVisitor: async (contextOptions) => {
        const visitor = await newContext(launched, contextOptions, problems);
        return { ...visitor, page: await visitor.context.newPage() };
      },
      close: async () => {
        try {
          await launched.close();
        } finally {
          await server.close();
        }
      },
    };
  } catch (error) {
    await browser?.close().catch(() => {});
    await server.close();
    throw error;
  }
}

/** Signs a page in through the real form; returns once the next page has loaded. */
export async function signIn(page: Page, server: ForumServer, login: string, password: string): Promise<Response> {
  await open(page, server.url('/signin'));
  await page.locator('#field-login').fill(login);
  await page.locator('#field-password').fill(password);
  return waitForDocument(page, () => page.locator('form[action="/signin"] button[type="submit"]').click());
}

/** A new user of the given role, created in the database, signed in on `page` through the form. */
export async function signInAs(page: Page, server: ForumServer, role: Role = 'member', username?: string) {
  const user = await server.createUser(role, username);
  const response = await signIn(page, server, user.username, user.password);
  if (response.status() !== 200) throw new Error(`sign-in as ${user.username} failed: ${response.status()}`);
  return user;
}

/** No page may log an error: a CSP violation, a failed request or a script error fails the test that caused it. */
export function expectNoBrowserErrors(e2e: E2E | undefined): void {
  const errors = [...(e2e?.problems.errors ?? [])];
  e2e?.problems.clear();
  expect(errors, 'browser console errors').toEqual([]);
}

/** html-validate on the HTML as sent, and axe at 0 violations on the page as shown. */
export async function expectClean(page: Page, html: string): Promise<void> {
  expect(await validateHtml(html, page.url()), 'html-validate').toEqual([]);
  const violations = await checkA11y(page);
  expect(violations.map((violation) => violation.id), formatViolations(violations)).toEqual([]);
}

/** html-validate on the HTML as sent; axe in the light scheme, the dark scheme, and at 390 px wide (no sideways scrolling there). */
export async function expectCleanEverywhere(page: Page, html: string): Promise<void> {
  expect.soft(await validateHtml(html, page.url()), `html-validate on ${page.url()}`).toEqual([]);
  const viewport = page.viewportSize();
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    const violations = await checkA11y(page);
    expect.soft(violations.map((v) => v.id), `axe (${scheme}) on ${page.url()}\n${formatViolations(violations)}`).toEqual([]);
  }
  await page.setViewportSize({ width: 390, height: 844 });
  // Nothing wider than a phone: no sideways scrolling.
  expect.soft(await page.evaluate(() => document.documentElement.scrollWidth), `page width at 390 px on ${page.url()}`).toBeLessThanOrEqual(390);
  const narrow = await checkA11y(page);
  expect.soft(narrow.map((v) => v.id), `axe (390 px) on ${page.url()}\n${formatViolations(narrow)}`).toEqual([]);
  await page.emulateMedia({ colorScheme: 'light' });
  if (viewport) await page.setViewportSize(viewport);
}
