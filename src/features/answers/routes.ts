// Owns the answer forms of the thread page: answer, edit, accept, official mark, delete.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { and, eq, isNull } from 'drizzle-orm';
import { Type } from 'typebox';
import { answers, questions } from '../../db/schema.ts';
import { notFound } from '../../lib/errors.ts';
import { handleForm } from '../../lib/forms.ts';
import { requireUser } from '../../plugins/auth.ts';
import { limitAction } from '../../plugins/rate-limit.ts';
import { signInFirst } from '../questions/routes.ts';
import { canEdit, canonicalSlug, questionPath } from '../questions/service.ts';
import { renderThread } from '../questions/thread-page.ts';
import { BODY_MAX, cleanText, FORM_BODY_LIMIT, FORM_TEXT_MAX } from '../questions/validation.ts';
import { renderMarkdown } from '../../lib/markdown.ts';
import { acceptAnswer, deleteAnswer, editAnswer, postAnswer, setOfficial } from './service.ts';
import { atLeast } from '../accounts/roles.ts';
import { deletePost } from '../moderation/actions.ts';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 31 }) });
const Csrf = { _csrf: Type.Optional(Type.String()) };

export default async function answerPages(app: FastifyInstance) {
  const threadUrl = (questionId: number, anchor = '') => questionPath(questionId, canonicalSlug(app.db, questionId) ?? 'question') + anchor;

  function answerRow(id: number) {
    const row = app.db
      .select({ questionId: answers.questionId, authorId: answers.authorId, bodyMd: answers.bodyMd })
      .from(answers)
      .innerJoin(questions, eq(questions.id, answers.questionId))
      .where(and(eq(answers.id, id), isNull(answers.deletedAt), isNull(questions.deletedAt)))
      .get();
    if (!row) throw notFound();
    return row;
  }

  app.post(
    '/questions/:id/answers',
    { schema: { params: IdParams, body: Type.Object({ body: Type.String({ maxLength: FORM_TEXT_MAX }), preview: Type.Optional(Type.String({ maxLength: 10 })), ...Csrf }) }, bodyLimit: FORM_BODY_LIMIT, ...limitAction(app, 'posting') },
    async (request, reply) => {
      const { id } = request.params as { id: number };
      const { body, preview } = request.body as { body: string; preview?: string };
      if (!request.user) return signInFirst(reply, threadUrl(id));
      const user = request.user;
      // The Preview button: the thread again, the text kept and rendered under it; nothing is posted.
      if (preview) return renderThread(app, request, reply, id, { values: { answer: body }, answerPreview: renderMarkdown(cleanText(body).slice(0, BODY_MAX)) });
      return handleForm(
        request,
        reply,
        async () => {
          const answer = postAnswer(app.db, user, id, { body }, app.settings());
          return reply.redirect(threadUrl(id, `#answer-${answer.id}`), 303);
        },
        (errors, status) => renderThread(app, request, reply, id, { errors: { answer: Object.values(errors)[0] }, values: { answer: body } }, status),
      );
    },
  );

  const editForm = (request: FastifyRequest, reply: FastifyReply, id: number, questionId: number, values: Record<string, string>, errors: Record<string, string>, status = 200, previewHtml?: string) =>
    reply.page('answers/edit', { id, values, errors, previewHtml, bodyMax: BODY_MAX, cancelPath: threadUrl(questionId, `#answer-${id}`) }, { status, title: request.i18n.t('edit.answerTitle'), noindex: true });

  app.get('/answers/:id/edit', { schema: { params: IdParams } }, async (request, reply) => {
    const { id } = request.params as { id: number };
    if (!request.user) return signInFirst(reply, `/answers/${id}/edit`);
    const answer = answerRow(id);
    if (!canEdit(request.user, answer.authorId, app.settings())) return reply.callNotFound();
    return editForm(request, reply, id, answer.questionId, { body: answer.bodyMd }, {});
  });

  app.post(
    '/answers/:id/edit',
    {
      schema: { params: IdParams, body: Type.Object({ body: Type.String({ maxLength: FORM_TEXT_MAX }), comment: Type.Optional(Type.String({ maxLength: 2000 })), preview: Type.Optional(Type.String({ maxLength: 10 })), ...Csrf }) },
      bodyLimit: FORM_BODY_LIMIT,
      ...limitAction(app, 'posting'),
    },
    async (request, reply) => {
      const user = requireUser(request);
      const { id } = request.params as { id: number };
      const body = request.body as { body: string; comment?: string; preview?: string };
      const answer = answerRow(id);
      if (body.preview) return editForm(request, reply, id, answer.questionId, { body: body.body, comment: body.comment ?? '' }, {}, 200, renderMarkdown(cleanText(body.body).slice(0, BODY_MAX)));
      return handleForm(
        request,
        reply,
        async () => {
          editAnswer(app.db, user, id, body, app.settings());
          return reply.redirect(threadUrl(answer.questionId, `#answer-${id}`), 303);
        },
        (errors, status) => editForm(request, reply, id, answer.questionId, { body: body.body, comment: body.comment ?? '' }, errors, status),
      );
    },
  );

  app.post(
    '/questions/:id/accept',
    { schema: { params: IdParams, body: Type.Object({ answerId: Type.Optional(Type.String({ maxLength: 12 })), ...Csrf }) } },
    async (request, reply) => {
      const user = requireUser(request);
      const { id } = request.params as { id: number };
      const raw = (request.body as { answerId?: string }).answerId;
      const answerId = raw ? Number.parseInt(raw, 10) : null;
      acceptAnswer(app.db, user, id, Number.isInteger(answerId) ? answerId : null, app.settings());
      return reply.redirect(threadUrl(id, answerId ? `#answer-${answerId}` : ''), 303);
    },
  );

  app.post(
    '/answers/:id/official',
    { schema: { params: IdParams, body: Type.Object({ official: Type.Union([Type.Literal('true'), Type.Literal('false')]), ...Csrf }) } },
    async (request, reply) => {
      const user = requireUser(request);
      const { id } = request.params as { id: number };
      const answer = answerRow(id);
      setOfficial(app.db, user, id, (request.body as { official: string }).official === 'true');
      return reply.redirect(threadUrl(answer.questionId, `#answer-${id}`), 303);
    },
  );

  app.post('/answers/:id/delete', { schema: { params: IdParams, body: Type.Object(Csrf) } }, async (request, reply) => {
    const user = requireUser(request);
    const { id } = request.params as { id: number };
    const answer = answerRow(id);
    // A moderator deleting someone else's answer is a moderation action: logged, its reputation reversed.
    if (answer.authorId !== user.id && atLeast(user.role, 'moderator')) deletePost(app.db, user.id, 'answer', id, null, app.settings());
    else deleteAnswer(app.db, user, id, app.settings());
    return reply.redirect(threadUrl(answer.questionId), 303);
  });
}
