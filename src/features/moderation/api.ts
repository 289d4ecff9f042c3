// Owns the moderation part of the JSON API (README, "Moderation API"): close / reopen, lock, pin, the public log,
// flags, the review queue and the actions on posts and accounts.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { pageNumber } from '../../lib/pagination.ts';
import { requireUser } from '../../plugins/auth.ts';
import { ErrorBody } from '../questions/api-shapes.ts';
import { closeQuestion, reopenQuestion, setLocked, setPinned } from './close.ts';
import { moderationLogPage } from './log.ts';
import { requireRole } from '../../plugins/auth.ts';
import { limitAction } from '../../plugins/rate-limit.ts';
import { deletePost, dismissFlags, liftSuspension, markSpammer, suspendMember, undeletePost, warnMember } from './actions.ts';
import { myFlags, raiseFlag } from './flags.ts';
import { originalCandidates, parseOriginalField, questionForChoosing, type OriginalField } from './originals.ts';
import { notFound } from '../../lib/errors.ts';
import { flaggedQueue, heldQueue, openCounts, type QueueItem } from './queue.ts';
import { messagesFor } from './suspensions.ts';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 31 }) });
const Errors = { '4xx': ErrorBody };
/** An optional JSON object body's fields, unchecked (the services check each one's type and range). */
const bodyOf = (body: unknown): Record<string, unknown> => (body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {});
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

  app.post(
    '/flags',
    {
      schema: {
        body: Type.Object({
          postType: Type.String({ maxLength: 20 }),
          postId: Type.Integer({ minimum: 1, maximum: 2 ** 31 }),
          reason: Type.String({ maxLength: 40 }),
          note: Type.Optional(Type.String({ maxLength: 4000 })),
          duplicateOfId: Type.Optional(Type.Integer({ minimum: 1, maximum: 2 ** 31 })),
        }),
        response: { 201: Type.Object({ id: Type.Integer(), hidden: Type.Boolean() }), ...Errors },
      },
      ...limitAction(app, 'posting'),
    },
    async (request, reply) => {
      const user = requireUser(request);
      const body = request.body as { postType: string; postId: number; reason: string; note?: string; duplicateOfId?: number };
      return reply.status(201).send(raiseFlag(app.db, user.id, body, app.settings()));
    },
  );

  const MyFlag = Type.Object({
    id: Type.Integer(),
    postType: Type.String(),
    postId: Type.Integer(),
    questionId: Type.Integer(),
    reason: Type.String(),
    status: Type.String(),
    createdAt: Type.String(),
    resolvedAt: Type.Union([Type.String(), Type.Null()]),
  });
  // The original of a duplicate, chosen by search (the flag and close forms' combobox): open questions for the
  // words typed, or the one a number or link names; never the question itself, a closed, deleted or hidden one.
  // Signed-in members only; no search is logged (this is not a customer looking for an answer).
  const Candidate = Type.Object({
    id: Type.Integer(),
    title: Type.String(),
    url: Type.String(),
    answerCount: Type.Integer(),
    hasAcceptedAnswer: Type.Boolean(),
    hasOfficialAnswer: Type.Boolean(),
  });
  app.get(
    '/questions/:id/original-candidates',
    {
      schema: {
        params: IdParams,
        querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 400 })) }),
        response: { 200: Type.Object({ items: Type.Array(Candidate) }), ...Errors },
      },
    },
    async (request) => {
      requireUser(request);
      const { id } = request.params as { id: number };
      if (!questionForChoosing(app.db, id)) throw notFound();
      let field: OriginalField;
      try {
        field = parseOriginalField((request.query as { q?: string }).q ?? '');
      } catch {
        field = { kind: 'empty' }; // a link elsewhere, a number out of range: nothing matches
      }
      const items = await originalCandidates(app.db, app.searchIndex, id, field);
      return { items: items.map((item) => ({ ...item, url: baseUrl + item.url })) };
    },
  );

  app.get('/flags/mine', { schema: { response: { 200: Type.Object({ items: Type.Array(MyFlag) }), ...Errors } } }, async (request) => {
    const user = requireUser(request);
    return { items: myFlags(app.db, user.id).map((f) => ({ ...f, createdAt: f.createdAt.toISOString(), resolvedAt: f.resolvedAt?.toISOString() ?? null })) };
  });

  app.get('/moderation/messages', async (request) => {
    const user = requireUser(request);
    return { items: messagesFor(app.db, user.id).map((m) => ({ body: m.body, createdAt: m.createdAt.toISOString() })) };
  });

  const queueJson = (item: QueueItem) => ({
    postType: item.postType,
    postId: item.postId,
    questionId: item.questionId,
    thread: { ...item.thread, url: baseUrl + item.thread.url },
    excerpt: item.excerpt,
    hiddenReason: item.hiddenReason,
    since: item.since.toISOString(),
    flags: item.flags.map((f) => ({ ...f, createdAt: f.createdAt.toISOString() })),
    author: {
      id: item.author.id,
      username: item.author.username,
      reputation: item.author.reputation,
      createdAt: item.author.createdAt.toISOString(),
      suspendedUntil: item.author.suspendedUntil?.toISOString() ?? null,
      posts: item.author.posts,
      deletedPosts: item.author.deletedPosts,
      flagsOnPosts: item.author.flagsOnPosts,
    },
  });
  app.get('/moderation/queue', async (request) => {
    requireRole(request, 'moderator');
    return { flagged: flaggedQueue(app.db).map(queueJson), held: heldQueue(app.db).map(queueJson), counts: openCounts(app.db) };
  });

  const PostParams = Type.Object({ type: Type.Union([Type.Literal('question'), Type.Literal('answer'), Type.Literal('comment')]), id: Type.Integer({ minimum: 1, maximum: 2 ** 31 }) });
  const Done = { 200: Type.Object({ ok: Type.Boolean() }), ...Errors };
  for (const action of ['dismiss', 'delete', 'undelete'] as const) {
    app.post(
      `/moderation/posts/:type/:id/${action}`,
      // The body is optional (an empty POST is fine): its one field is checked by the service.
      { schema: { params: PostParams, response: Done } },
      async (request) => {
        const user = requireUser(request);
        const { type, id } = request.params as { type: 'question' | 'answer' | 'comment'; id: number };
        if (action === 'dismiss') dismissFlags(app.db, user.id, type, id);
        else if (action === 'delete') deletePost(app.db, user.id, type, id, bodyOf(request.body).reason, app.settings());
        else undeletePost(app.db, user.id, type, id);
        return { ok: true };
      },
    );
  }

  for (const action of ['warn', 'suspend', 'unsuspend', 'spammer'] as const) {
    app.post(
      `/moderation/users/:id/${action}`,
      // Optional body ({message} for warn, {days, reason} for suspend, {reason?} for spammer): the service checks each field.
      { schema: { params: IdParams, response: { 200: Type.Object({ ok: Type.Boolean(), deleted: Type.Optional(Type.Integer()) }), ...Errors } } },
      async (request) => {
        const user = requireUser(request);
        const { id } = request.params as { id: number };
        const body = bodyOf(request.body);
        if (action === 'warn') warnMember(app.db, user.id, id, body.message);
        else if (action === 'suspend') suspendMember(app.db, user.id, id, { days: body.days, reason: body.reason });
        else if (action === 'unsuspend') liftSuspension(app.db, user.id, id);
        else return { ok: true, deleted: markSpammer(app.db, user.id, id, body.reason, app.settings()).deleted };
        return { ok: true };
      },
    );
  }
}
