// Owns the thread page as signed-in members get it, fast: its shared part rendered once per thread, language,
// URL and content version (a "skeleton", rendered for nobody in particular), and the member's own parts filled in.
//
// What differs between members is only in the page's regions (thread-page.ts THREAD_REGIONS: the header, vote
// state, post actions, comment forms, follow, support line, moderation controls, the answer form). The skeleton
// is the page rendered with each region left as a slot (page-cache.ts PageSlots.region, markers no content can
// forge) and kept by the page cache, dropped by the same writes as the signed-out pages. A member's page is the
// skeleton with each region's template rendered for the member's plain values `v`; a region's output depends only
// on its `s` (fixed in the skeleton) and `v`, so it is kept per skeleton and `v` and served again to the next
// member with the same `v` (most members' vote buttons are alike). The viewer's values come from a handful of
// prepared statements (thread-page.ts viewerContext), never a query per post. The result is byte for byte the
// page rendered in full for that member (test/integration/member-thread.test.ts checks it over roles,
// reputations, owners, closed, locked, duplicate and hidden threads, in both languages).
//
// Who gets it: members (role "member") who see the thread as nobody does (no hidden post or comment of theirs in
// it). Moderators and staff see hidden posts, the review count, the desk and learned phrasings: their pages are
// rendered in full, as are pages with form errors (POST answers re-render the thread themselves).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { acceptsGzip, deflatedPart, gzipOf, TokenGzip, type Part } from '../../lib/gzip-splice.ts';
import { escapeHtml } from '../../lib/escape.ts';
import { PageSlots, split, type Holes, type SharedPageHooks } from '../../plugins/page-cache.ts';
import { spliceableCsrfToken } from '../../plugins/csrf.ts';
import { setPageHeaders } from '../../plugins/views.ts';
import type { ThreadModeration } from '../moderation/close.ts';
import { renderRegion, THREAD_REGIONS, threadPage, viewerContext, type ThreadShape } from './thread-page.ts';

type Gap = { kind: 'csrf' } | { kind: 'hole'; name: string } | { kind: 'region'; index: number };

/** A region's output for one `v`: its parts, with the CSRF token between each two. */
interface Fragment {
  /** Numbers the fragments of a skeleton: a page's set of fragments is the list of their ids. */
  id: number;
  parts: Buffer[];
  gzip?: Part[];
}

interface Skeleton {
  parts: Buffer[];
  gzip?: Part[];
  gaps: Gap[];
  regions: { name: string; s: Record<string, unknown> }[];
  /** Per region, its fragments by JSON of `v`. */
  fragments: Map<string, Fragment>[];
  holes: Holes;
  /** The gzip of the page for a set of fragments (by their ids), compressed once as one stream (TokenGzip). */
  gzipByFragments: Map<string, TokenGzip>;
  nextFragmentId: number;
  /** The fragments for a viewer context (see sendMemberThread), with the settings they were worked out under. */
  byViewer: Map<string, { settings: unknown; fragments: Fragment[] }>;
  holeValues: Map<string, { raw: string; html: Buffer }>;
  shape: ThreadShape;
  /** The thread's close/lock/pin state as nobody sees it (the viewer's close votes are read per view). */
  moderation: ThreadModeration;
  hiddenAuthors: Set<number>;
  status: number;
  contentLanguage: string;
}

/** Fragments kept per region: past this, a rarer `v` is rendered for its member each time. */
const MAX_FRAGMENTS = 64;
/** Distinct sets of fragments whose whole-page gzip is kept per skeleton (members who see the same controls share one). */
const MAX_GZIP_SETS = 16;
/** Viewer contexts whose fragments are remembered per skeleton. */
const MAX_VIEWERS = 256;

export interface MemberThreads {
  /** Off: every member page is rendered in full (the equivalence test compares both). */
  enabled: boolean;
  readonly stats: { skeletons: number; served: number; fragmentRenders: number; declined: number };
}

declare module 'fastify' {
  interface FastifyInstance {
    memberThreads: MemberThreads;
  }
}

export function memberThreadsState(): MemberThreads {
  return { enabled: true, stats: { skeletons: 0, served: 0, fragmentRenders: 0, declined: 0 } };
}

/**
 * Sends a signed-in member's thread page from the kept skeleton (making it when missing): true when it did; false,
 * having sent nothing, when the fast path does not apply and the caller renders the page in full. (A boolean, not
 * the reply: a reply is a thenable, and awaiting it waits for the response to finish.)
 */
