// Owns the page language: the visitor's cookie, else their account, else Accept-Language; a visitor who says
// nothing (a crawler) gets the page's own content language when it has one (a thread), else the site setting.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { i18nFor, isLocale, localeFromAcceptLanguage, type Locale } from '../lib/i18n.ts';

export const LANGUAGE_COOKIE = 'resuelto_lang';

/**
 * Tells the language of the content at a URL (a thread's question), or undefined. Runs in onRequest, before
 * the signed-out page cache picks a kept page by language and URL, so it must be cheap and need no route.
 */
export type ContentLocale = (request: FastifyRequest) => Locale | undefined;

/** The language the visitor asked for: their cookie, their account, their browser's Accept-Language. */
export function requestedLocale(request: FastifyRequest): Locale | undefined {
  const chosen = request.cookies?.[LANGUAGE_COOKIE];
  if (isLocale(chosen)) return chosen;
  if (isLocale(request.user?.locale)) return request.user.locale;
  return localeFromAcceptLanguage(request.headers['accept-language']);
}

export function negotiateLocale(request: FastifyRequest, fallback: Locale, contentLocales: readonly ContentLocale[] = []): Locale {
  const requested = requestedLocale(request);
  if (requested) return requested;
  for (const contentLocale of contentLocales) {
    const locale = contentLocale(request);
    if (locale) return locale;
  }
  return fallback;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Features that know the language of their pages' content add a resolver here (see ContentLocale). */
    contentLocales: ContentLocale[];
  }
}

export default fp(
  async function i18n(app: FastifyInstance) {
    app.decorateRequest('i18n', null as never);
    app.decorate('contentLocales', [] as ContentLocale[]);
    app.addHook('onRequest', async (request) => {
      request.i18n = i18nFor(negotiateLocale(request, app.settings().defaultLocale, app.contentLocales));
    });
  },
  { name: 'resuelto-i18n', dependencies: ['resuelto-auth'] },
);
