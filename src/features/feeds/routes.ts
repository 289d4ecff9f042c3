// Owns what crawlers ask for by name: robots.txt, the sitemap index and its files. Public and signed-out by
// nature: they list only public URLs of live content (no e-mail, no token, nothing deleted or private).
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { threadContentLocale } from './content-language.ts';
import { collect, DocumentCache } from './document-cache.ts';
import { fileCount, fixedPagesSitemap, indexEntries, latestActivity, SITEMAP_KINDS, sitemapIndexStream, sitemapStream, writeSitemapFile, type SitemapKind } from './sitemap.ts';

const XML = 'application/xml; charset=utf-8';

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
  '/questions/*/edit',
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
  const baseUrl = app.config.baseUrl;

  app.get('/robots.txt', async (_request, reply) =>
    reply.type('text/plain; charset=utf-8').header('cache-control', 'public, max-age=3600').send(robotsTxt(baseUrl)),
  );

  app.get('/sitemap.xml', async (request, reply) =>
    documents.send(request, reply, 'sitemap.xml', XML, () => collect(sitemapIndexStream(indexEntries(app.db, baseUrl)))),
  );

  app.get('/sitemaps/pages.xml', async (request, reply) =>
    documents.send(request, reply, 'pages', XML, async () => {
      const stream = sitemapStream(baseUrl);
      fixedPagesSitemap(baseUrl, stream, latestActivity(app.db));
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
        const stream = sitemapStream(baseUrl);
        const [body, exists] = await Promise.all([collect(stream), writeSitemapFile(app.db, kind, Number(number), stream)]);
        return exists ? body : undefined;
      });
      return sent ?? reply.callNotFound();
    },
  );
}
