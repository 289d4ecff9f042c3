// Owns the notification pages: the inbox, mail settings, and the follow buttons of threads and tags.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { NOTIFICATION_KINDS, type Delivery } from '../../db/schema.ts';
import { invalid } from '../../lib/errors.ts';
import { pageCount, pageNumber } from '../../lib/pagination.ts';
import type { MessageKey } from '../../lib/i18n.ts';
import { requireUser } from '../../plugins/auth.ts';
import { allDeliveries, deliveryFor, isDelivery, setDelivery, STAFF_ALERT_KINDS } from '../mail/preferences.ts';
import { atLeast } from '../accounts/roles.ts';
import { SUMMARY_KIND } from '../desk/alerts.ts';
import { canonicalSlug } from '../questions/service.ts';
import { setQuestionFollow, setTagFollow } from './follows.ts';
import { listNotifications, markRead } from './service.ts';

const Follow = Type.Object({ follow: Type.Union([Type.Literal('0'), Type.Literal('1')]), _csrf: Type.Optional(Type.String()) });

export default async function notificationPages(app: FastifyInstance) {
  app.get('/notifications', { schema: { querystring: Type.Object({ page: Type.Optional(Type.String({ maxLength: 10 })) }) } }, async (request, reply) => {
    const user = requireUser(request);
    const list = listNotifications(app.db, request.i18n, user.id, { page: pageNumber((request.query as { page?: string }).page) });
    // Seen is read: what this page shows is marked read once shown (it still says "new" this time).
    markRead(app.db, user.id, list.items.filter((item) => !item.read).map((item) => item.id));
    return reply.page('notifications/inbox', { list, pages: pageCount(list.total, list.pageSize) }, { title: request.i18n.t('notifications.title'), noindex: true });
  });

  app.post('/notifications/read', { schema: { body: Type.Object({ _csrf: Type.Optional(Type.String()) }) } }, async (request, reply) => {
    const user = requireUser(request);
    markRead(app.db, user.id);
    return reply.redirect('/notifications', 303);
  });

  const preferencesPage = (request: FastifyRequest, reply: FastifyReply, saved: boolean, status = 200) => {
    const user = requireUser(request);
    const chosen = allDeliveries(app.db, user.id);
    const kinds = NOTIFICATION_KINDS.map((kind) => ({ kind, label: request.i18n.t(`notifications.kind.${kind}` as MessageKey), delivery: chosen[kind] as Delivery }));
    // Staff and admins also choose how desk alerts reach them.
    if (atLeast(user.role, 'staff')) for (const kind of STAFF_ALERT_KINDS) kinds.push({ kind: kind as never, label: request.i18n.t(`notifications.kind.${kind}` as MessageKey), delivery: deliveryFor(app.db, user.id, kind) });
    return reply.page('notifications/preferences', { kinds, saved }, { status, title: request.i18n.t('notifications.prefsTitle'), noindex: true });
  };

  app.get('/settings/notifications', async (request, reply) => preferencesPage(request, reply, false));

  app.post(
    '/settings/notifications',
    { schema: { body: Type.Object({ ...Object.fromEntries([...NOTIFICATION_KINDS, ...STAFF_ALERT_KINDS].map((kind) => [kind, Type.Optional(Type.String({ maxLength: 20 }))])), _csrf: Type.Optional(Type.String()) }) } },
    async (request, reply) => {
      const user = requireUser(request);
      const body = request.body as Record<string, string | undefined>;
      const changes: [string, Delivery][] = [];
      for (const kind of [...NOTIFICATION_KINDS, ...(atLeast(user.role, 'staff') ? STAFF_ALERT_KINDS : [])]) {
        const value = body[kind];
        if (value === undefined) continue;
        if (!isDelivery(value)) throw invalid(kind, 'error.unknownDelivery');
        changes.push([kind, value]);
      }
      app.db.transaction((tx) => {
        for (const [kind, delivery] of changes) setDelivery(tx, user.id, kind, delivery);
        // The staff daily summary has no row of its own here: choosing "daily" for a staff alert turns it back
        // on after a one-click unsubscribe from a summary mail (kind desk_summary).
        if (changes.some(([kind, delivery]) => delivery === 'daily' && (STAFF_ALERT_KINDS as readonly string[]).includes(kind))) setDelivery(tx, user.id, SUMMARY_KIND, 'immediately');
      });
      return preferencesPage(request, reply, true);
    },
  );

  app.post('/questions/:id/follow', { schema: { params: Type.Object({ id: Type.String({ pattern: '^[0-9]{1,12}$' }) }), body: Follow } }, async (request, reply) => {
    const user = requireUser(request);
    const id = Number((request.params as { id: string }).id);
    setQuestionFollow(app.db, user.id, id, (request.body as { follow: string }).follow === '1');
    return reply.redirect(`/questions/${id}/${canonicalSlug(app.db, id) ?? ''}`, 303);
  });

  app.post('/tags/:name/follow', { schema: { params: Type.Object({ name: Type.String({ maxLength: 100 }) }), body: Follow } }, async (request, reply) => {
    const user = requireUser(request);
    const name = (request.params as { name: string }).name.trim().toLowerCase();
    setTagFollow(app.db, user.id, name, (request.body as { follow: string }).follow === '1');
    return reply.redirect(`/questions?tag=${encodeURIComponent(name)}`, 303);
  });
}
