// Owns first-run setup: while the forum has no admin, a one-time link printed on the console creates one.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../lib/errors.ts';
import { handleForm } from '../../lib/forms.ts';
import { startBrowserSession } from '../../plugins/auth.ts';
import { limitAction } from '../../plugins/rate-limit.ts';
import { hasAdmin, registerUser } from './service.ts';
import { CHECKLIST_PATH } from '../admin/checklist.ts';

const Params = Type.Object({ token: Type.String({ maxLength: 200 }) });
const Body = Type.Object({
  username: Type.String({ maxLength: 1000 }),
  email: Type.String({ maxLength: 1000 }),
  password: Type.String({ maxLength: 4096 }),
  _csrf: Type.Optional(Type.String()),
});

function sameToken(expected: string | undefined, given: string): boolean {
  if (!expected) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export default async function setupPages(app: FastifyInstance, options: { setupToken?: string }) {
  const checkToken = (token: string) => {
    if (!sameToken(options.setupToken, token) || hasAdmin(app.db)) throw new AppError(404, 'not_found', 'setup.invalid');
  };
  const form = (request: FastifyRequest, reply: FastifyReply, token: string, values: Record<string, string>, errors: Record<string, string>, status = 200) =>
    reply.page('accounts/setup', { token, values, errors }, { status, title: request.i18n.t('setup.title'), noindex: true });

  app.get('/setup/:token', { schema: { params: Params } }, async (request, reply) => {
    const { token } = request.params as { token: string };
    checkToken(token);
    reply.header('referrer-policy', 'no-referrer');
    return form(request, reply, token, {}, {});
  });

  app.post('/setup/:token', { schema: { params: Params, body: Body }, ...limitAction(app, 'signUp') }, async (request, reply) => {
    const { token } = request.params as { token: string };
    const body = request.body as { username: string; email: string; password: string };
    checkToken(token);
    return handleForm(
      request,
      reply,
      async () => {
        const admin = await registerUser(app.db, body, 'admin');
        startBrowserSession(app, request, reply, admin);
        // First stop: what a new forum still needs (name, support contact, languages, costs, staff).
        return reply.redirect(CHECKLIST_PATH, 303);
      },
      (errors, status) => form(request, reply, token, { username: body.username, email: body.email }, errors, status),
    );
  });
}