export async function sendMemberThread(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  questionId: number,
  hooks: SharedPageHooks,
): Promise<boolean> {
  const user = request.user;
  const state = app.memberThreads;
  if (!user || user.role !== 'member' || !state?.enabled || request.method !== 'GET') return false;
  const key = `${request.i18n.locale} ${request.url}`;
  let skeleton = app.pageCache.keptSkeleton<Skeleton>(key);
  if (!skeleton) {
    skeleton = await makeSkeleton(app, request, reply, questionId);
    if (!skeleton) {
      state.stats.declined++;
      return false;
    }
  }
  if (skeleton.hiddenAuthors.has(user.id)) return false;

  const ctx = viewerContext(app, request, user, skeleton.shape, {}, { moderation: skeleton.moderation, forViewer: false });
  // Everything the regions read of the viewer (the permissions are worked out from the user and the settings):
  // the same context gives the same fragments, so they are looked up once per context rather than per region.
  const settings = app.settings();
  const signature = JSON.stringify([user, [...ctx.myVotes], ctx.myFlags, ctx.can.following, ctx.moderation, ctx.caseId, ctx.canEscalate, ctx.justOpened, ctx.unread, ctx.moderationCount]);
  const known = skeleton.byViewer.get(signature);
  const reuse = known !== undefined && known.settings === settings;
  const fragments: Fragment[] = reuse ? known.fragments : [];
  for (let i = reuse ? skeleton.regions.length : 0; i < skeleton.regions.length; i++) {
    const { name, s } = skeleton.regions[i];
    const v = THREAD_REGIONS[name](ctx, s);
    const id = JSON.stringify(v);
    let fragment = skeleton.fragments[i].get(id);
    if (!fragment) {
      const slots = new PageSlots();
      const html = renderRegion(app, request, name, s, v, slots.csrf);
      const cut = split(html);
      // Only CSRF slots, exactly those printed: anything else and the member gets the page rendered in full.
      if (!slots.matches(cut.gaps) || cut.gaps.some((gap) => gap !== 'csrf')) {
        request.log.error({ url: request.url, region: name }, 'member page: a region printed markers that are not its slots; rendered in full');
        state.stats.declined++;
        return false;
      }
      fragment = { id: -1, parts: cut.parts };
      state.stats.fragmentRenders++;
      if (skeleton.fragments[i].size < MAX_FRAGMENTS) {
        fragment.id = skeleton.nextFragmentId++;
        skeleton.fragments[i].set(id, fragment);
      }
    }
    fragments.push(fragment);
  }
  if (!reuse && fragments.every((fragment) => fragment.id >= 0)) {
    if (skeleton.byViewer.size >= MAX_VIEWERS) skeleton.byViewer.clear();
    skeleton.byViewer.set(signature, { settings, fragments });
  }

  hooks.onServe?.(request);
  request.pageServed = true;
  state.stats.served++;
  // The token goes into stored blocks (or copies of them) and never through the compressor: one per visitor's secret.
  const token = Buffer.from(spliceableCsrfToken(request, reply, app.config.secureCookies));
  const gzip = acceptsGzip(request.headers['accept-encoding']);
  setPageHeaders(reply.code(skeleton.status));
  reply.header('content-language', skeleton.contentLanguage);
  if (gzip) {
    reply.header('content-encoding', 'gzip');
    const holes = skeleton.gaps.filter((gap) => gap.kind === 'hole').map((gap) => holeValue(skeleton, gap.name));
    const compressed = wholeGzip(skeleton, fragments, token.length, holes);
    if (compressed) {
      reply.send(compressed.body(token, holes));
      return true;
    }
  }
  const pieces: (Buffer | Part)[] = [];
  const partsOf = (owner: { parts: Buffer[]; gzip?: Part[] }) => {
    if (!gzip) return owner.parts;
    owner.gzip ??= owner.parts.map((part) => deflatedPart(part));
    return owner.gzip;
  };
  const main = partsOf(skeleton);
  pieces.push(main[0]);
  skeleton.gaps.forEach((gap, i) => {
    if (gap.kind === 'csrf') pieces.push(token);
    else if (gap.kind === 'hole') pieces.push(holeValue(skeleton, gap.name));
    else {
      const parts = partsOf(fragments[gap.index]);
      pieces.push(parts[0]);
      for (let j = 1; j < parts.length; j++) pieces.push(token, parts[j]);
    }
    pieces.push(main[i + 1]);
  });
  reply.send(gzip ? gzipOf(pieces) : Buffer.concat(pieces as Buffer[]));
  return true;
}

/**
 * The page's gzip for this set of fragments, compressed once as one stream (a tenth of the size of parts compressed
 * apart); undefined when a fragment is not kept (a rare `v`), the set is new and MAX_GZIP_SETS are kept, or a part
 * holds a NUL byte: the caller then splices parts compressed apart.
 */
