// Owns the search part of the JSON API (API.md, "Search"): results and ask-form suggestions.
import zlib from 'node:zlib';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { acceptsGzip } from '../../lib/gzip-splice.ts';
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

/**
 * The JSON of an answer the results cache keeps (the same object while the content is unchanged), and its gzip,
 * made once: the ask form's suggestions repeat the same few words typed by many, and serializing and compressing
 * them again was most of such a request's cost. Keyed by the kept object, so it goes when that does.
 */
const bodies = new WeakMap<object, { json: string; gzip?: Buffer }>();
/** Below this a body is sent as is (as @fastify/compress's threshold, app.ts). */
const GZIP_THRESHOLD = 1024;

function sendKept(reply: FastifyReply, kept: object, build: () => unknown): FastifyReply {
  let body = bodies.get(kept);
  if (!body) bodies.set(kept, (body = { json: JSON.stringify(build()) }));
  reply.type('application/json; charset=utf-8');
  reply.header('vary', 'Accept-Encoding');
  if (body.json.length >= GZIP_THRESHOLD && acceptsGzip(reply.request.headers['accept-encoding'])) {
    body.gzip ??= zlib.gzipSync(body.json);
    // compress leaves an answer that has a Content-Encoding alone.
    reply.header('content-encoding', 'gzip');
    return reply.send(body.gzip);
  }
  return reply.send(body.json);
}

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
    async (request, reply) => {
      const query = parseSearchQuery(request.query as Parameters<typeof parseSearchQuery>[0]);
      const results = await searchQuestions(app.db, app.searchIndex, query);
      if (query.q.trim() && query.page === 1) logEvent(app, request, 'search', { query: query.q, resultCount: results.total });
      // The documented fields only, in the response schema's order.
      return sendKept(reply, results, () => ({ items: results.items.map(json), total: results.total, page: results.page, pageSize: results.pageSize }));
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
    async (request, reply) => {
      const title = (first((request.query as { title?: string | string[] }).title) ?? '').slice(0, 300);
      // Visitors in the suggestions holdout get none, whichever way they ask (page or script).
      if (inSuggestionHoldout(app, request)) return { items: [] };
      const items = await suggestSimilar(app.db, app.searchIndex, title);
      if (items.length > 0) logEvent(app, request, 'suggestions_shown', { query: title });
      return sendKept(reply, items, () => ({ items: items.map(json) }));
    },
  );
}
