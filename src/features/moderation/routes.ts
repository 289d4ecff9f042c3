// Owns the moderation pages: the thread's close / reopen / lock / pin forms, the public log (and its Atom feed).
import { Feed } from 'feed';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { handleForm } from '../../lib/forms.ts';
import type { I18n } from '../../lib/i18n.ts';
import { pageCount, pageNumber } from '../../lib/pagination.ts';
import { requireUser } from '../../plugins/auth.ts';
import { canonicalSlug, questionPath } from '../questions/service.ts';
import { renderThread } from '../questions/thread-page.ts';
import { closeQuestion, reopenQuestion, setLocked, setPinned } from './close.ts';
import { moderationLogPage, type LogItem } from './log.ts';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 31 }) });
const Csrf = { _csrf: Type.Optional(Type.String()) };

/** One line saying what happened, in the reader's language (the page and the feed say it the same way). */
export function describeLogItem(item: LogItem, i18n: I18n): { who: string; what: string; target: string } {
  const { t } = i18n;
  const who = item.moderator ?? (item.byCommunity ? t('moderation.theCommunity') : t('moderation.aModerator'));
  const what = t(`moderation.action.${item.action}` as never);
  const threadTitle = item.thread ? item.thread.title + (item.thread.url ? '' : ` ${t('moderation.deletedPost')}`) : t('moderation.removedContent');
  const target =
    item.targetType === 'user'
      ? t('moderation.account', { name: item.username ?? '?' })
      : item.targetType === 'answer'
        ? `${t('moderation.targetAnswer')} ${threadTitle}`
        : item.targetType === 'comment'
          ? `${t('moderation.targetComment')} ${threadTitle}`
          : threadTitle;
  return { who, what, target };
}

export function reasonText(reason: string | null, i18n: I18n): string {
  if (!reason) return '';
  const key = `moderation.reason.${reason}`;
  const translated = i18n.t(key as never);
  return translated === key ? reason : translated;
}

export default async function moderationPages(app: FastifyInstance) {
  const backToThread = (reply: FastifyReply, id: number) => reply.redirect(questionPath(id, canonicalSlug(app.db, id) ?? 'question'), 303);
  /** Runs a thread form; an error is shown on the thread next to the form named `form`. */
  const threadForm = (request: FastifyRequest, reply: FastifyReply, id: number, form: string, action: () => void) =>
    handleForm(
      request,
      reply,
      async () => {
        action();
        return backToThread(reply, id);
      },
      (errors, status) => renderThread(app, request, reply, id, { errors: { [form]: Object.values(errors)[0] } }, status),
    );

  app.post(
    '/questions/:id/close',
    { schema: { params: IdParams, body: Type.Object({ reason: Type.String({ maxLength: 40 }), duplicateOfId: Type.Optional(Type.String({ maxLength: 200 })), ...Csrf }) } },
    async (request, reply) => {
      const user = requireUser(request);
      const { id } = request.params as { id: number };
      const body = request.body as { reason: string; duplicateOfId?: string };
      const original = body.duplicateOfId?.trim().match(/(?:^|\/questions\/)(\d{1,10})(?:\/|$)/)?.[1] ?? body.duplicateOfId;
      return threadForm(request, reply, id, 'close', () => closeQuestion(app.db, user.id, id, { reason: body.reason, duplicateOfId: original }, app.settings()));
    },
  );

  app.post('/questions/:id/reopen', { schema: { params: IdParams, body: Type.Object(Csrf) } }, async (request, reply) => {
    const user = requireUser(request);
    const { id } = request.params as { id: number };
    return threadForm(request, reply, id, 'close', () => reopenQuestion(app.db, user.id, id, app.settings()));
  });

  for (const locked of [true, false]) {
    app.post(
      `/questions/:id/${locked ? 'lock' : 'unlock'}`,
      { schema: { params: IdParams, body: Type.Object({ note: Type.Optional(Type.String({ maxLength: 2000 })), ...Csrf }) } },
      async (request, reply) => {
        const user = requireUser(request);
        const { id } = request.params as { id: number };
        return threadForm(request, reply, id, 'lock', () => setLocked(app.db, user.id, id, locked, (request.body as { note?: string }).note));
      },
    );
  }

  for (const pinned of [true, false]) {
    app.post(`/questions/:id/${pinned ? 'pin' : 'unpin'}`, { schema: { params: IdParams, body: Type.Object(Csrf) } }, async (request, reply) => {
      const user = requireUser(request);
      const { id } = request.params as { id: number };
      return threadForm(request, reply, id, 'lock', () => setPinned(app.db, user.id, id, pinned));
    });
  }

  const LogQuery = Type.Object({ page: Type.Optional(Type.String({ maxLength: 10 })) });

  app.get('/moderation/log', { schema: { querystring: LogQuery } }, async (request, reply) =>
    reply.sharedPage(() => {
      const list = moderationLogPage(app.db, app.settings(), pageNumber((request.query as { page?: string }).page));
      const items = list.items.map((item) => ({ ...item, ...describeLogItem(item, request.i18n), reasonText: reasonText(item.reason, request.i18n) }));
      return {
        template: 'moderation/log',
        data: { list, items, pages: pageCount(list.total, list.pageSize) },
        options: { title: request.i18n.t('moderation.logTitle'), noindex: list.page > 1 },
      };
    }),
  );

  app.get('/moderation/log.atom', async (request, reply) => {
    const { i18n } = request;
    const list = moderationLogPage(app.db, app.settings(), 1, 50);
    const base = app.config.baseUrl;
    const feed = new Feed({
      id: `${base}/moderation/log`,
      title: `${i18n.t('moderation.logTitle')} – ${i18n.t('site.name')}`,
      link: `${base}/moderation/log`,
      language: i18n.locale,
      updated: list.items[0]?.at ?? new Date(0),
      feedLinks: { atom: `${base}/moderation/log.atom` },
      generator: false,
    });
    for (const item of list.items) {
      const { who, what, target } = describeLogItem(item, i18n);
      const reason = reasonText(item.reason, i18n);
      feed.addItem({
        id: `${base}/moderation/log#entry-${item.id}`,
        title: `${who} ${what} ${target}`,
        link: item.thread?.url ? base + item.thread.url : `${base}/moderation/log`,
        date: item.at,
        description: reason ? `${i18n.t('moderation.logReason')}: ${reason}` : undefined,
      });
    }
    return reply.type('application/atom+xml; charset=utf-8').header('cache-control', 'public, max-age=300').send(feed.atom1());
  });
}
