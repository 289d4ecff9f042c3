// Owns the account pages: sign up, sign in, sign out and public profiles.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { checkHoneypot } from '../moderation/new-members.ts';
import { handleForm } from '../../lib/forms.ts';
import { profileDetails } from '../users/service.ts';
import { safeReturnPath } from '../../lib/http.ts';
import { endBrowserSession, signInClient, startBrowserSession } from '../../plugins/auth.ts';
import { limitAction } from '../../plugins/rate-limit.ts';
import { answersBy } from '../answers/service.ts';
import { linkVisitor } from '../deflection/service.ts';
import { listQuestions } from '../questions/service.ts';
import { reputationHistory } from '../votes/reputation.ts';
import { reputationReasonLabel } from '../votes/labels.ts';
import { signUp, accountSettingsView } from './recovery.ts';
import { authenticate, requireUserByUsername } from './service.ts';

const NextQuery = Type.Object({ next: Type.Optional(Type.String({ maxLength: 2000 })) });
const SignUpBody = Type.Object({
  username: Type.String({ maxLength: 1000 }),
  email: Type.String({ maxLength: 1000 }),
  password: Type.String({ maxLength: 4096 }),
  next: Type.Optional(Type.String({ maxLength: 2000 })),
  _csrf: Type.Optional(Type.String()),
  /** The honeypot (features/moderation/new-members.ts): people leave it empty. */
  website: Type.Optional(Type.String({ maxLength: 2000 })),
});
const SignInBody = Type.Object({
  login: Type.String({ maxLength: 1000 }),
  password: Type.String({ maxLength: 4096 }),
  next: Type.Optional(Type.String({ maxLength: 2000 })),
  _csrf: Type.Optional(Type.String()),
});

type Values = Record<string, string | undefined>;

export default async function accountsPages(app: FastifyInstance) {
  const signUpForm = (request: FastifyRequest, reply: FastifyReply, values: Values, errors: Record<string, string>, status = 200) =>
    reply.page('accounts/signup', { values, errors, next: safeReturnPath(values.next) }, { status, title: request.i18n.t('signup.title'), noindex: true });
  const signInForm = (request: FastifyRequest, reply: FastifyReply, values: Values, errors: Record<string, string>, status = 200) =>
    reply.page('accounts/signin', { values, errors, next: safeReturnPath(values.next) }, { status, title: request.i18n.t('signin.title'), noindex: true });

  app.get('/signup', { schema: { querystring: NextQuery } }, async (request, reply) =>
    signUpForm(request, reply, { next: (request.query as { next?: string }).next }, {}),
  );

  app.post('/signup', { schema: { body: SignUpBody }, ...limitAction(app, 'signUp') }, async (request, reply) => {
    const body = request.body as Values & { username: string; email: string; password: string; website?: string };
    return handleForm(
      request,
      reply,
      async () => {
        checkHoneypot(body.website);
        // The same answer for a new and a known address (no cookie either way): see signUp.
        await signUp(app.db, { ...body, locale: request.i18n.locale }, app.settings());
        return reply.redirect(`/signup/check-email?next=${encodeURIComponent(safeReturnPath(body.next))}`, 303);
      },
      (errors, status) => signUpForm(request, reply, { username: body.username, email: body.email, next: body.next }, errors, status),
    );
  });

  app.get('/signin', { schema: { querystring: NextQuery } }, async (request, reply) =>
    signInForm(request, reply, { next: (request.query as { next?: string }).next }, {}),
  );

  app.post('/signin', { schema: { body: SignInBody }, ...limitAction(app, 'signIn') }, async (request, reply) => {
    const body = request.body as Values & { login: string; password: string };
    return handleForm(
      request,
      reply,
      async () => {
        const user = await authenticate(app.db, body.login, body.password, app.settings(), signInClient(app, request));
        startBrowserSession(app, request, reply, user);
        // What this visitor did signed out and what they do signed in is one person in the report.
        if (request.visitorId) linkVisitor(app.db, request.visitorId, user.id);
        return reply.redirect(safeReturnPath(body.next), 303);
      },
      (errors, status) => signInForm(request, reply, { login: body.login, next: body.next }, { login: Object.values(errors)[0] }, status),
    );
  });

  app.post('/signout', { schema: { body: Type.Object({ _csrf: Type.Optional(Type.String()) }) } }, async (request, reply) => {
    endBrowserSession(app, request, reply);
    return reply.redirect('/', 303);
  });

  app.get('/users/:username', { schema: { params: Type.Object({ username: Type.String({ maxLength: 200 }) }) } }, async (request, reply) => {
    const profile = requireUserByUsername(app.db, (request.params as { username: string }).username);
    const { t } = request.i18n;
    const answers = answersBy(app.db, profile.id, 10);
    const activity = {
      questions: listQuestions(app.db, { authorId: profile.id, sort: 'votes', pageSize: 10 }),
      answers: answers.items,
      answerTotal: answers.total,
      reputation: reputationHistory(app.db, profile.id, 20).map((event) => ({ ...event, label: reputationReasonLabel(t, event.reason, { self: request.user?.id === profile.id, name: profile.displayName }) })),
    };
    const details = profileDetails(app.db, profile.id);
    // Your own profile says when your address is not confirmed yet (signed-in pages are never kept in the page cache).
    const own = request.user?.id === profile.id ? { verified: accountSettingsView(app.db, profile.id).verified } : null;
    const saved = !!own && (request.query as { saved?: string } | undefined)?.saved === '1';
    return reply.page('accounts/profile', { profile, activity, details, own, saved }, { title: profile.displayName, description: t('seo.userDescription', { name: profile.displayName }), canonicalPath: `/users/${encodeURIComponent(profile.username)}` });
  });
}
