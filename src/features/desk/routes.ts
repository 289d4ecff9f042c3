// Owns the staff desk's page and its JSON API: the waiting list on a clock, its filters and assignment.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { pageCount } from '../../lib/pagination.ts';
import { requireRole } from '../../plugins/auth.ts';
import { listCases } from '../cases/service.ts';
import { ErrorBody } from '../questions/api-shapes.ts';
import { canonicalSlug, questionPath } from '../questions/service.ts';
import { createStaffFeedToken, hasStaffFeedToken, revokeStaffFeedToken, staffFeedPath, staffFeedXml, staffForFeedToken } from './feed.ts';
import { responseHealth } from './health.ts';
import { deskFilters, deskList, setAssignment, type DeskItem } from './service.ts';

const Id = Type.Integer({ minimum: 1, maximum: 2 ** 31 });
const DeskQuery = Type.Object({
  lang: Type.Optional(Type.String({ maxLength: 10 })),
  tag: Type.Optional(Type.String({ maxLength: 200 })),
  noAnswer: Type.Optional(Type.String({ maxLength: 10 })),
  membersOnly: Type.Optional(Type.String({ maxLength: 10 })),
  escalated: Type.Optional(Type.String({ maxLength: 10 })),
  mine: Type.Optional(Type.String({ maxLength: 10 })),
  page: Type.Optional(Type.String({ maxLength: 10 })),
});

export default async function deskPages(app: FastifyInstance) {
  app.get('/staff/desk', { schema: { querystring: DeskQuery } }, async (request, reply) => {
    if (!request.user) return reply.redirect(`/signin?next=${encodeURIComponent('/staff/desk')}`, 303);
    const user = requireRole(request, 'staff');
    const query = request.query as Record<string, string | undefined>;
    const filters = deskFilters(query);
    const settings = app.settings();
    const list = deskList(app.db, user, settings, filters);
    const cases = listCases(app.db, user, { status: 'unsolved', pageSize: 20 });
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value && key !== 'page') params.set(key, value);
    const base = params.size ? `/staff/desk?${params}` : '/staff/desk';
    return reply.page('desk/desk', { list, cases, filters, base, health: responseHealth(app.db, settings), pages: pageCount(list.total, list.pageSize), targetHours: settings.firstResponseTargetHours, viewerId: user.id }, { title: request.i18n.t('desk.title'), noindex: true });
  });

  const feedSettings = (request: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply, state: { createdUrl?: string; revoked?: boolean } = {}) => {
    const user = requireRole(request, 'staff');
    return reply.header('cache-control', 'no-store').page('desk/feed-settings', { active: hasStaffFeedToken(app.db, user.id), ...state }, { title: request.i18n.t('desk.feedPage.title'), noindex: true });
  };
  app.get('/settings/staff-feed', async (request, reply) => {
    if (!request.user) return reply.redirect(`/signin?next=${encodeURIComponent('/settings/staff-feed')}`, 303);
    return feedSettings(request, reply);
  });
  app.post('/settings/staff-feed', { schema: { body: Type.Object({ action: Type.Union([Type.Literal('create'), Type.Literal('revoke')]), _csrf: Type.Optional(Type.String()) }) } }, async (request, reply) => {
    const user = requireRole(request, 'staff');
    if ((request.body as { action: string }).action === 'revoke') {
      revokeStaffFeedToken(app.db, user.id);
      return feedSettings(request, reply, { revoked: true });
    }
    return feedSettings(request, reply, { createdUrl: app.config.baseUrl + staffFeedPath(createStaffFeedToken(app.db, user)) });
  });

  // The private feed: the token is the authority (feed readers send no cookie); an unknown one is a plain 404.
  app.get('/staff/feed/:file', { schema: { params: Type.Object({ file: Type.String({ maxLength: 200 }) }) } }, async (request, reply) => {
    const file = (request.params as { file: string }).file;
    const staff = file.endsWith('.atom') ? staffForFeedToken(app.db, file.slice(0, -'.atom'.length)) : undefined;
    if (!staff) return reply.callNotFound();
    const xml = staffFeedXml(app.db, staff, app.settings(), { baseUrl: app.config.baseUrl, siteName: app.settings().siteName || request.i18n.t('site.name'), i18n: request.i18n, selfPath: request.url.split('?')[0] });
    return reply.header('content-type', 'application/atom+xml; charset=utf-8').header('cache-control', 'private, no-store').header('x-robots-tag', 'noindex').send(xml);
  });

  app.post(
    '/staff/desk/assign',
    { schema: { body: Type.Object({ question: Id, assign: Type.Union([Type.Literal('me'), Type.Literal('none')]), next: Type.Optional(Type.String({ maxLength: 20 })), _csrf: Type.Optional(Type.String()) }) } },
    async (request, reply) => {
      const user = requireRole(request, 'staff');
      const body = request.body as { question: number; assign: 'me' | 'none'; next?: string };
      setAssignment(app.db, user, body.question, body.assign === 'me');
      if (body.next === 'thread') return reply.redirect(questionPath(body.question, canonicalSlug(app.db, body.question) ?? ''), 303);
      return reply.redirect('/staff/desk', 303);
    },
  );
}

const Clock = Type.Union([Type.Null(), Type.Object({ elapsedMinutes: Type.Integer(), targetMinutes: Type.Integer(), share: Type.Number(), state: Type.Union([Type.Literal('ok'), Type.Literal('amber'), Type.Literal('red')]) })]);
const DeskItemSchema = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  url: Type.String(),
  language: Type.String(),
  createdAt: Type.String(),
  answerCount: Type.Integer(),
  clock: Clock,
  escalated: Type.Boolean(),
  assignee: Type.Union([Type.Null(), Type.Object({ id: Type.Integer(), displayName: Type.String() })]),
});

export async function deskApi(app: FastifyInstance) {
  const itemJson = (item: DeskItem) => ({ ...item, url: app.config.baseUrl + item.path, createdAt: item.createdAt.toISOString(), path: undefined });

  app.get('/desk', { schema: { querystring: DeskQuery, response: { 200: Type.Object({ items: Type.Array(DeskItemSchema), page: Type.Integer(), pageSize: Type.Integer(), total: Type.Integer() }), '4xx': ErrorBody } } }, async (request) => {
    const user = requireRole(request, 'staff');
    const list = deskList(app.db, user, app.settings(), deskFilters(request.query as Record<string, string>));
    return { ...list, items: list.items.map(itemJson) };
  });

  const Params = Type.Object({ questionId: Id });
  const Answer = { 200: Type.Object({ questionId: Type.Integer(), assigneeId: Type.Union([Type.Integer(), Type.Null()]) }), '4xx': ErrorBody };
  app.put('/desk/assignments/:questionId', { schema: { params: Params, response: Answer } }, async (request) => {
    const user = requireRole(request, 'staff');
    const { questionId } = request.params as { questionId: number };
    return { questionId, ...setAssignment(app.db, user, questionId, true) };
  });
  app.delete('/desk/assignments/:questionId', { schema: { params: Params, response: Answer } }, async (request) => {
    const user = requireRole(request, 'staff');
    const { questionId } = request.params as { questionId: number };
    return { questionId, ...setAssignment(app.db, user, questionId, false) };
  });
}
