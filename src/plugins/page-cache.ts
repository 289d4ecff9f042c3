// Owns the signed-out page cache: complete responses of the pages every signed-out visitor sees alike
// (home, lists, threads), kept per language and URL and answered before the rest of the request pipeline.
//
// Customers arrive from search engines, signed out: these pages are most of the traffic. A page is rendered
// once through the full pipeline (route, schema, helmet, handler, template); its status, headers and body are
// kept, with the CSRF token left out (views.ts prints a slot where it goes, PageSlots). Until the content changes, the next
// signed-out GET of the same URL in the same language is answered from here by an onRequest hook that runs
// right after the hooks that tell who is asking (session, language, visitor): the body is the kept bytes with
// the visitor's own CSRF token put back in, and the live values of the page's holes (a thread's view count),
// gzipped without compressing anything per request (gzip-splice.ts); the headers are those the full pipeline
// produced (helmet's included). Per-visitor side effects of a page (counting a thread's view, the deflection
// event) run on every answer, from here or from the handler.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { changesSince, contentVersion, type ContentChanges } from '../features/questions/content-version.ts';
import { escapeHtml } from '../lib/escape.ts';
import { acceptsGzip, GzipSplice, TokenGzip } from '../lib/gzip-splice.ts';
import { csrfCookieName, spliceableCsrfToken } from './csrf.ts';
import './visitor.ts';

/**
 * The places of a page kept for all where each answer puts its own text: the CSRF token, and the holes'
 * values. A template prints a slot with `<%= %>` like any value (views.ts gives the page `it.csrfToken` and
 * `it.hole()` as slots); views.ts's escape function lets a slot through as its marker text, recorded here, and
 * escapes everything else.
 *
 * Why no content can forge a marker: a marker starts with a raw "<" followed by U+E000 (a private-use
 * character). Every text of a page reaches it in one of three ways, and none can make that pair:
 * - printed with `<%= %>`: escaped, every "<" becomes "&lt;". A slot is told apart by identity (an object
 *   made for this rendering), never by its text, so a title equal to a marker is escaped like any other;
 * - printed raw with `<%~ %>` in the kept pages: the page body and includes (rendered by the same rules) and
 *   posts' HTML from the Markdown pipeline (lib/markdown.ts), where sanitize-html escapes "<" in text and
 *   attribute values and writes "<" only to open or close an allowed tag (ASCII letter names, or "/");
 * - a hole's value: HTML-escaped here.
 * And a rendering whose markers differ from the slots it printed (say, a template that glued a slot into a
 * string, which escapes its marker) is never kept: the page is rendered again for that one visitor.
 */
export class PageSlots {
  private readonly printed = new Map<string, number>();
  /** The CSRF token's slot. */
  readonly csrf = new PageSlot(CSRF, this);

  /** A hole's slot (`name`: lower-case letters, digits and dashes). */
  hole(name: string): PageSlot {
    if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`shared page: bad hole name "${name}"`);
    return new PageSlot(`${HOLE}${name}`, this);
  }

  /** A region's slot: a member's part of a page whose shared part is kept (features/questions/member-thread.ts). */
  region(index: number): PageSlot {
    if (!Number.isInteger(index) || index < 0) throw new Error(`shared page: bad region index ${index}`);
    return new PageSlot(`${REGION}${index}`, this);
  }

  /** Called by a slot each time it is printed. */
  printedOnce(name: string): void {
    this.printed.set(name, (this.printed.get(name) ?? 0) + 1);
  }

  /** Whether the markers found in the rendered page are exactly the slots printed, as many times each. */
  matches(gaps: string[]): boolean {
    const found = new Map<string, number>();
    for (const gap of gaps) found.set(gap, (found.get(gap) ?? 0) + 1);
    if (found.size !== this.printed.size) return false;
    for (const [name, count] of this.printed) if (found.get(name) !== count) return false;
    return true;
  }
}

/** One slot of a rendering (see PageSlots). */
export class PageSlot {
  constructor(
    readonly name: string,
    private readonly slots: PageSlots,
  ) {}

  /** The marker text; printing it is recorded (also when code turns the slot into a string by mistake). */
  marker(): string {
    this.slots.printedOnce(this.name);
    return `${MARKER_START}${this.name}${MARKER_END}`;
  }

  toString(): string {
    return this.marker();
  }
}

