// Owns the account pages that work by mail: "check your inbox" after sign-up, forgot/reset password,
// confirming an address, and the account settings (address, password, language of mail).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../lib/errors.ts';
import { handleForm } from '../../lib/forms.ts';
import { safeReturnPath } from '../../lib/http.ts';
import { isLocale } from '../../lib/i18n.ts';
import { requireUser, startBrowserSession } from '../../plugins/auth.ts';
import { limitFromSetting } from '../../plugins/rate-limit.ts';
import {
  accountSettingsView,
  changePassword,
  checkAddressLink,
  checkResetLink,
  confirmAddress,
  requestEmailChange,
  requestPasswordReset,
  resendVerification,
  resetPassword,
  setMailLocale,
} from './recovery.ts';

const TokenParams = Type.Object({ token: Type.String({ maxLength: 200 }) });
const Csrf = { _csrf: Type.Optional(Type.String()) };

export default async function accountMailPages(app: FastifyInstance) {
  const noReferrer = (reply: FastifyReply) => reply.header('referrer-policy', 'no-referrer');
  // Expired, used, forged and malformed links all get this page (400), never an error page or a 500.
  const invalidLinkPage = (request: FastifyRequest, reply: FastifyReply) =>
    reply.page('accounts/link-invalid', {}, { status: 400, title: request.i18n.t('verify.invalidTitle'), noindex: true });
  const withLink = async (request: FastifyRequest, reply: FastifyReply, action: () => Promise<FastifyReply>) => {
    noReferrer(reply);
    try {
      return await action();
    } catch (error) {
      if (error instanceof AppError && error.code === 'invalid_link') return invalidLinkPage(request, reply);
      throw error;
    }
  };

  app.get('/signup/check-email', { schema: { querystring: Type.Object({ next: Type.Optional(Type.String({ maxLength: 2000 })) }) } }, async (request, reply) =>
    reply.page('accounts/check-email', { next: safeReturnPath((request.query as { next?: string }).next) }, { title: request.i18n.t('signup.checkTitle'), noindex: true }),
  );

  // Forgot your password?
  const forgotForm = (request: FastifyRequest, reply: FastifyReply, values: Record<string, string>, errors: Record<string, string>, sent: boolean, status = 200) =>
    reply.page('accounts/forgot', { values, errors, sent }, { status, title: request.i18n.t('forgot.title'), noindex: true });

  app.get('/signin/forgot', async (request, reply) => forgotForm(request, reply, {}, {}, false));

  app.post(
    '/signin/forgot',
    { schema: { body: Type.Object({ login: Type.String({ maxLength: 1000 }), ...Csrf }) }, config: limitFromSetting(app, 'passwordResetsPerIpPerHour', 3_600_000) },
    async (request, reply) => {
      const { login } = request.body as { login: string };
      // The same page whatever the input: known or not, limited or not.
      requestPasswordReset(app.db, login, app.settings());
      return forgotForm(request, reply, {}, {}, true);
    },
  );

  const resetForm = (request: FastifyRequest, reply: FastifyReply, errors: Record<string, string>, status = 200) =>
    reply.page('accounts/reset', { errors, done: false, action: request.url }, { status, title: request.i18n.t('reset.title'), noindex: true });

  app.get('/reset/:token', { schema: { params: TokenParams } }, async (request, reply) =>
    withLink(request, reply, async () => {
      checkResetLink(app.db, (request.params as { token: string }).token);
      return resetForm(request, reply, {});
    }),
  );

  app.post(
    '/reset/:token',
    { schema: { params: TokenParams, body: Type.Object({ password: Type.String({ maxLength: 4096 }), ...Csrf }) }, config: limitFromSetting(app, 'passwordResetsPerIpPerHour', 3_600_000) },
    async (request, reply) =>
      withLink(request, reply, () => {
        checkResetLink(app.db, (request.params as { token: string }).token);
        return handleForm(
          request,
          reply,
          async () => {
            await resetPassword(app.db, (request.params as { token: string }).token, (request.body as { password: string }).password);
            return reply.page('accounts/reset', { errors: {}, done: true }, { title: request.i18n.t('reset.title'), noindex: true });
          },
          (errors, status) => resetForm(request, reply, errors, status),
        );
      }),
  );

  // Confirming an address: GET shows what will be confirmed (link scanners follow GETs), POST confirms.
  app.get('/verify/:token', { schema: { params: TokenParams } }, async (request, reply) =>
    withLink(request, reply, async () => {
      const token = checkAddressLink(app.db, (request.params as { token: string }).token);
      return reply.page('accounts/verify', { done: false, change: token.purpose === 'change', address: token.address, action: request.url }, { title: request.i18n.t('verify.doneTitle'), noindex: true });
    }),
  );

  app.post('/verify/:token', { schema: { params: TokenParams, body: Type.Object(Csrf) } }, async (request, reply) =>
    withLink(request, reply, async () => {
      // Confirming signs nobody in: a link someone else sent must not put this browser into their account.
      const { purpose } = confirmAddress(app.db, (request.params as { token: string }).token);
      return reply.page('accounts/verify', { done: true, changed: purpose === 'change' }, { title: request.i18n.t('verify.doneTitle'), noindex: true });
    }),
  );

  // Account settings.
  const settingsPage = (request: FastifyRequest, reply: FastifyReply, extra: { notice?: string; errors?: Record<string, string>; values?: Record<string, string>; status?: number } = {}) => {
    const user = requireUser(request);
    return reply.page(
      'accounts/settings',
      { account: accountSettingsView(app.db, user.id), notice: extra.notice, errors: extra.errors ?? {}, values: extra.values ?? {} },
      { status: extra.status ?? 200, title: request.i18n.t('settings.accountTitle'), noindex: true },
    );
  };

  app.get('/settings/account', async (request, reply) => settingsPage(request, reply));

  app.post('/settings/account/verify-again', { schema: { body: Type.Object(Csrf) } }, async (request, reply) => {
    const user = requireUser(request);
    return handleForm(
      request,
      reply,
      async () => {
        const outcome = resendVerification(app.db, user.id, app.settings());
        return settingsPage(request, reply, { notice: request.i18n.t(outcome === 'sent' ? 'verify.sent' : 'verify.already') });
      },
      (errors, status) => settingsPage(request, reply, { errors, status }),
    );
  });

  app.post(
    '/settings/account/email',
    { schema: { body: Type.Object({ email: Type.String({ maxLength: 1000 }), currentPassword: Type.String({ maxLength: 4096 }), ...Csrf }) }, config: limitFromSetting(app, 'signInPerIpPerMinute', 60_000) },
    async (request, reply) => {
      const user = requireUser(request);
      const body = request.body as { email: string; currentPassword: string };
      return handleForm(
        request,
        reply,
        async () => {
          const address = await requestEmailChange(app.db, user.id, body, app.settings());
          return settingsPage(request, reply, { notice: request.i18n.t('settings.emailPending', { address }) });
        },
        (errors, status) => settingsPage(request, reply, { errors, status, values: { email: body.email } }),
      );
    },
  );

  app.post(
    '/settings/account/password',
    {
      schema: { body: Type.Object({ currentPasswordForPassword: Type.String({ maxLength: 4096 }), newPassword: Type.String({ maxLength: 4096 }), ...Csrf }) },
      config: limitFromSetting(app, 'signInPerIpPerMinute', 60_000),
    },
    async (request, reply) => {
      const user = requireUser(request);
      const body = request.body as { currentPasswordForPassword: string; newPassword: string };
      return handleForm(
        request,
        reply,
        async () => {
          await changePassword(app.db, user.id, { currentPassword: body.currentPasswordForPassword, newPassword: body.newPassword });
          // Every session was revoked; this browser gets a fresh one.
          startBrowserSession(app, request, reply, user);
          return settingsPage(request, reply, { notice: request.i18n.t('settings.passwordChanged') });
        },
        (errors, status) =>
          settingsPage(request, reply, { status, errors: Object.fromEntries(Object.entries(errors).map(([k, v]) => [k === 'currentPassword' ? 'currentPasswordForPassword' : k, v])) }),
      );
    },
  );

  app.post('/settings/account/language', { schema: { body: Type.Object({ locale: Type.String({ maxLength: 10 }), ...Csrf }) } }, async (request, reply) => {
    const user = requireUser(request);
    const { locale } = request.body as { locale: string };
    if (!isLocale(locale)) return settingsPage(request, reply, { status: 400, errors: { form: request.i18n.t('error.badRequest') } });
    setMailLocale(app.db, user.id, locale);
    return settingsPage(request, reply, { notice: request.i18n.t('settings.languageSaved') });
  });
}
