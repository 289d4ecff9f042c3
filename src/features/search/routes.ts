// Owns the search page: works without JavaScript, filters by tag and "answered only", offers to ask.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { pageCount, pageNumber } from '../../lib/pagination.ts';
import { searchQuestions } from './service.ts';
import { logEvent } from '../deflection/visit.ts';

export const SearchQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 10_000 })),
  tag: Type.Optional(Type.String({ maxLength: 100 })),
  answered: Type.Optional(Type.String({ maxLength: 10 })),
  page: Type.Optional(Type.String({ maxLength: 10 })),
});

export function parseSearchQuery(query: { q?: string; tag?: string; answered?: string; page?: string }) {
  return {
    q: (query.q ?? '').slice(0, 2_000),
    tag: query.tag?.trim().toLowerCase() || undefined,
    answered: query.answered === 'true' || query.answered === 'on' || query.answered === '1',
    page: pageNumber(query.page),
  };
}

export default async function searchPages(app: FastifyInstance) {
  app.get('/search', { schema: { querystring: SearchQuery } }, async (request, reply) => {
    const query = parseSearchQuery(request.query as Record<string, string | undefined>);
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
}
