// Owns the questions-and-answers part of the JSON API (API.md, "Questions and answers").
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { pageNumber } from '../../lib/pagination.ts';
import { requireUser } from '../../plugins/auth.ts';
import { limitAction } from '../../plugins/rate-limit.ts';
import { acceptAnswer, answerQuestionId, editAnswer, postAnswer } from '../answers/service.ts';
import { notFound } from '../../lib/errors.ts';
import { addComment } from '../comments/service.ts';
import { castVote } from '../votes/service.ts';
import { Answer, answerJson, ErrorBody, Question, QuestionSummarySchema, questionJson, summaryJson } from './api-shapes.ts';
import { askQuestion, editQuestion, getThread, listQuestions, SORTS, type Sort } from './service.ts';
import { BODY_MAX } from './validation.ts';
import { logEvent } from '../deflection/visit.ts';
import { visibleThread } from '../moderation/visibility.ts';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 31 }) });
const Errors = { '4xx': ErrorBody };
const LongText = Type.String({ maxLength: BODY_MAX * 4 });

export default async function questionsApi(app: FastifyInstance) {
  const baseUrl = app.config.baseUrl;
  const posting = limitAction(app, 'posting');

  app.get(
    '/questions',
    {
      schema: {
        querystring: Type.Object({
          sort: Type.Optional(Type.Union(SORTS.map((s) => Type.Literal(s)))),
          tag: Type.Optional(Type.String({ maxLength: 100 })),
          page: Type.Optional(Type.String({ maxLength: 10 })),
          pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
        }),
        response: { 200: Type.Object({ items: Type.Array(QuestionSummarySchema), page: Type.Integer(), pageSize: Type.Integer(), total: Type.Integer() }), ...Errors },
      },
    },
    async (request) => {
      const query = request.query as { sort?: Sort; tag?: string; page?: string; pageSize?: number };
      const list = listQuestions(app.db, { sort: query.sort, tag: query.tag?.trim() || undefined, page: pageNumber(query.page), pageSize: query.pageSize ?? 20 });
      return { ...list, items: list.items.map((item) => summaryJson(item, baseUrl)) };
    },
  );

  app.post(
    '/questions',
    {
      schema: {
        body: Type.Object({ title: Type.String({ maxLength: 2000 }), body: LongText, tags: Type.Array(Type.String({ maxLength: 100 }), { maxItems: 20 }) }),
        response: { 201: Type.Object({ id: Type.Integer(), slug: Type.String(), url: Type.String() }), ...Errors },
      },
      ...posting,
    },
    async (request, reply) => {
      const user = requireUser(request);
      const created = askQuestion(app.db, user, request.body as { title: string; body: string; tags: string[] }, app.settings());
      logEvent(app, request, 'question_posted', { questionId: created.id });
      return reply.status(201).send({ ...created, url: baseUrl + created.url });
    },
  );

  app.get('/questions/:id', { schema: { params: IdParams, response: { 200: Question, ...Errors } } }, async (request) =>
    questionJson(visibleThread(getThread(app.db, (request.params as { id: number }).id, request.user?.id), request.user), baseUrl),
  );

  app.patch(
    '/questions/:id',
    {
      schema: {
        params: IdParams,
        body: Type.Object({
          title: Type.Optional(Type.String({ maxLength: 2000 })),
          body: Type.Optional(LongText),
          tags: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 20 })),
          comment: Type.Optional(Type.String({ maxLength: 2000 })),
        }),
        response: { 200: Question, ...Errors },
      },
      ...posting,
    },
    async (request) => {
      const user = requireUser(request);
      const { id } = request.params as { id: number };
      editQuestion(app.db, user, id, request.body as object, app.settings());
      return questionJson(getThread(app.db, id, user.id), baseUrl);
    },
  );

  app.post(
    '/questions/:id/answers',
    { schema: { params: IdParams, body: Type.Object({ body: LongText }), response: { 201: Type.Object({ id: Type.Integer() }), ...Errors } }, ...posting },
    async (request, reply) => {
      const user = requireUser(request);
      const answer = postAnswer(app.db, user, (request.params as { id: number }).id, request.body as { body: string }, app.settings());
      return reply.status(201).send(answer);
    },
  );

  app.patch(
    '/answers/:id',
    {
      schema: { params: IdParams, body: Type.Object({ body: LongText, comment: Type.Optional(Type.String({ maxLength: 2000 })) }), response: { 200: Answer, ...Errors } },
      ...posting,
    },
    async (request) => {
      const user = requireUser(request);
      const { id } = request.params as { id: number };
      editAnswer(app.db, user, id, request.body as { body: string; comment?: string }, app.settings());
      const answer = findAnswerInThread(app, id, user.id);
      return answerJson(answer);
    },
  );

  app.post(
    '/questions/:id/accept',
    {
      schema: {
        params: IdParams,
        body: Type.Object({ answerId: Type.Union([Type.Integer({ minimum: 1, maximum: 2 ** 31 }), Type.Null()]) }),
        response: { 200: Type.Object({ acceptedAnswerId: Type.Union([Type.Integer(), Type.Null()]) }), ...Errors },
      },
    },
    async (request) => {
      const user = requireUser(request);
      return acceptAnswer(app.db, user, (request.params as { id: number }).id, (request.body as { answerId: number | null }).answerId, app.settings());
    },
  );

  app.post(
    '/votes',
    {
      schema: {
        body: Type.Object({
          postType: Type.Union([Type.Literal('question'), Type.Literal('answer')]),
          postId: Type.Integer({ minimum: 1, maximum: 2 ** 31 }),
          value: Type.Union([Type.Literal(1), Type.Literal(-1), Type.Literal(0)]),
        }),
        response: { 200: Type.Object({ score: Type.Integer(), myVote: Type.Integer() }), ...Errors },
      },
    },
    async (request) => castVote(app.db, requireUser(request), request.body as { postType: string; postId: number; value: number }, app.settings()),
  );

  app.post(
    '/comments',
    {
      schema: {
        body: Type.Object({
          postType: Type.Union([Type.Literal('question'), Type.Literal('answer')]),
          postId: Type.Integer({ minimum: 1, maximum: 2 ** 31 }),
          body: Type.String({ maxLength: 5000 }),
        }),
        response: { 201: Type.Object({ id: Type.Integer() }), ...Errors },
      },
      ...posting,
    },
    async (request, reply) => {
      const { id } = addComment(app.db, requireUser(request), request.body as { postType: string; postId: number; body: string }, app.settings());
      return reply.status(201).send({ id });
    },
  );
}

function findAnswerInThread(app: FastifyInstance, answerId: number, viewerId: number) {
  const answer = getThread(app.db, answerQuestionId(app.db, answerId), viewerId).answers.find((a) => a.id === answerId);
  if (!answer) throw notFound();
  return answer;
}