const CSRF = 'csrf';
const HOLE = 'hole:';
const REGION = 'region:';
const MARKER_START = '<\uE000';
const MARKER_END = '\uE000>';
const MARKER = /<\uE000(csrf|hole:[a-z][a-z0-9-]*|region:\d+)\uE000>/g;
const EMPTY = Buffer.alloc(0);

/**
 * What a kept page shows, so that a write drops only the pages it changes (its thread, the lists it is on). A page
 * that says nothing is dropped by any write.
 */
export interface PageDependencies {
  /** The questions the page shows (a thread; the rows of a list). */
  questions?: number[];
  /** The first page of a list filtered by these tags: a changed question carrying one may come to its top. */
  tags?: string[];
  /** The first page of an unfiltered list (home, /questions): any changed question may come to its top. */
  front?: boolean;
}

/** What a route says about a shared page beyond its content. */
export interface SharedPageHooks {
  /** Runs for every visitor the page is served to, whether from the cache or rendered. */
  onServe?: (request: FastifyRequest) => void;
}

/**
 * Text of a page that changes without its content changing (a thread's live view count): the page is
 * rendered with a slot (PageSlots.hole(name)) where it goes, and each answer gets the value the function
 * gives then, HTML-escaped, so that the page stays kept.
 */
export type Holes = Record<string, () => string>;

interface Entry {
  status: number;
  headers: Record<string, string | string[] | number>;
  /** The body split where CSRF tokens and holes go: gap i is between parts[i] and parts[i + 1]. */
  parts: Buffer[];
  holes: Holes;
  /** The holes' names, each once, and per gap the index of its hole in them (−1 for the CSRF token). */
  holeNames: string[];
  gapHoles: number[];
  /** The last value of each hole and its escaped HTML. */
  escaped: ({ raw: string; html: string } | undefined)[];
  /** Length of the body without tokens and holes. */
  size: number;
  /** Memory the entry holds: the parts, and the gzip and crawler bodies once made. */
  bytes: number;
  /** Whether the cache holds it (its bytes are counted in the total). */
  kept: boolean;
  /**
   * The same parts gzipped once, made on the first request that accepts gzip: as one deflate stream per token
   * length (TokenGzip: the size of the whole page gzipped at once), or compressed apart when a part holds a NUL.
   */
  gzip?: GzipSplice;
  tokenGzip?: Map<string, TokenGzip>;
  /** The bodies for crawlers, which get no CSRF token (they submit no forms): the same bytes for all while the holes say the same. */
  forBots?: { holes: string; identity: Buffer; gzip?: Buffer };
  /** What it shows (undefined: dropped by any write). */
  dependsOn: PageDependencies | undefined;
  at: number;
  hooks: SharedPageHooks;
}

/**
 * A kept page is also re-rendered after this long, so that relative dates and the like stay right, and so that a
 * list's later pages, which a write elsewhere can shift (a vote moving a question up), are right within it.
 */
const MAX_AGE_MS = 60_000;
/** Memory for kept pages (bodies); the oldest go first. */
const MAX_BYTES = 64 * 1024 * 1024;
/** Member skeletons kept (each a thread page's shared part and its members' filled regions). */
const MAX_SKELETONS = 200;
// Headers that belong to one response only.
const PER_RESPONSE = new Set(['set-cookie', 'content-length', 'date', 'connection', 'keep-alive', 'transfer-encoding']);

