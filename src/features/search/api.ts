// Owns the search part of the JSON API (API.md, "Search"): results and ask-form suggestions.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ErrorBody } from '../questions/api-shapes.ts';
import { SearchQuery, first, parseSearchQuery } from './routes.ts';
import { searchQuestions, suggestSimilar, type SearchItem } from './service.ts';
import { inSuggestionHoldout, logEvent } from '../deflection/visit.ts';

const Item = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  url: Type.String(),
  snippet: Type.String(),
  score: Type.Integer(),
  answerCount: Type.Integer(),
  hasAcceptedAnswer: Type.Boolean(),
  hasOfficialAnswer: Type.Boolean(),
  tags: Type.Array(Type.String()),
  acceptedExcerpt: Type.Union([Type.String(), Type.Null()]),
});

export default async function searchApi(app: FastifyInstance) {
  const json = (item: SearchItem) => ({
    id: item.id,
    title: item.title,
    url: app.config.baseUrl + item.url,
    snippet: item.snippet.map((part) => part.text).join(''),
    score: item.score,
    answerCount: item.answerCount,
    hasAcceptedAnswer: item.hasAcceptedAnswer,
    hasOfficialAnswer: item.hasOfficialAnswer,
    tags: item.tags,
    acceptedExcerpt: item.acceptedExcerpt,
  });

  app.get(
    '/search',
    {
      schema: {
        querystring: SearchQuery,
        response: { 200: Type.Object({ items: Type.Array(Item), total: Type.Integer(), page: Type.Integer(), pageSize: Type.Integer() }), '4xx': ErrorBody },
      },
    },
    async (request) => {
      const query = parseSearchQuery(request.query as Parameters<typeof parseSearchQuery>[0]);
      const results = await searchQuestions(app.db, app.searchIndex, query);
      if (query.q.trim() && query.page === 1) logEvent(app, request, 'search', { query: query.q, resultCount: results.total });
      return { ...results, items: results.items.map(json) };
    },
  );

  app.get(
    '/search/suggest',
    {
      schema: {
        querystring: Type.Object({ title: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])) }),
        response: { 200: Type.Object({ items: Type.Array(Item) }), '4xx': ErrorBody },
      },
    },
    async (request) => {
      const title = (first((request.query as { title?: string | string[] }).title) ?? '').slice(0, 300);
      // Visitors in the suggestions holdout get none, whichever way they ask (page or script).
      if (inSuggestionHoldout(app, request)) return { items: [] };
      const items = await suggestSimilar(app.db, app.searchIndex, title);
      if (items.length > 0) logEvent(app, request, 'suggestions_shown', { query: title });
      return { items: items.map(json) };
    },
  );
}
