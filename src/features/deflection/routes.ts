// Owns how deflection events arrive: the page-sent events API, the "Did this solve your problem?" form,
// the counted "Contact support" link, and the report API for staff.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { PAGE_EVENT_KINDS, SERVER_EVENT_KINDS } from '../../db/schema.ts';
import { AppError, invalid } from '../../lib/errors.ts';
import { requireRole } from '../../plugins/auth.ts';
import { VISITOR_COOKIE } from '../../plugins/visitor.ts';
import { ErrorBody } from '../questions/api-shapes.ts';
import { canonicalSlug, questionPath } from '../questions/service.ts';
import { deflectionReport } from './service.ts';
import { logEvent } from './visit.ts';
import { periodFrom } from './period.ts';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 31 }) });

export default async function deflectionRoutes(app: FastifyInstance) {
  // "Still need help?": counted, then on to the company's support channel.
  app.get('/support', async (request, reply) => {
    logEvent(app, request, 'contact_support');
    return reply.redirect(app.settings().supportUrl, 302);
  });

  // The plain form on every answered thread; site.js sends the same answer without reloading.
  app.post(
    '/questions/:id/feedback',
    { schema: { params: IdParams, body: Type.Object({ solved: Type.Union([Type.Literal('yes'), Type.Literal('no')]), _csrf: Type.Optional(Type.String()) }) } },
    async (request, reply) => {
      const { id } = request.params as { id: number };
      const slug = canonicalSlug(app.db, id);
      if (slug === undefined) return reply.callNotFound();
      logEvent(app, request, (request.body as { solved: string }).solved === 'yes' ? 'solved' : 'not_solved', { questionId: id });
      return reply.redirect(`${questionPath(id, slug)}?feedback=${(request.body as { solved: string }).solved}#feedback`, 303);
    },
  );
}

export async function deflectionApi(app: FastifyInstance) {
  app.post(
    '/deflection/events',
    {
      schema: {
        body: Type.Object({
          kind: Type.String({ maxLength: 40 }),
          questionId: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 2 ** 31 }), Type.Null()])),
          query: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])),
          rank: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 10_000 }), Type.Null()])),
        }),
        response: { 202: Type.Null(), '4xx': ErrorBody },
      },
      // Pages send these with the CSRF token of the page, signed in or not.
      preHandler: app.csrfProtection,
      config: {
        // Per visitor; a request without the visitor cookie (whose id was just made up) counts by address,
        // or a script dropping the cookie would get a fresh limit on every request.
        rateLimit: {
          max: 60,
          timeWindow: 60_000,
          groupId: 'deflectionEvents',
          keyGenerator: (request: FastifyRequest) => (request.visitorId !== null && request.cookies[VISITOR_COOKIE] === request.visitorId ? request.visitorId : request.ip),
        },
      },
    },
    async (request, reply) => {
      const body = request.body as { kind: string; questionId?: number | null; query?: string | null; rank?: number | null };
      if ((SERVER_EVENT_KINDS as readonly string[]).includes(body.kind)) throw new AppError(400, 'server_event', 'deflection.serverKind', { field: 'kind', params: { field: 'kind' } });
      if (!(PAGE_EVENT_KINDS as readonly string[]).includes(body.kind)) throw invalid('kind', 'deflection.unknownKind');
      logEvent(app, request, body.kind as (typeof PAGE_EVENT_KINDS)[number], { questionId: body.questionId, query: body.query, rank: body.rank });
      return reply.status(202).send(null);
    },
  );

  app.get(
    '/reports/deflection',
    {
      schema: {
        querystring: Type.Object({
          from: Type.Optional(Type.String({ maxLength: 10 })),
          to: Type.Optional(Type.String({ maxLength: 10 })),
        }),
      },
      // Who may see it is decided before anything about the request is looked at (401/403 before 400).
      onRequest: async (request) => {
        requireRole(request, 'staff');
      },
    },
    async (request) => {
      const { from, to } = request.query as { from?: string; to?: string };
      const period = periodFrom(from, to);
      app.deflectionEvents.flush(); // the events of the last moments count too
      const { topThreads, queriesWithoutResults, queriesWithoutClicks, failedByTag, ...report } = deflectionReport(app.db, period, app.settings());
      return { ...report, topThreads, queriesWithoutResults, queriesWithoutClicks, failedByTag };
    },
  );
}