export class PageCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  /** The content version the kept pages are right for (see follow). */
  private version = -1;
  /** Shared-page answers: from a kept page, rendered and kept, rendered for one visitor only (see send). */
  readonly stats = { hits: 0, renders: 0, refused: 0, dropped: 0 };

  private readonly csrfCookie: string;

  constructor(private readonly app: FastifyInstance) {
    this.csrfCookie = csrfCookieName(app.config.secureCookies);
  }

  static key(request: FastifyRequest): string {
    return `${request.i18n.locale} ${request.url}`;
  }

  /** Whether a request may be answered with, or stored as, a page shared by all signed-out visitors. */
  static shareable(request: FastifyRequest): boolean {
    return request.method === 'GET' && request.user === null && request.authKind === null;
  }

  /** A kept page still right for this request, or undefined. Runs nothing. */
  private fresh(key: string, now: number): Entry | undefined {
    this.follow(now);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (now - entry.at > MAX_AGE_MS) {
      this.drop(key, entry);
      return undefined;
    }
    return entry;
  }

  /** Drops the pages that the writes logged since the last call change (all of them when too many changed). */
  private follow(now: number): void {
    const version = contentVersion(this.app.db, now);
    if (version === this.version) return;
    const changes = this.version < 0 || version < this.version ? undefined : changesSince(this.app.db, this.version, version);
    this.version = version;
    for (const [key, entry] of this.entries) if (!changes || touches(entry.dependsOn, changes)) this.drop(key, entry);
    for (const [key, kept] of this.skeletons) if (!changes || touches(kept.dependsOn, changes)) this.skeletons.delete(key);
  }

  /**
   * Skeletons: the shared part of a page that signed-in members see with their own parts filled in (kept by
   * features/questions/member-thread.ts, which owns their shape). Dropped by the same writes as kept pages, and
   * after MAX_AGE_MS; at most MAX_SKELETONS, the oldest first.
   */
  private readonly skeletons = new Map<string, { value: unknown; dependsOn: PageDependencies | undefined; at: number }>();

  /** The content version kept pages are right for now (to tell whether a write came in during a rendering). */
  currentVersion(): number {
    this.follow(Date.now());
    return this.version;
  }

  keptSkeleton<T>(key: string): T | undefined {
    const now = Date.now();
    this.follow(now);
    const kept = this.skeletons.get(key);
    if (!kept) return undefined;
    if (now - kept.at > MAX_AGE_MS) {
      this.skeletons.delete(key);
      return undefined;
    }
    return kept.value as T;
  }

  /** Keeps a skeleton rendered at content version `version`, unless a write came in since. */
  keepSkeleton(key: string, value: unknown, dependsOn: PageDependencies | undefined, version: number): void {
    if (this.currentVersion() !== version) return;
    this.skeletons.delete(key);
    if (this.skeletons.size >= MAX_SKELETONS) this.skeletons.delete(this.skeletons.keys().next().value!);
    this.skeletons.set(key, { value, dependsOn, at: Date.now() });
  }

  /** Drops a thread's kept pages, in every language (its related questions changed). */
  dropQuestion(questionId: number): void {
    const changes: ContentChanges = { questionIds: new Set([questionId]), tags: new Set() };
    for (const [key, entry] of this.entries) if (entry.dependsOn?.questions && !entry.dependsOn.front && touches(entry.dependsOn, changes)) this.drop(key, entry);
    for (const [key, kept] of this.skeletons) if (kept.dependsOn?.questions && !kept.dependsOn.front && touches(kept.dependsOn, changes)) this.skeletons.delete(key);
  }

  private drop(key: string, entry: Entry): void {
    this.stats.dropped++;
    this.entries.delete(key);
    this.bytes -= entry.bytes;
    entry.kept = false;
  }

  /** Answers a request from the cache when a fresh page is kept for it; true when it did. */
  serve(request: FastifyRequest, reply: FastifyReply): boolean {
    const key = PageCache.key(request);
    const entry = this.fresh(key, Date.now());
    if (!entry) return false;
    this.stats.hits++;
    entry.hooks.onServe?.(request);
    request.pageServed = true;
    reply.code(entry.status).headers(entry.headers);
    reply.send(this.body(entry, request, reply));
    return true;
  }

  /**
   * Sends a shared page: from the cache when it is fresh, else rendered by `render` (with slots for the CSRF
   * token and the holes) and kept for the next visitor. Should the rendering's markers not be exactly the
   * slots it printed, nothing is kept and the visitor gets `renderOwn`, a page rendered for them alone.
   */
  async send(
    request: FastifyRequest,
    reply: FastifyReply,
    render: () => Promise<{ html: string; status: number; holes: Holes; slots: PageSlots; dependsOn?: PageDependencies }>,
    renderOwn: () => Promise<FastifyReply>,
    hooks: SharedPageHooks,
    setHeaders: (reply: FastifyReply) => void,
  ): Promise<FastifyReply> {
    if (!request.pageServed) hooks.onServe?.(request);
    request.pageServed = true;
    const key = PageCache.key(request);
    const now = Date.now();
    let entry = this.fresh(key, now);
    if (!entry) {
      const version = this.version;
      const { html, status, holes, slots, dependsOn } = await render();
      const { parts, gaps } = split(html);
      if (!slots.matches(gaps) || gaps.some((gap) => gap !== CSRF && !holes[gap.slice(HOLE.length)])) {
        this.stats.refused++;
        request.log.error({ url: request.url }, 'shared page: its markers are not the slots it printed; rendered for this visitor, not kept');
        return renderOwn();
      }
      setHeaders(reply.code(status));
      const headers: Entry['headers'] = {};
      for (const [name, value] of Object.entries(reply.getHeaders())) {
        if (value !== undefined && !PER_RESPONSE.has(name.toLowerCase())) headers[name] = value;
      }
      const size = parts.reduce((sum, part) => sum + part.length, 0);
      const holeGaps = gaps.map((gap) => (gap === CSRF ? '' : gap.slice(HOLE.length)));
      const holeNames = [...new Set(holeGaps.filter((gap) => gap !== ''))];
      const gapHoles = holeGaps.map((gap) => (gap === '' ? -1 : holeNames.indexOf(gap)));
      entry = { status, headers, parts, holes, holeNames, gapHoles, escaped: [], size, bytes: size, kept: false, dependsOn, at: now, hooks };
      // Kept only when no write came in while it was rendered (the page may show the content before it).
      this.follow(Date.now());
      if (this.version === version) this.store(key, entry);
      this.stats.renders++;
    } else {
      this.stats.hits++;
      reply.code(entry.status).headers(entry.headers);
    }
    return reply.send(this.body(entry, request, reply));
  }

  private store(key: string, entry: Entry): void {
    const previous = this.entries.get(key);
    if (previous) this.drop(key, previous);
    if (entry.bytes > MAX_BYTES / 16) return; // a huge page is rendered every time rather than evicting many
    for (const [oldKey, old] of this.entries) {
      if (this.bytes + entry.bytes <= MAX_BYTES) break;
      this.drop(oldKey, old);
    }
    this.entries.set(key, entry);
    this.bytes += entry.bytes;
    entry.kept = true;
  }

  /**
   * The body for this visitor: the kept parts with their CSRF token and the holes' values between them,
   * gzipped when the client accepts it (every browser does: a thread page is a fifth of its size), without
   * compressing anything.
   */
  private body(entry: Entry, request: FastifyRequest, reply: FastifyReply): Buffer {
    const gzip = acceptsGzip(request.headers['accept-encoding']);
    if (gzip) reply.header('content-encoding', 'gzip');
    const values = this.holeValues(entry);
    const crawler = request.isBot && request.cookies[this.csrfCookie] === undefined;
    if (crawler || !entry.gapHoles.includes(-1)) {
      // Nothing per visitor: the same bytes for all while the holes say the same, made once. A crawler keeps
      // no cookies and submits no forms, so it gets no CSRF secret (minting and signing one on each of its
      // page views would cost more than the rest of the answer); a person whose browser looks like a bot
      // gets one from any form page (sign-in, ask…), and tokens on every page from then on.
      const holes = values.length === 1 ? values[0] : values.join('\0');
      if (!entry.forBots || entry.forBots.holes !== holes) {
        if (entry.forBots) this.grow(entry, -(entry.forBots.identity.length + (entry.forBots.gzip?.length ?? 0)));
        const identity = Buffer.concat(this.pieces(entry, this.gapValues(entry, EMPTY, values)));
        entry.forBots = { holes, identity };
        this.grow(entry, identity.length);
      }
      if (!gzip) return entry.forBots.identity;
      if (!entry.forBots.gzip) {
        entry.forBots.gzip = this.gzipBody(entry, EMPTY, values);
        this.grow(entry, entry.forBots.gzip.length);
      }
      return entry.forBots.gzip;
    }
    const token = Buffer.from(spliceableCsrfToken(request, reply, this.app.config.secureCookies));
    return gzip ? this.gzipBody(entry, token, values) : Buffer.concat(this.pieces(entry, this.gapValues(entry, token, values)));
  }

  /** The gzip body with this token and these hole values, from parts compressed once. */
  private gzipBody(entry: Entry, token: Buffer, values: string[]): Buffer {
    let byLength = entry.tokenGzip;
    if (!byLength) {
      if (!TokenGzip.fits(entry.parts)) return this.splice(entry).body(this.gapValues(entry, token, values));
      byLength = entry.tokenGzip = new Map();
    }
    const holes: Buffer[] = [];
    for (const hole of entry.gapHoles) if (hole !== -1) holes.push(Buffer.from(values[hole]));
    // One stream per token length (visitors have one, crawlers none) and hole lengths (a view count changes its
    // length rarely): each a few KiB.
    const lengths = TokenGzip.lengthsKey(token.length, holes);
    let compressed = byLength.get(lengths);
    if (!compressed) {
      if (byLength.size >= 4) {
        for (const old of byLength.values()) this.grow(entry, -old.compressedBytes);
        byLength.clear();
      }
      const gaps = entry.gapHoles.map((hole) => (hole === -1 ? ('token' as const) : ('hole' as const)));
      compressed = TokenGzip.tryCreate(entry.parts, gaps, token.length, holes.map((hole) => hole.length));
      if (!compressed) return this.splice(entry).body(this.gapValues(entry, token, values)); // a value longer than a stored block
      byLength.set(lengths, compressed);
      this.grow(entry, compressed.compressedBytes);
    }
    return compressed.body(token, holes);
  }

  /** The holes' values now, HTML-escaped (escaped again only when a value changes). */
  private holeValues(entry: Entry): string[] {
    return entry.holeNames.map((name, i) => {
      const raw = entry.holes[name]();
      const last = entry.escaped[i];
      if (last && last.raw === raw) return last.html;
      const html = escapeHtml(raw);
      entry.escaped[i] = { raw, html };
      return html;
    });
  }

  /** What goes in each gap: the token, or its hole's value. */
  private gapValues(entry: Entry, token: Buffer, values: string[]): Buffer[] {
    const buffers = values.map((value) => Buffer.from(value));
    return entry.gapHoles.map((hole) => (hole === -1 ? token : buffers[hole]));
  }

  /** The parts with what goes between them, in order. */
  private pieces(entry: Entry, inserts: Buffer[]): Buffer[] {
    const pieces: Buffer[] = [entry.parts[0]];
    inserts.forEach((insert, i) => pieces.push(insert, entry.parts[i + 1]));
    return pieces;
  }

  private splice(entry: Entry): GzipSplice {
    if (!entry.gzip) {
      entry.gzip = new GzipSplice(entry.parts);
      this.grow(entry, entry.gzip.compressedBytes);
    }
    return entry.gzip;
  }

  /** Counts memory an entry took after it was stored (only while it is still the one kept). */
  private grow(entry: Entry, bytes: number): void {
    entry.bytes += bytes;
    if (!entry.kept) return;
    this.bytes += bytes;
    for (const [oldKey, old] of this.entries) {
      if (this.bytes <= MAX_BYTES) break;
      if (old !== entry) this.drop(oldKey, old);
    }
  }
}

