// Owns what crawlers ask for by name: robots.txt, the sitemap index and its files. Public and signed-out by
// nature: they list only public URLs of live content (no e-mail, no token, nothing deleted or private).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { canonicalSlug, questionGone } from '../questions/service.ts';
import { goneThread } from '../questions/routes.ts';
import { isLocale } from '../../lib/i18n.ts';
import { listFeed, questionFeed } from './atom.ts';
import { NEWEST_FEED_PATH, UNANSWERED_FEED_PATH } from './paths.ts';
import { Type } from 'typebox';
import { threadContentLocale } from './content-language.ts';
import { collect, DocumentCache } from './document-cache.ts';
import { fileCount, fixedPagesSitemap, indexEntries, latestActivity, SITEMAP_KINDS, sitemapIndexStream, sitemapStream, writeSitemapFile, type SitemapKind } from './sitemap.ts';

const XML = 'application/xml; charset=utf-8';
const ATOM = 'application/atom+xml; charset=utf-8';

/**
 * Where crawlers may not go: search results (endless, and noindex), the API, staff and admin pages,
 * moderation queues, sign-in/up and the pages behind forms. Everything else is content.
 */
export const DISALLOWED = [
  '/search',
  '/api/',
  '/admin',
  '/staff',
  '/moderation',
  '/review',
  '/signin',
  '/signup',
  '/signout',
  '/setup/',
  '/language',
  '/support',
  '/questions/ask',
  // `$` ends the pattern: a thread whose slug starts with "edit" (/questions/5/edit-my-profile) stays allowed.
  '/questions/*/edit$',
  '/answers/',
  '/posts/',
  '/comments',
  '/votes',
];

export function robotsTxt(baseUrl: string): string {
  return ['User-agent: *', ...DISALLOWED.map((path) => `Disallow: ${path}`), 'Allow: /', '', `Sitemap: ${baseUrl}/sitemap.xml`, ''].join('\n');
}

export default async function crawlerRoutes(app: FastifyInstance) {
  const documents = new DocumentCache(app.db);
  app.contentLocales.push(threadContentLocale(app.db));

  app.get('/robots.txt', async (_request, reply) =>
    reply.type('text/plain; charset=utf-8').header('cache-control', 'public, max-age=3600').send(robotsTxt(app.config.baseUrl)),
  );

  app.get('/sitemap.xml', async (request, reply) =>
    documents.send(request, reply, 'sitemap.xml', XML, () => collect(sitemapIndexStream(indexEntries(app.db, app.config.baseUrl)))),
  );

  app.get('/sitemaps/pages.xml', async (request, reply) =>
    documents.send(request, reply, 'pages', XML, async () => {
      const stream = sitemapStream(app.config.baseUrl);
      fixedPagesSitemap(stream, latestActivity(app.db));
      return collect(stream);
    }),
  );

  const fileName = new RegExp(`^(${SITEMAP_KINDS.join('|')})-([1-9][0-9]{0,5})\\.xml$`);
  app.get(
    '/sitemaps/:name',
    { schema: { params: Type.Object({ name: Type.String({ maxLength: 100 }) }) } },
    async (request, reply) => {
      const name = (request.params as { name: string }).name;
      const match = fileName.exec(name);
      if (!match) return reply.callNotFound();
      const [, kind, number] = match as unknown as [string, SitemapKind, string];
      const sent = await documents.send(request, reply, name, XML, async () => {
        if (Number(number) > fileCount(app.db, kind)) return undefined;
        const stream = sitemapStream(app.config.baseUrl);
        const [body, exists] = await Promise.all([collect(stream), writeSitemapFile(app.db, kind, Number(number), stream)]);
        return exists ? body : undefined;
      });
      return sent ?? reply.callNotFound();
    },
  );

  // Atom feeds, kept per language (their titles are the visitor's) and URL until the content changes.
  const site = (request: FastifyRequest) => ({ baseUrl: app.config.baseUrl, siteName: app.settings().siteName || request.i18n.t('site.name'), i18n: request.i18n });
  // The site name is in every feed's title: a new name is a new feed, even before the content changes.
  const feedKey = (request: FastifyRequest) => `${request.i18n.locale} ${app.settings().siteName} ${request.url}`;
  const sendFeed = async (request: FastifyRequest, reply: FastifyReply, make: () => string | undefined) => {
    reply.header('vary', 'Accept-Language, Cookie, Accept-Encoding');
    const sent = await documents.send(request, reply, feedKey(request), ATOM, async () => {
      const xml = make();
      return xml === undefined ? undefined : Buffer.from(xml);
    });
    return sent ?? reply.callNotFound();
  };
  app.get(NEWEST_FEED_PATH, async (request, reply) => sendFeed(request, reply, () => listFeed(app.db, site(request), { kind: 'newest' })));
  app.get(UNANSWERED_FEED_PATH, async (request, reply) => sendFeed(request, reply, () => listFeed(app.db, site(request), { kind: 'unanswered' })));
  app.get('/feeds/unanswered/tags/:tag', { schema: { params: Type.Object({ tag: Type.String({ maxLength: 100 }) }) } }, async (request, reply) =>
    sendFeed(request, reply, () => listFeed(app.db, site(request), { kind: 'unanswered', tag: (request.params as { tag: string }).tag.toLowerCase() })),
  );
  app.get('/feeds/unanswered/languages/:language', { schema: { params: Type.Object({ language: Type.String({ maxLength: 10 }) }) } }, async (request, reply) => {
    const { language } = request.params as { language: string };
    if (!isLocale(language)) return reply.callNotFound();
    return sendFeed(request, reply, () => listFeed(app.db, site(request), { kind: 'unanswered', language }));
  });
  app.get('/feeds/tags/:tag', { schema: { params: Type.Object({ tag: Type.String({ maxLength: 100 }) }) } }, async (request, reply) =>
    sendFeed(request, reply, () => listFeed(app.db, site(request), { kind: 'tag', tag: (request.params as { tag: string }).tag.toLowerCase() })),
  );
  app.get('/feeds/questions/:id', { schema: { params: Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 31 }) }) } }, async (request, reply) => {
    const id = (request.params as { id: number }).id;
    if (canonicalSlug(app.db, id) === undefined) return questionGone(app.db, id) ? goneThread(request, reply) : reply.callNotFound();
    return sendFeed(request, reply, () => questionFeed(app.db, site(request), id));
  });
}
