// Owns the notifications part of the JSON API: the inbox, marking read, follows and mail preferences.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { NOTIFICATION_KINDS, type Delivery } from '../../db/schema.ts';
import { invalid } from '../../lib/errors.ts';
import { requireUser } from '../../plugins/auth.ts';
import { allDeliveries, isDelivery, isNotificationKind, setDelivery } from '../mail/preferences.ts';
import { setQuestionFollow, setTagFollow } from './follows.ts';
import { listNotifications, markRead, unreadCount } from './service.ts';

const ErrorBody = Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String() }) });
const Notification = Type.Object({
  id: Type.Integer(),
  kind: Type.String(),
  text: Type.String(),
  url: Type.String(),
  read: Type.Boolean(),
  createdAt: Type.String(),
});
const Delivery = Type.Union([Type.Literal('immediately'), Type.Literal('daily'), Type.Literal('never')]);
const Preferences = Type.Object({ preferences: Type.Record(Type.String(), Delivery) });
const Following = Type.Object({ following: Type.Boolean() });

export default async function notificationsApi(app: FastifyInstance) {
  app.get(
    '/notifications',
    {
      schema: {
        querystring: Type.Object({
          page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
          pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
          unread: Type.Optional(Type.Boolean()),
        }),
        response: {
          200: Type.Object({ items: Type.Array(Notification), page: Type.Integer(), pageSize: Type.Integer(), total: Type.Integer(), unread: Type.Integer() }),
          '4xx': ErrorBody,
        },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const query = request.query as { page?: number; pageSize?: number; unread?: boolean };
      const list = listNotifications(app.db, request.i18n, user.id, query);
      return { ...list, items: list.items.map((item) => ({ ...item, url: app.config.baseUrl + item.url, createdAt: item.createdAt.toISOString() })), unread: unreadCount(app.db, user.id) };
    },
  );

  app.post(
    '/notifications/read',
    {
      schema: {
        body: Type.Optional(Type.Object({ ids: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 1000 })) })),
        response: { 200: Type.Object({ unread: Type.Integer() }), '4xx': ErrorBody },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const ids = (request.body as { ids?: number[] } | undefined)?.ids;
      return { unread: markRead(app.db, user.id, ids) };
    },
  );

  const QuestionParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
  for (const [method, follow] of [['PUT', true], ['DELETE', false]] as const) {
    app.route({
      method,
      url: '/questions/:id/follow',
      schema: { params: QuestionParams, response: { 200: Following, '4xx': ErrorBody } },
      handler: async (request) => {
        const user = requireUser(request);
        setQuestionFollow(app.db, user.id, (request.params as { id: number }).id, follow);
        return { following: follow };
      },
    });
    app.route({
      method,
      url: '/tags/:name/follow',
      schema: { params: Type.Object({ name: Type.String({ maxLength: 100 }) }), response: { 200: Following, '4xx': ErrorBody } },
      handler: async (request) => {
        const user = requireUser(request);
        setTagFollow(app.db, user.id, (request.params as { name: string }).name, follow);
        return { following: follow };
      },
    });
  }

  app.get('/notifications/preferences', { schema: { response: { 200: Preferences, '4xx': ErrorBody } } }, async (request) => {
    const user = requireUser(request);
    return { preferences: allDeliveries(app.db, user.id) };
  });

  app.put(
    '/notifications/preferences',
    { schema: { body: Type.Record(Type.String({ maxLength: 50 }), Type.String({ maxLength: 20 }), { maxProperties: NOTIFICATION_KINDS.length }), response: { 200: Preferences, '4xx': ErrorBody } } },
    async (request) => {
      const user = requireUser(request);
      const body = request.body as Record<string, string>;
      const changes: [string, Delivery][] = [];
      for (const [kind, delivery] of Object.entries(body)) {
        if (!isNotificationKind(kind)) throw invalid(kind, 'error.unknownKind');
        if (!isDelivery(delivery)) throw invalid(kind, 'error.unknownDelivery');
        changes.push([kind, delivery]);
      }
      app.db.transaction((tx) => {
        for (const [kind, delivery] of changes) setDelivery(tx, user.id, kind, delivery);
      });
      return { preferences: allDeliveries(app.db, user.id) };
    },
  );
}
