// Owns the pages that belong to no one feature: home, the language switch, and search until search exists.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { setPreferredLocale } from '../accounts/service.ts';
import { listQuestions } from '../questions/service.ts';
import { pinnedQuestions } from '../moderation/close.ts';
import { safeReturnPath } from '../../lib/http.ts';
import { NEWEST_FEED_PATH, UNANSWERED_FEED_PATH } from '../feeds/paths.ts';
import { webSite } from '../feeds/structured-data.ts';
import { LANGUAGE_COOKIE } from '../../plugins/i18n.ts';

const ONE_YEAR_S = 365 * 86_400;

export default async function sitePages(app: FastifyInstance) {
  app.get('/', async (request, reply) =>
    reply.sharedPage(() => ({
      template: 'site/home',
      data: {
        pinned: pinnedQuestions(app.db),
        // The visitor's language first (the page cache keeps one page per language, so this is per visitor).
        recent: listQuestions(app.db, { sort: 'active', pageSize: 15, withTotal: false, languageFirst: request.i18n.locale }),
        unanswered: listQuestions(app.db, { sort: 'unanswered', pageSize: 10, withTotal: false, withExcerpt: false, languageFirst: request.i18n.locale }),
      },
      options: {
        title: request.i18n.t('home.title'),
        jsonLd: [webSite(app.config.baseUrl, app.settings().siteName || request.i18n.t('site.name'), request.i18n.locale)],
        feeds: [
          { title: request.i18n.t('feed.newest'), href: NEWEST_FEED_PATH },
          { title: request.i18n.t('feed.unanswered'), href: UNANSWERED_FEED_PATH },
        ],
      },
      // Its lists are of the latest activity: any changed question may come to their top.
      dependsOn: { front: true },
    })),
  );

  app.post(
    '/language',
    {
      schema: {
        body: Type.Object({
          lang: Type.Union([Type.Literal('es'), Type.Literal('en')]),
          next: Type.Optional(Type.String({ maxLength: 2000 })),
          _csrf: Type.Optional(Type.String()),
        }),
      },
    },
    async (request, reply) => {
      const { lang, next } = request.body as { lang: 'es' | 'en'; next?: string };
      reply.setCookie(LANGUAGE_COOKIE, lang, {
        path: '/',
        maxAge: ONE_YEAR_S,
        sameSite: 'lax',
        httpOnly: true,
        secure: app.config.secureCookies,
      });
      if (request.user) setPreferredLocale(app.db, request.user.id, lang);
      return reply.redirect(safeReturnPath(next), 303);
    },
  );
}
