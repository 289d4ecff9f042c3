// Owns the search part of the JSON API (API.md, "Search"): results and ask-form suggestions.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ErrorBody } from '../questions/api-shapes.ts';
import { SearchQuery, parseSearchQuery } from './routes.ts';
import { searchQuestions, suggestSimilar, type SearchItem } from './service.ts';

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
      const results = await searchQuestions(app.db, app.searchIndex, parseSearchQuery(request.query as Record<string, string | undefined>));
      return { ...results, items: results.items.map(json) };
    },
  );

  app.get(
    '/search/suggest',
    {
      schema: {
        querystring: Type.Object({ title: Type.Optional(Type.String({ maxLength: 10_000 })) }),
        response: { 200: Type.Object({ items: Type.Array(Item) }), '4xx': ErrorBody },
      },
    },
    async (request) => {
      const title = ((request.query as { title?: string }).title ?? '').slice(0, 300);
      return { items: (await suggestSimilar(app.db, app.searchIndex, title)).map(json) };
    },
  );
}
