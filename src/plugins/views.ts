// Owns HTML rendering: eta templates under views/, and reply.page() which adds what every page needs.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import view from '@fastify/view';
import { Eta } from 'eta';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { atLeast } from '../features/accounts/roles.ts';
import { openCounts } from '../features/moderation/queue.ts';
import { LOCALES } from '../lib/i18n.ts';
import type { PageOptions } from './types.ts';
import { jsonLdScriptText } from '../features/feeds/structured-data.ts';
import { escapeHtml } from '../lib/escape.ts';
import { PageCache, PageSlot, PageSlots, type Holes, type PageDependencies, type SharedPageHooks } from './page-cache.ts';

declare module 'fastify' {
  interface FastifyInstance {
    eta: Eta;
    /** A page in the site's frame (layout), with this token (or a slot of a kept page) as its CSRF token. */
    renderPage: (reply: FastifyReply, template: string, data: Record<string, unknown>, pageOptions: PageOptions, csrfToken: string | PageSlot, slots?: PageSlots) => string;
  }
}

export interface SharedPage {
  template: string;
  data?: Record<string, unknown>;
  options?: PageOptions;
  /** Text that changes without the content changing: templates print it with `it.hole(name, value)`. */
  holes?: Holes;
  /** What the page shows, so that the page cache drops it only when a write changes that (default: any write). */
  dependsOn?: PageDependencies;
}

/** For one visitor a hole is its value; in a page kept for all, the slot its value goes in. */
const ownHole = (_name: string, value: string) => value;

/**
 * What `<%= %>` prints: a slot of a page kept for all as its marker (told apart by identity, never by text:
 * see PageSlots), anything else escaped, so that no printed text holds a raw "<".
 */
function escapeOrSlot(value: unknown): string {
  return value instanceof PageSlot ? value.marker() : escapeHtml(String(value));
}

export function setPageHeaders(reply: FastifyReply): void {
  reply.type('text/html; charset=utf-8');
  // Pages vary by language, session and CSRF token: shared caches must not keep them. Signed-out pages are
  // gzipped when accepted (page-cache.ts).
  reply.header('cache-control', 'private, no-cache');
  reply.header('vary', 'Cookie, Accept-Language, Accept-Encoding');
}

/** Open Graph wants a territory; these are the forum's two languages as most of their readers write them. */
const OG_LOCALES = { es: 'es_ES', en: 'en_US' } as const;

export const VIEWS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../views');

/**
 * Eta resolves a template name to a file on every render and every include (JSON.stringify, path.join,
 * path.relative). With templates cached (production) the answer never changes, so remember it.
 * Template names come from our own code, so the map stays small; the cap is only a safety net.
 */
function memoizeResolvePath(eta: Eta): void {
  const resolve = eta.resolvePath;
  if (!resolve) return;
  const resolved = new Map<string, string>();
  eta.resolvePath = function resolvePathMemo(template, options) {
    const key = `${options?.filepath ?? ''}\0${template}`;
    let file = resolved.get(key);
    if (file === undefined) {
      file = resolve.call(this, template, options);
      if (resolved.size < 1000) resolved.set(key, file);
    }
    return file;
  };
}

