// Owns the page language: the visitor's cookie, else their account, else Accept-Language, else the setting.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { i18nFor, isLocale, localeFromAcceptLanguage, type Locale } from '../lib/i18n.ts';

export const LANGUAGE_COOKIE = 'resuelto_lang';

export function negotiateLocale(request: FastifyRequest, fallback: Locale): Locale {
  const chosen = request.cookies?.[LANGUAGE_COOKIE];
  if (isLocale(chosen)) return chosen;
  if (isLocale(request.user?.locale)) return request.user.locale;
  return localeFromAcceptLanguage(request.headers['accept-language']) ?? fallback;
}

export default fp(
  async function i18n(app: FastifyInstance) {
    app.decorateRequest('i18n', null as never);
    app.addHook('onRequest', async (request) => {
      request.i18n = i18nFor(negotiateLocale(request, app.settings().defaultLocale));
    });
  },
  { name: 'resuelto-i18n', dependencies: ['resuelto-auth'] },
);
