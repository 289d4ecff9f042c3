// Owns the moderation pages: the thread's close / reopen / lock / pin forms, the public log (and its Atom feed).
import { Feed } from 'feed';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { handleForm } from '../../lib/forms.ts';
import type { I18n } from '../../lib/i18n.ts';
import { pageCount, pageNumber } from '../../lib/pagination.ts';
import { requireRole, requireUser } from '../../plugins/auth.ts';
import { limitAction } from '../../plugins/rate-limit.ts';
import { signInFirst } from '../questions/routes.ts';
import { dismissFlags, deletePost, markSpammer, suspendMember, liftSuspension, undeletePost, warnMember } from './actions.ts';
import { assertMayFlag, raiseFlag } from './flags.ts';
import { originalCandidates, parseOriginalField, questionForChoosing, type OriginalField } from './originals.ts';
import { flaggedQueue, heldQueue } from './queue.ts';
import { SUSPENDED_PAGE, messagesFor, suspensionOf } from './suspensions.ts';
import { canonicalSlug, questionPath } from '../questions/service.ts';
import { renderThread } from '../questions/thread-page.ts';
import { assertMayClose, closeQuestion, reopenQuestion, setLocked, setPinned } from './close.ts';
import { invalid, notFound } from '../../lib/errors.ts';
import { moderationLogPage, threadOfPost, type LogItem } from './log.ts';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 31 }) });
const Csrf = { _csrf: Type.Optional(Type.String()), next: Type.Optional(Type.String({ maxLength: 200 })) };
const PostParams = Type.Object({ type: Type.Union([Type.Literal('question'), Type.Literal('answer'), Type.Literal('comment')]), id: Type.Integer({ minimum: 1, maximum: 2 ** 31 }) });
const UserParams = IdParams;

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

/** A close or flag form's original: read only when the reason is "duplicate" (the field may be left filled otherwise). */
function duplicateField(body: { reason?: string; duplicateOfId?: string }): OriginalField {
  return body.reason === 'duplicate' ? parseOriginalField(body.duplicateOfId) : { kind: 'empty' };
}

