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
import { CSRF_PLACEHOLDER, holePlaceholder, PageCache, type Holes, type SharedPageHooks } from './page-cache.ts';

export interface SharedPage {
  template: string;
  data?: Record<string, unknown>;
  options?: PageOptions;
  /** Text that changes without the content changing: templates print it with `it.hole(name, value)`. */
  holes?: Holes;
}

/** For one visitor a hole is its value; in a page kept for all, the placeholder its value goes in. */
const ownHole = (_name: string, value: string) => value;
const sharedHole = (name: string) => holePlaceholder(name);

function setPageHeaders(reply: FastifyReply): void {
  reply.type('text/html; charset=utf-8');
  // Pages vary by language, session and CSRF token: shared caches must not keep them. Signed-out pages are
  // gzipped when accepted (page-cache.ts).
  reply.header('cache-control', 'private, no-cache');
  reply.header('vary', 'Cookie, Accept-Language, Accept-Encoding');
}

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
    const eta = new Eta({ views: VIEWS_DIR, cache: options.production, autoEscape: true, autoTrim: false });
    if (options.production) memoizeResolvePath(eta);
    // reply.view() stays available, but reply.page() calls eta directly: @fastify/view's per-call work
    // (reconfiguring eta, copying options and data, an LRU lookup) cost more than the lookup it saves.
    await app.register(view, { engine: { eta }, root: VIEWS_DIR, production: options.production });

    const render = (reply: FastifyReply, template: string, data: Record<string, unknown>, pageOptions: PageOptions, csrfToken: string, shared = false): string => {
      const request = reply.request;
      const { t } = request.i18n;
      const siteName = t('site.name');
      const url = new URL(request.url, 'http://x');
      const html = eta.render(template, {
        ...data,
        i18n: request.i18n,
        t,
        locale: request.i18n.locale,
        locales: LOCALES,
        user: request.user,
        isStaff: atLeast(request.user?.role, 'staff'),
        isAdmin: atLeast(request.user?.role, 'admin'),
        // Moderators see their open review items in the header (signed-in pages are never shared).
        moderationCount: !shared && atLeast(request.user?.role, 'moderator') ? openCounts(app.db).total : null,
        csrfToken,
        hole: shared ? sharedHole : ownHole,
        currentPath: url.pathname + url.search,
        canonicalUrl: app.config.baseUrl + url.pathname,
        title: pageOptions.title ? `${pageOptions.title} – ${siteName}` : siteName,
        siteName,
        noindex: pageOptions.noindex ?? false,
      });
      return html;
    };

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
      if (!PageCache.shareable(request)) {
        hooks.onServe?.(request);
        const { template, data, options: pageOptions = {} } = await build();
        return send(this, render(this, template, data ?? {}, pageOptions, this.generateCsrf()), pageOptions.status ?? 200);
      }
      const renderShared = async () => {
        const { template, data, options: pageOptions = {}, holes = {} } = await build();
        return { html: render(this, template, data ?? {}, pageOptions, CSRF_PLACEHOLDER, true), status: pageOptions.status ?? 200, holes };
      };
      return app.pageCache.send(request, this, renderShared, hooks, setPageHeaders);
    });
  },
  { name: 'resuelto-views', dependencies: ['resuelto-i18n', 'resuelto-page-cache'] },
);
