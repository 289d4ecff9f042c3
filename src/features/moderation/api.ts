// Owns the moderation part of the JSON API (README, "Moderation API"): close / reopen, lock, pin, the public log,
// flags, the review queue and the actions on posts and accounts.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { pageNumber } from '../../lib/pagination.ts';
import { requireUser } from '../../plugins/auth.ts';
import { ErrorBody } from '../questions/api-shapes.ts';
import { closeQuestion, reopenQuestion, setLocked, setPinned } from './close.ts';
import { moderationLogPage } from './log.ts';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 31 }) });
const Errors = { '4xx': ErrorBody };
const CloseOutcome = Type.Object({ status: Type.String(), votes: Type.Integer(), needed: Type.Integer() });

export default async function moderationApi(app: FastifyInstance) {
  const baseUrl = app.config.baseUrl;

  app.post(
    '/questions/:id/close',
    {
      schema: {
        params: IdParams,
        body: Type.Object({ reason: Type.String({ maxLength: 40 }), duplicateOfId: Type.Optional(Type.Integer({ minimum: 1, maximum: 2 ** 31 })) }),
        response: { 200: CloseOutcome, ...Errors },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const body = request.body as { reason: string; duplicateOfId?: number };
      return closeQuestion(app.db, user.id, (request.params as { id: number }).id, body, app.settings());
    },
  );

  app.post('/questions/:id/reopen', { schema: { params: IdParams, response: { 200: CloseOutcome, ...Errors } } }, async (request) => {
    const user = requireUser(request);
    return reopenQuestion(app.db, user.id, (request.params as { id: number }).id, app.settings());
  });

  app.post(
    '/questions/:id/lock',
    {
      schema: {
        params: IdParams,
        body: Type.Object({ locked: Type.Boolean(), note: Type.Optional(Type.String({ maxLength: 2000 })) }),
        response: { 200: Type.Object({ locked: Type.Boolean() }), ...Errors },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const body = request.body as { locked: boolean; note?: string };
      setLocked(app.db, user.id, (request.params as { id: number }).id, body.locked, body.note);
      return { locked: body.locked };
    },
  );

  app.post(
    '/questions/:id/pin',
    { schema: { params: IdParams, body: Type.Object({ pinned: Type.Boolean() }), response: { 200: Type.Object({ pinned: Type.Boolean() }), ...Errors } } },
    async (request) => {
      const user = requireUser(request);
      const { pinned } = request.body as { pinned: boolean };
      setPinned(app.db, user.id, (request.params as { id: number }).id, pinned);
      return { pinned };
    },
  );

  const LogEntry = Type.Object({
    id: Type.Integer(),
    at: Type.String(),
    moderator: Type.Union([Type.String(), Type.Null()]),
    byCommunity: Type.Boolean(),
    action: Type.String(),
    targetType: Type.String(),
    targetId: Type.Integer(),
    thread: Type.Union([Type.Object({ title: Type.String(), url: Type.Union([Type.String(), Type.Null()]) }), Type.Null()]),
    username: Type.Union([Type.String(), Type.Null()]),
    reason: Type.Union([Type.String(), Type.Null()]),
  });

  app.get(
    '/moderation/log',
    {
      schema: {
        querystring: Type.Object({ page: Type.Optional(Type.String({ maxLength: 10 })) }),
        response: { 200: Type.Object({ items: Type.Array(LogEntry), page: Type.Integer(), pageSize: Type.Integer(), total: Type.Integer() }), ...Errors },
      },
    },
    async (request) => {
      const list = moderationLogPage(app.db, app.settings(), pageNumber((request.query as { page?: string }).page));
      return {
        ...list,
        items: list.items.map((item) => ({
          ...item,
          at: item.at.toISOString(),
          thread: item.thread ? { title: item.thread.title, url: item.thread.url ? baseUrl + item.thread.url : null } : null,
        })),
      };
    },
  );
}