export default async function moderationPages(app: FastifyInstance) {
  const backToThread = (reply: FastifyReply, id: number) => {
    // Forms of the review queue say so, and go back there.
    const next = ((reply.request.body ?? {}) as { next?: string }).next;
    return reply.redirect(next === '/moderation' ? next : questionPath(id, canonicalSlug(app.db, id) ?? 'question'), 303);
  };
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

  /** The "choose the original" page: words typed in a flag or close form's original field, answered by search. */
  const chooseOriginal = async (
    request: FastifyRequest,
    reply: FastifyReply,
    input: { mode: 'flag' | 'close'; questionId: number; words: string; action: string; hidden: Record<string, string>; note?: string },
  ) => {
    const question = questionForChoosing(app.db, input.questionId);
    if (!question) throw notFound();
    const candidates = await originalCandidates(app.db, app.searchIndex, question.id, { kind: 'words', words: input.words });
    return reply.page('moderation/choose-original', { ...input, question, candidates }, { title: request.i18n.t('moderation.chooseTitle'), noindex: true });
  };

  app.post(
    '/questions/:id/close',
    { schema: { params: IdParams, body: Type.Object({ reason: Type.String({ maxLength: 40 }), duplicateOfId: Type.Optional(Type.String({ maxLength: 400 })), ...Csrf }) } },
    async (request, reply) => {
      const user = requireUser(request);
      const { id } = request.params as { id: number };
      const body = request.body as { reason: string; duplicateOfId?: string; next?: string };
      return handleForm(
        request,
        reply,
        async () => {
          const field = duplicateField(body);
          if (field.kind === 'words') {
            // Words: the closer chooses among the matching questions first (nothing is written yet).
            assertMayClose(app.db, user.id, id, app.settings());
            return chooseOriginal(request, reply, { mode: 'close', questionId: id, words: field.words, action: `/questions/${id}/close`, hidden: { reason: 'duplicate', ...(body.next === '/moderation' ? { next: body.next } : {}) } });
          }
          closeQuestion(app.db, user.id, id, { reason: body.reason, duplicateOfId: field.kind === 'id' ? field.id : undefined }, app.settings());
          return backToThread(reply, id);
        },
        (errors, status) => renderThread(app, request, reply, id, { errors: { close: Object.values(errors)[0] } }, status),
      );
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

  app.post(
    '/flags',
    {
      schema: {
        body: Type.Object({
          postType: Type.String({ maxLength: 20 }),
          postId: Type.Integer({ minimum: 1, maximum: 2 ** 31 }),
          reason: Type.Optional(Type.String({ maxLength: 40 })),
          note: Type.Optional(Type.String({ maxLength: 4000 })),
          duplicateOfId: Type.Optional(Type.String({ maxLength: 400 })),
          ...Csrf,
        }),
      },
      ...limitAction(app, 'posting'),
    },
    async (request, reply) => {
      const user = requireUser(request);
      const body = request.body as { postType: string; postId: number; reason?: string; note?: string; duplicateOfId?: string };
      const formName = `flag-${body.postType}-${body.postId}`;
      const questionId = threadOfPost(app.db, body.postType as 'question', body.postId);
      return handleForm(
        request,
        reply,
        async () => {
          const field = duplicateField(body);
          if (field.kind === 'words') {
            if (body.postType !== 'question') throw invalid('duplicateOfId', 'moderation.badOriginal');
            // Words: the flagger chooses among the matching questions first (nothing is written yet).
            assertMayFlag(app.db, user.id, 'question', body.postId, app.settings());
            const note = body.note?.trim() ?? '';
            return chooseOriginal(request, reply, {
              mode: 'flag',
              questionId: body.postId,
              words: field.words,
              action: '/flags',
              hidden: { postType: 'question', postId: String(body.postId), reason: 'duplicate', ...(note ? { note } : {}) },
              note,
            });
          }
          raiseFlag(app.db, user.id, { ...body, reason: body.reason, duplicateOfId: field.kind === 'id' ? field.id : undefined }, app.settings());
          if (questionId === null) return reply.redirect('/', 303);
          return reply.redirect(questionPath(questionId, canonicalSlug(app.db, questionId) ?? 'question') + `#my-flag-${body.postType}-${body.postId}`, 303);
        },
        (errors, status) =>
          questionId === null || canonicalSlug(app.db, questionId) === undefined
            ? reply.page('errors/error', { heading: request.i18n.t('error.title'), message: Object.values(errors)[0] }, { status, title: request.i18n.t('error.title'), noindex: true })
            : renderThread(app, request, reply, questionId, { errors: { [formName]: Object.values(errors)[0] } }, status),
      );
    },
  );

  app.get('/moderation', async (request, reply) => {
    if (!request.user) return signInFirst(reply, '/moderation');
    requireRole(request, 'moderator');
    return reply.page('moderation/queue', { flagged: flaggedQueue(app.db), held: heldQueue(app.db) }, { title: request.i18n.t('moderation.queueTitle'), noindex: true });
  });

  const QueueBody = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 4000 })), ...Csrf });
  for (const action of ['dismiss', 'delete', 'undelete'] as const) {
    app.post(`/moderation/posts/:type/:id/${action}`, { schema: { params: PostParams, body: QueueBody } }, async (request, reply) => {
      const user = requireUser(request);
      const { type, id } = request.params as { type: 'question' | 'answer' | 'comment'; id: number };
      if (action === 'dismiss') dismissFlags(app.db, user.id, type, id);
      else if (action === 'delete') deletePost(app.db, user.id, type, id, (request.body as { reason?: string }).reason, app.settings());
      else undeletePost(app.db, user.id, type, id);
      return reply.redirect('/moderation', 303);
    });
  }

  const UserBody = Type.Object({
    message: Type.Optional(Type.String({ maxLength: 8000 })),
    days: Type.Optional(Type.String({ maxLength: 10 })),
    reason: Type.Optional(Type.String({ maxLength: 4000 })),
    ...Csrf,
  });
  for (const action of ['warn', 'suspend', 'unsuspend', 'spammer'] as const) {
    app.post(`/moderation/users/:id/${action}`, { schema: { params: UserParams, body: UserBody } }, async (request, reply) => {
      const user = requireUser(request);
      const { id } = request.params as { id: number };
      const body = request.body as { message?: string; days?: string; reason?: string };
      if (action === 'warn') warnMember(app.db, user.id, id, body.message);
      else if (action === 'suspend') suspendMember(app.db, user.id, id, { days: body.days, reason: body.reason });
      else if (action === 'unsuspend') liftSuspension(app.db, user.id, id);
      else markSpammer(app.db, user.id, id, body.reason, app.settings());
      return reply.redirect('/moderation', 303);
    });
  }

  app.get(SUSPENDED_PAGE, async (request, reply) => {
    if (!request.user) return signInFirst(reply, SUSPENDED_PAGE);
    const suspension = suspensionOf(app.db, request.user.id);
    // A member who is not (or no longer) suspended still reads the moderators' warnings here.
    const messages = suspension ? suspension.messages : messagesFor(app.db, request.user.id);
    return reply.page('moderation/suspended', { suspension, messages }, { title: request.i18n.t(suspension ? 'moderation.suspendedTitle' : 'moderation.messagesTitle'), noindex: true });
  });

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
