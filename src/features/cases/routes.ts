// Owns the pages of private support cases: the escalation form, the asker's list, a case's conversation and
// the staff's status, assignment and public-summary forms. Every page here is per viewer (never shared/kept).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { handleForm } from '../../lib/forms.ts';
import { pageCount, pageNumber } from '../../lib/pagination.ts';
import { requireUser } from '../../plugins/auth.ts';
import type { SessionUser } from '../accounts/sessions.ts';
import { limitAction } from '../../plugins/rate-limit.ts';
import { postAnswer } from '../answers/service.ts';
import { logEvent } from '../deflection/visit.ts';
import { signInFirst } from '../questions/routes.ts';
import { canonicalSlug, questionPath } from '../questions/service.ts';
import { BODY_MAX, FORM_BODY_LIMIT, FORM_TEXT_MAX } from '../questions/validation.ts';
import { casePath, DETAILS_MAX, escalationTarget, getCase, isCaseStaff, listCases, openCase, postCaseMessage, summaryTarget, updateCase } from './service.ts';

const Id = Type.Integer({ minimum: 1, maximum: 2 ** 31 });
const IdParams = Type.Object({ id: Id });
const Csrf = { _csrf: Type.Optional(Type.String()) };

export default async function casePages(app: FastifyInstance) {
  const newForm = async (request: FastifyRequest, reply: FastifyReply, questionId: number, values: Record<string, string>, errors: Record<string, string>, status = 200) => {
    const target = escalationTarget(app.db, requireUser(request), questionId);
    return reply.page('cases/new', { target, values, errors, bodyMax: BODY_MAX, detailsMax: DETAILS_MAX }, { status, title: request.i18n.t('cases.newTitle'), noindex: true });
  };

  app.get('/support/new', { schema: { querystring: Type.Object({ question: Id }) } }, async (request, reply) => {
    const questionId = (request.query as { question: number }).question;
    if (!request.user) return signInFirst(reply, `/support/new?question=${questionId}`);
    return newForm(request, reply, questionId, {}, {});
  });

  app.post(
    '/support/cases',
    { schema: { body: Type.Object({ question: Id, summary: Type.String({ maxLength: FORM_TEXT_MAX }), details: Type.Optional(Type.String({ maxLength: FORM_TEXT_MAX })), ...Csrf }) }, bodyLimit: FORM_BODY_LIMIT, ...limitAction(app, 'posting') },
    async (request, reply) => {
      const user = requireUser(request);
      const body = request.body as { question: number; summary: string; details?: string };
      return handleForm(
        request,
        reply,
        async () => {
          const { id, askerId } = openCase(app.db, user, { questionId: body.question, summary: body.summary, details: body.details });
          // A support contact that did happen: the deflection report counts it as failed for this person (staff
          // and moderators opening one on the asker's behalf are never recorded).
          logEvent(app, request, 'contact_support', { questionId: body.question });
          // A moderator opens a case for the asker but cannot read it: back to the thread, which shows the banner.
          if (!isCaseStaff(user) && user.id !== askerId) return reply.redirect(`${questionPath(body.question, canonicalSlug(app.db, body.question) ?? '')}?case=opened`, 303);
          return reply.redirect(casePath(id), 303);
        },
        (errors, status) => newForm(request, reply, body.question, { summary: body.summary, details: body.details ?? '' }, errors, status),
      );
    },
  );

  app.get('/support/cases', { schema: { querystring: Type.Object({ page: Type.Optional(Type.String({ maxLength: 10 })), status: Type.Optional(Type.String({ maxLength: 20 })) }) } }, async (request, reply) => {
    if (!request.user) return signInFirst(reply, '/support/cases');
    const query = request.query as { page?: string; status?: string };
    const status = query.status === 'open' || query.status === 'waiting' || query.status === 'solved' || query.status === 'unsolved' ? query.status : undefined;
    const list = listCases(app.db, request.user, { page: pageNumber(query.page), status });
    const staff = isCaseStaff(request.user);
    const { t } = request.i18n;
    return reply.page('cases/list', { list, staff, status, pages: pageCount(list.total, list.pageSize) }, { title: staff ? t('cases.staffListTitle') : t('cases.listTitle'), noindex: true });
  });

  const showCase = async (request: FastifyRequest, reply: FastifyReply, id: number, values: Record<string, string> = {}, errors: Record<string, string> = {}, status = 200) => {
    const kase = getCase(app.db, request.user, id);
    const { t } = request.i18n;
    return reply.page('cases/show', { kase, staff: isCaseStaff(request.user), viewerId: request.user!.id, values, errors, bodyMax: BODY_MAX }, { status, title: t('cases.title', { id }), noindex: true });
  };

  app.get('/support/cases/:id', { schema: { params: IdParams } }, async (request, reply) => {
    const { id } = request.params as { id: number };
    if (!request.user) return signInFirst(reply, casePath(id));
    return showCase(request, reply, id);
  });

  /**
   * A case form of one Markdown text (a message, the public summary): posting limits, and on a refusal the case page
   * again with the text kept and the error under `field`. `act` does the work and says where to go next.
   */
  const textForm = (action: string, field: 'body' | 'summary', act: (user: SessionUser, id: number, body: string) => string) =>
    app.post(
      `/support/cases/:id/${action}`,
      { schema: { params: IdParams, body: Type.Object({ body: Type.String({ maxLength: FORM_TEXT_MAX }), ...Csrf }) }, bodyLimit: FORM_BODY_LIMIT, ...limitAction(app, 'posting') },
      async (request, reply) => {
        const user = requireUser(request);
        const { id } = request.params as { id: number };
        const { body } = request.body as { body: string };
        return handleForm(
          request,
          reply,
          async () => reply.redirect(act(user, id, body), 303),
          (errors, status) => showCase(request, reply, id, { [field]: body }, { [field]: errors.body ?? errors.form }, status),
        );
      },
    );

  textForm('messages', 'body', (user, id, body) => {
    postCaseMessage(app.db, user, id, { body });
    return `${casePath(id)}#reply`;
  });

  app.post(
    '/support/cases/:id/status',
    { schema: { params: IdParams, body: Type.Object({ status: Type.String({ maxLength: 20 }), ...Csrf }) } },
    async (request, reply) => {
      const user = requireUser(request);
      const { id } = request.params as { id: number };
      updateCase(app.db, user, id, { status: (request.body as { status: string }).status });
      return reply.redirect(casePath(id), 303);
    },
  );

  app.post(
    '/support/cases/:id/assign',
    { schema: { params: IdParams, body: Type.Object({ assign: Type.Union([Type.Literal('me'), Type.Literal('none')]), ...Csrf }) } },
    async (request, reply) => {
      const user = requireUser(request);
      const { id } = request.params as { id: number };
      updateCase(app.db, user, id, { assigneeId: (request.body as { assign: string }).assign === 'me' ? user.id : null });
      return reply.redirect(casePath(id), 303);
    },
  );

  // The fix, told in public: an ordinary answer by staff (so official), on the case's question.
  textForm('summary', 'summary', (user, id, body) => {
    const { questionId } = summaryTarget(app.db, user, id);
    const answer = postAnswer(app.db, user, questionId, { body }, app.settings());
    return `${questionPath(questionId, canonicalSlug(app.db, questionId) ?? '')}#answer-${answer.id}`;
  });
}
