// Owns the support-case part of the JSON API: a case and its messages are readable only by their asker and by
// staff; anyone else gets the 404 of a case that does not exist.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requireUser } from '../../plugins/auth.ts';
import { limitAction } from '../../plugins/rate-limit.ts';
import { logEvent } from '../deflection/visit.ts';
import { ErrorBody } from '../questions/api-shapes.ts';
import { BODY_MAX, FORM_TEXT_MAX } from '../questions/validation.ts';
import { getCase, listCases, openCase, postCaseMessage, updateCase, type CaseView } from './service.ts';

const Id = Type.Integer({ minimum: 1, maximum: 2 ** 31 });
const Status = Type.Union([Type.Literal('open'), Type.Literal('waiting'), Type.Literal('solved')]);
const Person = Type.Object({ id: Type.Integer(), username: Type.String(), displayName: Type.String() });
const Message = Type.Object({ id: Type.Integer(), body: Type.String(), bodyHtml: Type.String(), author: Type.Object({ ...Person.properties, staff: Type.Boolean() }), createdAt: Type.String() });
const Case = Type.Object({
  id: Type.Integer(),
  status: Status,
  questionId: Type.Integer(),
  url: Type.String(),
  asker: Person,
  assignee: Type.Union([Person, Type.Null()]),
  privateDetails: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  solvedAt: Type.Union([Type.String(), Type.Null()]),
  messages: Type.Array(Message),
});
const Summary = Type.Object({ id: Type.Integer(), status: Status, questionId: Type.Integer(), title: Type.String(), url: Type.String(), assigneeId: Type.Union([Type.Integer(), Type.Null()]), createdAt: Type.String(), updatedAt: Type.String() });

const messageJson = (m: CaseView['messages'][number]) => ({ id: m.id, body: m.bodyMd, bodyHtml: m.bodyHtml, author: m.author, createdAt: m.createdAt.toISOString() });

export default async function casesApi(app: FastifyInstance) {
  const caseJson = (k: CaseView) => ({
    id: k.id,
    status: k.status,
    questionId: k.question.id,
    url: `${app.config.baseUrl}/support/cases/${k.id}`,
    asker: k.asker,
    assignee: k.assignee,
    privateDetails: k.privateDetails,
    createdAt: k.createdAt.toISOString(),
    updatedAt: k.updatedAt.toISOString(),
    solvedAt: k.solvedAt?.toISOString() ?? null,
    messages: k.messages.map(messageJson),
  });

  app.get(
    '/cases',
    {
      schema: {
        querystring: Type.Object({
          status: Type.Optional(Type.Union([Status, Type.Literal('unsolved')])),
          mine: Type.Optional(Type.Boolean()),
          page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
          pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
        }),
        response: { 200: Type.Object({ items: Type.Array(Summary), page: Type.Integer(), pageSize: Type.Integer(), total: Type.Integer() }), '4xx': ErrorBody },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const list = listCases(app.db, user, request.query as { status?: 'open'; mine?: boolean; page?: number; pageSize?: number });
      return {
        ...list,
        items: list.items.map((c) => ({
          id: c.id,
          status: c.status,
          questionId: c.questionId,
          title: c.title,
          url: `${app.config.baseUrl}/support/cases/${c.id}`,
          assigneeId: c.assigneeId,
          createdAt: c.createdAt.toISOString(),
          updatedAt: c.updatedAt.toISOString(),
        })),
      };
    },
  );

  app.post(
    '/cases',
    {
      schema: {
        body: Type.Object({ questionId: Id, summary: Type.String({ maxLength: FORM_TEXT_MAX }), details: Type.Optional(Type.Union([Type.String({ maxLength: FORM_TEXT_MAX }), Type.Null()])) }),
        response: { 201: Type.Object({ id: Type.Integer(), url: Type.String() }), '4xx': ErrorBody },
      },
      ...limitAction(app, 'posting'),
    },
    async (request, reply) => {
      const user = requireUser(request);
      const body = request.body as { questionId: number; summary: string; details?: string | null };
      const { id } = openCase(app.db, user, body);
      logEvent(app, request, 'contact_support', { questionId: body.questionId });
      return reply.status(201).send({ id, url: `${app.config.baseUrl}/support/cases/${id}` });
    },
  );

  app.get('/cases/:id', { schema: { params: Type.Object({ id: Id }), response: { 200: Case, '4xx': ErrorBody } } }, async (request) => {
    const user = requireUser(request);
    return caseJson(getCase(app.db, user, (request.params as { id: number }).id));
  });

  app.patch(
    '/cases/:id',
    {
      schema: {
        params: Type.Object({ id: Id }),
        body: Type.Object({ status: Type.Optional(Status), assigneeId: Type.Optional(Type.Union([Id, Type.Null()])) }),
        response: { 200: Case, '4xx': ErrorBody },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const { id } = request.params as { id: number };
      updateCase(app.db, user, id, request.body as { status?: string; assigneeId?: number | null });
      return caseJson(getCase(app.db, user, id));
    },
  );

  app.get('/cases/:id/messages', { schema: { params: Type.Object({ id: Id }), response: { 200: Type.Object({ items: Type.Array(Message), page: Type.Integer(), pageSize: Type.Integer(), total: Type.Integer() }), '4xx': ErrorBody } } }, async (request) => {
    const user = requireUser(request);
    const { messages } = getCase(app.db, user, (request.params as { id: number }).id);
    return { items: messages.map(messageJson), page: 1, pageSize: messages.length, total: messages.length };
  });

  app.post(
    '/cases/:id/messages',
    {
      schema: { params: Type.Object({ id: Id }), body: Type.Object({ body: Type.String({ maxLength: BODY_MAX * 2 }) }), response: { 201: Type.Object({ id: Type.Integer(), status: Status }), '4xx': ErrorBody } },
      ...limitAction(app, 'posting'),
    },
    async (request, reply) => {
      const user = requireUser(request);
      const result = postCaseMessage(app.db, user, (request.params as { id: number }).id, request.body as { body: string });
      return reply.status(201).send(result);
    },
  );
}