function wholeGzip(skeleton: Skeleton, fragments: Fragment[], tokenLength: number, holes: Buffer[]): TokenGzip | undefined {
  if (fragments.some((fragment) => fragment.id < 0)) return undefined;
  // Per set of fragments and lengths of the token and holes (a view count changes its length rarely).
  const key = `${TokenGzip.lengthsKey(tokenLength, holes)}:${fragments.map((fragment) => fragment.id).join(',')}`;
  let compressed = skeleton.gzipByFragments.get(key);
  if (compressed) return compressed;
  if (skeleton.gzipByFragments.size >= MAX_GZIP_SETS) return undefined;
  // The page as runs of fixed bytes between tokens and holes.
  const parts: Buffer[] = [];
  const gaps: ('token' | 'hole')[] = [];
  let run: Buffer[] = [skeleton.parts[0]];
  const cut = (gap: 'token' | 'hole') => {
    parts.push(Buffer.concat(run));
    gaps.push(gap);
    run = [];
  };
  skeleton.gaps.forEach((gap, i) => {
    if (gap.kind === 'csrf') cut('token');
    else if (gap.kind === 'hole') cut('hole');
    else {
      const fragmentParts = fragments[gap.index].parts;
      run.push(fragmentParts[0]);
      for (let j = 1; j < fragmentParts.length; j++) {
        cut('token');
        run.push(fragmentParts[j]);
      }
    }
    run.push(skeleton.parts[i + 1]);
  });
  parts.push(Buffer.concat(run));
  compressed = TokenGzip.tryCreate(parts, gaps, tokenLength, holes.map((hole) => hole.length));
  if (!compressed) return undefined; // a NUL byte in a part, or a value longer than a stored block: parts compressed apart
  skeleton.gzipByFragments.set(key, compressed);
  return compressed;
}

/** A hole's value now, HTML-escaped (escaped again only when it changes). */
function holeValue(skeleton: Skeleton, name: string): Buffer {
  const raw = skeleton.holes[name]();
  const last = skeleton.holeValues.get(name);
  if (last && last.raw === raw) return last.html;
  const html = Buffer.from(escapeHtml(raw));
  skeleton.holeValues.set(name, { raw, html });
  return html;
}

/** Renders the thread for nobody, its regions as slots, and keeps it (unless a write came in meanwhile). */
async function makeSkeleton(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, questionId: number): Promise<Skeleton | undefined> {
  const version = app.pageCache.currentVersion();
  const slots = new PageSlots();
  const regions: Skeleton['regions'] = [];
  let page: Awaited<ReturnType<typeof threadPage>>;
  try {
    page = await threadPage(app, request, questionId, {}, 200, (name, s) => {
      regions.push({ name, s });
      return slots.region(regions.length - 1).marker();
    });
  } catch {
    return undefined; // hidden from nobody (a 404 to others), gone…: the full rendering says what to answer
  }
  const options = page.options ?? {};
  const html = app.renderPage(reply, page.template, page.data ?? {}, options, slots.csrf, slots);
  const { parts, gaps: names } = split(html);
  const holes = page.holes ?? {};
  const gaps: Gap[] = [];
  for (const name of names) {
    if (name === 'csrf') gaps.push({ kind: 'csrf' });
    else if (name.startsWith('hole:') && holes[name.slice(5)]) gaps.push({ kind: 'hole', name: name.slice(5) });
    else if (name.startsWith('region:') && Number(name.slice(7)) < regions.length) gaps.push({ kind: 'region', index: Number(name.slice(7)) });
    else return undefined;
  }
  if (!slots.matches(names) || !regions.every((region) => region.name in THREAD_REGIONS)) {
    request.log.error({ url: request.url }, 'member page: the skeleton\'s markers are not the slots it printed; rendered in full');
    return undefined;
  }
  const skeleton: Skeleton = {
    parts,
    gaps,
    regions,
    fragments: regions.map(() => new Map()),
    holes,
    gzipByFragments: new Map(),
    nextFragmentId: 0,
    byViewer: new Map(),
    holeValues: new Map(),
    shape: page.shape,
    moderation: page.moderation,
    hiddenAuthors: new Set(page.hiddenAuthors),
    status: options.status ?? 200,
    contentLanguage: options.contentLanguage ?? request.i18n.locale,
  };
  app.memberThreads.stats.skeletons++;
  app.pageCache.keepSkeleton(`${request.i18n.locale} ${request.url}`, skeleton, page.dependsOn, version);
  return skeleton;
}
