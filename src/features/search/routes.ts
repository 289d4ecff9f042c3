// Owns the search page: works without JavaScript, filters by tag and "answered only", offers to ask.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { pageCount, pageNumber } from '../../lib/pagination.ts';
import { requireUser } from '../../plugins/auth.ts';
import { canonicalSlug, questionPath } from '../questions/service.ts';
import { removePhrasing } from './phrasings.ts';
import { searchQuestions } from './service.ts';
import { logEvent } from '../deflection/visit.ts';

// Any text a person can type is a valid query (API.md): no length limit here, it is cut below; a repeated
// parameter (?q=a&q=b) uses the first value.
const Text = Type.Union([Type.String(), Type.Array(Type.String())]);
export const first = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

export const SearchQuery = Type.Object({
  q: Type.Optional(Text),
  tag: Type.Optional(Text),
  answered: Type.Optional(Text),
  page: Type.Optional(Text),
});

type RawQuery = { q?: string | string[]; tag?: string | string[]; answered?: string | string[]; page?: string | string[] };

export function parseSearchQuery(query: RawQuery) {
  const answered = first(query.answered);
  return {
    q: (first(query.q) ?? '').slice(0, 2_000),
    tag: first(query.tag)?.trim().toLowerCase().slice(0, 100) || undefined,
    answered: answered === 'true' || answered === 'on' || answered === '1',
    page: pageNumber(first(query.page)?.slice(0, 10)),
  };
}

export default async function searchPages(app: FastifyInstance) {
  app.get('/search', { schema: { querystring: SearchQuery } }, async (request, reply) => {
    const query = parseSearchQuery(request.query as RawQuery);
    const { t } = request.i18n;
    const results = query.q.trim() ? await searchQuestions(app.db, app.searchIndex, query) : null;
    if (results && query.page === 1) logEvent(app, request, 'search', { query: query.q, resultCount: results.total });
    const params = new URLSearchParams({ q: query.q });
    if (query.tag) params.set('tag', query.tag);
    if (query.answered) params.set('answered', 'true');
    return reply.page(
      'search/results',
      { query: query.q, tag: query.tag, answered: query.answered, results, pages: results ? pageCount(results.total, results.pageSize) : 0, base: `/search?${params}` },
      { title: query.q.trim() ? t('search.resultsTitle', { query: query.q.trim().slice(0, 80) }) : t('search.title'), noindex: true },
    );
  });

  // Staff remove a learned phrasing from the thread's staff section (phrasings.ts checks the role).
  app.post(
    '/questions/:id/phrasings/:phrasingId/remove',
    {
      schema: {
        params: Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 31 }), phrasingId: Type.Integer({ minimum: 1, maximum: 2 ** 31 }) }),
        body: Type.Object({ _csrf: Type.Optional(Type.String()) }),
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      const { id, phrasingId } = request.params as { id: number; phrasingId: number };
      removePhrasing(app.db, user.id, id, phrasingId);
      const slug = canonicalSlug(app.db, id);
      return reply.redirect(slug === undefined ? '/questions' : `${questionPath(id, slug)}#phrasings`, 303);
    },
  );
}
