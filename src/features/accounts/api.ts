// Owns the accounts part of the JSON API (API.md, "Accounts"): sign-up, bearer tokens, public profiles.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { notSignedIn } from '../../lib/errors.ts';
import { limitAction } from '../../plugins/rate-limit.ts';
import { endBrowserSession, signInClient } from '../../plugins/auth.ts';
import { signUp } from './recovery.ts';
import { authenticate, requireUserByUsername } from './service.ts';
import { createSession, revokeSession } from './sessions.ts';
import { profileCounts } from './profile-counts.ts';

const ErrorBody = Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String() }) });
const Role = Type.Union([Type.Literal('member'), Type.Literal('moderator'), Type.Literal('staff'), Type.Literal('admin')]);

export default async function accountsApi(app: FastifyInstance) {
  app.post(
    '/users',
    {
      schema: {
        body: Type.Object({
          username: Type.String({ maxLength: 1000 }),
          email: Type.String({ maxLength: 1000 }),
          password: Type.String({ maxLength: 4096 }),
        }),
        response: { 202: Type.Object({ status: Type.Literal('check_email') }), '4xx': ErrorBody },
      },
      ...limitAction(app, 'signUp'),
    },
    async (request, reply) => {
      // 202 whether the address was new (account created, confirmation mailed) or known (its owner told):
      // the answer never says which (issue 10, point 5).
      await signUp(app.db, { ...(request.body as { username: string; email: string; password: string }), locale: request.i18n.locale }, app.settings());
      return reply.status(202).send({ status: 'check_email' as const });
    },
  );

  app.post(
    '/session',
    {
      schema: {
        body: Type.Object({ login: Type.String({ maxLength: 1000 }), password: Type.String({ maxLength: 4096 }) }),
        response: {
          200: Type.Object({ token: Type.String(), user: Type.Object({ id: Type.Integer(), username: Type.String(), role: Role }) }),
          '4xx': ErrorBody,
        },
      },
      ...limitAction(app, 'signIn'),
    },
    async (request) => {
      const { login, password } = request.body as { login: string; password: string };
      const user = await authenticate(app.db, login, password, app.settings(), signInClient(app, request));
      const { token } = createSession(app.db, user.id, 'api', app.settings(), request.headers['user-agent']);
      return { token, user: { id: user.id, username: user.username, role: user.role } };
    },
  );

  app.delete('/session', { schema: { response: { '4xx': ErrorBody } } }, async (request, reply) => {
    if (!request.user || !request.sessionToken) throw notSignedIn();
    if (request.authKind === 'bearer') revokeSession(app.db, request.sessionToken);
    else endBrowserSession(app, request, reply);
    return reply.status(204).send();
  });

  app.get(
    '/users/:username',
    {
      schema: {
        params: Type.Object({ username: Type.String({ maxLength: 200 }) }),
        response: {
          200: Type.Object({
            id: Type.Integer(),
            username: Type.String(),
            displayName: Type.String(),
            role: Role,
            reputation: Type.Integer(),
            createdAt: Type.String(),
            questionCount: Type.Integer(),
            answerCount: Type.Integer(),
          }),
          '4xx': ErrorBody,
        },
      },
    },
    async (request) => {
      const user = requireUserByUsername(app.db, (request.params as { username: string }).username);
      return { ...user, createdAt: user.createdAt.toISOString(), ...profileCounts(app.db, user.id) };
    },
  );
}