/** Whether changes to these questions (carrying these tags) change a page that shows `shown`. */
function touches(shown: PageDependencies | undefined, changes: ContentChanges): boolean {
  if (!shown || shown.front) return true;
  if (shown.questions?.some((id) => changes.questionIds.has(id))) return true;
  return shown.tags?.some((tag) => changes.tags.has(tag)) ?? false;
}

/** A rendered page cut at its markers: the parts between them, and which slot each gap was. */
export function split(html: string): { parts: Buffer[]; gaps: string[] } {
  const parts: Buffer[] = [];
  const gaps: string[] = [];
  let from = 0;
  for (const match of html.matchAll(MARKER)) {
    parts.push(Buffer.from(html.slice(from, match.index)));
    gaps.push(match[1]);
    from = match.index + match[0].length;
  }
  parts.push(Buffer.from(html.slice(from)));
  return { parts, gaps };
}

declare module 'fastify' {
  interface FastifyInstance {
    pageCache: PageCache;
  }
  interface FastifyRequest {
    /** The shared page's per-visitor effects (onServe) already ran for this request. */
    pageServed: boolean;
  }
}

export default fp(
  async function pageCache(app: FastifyInstance) {
    const cache = new PageCache(app);
    app.decorate('pageCache', cache);
    app.decorateRequest('pageServed', false);
    // Registered after the session, language and visitor hooks (it needs to know who is asking and in which
    // language) and before everything else, so that a kept page costs only those.
    app.addHook('onRequest', (request, reply, done) => {
      if (PageCache.shareable(request) && cache.serve(request, reply)) return; // answered: later hooks are skipped
      done();
    });
  },
  { name: 'resuelto-page-cache', dependencies: ['resuelto-auth', 'resuelto-i18n', 'resuelto-visitor'] },
);
