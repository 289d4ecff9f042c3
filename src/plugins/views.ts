// Owns HTML rendering: eta templates under views/, and reply.page() which adds what every page needs.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import view from '@fastify/view';
import { Eta } from 'eta';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { atLeast } from '../features/accounts/roles.ts';
import { LOCALES } from '../lib/i18n.ts';
import type { PageOptions } from './types.ts';

export const VIEWS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../views');

export default fp(
  async function views(app: FastifyInstance, options: { production: boolean }) {
    const eta = new Eta({ views: VIEWS_DIR, cache: options.production, autoEscape: true, autoTrim: false });
    await app.register(view, { engine: { eta }, root: VIEWS_DIR, production: options.production });

    app.decorateReply('page', async function page(this: FastifyReply, template: string, data = {}, pageOptions: PageOptions = {}) {
      const request = this.request;
      const { t } = request.i18n;
      const csrfToken = this.generateCsrf();
      const siteName = t('site.name');
      const url = new URL(request.url, 'http://x');
      const html = await this.viewAsync(template, {
        ...data,
        i18n: request.i18n,
        t,
        locale: request.i18n.locale,
        locales: LOCALES,
        user: request.user,
        isStaff: atLeast(request.user?.role, 'staff'),
        csrfToken,
        currentPath: url.pathname + url.search,
        canonicalUrl: app.config.baseUrl + url.pathname,
        title: pageOptions.title ? `${pageOptions.title} – ${siteName}` : siteName,
        siteName,
        noindex: pageOptions.noindex ?? false,
      });
      this.status(pageOptions.status ?? 200).type('text/html; charset=utf-8');
      // Pages vary by language, session and CSRF token: shared caches must not keep them.
      this.header('cache-control', 'private, no-cache');
      this.header('vary', 'Cookie, Accept-Language');
      return this.send(html);
    });
  },
  { name: 'resuelto-views', dependencies: ['resuelto-i18n'] },
);