export default fp(
  async function views(app: FastifyInstance, options: { production: boolean }) {
    const eta = new Eta({ views: VIEWS_DIR, cache: options.production, autoEscape: true, autoTrim: false, escapeFunction: escapeOrSlot });
    if (options.production) memoizeResolvePath(eta);
    // reply.view() stays available, but reply.page() calls eta directly: @fastify/view's per-call work
    // (reconfiguring eta, copying options and data, an LRU lookup) cost more than the lookup it saves.
    await app.register(view, { engine: { eta }, root: VIEWS_DIR, production: options.production });

    const render = (reply: FastifyReply, template: string, data: Record<string, unknown>, pageOptions: PageOptions, csrfToken: string | PageSlot, slots?: PageSlots): string => {
      const request = reply.request;
      const { t } = request.i18n;
      // The operator's name for the forum (an admin setting), else the product's.
      const settings = app.settings();
      const siteName = settings.siteName.trim() || t('site.name');
      const url = new URL(request.url, 'http://x');
      const baseUrl = app.config.baseUrl;
      const canonicalUrl = baseUrl + (pageOptions.canonicalPath ?? url.pathname);
      const title = pageOptions.title ? `${pageOptions.title} – ${siteName}` : siteName;
      const contentLanguage = pageOptions.contentLanguage ?? request.i18n.locale;
      const logoUrl = settings.siteLogoUrl ? new URL(settings.siteLogoUrl, baseUrl).href : '';
      const html = eta.render(template, {
        ...data,
        i18n: request.i18n,
        t,
        locale: request.i18n.locale,
        locales: LOCALES,
        user: request.user,
        // The header's bell: signed-in pages only, which the shared page cache never keeps.
        // (A page drawing its own header links, the thread page's regions, counts them itself.)
        unreadNotifications: request.user && !slots && !data.headerLinks ? app.unreadNotifications(request.user.id) : 0,
        isStaff: atLeast(request.user?.role, 'staff'),
        isAdmin: atLeast(request.user?.role, 'admin'),
        // Moderators see their open review items in the header (signed-in pages are never shared).
        moderationCount: !slots && !data.headerLinks && atLeast(request.user?.role, 'moderator') ? openCounts(app.db).total : null,
        csrfToken,
        hole: slots ? (name: string) => slots.hole(name) : ownHole,
        currentPath: url.pathname + url.search,
        canonicalUrl,
        title,
        siteName,
        logoUrl,
        noindex: pageOptions.noindex ?? false,
        // What search engines and link previews read (Open Graph, Twitter cards, JSON-LD, feeds).
        meta: {
          description: pageOptions.description || settings.homeDescription || t('seo.homeDescription'),
          title: pageOptions.title ?? siteName,
          ogType: pageOptions.ogType ?? 'website',
          ogLocale: OG_LOCALES[contentLanguage],
          jsonLd: (pageOptions.jsonLd ?? []).map(jsonLdScriptText),
          feeds: pageOptions.feeds ?? [],
        },
      });
      reply.header('content-language', contentLanguage);
      return html;
    };

    // The member thread page (features/questions/member-thread.ts) renders its kept skeleton and its members' regions
    // with these: the same eta and the same page frame as every other page.
    app.decorate('eta', eta);
    app.decorate('renderPage', render);

    const send = (reply: FastifyReply, html: string, status: number) => {
      setPageHeaders(reply.status(status));
      return reply.send(html);
    };

    app.decorateReply('page', async function page(this: FastifyReply, template: string, data = {}, pageOptions: PageOptions = {}) {
      return send(this, render(this, template, data, pageOptions, this.generateCsrf()), pageOptions.status ?? 200);
    });

    // Pages that are the same for every signed-out visitor but for the CSRF token go through the shared page
    // cache (page-cache.ts): rendered once per language and URL, kept until the content changes.
    app.decorateReply('sharedPage', async function sharedPage(this: FastifyReply, build: () => Promise<SharedPage> | SharedPage, hooks: SharedPageHooks = {}) {
      const request = this.request;
      const renderOwn = async () => {
        const { template, data, options: pageOptions = {} } = await build();
        return send(this, render(this, template, data ?? {}, pageOptions, this.generateCsrf()), pageOptions.status ?? 200);
      };
      if (!PageCache.shareable(request)) {
        hooks.onServe?.(request);
        return renderOwn();
      }
      const renderShared = async () => {
        const { template, data, options: pageOptions = {}, holes = {}, dependsOn } = await build();
        const slots = new PageSlots();
        // The template prints slots, not text: eta's escape function (escapeOrSlot) passes them as their markers.
        const html = render(this, template, data ?? {}, pageOptions, slots.csrf, slots);
        return { html, status: pageOptions.status ?? 200, holes, slots, dependsOn };
      };
      return app.pageCache.send(request, this, renderShared, renderOwn, hooks, setPageHeaders);
    });
  },
  { name: 'resuelto-views', dependencies: ['resuelto-i18n', 'resuelto-page-cache'] },
);
